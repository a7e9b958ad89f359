from django.contrib.auth import views as auth_views
from django.http import HttpResponse

from lkk.accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        if not form.cleaned_data.get("remember_me"):
            # Without «Запомнить меня» the session ends with the browser.
            self.request.session.set_expiry(0)
        return response


class LogoutView(auth_views.LogoutView):
    pass
