"""The holder a certificate version prints, taken from the host's learner profile
(courses.learners, setting COURSES_LEARNER_PROFILE)."""

from __future__ import annotations

from courses.learners import LearnerProfile, get_learner_profile


def holder_snapshot(user, profile: LearnerProfile | None = None) -> dict:
    """The holder's name and place as a certificate prints and stores them: the
    fields of `CertificateVersion` they go into (from `profile` when the caller
    has it already)."""
    profile = profile if profile is not None else get_learner_profile(user)
    holder = {"holder_name": profile.name, "holder_name_en": profile.name_en}
    if profile.address is not None:
        address = profile.address
        holder.update(
            village_no=address.village_no,
            village_name=address.village_name,
            subdistrict=address.subdistrict,
            district=address.district,
            province=address.province,
        )
    elif profile.place:
        # A place without its parts is printed as it is: the place line of a
        # version with only a village name is that name (rendering.place_line).
        holder["village_name"] = profile.place
    return holder
