"""Addresses of S3 in one comparable form: settlement, street and house lower-cased, «ё» read
as «е», type words («г.», «ул.», «д.») dropped; a list of houses («1-15, 17, 19а») expanded
into the set of houses it names.

Search and subscriptions compare these keys, so «Ул. Лёни Голикова» finds «ул Лени Голикова».
"""

from __future__ import annotations

import re

#: Type words in front of (or after) a settlement or street name: dropped from the key.
_TYPES = (
    "город",
    "г",
    "гор",
    "поселок",
    "пос",
    "п",
    "пгт",
    "рп",
    "село",
    "с",
    "деревня",
    "дер",
    "д",
    "ст-ца",
    "станица",
    "х",
    "хутор",
    "снт",
    "мкр",
    "микрорайон",
    "улица",
    "ул",
    "проспект",
    "пр-т",
    "просп",
    "пр",
    "переулок",
    "пер",
    "проезд",
    "пр-д",
    "шоссе",
    "ш",
    "бульвар",
    "б-р",
    "бул",
    "площадь",
    "пл",
    "набережная",
    "наб",
    "тупик",
    "туп",
    "аллея",
    "ал",
    "линия",
    "тракт",
)
_TYPE_WORD = re.compile(r"^(?:" + "|".join(re.escape(t) for t in _TYPES) + r")\.?$")
_HOUSE_PREFIX = re.compile(r"^(?:дом|д)\.?\s*")
_HOUSE = re.compile(r"[0-9]{1,5}[а-я]?(?:/[0-9]{1,4}[а-я]?)?")
#: The widest range expanded («1-2000» is a typo, not a street).
MAX_RANGE = 1000


def fold(text: str) -> str:
    return " ".join(text.lower().replace("ё", "е").split())


def name_key(text: str) -> str:
    """A settlement's or street's key: folded, dots as spaces, type words dropped."""
    words = [w for w in fold(text).replace(".", ". ").split() if not _TYPE_WORD.match(w)]
    return " ".join(w.rstrip(".") for w in words if w.rstrip("."))


def house_key(text: str) -> str:
    """«Д. 19 А» → «19а»; "" when not a house number."""
    folded = _HOUSE_PREFIX.sub("", fold(text)).replace(" ", "")
    return folded if _HOUSE.fullmatch(folded) else ""


def parse_houses(text: str) -> list[str]:
    """The houses of a list like «1-15, 17, 19а» in order, without repeats; "" is the whole
    street ([]). Raises ValueError with the reason, in Russian, for a part it cannot read."""
    houses: list[str] = []
    for raw in re.split(r"[,;]", text):
        part = raw.strip()
        if not part:
            continue
        if "-" in part or "–" in part:
            low, _sep, high = part.replace("–", "-").partition("-")
            if not (low.strip().isascii() and low.strip().isdigit()) or not (
                high.strip().isascii() and high.strip().isdigit()
            ):
                raise ValueError(
                    f"диапазон «{part}» должен состоять из двух номеров, например 1-15"
                )
            first, last = int(low), int(high)
            if first > last or last - first > MAX_RANGE or first < 1:
                raise ValueError(f"диапазон «{part}» неверен")
            houses.extend(str(n) for n in range(first, last + 1))
            continue
        key = house_key(part)
        if not key:
            raise ValueError(f"«{part}» — не номер дома")
        houses.append(key)
    return list(dict.fromkeys(houses))


def house_tokens(houses: list[str]) -> str:
    """The houses as one searchable text: «|1|2|19а|» (a house is matched as «|19а|»)."""
    return "|" + "|".join(houses) + "|" if houses else ""


def split_address(address: str) -> tuple[str, str, str] | None:
    """(settlement, street, house) of a billing address «Рязанская обл., г. Рязань, ул. Ленина,
    д. 5»: the part before the house is the street, the one before it the settlement."""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if len(parts) < 3:
        return None
    house = house_key(parts[-1])
    if house:
        street, settlement = parts[-2], parts[-3]
    else:
        street, settlement = parts[-1], parts[-2]
    if not name_key(street) or not name_key(settlement):
        return None
    return settlement, street, house
