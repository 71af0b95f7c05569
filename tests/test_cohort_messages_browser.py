"""A trainer writes to the cohort on a phone (360 px wide) in headless Chromium:
picks the ready reminder for those who have not started, previews it (the LINE
bubble with its button, the reach per channel), sends it, and reads the counts
on the cohort's list of messages. Screenshots go to
test-artifacts/screenshots/<test>/."""

import pytest
from django.contrib.auth.models import Group

from courses.models import Enrolment
from notifications.models import Delivery
from npv_site.cohorts.messaging import REMINDERS
from npv_site.cohorts.models import CohortMembership, CohortMessage
from tests.browser import admin_log_in
from tests.factories import TrainingCohortFactory, UserFactory, build_course

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_trainer_sends_the_not_started_reminder_from_a_phone(phone, screenshot, settings):
    from playwright.sync_api import expect

    settings.NOTIFICATIONS_QUIET_HOURS = None
    trainer = UserFactory(username="trainer-phone", first_name="สมศรี", last_name="วิทยากร")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    course = build_course(modules=1, lessons=1, questions=1)
    cohort = TrainingCohortFactory(name="ชุมพร 4 ธ.ค. 2569", trainers=[trainer], courses=[course])
    for n in range(4):
        person = UserFactory(username=f"volunteer-{n}")
        CohortMembership.objects.create(cohort=cohort, user=person)
        Enrolment.objects.create(user=person, course=course)

    page = phone
    assert page.viewport_size["width"] == 360
    admin_log_in(page, "trainer-phone")
    page.goto(f"/admin/cohorts/{cohort.pk}/messages/")
    expect(page.get_by_text("ยังไม่มีข้อความถึงรุ่นนี้")).to_be_visible()
    page.get_by_role("link", name="เขียนข้อความถึงรุ่น").click()
    page.get_by_role("link", name="ข้อความเตือนผู้ที่ยังไม่เริ่มเรียน").click()
    expect(page.locator("textarea[name=text]")).to_have_value(str(REMINDERS["not_started"]))
    expect(page.get_by_label("ผู้ที่ยังไม่เริ่มเรียน")).to_be_checked()
    page.get_by_role("button", name="ดูตัวอย่าง").click()

    bubble = page.locator(".line-bubble")
    expect(bubble).to_contain_text("ข้อความจากวิทยากร รุ่น ชุมพร 4 ธ.ค. 2569")
    expect(bubble.get_by_role("link", name="ไปที่การเรียนของฉัน")).to_be_visible()
    expect(page.locator(".cohort-message__reach [data-channel=site] dd")).to_have_text("4")
    assert no_sideways_scroll(page)
    screenshot(page, "01-compose")
    # The admin scrolls inside its own pane: the preview's screenshot is taken there.
    page.locator(".cohort-message__reach").scroll_into_view_if_needed()
    screenshot(page, "02-preview-reach", full_page=False)
    bubble.scroll_into_view_if_needed()
    screenshot(page, "03-preview-line-bubble", full_page=False)

    # A double click (the kind of slip the one-time key is for) sends it once.
    page.get_by_role("button", name="ส่งถึง 4 คน").dblclick()
    expect(page.get_by_text("ส่งข้อความถึงเน็ตอาสา 4 คนแล้ว")).to_be_visible()
    item = page.locator(".cohort-message__item")
    expect(item).to_contain_text("ผู้ที่ยังไม่เริ่มเรียน")
    expect(item.locator("tr", has_text="บนเว็บไซต์")).to_contain_text("4")
    assert no_sideways_scroll(page)
    screenshot(page, "04-sent", full_page=False)
    assert CohortMessage.objects.count() == 1
    assert Delivery.objects.filter(channel="site").count() == 4
