from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from security import devices, middleware

LOCKED_MESSAGE = (
    f"登录失败次数过多，该账户已暂时锁定，{settings.LOCKOUT_MINUTES} 分钟后可再试，"
    "或请系统管理员解锁（本人常用的电脑不受影响）。"
)
ADDRESS_REFUSED = "该网络地址登录失败次数过多，请稍后再试；已在本电脑登录过的工作人员不受影响。"


def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs):
    """The same page for every username, existing or not: a lockout says nothing about
    whether the account exists."""
    form = AuthenticationForm(request, data=request.POST or None)
    return render(
        request, "security/login.html", {"form": form, "locked": LOCKED_MESSAGE}, status=403
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal, in Chinese and with the way out."""
    return render(request, "403_csrf.html", status=403)


class NewPasswordForm(PasswordChangeForm):
    def clean_new_password1(self) -> str:
        password = self.cleaned_data["new_password1"]
        # The initial password was chosen by someone else (an administrator, or the server's
        # command for an auditor): keeping it is no change at all.
        if password and self.user.check_password(password):
            raise ValidationError("新密码不能与当前密码（初始密码）相同。")
        return password


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "security/password_change.html"
    success_url = reverse_lazy("home")
    form_class = NewPasswordForm

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user  # the signed-in user whose password this is
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        messages.success(self.request, "密码已修改。")
        return response


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Django sets the length on the field but adds no validator: without one, an
        # over-long name reaches authentication and the failed-login counter.
        self.fields["username"].validators.append(MaxLengthValidator(150))


class LoginView(auth_views.LoginView):
    template_name = "security/login.html"
    redirect_authenticated_user = True
    authentication_form = LoginForm

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = str(request.POST.get("username", ""))[:150]
        if devices.address_refused(request, username):
            form = AuthenticationForm(request, data=request.POST)
            context = {"form": form, "locked": ADDRESS_REFUSED}
            return render(request, "security/login.html", context, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        devices.remember(self.request, response, form.get_user().get_username())
        return response


login_view = login_not_required(LoginView.as_view())


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """继续办理: the idle warning's button, and the caseworker's typing, say she is still here.
    Reaching this view is the activity (SessionExpiryMiddleware writes the time); nothing else
    is done."""
    request.session["last_seen"] = middleware.now().isoformat()
    return HttpResponse(status=204)
