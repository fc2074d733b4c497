from django.urls import path

from registry.views import changes, enrollments, excel, households, residents

app_name = "registry"
urlpatterns = [
    path("residents/", residents.resident_list, name="resident_list"),
    path("residents/new/", residents.resident_create, name="resident_create"),
    path("residents/<int:pk>/", residents.resident_detail, name="resident_detail"),
    path("residents/<int:pk>/edit/", residents.resident_edit, name="resident_edit"),
    path("residents/<int:pk>/reveal/", residents.reveal, name="reveal"),
    path(
        "residents/<int:pk>/registration-form/",
        residents.registration_form,
        name="registration_form",
    ),
    path("enrollments/new/", enrollments.enrollment_start, name="enrollment_start"),
    path("enrollments/new/resident/", enrollments.enrollment_create, name="enrollment_create"),
    path(
        "enrollments/new/resident/<int:resident_pk>/",
        enrollments.enrollment_create,
        name="enrollment_create_for",
    ),
    path("households/members/", enrollments.household_members, name="household_members"),
    path("enrollments/<int:pk>/", enrollments.enrollment_detail, name="enrollment_detail"),
    path("enrollments/<int:pk>/update/", enrollments.enrollment_update, name="enrollment_update"),
    path("residents/<int:resident_pk>/changes/new/", changes.change_create, name="change_create"),
    path("changes/<int:pk>/", changes.change_detail, name="change_detail"),
    path("changes/<int:pk>/complete/", changes.change_complete, name="change_complete"),
    path("changes/<int:pk>/decide/", changes.change_decide, name="change_decide"),
    path(
        "changes/<int:pk>/registration-form/",
        changes.change_registration_form,
        name="change_registration_form",
    ),
    path("imports/new/", excel.import_create, name="import_create"),
    path("imports/<int:pk>/", excel.import_detail, name="import_detail"),
    path("imports/<int:pk>/valid-rows/", excel.import_valid_rows, name="import_valid_rows"),
    path("residents/export/", residents.resident_export, name="resident_export"),
    path("households/new/", households.household_create, name="household_create"),
    path("households/<int:pk>/", households.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", households.household_edit, name="household_edit"),
]
