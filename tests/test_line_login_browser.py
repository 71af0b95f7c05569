"""Sign up with LINE in headless Chromium at 360 px, through the local LINE
Login (tests/fake_line_login.py): the green button, LINE's round trip (the
site's CSP must let the form go on to LINE's authorize page), the short
sign-up, the welcome page; then the profile shows the link."""

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from npv_site.accounts.models import PrivacyConsent
from tests.factories import build_course
from tests.fake_line_login import FakeLineLogin, line_settings

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def fake_line(settings, monkeypatch):
    fake = FakeLineLogin().start()
    fake.install(monkeypatch)
    line_settings(settings, fake)
    yield fake
    fake.stop()
    assert not fake.refusals, f"LINE Login refused: {fake.refusals}"


def test_sign_up_with_line_on_a_phone(phone, screenshot, fake_line, live_server):
    build_course(modules=1, lessons=1, questions=1)
    fake_line.log_in_as(display_name="ต้อม")
    page = phone
    page.goto("/accounts/signup/")
    button = page.get_by_role("button", name="สมัครด้วย LINE")
    assert button.is_visible()
    # LINE's green, and the button fits the phone.
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(6, 199, 85)"
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 44
    screenshot(page, "01-sign-up-with-line-button")

    button.click()
    page.wait_for_url("**/accounts/3rdparty/signup/")
    assert fake_line.authorize_requests[0]["redirect_uri"] == (
        f"{live_server.url}/accounts/line/login/callback/"
    )
    assert page.get_by_role("heading", name="สมัครเรียนด้วย LINE").is_visible()
    assert page.input_value("#id_username") == ""
    assert page.locator("#id_password1").count() == 0
    page.fill("#id_first_name", "ธนพล")
    page.fill("#id_last_name", "ศรีสะอาด")
    page.fill("#id_username", "tom-line")
    page.check("#id_consent")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "02-short-sign-up-after-line")

    page.get_by_role("button", name="สมัครเรียน", exact=True).click()
    page.wait_for_url("**/accounts/welcome/")
    assert page.get_by_role("heading", name="ยินดีต้อนรับ คุณธนพล").is_visible()
    screenshot(page, "03-welcome")

    user = get_user_model().objects.get(username="tom-line")
    assert SocialAccount.objects.get(user=user).uid == fake_line.user.user_id
    assert PrivacyConsent.objects.filter(user=user).count() == 1

    page.goto("/accounts/profile/")
    section = page.locator("#line")
    assert "เชื่อมต่อกับบัญชี LINE “ต้อม” แล้ว" in section.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    section.scroll_into_view_if_needed()
    screenshot(page, "04-profile-line-linked")


def test_the_line_pages_pass_axe_on_a_phone(new_page, fake_line):
    from tests.browser import BLOCKING_IMPACTS, axe_violations, describe_violations, log_in
    from tests.factories import UserFactory

    # axe is injected as an inline script: this context bypasses the CSP.
    page = new_page("phone", bypass_csp=True)
    found = {}

    def check(name):
        violations = [
            v
            for v in axe_violations(page, impacts=(*BLOCKING_IMPACTS, "moderate"))
            if v["impact"] in BLOCKING_IMPACTS or v["id"] == "heading-order"
        ]
        if violations:
            found[name] = describe_violations(violations)

    for url in ("/accounts/login/", "/accounts/signup/"):
        page.goto(url)
        check(url)
    page.get_by_role("button", name="สมัครด้วย LINE").click()
    page.wait_for_url("**/accounts/3rdparty/signup/")
    check("LINE sign-up")
    page.get_by_role("button", name="สมัครเรียน", exact=True).click()  # empty: the errors
    page.wait_for_load_state()
    check("LINE sign-up with errors")

    other = new_page("phone", bypass_csp=True)
    log_in(other, UserFactory())
    page = other
    page.goto("/accounts/profile/")
    check("profile with the LINE button")
    assert not found, "\n\n".join(f"{name}:\n{text}" for name, text in found.items())
