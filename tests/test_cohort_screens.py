"""A trainer's cohort screens in headless Chromium, at a desk (1280 px) and
on a phone (360 px): the cohort listing and the cohort's page with its tools
as buttons, and the report, whose pass ticks draw at their size and whose
long module titles keep the table within a laptop's screen.

Screenshots go to test-artifacts/screenshots/<test>/."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from certificates.lifecycle import issue_certificate
from courses.models import Enrolment, ModuleCompletion, ModulePage
from npv_site.cohorts.models import CohortMembership, Village
from tests.browser import admin_log_in, on_phone_and_desktop
from tests.factories import (
    TrainingCohortFactory,
    UserFactory,
    VolunteerProfileFactory,
    build_course,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LONG_TITLES = [
    "การตั้งค่าเราเตอร์และเครือข่ายไร้สายในบ้านให้ปลอดภัยสำหรับทุกคนในครอบครัว",
    "การแก้ปัญหาอินเทอร์เน็ตหลุดบ่อยและสัญญาณอ่อนในพื้นที่ห่างไกลของหมู่บ้าน",
    "การใช้บริการภาครัฐออนไลน์และการป้องกันภัยจากมิจฉาชีพทางโทรศัพท์และออนไลน์",
    "การสอนผู้สูงอายุในชุมชนให้ใช้สมาร์ตโฟนและแอปพลิเคชันที่จำเป็นในชีวิตประจำวัน",
]


def a_cohort_with_progress():
    course = build_course(modules=len(LONG_TITLES), lessons=1, questions=1)
    modules = list(ModulePage.objects.child_of(course).order_by("path"))
    for module, title in zip(modules, LONG_TITLES, strict=True):
        module.title = title
        module.save_revision().publish()
    trainer = UserFactory(username="trainer-somsri", first_name="สมศรี", last_name="ใจดี")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    cohort = TrainingCohortFactory(
        name="ชุมพร 28 ม.ค. 2562", trainers=[trainer], courses=[course], provinces=["ชุมพร"]
    )
    place = Village.objects.create(
        province="ชุมพร", district="ท่าแซะ", subdistrict="สลุย", village_no=3, name="บ้านสลุย"
    )
    people = []
    for first_name, passed in (("สมหญิง", len(modules)), ("มานี", 2), ("ปิติ", 0)):
        profile = VolunteerProfileFactory(first_name=first_name, province="ชุมพร")
        CohortMembership.objects.create(cohort=cohort, user=profile.user, village=place)
        Enrolment.objects.create(user=profile.user, course=course)
        for module in modules[:passed]:
            ModuleCompletion.objects.create(user=profile.user, module=module, score_percent=100)
        people.append(profile.user)
    Enrolment.objects.filter(user=people[0]).update(completed_at=timezone.now())
    certificate = issue_certificate(people[0].pk, course.pk)
    return trainer, cohort, certificate


@on_phone_and_desktop
def test_the_trainers_cohort_screens_fit_and_draw_their_ticks(device, device_page, screenshot):
    page = device_page
    trainer, cohort, certificate = a_cohort_with_progress()
    admin_log_in(page, trainer.username)

    page.goto("/admin/cohorts/")
    row = page.locator("td.title", has=page.get_by_role("link", name=cohort.name))
    for label in ("นำเข้ารายชื่อ", "พิมพ์ใบรับบัญชี", "รายงานความก้าวหน้า", "ดาวน์โหลดเกียรติบัตร (ZIP) ทั้งรุ่น"):
        assert row.get_by_role("link", name=label).is_visible(), label
    screenshot(page, "01-cohort-listing", full_page=False)

    page.goto(f"/admin/cohorts/edit/{cohort.pk}/")
    header = page.locator("#w-slim-header-buttons")
    for label in ("นำเข้ารายชื่อ", "ค้นหาและเชิญเน็ตอาสา", "รายงานความก้าวหน้า"):
        assert header.get_by_role("link", name=label).count() == 1, label
    # Wagtail's "⋯" menu (delete) still shows beside them, and the page does not scroll sideways.
    assert page.locator("#w-slim-header-buttons [data-w-dropdown-target='toggle']").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    # Every tool in sight without scrolling the header sideways (on a phone
    # they wrap onto rows of their own).
    width = page.viewport_size["width"]
    for tool in header.locator("a.cohort-tool").all():
        box = tool.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, tool.get_attribute("aria-label")
    screenshot(page, "02-cohort-page", full_page=False)

    page.goto(f"/admin/cohorts/{cohort.pk}/report/")
    table = page.locator("[data-report='volunteers']")
    ticks = table.locator("svg.report-pass")
    assert ticks.count() == len(LONG_TITLES) + 2
    box = ticks.first.bounding_box()
    assert (round(box["width"]), round(box["height"])) == (16, 16)
    assert ticks.first.get_attribute("aria-label") == "ผ่าน"
    # The year as Thai people write it, like the certificate number beside it.
    completed = table.locator("tbody tr").first.locator("td.nowrap").first.inner_text()
    assert completed.endswith(str(timezone.localdate().year + 543)), completed
    assert f"-{timezone.localdate().year + 543}-" in certificate.number
    if device == "desktop":
        for wrap in page.locator(".cohort-table-wrap").all():
            overflow = wrap.evaluate("el => el.scrollWidth - el.clientWidth")
            assert overflow <= 0, f"the report scrolls sideways by {overflow} px"
    screenshot(page, "03-report", full_page=True)
    # A cut title shows whole on focus, as it is to a screen reader.
    heading = table.locator("th .cohort-table__clip").first
    assert heading.get_attribute("title") == LONG_TITLES[0]
    assert heading.inner_text().replace("\n", "") == LONG_TITLES[0]
    heading.focus()
    full = heading.evaluate("el => el.scrollHeight <= el.clientHeight + 1")
    assert full, "the focused heading is still cut"
    screenshot(page, "04-report-heading-focused", full_page=False)
