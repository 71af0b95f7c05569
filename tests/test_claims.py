"""Claiming an imported account: the code works once, the volunteer chooses
a user name and password, confirms their name, gives PDPA consent, and is in."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.utils import timezone

from courses.cohorts.claims import AlreadyClaimed, claim_account, find_claim
from courses.cohorts.importing import import_roster
from courses.cohorts.models import ClaimCode
from npv_site.accounts.models import PRIVACY_NOTICE_VERSION, VolunteerProfile
from tests.conftest import skip_or_fail
from tests.factories import TrainingCohortFactory, UserFactory, build_course
from tests.test_roster_import import ROW_A, csv_bytes


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def course(db):
    return build_course(modules=1, lessons=1, questions=0)


@pytest.fixture
def claim(course) -> ClaimCode:
    cohort = TrainingCohortFactory(courses=[course])
    import_roster(csv_bytes(ROW_A), "a.csv", cohort, mode="good_rows")
    return ClaimCode.objects.select_related("user").get()


def claim_form(**overrides) -> dict:
    return {
        "title": "นาง",
        "title_other": "",
        "first_name": "นฤมล",
        "last_name": "ฤทธิ์เดช",
        "username": "Narumon62",
        "password1": "lamae-wifi-2562",
        "password2": "lamae-wifi-2562",
        "consent": "on",
        **overrides,
    }


def test_the_claim_page_greets_the_volunteer_by_name_and_village(client, claim):
    response = client.get(f"/claim/{claim.code}/")
    assert response.status_code == 200
    assert "สวัสดี นางนฤมล ฤทธิ์เดช" in response.text
    assert "หมู่ที่ 6 บ้านหนองลำเจียก" in response.text
    assert "ประกาศความเป็นส่วนตัว" in response.text


def test_claiming_sets_login_and_consent_and_logs_the_volunteer_in(client, claim, course):
    response = client.post(f"/claim/{claim.code}/", claim_form())

    assert response.status_code == 302 and response["Location"] == "/learn/"
    user = claim.user
    user.refresh_from_db()
    assert user.username == "narumon62"
    assert user.check_password("lamae-wifi-2562")
    assert client.session["_auth_user_id"] == str(user.pk)
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.consented_at is not None
    assert profile.privacy_notice_version == PRIVACY_NOTICE_VERSION
    claim.refresh_from_db()
    assert claim.claimed_at is not None
    learning = client.get("/learn/")
    assert course.title in learning.text
    assert "รับบัญชีเรียบร้อยแล้ว ครั้งต่อไปเข้าสู่ระบบด้วยชื่อผู้ใช้ narumon62" in learning.text
    client.logout()
    assert client.login(username="narumon62", password="lamae-wifi-2562")


def test_a_code_works_only_once(client, claim):
    client.post(f"/claim/{claim.code}/", claim_form())
    client.logout()
    response = client.get(f"/claim/{claim.code}/")
    assert response.status_code == 410
    assert "รหัสนี้ถูกใช้รับบัญชีไปแล้ว" in response.text
    response = client.post(f"/claim/{claim.code}/", claim_form(username="someone-else"))
    assert response.status_code == 410
    assert claim.user.__class__.objects.filter(username="someone-else").count() == 0


def test_a_wrong_code_gets_a_thai_message(client, claim):
    wrong = "0" * 12 if claim.code != "0" * 12 else "1" * 12
    response = client.get(f"/claim/{wrong}/")
    assert response.status_code == 404
    assert "ไม่พบรหัสนี้ กรุณาตรวจตัวเลขทั้ง 12 หลัก" in response.text


def test_an_expired_code_asks_for_a_new_one(client, claim):
    ClaimCode.objects.filter(pk=claim.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = client.get(f"/claim/{claim.code}/")
    assert response.status_code == 410
    assert "รหัสนี้หมดอายุแล้ว กรุณาขอรหัสใหม่จากวิทยากรของรุ่น" in response.text


def test_a_code_typed_with_spaces_dashes_and_thai_digits_is_found(client, claim):
    thai = claim.code.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    typed = f"{thai[:4]} {claim.code[4:8]}-{claim.code[8:]}"
    response = client.post("/claim/", {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == f"/claim/{claim.code}/"


def test_a_code_of_the_wrong_length_is_refused_on_the_first_page(client, db):
    response = client.post("/claim/", {"code": "1234 5678"})
    assert response.status_code == 200
    assert "รหัสรับบัญชีมี 12 หลัก กรุณาตรวจอีกครั้ง" in response.text


def test_consent_is_required(client, claim):
    response = client.post(f"/claim/{claim.code}/", claim_form(consent=""))
    assert response.status_code == 200
    assert "ต้องยินยอมตามประกาศความเป็นส่วนตัวจึงจะใช้บัญชีได้" in response.text
    claim.refresh_from_db()
    assert claim.claimed_at is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "something-else-9"}, "รหัสผ่านสองช่องไม่ตรงกัน"),
        ({"password1": "12345678", "password2": "12345678"}, "รหัสผ่านนี้เป็นตัวเลขทั้งหมด"),
        ({"first_name": "Narumon"}, "กรุณากรอกชื่อเป็นภาษาไทย"),
        ({"username": "taken"}, "มีผู้ใช้ชื่อผู้ใช้นี้แล้ว"),
    ],
    ids=["mismatch", "weak-password", "latin-name", "username-taken"],
)
def test_a_bad_form_claims_nothing(client, claim, overrides, message):
    UserFactory(username="taken")
    response = client.post(f"/claim/{claim.code}/", claim_form(**overrides))
    assert response.status_code == 200
    assert message in response.text
    claim.refresh_from_db()
    assert claim.claimed_at is None
    assert "_auth_user_id" not in client.session


def test_the_volunteer_can_correct_their_name_when_claiming(client, claim):
    client.post(f"/claim/{claim.code}/", claim_form(last_name="ฤทธิเดช"))
    profile = VolunteerProfile.objects.get(user=claim.user)
    assert profile.last_name == "ฤทธิเดช"


def test_the_second_of_two_simultaneous_claims_fails(claim):
    details = {
        "password": "lamae-wifi-2562",
        "title": "นาง",
        "title_other": "",
        "first_name": "นฤมล",
        "last_name": "ฤทธิ์เดช",
    }
    stale = find_claim(claim.code).claim
    claim_account(claim, username="first", **details)
    with pytest.raises(AlreadyClaimed):
        claim_account(stale, username="second", **details)
    claim.user.refresh_from_db()
    assert claim.user.username == "first"


def test_many_wrong_codes_from_one_address_are_stopped(client, claim):
    for attempt in range(20):
        client.get(f"/claim/{attempt:012d}/")
    response = client.get(f"/claim/{claim.code}/")
    assert response.status_code == 429
    assert "ใส่รหัสผิดหลายครั้งเกินไป" in response.text


# -- a code dies once the account has a password, by whatever route ------------------

OWNED = "บัญชีนี้ตั้งรหัสผ่านไว้แล้ว รหัสรับบัญชีจึงใช้ไม่ได้อีก"


@pytest.fixture
def claim_with_email(course) -> ClaimCode:
    row = list(ROW_A)
    row[4] = "narumon@example.org"
    import_roster(csv_bytes(row), "a.csv", TrainingCohortFactory(courses=[course]), mode="good_rows")
    return ClaimCode.objects.select_related("user").get()


def assert_the_code_takes_nothing_over(client, claim, password: str):
    user = claim.user
    user.refresh_from_db()
    username = user.username
    page = client.get(f"/claim/{claim.code}/")
    assert page.status_code == 410 and OWNED in page.text
    taken = client.post(f"/claim/{claim.code}/", claim_form(username="taker"))
    assert taken.status_code == 410 and OWNED in taken.text
    user.refresh_from_db()
    assert user.username == username and user.check_password(password)
    assert "_auth_user_id" not in client.session
    claim.refresh_from_db()
    assert claim.claimed_at is None


def test_after_set_password_the_code_is_dead_and_the_trainer_sees_it_expired(client, claim):
    user = claim.user
    user.set_password("my-own-pass-2562")
    user.save()
    claim.refresh_from_db()
    assert claim.is_expired
    assert_the_code_takes_nothing_over(client, claim, "my-own-pass-2562")


def test_a_password_written_without_signals_still_kills_the_code_when_it_is_used(client, claim):
    type(claim.user).objects.filter(pk=claim.user_id).update(
        password=make_password("scripted-pass-2562")
    )
    assert_the_code_takes_nothing_over(client, claim, "scripted-pass-2562")


def test_a_password_set_while_the_claim_form_was_open_wins(client, claim):
    assert client.get(f"/claim/{claim.code}/").status_code == 200
    type(claim.user).objects.filter(pk=claim.user_id).update(password=make_password("reset-2562"))
    response = client.post(f"/claim/{claim.code}/", claim_form())
    assert response.status_code == 410 and OWNED in response.text
    claim.user.refresh_from_db()
    assert claim.user.check_password("reset-2562")


def test_after_allauths_password_reset_the_code_is_dead(client, claim_with_email, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "narumon@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mailoutbox[0].body)
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200
    done = client.post(
        form_page.redirect_chain[-1][0] if form_page.redirect_chain else link.group(1),
        {"password1": "from-the-mail-2562", "password2": "from-the-mail-2562"},
    )
    assert done.status_code == 302
    client.logout()
    assert_the_code_takes_nothing_over(client, claim_with_email, "from-the-mail-2562")


def test_after_an_administrator_sets_the_password_the_code_is_dead(client, claim):
    admin = UserFactory(username="site-admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.post(
        f"/django-admin/auth/user/{claim.user_id}/password/",
        {"password1": "given-by-admin-2562", "password2": "given-by-admin-2562",
         "usable_password": "true"},
    )
    assert response.status_code == 302, response.content[:2000]
    client.logout()
    assert_the_code_takes_nothing_over(client, claim, "given-by-admin-2562")


def test_after_the_wagtail_admin_sets_the_password_the_code_is_dead(client, claim):
    admin = UserFactory(username="site-admin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    user = claim.user
    edit = f"/admin/users/edit/{user.pk}/"
    page = client.get(edit)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({
        "username": user.username, "email": user.email or "narumon@example.org",
        "first_name": user.first_name or "นฤมล", "last_name": user.last_name or "ฤทธิ์เดช",
        "password1": "wagtail-admin-2562", "password2": "wagtail-admin-2562",
        "is_active": "on",
    })
    data.pop("groups", None)
    response = client.post(edit, data)
    assert response.status_code == 302, response.content[:3000]
    client.logout()
    assert_the_code_takes_nothing_over(client, claim, "wagtail-admin-2562")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_claim_page_fits_a_360_px_phone(live_server, tmp_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright is not installed")
    course = build_course(modules=1, lessons=1, questions=0)
    import_roster(
        csv_bytes(ROW_A), "a.csv", TrainingCohortFactory(courses=[course]), mode="good_rows"
    )
    code = ClaimCode.objects.get().code
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                ],
            )
            page = browser.new_page(viewport={"width": 360, "height": 740}, locale="th-TH")
            page.goto(f"{live_server.url}/claim/{code}/")
            assert page.get_by_text("สวัสดี นางนฤมล ฤทธิ์เดช").is_visible()
            overflow = page.evaluate("document.documentElement.scrollWidth")
            page.screenshot(path=str(tmp_path / "claim-360.png"), full_page=True)
            page.fill("#id_username", "narumon62")
            page.fill("#id_password1", "lamae-wifi-2562")
            page.fill("#id_password2", "lamae-wifi-2562")
            page.check("#id_consent")
            page.click("button[type=submit]")
            page.wait_for_url(f"{live_server.url}/learn/")
            assert page.get_by_text(course.title).first.is_visible()
            browser.close()
    except Exception as error:  # no browser on this machine
        if "Executable doesn't exist" in str(error) or "No such file" in str(error):
            skip_or_fail(f"Chromium is not available: {error}")
        raise
    assert overflow <= 360

