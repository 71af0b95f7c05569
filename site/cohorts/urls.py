"""The public claim pages, mounted at /claim/ (short, for the printed link)."""

from django.urls import path

from npv_site.cohorts.views import claims

urlpatterns = [
    path("", claims.claim_start, name="claim_start"),
    path("<str:code>/", claims.claim_account_view, name="claim_account"),
]
