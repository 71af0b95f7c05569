"""The quiz in headless Chromium at 360 px, graded by a real worker: answers
kept across a reload, the grade appearing on its own; the same without
JavaScript, through the plain form and the link to the result; and a course
from a fail, the retry and the next module to the finished page with its
certificate."""

import re

import pytest
from django.urls import reverse

from certificates.models import Certificate
from courses import attempts as quiz
from courses.models import AttemptStatus, QuizAttempt
from tests.browser import expect_console_error, log_in
from tests.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    ModulePageFactory,
    QuizChoiceFactory,
    QuizQuestionFactory,
    UserFactory,
    VolunteerProfileFactory,
    home_page,
)
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


# Generous: a worker on a busy two-core machine; a stuck worker still fails.
WORKER_WAIT_MS = 90_000
TWO_MODULES = [
    (
        "รู้จักเราเตอร์ของหมู่บ้าน",
        ["ช่องต่อสายและไฟสถานะ"],
        [("ไฟ PON สีแดงกะพริบหมายถึงอะไร", "สายใยแก้วมีปัญหา", "ปกติ")],
    ),
    (
        "แจ้งเหตุขัดข้อง",
        ["ข้อมูลที่ต้องแจ้ง", "ช่องทางแจ้งเหตุ"],
        [("ก่อนแจ้งเหตุควรจดอะไร", "เวลาที่ไฟ LOS ติด", "สีของเราเตอร์")],
    ),
]


def two_module_course():
    index = CourseIndexPageFactory(parent=home_page())
    course = CoursePageFactory(parent=index, title="ดูแลอินเทอร์เน็ตหมู่บ้าน")
    modules = []
    for title, lessons, questions in TWO_MODULES:
        module = ModulePageFactory(parent=course, title=title, pass_mark=100, retry_delay_minutes=0)
        for lesson in lessons:
            LessonPageFactory(parent=module, title=lesson)
        for number, (text, right, wrong) in enumerate(questions):
            question = QuizQuestionFactory(module=module, kind="single", text=text, sort_order=number)
            QuizChoiceFactory(question=question, text=right, is_correct=True, sort_order=0)
            QuizChoiceFactory(question=question, text=wrong, sort_order=1)
        modules.append(module)
    return course, modules


def answer_and_submit(page, *, right: bool) -> QuizAttempt:
    attempt = QuizAttempt.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    for question in attempt.questions:
        choice = next(c for c in question["choices"] if c["is_correct"] == right)
        page.locator(f"input[name='answer-{question['id']}'][value='{choice['id']}']").check()
    page.get_by_role("button", name="ส่งคำตอบ", exact=True).click()
    page.locator(".quiz-score").wait_for(timeout=WORKER_WAIT_MS)
    return attempt


def first_action(page):
    return page.locator(".quiz-next .button").first


def test_a_fail_the_retry_the_next_module_and_the_finished_page_with_its_certificate(
    phone, celery_worker, settings, screenshot
):
    # The web process streams the PDFs the worker stores.
    settings.MEDIA_ROOT = celery_worker.media_root
    course, (first, second) = two_module_course()
    user = VolunteerProfileFactory(first_name="ธัญญ์ชนก", last_name="ณ ระนอง").user
    log_in(phone, user)
    page = phone
    page.goto(f"{first.url}#quiz")
    page.get_by_role("button", name="เริ่มทำแบบทดสอบ").click()

    answer_and_submit(page, right=False)
    assert page.locator(".quiz-score__verdict").inner_text().startswith("ยังไม่ผ่าน")
    rules = page.locator(".quiz-retry-rules").inner_text()
    assert "ต้องได้คะแนนอย่างน้อยร้อยละ 100 จึงจะผ่าน" in rules
    assert "ทำได้ไม่จำกัดจำนวนครั้ง" in rules
    assert first_action(page).inner_text() == "ทำแบบทดสอบอีกครั้ง"
    assert page.get_by_role("link", name="ทบทวนบทเรียน").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "01-result-failed")

    first_action(page).click()
    page.wait_for_url(re.compile(r"/learn/quiz/\d+/$"))
    answer_and_submit(page, right=True)
    assert page.locator(".quiz-score__verdict").inner_text().startswith("ผ่าน")
    assert first_action(page).inner_text() == f"เรียนบทถัดไป: {second.title}"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "02-result-passed-next-module")

    first_action(page).click()
    first_lesson = second.get_children().first()
    page.wait_for_url(f"**{first_lesson.url}")
    assert page.get_by_role("heading", name=first_lesson.title).is_visible()

    page.goto(f"{second.url}#quiz")
    page.get_by_role("button", name="เริ่มทำแบบทดสอบ").click()
    answer_and_submit(page, right=True)
    assert page.get_by_role("heading", name="คุณเรียนจบหลักสูตรนี้แล้ว").is_visible()
    screenshot(page, "03-result-course-finished")

    first_action(page).click()
    page.wait_for_url(f"**{reverse('courses:course_finished', args=[course.pk])}")
    assert page.get_by_role("heading", name="เรียนจบหลักสูตรแล้ว").is_visible()
    if page.locator("[data-certificate-pending]").count():
        assert page.get_by_text("กำลังจัดทำเกียรติบัตรของคุณ").is_visible()
        screenshot(page, "04-course-finished-being-made")
    # The page's script reloads it once the worker has rendered the PDF.
    download = page.get_by_role("link", name="ดาวน์โหลดเกียรติบัตร (PDF)")
    download.wait_for(timeout=WORKER_WAIT_MS)
    certificate = Certificate.objects.get(user=user, course=course)
    assert certificate.number in page.locator(".certificate-finished").inner_text()
    verify = page.get_by_role("link", name="หน้าตรวจสอบเกียรติบัตร")
    assert verify.get_attribute("href") == certificate.get_absolute_url()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "05-course-finished")
    pdf = page.request.get(download.get_attribute("href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")

    # Reachable again from the course page and from My learning.
    for start in (course.url, reverse("courses:my_learning")):
        page.goto(start)
        page.get_by_role("link", name="ดูผลการเรียนจบ").first.click()
        page.wait_for_url(f"**{reverse('courses:course_finished', args=[course.pk])}")
