"""The volunteer's invitation pages, mounted at /learn/invitations/."""

from django.urls import path

from npv_site.cohorts.views import invitations

urlpatterns = [
    path("<int:pk>/", invitations.invitation_view, name="cohort_invitation"),
]
