from django.urls import path

from registry import views

app_name = "registry"
urlpatterns = [
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:pk>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/reveal/", views.reveal, name="reveal"),
    path(
        "residents/<int:pk>/registration-form/",
        views.registration_form,
        name="registration_form",
    ),
    path("enrollments/new/", views.enrollment_start, name="enrollment_start"),
    path("enrollments/new/resident/", views.enrollment_create, name="enrollment_create"),
    path(
        "enrollments/new/resident/<int:resident_pk>/",
        views.enrollment_create,
        name="enrollment_create_for",
    ),
    path("enrollments/<int:pk>/", views.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:pk>/update/", views.enrollment_update, name="enrollment_update"),
    path("residents/<int:resident_pk>/changes/new/", views.change_create, name="change_create"),
    path("changes/<int:pk>/", views.change_detail, name="change_detail"),
    path("changes/<int:pk>/complete/", views.change_complete, name="change_complete"),
    path("changes/<int:pk>/decide/", views.change_decide, name="change_decide"),
    path(
        "changes/<int:pk>/registration-form/",
        views.change_registration_form,
        name="change_registration_form",
    ),
    path("imports/new/", views.import_create, name="import_create"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/valid-rows/", views.import_valid_rows, name="import_valid_rows"),
    path("residents/export/", views.resident_export, name="resident_export"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
]
