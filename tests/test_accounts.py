import json
import re
from typing import ClassVar

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from npv_site.accounts.models import VolunteerProfile
from npv_site.accounts.validators import normalise_phone, validate_thai_name
from tests.factories import UserFactory, VolunteerProfileFactory

User = get_user_model()

GOOD_SIGNUP = {
    "first_name": "นงนุช",
    "last_name": "ศรีสุข",
    "username": "nongnuch",
    "email": "",
    "password1": "Village-2562-net",
    "password2": "Village-2562-net",
    "consent": "on",
}
# What the profile page asks when a certificate needs it.
GOOD_PROFILE = {
    "title": "นางสาว",
    "title_other": "",
    "first_name": "นงนุช",
    "last_name": "ศรีสุข",
    "name_en": "Nongnuch Srisuk",
    "phone": "081-234 5678",
    "province": "ระนอง",
    "district": "เมืองระนอง",
    "subdistrict": "บางริ้น",
    "village_no": "3",
    "village_name": "บ้านบางริ้น",
    "consent": "on",
}


@pytest.mark.django_db
def test_signup_creates_the_account_with_its_thai_name_and_the_profile_comes_later(client):
    response = client.post(reverse("account_signup"), GOOD_SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(username="nongnuch")
    assert (user.first_name, user.last_name) == ("นงนุช", "ศรีสุข")
    assert not VolunteerProfile.objects.exists()
    # The consent given at sign-up is recorded with the profile, at its moment.
    response = client.post(reverse("accounts_profile"), {**GOOD_PROFILE, "consent": ""})
    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.full_name == "นางสาวนงนุช ศรีสุข"
    assert profile.phone == "0812345678"
    assert abs((profile.consented_at - user.date_joined).total_seconds()) < 5
    assert profile.privacy_notice_version


class CountingHasher(MD5PasswordHasher):
    """The test hasher, counting: in production each hash is PBKDF2's
    1,000,000 rounds (~0.25 s of CPU), most of a sign-up's cost."""

    calls: ClassVar[list[str]] = []

    def encode(self, password, salt):
        self.calls.append("encode")
        return super().encode(password, salt)

    def verify(self, password, encoded):
        self.calls.append("verify")
        return super().verify(password, encoded)


@pytest.mark.django_db
def test_signup_hashes_the_password_once_and_never_checks_it(client, settings):
    settings.PASSWORD_HASHERS = ["tests.test_accounts.CountingHasher"]
    # Login throttling on, as in production: its login signal must not check it either.
    settings.AXES_ENABLED = True
    CountingHasher.calls.clear()
    client.get(reverse("account_signup"))
    response = client.post(reverse("account_signup"), GOOD_SIGNUP, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302
    client.get(response["Location"], REMOTE_ADDR="10.0.0.7")
    assert CountingHasher.calls == ["encode"]
    assert User.objects.get(username="nongnuch").check_password(GOOD_SIGNUP["password1"])


@pytest.mark.django_db
def test_signup_does_not_look_for_codes_of_a_user_just_created(client):
    client.get(reverse("account_signup"))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("account_signup"), GOOD_SIGNUP)
    assert response.status_code == 302
    sql = [query["sql"] for query in queries.captured_queries]
    assert any('INSERT INTO "auth_user"' in statement for statement in sql)
    assert not [s for s in sql if "cohorts_claimcode" in s or "accounts_passwordresetcode" in s]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("first_name", "Nongnuch", "กรุณากรอกชื่อเป็นภาษาไทย"),
        ("last_name", "", "กรุณากรอกนามสกุล"),
        ("consent", "", "ต้องยินยอมตามประกาศความเป็นส่วนตัว"),
    ],
)
@pytest.mark.django_db
def test_signup_with_bad_input_shows_thai_message_and_creates_nothing(client, field, value, message):
    data = {**GOOD_SIGNUP, field: value}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="nongnuch").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "เบอร์โทรศัพท์ไม่ถูกต้อง"),
        ("first_name", "Nongnuch", "กรุณากรอกชื่อเป็นภาษาไทย"),
        ("province", "Atlantis", "เลือกตัวเลือกที่ถูกต้อง"),
        ("village_no", "120", "น้อยกว่าหรือเท่ากับ 99"),
        ("consent", "", "ต้องยินยอมตามประกาศความเป็นส่วนตัว"),
        ("title", "other", "กรุณาระบุคำนำหน้าชื่อ"),
    ],
)
@pytest.mark.django_db
def test_completing_the_profile_with_bad_input_shows_thai_message_and_creates_nothing(
    client, field, value, message
):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts_profile"), {**GOOD_PROFILE, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not VolunteerProfile.objects.exists()


