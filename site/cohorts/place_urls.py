"""The village register's place names for address suggestions, mounted at /places/."""

from django.urls import path

from npv_site.cohorts.views import places

app_name = "places"
urlpatterns = [
    path("", places.province_places, name="province_places"),
]
