from django.urls import path

from oversight import audit_views

app_name = "oversight"
urlpatterns = [
    path("", audit_views.log, name="audit_log"),
    path("export/", audit_views.export, name="audit_export"),
    path("chain/", audit_views.chain, name="audit_chain"),
]
