from django.urls import path

from lkk.accounts.views import auth as views
from lkk.accounts.views import consent as consent_views
from lkk.accounts.views import profile as profile_views
from lkk.accounts.views import recovery as recovery_views
from lkk.accounts.views import registration as registration_views
from lkk.accounts.views import steps as steps_views

app_name = "accounts"

urlpatterns = [
    path("agreement/", consent_views.agreement, name="agreement"),
    path("consent/", consent_views.consent, name="consent"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # The second factor of operators and admins (TOTP), right after the password.
    path("otp/", views.OtpVerifyView.as_view(), name="otp_verify"),
    path("otp/setup/", views.OtpSetupView.as_view(), name="otp_setup"),
    # «Забыли пароль?» (A7): lkk/accounts/services/recovery.py.
    path("password/reset/", recovery_views.password_reset, name="password_reset"),
    path(
        "password/reset/confirm/",
        recovery_views.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "password/reset/link/<str:token>/",
        recovery_views.password_reset_link,
        name="password_reset_link",
    ),
    # «Профиль» (A11): lkk/accounts/services/profile.py.
    path("profile/", profile_views.profile_page, name="profile"),
    path("profile/password/", profile_views.password_change, name="password_change"),
    path("profile/email/", profile_views.email_change, name="email_change"),
    path("profile/phone/", profile_views.phone_change, name="phone_change"),
    path(
        "profile/notifications/",
        profile_views.notification_preferences,
        name="notification_preferences",
    ),
    path(
        "profile/sessions/end-others/",
        profile_views.sessions_end_others,
        name="sessions_end_others",
    ),
    path(
        "profile/app-sessions/<int:token_id>/end/",
        profile_views.api_token_revoke,
        name="api_token_revoke",
    ),
    path("profile/consent/withdraw/", profile_views.consent_withdraw_view, name="consent_withdraw"),
    # «Привязать договор» (A9): lkk/accounts/services/registration.py.
    path("binding/", registration_views.binding_start, name="binding"),
    path("binding/code/", registration_views.binding_code, name="binding_code"),
    # A2a: the account an operator issued at the office is activated by its owner.
    path("activate/", registration_views.activate, name="activate"),
    # Self-registration (A1, A2, A3, seed 003): lkk/accounts/services/registration.py.
    path("register/", registration_views.choose, name="register"),
    path("register/contract/", registration_views.by_contract, name="register_contract"),
    path("register/code/", registration_views.code, name="register_code"),
    path("register/link/", registration_views.link, name="register_link"),
    path("register/done/", registration_views.done, name="register_done"),
    path("register/ul/", registration_views.by_legal_form, {"form": "ul"}, name="register_ul"),
    path("register/ip/", registration_views.by_legal_form, {"form": "ip"}, name="register_ip"),
    path("register/fl/", registration_views.by_legal_form, {"form": "fl"}, name="register_fl"),
    # Multi-step registration (A3, seed 002).
    path("register/steps/", steps_views.register_steps, name="register_steps"),
    # «Регистрация пользователя» (seed 003).
    path("register/signup/", registration_views.signup, name="signup"),
]
