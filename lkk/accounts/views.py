from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from lkk.accounts.forms import LoginForm
from lkk.core.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        if settings.DEMO_MODE:
            context["demo_logins"] = [
                {"login": login, "password": DEMO_PASSWORD, "role": role}
                for login, role in DEMO_ACCOUNTS
            ]
        return context

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        if not form.cleaned_data.get("remember_me"):
            # Without «Запомнить меня» the session ends with the browser.
            self.request.session.set_expiry(0)
        return response


class LogoutView(auth_views.LogoutView):
    pass
