"""Demo data of S2/S4/S5 and T2/T3: news, pages, FAQ, support phones, one open survey, the
connection rates, and the instructions as PDFs made with WeasyPrint. Idempotent: a second run
adds nothing (rows are found by their slug, title or date)."""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import threading
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

NEWS = [
    (
        "Приём показаний в ноябре",
        "Показания за ноябрь принимаются с 15 по 25 число в личном кабинете.",
        "<p>Уважаемые клиенты! Передавайте показания приборов учёта с <strong>15 по 25 "
        "число</strong> месяца в разделе «Передача показаний».</p><ul><li>по договору;</li>"
        "<li>по прибору учёта;</li><li>загрузкой файла XLSX.</li></ul>",
    ),
    (
        "Новый раздел «Опросы»",
        "Расскажите, как нам стать лучше: ответьте на короткий опрос о качестве обслуживания.",
        "Мы открыли раздел **«Опросы»**. Ответ займёт пару минут.\n\n"
        "- оцените работу контактного центра;\n- расскажите, чего не хватает в кабинете.",
    ),
    (
        "Калькулятор стоимости присоединения",
        "Рассчитайте плату за технологическое присоединение до подачи заявки.",
        "<p>Калькулятор учитывает мощность, уровень напряжения и категорию надёжности по "
        "ставкам, утверждённым регулятором.</p>",
    ),
    (
        "График работы в праздничные дни",
        "Офисы обслуживания не работают 31 декабря и с 1 по 8 января.",
        "<p>Личный кабинет работает круглосуточно. Аварийная служба — без выходных.</p>",
    ),
]
PAGES = [
    (
        "tariffs",
        "Тарифы и цены",
        "<p>Цены на электрическую энергию для населения утверждает региональный орган "
        "регулирования тарифов. Для юридических лиц цена складывается из стоимости энергии, "
        "мощности, услуг по передаче и сбытовой надбавки.</p>",
        10,
    ),
    (
        "payment",
        "Способы оплаты",
        "- в личном кабинете по квитанции;\n- в отделениях банков;\n- в офисах обслуживания.",
        20,
    ),
    (
        "documents",
        "Документы для заключения договора",
        "<p>Для заключения договора энергоснабжения понадобятся документ о праве на объект, "
        "документы о технологическом присоединении и сведения о приборе учёта.</p>",
        30,
    ),
]
FAQ = [
    ("Вход и регистрация", "Как зарегистрироваться в личном кабинете?",
     "Нажмите «Регистрация» на странице входа и выберите способ. Краткая инструкция — "
     "под знаком вопроса на странице входа.", 10),
    ("Вход и регистрация", "Я забыл пароль. Что делать?",
     "Нажмите «Забыли пароль?» на странице входа: код придёт на email или телефон.", 20),
    ("Показания", "Когда передавать показания?",
     "С 15 по 25 число каждого месяца в разделе «Передача показаний».", 10),
    ("Оплата", "Когда поступит платёж?",
     "Платёж отражается в личном кабинете в течение 1–3 рабочих дней.", 10),
    ("Технологическое присоединение", "Сколько стоит присоединение?",
     "Рассчитайте стоимость в калькуляторе: раздел «Сервисы» → «Калькулятор присоединения».", 10),
]  # fmt: skip
PHONES = [
    ("Аварийная служба", "8 (800) 000-00-01", "круглосуточно", 10),
    ("Технологическое присоединение", "8 (800) 000-00-02", "пн–пт 9:00–18:00", 20),
]
INSTRUCTIONS = [
    ("registration", "Краткая инструкция по регистрации", True, 10),
    ("manual", "Инструкция по работе с личным кабинетом", False, 20),
]
#: Per kW without VAT by (voltage, category): new connection; an increase costs the same here.
RATES = {
    "0.4": Decimal("8500.00"),
    "6-10": Decimal("6200.00"),
    "35": Decimal("4300.00"),
    "110": Decimal("2900.00"),
}
CATEGORY_FACTOR = {"1": Decimal("1.50"), "2": Decimal("1.20"), "3": Decimal("1.00")}


@functools.cache
def _pdf(title: str, paragraphs: tuple[str, ...]) -> bytes:
    from weasyprint import HTML

    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        "<html lang='ru'><head><meta charset='utf-8'><style>body{font-family:'DejaVu Sans';"
        f"font-size:11pt}}h1{{font-size:16pt}}</style></head><body><h1>{title}</h1>{body}"
        "</body></html>"
    )
    return HTML(string=html).write_pdf()


def _connection_document_text() -> tuple[str, ...]:
    return (
        "Документ размещён для ознакомления до подачи заявки на технологическое "
        "присоединение (Правила, утв. постановлением Правительства РФ № 861).",
    )


def _wanted_pdfs() -> list[tuple[str, tuple[str, ...]]]:
    from lkk.connection.models import ConnectionDocument

    return [(title, _instruction_text(slug)) for slug, title, _public, _order in INSTRUCTIONS] + [
        (str(label), _connection_document_text())
        for _kind, label in ConnectionDocument.Kind.choices
    ]


