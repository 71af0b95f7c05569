"""Whole journeys in headless Chromium against the live server and a real
Celery worker, each on a 360 px phone and on a desktop:

1. a new volunteer registers, learns the demo course to the end, fails and
   retakes a quiz, downloads the certificate and checks it through its QR code;
2. a trainer edits a lesson and a quiz in the Wagtail admin, a volunteer sees
   the change, and the trainer cannot reach user management;
3. a trainer imports the Chumphon roster into a cohort, opens the cohort's
   progress report and exports it (CSV and Excel), and the claim codes.

Screenshots of the key screens go to test-artifacts/screenshots/<test>/.
"""

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.db.models import F
from PIL import Image

from certificates.models import Certificate
from certificates.rendering import pdf_to_png
from courses.models import CoursePage, LessonPage, ModulePage, QuizAttempt
from npv_site.cohorts.models import CohortMembership
from npv_site.demo.loader import DemoLoader
from tests.browser import admin_log_in, log_in, on_phone_and_desktop
from tests.certificates_support import pdf_text
from tests.factories import (
    TrainingCohortFactory,
    UserFactory,
    VolunteerProfileFactory,
    build_course,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ROSTER = Path(__file__).parent / "data" / "cohort-chumphon-2019-01-28.csv"
# Generous: a worker on a busy two-core machine; a stuck worker still fails.
WORKER_WAIT_MS = 90_000


# --------------------------------------------------------------------------
# A volunteer's moves
# --------------------------------------------------------------------------


def progress_value(page) -> int:
    return int(page.locator("progress.progress").first.get_attribute("value"))


def read_lessons_of_module(page) -> int:
    """From a module's first lesson, follow the next-lesson link to its quiz: opening
    a lesson records it read (the demo course asks for every lesson before the quiz)."""
    read = 0
    while "#quiz" not in page.url:
        assert page.get_by_text("คุณอ่านบทเรียนนี้แล้ว").is_visible()
        page.locator("a[rel=next]").click()
        page.wait_for_load_state()
        read += 1
    return read


def take_quiz(page, *, right: bool, answered=None) -> QuizAttempt:
    """On a module page: start (or restart) the quiz, answer every question
    right or wrong, submit, and wait for the worker's grade on the page.
    `answered()` is called before submitting (a screenshot)."""
    page.locator("form[action$='/quiz/start/'] button").first.click()
    page.wait_for_url(re.compile(r"/learn/quiz/\d+/$"))
    attempt = QuizAttempt.objects.get(pk=int(page.url.rstrip("/").rsplit("/", 1)[1]))
    for question in attempt.questions:
        correct = [c["id"] for c in question["choices"] if c["is_correct"]]
        wrong = [c["id"] for c in question["choices"] if not c["is_correct"]]
        for choice in correct if right else wrong[:1]:
            page.locator(f"input[name='answer-{question['id']}'][value='{choice}']").check()
    if answered:
        answered()
    page.get_by_role("button", name="ส่งคำตอบ", exact=True).click()
    page.locator(".quiz-score__value").wait_for(timeout=WORKER_WAIT_MS)
    attempt.refresh_from_db()
    return attempt


def sign_up(page, *, username: str) -> None:
    """The short sign-up: name, login, consent (the village comes with the certificate)."""
    page.goto("/")
    page.get_by_role("link", name="สมัครเรียนฟรี").first.click()
    page.wait_for_url("**/accounts/signup/**")
    page.fill("#id_first_name", "ธัญญ์ชนก")
    page.fill("#id_last_name", "ณ ระนอง")
    page.fill("#id_username", username)
    page.fill("#id_password1", "ชุมพร-2562-ok!")
    page.fill("#id_password2", "ชุมพร-2562-ok!")
    page.check("#id_consent")


def complete_profile(page) -> None:
    """The profile a certificate prints, asked for when the certificate is due."""
    page.select_option("#id_title", "นางสาว")
    page.fill("#id_phone", "0818884590")
    page.select_option("#id_province", "ชุมพร")
    page.fill("#id_district", "เมืองชุมพร")
    page.fill("#id_subdistrict", "หาดพันไกร")
    page.fill("#id_village_no", "2")
    page.fill("#id_village_name", "บ้านหาดกลาง")


# --------------------------------------------------------------------------
# 1. A new volunteer, from registration to a verified certificate
# --------------------------------------------------------------------------


@on_phone_and_desktop
def test_new_volunteer_learns_the_demo_course_to_a_verified_certificate(
    device, device_page, celery_worker, settings, screenshot, tmp_path
):
    page = device_page
    # The web process streams the PDFs the worker stores.
    settings.MEDIA_ROOT = celery_worker.media_root
    DemoLoader().load()
    course = CoursePage.objects.get(slug="net-asa-pracharat")
    modules = list(ModulePage.objects.child_of(course).order_by("path"))
    assert len(modules) == 4
    # The trainer asks for a minute between attempts at the first quiz.
    ModulePage.objects.filter(pk=modules[0].pk).update(retry_delay_minutes=1)

    # A mistake first (the surname typed in Latin letters): the summary at the top
    # takes the focus, its link leads to the field, and nothing typed is lost.
    sign_up(page, username=f"thanchanok-{device}")
    page.fill("#id_last_name", "Na Ranong")
    page.get_by_role("button", name="สมัครเรียน", exact=True).click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.is_checked("#id_consent") and page.input_value("#id_first_name") == "ธัญญ์ชนก"
    screenshot(page, "01-sign-up-mistake", full_page=False)
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_last_name"
    page.fill("#id_last_name", "ณ ระนอง")
    page.get_by_role("button", name="สมัครเรียน", exact=True).click()
    page.wait_for_url("**/accounts/welcome/")
    assert page.get_by_role("heading", name="ยินดีต้อนรับ คุณธัญญ์ชนก").is_visible()

    # One tap on the welcome page: enrolled, and the first lesson is open.
    first_lesson = LessonPage.objects.descendant_of(modules[0]).live().order_by("path").first()
    page.get_by_role("button", name=f"เริ่มบทเรียนแรก: {first_lesson.title}").click()
    page.wait_for_url(f"**{first_lesson.url}")
    screenshot(page, "02-first-lesson")

    # Module 1: every lesson by the next links, a failed quiz, the wait, a pass.
    screenshot(page, "03-lesson")
    lessons = LessonPage.objects.child_of(modules[0]).count()
    assert read_lessons_of_module(page) == lessons
    page.goto(course.url)
    after_reading = progress_value(page)
    assert after_reading > 0
    page.goto(f"{modules[0].url}#quiz")
    screenshot(page, "04-module-quiz-panel")

    failed = take_quiz(page, right=False, answered=lambda: screenshot(page, "05-quiz"))
    assert not failed.passed
    assert page.locator(".quiz-score__verdict").inner_text().startswith("ยังไม่ผ่าน")
    # The minute's wait: no second try yet, and the page says until when.
    assert page.get_by_text("ต้องรอก่อนทำแบบทดสอบครั้งต่อไป").is_visible()
    assert page.locator("form[action$='/quiz/start/']").count() == 0
    screenshot(page, "06-result-failed-wait")
    page.goto(course.url)
    assert progress_value(page) == after_reading

    # The minute passes.
    QuizAttempt.objects.filter(pk=failed.pk).update(
        submitted_at=F("submitted_at") - timedelta(minutes=1, seconds=1)
    )
    page.goto(f"{modules[0].url}#quiz")
    passed = take_quiz(page, right=True)
    assert passed.passed and passed.number == 2
    assert page.locator(".quiz-score__value").inner_text() == "ร้อยละ 100"
    # The pass leads on to the next module first.
    assert page.locator(".quiz-next .button").first.inner_text() == (
        f"เรียนบทถัดไป: {modules[1].title}"
    )
    screenshot(page, "07-result-passed")
    page.goto(course.url)
    after_first_module = progress_value(page)
    assert after_first_module > after_reading
    screenshot(page, "08-course-progress")

    # Modules 2 to 4, each passed at the first try; the bar moves each time.
    previous = after_first_module
    for module in modules[1:]:
        page.get_by_role("link", name=re.compile("^เรียนต่อ")).click()
        assert read_lessons_of_module(page) == LessonPage.objects.child_of(module).count()
        assert take_quiz(page, right=True).passed
        page.get_by_role("link", name="ไปที่หลักสูตร").click()
        page.wait_for_url(f"**{course.url}")
        assert progress_value(page) > previous
        previous = progress_value(page)
    assert previous == 100
    assert page.get_by_text("คุณเรียนจบหลักสูตรนี้แล้ว").is_visible()

    # The finished page: the certificate waits for the address it prints, and the
    # page asks for it; saved, the worker issues and renders the certificate and the
    # page shows its download once it is there (its script reloads it).
    page.get_by_role("link", name="ดูผลการเรียนจบ").click()
    assert page.get_by_role("heading", name="เรียนจบหลักสูตรแล้ว").is_visible()
    page.get_by_role("link", name="กรอกข้อมูลเพื่อรับเกียรติบัตร").click()
    page.wait_for_url("**/accounts/profile/**")
    complete_profile(page)
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url("**/finished/")
    download = page.get_by_role("link", name="ดาวน์โหลดเกียรติบัตร (PDF)")
    download.wait_for(timeout=WORKER_WAIT_MS)
    screenshot(page, "09-course-finished-certificate")
    # "My learning" offers it too.
    page.goto("/learn/")
    download = page.get_by_role("link", name="ดาวน์โหลดเกียรติบัตร (PDF)").first
    assert download.is_visible()
    with page.expect_download() as info:
        download.click()
    saved = tmp_path / "certificate.pdf"
    info.value.save_as(saved)
    pdf = saved.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert "ธัญญ์ชนก ณ ระนอง" in pdf_text(pdf)
    certificate = Certificate.objects.get(user__username=f"thanchanok-{device}")

    # The QR code printed on it leads to the verification page.
    import zxingcpp

    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(pdf_to_png(pdf, dpi=150))))
    assert [code.text for code in codes] == [f"{settings.WAGTAILADMIN_BASE_URL}{certificate.get_absolute_url()}"]
    page.goto(urlsplit(codes[0].text).path)
    assert page.get_by_text("เกียรติบัตรนี้ออกโดยระบบจริงและยังใช้ได้").is_visible()
    assert "ธัญญ์ชนก ณ ระนอง" in page.locator(".facts").inner_text()
    screenshot(page, "10-verified")


