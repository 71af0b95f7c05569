"""Found by consent, end to end in headless Chromium, as a trainer and a
volunteer use it: the self-registered volunteer ticks the consent on their
profile, the trainer finds them from the cohort's page and invites them,
the volunteer accepts on "My learning" and is in the cohort with its course.

Screenshots go to test-artifacts/screenshots/<test>/."""

import re

import pytest
from django.contrib.auth.models import Group

from courses.models import Enrolment
from npv_site.cohorts.models import CohortInvitation, CohortMembership
from tests.browser import admin_log_in, log_in, on_phone_and_desktop
from tests.factories import (
    TrainingCohortFactory,
    UserFactory,
    VolunteerProfileFactory,
    build_course,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@on_phone_and_desktop
def test_a_trainer_invites_a_self_registered_volunteer_who_accepts(
    device, device_page, new_page, screenshot
):
    from playwright.sync_api import expect

    course = build_course(modules=1, lessons=1, questions=1)
    trainer = UserFactory(username="trainer-somsri", first_name="สมศรี", last_name="ใจดี")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    cohort = TrainingCohortFactory(
        name="ชุมพร 28 ม.ค. 2562", trainers=[trainer], courses=[course], provinces=["ชุมพร"]
    )
    # Registered on their own: no roster names them, the trainer cannot see them.
    profile = VolunteerProfileFactory(
        first_name="ธัญญ์ชนก", last_name="ณ ระนอง", province="ชุมพร", district="ท่าแซะ",
        subdistrict="สลุย", village_no=3, village_name="บ้านสลุย",
    )

    volunteer = new_page(device)
    log_in(volunteer, profile.user)
    volunteer.goto("/accounts/profile/")
    consent = volunteer.get_by_label(re.compile("ให้วิทยากรในจังหวัดของฉันค้นหาและเชิญฉัน"))
    consent.check()
    screenshot(volunteer, "01-profile-consent", full_page=False)
    volunteer.locator("form button[type='submit']").filter(has_text="บันทึก").first.click()
    volunteer.wait_for_load_state()
    profile.refresh_from_db()
    assert profile.findable_by_trainers and profile.findable_consented_at

    page = device_page
    admin_log_in(page, trainer.username)
    page.goto("/admin/cohorts/")
    page.get_by_role("link", name=cohort.name).first.click()
    page.wait_for_url(f"**/admin/cohorts/edit/{cohort.pk}/")
    find = page.locator("#w-slim-header-buttons").get_by_role("link", name="ค้นหาและเชิญเน็ตอาสา")
    find.scroll_into_view_if_needed()
    screenshot(page, "02-cohort-page", full_page=False)
    find.click()
    page.wait_for_url(f"**/admin/cohorts/{cohort.pk}/find-volunteers/")
    search = page.locator("#main form[role='search']")
    search.get_by_role("searchbox").fill("ธัญญ์ชนก")
    search.get_by_role("button", name="ค้นหา", exact=True).click()
    row = page.locator("tr", has_text="ธัญญ์ชนก ณ ระนอง")
    expect(row).to_contain_text("ท่าแซะ")
    expect(row).not_to_contain_text(profile.phone)
    screenshot(page, "03-found", full_page=False)
    row.get_by_role("button", name="เชิญเข้ารุ่น").click()
    expect(page.get_by_text(re.compile("ส่งคำเชิญให้ .*ธัญญ์ชนก ณ ระนอง แล้ว"))).to_be_visible()
    screenshot(page, "04-invited", full_page=False)
    assert CohortInvitation.objects.filter(cohort=cohort, user=profile.user).exists()
    assert not CohortMembership.objects.filter(cohort=cohort, user=profile.user).exists()

    volunteer.goto("/learn/")
    invitation = volunteer.get_by_role("link", name=re.compile(f"รุ่น “{cohort.name}” เชิญคุณ"))
    screenshot(volunteer, "05-my-learning-invitation", full_page=False)
    invitation.click()
    volunteer.get_by_role("button", name="ตอบรับ เข้าร่วมรุ่นนี้").click()
    volunteer.wait_for_url("**/learn/")
    expect(volunteer.get_by_text(f"เข้าร่วมรุ่น “{cohort.name}” แล้ว", exact=False)).to_be_visible()
    expect(volunteer.get_by_role("link", name=course.title).first).to_be_visible()
    screenshot(volunteer, "06-accepted", full_page=False)
    assert CohortMembership.objects.filter(cohort=cohort, user=profile.user).exists()
    assert Enrolment.objects.filter(user=profile.user, course=course).exists()

    # Now in the cohort: the trainer sees them among its volunteers.
    page.goto(f"/admin/cohorts/{cohort.pk}/volunteers/")
    expect(page.locator("#main tbody tr", has_text="ธัญญ์ชนก").first).to_be_visible()
    screenshot(page, "07-cohort-volunteers", full_page=False)
