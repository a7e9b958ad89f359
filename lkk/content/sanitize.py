"""Safe rich text for what operators write (S2, S5): HTML or a light Markdown, cleaned by nh3.

The allow-list keeps text structure, links and images only: no script, style, iframe or form,
no `on*` or `style` attribute, and links and images only over http(s), mailto and tel (or a path
inside the portal). The text is cleaned when saved and again when shown, so a row written past
the form (the admin, an import, an older version of this list) is still harmless on a page.
"""

from __future__ import annotations

import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe

TAGS = {
    "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "sub", "sup", "small", "mark",
    "h2", "h3", "h4", "h5", "ul", "ol", "li", "blockquote", "pre", "code", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td", "caption", "span", "div",
}  # fmt: skip
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}

_HTML = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![\*\w])\*(?!\s)(.+?)(?<!\s)\*(?!\*)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def clean(text: str) -> str:
    """The operator's HTML reduced to the allow-list (links get rel="noopener noreferrer")."""
    return nh3.clean(
        text or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def _inline(line: str) -> str:
    line = html.escape(line, quote=True)
    line = _BOLD.sub(r"<strong>\1</strong>", line)
    line = _ITALIC.sub(r"<em>\1</em>", line)
    return _LINK.sub(r'<a href="\2">\1</a>', line)


def markdown_lite(text: str) -> str:
    """Paragraphs by blank lines, «- » lists, «## » headings, **bold**, *italic*, [text](url)."""
    blocks, out = re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()), []
    for block in blocks:
        lines = [ln.rstrip() for ln in block.split("\n") if ln.strip()]
        if not lines:
            continue
        if all(ln.lstrip().startswith(("- ", "* ")) for ln in lines):
            items = "".join(f"<li>{_inline(ln.lstrip()[2:])}</li>" for ln in lines)
            out.append(f"<ul>{items}</ul>")
        elif len(lines) == 1 and lines[0].startswith("#"):
            level = min(len(lines[0]) - len(lines[0].lstrip("#")) + 1, 4)
            out.append(f"<h{level}>{_inline(lines[0].lstrip('#').strip())}</h{level}>")
        else:
            out.append("<p>" + "<br>".join(_inline(ln) for ln in lines) + "</p>")
    return "\n".join(out)


def rich_text(text: str) -> str:
    """What is stored: HTML as it is, anything else read as Markdown-lite; cleaned either way."""
    source = text or ""
    return clean(source if _HTML.search(source) else markdown_lite(source))


def render(stored: str) -> SafeString:
    """Stored rich text for a template, cleaned once more on the way out."""
    return mark_safe(clean(stored))  # noqa: S308 — nh3's output under the allow-list above