# --------------------------------------------------------------------------
# 2. A trainer edits content in the Wagtail admin; a volunteer sees it
# --------------------------------------------------------------------------

NEW_STEP = "ปิดแล้วเปิดเราเตอร์ใหม่ รอไฟ PON เป็นสีเขียว"
NEW_QUESTION = "ถ้าไฟ LOS สีแดงติดค้าง ควรทำอย่างไรก่อน"


def trainer_user():
    trainer = UserFactory(username="trainer-somsri", first_name="สมศรี", last_name="ใจดี")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    return trainer


def publish(page) -> None:
    """The admin's action menu: "publish" sits behind the menu toggle."""
    page.locator("footer .dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    page.locator("button[name='action-publish']").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))


@on_phone_and_desktop
def test_trainer_edits_a_lesson_and_a_quiz_and_a_volunteer_sees_both(
    device, device_page, new_page, celery_worker, screenshot
):
    from playwright.sync_api import expect

    page = device_page
    course = build_course(modules=1, lessons=1, questions=1)
    module = ModulePage.objects.child_of(course).get()
    lesson = LessonPage.objects.child_of(module).get()
    steps_block = LessonPage.body.field.stream_block.child_blocks["steps"]
    steps = {"title": "เมื่ออินเทอร์เน็ตหลุด", "steps": [{"text": "<p>ดูไฟสถานะบนเราเตอร์</p>"}]}
    lesson.body = [("steps", steps_block.to_python(steps))]
    lesson.save_revision().publish()
    trainer_user()

    admin_log_in(page, "trainer-somsri")
    page.goto(f"/admin/pages/{lesson.pk}/edit/")
    steps = page.locator("[data-contentpath='steps']")
    steps.locator("[data-streamfield-list-add]").last.click()
    new_step = steps.locator("[data-streamfield-child]").nth(1)
    new_step.locator("[role='textbox']").click()
    page.keyboard.type(NEW_STEP)
    # Draftail writes its state into the form a moment after the typing.
    expect(new_step.locator("input[name$='-value-text']")).to_have_value(re.compile(NEW_STEP))
    screenshot(page, "01-admin-new-step", full_page=False)
    publish(page)

    page.goto(f"/admin/pages/{module.pk}/edit/")
    page.get_by_role("tab", name="แบบทดสอบ").click()
    page.locator("#id_questions-ADD").click()
    prefix = "#id_questions-1"
    page.select_option(f"{prefix}-kind", "single")
    page.fill(f"{prefix}-text", NEW_QUESTION)
    page.fill(f"{prefix}-choices-0-text", "แจ้งศูนย์บริการตามช่องทางของโครงการ")
    page.check(f"{prefix}-choices-0-is_correct")
    page.fill(f"{prefix}-choices-1-text", "ปีนเสาไปต่อสายเอง")
    page.locator(f"{prefix}-text").scroll_into_view_if_needed()
    screenshot(page, "02-admin-new-question", full_page=False)
    publish(page)

    # No user management for a trainer: not in the menu, refused by address.
    page.locator(".sidebar-sub-menu-panel").first.wait_for(state="attached")
    menu = page.eval_on_selector_all(".sidebar a[href]", "links => links.map(a => a.pathname)")
    assert "/admin/cohorts/" in menu
    assert not {"/admin/users/", "/admin/groups/"} & set(menu)
    for address in ("/admin/users/", "/admin/groups/"):
        page.goto(address)
        assert urlsplit(page.url).path == "/admin/"
        assert page.get_by_text("ขออภัย คุณไม่มีสิทธิ์เข้าถึงส่วนนี้").is_visible()
    screenshot(page, "03-admin-users-refused", full_page=False)

    volunteer = new_page(device)
    log_in(volunteer, VolunteerProfileFactory().user)
    volunteer.goto(lesson.url)
    assert volunteer.locator(".steps__item").nth(1).inner_text() == NEW_STEP
    screenshot(volunteer, "04-lesson-with-new-step")
    volunteer.goto(f"{module.url}#quiz")
    volunteer.locator("form[action$='/quiz/start/'] button").click()
    volunteer.wait_for_url(re.compile(r"/learn/quiz/\d+/$"))
    assert volunteer.get_by_role("group", name=re.compile(NEW_QUESTION)).count() == 1
    screenshot(volunteer, "05-quiz-with-new-question")


# --------------------------------------------------------------------------
# 3. A trainer imports a roster and exports the cohort
# --------------------------------------------------------------------------


@on_phone_and_desktop
def test_trainer_imports_the_chumphon_roster_and_exports_the_cohort(
    device, device_page, celery_worker, screenshot, tmp_path
):
    page = device_page
    course = build_course(modules=1, lessons=1, questions=1)
    trainer = trainer_user()
    cohort = TrainingCohortFactory(
        name="ชุมพร 28 ม.ค. 2562", trainers=[trainer], courses=[course], provinces=["ชุมพร"]
    )
    rows = list(csv.DictReader(ROSTER.open(encoding="utf-8")))

    admin_log_in(page, "trainer-somsri")
    page.goto("/admin/cohorts/")
    page.get_by_role("link", name=cohort.name).first.wait_for()
    screenshot(page, "01-cohorts", full_page=False)
    page.goto(f"/admin/cohorts/{cohort.pk}/import/")
    page.set_input_files("input[type=file]", str(ROSTER))
    page.get_by_role("button", name="อัปโหลดและตรวจรายชื่อ").click()
    page.wait_for_url(re.compile(rf"/admin/cohorts/{cohort.pk}/import/\d+/$"))
    screenshot(page, "02-roster-preview", full_page=False)
    page.locator("form.roster-confirm button[name='mode']").first.click()
    page.get_by_role("link", name="ดูเน็ตอาสาในรุ่น").wait_for(timeout=WORKER_WAIT_MS)
    screenshot(page, "03-import-done", full_page=False)
    assert CohortMembership.objects.filter(cohort=cohort).count() == len(rows)

    page.get_by_role("link", name="ดูเน็ตอาสาในรุ่น").click()
    page.wait_for_url(f"**/admin/cohorts/{cohort.pk}/volunteers/**")
    assert page.get_by_text(str(len(rows)), exact=True).first.is_visible()
    first_line = page.locator("table tbody tr").first.inner_text()
    assert any(row["first_name"] in first_line and row["last_name"] in first_line for row in rows)
    screenshot(page, "04-cohort-volunteers", full_page=False)

    claim_codes = download_csv(page, "ส่งออกรหัสรับบัญชี (CSV)", tmp_path / "claim-codes.csv")
    assert len(claim_codes) == len(rows) + 1
    assert_has_names(claim_codes, rows)

    # The cohort's progress report, from its button in the cohort's row.
    page.goto("/admin/cohorts/")
    row = page.locator("tr", has=page.get_by_role("link", name=cohort.name))
    row.get_by_role("link", name="รายงานความก้าวหน้า").click()
    page.wait_for_url(f"**/admin/cohorts/{cohort.pk}/report/**")
    total = page.locator("[data-report='places'] tfoot td").first.inner_text()
    assert total == f"{len(rows):,}"
    screenshot(page, "05-cohort-report", full_page=False)
    report = download_csv(page, "ส่งออก CSV", tmp_path / "report.csv")
    assert len(report) == len(rows) + 1
    assert_has_names(report, rows)
    with page.expect_download() as info:
        page.get_by_role("button", name="ส่งออก Excel (XLSX)").click()
    info.value.save_as(tmp_path / "report.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "report.xlsx", read_only=True).active
    spreadsheet = [[str(cell or "") for cell in line] for line in sheet.iter_rows(values_only=True)]
    assert len(spreadsheet) == len(rows) + 1
    assert_has_names(spreadsheet, rows)


def download_csv(page, link_name: str, path: Path) -> list[list[str]]:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    info.value.save_as(path)
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def assert_has_names(table: list[list[str]], roster: list[dict]) -> None:
    text = "\n".join(",".join(line) for line in table)
    for row in roster:
        assert row["first_name"] in text and row["last_name"] in text, row
