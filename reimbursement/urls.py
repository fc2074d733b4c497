from django.urls import path

from reimbursement import views

app_name = "reimbursement"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_create, name="create"),
    path("checklist/", views.checklist_fragment, name="checklist"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/forward/", views.case_forward, name="forward"),
    path("<int:pk>/void/", views.case_void, name="void"),
    path("<int:pk>/missing-notice/", views.missing_notice, name="missing_notice"),
    path("<int:pk>/large-amount-letter/", views.large_amount_letter, name="large_amount_letter"),
    path("<int:pk>/print-all/", views.print_all, name="print_all"),
    path("<int:pk>/sign-letter/", views.sign_letter, name="sign_letter"),
]