def pdfs_ahead() -> threading.Thread | None:
    """Renders the demo's PDFs in a thread, for a first seed (none stored yet).

    WeasyPrint's import and layout are seconds of Python; the seed starts this while it waits
    for PostgreSQL to store rows and build indexes, and `content_seed` finds them made (`_pdf`
    is cached). A failure here is left to `content_seed`, which renders again and raises.
    """
    from lkk.content.models import Instruction

    if Instruction.objects.exists():
        return None
    wanted = _wanted_pdfs()

    def render() -> None:
        # Niced (this thread only, on Linux): PostgreSQL's index builds come first.
        with contextlib.suppress(OSError, AttributeError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
        with contextlib.suppress(Exception):
            for title, paragraphs in wanted:
                _pdf(title, paragraphs)

    thread = threading.Thread(target=render, name="demo-pdfs", daemon=True)
    thread.start()
    return thread


def _instruction_text(slug: str) -> tuple[str, ...]:
    if slug == "registration":
        return (
            "1. На странице входа нажмите «Регистрация».",
            "2. Выберите способ: по договору, для юридического лица, ИП или физического лица.",
            "3. Введите ИНН, номер договора и контакт, указанный в договоре.",
            "4. Введите код из письма или SMS и задайте пароль.",
        )
    return (
        "Главная — договоры, баланс и последние показания.",
        "Передача показаний — по договору, по прибору или файлом XLSX.",
        "Сервисы — новости, опросы, помощь, калькулятор присоединения.",
    )


def content_seed(*, today: dt.date) -> dict[str, int]:
    from lkk.connection.models import ConnectionDocument, FixedFee, Rate
    from lkk.content.models import FaqItem, InfoPage, Instruction, News, SupportPhone
    from lkk.content.sanitize import rich_text
    from lkk.surveys.models import Question, Survey

    added = dict.fromkeys(("news", "pages", "faq", "instructions", "surveys", "rates"), 0)
    now = timezone.now()
    have = set(News.objects.values_list("title", flat=True))
    rows = []
    for days, (title, summary, body) in enumerate(NEWS):
        if title not in have:
            when = now - dt.timedelta(days=3 * days + 1)
            rows.append(
                News(title=title, summary=summary, body=rich_text(body), status="published",
                     published_at=when, announced_at=when)
            )  # fmt: skip
    News.objects.bulk_create(rows)
    added["news"] = len(rows)

    have = set(InfoPage.objects.values_list("slug", flat=True))
    rows = [
        InfoPage(slug=slug, title=title, body=rich_text(body), order=order)
        for slug, title, body, order in PAGES
        if slug not in have
    ]
    InfoPage.objects.bulk_create(rows)
    added["pages"] = len(rows)

    have = set(FaqItem.objects.values_list("question", flat=True))
    rows = [
        FaqItem(category=cat, question=q, answer=rich_text(a), order=order)
        for cat, q, a, order in FAQ
        if q not in have
    ]
    FaqItem.objects.bulk_create(rows)
    added["faq"] = len(rows)

    if not SupportPhone.objects.exists():
        SupportPhone.objects.bulk_create(
            SupportPhone(title=t, phone=p, hours=h, order=o) for t, p, h, o in PHONES
        )

    have = set(Instruction.objects.values_list("slug", flat=True))
    for slug, title, public, order in INSTRUCTIONS:
        if slug in have:
            continue
        data = _pdf(title, _instruction_text(slug))
        doc = Instruction(
            slug=slug, title=title, is_public=public, order=order,
            file_name=f"{slug}.pdf", size=len(data),
        )  # fmt: skip
        doc.file.save(f"{slug}.pdf", ContentFile(data), save=False)
        doc.save()
        added["instructions"] += 1

    have = set(ConnectionDocument.objects.values_list("kind", flat=True))
    for kind, label in ConnectionDocument.Kind.choices:
        if kind in have:
            continue
        data = _pdf(str(label), _connection_document_text())
        doc = ConnectionDocument(kind=kind, file_name=f"{kind}.pdf", size=len(data))
        doc.file.save(f"{kind}.pdf", ContentFile(data), save=False)
        doc.save()

    valid_from = dt.date(today.year, 1, 1)
    if not Rate.objects.exists():
        Rate.objects.bulk_create(
            Rate(voltage=v, category=c, purpose=p, per_kw=(base * f).quantize(Decimal("0.01")),
                 valid_from=valid_from, basis="Приказ регулятора (демо)")
            for v, base in RATES.items()
            for c, f in CATEGORY_FACTOR.items()
            for p in ("new", "increase")
        )  # fmt: skip
        added["rates"] = 2 * len(RATES) * len(CATEGORY_FACTOR)
    if not FixedFee.objects.exists():
        FixedFee.objects.create(
            amount=Decimal("5000.00"), valid_from=valid_from, basis="Приказ регулятора (демо)"
        )

    title = "Качество обслуживания"
    if not Survey.objects.filter(title=title).exists():
        survey = Survey.objects.create(
            title=title,
            description="Помогите нам стать лучше: пять коротких вопросов.",
            status=Survey.Status.OPEN,
            opened_at=now,
        )
        Question.objects.bulk_create([
            Question(survey=survey, order=1, kind="scale", text="Оцените работу личного кабинета"),
            Question(survey=survey, order=2, kind="single", text="Как часто вы заходите в кабинет?",
                     options="Каждую неделю\nРаз в месяц\nРеже"),
            Question(survey=survey, order=3, kind="multiple", required=False,
                     text="Чем вы пользуетесь?",
                     options="Передача показаний\nОплата\nДокументы\nЗаявки"),
            Question(survey=survey, order=4, kind="text", required=False,
                     text="Что нам улучшить?"),
        ])  # fmt: skip
        added["surveys"] = 1
    return added
