"""The volunteer's profile as the plugins see it (setting COURSES_LEARNER_PROFILE)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from certificates.rendering import place_line
from courses.learners import Address, LearnerProfile, user_learner_profile
from npv_site.accounts.models import VolunteerProfile


def volunteer_learner_profile(user) -> LearnerProfile:
    """Name with title and the village address from the VolunteerProfile. Every
    field a certificate prints is required on that profile, so a volunteer who
    has one is complete; one who has none yet (an account made by a short or
    LINE sign-up) completes it on the profile page."""
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        fallback = user_learner_profile(user)
        return LearnerProfile(
            name=fallback.name, is_complete=False, complete_url=reverse("accounts_profile")
        )
    address = Address(
        village_no=profile.village_no,
        village_name=profile.village_name,
        subdistrict=profile.subdistrict,
        district=profile.district,
        province=profile.province,
    )
    return LearnerProfile(
        name=profile.full_name,
        name_en=profile.name_en,
        place=place_line(**vars(address)),
        address=address,
        is_complete=True,
        complete_url=reverse("accounts_profile"),
    )


def volunteers_without_profile():
    """COURSES_INCOMPLETE_LEARNERS: the accounts whose learner profile above is
    not complete, for the certificates' sweep to leave waiting."""
    return get_user_model().objects.filter(volunteer_profile__isnull=True)
