"""The quiz result page as the next step: after a pass the next module first (or the
course finished page after the last), after a fail the retry rules with the retry
and the lessons, and each attempt worded in its place in time."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses import attempts as quiz
from courses.models import CourseIndexPage, GradingJob, LessonPage, ModulePage, QuizAttempt
from tests.factories import UserFactory, build_course
from tests.quiz_helpers import answers

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def graded_here(monkeypatch):
    # Graded in the test itself, not sent to a worker.
    monkeypatch.setattr(quiz, "send_grading_job", lambda job_id: True)


@pytest.fixture
def volunteer(client):
    user = UserFactory()
    client.force_login(user)
    return user


def course_of_modules(count=2, **quiz_rules):
    course = build_course(
        modules=count, lessons=2, questions=2, parent=CourseIndexPage.objects.first()
    )
    modules = list(ModulePage.objects.child_of(course).order_by("path"))
    for module in modules:
        for name, value in quiz_rules.items():
            setattr(module, name, value)
        module.save_revision().publish()
    return course, [ModulePage.objects.get(pk=m.pk) for m in modules]


def take(user, module, *, right: bool, now=None) -> QuizAttempt:
    attempt = quiz.start_attempt(user, module, now=now)
    quiz.submit_attempt(user, attempt.pk, answers(attempt, right=None if right else 0), now=now)
    quiz.grade_job(GradingJob.objects.get(attempt=attempt).pk)
    attempt.refresh_from_db()
    return attempt


def result_html(client, attempt) -> str:
    response = client.get(reverse("courses:quiz_attempt", args=[attempt.pk]))
    assert response.status_code == 200
    return response.content.decode()


def first_action(html: str) -> tuple[str, str]:
    """The first button-like action after the score: (its address or form action, its text)."""
    after_score = html.split('class="card quiz-score', 1)[1]
    found = re.search(
        r'<a class="button[^"]*" href="([^"]*)"[^>]*>([^<]*)</a>'
        r'|<form method="post" action="([^"]*)">.*?<button[^>]*>([^<]*)</button>',
        after_score,
        re.S,
    )
    assert found, "no action after the score"
    return (found[1] or found[3], (found[2] or found[4]).strip())


def test_after_a_pass_the_first_action_is_the_next_modules_first_lesson(client, volunteer):
    _course, (first, second) = course_of_modules()
    attempt = take(volunteer, first, right=True)
    html = result_html(client, attempt)
    lesson = LessonPage.objects.child_of(second).order_by("path").first()
    url, text = first_action(html)
    assert url == lesson.url
    assert text == f"เรียนบทถัดไป: {second.title}"
    assert "ทำแบบทดสอบอีกครั้ง" not in html.split('href="' + lesson.url, 1)[0]
    assert "คุณผ่านบทนี้แล้ว" in html


def test_a_pass_of_a_module_with_no_lessons_after_it_leads_to_that_module(client, volunteer):
    _course, (first, second) = course_of_modules()
    for lesson in LessonPage.objects.child_of(second):
        lesson.unpublish()
    attempt = take(volunteer, first, right=True)
    assert first_action(result_html(client, attempt))[0] == second.url


def test_the_pass_that_finishes_the_course_leads_to_the_finished_page(client, volunteer):
    course, (first, second) = course_of_modules()
    take(volunteer, first, right=True)
    last = take(volunteer, second, right=True)
    html = result_html(client, last)
    assert "คุณเรียนจบหลักสูตรนี้แล้ว" in html
    assert first_action(html) == (
        reverse("courses:course_finished", args=[course.pk]),
        "ดูผลการเรียนจบ",
    )


def test_passing_the_last_module_with_an_earlier_one_unpassed_leads_to_the_course(
    client, volunteer
):
    course, (first, second) = course_of_modules()
    attempt = take(volunteer, second, right=True)
    html = result_html(client, attempt)
    assert first_action(html) == (course.url, "ไปที่หลักสูตร")
    assert "ยังมีบทเรียนหลักที่ยังไม่ผ่าน" in html


def test_after_a_fail_the_page_restates_the_rules_and_offers_the_retry(client, volunteer):
    _course, (first, _second) = course_of_modules(
        pass_mark=80, max_attempts=3, retry_delay_minutes=0
    )
    attempt = take(volunteer, first, right=False)
    html = result_html(client, attempt)
    rules = html.split('class="quiz-facts quiz-retry-rules"', 1)[1].split("</ul>", 1)[0]
    assert "ต้องได้คะแนนอย่างน้อยร้อยละ 80 จึงจะผ่าน" in rules
    assert "เหลืออีก 2 ครั้ง จากทั้งหมด 3 ครั้ง" in rules
    assert first_action(html) == (
        reverse("courses:quiz_start", args=[first.pk]),
        "ทำแบบทดสอบอีกครั้ง",
    )
    assert f'href="{first.url}">ทบทวนบทเรียน</a>' in html
    assert "เรียนบทถัดไป" not in html


def test_during_the_wait_the_page_says_until_when_and_offers_the_lessons(client, volunteer):
    _course, (first, _second) = course_of_modules(max_attempts=0, retry_delay_minutes=30)
    attempt = take(volunteer, first, right=False)
    html = result_html(client, attempt)
    assert "ทำได้ไม่จำกัดจำนวนครั้ง" in html
    assert "ต้องรอก่อนทำแบบทดสอบครั้งต่อไป ทำใหม่ได้ตั้งแต่" in html
    assert reverse("courses:quiz_start", args=[first.pk]) not in html
    assert first_action(html) == (first.url, "ทบทวนบทเรียน")


def test_once_the_wait_is_over_the_page_says_a_retry_is_open(client, volunteer):
    _course, (first, _second) = course_of_modules(retry_delay_minutes=30)
    attempt = take(volunteer, first, right=False, now=timezone.now() - timedelta(hours=1))
    html = result_html(client, attempt)
    assert "ต้องรอ 30 นาทีหลังส่งคำตอบก่อนทำครั้งต่อไป ตอนนี้ทำใหม่ได้แล้ว" in html
    assert first_action(html)[1] == "ทำแบบทดสอบอีกครั้ง"


def test_with_no_attempts_left_the_page_says_whom_to_ask(client, volunteer):
    _course, (first, _second) = course_of_modules(max_attempts=1)
    attempt = take(volunteer, first, right=False)
    html = result_html(client, attempt)
    assert "คุณทำแบบทดสอบนี้ครบ 1 ครั้งแล้ว" in html
    assert "กรุณาติดต่อวิทยากรหรือผู้ดูแลหลักสูตร" in html
    assert reverse("courses:quiz_start", args=[first.pk]) not in html


def test_a_fail_before_the_pass_does_not_say_the_pass_came_first(client, volunteer):
    _course, (first, second) = course_of_modules(retry_delay_minutes=0)
    failed = take(volunteer, first, right=False)
    passed = take(volunteer, first, right=True)
    html = result_html(client, failed)
    assert "ครั้งนี้ไม่ผ่าน · คุณผ่านบทนี้ภายหลังในครั้งที่ 2" in html
    assert "คุณผ่านแล้วในครั้งที่" not in html
    assert "จากครั้งก่อน" not in html
    # The module is passed all the same: the next module comes first.
    assert first_action(html)[1] == f"เรียนบทถัดไป: {second.title}"
    assert "คุณผ่านบทนี้แล้ว" in result_html(client, passed)


def test_a_fail_after_the_pass_says_in_which_attempt_it_was_passed(client, volunteer):
    _course, (first, _second) = course_of_modules(retry_delay_minutes=0)
    take(volunteer, first, right=False)
    take(volunteer, first, right=True)
    third = take(volunteer, first, right=False)
    html = result_html(client, third)
    assert "ครั้งนี้ไม่ผ่าน · คุณผ่านแล้วในครั้งที่ 2 ผลครั้งนี้ไม่ทำให้เสียสิทธิ์" in html
    assert "ทำใหม่ได้อย่างไร" not in html


def test_a_second_pass_names_the_first(client, volunteer):
    _course, (first, _second) = course_of_modules(retry_delay_minutes=0)
    take(volunteer, first, right=True)
    again = take(volunteer, first, right=True)
    assert "ครั้งนี้ผ่าน · คุณผ่านบทนี้ครั้งแรกในครั้งที่ 1" in result_html(client, again)


def count_queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_next_step_costs_no_query_once_cached_and_none_after_a_fail(client, volunteer):
    _course, modules = course_of_modules(count=3, retry_delay_minutes=0)
    failed = take(volunteer, modules[0], right=False)
    after_fail = count_queries(client, reverse("courses:quiz_attempt", args=[failed.pk]))
    passed = take(volunteer, modules[0], right=True)
    url = reverse("courses:quiz_attempt", args=[passed.pk])
    # The next module comes from the cache after the first visit; whether the
    # course is finished rides on the query that finds the course.
    assert count_queries(client, url) == after_fail
    take(volunteer, modules[1], right=True)
    last = take(volunteer, modules[2], right=True)
    assert count_queries(client, reverse("courses:quiz_attempt", args=[last.pk])) == after_fail


def test_a_module_published_after_the_next_step_was_cached_is_the_next_step_at_once(
    client, volunteer
):
    course, modules = course_of_modules(count=2)
    passed = take(volunteer, modules[0], right=True)
    html = result_html(client, passed)
    assert modules[1].title in html
    # The trainer adds a module between the two and publishes it.
    inserted = ModulePage(title="บทแทรกใหม่ของวิทยากร", slug="inserted")
    modules[0].add_sibling(pos="right", instance=inserted)
    inserted.save_revision().publish()
    action_url, action_text = first_action(result_html(client, passed))
    assert "บทแทรกใหม่ของวิทยากร" in result_html(client, passed), (action_url, action_text)
    # And unpublished again: the old next module comes back.
    ModulePage.objects.get(pk=inserted.pk).unpublish()
    html = result_html(client, passed)
    assert "บทแทรกใหม่ของวิทยากร" not in html and modules[1].title in html
