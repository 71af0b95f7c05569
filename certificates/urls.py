from django.urls import path

from certificates import views

app_name = "certificates"
urlpatterns = [
    path("verify/", views.verify_lookup, name="verify_lookup"),
    path("verify/<str:code>/", views.verify, name="verify"),
    path("download/<str:code>/", views.download, name="download"),
]
