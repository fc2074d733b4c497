from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as accounts_views
from security import views as security_views

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("login/", accounts_views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/staff/<int:pk>/unlock/", security_views.unlock, name="unlock"),
    path("accounts/", include("accounts.urls")),
    path("registry/", include("registry.urls")),
    path("filing/", include("filing.urls")),
    path("reimbursement/", include("reimbursement.urls")),
    path("audit/", include("audit.urls")),
]
