from django.urls import path

app_name = "certificates"
urlpatterns: list = [
    # Filled in by the certificates work: verification page and downloads.
]
