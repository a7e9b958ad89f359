"""An amount of money in Russian words, as invoices write it:
«Одна тысяча двести рублей 05 копеек»."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

_UNITS = ("", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_UNITS_FEMININE = ("", "одна", "две", *_UNITS[3:])
_TEENS = ("десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать", "пятнадцать",
          "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать")  # fmt: skip
_TENS = ("", "", "двадцать", "тридцать", "сорок", "пятьдесят", "шестьдесят", "семьдесят",
         "восемьдесят", "девяносто")  # fmt: skip
_HUNDREDS = ("", "сто", "двести", "триста", "четыреста", "пятьсот", "шестьсот", "семьсот",
             "восемьсот", "девятьсот")  # fmt: skip
#: Groups of three digits: (one, few, many) forms and whether the group's noun is feminine.
_GROUPS = (
    (("", "", ""), False),
    (("тысяча", "тысячи", "тысяч"), True),
    (("миллион", "миллиона", "миллионов"), False),
    (("миллиард", "миллиарда", "миллиардов"), False),
    (("триллион", "триллиона", "триллионов"), False),
)
RUBLES = ("рубль", "рубля", "рублей")
KOPECKS = ("копейка", "копейки", "копеек")


def plural(number: int, forms: tuple[str, str, str]) -> str:
    """The Russian form for a count: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль."""
    n = abs(number) % 100
    if 11 <= n <= 19:
        return forms[2]
    n %= 10
    if n == 1:
        return forms[0]
    if 2 <= n <= 4:
        return forms[1]
    return forms[2]


def _triple(number: int, feminine: bool) -> list[str]:
    words = [_HUNDREDS[number // 100]]
    rest = number % 100
    if 10 <= rest <= 19:
        words.append(_TEENS[rest - 10])
    else:
        words.append(_TENS[rest // 10])
        words.append((_UNITS_FEMININE if feminine else _UNITS)[rest % 10])
    return [w for w in words if w]


def integer_in_words(number: int) -> str:
    """A whole number (0 … 10**15 − 1) in words, masculine: «сто двадцать один»."""
    if number < 0 or number >= 10**15:
        raise ValueError(number)
    if number == 0:
        return "ноль"
    words: list[str] = []
    for index, (forms, feminine) in enumerate(_GROUPS):
        group = number // 1000**index % 1000
        if not group:
            continue
        part = _triple(group, feminine)
        if index:
            part.append(plural(group, forms))
        words[:0] = part
    return " ".join(words)


def rubles_in_words(amount: Decimal) -> str:
    """«Одна тысяча двести рублей 05 копеек» for Decimal("1200.05"): roubles in words,
    kopecks in figures, the first letter capital."""
    amount = Decimal(amount).quantize(Decimal("0.01"), ROUND_HALF_UP)
    if amount < 0:
        raise ValueError(amount)
    rubles, kopecks = divmod(int(amount * 100), 100)
    text = f"{integer_in_words(rubles)} {plural(rubles, RUBLES)} "
    text += f"{kopecks:02d} {plural(kopecks, KOPECKS)}"
    return text[0].upper() + text[1:]
