"""Claiming an imported account: the code works once, the volunteer chooses
a user name and password, confirms their name, gives PDPA consent, and is in."""

import http.client
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from npv_site.accounts.models import PRIVACY_NOTICE_VERSION, VolunteerProfile
from npv_site.cohorts.claims import AlreadyClaimed, claim_account, find_claim
from npv_site.cohorts.importing import import_roster
from npv_site.cohorts.models import ClaimCode
from tests.factories import TrainingCohortFactory, UserFactory, build_course
from tests.plugin_fixtures import skip_or_fail
from tests.production_server import HOST, database_url, gunicorn, production_env
from tests.test_production_settings import service_up
from tests.test_roster_import import CHUMPHON_UTF8 as CHUMPHON
from tests.test_roster_import import ROW_A, ROW_B, csv_bytes


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

    assert response.status_code == 302 and response["Location"] == "/accounts/welcome/"
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


def test_invisible_characters_in_the_claimed_name_are_removed_not_refused(client, claim):
    # A zero-width space and a zero-width joiner, as a phone keyboard or a pasted
    # name can leave them: all Thai, so the name is accepted without them.
    response = client.post(
        f"/claim/{claim.code}/",
        claim_form(first_name="นฤ\u200bมล", last_name="ฤทธิ์\u200dเดช"),
    )
    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(user=claim.user)
    assert (profile.first_name, profile.last_name) == ("นฤมล", "ฤทธิ์เดช")


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


# -- wrong codes: a room is never refused, a guesser soon is ----------------------
# (the limits and their arithmetic: site/cohorts/claim_limits.py)

TOO_MANY = "ใส่รหัสผิดหลายครั้งเกินไป"
TOO_MANY_HERE = "ใส่รหัสผิดหลายครั้งเกินไปจากเครือข่ายนี้"
ROOM = "203.0.113.50"  # a training room's one NAT address, as nginx forwards it
behind_nginx = override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)


def phone(address: str = ROOM, *, spoofed: str = "") -> Client:
    """A browser of its own, reaching Django through nginx (docs/nginx.conf
    appends the address it sees to whatever X-Forwarded-For the client sent)."""
    forwarded = f"{spoofed}, {address}" if spoofed else address
    return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)


def wrong_code(n: int) -> str:
    code = f"{n:012d}"
    assert not ClaimCode.objects.filter(code=code).exists()
    return code


def claim_form_of(claim: ClaimCode, username: str) -> dict:
    profile = VolunteerProfile.objects.get(user=claim.user)
    return claim_form(
        title=profile.title,
        title_other=profile.title_other,
        first_name=profile.first_name,
        last_name=profile.last_name,
        username=username,
    )


@behind_nginx
def test_a_room_of_311_behind_one_address_claims_every_account_despite_typos(course):
    cohort = TrainingCohortFactory(courses=[course])
    import_roster(CHUMPHON.read_bytes(), CHUMPHON.name, cohort, mode="good_rows")
    claims = list(ClaimCode.objects.select_related("user").order_by("pk"))
    assert len(claims) == 311
    typos = 0
    for n, claim in enumerate(claims):
        browser = phone()
        # One phone in three mistypes its code, some of them three times.
        for attempt in range(0 if n % 3 else 1 + n % 4):
            assert browser.get(f"/claim/{wrong_code(n * 10 + attempt)}/").status_code == 404
            typos += 1
        response = browser.post(f"/claim/{claim.code}/", claim_form_of(claim, f"room-{n}"))
        assert response.status_code == 302, (n, response.status_code)
    assert typos > 200
    assert ClaimCode.objects.filter(claimed_at__isnull=False).count() == 311


@behind_nginx
@override_settings(CLAIM_CODE_LIMITS={"per_address": 30})
def test_a_guesser_is_refused_by_address_whatever_browser_or_forwarded_header_it_sends(claim):
    for n in range(30):
        # A new browser each time, and a made-up address of its own in X-Forwarded-For.
        guess = phone("198.51.100.7", spoofed=f"10.0.{n}.1").get(f"/claim/{wrong_code(n)}/")
        assert guess.status_code == 404
    refused = phone("198.51.100.7").get(f"/claim/{claim.code}/")
    assert refused.status_code == 429
    assert TOO_MANY_HERE in refused.text and "สวัสดี" not in refused.text
    assert int(refused["Retry-After"]) > 0
    # The room elsewhere is not affected.
    assert phone(ROOM).get(f"/claim/{claim.code}/").status_code == 200


@behind_nginx
def test_one_browser_is_refused_after_ten_wrong_codes_and_the_next_phone_goes_on(claim):
    browser = phone()
    for n in range(10):
        assert browser.get(f"/claim/{wrong_code(n)}/").status_code == 404
    assert browser.get(f"/claim/{claim.code}/").status_code == 429
    assert phone().get(f"/claim/{claim.code}/").status_code == 200


@behind_nginx
@override_settings(CLAIM_CODE_LIMITS={"per_address": 12})
def test_a_completed_claim_takes_its_browsers_typos_off_the_address(claim, course):
    import_roster(csv_bytes(ROW_B), "b.csv", TrainingCohortFactory(courses=[course]),
                  mode="good_rows")
    other = ClaimCode.objects.exclude(pk=claim.pk).get()
    typist = phone()
    for n in range(8):
        typist.get(f"/claim/{wrong_code(n)}/")
    assert typist.post(f"/claim/{claim.code}/", claim_form()).status_code == 302
    # Without forgiveness the address would be at 8 + 8 > 12.
    second = phone()
    for n in range(8, 16):
        assert second.get(f"/claim/{wrong_code(n)}/").status_code == 404
    assert second.get(f"/claim/{other.code}/").status_code == 200


