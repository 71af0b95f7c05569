"""The learner profile the plugins ask for (courses.learners, COURSES_LEARNER_PROFILE)."""

import pytest
from django.core import checks
from django.test import override_settings

from certificates import lifecycle
from courses.learners import Address, LearnerProfile, get_learner_profile, user_learner_profile
from courses.models import Enrolment
from npv_site.accounts.learner_profile import volunteer_learner_profile
from tests.certificates_support import COMPLETED_AT, completed_enrolment, new_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEFAULT = override_settings(COURSES_LEARNER_PROFILE=None)


class BareUser:
    """A custom user model's user: a username and nothing else."""

    pk = 7

    def get_username(self):
        return "learner-7"


def kiosk_profile(user):
    return LearnerProfile(name="ผู้เรียนตู้บริการ", place="ห้องสมุดประชาชนอำเภอเมืองน่าน")


@DEFAULT
def test_default_profile_is_the_user_models_name_and_complete():
    user = UserFactory(first_name="Somchai", last_name="Jaidee")
    assert get_learner_profile(user) == LearnerProfile(name="Somchai Jaidee")
    profile = get_learner_profile(user)
    assert (profile.place, profile.is_complete, profile.complete_url) == ("", True, "")


@DEFAULT
def test_default_profile_falls_back_to_the_username():
    assert get_learner_profile(UserFactory(username="volunteer-x")).name == "volunteer-x"


def test_default_profile_needs_no_first_or_last_name_on_the_user_model():
    assert user_learner_profile(BareUser()) == LearnerProfile(name="learner-7")


def test_site_profile_is_the_volunteers_name_and_village():
    user, _ = completed_enrolment(
        title="นาย", first_name="สมชาย", last_name="ใจดี", name_en="Somchai Jaidee"
    )
    profile = get_learner_profile(user)
    assert profile == volunteer_learner_profile(user)
    assert profile.name == "นายสมชาย ใจดี"
    assert profile.name_en == "Somchai Jaidee"
    assert profile.place == "หมู่ที่ 2 บ้านหาดกลาง ตำบลหาดพันไกร อำเภอเมืองชุมพร จังหวัดชุมพร"
    assert profile.address == Address(2, "บ้านหาดกลาง", "หาดพันไกร", "เมืองชุมพร", "ชุมพร")
    assert profile.is_complete


def test_site_profile_of_a_user_without_a_volunteer_profile_asks_for_one():
    profile = get_learner_profile(UserFactory(first_name="Somchai", last_name="Jaidee"))
    assert profile.name == "Somchai Jaidee"
    assert not profile.is_complete
    assert profile.complete_url == "/accounts/profile/"


def test_certificate_prints_the_holder_the_site_profile_gives():
    user, course = completed_enrolment(
        title="นางสาว", first_name="กาญจนา", last_name="ศรีสุข", name_en="Kanchana Srisuk"
    )
    content = lifecycle.content_for(lifecycle.issue_certificate(user.pk, course.pk).current_version)
    assert content.holder_name == "นางสาวกาญจนา ศรีสุข"
    assert content.holder_name_en == "Kanchana Srisuk"
    assert content.place == "หมู่ที่ 2 บ้านหาดกลาง ตำบลหาดพันไกร อำเภอเมืองชุมพร จังหวัดชุมพร"


@override_settings(COURSES_LEARNER_PROFILE="tests.test_learner_profile.kiosk_profile")
def test_certificate_prints_a_hosts_own_profile_and_its_one_line_place():
    user = UserFactory()
    course = new_course()
    Enrolment.objects.create(user=user, course=course, completed_at=COMPLETED_AT)
    content = lifecycle.content_for(lifecycle.issue_certificate(user.pk, course.pk).current_version)
    assert content.holder_name == "ผู้เรียนตู้บริการ"
    assert content.holder_name_en == ""
    assert content.place == "ห้องสมุดประชาชนอำเภอเมืองน่าน"


@override_settings(COURSES_LEARNER_PROFILE="tests.nowhere.profile")
def test_a_learner_profile_path_that_does_not_import_is_a_check_error():
    from courses.checks import check_learner_profile

    (error,) = check_learner_profile()
    assert error.level == checks.ERROR and error.id == "courses.E002"
    assert "tests.nowhere.profile" in error.msg
