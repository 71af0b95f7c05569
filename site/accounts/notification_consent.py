"""The site's answer to the notifications' NOTIFICATIONS_CONSENTED_USERS: a
volunteer who consented to the privacy notice (which names messages about their
learning) gets e-mail by default, until they turn it off."""

from npv_site.accounts.models import PrivacyConsent


def consented_user_ids(user_ids) -> set[int]:
    return set(
        PrivacyConsent.objects.filter(user_id__in=list(user_ids)).values_list("user_id", flat=True)
    )
