from django.urls import path

from filing import views

app_name = "filing"
urlpatterns = [
    path("", views.filing_list, name="list"),
    path("new/", views.filing_start, name="start"),
    path("new/<int:resident_pk>/", views.filing_create, name="create"),
    path("<int:pk>/", views.filing_detail, name="detail"),
    path("<int:pk>/cancel/", views.filing_cancel, name="cancel"),
    path("<int:pk>/close-in-error/", views.filing_close_in_error, name="close_in_error"),
    path("<int:pk>/letter-scan/", views.filing_attach_letter, name="attach_letter"),
    path("<int:pk>/review/", views.review_decide, name="review"),
    path("<int:pk>/commitment-letter/", views.commitment_letter, name="commitment_letter"),
    path("<int:pk>/rejection-notice/", views.rejection_notice, name="rejection_notice"),
    path("<int:pk>/call-back/", views.call_back, name="call_back"),
    path("<int:pk>/print-all/", views.print_all, name="print_all"),
    path("<int:pk>/filing-form/", views.filing_form, name="filing_form"),
    path("<int:pk>/files/<str:which>/<int:item>/", views.evidence_file, name="evidence_file"),
    path("notice/", views.filing_notice, name="notice"),
    path("review/", views.review_queue, name="review_queue"),
]
