"""The sign-up in headless Chromium at 360 px: a mistake, the summary that
takes the focus, the fix, the welcome page, and the first lesson in one tap;
then the address suggestions of the profile page from the village register."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from courses.models import Enrolment, LessonPage, ModulePage
from npv_site.cohorts.models import Village
from tests.browser import log_in
from tests.factories import UserFactory, build_course

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "ชุมพร-2562-ok!"


def test_signup_with_a_mistake_then_the_first_lesson_in_one_tap(phone, screenshot):
    course = build_course(modules=2, lessons=2, questions=1)
    module = ModulePage.objects.child_of(course).order_by("path").first()
    lesson = LessonPage.objects.child_of(module).order_by("path").first()
    page = phone
    page.goto("/accounts/signup/")
    screenshot(page, "01-sign-up")
    # A name typed in English: the one mistake.
    page.fill("#id_first_name", "Thanchanok")
    page.fill("#id_last_name", "ณ ระนอง")
    page.fill("#id_username", "thanchanok")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_consent")
    page.get_by_role("button", name="สมัครเรียน", exact=True).click()
    page.wait_for_load_state()

    summary = page.locator(".error-summary")
    summary.wait_for()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert summary.get_attribute("role") == "alert"
    # In view at the top of a phone's screen, not 2,000 px down.
    box = summary.bounding_box()
    assert box["y"] < 740 and box["y"] + box["height"] > 0
    screenshot(page, "02-mistake-summary", full_page=False)
    # Everything typed is still there: the passwords and the consent too.
    assert page.input_value("#id_last_name") == "ณ ระนอง"
    assert page.input_value("#id_username") == "thanchanok"
    assert page.input_value("#id_password1") == PASSWORD
    assert page.input_value("#id_password2") == PASSWORD
    assert page.is_checked("#id_consent")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # The summary's link puts the cursor in the field.
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "id_first_name"
    page.fill("#id_first_name", "ธัญญ์ชนก")
    page.get_by_role("button", name="สมัครเรียน", exact=True).click()
    page.wait_for_url("**/accounts/welcome/")
    assert page.get_by_role("heading", name="ยินดีต้อนรับ คุณธัญญ์ชนก").is_visible()
    start = page.get_by_role("button", name=f"เริ่มบทเรียนแรก: {lesson.title}")
    assert start.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "03-welcome")

    start.click()
    page.wait_for_url(f"**{lesson.url}")
    assert page.get_by_role("heading", name=lesson.title).is_visible()
    user = get_user_model().objects.get(username="thanchanok")
    assert Enrolment.objects.filter(user=user, course=course).exists()
    screenshot(page, "04-first-lesson")


def test_the_profile_suggests_the_registers_districts_of_the_chosen_province(phone, screenshot):
    from playwright.sync_api import expect

    for n, (district, subdistrict) in enumerate(
        [("ละแม", "ละแม"), ("ละแม", "ทุ่งหลวง"), ("เมืองชุมพร", "หาดพันไกร")], start=1
    ):
        Village.objects.create(province="ชุมพร", district=district, subdistrict=subdistrict,
                               village_no=n, name=f"บ้าน{n}")
    log_in(phone, UserFactory(first_name="ธัญญ์ชนก", last_name="ณ ระนอง"))
    page = phone
    page.goto("/accounts/profile/")
    assert page.locator("#district-suggestions option").count() == 0
    page.select_option("#id_province", "ชุมพร")
    # Not wait_for_function: a string of JavaScript is eval, which the CSP refuses.
    expect(page.locator("#district-suggestions option")).to_have_count(2)
    assert page.eval_on_selector_all(
        "#district-suggestions option", "options => options.map(o => o.value)"
    ) == ["ละแม", "เมืองชุมพร"]
    page.fill("#id_district", "ละแม")
    expect(page.locator("#subdistrict-suggestions option")).to_have_count(2)
    assert page.eval_on_selector_all(
        "#subdistrict-suggestions option", "options => options.map(o => o.value)"
    ) == ["ทุ่งหลวง", "ละแม"]
    screenshot(page, "01-profile-suggestions")


def test_a_finished_course_asks_for_the_profile_its_certificate_prints(phone, screenshot):
    course = build_course(modules=1, lessons=1, questions=0)
    user = UserFactory(first_name="ธัญญ์ชนก", last_name="ณ ระนอง")
    Enrolment.objects.create(user=user, course=course, completed_at=timezone.now())
    log_in(phone, user)
    page = phone
    page.goto("/learn/")
    assert page.get_by_text("อีกขั้นเดียวก็ได้เกียรติบัตร").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "01-my-learning-profile-needed")
    page.get_by_role("link", name="กรอกข้อมูลเพื่อรับเกียรติบัตร").click()
    page.wait_for_url("**/accounts/profile/?next=/learn/")
    assert page.get_by_role("heading", name="กรอกข้อมูลสำหรับเกียรติบัตร").is_visible()
