from django.urls import path

from administration import views

app_name = "administration"
urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/unlock/", views.unlock, name="unlock"),
    path("stations/", views.station_list, name="station_list"),
    path("stations/new/", views.station_create, name="station_create"),
    path("stations/<int:pk>/edit/", views.station_edit, name="station_edit"),
    path("policy/", views.policy, name="policy"),
    path("calendar/", views.calendar, name="calendar"),
]
