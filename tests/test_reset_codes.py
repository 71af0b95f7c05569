"""Reset codes: a volunteer without e-mail gets back in with a one-time code
from their cohort's trainer (npv_site.accounts.reset_codes; the limits and
their arithmetic: npv_site.accounts.reset_code_limits)."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from courses import personal_data_registry
from npv_site.accounts.models import PasswordResetCode
from npv_site.accounts.reset_codes import issue_code
from npv_site.cohorts.models import CohortMembership
from tests.factories import TrainingCohortFactory, UserFactory, VolunteerProfileFactory

OLD_PASSWORD = "pass-2562-ok"
NEW_PASSWORD = "kaeng-som-2563"
NO_MATCH = "ชื่อผู้ใช้หรือรหัสไม่ถูกต้อง หรือรหัสหมดอายุแล้ว"
RESET_URL = "/accounts/reset-code/"
THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def make_trainer(username: str):
    user = UserFactory(username=username, first_name="วิทยากร", last_name=username)
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


@pytest.fixture
def trainer(db):
    return make_trainer("trainer-chumphon")


@pytest.fixture
def volunteer(db):
    return VolunteerProfileFactory(
        user=UserFactory(username="somying", email=""), first_name="สมหญิง", last_name="รักถิ่น"
    ).user


@pytest.fixture
def membership(trainer, volunteer):
    cohort = TrainingCohortFactory(trainers=[trainer], provinces=["ชุมพร"])
    return CohortMembership.objects.create(cohort=cohort, user=volunteer)


def issue_url(membership) -> str:
    return reverse("cohorts:issue_reset_code", args=[membership.cohort_id, membership.pk])


def trainer_issues(client, trainer, membership) -> str:
    client.force_login(trainer)
    page = client.post(issue_url(membership))
    assert page.status_code == 200
    code = re.search(r'data-testid="reset-code">([0-9 ]+)<', page.content.decode()).group(1)
    client.logout()
    return code


def reset_form(code: str, /, **overrides) -> dict:
    return {
        "username": "somying",
        "code": code,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def password_of(user) -> str:
    return get_user_model().objects.get(pk=user.pk).password


def can_log_in(username: str, password: str) -> bool:
    return Client().login(username=username, password=password)


def test_a_trainer_issues_a_code_the_volunteer_resets_and_is_logged_in(
    client, trainer, membership, volunteer
):
    client.force_login(trainer)
    slip = client.post(issue_url(membership))
    page = slip.content.decode()
    assert "สมหญิง รักถิ่น" in page and "somying" in page
    code = re.search(r'data-testid="reset-code">(\d{4} \d{4} \d{4})<', page).group(1)
    expires = PasswordResetCode.objects.get().expires_at
    # Buddhist-era year, the slip's expiry a day from now.
    assert str(timezone.localtime(expires).year + 543) in page
    assert timedelta(hours=23) < expires - timezone.now() <= timedelta(hours=24)
    assert "no-cache" in slip["Cache-Control"] or "no-store" in slip["Cache-Control"]
    assert reverse("accounts_reset_code") in page

    volunteer_client = Client()
    answer = volunteer_client.post(RESET_URL, reset_form(code), follow=True)
    assert answer.redirect_chain[-1][0] == reverse("courses:my_learning")
    assert "ตั้งรหัสผ่านใหม่เรียบร้อยแล้ว" in answer.content.decode()
    assert answer.context["user"] == volunteer
    assert can_log_in("somying", NEW_PASSWORD)
    assert not can_log_in("somying", OLD_PASSWORD)
    record = PasswordResetCode.objects.get()
    assert record.used_at is not None and record.issued_by == trainer


def test_the_code_is_not_stored_in_clear(client, trainer, membership):
    code = trainer_issues(client, trainer, membership).replace(" ", "")
    record = PasswordResetCode.objects.get()
    assert code not in record.code_hash
    assert len(record.code_hash) == 64


def test_a_code_works_once(client, trainer, membership, volunteer):
    code = trainer_issues(client, trainer, membership)
    assert Client().post(RESET_URL, reset_form(code)).status_code == 302
    after_first = password_of(volunteer)
    again = Client().post(
        RESET_URL, reset_form(code, password1="other-pass-2564", password2="other-pass-2564")
    )
    assert again.status_code == 400 and NO_MATCH in again.content.decode()
    assert password_of(volunteer) == after_first


def test_an_expired_code_is_refused(client, trainer, membership, volunteer):
    code = trainer_issues(client, trainer, membership)
    PasswordResetCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    before = password_of(volunteer)
    answer = Client().post(RESET_URL, reset_form(code))
    assert answer.status_code == 400 and NO_MATCH in answer.content.decode()
    assert password_of(volunteer) == before


@override_settings(RESET_CODE_VALID_HOURS=2)
def test_the_life_of_a_code_is_a_setting(volunteer, trainer):
    issued = issue_code(volunteer, trainer)
    assert issued.record.expires_at - issued.record.created_at == timedelta(hours=2)


def test_a_new_code_ends_the_older_one(client, trainer, membership, volunteer):
    first = trainer_issues(client, trainer, membership)
    second = trainer_issues(client, trainer, membership)
    assert first != second
    assert Client().post(RESET_URL, reset_form(first)).status_code == 400
    assert Client().post(RESET_URL, reset_form(second)).status_code == 302


def test_another_trainers_volunteer_is_not_found_and_nothing_is_issued(client, membership):
    other_trainer = make_trainer("trainer-nan")
    TrainingCohortFactory(trainers=[other_trainer])
    client.force_login(other_trainer)
    assert client.post(issue_url(membership)).status_code == 404
    assert not PasswordResetCode.objects.exists()


def test_a_volunteer_of_another_cohort_of_the_same_url_is_not_found(client, trainer, membership):
    # The trainer's own cohort in the URL, another cohort's membership.
    other = CohortMembership.objects.create(
        cohort=TrainingCohortFactory(trainers=[make_trainer("trainer-nan")]),
        user=UserFactory(username="nan-volunteer"),
    )
    client.force_login(trainer)
    url = reverse("cohorts:issue_reset_code", args=[membership.cohort_id, other.pk])
    assert client.post(url).status_code == 404
    assert not PasswordResetCode.objects.exists()


def test_a_volunteer_cannot_issue_codes(client, membership, volunteer):
    client.force_login(volunteer)
    assert client.post(issue_url(membership)).status_code in (302, 403)
    assert not PasswordResetCode.objects.exists()


def test_issuing_is_post_only(client, trainer, membership):
    client.force_login(trainer)
    assert client.get(issue_url(membership)).status_code == 405
    assert not PasswordResetCode.objects.exists()


def test_an_unclaimed_account_gets_no_reset_code(client, trainer, membership, volunteer):
    volunteer.set_unusable_password()
    volunteer.save()
    client.force_login(trainer)
    listing = client.get(reverse("cohorts:volunteers", args=[membership.cohort_id]))
    assert issue_url(membership) not in listing.content.decode()
    answer = client.post(issue_url(membership), follow=True)
    assert "ใช้รหัสรับบัญชีแทน" in answer.content.decode()
    assert not PasswordResetCode.objects.exists()


def test_no_trainer_can_reset_an_account_that_opens_the_admin(client, trainer, membership):
    # Another trainer in this trainer's cohort, say as a learner.
    other_trainer = make_trainer("trainer-nan")
    as_member = CohortMembership.objects.create(cohort=membership.cohort, user=other_trainer)
    client.force_login(trainer)
    answer = client.post(issue_url(as_member), follow=True)
    assert "เข้าหน้าผู้ดูแลระบบได้" in answer.content.decode()
    assert not PasswordResetCode.objects.exists()


def test_the_volunteers_row_offers_the_reset_code(client, trainer, membership):
    client.force_login(trainer)
    listing = client.get(reverse("cohorts:volunteers", args=[membership.cohort_id]))
    assert issue_url(membership) in listing.content.decode()
    assert "ออกรหัสตั้งรหัสผ่านใหม่" in listing.content.decode()


def test_a_wrong_user_name_and_a_wrong_code_get_the_same_message(client, trainer, membership):
    code = trainer_issues(client, trainer, membership)
    wrong_code = "0000 0000 0001" if code != "0000 0000 0001" else "0000 0000 0002"
    unknown = Client().post(RESET_URL, reset_form(code, username="nobody-here"))
    wrong = Client().post(RESET_URL, reset_form(wrong_code))
    assert unknown.status_code == wrong.status_code == 400
    assert NO_MATCH in unknown.content.decode() and NO_MATCH in wrong.content.decode()


def test_thai_digits_and_spaces_are_accepted(client, trainer, membership):
    code = trainer_issues(client, trainer, membership)
    thai = code.translate(THAI).replace(" ", "-")
    assert Client().post(RESET_URL, reset_form(thai, username="SomYing")).status_code == 302
    assert can_log_in("somying", NEW_PASSWORD)


def test_five_wrong_codes_kill_the_code(client, trainer, membership, volunteer):
    code = trainer_issues(client, trainer, membership)
    digits = code.replace(" ", "")
    wrongs = [f"{(int(digits) + n) % 10**12:012d}" for n in range(1, 6)]
    for n, wrong in enumerate(wrongs):
        # A fresh browser and address each time: the account's own count kills it.
        guesser = Client(REMOTE_ADDR=f"198.51.100.{n + 1}")
        assert guesser.post(RESET_URL, reset_form(wrong)).status_code == 400
    answer = Client(REMOTE_ADDR="198.51.100.99").post(RESET_URL, reset_form(code))
    assert answer.status_code == 400 and NO_MATCH in answer.content.decode()
    assert not can_log_in("somying", NEW_PASSWORD)
    assert PasswordResetCode.objects.get().wrong_tries == 5


def test_one_browser_is_stopped_after_ten_failures(client, trainer, membership):
    code = trainer_issues(client, trainer, membership)
    browser = Client(REMOTE_ADDR="198.51.100.7")
    for n in range(10):
        browser.post(RESET_URL, reset_form(code, username=f"nobody{n}"))
    refused = browser.post(RESET_URL, reset_form(code))
    assert refused.status_code == 429 and "ลองผิดหลายครั้งเกินไป" in refused.content.decode()
    assert refused["Retry-After"] == "3600"
    # The volunteer's own phone, on another network, still gets in.
    assert Client(REMOTE_ADDR="198.51.100.8").post(RESET_URL, reset_form(code)).status_code == 302


@override_settings(RESET_CODE_LIMITS={"per_address": 20})
def test_one_address_is_stopped_whatever_browser_it_uses(client, trainer, membership):
    code = trainer_issues(client, trainer, membership)
    for n in range(20):
        Client(REMOTE_ADDR="198.51.100.9").post(RESET_URL, reset_form(code, username=f"x{n}"))
    refused = Client(REMOTE_ADDR="198.51.100.9").post(RESET_URL, reset_form(code))
    assert refused.status_code == 429
    assert "จากเครือข่ายนี้" in refused.content.decode()
    assert not can_log_in("somying", NEW_PASSWORD)


def test_a_password_changed_elsewhere_ends_the_code(client, trainer, membership, volunteer):
    code = trainer_issues(client, trainer, membership)
    volunteer.set_password("remembered-it-2563")
    volunteer.save()
    assert Client().post(RESET_URL, reset_form(code)).status_code == 400
    assert can_log_in("somying", "remembered-it-2563")


def test_other_sessions_are_logged_out(client, trainer, membership, volunteer):
    code = trainer_issues(client, trainer, membership)
    elsewhere = Client()
    elsewhere.force_login(volunteer)
    assert elsewhere.get(reverse("accounts_profile")).status_code == 200
    assert Client().post(RESET_URL, reset_form(code)).status_code == 302
    assert elsewhere.get(reverse("accounts_profile")).status_code == 302


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"username": "", "code": "", "password1": "", "password2": ""}, "กรุณากรอกชื่อผู้ใช้"),
        ({"code": "x" * 10_000}, "รหัสมี 12 หลัก"),
        ({"code": "abcd efgh ijkl"}, "รหัสมี 12 หลัก"),
        ({"code": "1" * 13}, "รหัสมี 12 หลัก"),
        ({"username": "ก" * 10_000}, "ชื่อผู้ใช้ยาวเกินไป"),
        ({"password1": "p" * 10_000, "password2": "p" * 10_000}, "รหัสผ่านยาวเกินไป"),
        ({"password2": "something-else-2563"}, "รหัสผ่านสองช่องไม่ตรงกัน"),
        ({"password1": "12345678", "password2": "12345678"}, "รหัสผ่าน"),
    ],
)
def test_bad_input_gets_a_thai_message_and_changes_nothing(
    client, trainer, membership, volunteer, overrides, message
):
    code = trainer_issues(client, trainer, membership)
    before = password_of(volunteer)
    answer = Client().post(RESET_URL, reset_form(code, **overrides))
    assert answer.status_code == 400
    assert message in answer.content.decode()
    assert password_of(volunteer) == before
    assert PasswordResetCode.objects.get().used_at is None


def test_a_nul_character_is_refused_before_the_page_and_changes_nothing(
    client, trainer, membership, volunteer
):
    code = trainer_issues(client, trainer, membership)
    before = password_of(volunteer)
    answer = Client().post(RESET_URL, reset_form(code, username="\x00somying"))
    assert answer.status_code == 400  # the site's Thai page (npv_site.bad_input)
    assert password_of(volunteer) == before
    assert PasswordResetCode.objects.get().used_at is None


def test_an_empty_post_and_a_get_answer_without_error(db):
    assert Client().get(RESET_URL).status_code == 200
    assert Client().post(RESET_URL, {}).status_code == 400


def test_a_password_like_the_user_name_is_refused_and_the_code_kept(
    client, trainer, membership, volunteer
):
    code = trainer_issues(client, trainer, membership)
    answer = Client().post(RESET_URL, reset_form(code, password1="somying1", password2="somying1"))
    assert answer.status_code == 400
    assert PasswordResetCode.objects.get().used_at is None
    assert Client().post(RESET_URL, reset_form(code)).status_code == 302


def test_the_login_and_email_reset_pages_say_who_to_ask(db):
    login = Client().get(reverse("account_login")).content.decode()
    assert "ขอรหัสตั้งรหัสผ่านใหม่จากวิทยากรของรุ่น" in login
    assert f'href="{RESET_URL}"' in login
    by_email = Client().get(reverse("account_reset_password")).content.decode()
    assert f'href="{RESET_URL}"' in by_email
    assert "Please contact us" not in by_email


def test_the_codes_are_in_the_volunteers_data_and_go_with_the_account(
    client, trainer, membership, volunteer
):
    trainer_issues(client, trainer, membership)
    section = personal_data_registry.collect_personal_data(volunteer)["password_reset_codes"]
    assert len(section) == 1
    assert section[0]["issued_by"] == "วิทยากร trainer-chumphon"
    assert "code_hash" not in section[0]
    volunteer.delete()
    assert not PasswordResetCode.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_a_360_px_phone_a_trainer_issues_and_the_volunteer_resets(new_page, screenshot):
    from tests.browser import log_in

    trainer = make_trainer("trainer-chumphon")
    volunteer = VolunteerProfileFactory(
        user=UserFactory(username="somying", email=""), first_name="สมหญิง", last_name="รักถิ่น"
    ).user
    cohort = TrainingCohortFactory(trainers=[trainer], provinces=["ชุมพร"])
    CohortMembership.objects.create(cohort=cohort, user=volunteer)

    trainers_phone = new_page("phone")
    log_in(trainers_phone, trainer)
    trainers_phone.goto(reverse("cohorts:volunteers", args=[cohort.pk]))
    trainers_phone.on("dialog", lambda dialog: dialog.accept())
    trainers_phone.get_by_role("button", name="ออกรหัสตั้งรหัสผ่านใหม่").click()
    code_text = trainers_phone.get_by_test_id("reset-code")
    code = code_text.inner_text()
    assert re.fullmatch(r"\d{4} \d{4} \d{4}", code)
    assert trainers_phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(trainers_phone, "01-slip")

    volunteers_phone = new_page("phone")
    volunteers_phone.goto(reverse("account_login"))
    volunteers_phone.get_by_role("link", name="กรอกรหัสที่นี่").click()
    volunteers_phone.fill("#id_username", "somying")
    volunteers_phone.fill("#id_code", code.translate(THAI))
    volunteers_phone.fill("#id_password1", NEW_PASSWORD)
    volunteers_phone.fill("#id_password2", NEW_PASSWORD)
    assert volunteers_phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(volunteers_phone, "02-reset-form")
    volunteers_phone.get_by_role("button", name="ตั้งรหัสผ่านใหม่").click()
    volunteers_phone.wait_for_url("**/learn/")
    assert volunteers_phone.get_by_text("ตั้งรหัสผ่านใหม่เรียบร้อยแล้ว").is_visible()
    screenshot(volunteers_phone, "03-my-learning")
