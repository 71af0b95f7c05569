"""Every time a person sees is Bangkok time, in Thai and in English.

The instant is chosen where UTC and Bangkok fall on different dates:
2026-01-27 20:30 UTC is 28 January 2026 (2569), 03:30 in Bangkok. A page that
shows UTC shows the 27th and 8:30 p.m.
"""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.users.models import UserProfile

from certificates import lifecycle, tasks
from certificates.models import Certificate
from courses import attempts as quiz
from courses.models import Enrolment, GradingJob, QuizAttempt
from npv_site.cohorts.models import CohortMembership
from tests.certificates_support import completed_enrolment
from tests.factories import TrainingCohortFactory, UserFactory
from tests.quiz_helpers import answers, form_data, quiz_module

pytestmark = pytest.mark.django_db

INSTANT = datetime.datetime(2026, 1, 27, 20, 30, tzinfo=datetime.UTC)
THAI_DATE = "28 มกราคม 2569"
THAI_TIME = "28 มกราคม 2569 03:30 น."
ENGLISH_DATE = "Jan. 28, 2026"
ENGLISH_TIME = "Jan. 28, 2026, 3:30 a.m."
UTC_DATE_IN_ENGLISH = "Jan. 27, 2026"


def in_language(client, language: str):
    client.cookies["django_language"] = language
    return client


def set_admin_language(user, language: str) -> None:
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


@pytest.fixture
def sent(monkeypatch):
    monkeypatch.setattr(quiz, "send_grading_job", lambda job_id: True)


@pytest.mark.parametrize(
    ("language", "shown"), [("th", THAI_TIME), ("en", ENGLISH_TIME)]
)
def test_the_quiz_result_shows_when_it_was_graded_in_bangkok_time(client, sent, language, shown):
    user = UserFactory()
    client.force_login(user)
    module = quiz_module()
    client.post(reverse("courses:quiz_start", args=[module.pk]))
    attempt = QuizAttempt.objects.latest("pk")
    client.post(
        reverse("courses:quiz_submit", args=[attempt.pk]), form_data(answers(attempt, right=2))
    )
    quiz.grade_job(GradingJob.objects.get(attempt=attempt).pk)
    QuizAttempt.objects.filter(pk=attempt.pk).update(started_at=INSTANT, graded_at=INSTANT)

    html = (
        in_language(client, language).get(reverse("courses:quiz_attempt", args=[attempt.pk])).text
    )
    assert shown in html
    # The module's quiz panel lists the attempt by when it started.
    assert shown in in_language(client, language).get(module.url).text
    assert UTC_DATE_IN_ENGLISH not in html


@pytest.fixture
def revoked():
    user, course = completed_enrolment(completed_at=INSTANT)
    tasks.issue_certificate.run(user.pk, course.pk)
    certificate = Certificate.objects.get(user=user)
    lifecycle.revoke_certificate(certificate, reason="ทดสอบเวลา")
    Certificate.objects.filter(pk=certificate.pk).update(status_changed_at=INSTANT)
    return certificate


@pytest.mark.parametrize(("language", "shown"), [("th", THAI_DATE), ("en", ENGLISH_DATE)])
def test_certificate_verification_and_my_learning_show_bangkok_dates(
    client, revoked, language, shown
):
    verify = in_language(client, language).get(f"/certificates/verify/{revoked.display_code}/")
    assert verify.status_code == 200
    # Issued on the Bangkok date of completion, revoked on the Bangkok date.
    assert verify.text.count(shown) >= 2, verify.text
    assert UTC_DATE_IN_ENGLISH not in verify.text

    client.force_login(revoked.user)
    learning = in_language(client, language).get(reverse("courses:my_learning")).text
    assert UTC_DATE_IN_ENGLISH not in learning


@pytest.mark.parametrize(("language", "shown"), [("th", THAI_TIME), ("en", ENGLISH_TIME)])
def test_the_admin_certificate_page_shows_bangkok_time(client, revoked, language, shown):
    admin = UserFactory(username="site-admin", is_superuser=True, is_staff=True)
    set_admin_language(admin, language)
    client.force_login(admin)
    html = client.get(f"/admin/issued_certificates/inspect/{revoked.pk}/").text
    assert shown in html
    assert "8:30 p.m." not in html and "20:30" not in html


@pytest.mark.parametrize(
    ("language", "shown"), [("th", "28 ม.ค. 2569"), ("en", ENGLISH_DATE)]
)
def test_the_cohort_report_shows_completion_on_the_bangkok_date(client, language, shown):
    trainer = UserFactory(username="trainer-times")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    set_admin_language(trainer, language)
    user, course = completed_enrolment(completed_at=INSTANT)
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course])
    CohortMembership.objects.create(cohort=cohort, user=user)
    assert Enrolment.objects.get(user=user).completed_at == INSTANT
    client.force_login(trainer)
    html = client.get(f"/admin/cohorts/{cohort.pk}/report/").text
    assert shown in html
