"""The demo logins, shared by `seed_demo`, `make run`'s printout and the demo login page."""

DEMO_PASSWORD = "lkk-demo-2026"

#: (login, who it is): the accounts `seed_demo` creates, in the order they are printed.
DEMO_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("ul_demo", "Юридическое лицо (3 договора)"),
    ("ip_demo", "Индивидуальный предприниматель (1 договор)"),
    ("fl_demo", "Физическое лицо, бытовой потребитель"),
    ("big_demo", "Крупный клиент: 300 договоров, 3000 точек учёта"),
    ("operator", "Оператор бэк-офиса"),
    ("admin", "Администратор"),
)