@behind_nginx
@override_settings(CLAIM_CODE_LIMITS={"site_wide": 5})
def test_past_the_site_wide_ceiling_limits_tighten_but_a_right_code_still_works(claim):
    for n in range(5):
        phone(f"198.51.100.{n}").get(f"/claim/{wrong_code(n)}/")
    slowed = phone()
    for n in range(5, 8):
        assert slowed.get(f"/claim/{wrong_code(n)}/").status_code == 404
    assert slowed.get(f"/claim/{claim.code}/").status_code == 429
    # A phone that types its code right the first time is never refused.
    assert phone("192.0.2.44").get(f"/claim/{claim.code}/").status_code == 200


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
            page.wait_for_url(f"{live_server.url}/accounts/welcome/")
            assert page.get_by_text(course.title).first.is_visible()
            browser.close()
    except Exception as error:  # no browser on this machine
        if "Executable doesn't exist" in str(error) or "No such file" in str(error):
            skip_or_fail(f"Chromium is not available: {error}")
        raise
    assert overflow <= 360


# -- the same, through the production server behind nginx's headers --------------


class ProxiedBrowser:
    """One phone talking to gunicorn as nginx forwards it: HTTPS terminated,
    X-Forwarded-For ending in the address nginx saw; keeps its cookies."""

    def __init__(self, server, address: str):
        self.server, self.address, self.cookies = server, address, {}

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": self.address,
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update({
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}{path}",
            })
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", errors="replace")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, text

    def claim(self, code: str, form: dict):
        status, _, page = self.request("GET", f"/claim/{code}/")
        assert status == 200, status
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.request("POST", f"/claim/{code}/", {**form, "csrfmiddlewaretoken": token})


CLAIM_COUNTERS_DB = 12  # a Redis database of these tests' own


def forget_claim_counters() -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=CLAIM_COUNTERS_DB)
    for key in client.scan_iter(match="*claim-wrong:*"):
        client.delete(key)


@pytest.fixture
def production_claim_server(collected_static, tmp_path):
    if not service_up(6379):
        skip_or_fail("no Redis at 127.0.0.1:6379")
    env = production_env(
        tmp_path,
        STATIC_ROOT=str(collected_static),
        DATABASE_URL=database_url(settings.DATABASES["default"]),
        # Production's Redis cache; the counters last a week, so each test
        # starts from none (the URL cannot carry a KEY_PREFIX).
        CACHE_URL=f"redis://127.0.0.1:6379/{CLAIM_COUNTERS_DB}",
    )
    forget_claim_counters()
    try:
        with gunicorn(env, tmp_path / "gunicorn.log") as server:
            yield server
    finally:
        forget_claim_counters()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_through_nginx_and_gunicorn_a_room_of_311_is_never_refused(production_claim_server):
    """Every phone of a room behind one address finds its code, a third of
    them after typos; a sample also completes the claim (each costs a
    production-strength password hash, about a second here; the in-process
    test above completes all 311)."""
    course = build_course(modules=1, lessons=1, questions=0)
    import_roster(CHUMPHON.read_bytes(), CHUMPHON.name,
                  TrainingCohortFactory(courses=[course]), mode="good_rows")
    claims = list(ClaimCode.objects.select_related("user").order_by("pk"))
    assert len(claims) == 311
    claimed = 0
    for n, claim in enumerate(claims):
        browser = ProxiedBrowser(production_claim_server, ROOM)
        for attempt in range(0 if n % 3 else 1 + n % 4):
            status, _, page = browser.request("GET", f"/claim/{wrong_code(n * 10 + attempt)}/")
            assert status == 404 and "ไม่พบรหัสนี้" in page
        if n % 30 == 0:
            status, headers, _ = browser.claim(claim.code, claim_form_of(claim, f"room-{n}"))
            assert status == 302 and headers["Location"] == "/accounts/welcome/", (n, status)
            claimed += 1
        else:
            status, _, page = browser.request("GET", f"/claim/{claim.code}/")
            assert status == 200 and "สวัสดี" in page, (n, status)
    assert ClaimCode.objects.filter(claimed_at__isnull=False).count() == claimed == 11


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_through_nginx_and_gunicorn_a_guesser_gets_a_thai_429_and_others_do_not(
    production_claim_server,
):
    """The default limit: 1,000 wrong codes a week from one address, each
    from a fresh browser with a made-up X-Forwarded-For of its own in front."""
    course = build_course(modules=1, lessons=1, questions=0)
    import_roster(csv_bytes(ROW_A), "a.csv", TrainingCohortFactory(courses=[course]),
                  mode="good_rows")
    code = ClaimCode.objects.get().code
    guesser = "198.51.100.99"
    for n in range(1000):
        spoofed = f"10.1.{n // 250}.{n % 250}, {guesser}"
        status, _, _ = ProxiedBrowser(production_claim_server, spoofed).request(
            "GET", f"/claim/{wrong_code(n)}/"
        )
        assert status == 404, (n, status)
    status, headers, page = ProxiedBrowser(production_claim_server, guesser).request(
        "GET", f"/claim/{code}/"
    )
    assert status == 429 and TOO_MANY_HERE in page and "สวัสดี" not in page
    assert int(headers["Retry-After"]) > 0
    status, _, page = ProxiedBrowser(production_claim_server, ROOM).request(
        "GET", f"/claim/{code}/"
    )
    assert status == 200 and "สวัสดี" in page
