from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in: a customer's representative, an operator or an admin.

    What a customer may see is not on this model: it comes from access grants
    (`customers.AccessGrant`), so that one person can act for several counterparties.
    """

    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    phone = models.CharField(_("телефон"), max_length=20, blank=True)
    # The menu's «Уведомления» count, kept equal to the unread notifications by
    # lkk.notifications.services (read with the user: no query of its own on every page).
    unread_notifications = models.PositiveIntegerField(
        _("непрочитанных уведомлений"), default=0, editable=False
    )

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        constraints = [
            # Email is a login too, so two accounts may not share one.
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                condition=~models.Q(email=""),
            ),
        ]

    @property
    def full_name(self) -> str:
        """The ФИО, or "" when none was given (a ЮЛ's login registered by email has none)."""
        parts = [self.last_name, self.first_name, self.middle_name]
        return " ".join(p for p in parts if p)

    @property
    def display_name(self) -> str:
        """Who is logged in, as the header says it: the ФИО, else the login."""
        return self.full_name or self.username

    @property
    def is_operator(self) -> bool:
        return self.is_staff


class ConfirmationCode(models.Model):
    """A one-time code (and, for email, a one-click link) that confirms a contact (A4).

    Neither the code nor the link token is stored: only their HMAC under SECRET_KEY, keyed by
    purpose and subject, so a leaked table gives nothing to type in.
    `lkk.accounts.services.codes` issues and checks them; nothing else writes these rows.
    """

    class Purpose(models.TextChoices):
        REGISTRATION = "registration", _("Регистрация")
        RECOVERY = "recovery", _("Восстановление доступа")
        EMAIL_CHANGE = "email_change", _("Смена электронной почты")
        PHONE_CHANGE = "phone_change", _("Смена телефона")
        BINDING = "binding", _("Привязка договора")
        LOGIN = "login", _("Вход")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Электронная почта")
        SMS = "sms", _("SMS")

    purpose = models.CharField(_("назначение"), max_length=20, choices=Purpose.choices)
    # What the code confirms, e.g. "registration:<uuid>" or "user:<id>".
    subject = models.CharField(_("предмет"), max_length=150)
    channel = models.CharField(_("канал"), max_length=10, choices=Channel.choices)
    # Normalized: an email in lower case or a phone as +7XXXXXXXXXX.
    contact = models.CharField(_("адрес"), max_length=254)
    code_hash = models.CharField(max_length=64)
    link_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    expires_at = models.DateTimeField(_("действует до"))
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)
    attempts = models.IntegerField(_("неверных попыток"), default=0)
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)

    class Meta:
        verbose_name = _("код подтверждения")
        verbose_name_plural = _("коды подтверждения")
        indexes = [
            # The latest code of a purpose and subject: verification and the resend pause.
            models.Index(
                fields=["purpose", "subject", "-created_at"], name="accounts_code_latest_idx"
            ),
            # The daily caps.
            models.Index(fields=["contact", "created_at"], name="accounts_code_contact_day_idx"),
            models.Index(fields=["ip", "created_at"], name="accounts_code_ip_day_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attempts__gte=0), name="accounts_code_attempts_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {self.masked_contact}"

    @property
    def masked_contact(self) -> str:
        """The contact with most of it hidden: «i***@example.ru», «+7 *** ***-**-67»."""
        if self.channel == self.Channel.EMAIL:
            local, _at, domain = self.contact.partition("@")
            return f"{local[:1]}***@{domain}"
        return f"+7 *** ***-**-{self.contact[-2:]}"


class Agreement(models.Model):
    """A published version of the user agreement and consent to personal data processing.

    The newest version is in force; a user who accepted an older one is asked again (A8).
    """

    version = models.CharField(_("версия"), max_length=20, unique=True)
    title = models.CharField(_("заголовок"), max_length=255)
    text = models.TextField(_("текст"))
    sha256 = models.CharField(_("SHA-256 текста"), max_length=64, editable=False)
    published_at = models.DateTimeField(_("опубликовано"))

    class Meta:
        verbose_name = _("пользовательское соглашение")
        verbose_name_plural = _("пользовательские соглашения")
        ordering = ["-published_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def save(self, *args: object, **kwargs: object) -> None:
        self.sha256 = hashlib.sha256(self.text.encode()).hexdigest()
        super().save(*args, **kwargs)


class Consent(models.Model):
    """Who accepted which version of the agreement, when, from where (152-FZ, A8)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="consents")
    # The hash of the text as it was accepted, kept even if the agreement row were edited.
    sha256 = models.CharField(_("SHA-256 текста"), max_length=64)
    accepted_at = models.DateTimeField(_("принято"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)
    withdrawn_at = models.DateTimeField(_("отозвано"), null=True, blank=True)

    class Meta:
        verbose_name = _("согласие")
        verbose_name_plural = _("согласия")
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "agreement"], name="consent_once_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.agreement_id}"


class NotificationPreferences(models.Model):
    """Which notifications the user wants, by email and by SMS, per kind (A11).

    Codes and security messages are not here: they are always sent.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    readings_email = models.BooleanField(_("напоминания о показаниях — email"), default=True)
    readings_sms = models.BooleanField(_("напоминания о показаниях — SMS"), default=False)
    applications_email = models.BooleanField(_("статусы заявок — email"), default=True)
    applications_sms = models.BooleanField(_("статусы заявок — SMS"), default=False)
    outages_email = models.BooleanField(_("отключения — email"), default=True)
    outages_sms = models.BooleanField(_("отключения — SMS"), default=True)
    news_email = models.BooleanField(_("новости — email"), default=False)
    news_sms = models.BooleanField(_("новости — SMS"), default=False)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("настройки уведомлений")
        verbose_name_plural = _("настройки уведомлений")

    def __str__(self) -> str:
        return str(self.user_id)


class UserSession(models.Model):
    """A logged-in session of a user, for «Активные сеансы» (A11): written at login, removed
    at logout and by «Выйти на других устройствах»."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="login_sessions"
    )
    session_key = models.CharField(_("ключ сеанса"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("вход"), auto_now_add=True)
    last_seen = models.DateTimeField(_("последняя активность"))
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("сеанс пользователя")
        verbose_name_plural = _("сеансы пользователей")
        ordering = ["-last_seen", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.created_at:%Y-%m-%d %H:%M}"


class RegistrationRequest(models.Model):
    """Every way into the cabinet, as one workflow (A1–A3, A2a, A5, A9; seed 003's sign-up).

    A way (`Way`) names what the customer asks for and which contact proves it; the browser
    keeps only the request's id. draft → confirmed (the code or link reached `contact`) →
    approved, or → pending (the operators' queue) → approved | rejected. The trust rule of A5
    lives in `lkk.accounts.services.registration`: one service per move, and one approve service,
    the only caller of user creation, access grants, consent and the approval message. The
    password is kept only as Django's hash.
    """

    class Way(models.TextChoices):
        CONTRACT = "contract", _("По договору")
        UL = "ul", _("Юридическое лицо")
        IP = "ip", _("Индивидуальный предприниматель")
        FL = "fl", _("Физическое лицо")
        STEPS = "steps", _("Пошаговая регистрация")
        SIGNUP = "signup", _("Регистрация пользователя")
        BINDING = "binding", _("Привязка договора")
        OFFICE = "office", _("Выдача доступа в офисе")

    class State(models.TextChoices):
        DRAFT = "draft", _("Черновик")
        CONFIRMED = "confirmed", _("Контакт подтверждён")
        PENDING = "pending", _("На проверке")
        APPROVED = "approved", _("Одобрена")
        REJECTED = "rejected", _("Отклонена")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Электронная почта")
        SMS = "sms", _("SMS")

    way = models.CharField(_("способ"), max_length=10, choices=Way.choices)
    state = models.CharField(
        _("состояние"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    # The account asked for (empty for a binding: the account exists).
    username = models.CharField(_("логин"), max_length=150, blank=True)
    email = models.EmailField(_("электронная почта"), blank=True)
    password_hash = models.CharField(max_length=128, blank=True)
    last_name = models.CharField(_("фамилия"), max_length=150, blank=True)
    first_name = models.CharField(_("имя"), max_length=150, blank=True)
    middle_name = models.CharField(_("отчество"), max_length=150, blank=True)
    phone = models.CharField(_("телефон"), max_length=20, blank=True)
    # What the customer typed to name the counterparty, shown to the operator beside billing's.
    company_kind = models.CharField(_("тип организации"), max_length=2, blank=True)
    inn = models.CharField(_("ИНН"), max_length=12, blank=True)
    kpp = models.CharField(_("КПП"), max_length=9, blank=True)
    ogrn = models.CharField(_("ОГРН"), max_length=13, blank=True)
    ogrnip = models.CharField(_("ОГРНИП"), max_length=15, blank=True)
    snils = models.CharField(_("СНИЛС"), max_length=11, blank=True)
    company_name = models.CharField(_("наименование организации"), max_length=500, blank=True)
    existing_counterparty = models.BooleanField(_("действующий контрагент"), default=False)
    contract_numbers = models.JSONField(_("номера договоров"), default=list, blank=True)
    # The steps of the multi-step way (A3) that are finished.
    steps_done = models.JSONField(default=list, blank=True)
    # The contact the code or link goes to, normalized (email in lower case, phone +7XXXXXXXXXX).
    channel = models.CharField(_("канал"), max_length=5, choices=Channel.choices, blank=True)
    contact = models.CharField(_("контакт для подтверждения"), max_length=254, blank=True)
    # A5's proof: billing lists `contact` for the counterparty or one of its contracts.
    contact_on_file = models.BooleanField(_("контакт есть в биллинге"), default=False)
    counterparty = models.ForeignKey(
        "customers.Counterparty",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("найденный контрагент"),
    )
    # What the way asks for: every contract of the counterparty, or the listed ones.
    all_contracts = models.BooleanField(_("все договоры"), default=False)
    contracts = models.ManyToManyField(
        "customers.Contract", blank=True, related_name="+", verbose_name=_("договоры")
    )
    # The account: created at approval, or the one asking (binding).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The operator who issued the account at the office (A2a).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кем создана"),
    )
    # A8: the consent given in the form, recorded with the account at approval.
    consent = models.BooleanField(_("согласие дано"), default=False)
    ip = models.GenericIPAddressField(_("IP-адрес"), null=True, blank=True)
    user_agent = models.CharField(_("браузер"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("контакт подтверждён"), null=True, blank=True)
    decided_at = models.DateTimeField(_("решение принято"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("кем решено"),
    )
    rejection_reason = models.TextField(_("причина отказа"), blank=True)

    class Meta:
        verbose_name = _("заявка на регистрацию")
        verbose_name_plural = _("заявки на регистрацию")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    way__in=["contract", "ul", "ip", "fl", "steps", "signup", "binding", "office"]
                ),
                name="registration_way_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_way_display()}: {self.username or self.contact} ({self.state})"

    @property
    def subject(self) -> str:
        """What its confirmation code is bound to: no other request's code confirms it."""
        return f"registration:{self.pk}"

    @property
    def masked_contact(self) -> str:
        if self.channel == self.Channel.EMAIL:
            local, _at, domain = self.contact.partition("@")
            return f"{local[:1]}***@{domain}"
        return f"+7 *** ***-**-{self.contact[-2:]}"


def _document_path(instance: RegistrationDocument, filename: str) -> str:
    """A server-generated name: nothing of the customer's file name reaches the disk."""
    return f"registration/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{instance.extension}"


class RegistrationDocument(models.Model):
    """A document attached to a registration request (доверенность, выписка, a scan) for the
    operator who checks it (A5). Stored under MEDIA_ROOT, which nothing serves publicly; the
    back office hands it out as an attachment."""

    request = models.ForeignKey(
        RegistrationRequest, on_delete=models.CASCADE, related_name="documents"
    )
    file = models.FileField(upload_to=_document_path, max_length=200)
    name = models.CharField(_("имя файла"), max_length=255)
    content_type = models.CharField(_("тип"), max_length=100)
    size = models.PositiveIntegerField(_("размер, байт"))
    uploaded_at = models.DateTimeField(_("загружен"), auto_now_add=True)

    class Meta:
        verbose_name = _("документ заявки на регистрацию")
        verbose_name_plural = _("документы заявок на регистрацию")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def extension(self) -> str:
        return {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}.get(
            self.content_type, "bin"
        )
