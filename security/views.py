from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.models import Role, User
from audit.log import append
from audit.models import Action

LOCKED_MESSAGE = "登录失败次数过多，该账户已被锁定，请联系系统管理员解锁。"


def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs):
    """The same page for every username, existing or not: a lockout says nothing about
    whether the account exists."""
    form = AuthenticationForm(request, data=request.POST or None)
    return render(
        request, "accounts/login.html", {"form": form, "locked": LOCKED_MESSAGE}, status=403
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.user.must_change_password = False
        self.request.user.save(update_fields=["must_change_password"])
        messages.success(self.request, "密码已修改。")
        return response


@require_POST
@role_required(Role.ADMINISTRATOR)
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """An administrator unlocks an account of the county; the unlock is in the audit trail."""
    from axes.utils import reset

    member = get_object_or_404(User, pk=pk, county=request.user.county)
    reset(username=member.username)
    append(
        action=Action.UNLOCK,
        user=request.user,
        request=request,
        instance=member,
        detail=f"解除 {member.username} 的登录锁定",
    )
    messages.success(request, f"已解除 {member.full_name} 的登录锁定。")
    return redirect("accounts:staff_list")
