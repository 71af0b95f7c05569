"""The quiz in headless Chromium at 360 px, graded by a real worker: answers
kept across a reload, the grade appearing on its own; and the same without
JavaScript, through the plain form and the link to the result."""

import pytest
from django.urls import reverse

from courses import attempts as quiz
from courses.models import AttemptStatus, QuizAttempt
from tests.browser import expect_console_error, log_in
from tests.factories import UserFactory
from tests.quiz_helpers import quiz_module

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_answers_survive_a_reload_and_the_grade_appears_by_itself(phone, celery_worker):
    module = quiz_module(pass_mark=70)
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    log_in(phone, user)
    phone.on("dialog", lambda dialog: dialog.accept())
    page = phone
    page.goto(reverse("courses:quiz_attempt", args=[attempt.pk]))

    page.get_by_label("สายใยแก้วมีปัญหา").check()
    page.get_by_label("แจ้งเหตุขัดข้อง").check()
    page.get_by_label("แนะนำการใช้งาน").check()
    page.get_by_label("ถูก", exact=True).check()
    page.locator("[data-save-status]").filter(has_text="บันทึกคำตอบแล้ว").wait_for()
    page.reload()
    assert page.get_by_label("แนะนำการใช้งาน").is_checked()
    assert page.get_by_label("ถูก", exact=True).is_checked()
    # Nothing on the page wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("button", name="ส่งคำตอบ").click()
    page.locator(".quiz-score").wait_for(timeout=30_000)
    assert "ร้อยละ 100" in page.locator(".quiz-score").inner_text()
    assert page.url.endswith(reverse("courses:quiz_attempt", args=[attempt.pk]))
    assert QuizAttempt.objects.get(pk=attempt.pk).status == AttemptStatus.GRADED


def test_an_answer_refused_for_saving_too_often_is_sent_again_once_allowed(phone, settings):
    module = quiz_module(pass_mark=70)
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    # Every save refused, in windows of two seconds.
    settings.COURSES_RATE_LIMITS = {**settings.COURSES_RATE_LIMITS, "quiz-answers": "0/2s"}
    log_in(phone, user)
    phone.goto(reverse("courses:quiz_attempt", args=[attempt.pk]))
    refused = []
    phone.on("response", lambda response: response.status == 429 and refused.append(response))
    with expect_console_error(phone, "status of 429"):
        phone.get_by_label("แนะนำการใช้งาน").check()
        phone.locator("[data-save-status]").filter(has_text="ถี่เกินไป").wait_for()
        attempt.refresh_from_db()
        assert refused and attempt.answers == {}
        # The limit lifts; the page sends the answer again by itself.
        settings.COURSES_RATE_LIMITS = {**settings.COURSES_RATE_LIMITS, "quiz-answers": "240/m"}
        phone.locator("[data-save-status]").filter(has_text="บันทึกคำตอบแล้ว").wait_for(
            timeout=10_000
        )
    attempt.refresh_from_db()
    chosen = phone.get_by_label("แนะนำการใช้งาน").get_attribute("value")
    assert [int(chosen)] in attempt.answers.values()


def test_without_javascript_the_form_posts_and_a_link_shows_the_result(
    new_page, celery_worker
):
    module = quiz_module(pass_mark=70)
    user = UserFactory()
    attempt = quiz.start_attempt(user, module)
    page = new_page("phone", java_script_enabled=False)
    log_in(page, user)
    page.goto(reverse("courses:quiz_attempt", args=[attempt.pk]))
    page.get_by_label("ไฟฟ้าดับ").check()
    page.get_by_role("button", name="ส่งคำตอบ").click()
    assert "ระบบกำลังตรวจ" in page.content() or page.locator(".quiz-score").count()
    assert not QuizAttempt.objects.get(pk=attempt.pk).is_open

    for _ in range(60):
        if page.locator(".quiz-score").count():
            break
        page.get_by_role("link", name="ดูผลการตรวจ").click()
        page.wait_for_timeout(500)
    assert "ร้อยละ 0" in page.locator(".quiz-score").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
