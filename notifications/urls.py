from django.urls import path

from notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notices, name="notices"),
    path("preferences/", views.preferences, name="preferences"),
    path("read/", views.mark_read, name="mark_read"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]
