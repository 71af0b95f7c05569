"""Which trainers see which learners: the plugins ask the host's COURSES_TRAINS_LEARNER
(courses/trainers.py); the Net Pracharat site answers with its training cohorts."""

import pytest
from django.contrib.auth.models import Group
from django.core import checks

from certificates import access, lifecycle
from courses.trainers import trains_learner
from npv_site.cohorts.models import CohortMembership
from tests.certificates_support import completed_enrolment
from tests.factories import TrainingCohortFactory, UserFactory

pytestmark = pytest.mark.django_db

calls = []


def trains_everyone_recorded(user, learner_id, course_id):
    """A host's callable for these tests: says yes and notes what it was asked."""
    calls.append((user.pk, learner_id, course_id))
    return True


@pytest.fixture
def cohort_certificate():
    """A volunteer's valid certificate, and a trainer of a cohort that has the
    volunteer and the course."""
    user, course = completed_enrolment()
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    trainer = UserFactory(username="cohort-trainer")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course])
    CohortMembership.objects.create(cohort=cohort, user=user)
    return certificate, trainer


def test_the_site_lets_the_trainer_of_the_holders_cohort_download(cohort_certificate):
    certificate, trainer = cohort_certificate
    assert access.can_download(trainer, certificate)


def test_a_host_without_the_setting_lets_no_trainer_download(settings, cohort_certificate):
    del settings.COURSES_TRAINS_LEARNER
    certificate, trainer = cohort_certificate
    assert not trains_learner(trainer, certificate.user_id, certificate.course_id)
    assert not access.can_download(trainer, certificate)
    # The holder still downloads their own.
    assert access.can_download(certificate.user, certificate)


def test_the_hosts_callable_is_asked_with_user_learner_and_course(settings, cohort_certificate):
    settings.COURSES_TRAINS_LEARNER = f"{__name__}.trains_everyone_recorded"
    certificate, _ = cohort_certificate
    stranger = UserFactory(username="any-trainer")
    calls.clear()
    assert access.can_download(stranger, certificate)
    assert calls == [(stranger.pk, certificate.user_id, certificate.course_id)]


def test_a_setting_that_does_not_import_is_a_system_check_error(settings):
    settings.COURSES_TRAINS_LEARNER = "npv_site.cohorts.permissions.no_such_function"
    errors = [m for m in checks.run_checks() if m.id == "courses.E001"]
    assert len(errors) == 1
    assert "npv_site.cohorts.permissions.no_such_function" in errors[0].msg


def test_the_sites_setting_passes_the_check():
    assert [m for m in checks.run_checks() if m.id == "courses.E001"] == []
