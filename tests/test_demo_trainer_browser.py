"""The trainer's journey, in headless Chromium at a desk, on what `make run`
loads (`load_demo_course`): the demo cohort's row has its tools as buttons and
its report the Chumphon session's real figures (311 volunteers, some finished
with certificates, some halfway, some not started) on the first visit (its
screenshot is the README's picture of the report); the trainer finds a
volunteer who registered on their own and agreed to be found, invites them, and
once they have accepted and forgotten their password (no e-mail), gives them a
reset code that the volunteer uses on their phone.

Screenshots go to test-artifacts/screenshots/<test>/."""

import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from certificates.models import Certificate
from npv_site.cohorts.models import CohortMembership, TrainingCohort
from npv_site.demo.cohort import COHORT_NAME
from npv_site.demo.loader import DEMO_TRAINER
from tests.browser import admin_log_in, log_in
from tests.factories import UserFactory, VolunteerProfileFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_the_demo_trainer_reads_the_report_invites_a_volunteer_and_gives_a_reset_code(
    desktop, new_page, screenshot
):
    from playwright.sync_api import expect

    call_command("load_demo_course", stdout=io.StringIO())
    cohort = TrainingCohort.objects.get(name=COHORT_NAME)
    certified = Certificate.objects.filter(user__cohort_memberships__cohort=cohort).count()
    assert certified > 0

    page = desktop
    admin_log_in(page, *DEMO_TRAINER)

    page.goto("/admin/cohorts/")
    row = page.locator("tr", has_text=COHORT_NAME)
    expect(row.get_by_role("link", name=re.compile("รายงาน"))).to_be_visible()
    screenshot(page, "01-cohort-listing", full_page=False)
    row.get_by_role("link", name=re.compile("รายงาน")).first.click()
    page.wait_for_url(f"**/admin/cohorts/{cohort.pk}/report/**")

    totals = page.locator("tr", has_text="รวม").first
    cells = [text.strip() for text in totals.locator("td, th").all_inner_texts()]
    figures = [int(text) for text in cells if text.isdigit()]
    # Volunteers and enrolled first, certificates last: the demo's spread, not zeros.
    assert figures[0] == figures[1] == 311
    assert figures[-1] == certified
    assert 0 < figures[-1] < figures[2] < 311  # certified < started < everyone
    # The per-person table has ticks for those who passed and dashes for those who did not.
    assert page.locator("table svg[role='img']").count() > 0
    screenshot(page, "02-demo-cohort-report", full_page=False)

    # A volunteer of Chumphon who registered on their own, has no e-mail, and
    # agreed to be found by the province's trainers.
    profile = VolunteerProfileFactory(
        user=UserFactory(username="kanya-lamae", email=""), first_name="กัญญา",
        last_name="ทองดี", province="ชุมพร", district="ละแม", subdistrict="ละแม",
        village_no=4, village_name="บ้านทุ่งคาน", findable_by_trainers=True,
        findable_consented_at=timezone.now(),
    )
    page.goto(f"/admin/cohorts/edit/{cohort.pk}/")
    page.locator("#w-slim-header-buttons").get_by_role("link", name="ค้นหาและเชิญเน็ตอาสา").click()
    search = page.locator("#main form[role='search']")
    search.get_by_role("searchbox").fill("กัญญา")
    search.get_by_role("button", name="ค้นหา", exact=True).click()
    row = page.locator("tr", has_text="กัญญา ทองดี")
    expect(row).to_contain_text("ละแม")
    expect(row).not_to_contain_text(profile.phone)
    row.get_by_role("button", name="เชิญเข้ารุ่น").click()
    expect(page.get_by_text(re.compile("ส่งคำเชิญให้ .*กัญญา ทองดี แล้ว"))).to_be_visible()
    screenshot(page, "03-invited", full_page=False)

    phone = new_page("phone")
    log_in(phone, profile.user)
    phone.goto("/learn/")
    phone.get_by_role("link", name=re.compile(f"รุ่น “{cohort.name}” เชิญคุณ")).click()
    phone.get_by_role("button", name="ตอบรับ เข้าร่วมรุ่นนี้").click()
    phone.wait_for_url("**/learn/")
    assert CohortMembership.objects.filter(cohort=cohort, user=profile.user).exists()
    phone.context.clear_cookies()

    # Forgotten password, no e-mail: the trainer issues a one-time code.
    page.goto(f"/admin/cohorts/{cohort.pk}/volunteers/?q=กัญญา")
    page.on("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text="กัญญา ทองดี").get_by_role(
        "button", name="ออกรหัสตั้งรหัสผ่านใหม่"
    ).click()
    code = page.get_by_test_id("reset-code").inner_text()
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", code)
    screenshot(page, "04-reset-code-slip", full_page=False)

    phone.goto("/accounts/login/")
    phone.get_by_role("link", name="กรอกรหัสที่นี่").click()
    phone.fill("#id_username", "kanya-lamae")
    phone.fill("#id_code", code)
    phone.fill("#id_password1", "ละแม-2562-new!")
    phone.fill("#id_password2", "ละแม-2562-new!")
    phone.get_by_role("button", name="ตั้งรหัสผ่านใหม่").click()
    phone.wait_for_url("**/learn/")
    assert phone.get_by_text("ตั้งรหัสผ่านใหม่เรียบร้อยแล้ว").is_visible()
    profile.user.refresh_from_db()
    assert profile.user.check_password("ละแม-2562-new!")
    screenshot(phone, "05-volunteer-back-in")
