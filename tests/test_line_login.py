"""Log in with LINE (allauth's LINE provider) against a local LINE Login
(tests/fake_line_login.py): sign up, log in again, link and unlink from the
profile, the data download and the deletion of the account; and without a
channel configured, no button and 404."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.auth import get_user_model
from django.test import Client

from npv_site.accounts.models import PRIVACY_NOTICE_VERSION, PrivacyConsent
from tests.factories import FACTORY_PASSWORD, UserFactory
from tests.fake_line_login import FakeLineLogin, line_settings

pytestmark = pytest.mark.django_db

LINE_BUTTON = "button--line"


@pytest.fixture
def fake_line(settings, monkeypatch):
    fake = FakeLineLogin().start()
    fake.install(monkeypatch)
    line_settings(settings, fake)
    yield fake
    fake.stop()
    assert not fake.refusals, f"LINE Login refused: {fake.refusals}"


def through_line(client: Client, fake: FakeLineLogin, process: str = "login", next_url: str = ""):
    """Tap the LINE button, let LINE (the fake) answer, follow it back to the
    site's callback: the site's answer to the callback."""
    data = {"process": process}
    if next_url:
        data["next"] = next_url
    to_line = client.post("/accounts/line/login/", data)
    assert to_line.status_code == 302, to_line.status_code
    assert to_line["Location"].startswith(f"{fake.url}/oauth2/v2.1/authorize?")
    back = requests.get(to_line["Location"], allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/accounts/line/login/callback/"
    return client.get(callback.path, parse_qs(callback.query))


def sign_up_with_line(client: Client, fake: FakeLineLogin, username: str = "somsri62"):
    to_signup = through_line(client, fake)
    assert to_signup.status_code == 302 and to_signup["Location"] == "/accounts/3rdparty/signup/"
    return client.post(
        "/accounts/3rdparty/signup/",
        {"first_name": "สมศรี", "last_name": "ใจงาม", "username": username, "consent": "on"},
    )


def test_sign_up_with_line_asks_the_short_sign_up_and_lands_on_the_welcome_page(
    client, fake_line
):
    to_signup = through_line(client, fake_line)
    assert to_signup["Location"] == "/accounts/3rdparty/signup/"
    page = client.get("/accounts/3rdparty/signup/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "สมัครเรียนด้วย LINE" in text
    # The LINE user id is neither offered as the user name nor anywhere on the page.
    assert fake_line.user.user_id not in text
    assert 'name="password1"' not in text

    done = client.post(
        "/accounts/3rdparty/signup/",
        {"first_name": "สมศรี", "last_name": "ใจงาม", "username": "somsri62", "consent": "on"},
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/welcome/"
    welcome = client.get("/accounts/welcome/")
    assert "ยินดีต้อนรับ คุณสมศรี" in welcome.content.decode()

    user = get_user_model().objects.get(username="somsri62")
    assert (user.first_name, user.last_name) == ("สมศรี", "ใจงาม")
    assert not user.has_usable_password()
    assert [c.notice_version for c in PrivacyConsent.objects.filter(user=user)] == [
        PRIVACY_NOTICE_VERSION
    ]
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == ("line", fake_line.user.user_id)
    # Only the display name is kept of LINE's profile; no token at all.
    assert account.extra_data == {"displayName": "สมศรี LINE"}
    assert not SocialToken.objects.exists()

    # What LINE Login requires of the authorize request and the token request.
    (authorize,) = fake_line.authorize_requests
    assert authorize["client_id"] == fake_line.channel_id
    assert authorize["response_type"] == "code"
    assert authorize["scope"] == "profile"
    assert authorize["redirect_uri"] == "http://testserver/accounts/line/login/callback/"
    assert authorize["bot_prompt"] == "normal"
    assert authorize["code_challenge_method"] == "S256" and authorize["code_challenge"]
    (token,) = fake_line.token_requests
    assert token["grant_type"] == "authorization_code"
    assert token["client_secret"] == fake_line.channel_secret
    assert token["code_verifier"]
    assert fake_line.profile_requests == 1


def test_the_line_sign_up_checks_the_thai_name_and_the_consent(client, fake_line):
    through_line(client, fake_line)
    page = client.post(
        "/accounts/3rdparty/signup/",
        {"first_name": "Somsri", "last_name": "ใจงาม", "username": "somsri62"},
    )
    assert page.status_code == 200
    form = page.context["form"]
    assert set(form.errors) == {"first_name", "consent"}
    assert "ต้องยินยอมตามประกาศความเป็นส่วนตัวจึงจะสมัครได้" in page.content.decode()
    assert not get_user_model().objects.filter(username="somsri62").exists()
    assert not SocialAccount.objects.exists()


def test_a_taken_user_name_is_refused_and_nothing_is_made(client, fake_line):
    UserFactory(username="somsri62")
    through_line(client, fake_line)
    page = client.post(
        "/accounts/3rdparty/signup/",
        {"first_name": "สมศรี", "last_name": "ใจงาม", "username": "somsri62", "consent": "on"},
    )
    assert page.status_code == 200 and "username" in page.context["form"].errors
    assert not SocialAccount.objects.exists()


def test_logging_in_again_with_line_opens_my_learning(client, fake_line):
    sign_up_with_line(client, fake_line)
    client.post("/accounts/logout/")
    again = through_line(client, fake_line)
    assert again.status_code == 302 and again["Location"] == "/learn/"
    user = get_user_model().objects.get(username="somsri62")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert SocialAccount.objects.get(user=user).last_login is not None
    assert get_user_model().objects.count() == 1


def test_cancelling_at_line_changes_nothing(client, fake_line):
    fake_line.deny_next = True
    response = through_line(client, fake_line)
    assert response.status_code == 302
    cancelled = client.get(response["Location"])
    assert "ยกเลิกการเข้าสู่ระบบด้วย LINE" in cancelled.content.decode()
    assert "_auth_user_id" not in client.session
    assert not SocialAccount.objects.exists()


def test_a_forged_callback_is_a_thai_error_page_not_a_500(client, fake_line):
    response = client.get("/accounts/line/login/callback/", {"code": "x", "state": "forged"})
    # allauth answers an authentication error with 401.
    assert response.status_code == 401
    assert "เข้าสู่ระบบด้วย LINE ไม่สำเร็จ" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_buttons_are_on_the_login_sign_up_and_profile_pages(client, fake_line):
    assert LINE_BUTTON in client.get("/accounts/login/").content.decode()
    assert "สมัครด้วย LINE" in client.get("/accounts/signup/").content.decode()
    client.force_login(UserFactory())
    profile = client.get("/accounts/profile/").content.decode()
    assert 'name="process" value="connect"' in profile
    assert "ไม่ต้องมีอีเมล" in profile


def test_linking_line_from_the_profile_then_logging_in_with_it(client, fake_line):
    user = UserFactory(username="kanya")
    client.force_login(user)
    linked = through_line(client, fake_line, process="connect", next_url="/accounts/profile/")
    assert linked.status_code == 302 and linked["Location"] == "/accounts/profile/"
    account = SocialAccount.objects.get(user=user)
    assert account.uid == fake_line.user.user_id
    profile = client.get("/accounts/profile/")
    text = profile.content.decode()
    assert "เชื่อมต่อบัญชี LINE แล้ว" in text  # the message
    assert "“สมศรี LINE”" in text
    assert "ยกเลิกการเชื่อมต่อ LINE" in text

    client.post("/accounts/logout/")
    again = through_line(client, fake_line)
    assert again["Location"] == "/learn/"
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_line_account_linked_to_someone_else_is_not_moved(client, fake_line):
    other = UserFactory(username="other")
    SocialAccount.objects.create(user=other, provider="line", uid=fake_line.user.user_id)
    user = UserFactory(username="kanya")
    client.force_login(user)
    response = through_line(client, fake_line, process="connect")
    assert response["Location"] == "/accounts/profile/"
    messages = [str(m) for m in client.get("/accounts/profile/").context["messages"]]
    assert any("เชื่อมกับบัญชีอื่น" in m for m in messages)
    assert SocialAccount.objects.get(uid=fake_line.user.user_id).user == other


def test_unlinking_is_refused_while_line_is_the_only_way_in(client, fake_line):
    sign_up_with_line(client, fake_line)
    user = get_user_model().objects.get(username="somsri62")
    profile = client.get("/accounts/profile/").content.decode()
    assert "ตั้งรหัสผ่าน</a>ก่อน" in profile
    assert "accounts/profile/line/unlink/" not in profile
    response = client.post("/accounts/profile/line/unlink/")
    assert response["Location"] == "/accounts/profile/"
    messages = [str(m) for m in client.get("/accounts/profile/").context["messages"]]
    assert any("ยังไม่มีรหัสผ่าน" in m for m in messages), messages
    assert SocialAccount.objects.filter(user=user).exists()


def test_unlinking_is_allowed_with_a_password(client, fake_line):
    user = UserFactory(username="kanya")
    SocialAccount.objects.create(user=user, provider="line", uid="U" + "a" * 32)
    client.force_login(user)
    response = client.post("/accounts/profile/line/unlink/")
    assert response["Location"] == "/accounts/profile/"
    messages = [str(m) for m in client.get("/accounts/profile/").context["messages"]]
    assert "ยกเลิกการเชื่อมต่อ LINE แล้ว" in messages
    assert not SocialAccount.objects.filter(user=user).exists()
    # The password still works.
    client.post("/accounts/logout/")
    assert Client().login(username="kanya", password=FACTORY_PASSWORD)


def test_unlinking_needs_a_post(client, fake_line):
    user = UserFactory()
    SocialAccount.objects.create(user=user, provider="line", uid="U" + "b" * 32)
    client.force_login(user)
    assert client.get("/accounts/profile/line/unlink/").status_code == 405
    assert SocialAccount.objects.filter(user=user).exists()


def test_allauths_connections_page_is_the_profile(client, fake_line):
    client.force_login(UserFactory())
    assert client.get("/accounts/3rdparty/")["Location"] == "/accounts/profile/"


def test_the_data_download_has_the_line_link_and_no_token(client, fake_line):
    sign_up_with_line(client, fake_line)
    data = json.loads(client.get("/accounts/profile/data/").content)
    (link,) = data["social_accounts"]
    assert link["provider"] == "line"
    assert link["uid"] == fake_line.user.user_id
    assert link["linked_at"] and link["last_login"]
    assert link["profile"] == {"displayName": "สมศรี LINE"}
    assert "token" not in json.dumps(data).lower()


def test_deleting_the_account_deletes_the_line_link(client, fake_line):
    user = UserFactory(username="kanya")
    client.force_login(user)
    through_line(client, fake_line, process="connect")
    assert SocialAccount.objects.filter(user=user).count() == 1
    response = client.post("/accounts/delete/", {"password": FACTORY_PASSWORD})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not SocialAccount.objects.exists()


def test_an_account_without_a_password_is_deleted_after_logging_in_with_line_again(
    client, fake_line, monkeypatch
):
    sign_up_with_line(client, fake_line)
    user = get_user_model().objects.get(username="somsri62")
    with monkeypatch.context() as later:
        # Long after the sign-up: the phone was left logged in.
        later.setattr("npv_site.accounts.views.time.time", lambda: 10**11)
        page = client.get("/accounts/delete/").content.decode()
        assert "ยืนยันตัวตนด้วย LINE" in page and 'name="confirm"' not in page
        refused = client.post("/accounts/delete/", {"confirm": "on"})
        assert refused.status_code == 403
        assert get_user_model().objects.filter(pk=user.pk).exists()
    again = through_line(client, fake_line, next_url="/accounts/delete/")
    assert again["Location"] == "/accounts/delete/"
    page = client.get("/accounts/delete/").content.decode()
    assert 'name="confirm"' in page
    assert client.post("/accounts/delete/", {}).status_code == 200
    assert client.post("/accounts/delete/", {"confirm": "on"}).status_code == 302
    assert not get_user_model().objects.filter(pk=user.pk).exists()
    assert not SocialAccount.objects.exists()


def test_the_csp_lets_the_form_go_on_to_lines_authorize_page(client, fake_line):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    (form_action,) = [part for part in policy.split(";") if "form-action" in part]
    assert form_action.split() == ["form-action", "'self'", fake_line.url]


def test_the_csp_names_lines_real_authorize_origin(client, settings):
    fake = FakeLineLogin()  # configured, not installed: LINE's own URLs
    line_settings(settings, fake)
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    assert "form-action 'self' https://access.line.me" in policy
    admin_policy = client.get("/admin/login/")["Content-Security-Policy"]
    assert "access.line.me" not in admin_policy


def test_the_bot_prompt_follows_the_setting(client, settings, fake_line):
    line_settings(settings, fake_line, bot_prompt="aggressive")
    through_line(client, fake_line)
    assert fake_line.authorize_requests[-1]["bot_prompt"] == "aggressive"
    line_settings(settings, fake_line, bot_prompt="")
    through_line(client, fake_line)
    assert "bot_prompt" not in fake_line.authorize_requests[-1]


# -- no LINE channel configured (the default) --------------------------------


def test_without_a_channel_there_is_no_line_button_anywhere(client):
    for url in ("/accounts/login/", "/accounts/signup/"):
        text = client.get(url).content.decode()
        assert LINE_BUTTON not in text and "LINE" not in text, url
    client.force_login(UserFactory())
    for url in ("/accounts/profile/", "/accounts/welcome/", "/accounts/delete/"):
        text = client.get(url).content.decode()
        assert LINE_BUTTON not in text and "LINE" not in text, url
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    assert "form-action 'self';" in policy + ";"


@pytest.mark.parametrize("method", ["get", "post"])
def test_without_a_channel_the_line_urls_answer_404(client, method):
    for url in ("/accounts/line/login/", "/accounts/line/login/callback/?code=x&state=y"):
        assert getattr(client, method)(url).status_code == 404, url


def test_an_account_without_a_password_is_told_how_to_delete_it_once_line_is_off(client):
    user = UserFactory()
    user.set_unusable_password()
    user.save()
    SocialAccount.objects.create(user=user, provider="line", uid="U" + "c" * 32)
    client.force_login(user)
    page = client.get("/accounts/delete/").content.decode()
    assert "/accounts/password/set/" in page and LINE_BUTTON not in page
    assert client.post("/accounts/delete/", {"confirm": "on"}).status_code == 403
    assert get_user_model().objects.filter(pk=user.pk).exists()


def test_a_first_password_for_a_line_account_asks_for_line_again(client, fake_line, monkeypatch):
    """Otherwise a phone left logged in could set a password and, with it,
    delete the account that deleting guards by a fresh LINE login."""
    sign_up_with_line(client, fake_line)
    user = get_user_model().objects.get(username="somsri62")
    new = {"password1": "ข้าวหอมมะลิ-2562!", "password2": "ข้าวหอมมะลิ-2562!"}
    with monkeypatch.context() as later:
        later.setattr("npv_site.accounts.views.time.time", lambda: 10**11)
        page = client.get("/accounts/password/set/").content.decode()
        assert "ยืนยันตัวตนด้วย LINE" in page and 'name="password1"' not in page
        assert client.post("/accounts/password/set/", new).status_code == 403
        user.refresh_from_db()
        assert not user.has_usable_password()
    again = through_line(client, fake_line, next_url="/accounts/password/set/")
    assert again["Location"] == "/accounts/password/set/"
    assert 'name="password1"' in client.get("/accounts/password/set/").content.decode()
    assert client.post("/accounts/password/set/", new).status_code == 302
    user.refresh_from_db()
    assert user.check_password(new["password1"])


def test_an_account_with_a_password_changes_it_as_before(client, fake_line):
    user = UserFactory(username="kanya")
    client.force_login(user)
    # allauth sends an account that has a password on to its change page.
    response = client.get("/accounts/password/set/")
    assert response.status_code == 302 and "/accounts/password/change/" in response["Location"]
