"""The data download is the plugins' registry (courses/personal_data_registry.py):
each app adds its section, and the account part asks only what any user model has."""

import pytest

from courses import personal_data_registry as registry
from tests.factories import UserFactory, VolunteerProfileFactory

pytestmark = pytest.mark.django_db


def test_the_download_has_every_installed_apps_section():
    user = VolunteerProfileFactory().user
    data = registry.collect_personal_data(user)
    assert list(data) == [
        "account",
        "learning",
        "cohorts",
        "cohort_invitations",
        "certificates",
        "notifications",
        "profile",
        "privacy_consents",
        "password_reset_codes",
        "social_accounts",
    ]
    assert data["account"]["username"] == user.username
    assert data["account"]["email"] == user.email
    assert data["profile"]["first_name"] == "สมหญิง"


def test_a_registered_section_is_in_the_download(monkeypatch):
    monkeypatch.setattr(registry, "_sections", dict(registry._sections))
    registry.register_section("badges", lambda user: [f"badge of {user.get_username()}"])
    user = UserFactory(username="somsri")
    assert registry.collect_personal_data(user)["badges"] == ["badge of somsri"]


class MinimalUser:
    """What a custom user model may be: a username and nothing else."""

    EMAIL_FIELD = "email"

    def get_username(self):
        return "kanya"

    @classmethod
    def get_email_field_name(cls):
        return cls.EMAIL_FIELD


def test_the_account_section_of_a_user_model_without_email_or_dates():
    assert registry.account_section(MinimalUser()) == {"username": "kanya"}
