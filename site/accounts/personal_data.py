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


def consents_section(user):
    """Every consent to the privacy notice the account gave: when, to which version."""
    from npv_site.accounts.models import PrivacyConsent

    return [
        {"given_at": consent.given_at.isoformat(), "notice_version": consent.notice_version}
        for consent in PrivacyConsent.objects.filter(user=user).order_by("given_at")
    ]


def reset_codes_section(user):
    """The reset codes a trainer issued for the volunteer: when, by whom, until
    when, and when used (the code itself is not kept). Deleted with the account."""
    from npv_site.accounts.models import PasswordResetCode

    return [
        {
            "issued_at": code.created_at.isoformat(),
            "issued_by": (code.issued_by.get_full_name() or code.issued_by.get_username())
            if code.issued_by
            else None,
            "expires_at": code.expires_at.isoformat(),
            "used_at": code.used_at.isoformat() if code.used_at else None,
        }
        for code in PasswordResetCode.objects.filter(user=user)
        .select_related("issued_by")
        .order_by("created_at")
    ]


def social_accounts_section(user):
    """The accounts of other services linked to log in (LINE): which, the id that
    service gives the volunteer, when linked, when last used to log in, and the part
    of its profile kept (no token is stored: SOCIALACCOUNT_STORE_TOKENS is off)."""
    from allauth.socialaccount.models import SocialAccount

    return [
        {
            "provider": account.provider,
            "uid": account.uid,
            "linked_at": account.date_joined.isoformat(),
            "last_login": account.last_login.isoformat() if account.last_login else None,
            "profile": account.extra_data,
        }
        for account in SocialAccount.objects.filter(user=user).order_by("date_joined")
    ]
