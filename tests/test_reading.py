"""Reading counts when it happens (courses/reading.py): an enrolled learner's opening
of a lesson records it once; previews, prefetches, visitors and learners who are not
enrolled record nothing. And the course's rule: every lesson read before the quiz."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from courses import attempts as quiz
from courses.models import (
    CoursePage,
    Enrolment,
    LessonCompletion,
    LessonPage,
    ModuleCompletion,
    ModulePage,
    QuizAttempt,
)
from courses.progress import complete_lesson, course_progress, enrol, record_lesson_opened
from tests.factories import UserFactory, build_course
from tests.quiz_helpers import quiz_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return build_course(modules=1, lessons=3, questions=1)


@pytest.fixture
def lessons(course):
    return list(LessonPage.objects.descendant_of(course).order_by("path"))


@pytest.fixture
def learner(client, course):
    user = UserFactory()
    enrol(user, course)
    client.force_login(user)
    return user


def _read(user) -> set[int]:
    return set(LessonCompletion.objects.filter(user=user).values_list("lesson_id", flat=True))


def _queries(client, url, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


# -- Opening a lesson ----------------------------------------------------------------


def test_opening_a_lesson_records_it_read_and_says_so(client, learner, lessons):
    html = client.get(lessons[0].url).content.decode()
    assert _read(learner) == {lessons[0].pk}
    assert "คุณอ่านบทเรียนนี้แล้ว" in html
    assert "อ่านจบแล้ว ไปต่อ" not in html


def test_a_repeat_visit_writes_nothing_and_costs_what_a_read_lesson_costs(
    client, learner, lessons
):
    first = _queries(client, lessons[0].url)
    assert any(sql.lstrip().upper().startswith("INSERT") for sql in first)
    again = _queries(client, lessons[0].url)
    assert not any(sql.lstrip().upper().startswith(("INSERT", "UPDATE")) for sql in again)
    # The same as a lesson read before (by the button), so the visit adds no query.
    client.post(reverse("courses:mark_lesson_read", args=[lessons[1].pk]))
    assert len(again) == len(_queries(client, lessons[1].url))
    assert LessonCompletion.objects.filter(user=learner, lesson=lessons[0]).count() == 1


def test_a_second_tab_at_the_same_moment_adds_no_second_row(learner, course, lessons):
    # Both requests read "not done" before either wrote.
    stale = [
        next(m for m in course_progress(learner, course).modules) for _tab in range(2)
    ]
    for progress in stale:
        record_lesson_opened(learner, lessons[0], progress)
    assert LessonCompletion.objects.filter(user=learner, lesson=lessons[0]).count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Purpose": "prefetch"},
        {"Sec-Purpose": "prefetch;prerender"},
        {"Purpose": "prefetch"},
        {"X-Moz": "prefetch"},
        {"X-Purpose": "preview"},
    ],
)
def test_a_prefetch_records_nothing(client, learner, lessons, headers):
    html = client.get(lessons[0].url, headers=headers).content.decode()
    assert _read(learner) == set()
    assert "อ่านจบแล้ว ไปต่อ" in html  # nothing recorded, so nothing claimed
    client.get(lessons[0].url)  # the reader arrives
    assert _read(learner) == {lessons[0].pk}


def test_a_head_request_records_nothing(client, learner, lessons):
    assert client.head(lessons[0].url).status_code == 200
    assert _read(learner) == set()


def test_wagtail_preview_of_a_lesson_records_nothing(client, course, lessons):
    editor = UserFactory(is_superuser=True, is_staff=True)
    enrol(editor, course)
    client.force_login(editor)
    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[lessons[0].pk]))
    assert response.status_code == 200
    assert lessons[0].title in response.content.decode()
    assert _read(editor) == set()


def test_a_visitor_reads_without_anything_recorded(client, lessons):
    html = client.get(lessons[0].url).content.decode()
    assert "เพื่อบันทึกความก้าวหน้า" in html
    assert LessonCompletion.objects.count() == 0


def test_opening_a_lesson_does_not_enrol_and_the_button_does(client, course, lessons):
    # A visit does not enrol (a trainer browsing is not a learner); the button says
    # so, and its POST enrols and records, as it always has.
    user = UserFactory()
    client.force_login(user)
    html = client.get(lessons[0].url).content.decode()
    assert _read(user) == set()
    assert not Enrolment.objects.filter(user=user).exists()
    assert "คุณยังไม่ได้ลงทะเบียนเรียนหลักสูตรนี้" in html
    assert "อ่านจบแล้ว ไปต่อ" in html
    response = client.post(
        reverse("courses:mark_lesson_read", args=[lessons[0].pk]), {"next": lessons[1].url}
    )
    assert response.status_code == 302 and response["Location"] == lessons[1].url
    assert _read(user) == {lessons[0].pk}
    assert Enrolment.objects.filter(user=user, course=course).exists()
    client.get(lessons[1].url)  # enrolled now: opening counts
    assert _read(user) == {lessons[0].pk, lessons[1].pk}


def test_following_the_next_links_reads_every_lesson_up_to_the_quiz(client, learner, lessons):
    url = lessons[0].url
    for _step in lessons:
        html = client.get(url).content.decode()
        url = re.search(r'<a rel="next" href="([^"]+)"', html).group(1)
    module = ModulePage.objects.get(pk=lessons[0].get_parent().pk)
    assert url == f"{module.url}#quiz"
    assert _read(learner) == {lesson.pk for lesson in lessons}


def test_opening_the_last_lesson_of_a_module_without_quiz_passes_it(client):
    course = build_course(modules=2, lessons=2, questions=0)
    user = UserFactory()
    enrol(user, course)
    client.force_login(user)
    first_module = ModulePage.objects.child_of(course).order_by("path").first()
    one, two = LessonPage.objects.child_of(first_module).order_by("path")
    client.get(one.url)
    assert not ModuleCompletion.objects.filter(user=user).exists()
    client.get(two.url)
    assert ModuleCompletion.objects.filter(user=user, module=first_module).exists()


# -- The course's rule: every lesson before the quiz ---------------------------------


@pytest.fixture
def strict_module():
    module = quiz_module(lessons=2)
    CoursePage.objects.filter(pk=module.get_parent().pk).update(require_lessons_before_quiz=True)
    return module


def test_a_new_course_leaves_the_quiz_open_unless_the_host_says_otherwise(settings):
    assert CoursePage().require_lessons_before_quiz is False
    settings.COURSES_REQUIRE_LESSONS_BEFORE_QUIZ = True
    assert CoursePage().require_lessons_before_quiz is True


def test_rule_on_the_module_page_lists_the_lessons_left_and_offers_no_start(
    client, strict_module
):
    user = UserFactory()
    client.force_login(user)
    one, two = LessonPage.objects.child_of(strict_module).order_by("path")
    enrol(user, strict_module.get_parent().specific)
    client.get(one.url)
    html = client.get(strict_module.url).content.decode()
    panel = html[html.index('id="quiz"') :]
    assert "ยังเหลืออีก 1 บทเรียน" in panel
    assert f'href="{two.url}"' in panel and f'href="{one.url}"' not in panel
    assert reverse("courses:quiz_start", args=[strict_module.pk]) not in panel


def test_rule_on_the_quiz_start_is_refused_until_the_lessons_are_read(client, strict_module):
    user = UserFactory()
    client.force_login(user)
    one, two = LessonPage.objects.child_of(strict_module).order_by("path")
    start = reverse("courses:quiz_start", args=[strict_module.pk])
    response = client.post(start)
    assert response.status_code == 403
    html = response.content.decode()
    assert "อ่านบทเรียนให้ครบก่อนจึงจะเริ่มทำแบบทดสอบได้ ยังเหลืออีก 2 บทเรียน" in html
    assert f'href="{one.url}"' in html and f'href="{two.url}"' in html
    assert not QuizAttempt.objects.exists()
    assert not Enrolment.objects.filter(user=user).exists()  # a refusal changes nothing

    client.post(reverse("courses:mark_lesson_read", args=[one.pk]))  # enrols
    client.get(two.url)
    response = client.post(start)
    assert response.status_code == 302
    assert QuizAttempt.objects.filter(user=user, module=strict_module).count() == 1


def test_rule_on_the_quiz_overview_names_the_lessons_left_until_read(strict_module):
    user = UserFactory()
    one, two = LessonPage.objects.child_of(strict_module).order_by("path")
    overview = quiz.quiz_overview(user, strict_module)
    assert [lesson.pk for lesson in overview.lessons_left] == [one.pk, two.pk]
    assert not overview.can_start
    complete_lesson(user, one)
    complete_lesson(user, two)
    overview = quiz.quiz_overview(user, strict_module)
    assert overview.lessons_left == [] and overview.can_start


def test_an_attempt_open_before_the_rule_was_turned_on_goes_on(strict_module):
    user = UserFactory()
    course = CoursePage.objects.filter(pk=strict_module.get_parent().pk)
    course.update(require_lessons_before_quiz=False)
    attempt = quiz.start_attempt(user, strict_module)
    course.update(require_lessons_before_quiz=True)
    assert quiz.start_attempt(user, strict_module).pk == attempt.pk
    with pytest.raises(quiz.LessonsToRead) as refused:
        quiz.start_attempt(UserFactory(), strict_module)
    assert refused.value.status == 403 and len(refused.value.lessons) == 2


def test_rule_on_a_lesson_unpublished_is_not_asked_for(client, strict_module):
    user = UserFactory()
    client.force_login(user)
    one, two = LessonPage.objects.child_of(strict_module).order_by("path")
    client.post(reverse("courses:mark_lesson_read", args=[one.pk]))
    two.unpublish()
    assert client.post(reverse("courses:quiz_start", args=[strict_module.pk])).status_code == 302


def test_rule_off_the_quiz_starts_with_no_lesson_read(client):
    module = quiz_module(lessons=2)
    assert module.get_parent().specific.require_lessons_before_quiz is False
    client.force_login(UserFactory())
    assert "เริ่มทำแบบทดสอบ" in client.get(module.url).content.decode()
    assert client.post(reverse("courses:quiz_start", args=[module.pk])).status_code == 302


def test_rule_on_costs_the_module_page_no_query(client, strict_module):
    user = UserFactory()
    client.force_login(user)
    _queries(client, strict_module.url)
    strict = len(_queries(client, strict_module.url))
    CoursePage.objects.filter(pk=strict_module.get_parent().pk).update(
        require_lessons_before_quiz=False
    )
    assert strict == len(_queries(client, strict_module.url))


def test_the_course_setting_is_in_the_admin_in_thai(client, course):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(reverse("wagtailadmin_pages:edit", args=[course.pk])).content.decode()
    assert 'name="require_lessons_before_quiz"' in html
    assert "ต้องอ่านบทเรียนให้ครบก่อนทำแบบทดสอบ" in html


# -- On a phone, with the demo course (which requires the lessons first) -------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_phone_the_next_links_read_the_demo_lessons_and_open_the_quiz(phone, screenshot):
    from npv_site.demo.loader import DemoLoader
    from tests.browser import log_in

    DemoLoader().load()
    course = CoursePage.objects.get(slug="net-asa-pracharat")
    assert course.require_lessons_before_quiz
    module = ModulePage.objects.child_of(course).order_by("path").first()
    lessons = list(LessonPage.objects.child_of(module).live().order_by("path"))
    user = UserFactory()
    enrol(user, course)
    log_in(phone, user)
    page = phone
    start_button = page.locator("form[action$='/quiz/start/'] button")

    page.goto(module.url)
    page.locator(".lesson-list a").first.click()
    page.locator("a[rel=next]").click()  # lesson 2 opened: lessons 1 and 2 read
    page.goto(f"{module.url}#quiz")
    left = page.locator(".quiz-lessons-left a")
    assert left.all_inner_texts() == [lesson.title for lesson in lessons[2:]]
    assert start_button.count() == 0
    screenshot(page, "01-module-lessons-left")

    left.first.click()
    while "#quiz" not in page.url:
        assert page.get_by_text("คุณอ่านบทเรียนนี้แล้ว").is_visible()
        page.locator("a[rel=next]").click()
        page.wait_for_load_state()
    assert page.locator(".quiz-lessons-left").count() == 0
    screenshot(page, "02-module-quiz-ready")
    start_button.click()
    page.wait_for_url(re.compile(r"/learn/quiz/\d+/$"))
    assert QuizAttempt.objects.filter(user=user, module=module).count() == 1
    assert _read(user) == {lesson.pk for lesson in lessons}
    screenshot(page, "03-quiz")
