"""Settings of LKK, all read from the environment here and nowhere else.

The embedded default (no variables set) is a one-machine demo: SQLite in WAL mode, local-memory
cache, Celery tasks run at once. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY and
ALLOWED_HOSTS; see README.md for every variable.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("LKK_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# Demo mode: demo data, demo logins on the login page, the development outbox page.
DEMO_MODE = env.bool("DEMO_MODE", default=False)


def _secret_key() -> str:
    """A real deployment must set SECRET_KEY; a demo or dev machine gets a key kept in var/."""
    key = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not (DEBUG or DEMO_MODE):
        raise environ.ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG and DEMO_MODE are off"
        )
    import secrets

    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",  # every form renders through it: lkk/templates/bootstrap5/ is the one place
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    # Login protection (before lkk.audit, whose receivers run after axes' own).
    "axes",
    "captcha",  # django-simple-captcha; lkk/locale/ru keeps Django's wording over its catalogue
    "django_otp",
    "django_otp.plugins.otp_totp",
    "rest_framework",
    "drf_spectacular",
    "lkk.core",
    "lkk.accounts",
    "lkk.customers",
    "lkk.readings",
    "lkk.billing",
    "lkk.notifications",
    "lkk.reports",
    "lkk.applications",
    "lkk.connection",
    "lkk.appointments",
    "lkk.content",
    "lkk.outages",
    "lkk.surveys",
    "lkk.exchange",
    "lkk.api",
    "lkk.audit",
    "lkk.backoffice",
    "lkk.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lkk.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Customer rows are read only through visible_to from here on (SECURITY.md, Access control).
    "lkk.customers.access.IsolationGuardMiddleware",
    "lkk.customers.access.ActiveCounterpartyMiddleware",  # A10: the counterparty switcher
    "django_otp.middleware.OTPMiddleware",
    "lkk.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "lkk.core.middleware.ErrorPageMiddleware",  # the 405 page (after auth: the header)
    "lkk.accounts.middleware.ConsentMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: turns a lockout into the login page's answer (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lkk.urls"
WSGI_APPLICATION = "lkk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lkk" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lkk.core.context_processors.site",
                "lkk.customers.context_processors.customer",
            ],
            # `{% url %}` and `|date` that do less work for the same output (issue 13).
            "builtins": ["lkk.core.templatetags.urls", "lkk.core.templatetags.dates"],
            # `{% load i18n %}`: Django's, with a `{% translate %}` that remembers what it
            # translated (lkk/core/templatetags/i18n_cached.py).
            "libraries": {"i18n": "lkk.core.templatetags.i18n_cached"},
        },
    },
]

# The "i18n" library above is ours on purpose, which Django's check reports as a name used twice;
# lkk/core/tests/test_i18n_cached.py checks that it is the only such name.
SILENCED_SYSTEM_CHECKS = ["templates.W003"]

# Forms: django-crispy-forms with the Bootstrap 5 pack; the project's lkk/templates/bootstrap5/
# overrides the pack's field templates (labels, required marks, help texts, errors).
CRISPY_ALLOWED_TEMPLATE_PACKS = ("bootstrap5",)
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Database -------------------------------------------------------------------------------
SQLITE_OPTIONS = {
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at BEGIN so
    # that two writers queue instead of failing with "database is locked".
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": env.str("SQLITE_PATH", default=str(VAR_DIR / "lkk.sqlite3")),
            "OPTIONS": SQLITE_OPTIONS,
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
#: Kept statements prepared on PostgreSQL (lkk.core.lists._written): off behind a pooler that
#: cannot keep prepared statements (PgBouncer in transaction mode before 1.21).
LKK_PREPARED_STATEMENTS = env.bool("DB_PREPARED_STATEMENTS", default=True)

# --- Cache, Celery ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Without a broker the embedded default runs every task at once, in the request that queued it.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/Moscow"

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: a locked-out login is refused before any password is checked.
    "lkk.accounts.backends.LockoutBackend",
    "lkk.accounts.backends.LoginOrEmailBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "customers:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# --- Sessions and headers -------------------------------------------------------------------
SECURE = env.bool("SECURE_COOKIES", default=not (DEBUG or DEMO_MODE))
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SECURE)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "lkk.core.views.csrf_failure"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- I18N -----------------------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "lkk" / "locale"]
# Digit grouping with a narrow no-break space (lkk/core/formats.py says why).
FORMAT_MODULE_PATH = ["lkk.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
# Front-end packages come from the npm registry (package.json pins them); only their built files
# are published, never the whole node_modules.
STATICFILES_DIRS = [
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    # The icon webfont and its stylesheet (its font/ folder), not the 2,000 single SVGs.
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    # Swagger UI of /api/docs/ (lkk/api/views/docs.py), served by the app like the rest.
    ("vendor/swagger-ui", BASE_DIR / "node_modules" / "swagger-ui-dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "lkk.core.staticstorage.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# --- Email ----------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="lkk@localhost")

# --- Notifications ----------------------------------------------------------------------------
# Codes and notices go through the outbox table (lkk/notifications/outbox.py): a Celery task
# delivers each message after the commit that wrote it (at once in the embedded default) and
# beat retries the due ones every minute. SMS_BACKEND: console (prints), file or http (gateway).
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_FILE_PATH = Path(env.str("SMS_FILE_PATH", default=str(VAR_DIR / "sms.jsonl")))
SMS_HTTP_URL = env.str("SMS_HTTP_URL", default="")
SMS_HTTP_TOKEN = env.str("SMS_HTTP_TOKEN", default="")
SMS_HTTP_TIMEOUT = env.float("SMS_HTTP_TIMEOUT", default=10.0)
# A hanging SMTP server must give up well within the outbox's lease on a message.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=8)
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE = {
    "notifications-outbox-drain": {
        "task": "notifications.outbox_drain",
        "schedule": 60.0,
        # A drain still queued a minute later is superseded by the next one.
        "options": {"expires": 55},
    },
    "core-retention-purge": {"task": "core.retention_purge", "schedule": 24 * 3600.0},
    # S1: slots for the days ahead (idempotent) and the reminders of tomorrow's visits.
    "appointments-slots-generate": {
        "task": "appointments.slots_generate",
        "schedule": 3600.0,
        "options": {"expires": 3000},
    },
    "appointments-remind": {
        "task": "appointments.remind",
        "schedule": 900.0,
        "options": {"expires": 800},
    },
    "reports-purge": {"task": "reports.purge", "schedule": 3600.0},
}
# Retention (lkk/core/retention.py), days; 0 keeps the rows for ever.
LKK_RETENTION_CODES_DAYS = env.int("LKK_RETENTION_CODES_DAYS", default=30)
LKK_RETENTION_DRAFTS_DAYS = env.int("LKK_RETENTION_DRAFTS_DAYS", default=30)
LKK_RETENTION_REJECTED_DAYS = env.int("LKK_RETENTION_REJECTED_DAYS", default=365)
LKK_RETENTION_OUTBOX_DAYS = env.int("LKK_RETENTION_OUTBOX_DAYS", default=90)
LKK_RETENTION_NOTIFICATIONS_DAYS = env.int("LKK_RETENTION_NOTIFICATIONS_DAYS", default=365)
LKK_RETENTION_SESSIONS_DAYS = env.int("LKK_RETENTION_SESSIONS_DAYS", default=90)
LKK_RETENTION_AUDIT_DAYS = env.int("LKK_RETENTION_AUDIT_DAYS", default=3 * 365)

# --- Product --------------------------------------------------------------------------------
LKK_COMPANY_NAME = env.str("LKK_COMPANY_NAME", default="АО «Энергосбыт»")
LKK_SUPPORT_PHONE = env.str("LKK_SUPPORT_PHONE", default="8 (800) 000-00-00")
# The supplier's details on invoices and in the payment QR code (GOST R 56042-2014).
LKK_SUPPLIER = {
    "name": env.str("LKK_SUPPLIER_NAME", default="Акционерное общество «Энергосбыт»"),
    "inn": env.str("LKK_SUPPLIER_INN", default="7701234560"),
    "kpp": env.str("LKK_SUPPLIER_KPP", default="770101001"),
    "address": env.str("LKK_SUPPLIER_ADDRESS", default="123456, г. Москва, ул. Энергетиков, д. 1"),
    "bank_name": env.str("LKK_SUPPLIER_BANK", default="ПАО Сбербанк"),
    "bic": env.str("LKK_SUPPLIER_BIC", default="044525225"),
    "corr_account": env.str("LKK_SUPPLIER_CORR_ACCOUNT", default="30101810400000000225"),
    "account": env.str("LKK_SUPPLIER_ACCOUNT", default="40702810938000012345"),
}
# VAT rate, %, of the documents the portal renders itself when billing sent no file.
LKK_VAT_RATE = env.int("LKK_VAT_RATE", default=20)
# Days a finished report is kept in «Мои отчёты» before the periodic purge removes it.
REPORTS_KEEP_DAYS = env.int("REPORTS_KEEP_DAYS", default=7)
# Without a broker (tasks run eagerly) a report is built in a thread started after the commit, so
# that the ordering request returns at once and the progress bar moves; off: the Celery task.
LKK_REPORTS_IN_THREAD = env.bool("LKK_REPORTS_IN_THREAD", default=CELERY_TASK_ALWAYS_EAGER)
# The portal's public address, for links in messages sent with no request at hand (tasks).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Days before the next verification of a meter when the portal starts warning about it.
LKK_VERIFICATION_WARNING_DAYS = env.int("LKK_VERIFICATION_WARNING_DAYS", default=90)
LKK_PAGE_SIZE = env.int("LKK_PAGE_SIZE", default=25)
# Days of the month when customers may submit readings, e.g. "15-25"; "1-31" is every day.
LKK_READING_WINDOW = env.str("LKK_READING_WINDOW", default="15-25")
# A monthly consumption this many times above the usual asks the customer to confirm.
LKK_READING_JUMP_FACTOR = env.float("LKK_READING_JUMP_FACTOR", default=3.0)
# Rows of the «Передача показаний» form per page (bigger contracts use the XLSX upload).
LKK_READING_FORM_PAGE = env.int("LKK_READING_FORM_PAGE", default=50)
# The largest XLSX a customer may upload, in bytes.
LKK_UPLOAD_MAX_BYTES = env.int("LKK_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# All the files one customer user keeps in applications and their messages, in bytes (Q2).
LKK_APPLICATION_QUOTA_BYTES = env.int("LKK_APPLICATION_QUOTA_BYTES", default=100 * 1024 * 1024)
# S1: days ahead that offices' slots are open for booking, and the hours before a visit after
# which the customer can no longer cancel or move it.
LKK_APPOINTMENT_DAYS_AHEAD = env.int("LKK_APPOINTMENT_DAYS_AHEAD", default=14)
APPOINTMENT_CHANGE_HOURS = env.int("LKK_APPOINTMENT_CHANGE_HOURS", default=2)
# --- Exchange with billing (I1, I2; docs/exchange.md) ---
# Systems that may push imports and take exports through /exchange/v1/: comma-separated
# "name:token" pairs (a token of at least 32 characters; shorter ones are ignored).
LKK_EXCHANGE_TOKENS = {
    name.strip(): token.strip()
    for name, _sep, token in (
        pair.partition(":") for pair in env.list("LKK_EXCHANGE_TOKENS", default=[])
    )
    if name.strip() and len(token.strip()) >= 32
}
# The largest exchange file (or API request body) accepted, in bytes.
LKK_EXCHANGE_MAX_BYTES = env.int("LKK_EXCHANGE_MAX_BYTES", default=256 * 1024 * 1024)
# Rows of one export batch at most (the rest go in the next batch).
LKK_EXCHANGE_EXPORT_LIMIT = env.int("LKK_EXCHANGE_EXPORT_LIMIT", default=50000)
# --- Registration ---
# Ways of self-registration offered (A1, A2): "contract" (ИНН + номер договора, seed 000) and the
# legal forms "ul", "ip", "fl" (seeds 001, 004); comma-separated, empty offers none.
LKK_REGISTRATION_FORMS = env.str("LKK_REGISTRATION_FORMS", default="contract,ul,ip,fl,steps,signup")
# Verification policy (A5): "auto" grants access at once when the identifiers match billing data
# (the demo); "moderated" sends the multi-step registration (A3) to an operator's queue (O1).
LKK_VERIFICATION_POLICY = env.str("LKK_VERIFICATION_POLICY", default="auto")
# --- Confirmation codes ---
# One-time codes (A4, SECURITY.md "Accounts"): seconds a code is valid, wrong tries that kill it,
# seconds before another may be requested, codes a day to one phone/email and from one IP.
LKK_CODE_TTL_SECONDS = env.int("LKK_CODE_TTL_SECONDS", default=600)
LKK_CODE_MAX_ATTEMPTS = env.int("LKK_CODE_MAX_ATTEMPTS", default=5)
LKK_CODE_RESEND_SECONDS = env.int("LKK_CODE_RESEND_SECONDS", default=60)
LKK_CODE_DAILY_LIMIT_PER_CONTACT = env.int("LKK_CODE_DAILY_LIMIT_PER_CONTACT", default=10)
LKK_CODE_DAILY_LIMIT_PER_IP = env.int("LKK_CODE_DAILY_LIMIT_PER_IP", default=30)

# --- Login protection ---
# SECURITY.md "Accounts", A6. django-axes counts failed logins per (account, IP) — one count per
# account whether its login or its email was typed (AXES_USERNAME_CALLABLE) — and locks the pair
# for LKK_LOCKOUT_MINUTES after AXES_FAILURE_LIMIT of them; the right password is refused
# meanwhile, and unknown logins are counted like known ones. The login form asks for an image
# captcha after LKK_CAPTCHA_AFTER_FAILURES failures (in the session, or for the account from the
# IP), or always with LKK_LOGIN_CAPTCHA=always. Operators and admins then enter a TOTP code.
# Password spraying: failures from one IP whatever the logins are counted in the cache
# (lkk.accounts.services.throttle): the captcha for every login from it after
# LKK_LOGIN_IP_CAPTCHA_AFTER, and after LKK_LOGIN_IP_LOCKOUT_AFTER within
# LKK_LOGIN_IP_WINDOW_MINUTES no login from it is checked for LKK_LOCKOUT_MINUTES.
LKK_LOCKOUT_MINUTES = env.int("LKK_LOCKOUT_MINUTES", default=15)
LKK_LOGIN_CAPTCHA = env.str("LKK_LOGIN_CAPTCHA", default="after_failures")
if LKK_LOGIN_CAPTCHA not in {"after_failures", "always"}:
    raise environ.ImproperlyConfigured("LKK_LOGIN_CAPTCHA must be after_failures or always")
LKK_CAPTCHA_AFTER_FAILURES = env.int("LKK_CAPTCHA_AFTER_FAILURES", default=3)
LKK_LOGIN_IP_CAPTCHA_AFTER = env.int("LKK_LOGIN_IP_CAPTCHA_AFTER", default=3)
LKK_LOGIN_IP_LOCKOUT_AFTER = env.int("LKK_LOGIN_IP_LOCKOUT_AFTER", default=10)
LKK_LOGIN_IP_WINDOW_MINUTES = env.int("LKK_LOGIN_IP_WINDOW_MINUTES", default=15)
# The current password asked again by the profile (password, email and phone changes): after
# LKK_PASSWORD_CHECK_LIMIT wrong ones within LKK_LOCKOUT_MINUTES the form refuses it for
# LKK_LOCKOUT_MINUTES; each wrong one is in the audit log.
LKK_PASSWORD_CHECK_LIMIT = env.int("LKK_PASSWORD_CHECK_LIMIT", default=5)
# «Забыли пароль?»: the captcha after this many recovery requests from one IP within an hour.
LKK_RECOVERY_CAPTCHA_AFTER = env.int("LKK_RECOVERY_CAPTCHA_AFTER", default=3)
# Reverse proxies in front of the app that append the visitor's address to X-Forwarded-For;
# 0 means the app is reached directly and REMOTE_ADDR is the visitor.
LKK_PROXY_COUNT = env.int("LKK_PROXY_COUNT", default=0)
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = LKK_LOCKOUT_MINUTES / 60  # hours
AXES_RESET_ON_SUCCESS = True
# A lockout lasts LKK_LOCKOUT_MINUTES from the failure that started it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "lkk.accounts.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "lkk.audit.services.client_ip"
AXES_LOCKOUT_CALLABLE = "lkk.accounts.views.auth.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Successful logins are in the audit log (lkk.audit); axes keeps no second copy.
AXES_DISABLE_ACCESS_LOG = True
# Masked in axes' log lines and stored request data (the password always is).
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token", "code", "captcha_1"]
CAPTCHA_CHALLENGE_FUNCT = "lkk.accounts.forms.auth.digits_challenge"
CAPTCHA_LENGTH = 6
CAPTCHA_FONT_SIZE = 30
CAPTCHA_TIMEOUT = 10  # minutes
CAPTCHA_2X_IMAGE = False
OTP_TOTP_ISSUER = f"ЛКК {LKK_COMPANY_NAME}"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# --- API (P1) and the installable app (P2) --------------------------------------------------
# The mobile app's REST API (lkk/api): only token authentication (never the session cookie),
# the portal's own JSON errors, limit/offset pages of LKK_PAGE_SIZE rows (at most 100).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["lkk.api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "lkk.api.pagination.Pagination",
    "PAGE_SIZE": LKK_PAGE_SIZE,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["lkk.api.parsers.CleanJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "lkk.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "lkk.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ЛКК API",
    "DESCRIPTION": (
        "API личного кабинета клиента для мобильного приложения. Вход: POST /api/v1/auth/token/ "
        "с логином и паролем; ключ передаётся в заголовке `Authorization: Bearer <ключ>`. "
        'Ошибки: JSON `{"detail": "…", "errors": {"поле": ["сообщение"]}}`.'
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ZoneEnum": "lkk.customers.models.Zone",
        "ApplicationStatusEnum": "lkk.applications.models.Status",
        "ReportStatusEnum": "lkk.reports.models.Report.Status",
        "ReportKindEnum": "lkk.reports.models.Report.Kind",
        "AppointmentStatusEnum": "lkk.appointments.models.Appointment.Status",
        "QuestionKindEnum": "lkk.surveys.models.Question.Kind",
    },
    "DISABLE_ERRORS_AND_WARNINGS": False,
}
# Seconds an API token lives after it was issued; logout or the profile revoke it earlier.
API_TOKEN_TTL = env.int("API_TOKEN_TTL", default=30 * 24 * 3600)
# Web Push (P2): the VAPID key pair of the portal (base64url, as `vapid --gen` / py_vapid print
# them) and the contact the push services may write to. Empty public key: no push offered.
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
VAPID_SUBJECT = env.str("VAPID_SUBJECT", default="mailto:lkk@localhost")
PUSH_TIMEOUT = env.float("PUSH_TIMEOUT", default=10.0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
