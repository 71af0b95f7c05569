"""Authentication backends that refuse the demo accounts in production."""

from allauth.account.auth_backends import AuthenticationBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend

DEMO_USERNAMES = frozenset({"demo-trainer", "demo-volunteer"})


def demo_refused(user) -> bool:
    return not settings.DEMO_ACCOUNTS_ALLOWED and user.get_username() in DEMO_USERNAMES


class VolunteerModelBackend(ModelBackend):
    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not demo_refused(user)


class VolunteerAllauthBackend(AuthenticationBackend):
    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not demo_refused(user)
