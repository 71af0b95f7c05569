"""A volunteer's own data, gathered for download (PDPA right of access).

Each app that keeps personal data registers a section in its AppConfig.ready(),
so the export grows with the apps instead of knowing about them.
"""

from collections.abc import Callable

_sections: dict[str, Callable] = {}


def register_section(name: str, collect: Callable) -> None:
    _sections[name] = collect


def collect_personal_data(user) -> dict:
    data = {
        "account": {
            "username": user.username,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        }
    }
    for name, collect in _sections.items():
        data[name] = collect(user)
    return data


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
