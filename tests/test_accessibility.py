"""Accessibility in headless Chromium: axe-core on every kind of page a
volunteer meets, in Thai; the quiz with the keyboard alone; the quiz as a
screen reader presents it (a named group per question, a label per choice)."""

import pytest

from certificates import lifecycle
from courses import attempts as quiz
from courses.models import CoursePage, Enrolment, LessonPage, ModulePage, QuizAttempt
from courses.progress import complete_lesson, enrol
from npv_site.celery import app as celery_app
from npv_site.demo.loader import DemoLoader
from tests.browser import (
    BLOCKING_IMPACTS,
    axe_violations,
    describe_violations,
    focus_is_visible,
    log_in,
    tab_to,
)
from tests.factories import VolunteerProfileFactory, build_course
from tests.quiz_helpers import answers

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def grading_inline():
    """Grading and other tasks run in the process that sends them, at commit:
    these tests are about pages, not the worker (the journeys use one)."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


def graded_attempt(user, module: ModulePage, right: int) -> QuizAttempt:
    attempt = quiz.start_attempt(user, module)
    quiz.submit_attempt(user, attempt.pk, answers(attempt, right=right))
    attempt.refresh_from_db()
    assert attempt.is_graded, "grading did not run inline"
    return attempt


def lessons_covering_every_block(course: CoursePage) -> list[LessonPage]:
    """The fewest lessons (in course order, greedily) that between them show
    every kind of block the course uses."""
    chosen, seen = [], set()
    for lesson in LessonPage.objects.live().descendant_of(course).order_by("path"):
        kinds = {block.block_type for block in lesson.body}
        if kinds - seen:
            chosen.append(lesson)
            seen |= kinds
    return chosen


def test_every_kind_of_page_has_no_serious_or_critical_axe_violation_in_thai(
    new_page, grading_inline
):
    """Nor a skipped heading level (axe's "heading-order", moderate): a screen
    reader's list of headings is how a volunteer finds their way round a page."""
    DemoLoader().load()
    course = CoursePage.objects.get(slug="net-asa-pracharat")
    first_module = ModulePage.objects.child_of(course).order_by("path").first()
    profile = VolunteerProfileFactory(first_name="ปราณี", last_name="ศรีสุข")
    user = profile.user
    enrol(user, course)
    for lesson in LessonPage.objects.child_of(first_module):
        complete_lesson(user, lesson)
    result = graded_attempt(user, first_module, right=3)
    open_attempt = quiz.start_attempt(user, first_module)
    # A finished course with its certificate, for "My learning" and verification.
    finished = build_course(modules=1, lessons=1, questions=0, parent=course.get_parent())
    Enrolment.objects.create(user=user, course=finished, completed_at=result.graded_at)
    certificate = lifecycle.issue_certificate(user.pk, finished.pk)

    anonymous_pages = {
        "home": "/",
        "signup": "/accounts/signup/",
        "login": "/accounts/login/",
        "verification": certificate.get_absolute_url(),
    }
    volunteer_pages = {
        "home (signed in)": "/",
        "course": course.url,
        "module": first_module.url,
        **{f"lesson {lesson.slug}": lesson.url for lesson in lessons_covering_every_block(course)},
        "quiz": f"/learn/quiz/{open_attempt.pk}/",
        "result": f"/learn/quiz/{result.pk}/",
        "my learning": "/learn/",
        "course finished": f"/learn/courses/{finished.pk}/finished/",
        "search": "/learn/search/?q=อุปกรณ์",
        "profile": "/accounts/profile/",
        "notifications": "/notifications/",
        "notification preferences": "/notifications/preferences/",
    }
    # axe is injected as an inline script: only these contexts bypass the CSP.
    anonymous = new_page("phone", bypass_csp=True)
    volunteer = new_page("phone", bypass_csp=True)
    log_in(volunteer, user)

    found = {}
    for page, pages in ((anonymous, anonymous_pages), (volunteer, volunteer_pages)):
        for width, height in ((360, 740), (1280, 800)):
            page.set_viewport_size({"width": width, "height": height})
            for name, url in pages.items():
                response = page.goto(url)
                assert response.ok, f"{name} {url}: {response.status}"
                assert page.evaluate("document.documentElement.lang") == "th"
                violations = [
                    violation
                    for violation in axe_violations(page, impacts=(*BLOCKING_IMPACTS, "moderate"))
                    if violation["impact"] in BLOCKING_IMPACTS or violation["id"] == "heading-order"
                ]
                if violations:
                    found[f"{name} at {width} px ({url})"] = describe_violations(violations)
    assert not found, "\n\n".join(f"{page}:\n{text}" for page, text in found.items())


def test_a_quiz_is_reached_answered_and_submitted_with_tab_space_and_enter_only(
    phone, grading_inline, screenshot
):
    course = build_course(modules=1, lessons=1, questions=3)
    module = ModulePage.objects.child_of(course).get()
    profile = VolunteerProfileFactory()
    enrol(profile.user, course)
    log_in(phone, profile.user)

    phone.goto(course.url)
    tab_to(phone, f"a[href='{module.url}']")
    assert focus_is_visible(phone)
    phone.keyboard.press("Enter")
    phone.wait_for_url(f"**{module.url}")
    tab_to(phone, "form[action$='/quiz/start/'] button")
    assert focus_is_visible(phone)
    phone.keyboard.press("Enter")
    phone.wait_for_url("**/learn/quiz/*/")

    fieldsets = phone.locator("fieldset[data-question]")
    assert fieldsets.count() == 3
    for index in range(3):
        fieldset = fieldsets.nth(index)
        question = fieldset.get_attribute("data-question")
        # Tab enters a radio group on its first choice (the right one here).
        tab_to(phone, f"fieldset[data-question='{question}'] input[type=radio]")
        assert focus_is_visible(phone)
        phone.keyboard.press("Space")
        assert fieldset.locator("input[type=radio]").first.is_checked()
    screenshot(phone, "01-answered-by-keyboard")
    tab_to(phone, "button[data-submit]")
    assert focus_is_visible(phone)
    phone.keyboard.press("Enter")
    phone.locator(".quiz-score__value").wait_for()
    screenshot(phone, "02-result")
    assert phone.locator(".quiz-score__value").inner_text() == "ร้อยละ 100"
    assert phone.locator(".quiz-score__verdict").inner_text().startswith("ผ่าน")


def test_each_quiz_question_is_a_group_named_by_its_legend_with_a_label_per_choice(phone):
    DemoLoader().load()
    module = ModulePage.objects.filter(slug="understanding-net-pracharat").get()
    profile = VolunteerProfileFactory()
    # The demo course asks for every lesson before the quiz.
    for lesson in LessonPage.objects.child_of(module).live():
        complete_lesson(profile.user, lesson)
    attempt = quiz.start_attempt(profile.user, module)
    log_in(phone, profile.user)
    phone.goto(f"/learn/quiz/{attempt.pk}/")

    kinds = set()
    for number, question in enumerate(attempt.questions, 1):
        # Found through the accessibility tree, by role and accessible name.
        group = phone.get_by_role("group", name=f"ข้อ {number} {question['text']}", exact=True)
        assert group.count() == 1, f"question {number} is not a named group"
        role = "checkbox" if question["kind"] == "multiple" else "radio"
        kinds.add(role)
        assert group.get_by_role(role).count() == len(question["choices"])
        for choice in question["choices"]:
            assert group.get_by_role(role, name=choice["text"], exact=True).count() == 1, (
                f"question {number}: no {role} labelled {choice['text']!r}"
            )
    assert kinds == {"radio", "checkbox"}, "the demo quiz should show both kinds of choice"
    assert phone.get_by_role("button", name="ส่งคำตอบ", exact=True).count() == 1
