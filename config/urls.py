from django.contrib.auth import views as auth_views
from django.urls import include, path

from oversight import report_views, visit
from oversight import views as oversight_views
from security import views as security_views

urlpatterns = [
    path("", oversight_views.home, name="home"),
    path("visit/<int:resident_pk>/print/", visit.print_visit, name="visit_print"),
    path("reports/", report_views.report_page, name="reports"),
    path("login/", security_views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("session/keep-alive/", security_views.keep_alive, name="keep_alive"),
    path("password/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path("administration/", include("administration.urls")),
    path("registry/", include("registry.urls")),
    path("filing/", include("filing.urls")),
    path("reimbursement/", include("reimbursement.urls")),
    path("messages/", include("messaging.urls")),
    path("audit/", include("oversight.urls")),
]
