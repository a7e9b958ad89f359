from django.urls import path

from lkk.accounts import consent_views, views

app_name = "accounts"

urlpatterns = [
    path("agreement/", consent_views.agreement, name="agreement"),
    path("consent/", consent_views.consent, name="consent"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # The second factor of operators and admins (TOTP), right after the password.
    path("otp/", views.OtpVerifyView.as_view(), name="otp_verify"),
    path("otp/setup/", views.OtpSetupView.as_view(), name="otp_setup"),
]
