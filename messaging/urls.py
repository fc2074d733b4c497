from django.urls import path

from messaging import views

app_name = "messaging"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/call/", views.call, name="call"),
    path("<int:pk>/called/", views.called, name="called"),
]