def test_phone_numbers_are_normalised_to_thai_local_form():
    assert normalise_phone("+66 81 234 5678") == "0812345678"
    assert normalise_phone("077-511-234") == "077511234"
    assert normalise_phone("๐๘๑-๒๓๔-๕๖๗๘") == "0812345678"


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("081-234-567l", "“l”"),
        ("081.234.5678", "“.”"),
        ("(081) 234 5678", "“(”"),
        ("081\t2345678", "U+0009"),
        ("081²345678", "“²”"),
    ],
)
def test_a_phone_with_anything_but_digits_spaces_and_dashes_is_refused_naming_it(typed, named):
    with pytest.raises(ValidationError) as caught:
        normalise_phone(typed)
    assert caught.value.messages[0].startswith("เบอร์โทรศัพท์ไม่ถูกต้อง")
    assert named in caught.value.messages[0]


def test_a_plus_is_only_the_thai_country_code():
    with pytest.raises(ValidationError, match=r"\+66"):
        normalise_phone("+44 20 7946 0958")
    with pytest.raises(ValidationError, match="“\\+”"):
        normalise_phone("081+2345678")


@pytest.mark.django_db
def test_the_profile_refuses_a_phone_typed_with_a_letter_and_creates_nothing(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts_profile"), {**GOOD_PROFILE, "phone": "081-234-567l"})
    assert response.status_code == 200
    assert "เบอร์โทรศัพท์ไม่ถูกต้อง มี “l” ซึ่งไม่ใช่ตัวเลข" in response.content.decode()
    assert not VolunteerProfile.objects.exists()


@pytest.mark.django_db
def test_the_profile_reads_thai_digits_in_the_phone(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts_profile"), {**GOOD_PROFILE, "phone": "๐๘๑-๒๓๔-๕๖๗๘"})
    assert response.status_code == 302
    assert VolunteerProfile.objects.get().phone == "0812345678"


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u200e", "\u200f", "\u202b"]


@pytest.mark.parametrize("mark", INVISIBLE, ids=[f"U+{ord(m):04X}" for m in INVISIBLE])
@pytest.mark.django_db
def test_signup_takes_a_thai_name_with_invisible_characters_and_stores_it_without(client, mark):
    data = {**GOOD_SIGNUP, "first_name": f"นง{mark}นุช", "last_name": f"{mark}ศรีสุข"}
    response = client.post(reverse("account_signup"), data)
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="nongnuch")
    assert (user.first_name, user.last_name) == ("นงนุช", "ศรีสุข")
    data = {**GOOD_PROFILE, "village_name": f"บ้าน{mark}บางริ้น"}
    assert client.post(reverse("accounts_profile"), data).status_code == 302
    assert VolunteerProfile.objects.get().village_name == "บ้านบางริ้น"


@pytest.mark.django_db
def test_profile_edit_removes_invisible_characters_and_refuses_a_lettered_phone(client):
    profile = VolunteerProfileFactory(phone="0811111111")
    client.force_login(profile.user)
    data = {f: getattr(profile, f) for f in ("title", "province", "district", "subdistrict",
                                            "village_no", "village_name")}
    data.update(first_name="สม\u200bศรี", last_name="ดี\u2060ใจ", phone="0822222222")
    assert client.post(reverse("accounts_profile"), data).status_code == 302
    profile.refresh_from_db()
    assert (profile.first_name, profile.last_name, profile.phone) == ("สมศรี", "ดีใจ", "0822222222")

    response = client.post(reverse("accounts_profile"), {**data, "phone": "08l2222222"})
    assert "มี “l” ซึ่งไม่ใช่ตัวเลข" in response.content.decode()
    profile.refresh_from_db()
    assert profile.phone == "0822222222"


def test_a_name_rule_message_names_the_real_problem():
    with pytest.raises(ValidationError) as caught:
        validate_thai_name("สม\u200bศรี")
    assert "U+200B" in caught.value.messages[0] and "มองไม่เห็น" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        validate_thai_name("สมศรี2")
    assert caught.value.messages[0] == "กรุณากรอกชื่อเป็นภาษาไทย (“2” ไม่ใช่ตัวอักษรไทย)"


@pytest.mark.django_db
def test_volunteer_downloads_own_data_as_json(client):
    profile = VolunteerProfileFactory(first_name="บุญมี")
    client.force_login(profile.user)
    response = client.get(reverse("accounts_download_data"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["profile"]["first_name"] == "บุญมี"
    assert data["account"]["username"] == profile.user.username
    assert "learning" in data


@pytest.mark.django_db
def test_deleting_account_needs_password_and_removes_personal_data(client):
    profile = VolunteerProfileFactory()
    user = profile.user
    client.force_login(user)
    response = client.post(reverse("accounts_delete"), {"password": "wrong"})
    assert "รหัสผ่านไม่ถูกต้อง" in response.content.decode()
    assert User.objects.filter(pk=user.pk).exists()

    response = client.post(reverse("accounts_delete"), {"password": "pass-2562-ok"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
    assert not VolunteerProfile.objects.filter(pk=profile.pk).exists()


@pytest.mark.django_db
def test_profile_edit_rejects_bad_phone_and_keeps_old_value(client):
    profile = VolunteerProfileFactory(phone="0811111111")
    client.force_login(profile.user)
    data = {f: getattr(profile, f) for f in ("title", "first_name", "last_name", "province",
                                            "district", "subdistrict", "village_no", "village_name")}
    response = client.post(reverse("accounts_profile"), {**data, "phone": "abc"})
    assert "เบอร์โทรศัพท์ไม่ถูกต้อง" in response.content.decode()
    profile.refresh_from_db()
    assert profile.phone == "0811111111"


@pytest.mark.django_db
def test_demo_accounts_are_refused_under_production_settings(client, settings):
    UserFactory(username="demo-volunteer", password="volunteer-2562")
    assert client.login(username="demo-volunteer", password="volunteer-2562")
    client.logout()
    settings.DEMO_ACCOUNTS_ALLOWED = False
    assert not client.login(username="demo-volunteer", password="volunteer-2562")
    response = client.post(
        reverse("account_login"),
        {"login": "demo-volunteer", "password": "volunteer-2562"},
        follow=True,
    )
    assert "บัญชีตัวอย่างใช้ไม่ได้ในระบบจริง" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_data_download_includes_quiz_attempts_with_answers(client):
    from courses.attempts import save_answers, start_attempt
    from courses.models import ModulePage
    from tests.factories import build_course

    profile = VolunteerProfileFactory()
    course = build_course(modules=1, lessons=1, questions=1)
    module = ModulePage.objects.child_of(course).first()
    attempt = start_attempt(profile.user, module)
    question = attempt.questions[0]
    choice = question["choices"][0]["id"]
    save_answers(profile.user, attempt.pk, {str(question["id"]): [choice]})
    client.force_login(profile.user)
    data = json.loads(client.get(reverse("accounts_download_data")).content)
    [exported] = data["learning"]["quiz_attempts"]
    assert exported["module"] == module.title
    assert exported["answers"] == {str(question["id"]): [choice]}


@pytest.mark.django_db
def test_reauthentication_asks_for_the_password_and_offers_no_emailed_code(client):
    """allauth 65.22 can re-authenticate by a code sent by e-mail; it is off on purpose
    (most volunteers have no e-mail), so the password prompt offers no code and the
    code route refuses even a signed-in volunteer."""
    client.force_login(UserFactory())
    page = client.get(reverse("account_reauthenticate"))
    assert page.status_code == 200
    assert reverse("account_request_reauthentication_code") not in page.content.decode()
    assert client.post(reverse("account_request_reauthentication_code")).status_code == 403
    assert client.get(reverse("account_confirm_reauthentication_code")).status_code == 403


@pytest.mark.django_db
def test_a_failed_login_says_why_once_and_offers_one_way_back(client):
    page = client.post(
        reverse("account_login"), {"login": "nobody", "password": "wrong-password"}
    ).content.decode()
    assert page.count("ไม่ถูกต้อง") == 1
    assert page.count(reverse("account_reset_password")) == 1


@pytest.mark.django_db
def test_the_home_page_title_names_the_site_once(client):
    title = re.search(r"<title>(.*?)</title>", client.get("/").content.decode(), re.S)
    assert title.group(1).strip() == "เน็ตอาสาประชารัฐ e-Learning"


@pytest.mark.django_db
def test_other_pages_title_themselves_then_the_site(client):
    title = re.search(r"<title>(.*?)</title>", client.get("/accounts/login/").content.decode())
    assert title.group(1) == "เข้าสู่ระบบ · เน็ตอาสาประชารัฐ e-Learning"


@pytest.mark.django_db
def test_the_language_switch_names_each_language_in_itself(client):
    page = client.get("/").content.decode()
    assert 'lang="en">English</button>' in page
    assert "อังกฤษ</button>" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["account_reset_password", "account_reset_password_done"])
def test_reset_is_spelled_one_way(client, url):
    """allauth's Thai mixes รีเซ็ท and รีเซ็ต; site/locale_admin makes it รีเซ็ต throughout."""
    page = client.get(reverse(url)).content.decode()
    assert "รีเซ็ตรหัสผ่าน" in page
    assert "รีเซ็ท" not in page
