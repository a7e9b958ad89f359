from django import template

from lkk.content.sanitize import render

register = template.Library()


@register.filter
def richtext(value: str):
    """Rich text an operator wrote, cleaned by the allow-list again before it is shown."""
    return render(value or "")
