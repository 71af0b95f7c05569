"""The volunteer profile's part of a volunteer's data download (PDPA right of access).

The download itself is the plugins' registry (courses.personal_data_registry);
this site's accounts app registers this section in its AppConfig.ready().
"""


def profile_section(user):
    from npv_site.accounts.forms import PROFILE_FIELDS
    from npv_site.accounts.models import VolunteerProfile

    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    data = {field: getattr(profile, field) for field in PROFILE_FIELDS}
    data["consented_at"] = profile.consented_at.isoformat() if profile.consented_at else None
    data["privacy_notice_version"] = profile.privacy_notice_version
    data["findable_by_trainers"] = profile.findable_by_trainers
    data["findable_consented_at"] = (
        profile.findable_consented_at.isoformat() if profile.findable_consented_at else None
    )
    return data
