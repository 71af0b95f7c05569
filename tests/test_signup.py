"""The short, forgiving sign-up and what follows it: the welcome page that
starts the first lesson in one tap, the profile a certificate needs, asked for
when the certificate is due, and the register's place names as suggestions."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse

from certificates import lifecycle, tasks
from certificates.models import Certificate
from courses.models import Enrolment, LessonPage, ModulePage
from npv_site.accounts.models import PRIVACY_NOTICE_VERSION, PrivacyConsent, VolunteerProfile
from npv_site.cohorts.importing import import_roster
from npv_site.cohorts.invitations import accept_invitation, invite
from npv_site.cohorts.models import ClaimCode, Village
from tests.certificates_support import COMPLETED_AT, new_course
from tests.factories import (
    TrainingCohortFactory,
    UserFactory,
    VolunteerProfileFactory,
    build_course,
)
from tests.test_accounts import GOOD_PROFILE, GOOD_SIGNUP
from tests.test_roster_import import ROW_A, csv_bytes

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def first_lesson(course) -> LessonPage:
    module = ModulePage.objects.child_of(course).order_by("path").first()
    return LessonPage.objects.child_of(module).order_by("path").first()


# -- Sign-up ----------------------------------------------------------------


def test_the_signup_page_asks_only_the_name_the_login_and_consent(client):
    page = client.get(reverse("account_signup")).content.decode()
    names = re.findall(r'<(?:input|select)[^>]* name="([a-z_0-9]+)"', page)
    fields = [n for n in names if n not in ("csrfmiddlewaretoken", "language", "next")]
    assert fields == [
        "first_name", "last_name", "username", "email", "password1", "password2", "consent"
    ]


def test_a_signup_with_a_mistake_keeps_every_field_and_lists_it_at_the_top(client):
    data = {**GOOD_SIGNUP, "first_name": "Nongnuch", "email": "nong@example.org"}
    page = client.post(reverse("account_signup"), data).content.decode()
    main = page[page.index('<main'):]
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1".*?</div>', main, re.S)
    assert summary, "no error summary"
    # First in the page's content, before the heading and the form.
    assert summary.start() < main.index("<h1>") < main.index("<form")
    assert 'href="#id_first_name"' in summary.group(0)
    assert "กรุณากรอกชื่อเป็นภาษาไทย" in summary.group(0)
    assert 'id="id_first_name"' in main
    for name, value in (("first_name", "Nongnuch"), ("last_name", "ศรีสุข"),
                        ("username", "nongnuch"), ("email", "nong@example.org"),
                        ("password1", GOOD_SIGNUP["password1"]),
                        ("password2", GOOD_SIGNUP["password2"])):
        assert re.search(rf'name="{name}" value="{re.escape(value)}"', main), name
    assert re.search(r'name="consent"[^>]* checked', main)
    assert "js/error-summary.js" in page
    assert not User.objects.filter(username="nongnuch").exists()


def test_passwords_that_are_the_mistake_come_back_empty(client):
    data = {**GOOD_SIGNUP, "password2": "Village-2562-nett"}
    page = client.post(reverse("account_signup"), data).content.decode()
    assert 'href="#id_password2"' in page
    assert GOOD_SIGNUP["password1"] not in page
    assert re.search(r'name="username" value="nongnuch"', page)


def test_the_signup_page_with_passwords_in_it_is_never_stored(client):
    response = client.post(reverse("account_signup"), {**GOOD_SIGNUP, "last_name": ""})
    assert GOOD_SIGNUP["password1"] in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_a_short_signup_lands_on_the_welcome_page(client):
    response = client.post(reverse("account_signup"), GOOD_SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts_welcome")
    assert client.session["_auth_user_id"] == str(User.objects.get(username="nongnuch").pk)
    page = client.get(response["Location"]).content.decode()
    assert "ยินดีต้อนรับ คุณนงนุช" in page


# -- The welcome page ---------------------------------------------------------


def test_the_welcome_page_enrols_and_opens_the_first_lesson_in_one_tap(client):
    course = build_course(modules=2, lessons=2, questions=1)
    lesson = first_lesson(course)
    user = UserFactory(first_name="นงนุช")
    client.force_login(user)
    page = client.get(reverse("accounts_welcome")).content.decode()
    enrol_url = reverse("courses:enrol_in_course", args=[course.pk])
    form = re.search(rf'<form method="post" action="{enrol_url}">.*?</form>', page, re.S)
    assert form, page
    assert f'name="next" value="{lesson.url}"' in form.group(0)
    assert f"เริ่มบทเรียนแรก: {lesson.title}" in form.group(0)
    # The one tap: enrolled, and on the first lesson.
    response = client.post(enrol_url, {"next": lesson.url})
    assert response.status_code == 302 and response["Location"] == lesson.url
    assert Enrolment.objects.filter(user=user, course=course).exists()
    # Afterwards the page offers the lesson as a link, not another enrolment.
    page = client.get(reverse("accounts_welcome")).content.decode()
    assert enrol_url not in page
    assert f'href="{lesson.url}"' in page


def test_the_welcome_page_asks_for_the_profile_only_when_there_is_none(client):
    build_course(modules=1, lessons=1, questions=0)
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("accounts_welcome")).content.decode()
    assert "ที่อยู่หมู่บ้านที่จะพิมพ์บนเกียรติบัตร" in page
    VolunteerProfileFactory(user=user)
    page = client.get(reverse("accounts_welcome")).content.decode()
    assert "ที่อยู่หมู่บ้านที่จะพิมพ์บนเกียรติบัตร" not in page


def test_a_claimed_account_lands_on_the_first_lesson_of_its_cohorts_course(client):
    course = build_course(modules=1, lessons=2, questions=1)
    import_roster(csv_bytes(ROW_A), "a.csv", TrainingCohortFactory(courses=[course]),
                  mode="good_rows")
    claim = ClaimCode.objects.get()
    response = client.post(f"/claim/{claim.code}/", {
        "title": "นาง", "title_other": "", "first_name": "นฤมล", "last_name": "ฤทธิ์เดช",
        "username": "narumon62", "password1": "lamae-wifi-2562",
        "password2": "lamae-wifi-2562", "consent": "on",
    })
    assert response.status_code == 302 and response["Location"] == reverse("accounts_welcome")
    assert Enrolment.objects.filter(user=claim.user, course=course).exists()
    page = client.get(response["Location"]).content.decode()
    lesson = first_lesson(course)
    assert f'href="{lesson.url}"' in page
    assert reverse("courses:enrol_in_course", args=[course.pk]) not in page
    # The roster gave the profile: nothing more to ask for the certificate.
    assert "ที่อยู่หมู่บ้านที่จะพิมพ์บนเกียรติบัตร" not in page


def test_an_accepted_invitation_enrols_and_my_learning_points_at_the_first_lesson(client):
    course = build_course(modules=1, lessons=2, questions=1)
    cohort = TrainingCohortFactory(courses=[course])
    profile = VolunteerProfileFactory()
    invitation, _created = invite(cohort, profile.user, invited_by=None)
    accept_invitation(invitation, profile.user)
    assert Enrolment.objects.filter(user=profile.user, course=course).exists()
    client.force_login(profile.user)
    page = client.get(reverse("courses:my_learning")).content.decode()
    assert f'href="{first_lesson(course).url}"' in page


# -- The profile, completed when a certificate needs it ----------------------


def test_the_profile_page_creates_the_profile_and_asks_consent_when_signup_did_not(client):
    user = UserFactory(first_name="นงนุช", last_name="ศรีสุข")
    client.force_login(user)
    page = client.get(reverse("accounts_profile")).content.decode()
    assert "กรอกข้อมูลสำหรับเกียรติบัตร" in page
    # The name from the sign-up, to confirm.
    assert 'name="first_name" value="นงนุช"' in page
    assert 'name="consent"' in page
    response = client.post(reverse("accounts_profile"), {**GOOD_PROFILE, "consent": ""})
    assert response.status_code == 200
    assert 'href="#id_consent"' in response.content.decode()
    assert not VolunteerProfile.objects.exists()
    response = client.post(reverse("accounts_profile"), GOOD_PROFILE)
    assert response.status_code == 302
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.consented_at is not None and profile.village_no == 3


def test_after_signup_the_profile_page_does_not_ask_the_consent_again(client):
    client.post(reverse("account_signup"), GOOD_SIGNUP)
    page = client.get(reverse("accounts_profile")).content.decode()
    assert 'name="consent"' not in page
    assert 'name="first_name" value="นงนุช"' in page


def test_the_signup_consent_is_recorded_and_serves_a_profile_completed_on_another_phone(
    client, django_user_model
):
    client.post(reverse("account_signup"), GOOD_SIGNUP)
    user = django_user_model.objects.get(username=GOOD_SIGNUP["username"])
    consent = PrivacyConsent.objects.get(user=user)
    assert consent.notice_version == PRIVACY_NOTICE_VERSION

    # Another phone, days later: a new session, and the consent is not asked again.
    client.logout()
    client.force_login(user)
    assert 'name="consent"' not in client.get(reverse("accounts_profile")).content.decode()
    assert client.post(reverse("accounts_profile"), GOOD_PROFILE).status_code == 302
    profile = VolunteerProfile.objects.get(user=user)
    assert profile.consented_at == consent.given_at
    assert profile.privacy_notice_version == PRIVACY_NOTICE_VERSION

    download = client.get(reverse("accounts_download_data")).json()
    assert download["privacy_consents"] == [
        {"given_at": consent.given_at.isoformat(), "notice_version": PRIVACY_NOTICE_VERSION}
    ]


def test_a_consent_to_an_older_notice_is_asked_again(client):
    user = UserFactory()
    PrivacyConsent.objects.create(user=user, notice_version="2020-01")
    client.force_login(user)
    assert 'name="consent"' in client.get(reverse("accounts_profile")).content.decode()
    response = client.post(reverse("accounts_profile"), {**GOOD_PROFILE, "consent": "on"})
    assert response.status_code == 302
    versions = set(PrivacyConsent.objects.filter(user=user).values_list("notice_version", flat=True))
    assert versions == {"2020-01", PRIVACY_NOTICE_VERSION}


def test_the_profile_page_goes_back_where_it_was_sent_from_and_nowhere_else(client):
    client.force_login(UserFactory())
    response = client.post(reverse("accounts_profile"), {**GOOD_PROFILE, "next": "/learn/"})
    assert response["Location"] == "/learn/"
    response = client.post(
        reverse("accounts_profile"), {**GOOD_PROFILE, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("accounts_profile")


def completed_without_profile(**user):
    user = UserFactory(**user)
    course = new_course()
    Enrolment.objects.create(user=user, course=course, completed_at=COMPLETED_AT)
    return user, course


def test_a_certificate_waits_for_the_profile_and_is_issued_once_it_is_completed(
    client, django_capture_on_commit_callbacks
):
    user, course = completed_without_profile(first_name="นงนุช", last_name="ศรีสุข")
    with pytest.raises(lifecycle.ProfileIncomplete):
        lifecycle.issue_certificate(user.pk, course.pk)
    assert tasks.issue_certificate.run(user.pk, course.pk) is None
    assert not Certificate.objects.exists()
    # The sweep leaves it waiting rather than resending it every minute.
    waiting = lifecycle.completions_without_certificate(older_than=timedelta(0))
    assert not waiting.filter(user=user).exists()

    # "My learning" says, kindly and in Thai, what is missing, and links to it.
    client.force_login(user)
    page = client.get(reverse("courses:my_learning")).content.decode()
    assert "อีกขั้นเดียวก็ได้เกียรติบัตร" in page
    assert f'href="{reverse("accounts_profile")}?next=/learn/"' in page

    with (
        mock.patch.object(tasks.issue_certificate, "delay") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("accounts_profile"), {**GOOD_PROFILE, "next": "/learn/"})
    assert response["Location"] == "/learn/"
    send.assert_called_once_with(user.pk, course.pk)
    # What the task then does:
    lifecycle.issue_certificate(user.pk, course.pk)
    certificate = Certificate.objects.get(user=user, course=course)
    assert certificate.current_version.holder_name == "นางสาวนงนุช ศรีสุข"
    assert certificate.current_version.village_name == "บ้านบางริ้น"
    page = client.get(reverse("courses:my_learning")).content.decode()
    assert "อีกขั้นเดียวก็ได้เกียรติบัตร" not in page


def test_a_profile_saved_again_queues_no_certificate_that_exists(
    client, django_capture_on_commit_callbacks
):
    profile = VolunteerProfileFactory()
    course = new_course()
    Enrolment.objects.create(user=profile.user, course=course, completed_at=COMPLETED_AT)
    lifecycle.issue_certificate(profile.user.pk, course.pk)
    client.force_login(profile.user)
    data = {**GOOD_PROFILE}
    data.pop("consent")
    with (
        mock.patch.object(tasks.issue_certificate, "delay") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert client.post(reverse("accounts_profile"), data).status_code == 302
    send.assert_not_called()


# -- Place names from the village register ------------------------------------


def register(*places):
    for n, (province, district, subdistrict) in enumerate(places, start=1):
        Village.objects.create(province=province, district=district, subdistrict=subdistrict,
                               village_no=n, name=f"บ้าน{n}")


def test_the_register_suggests_the_districts_and_subdistricts_of_a_province(client):
    register(("ชุมพร", "ละแม", "ละแม"), ("ชุมพร", "ละแม", "ทุ่งหลวง"),
             ("ชุมพร", "เมืองชุมพร", "หาดพันไกร"), ("ระนอง", "เมืองระนอง", "บางริ้น"))
    response = client.get(reverse("places:province_places"), {"province": "ชุมพร"})
    assert response.status_code == 200
    assert response.json() == {
        "districts": {"ละแม": ["ทุ่งหลวง", "ละแม"], "เมืองชุมพร": ["หาดพันไกร"]}
    }
    assert "max-age=600" in response["Cache-Control"]
    assert client.get(reverse("places:province_places"), {"province": "Atlantis"}).json() == {
        "districts": {}
    }


def test_the_profile_page_lists_the_suggestions_of_the_province_already_chosen(client):
    register(("ชุมพร", "ละแม", "ละแม"), ("ชุมพร", "เมืองชุมพร", "หาดพันไกร"))
    profile = VolunteerProfileFactory(province="ชุมพร", district="เมืองชุมพร")
    client.force_login(profile.user)
    page = client.get(reverse("accounts_profile")).content.decode()
    districts = re.search(r'<datalist id="district-suggestions">(.*?)</datalist>', page).group(1)
    assert districts == '<option value="ละแม"><option value="เมืองชุมพร">'
    subdistricts = re.search(r'<datalist id="subdistrict-suggestions">(.*?)</datalist>', page)
    assert subdistricts.group(1) == '<option value="หาดพันไกร">'
    assert 'list="district-suggestions"' in page and 'list="subdistrict-suggestions"' in page
    assert f'data-place-suggestions="{reverse("places:province_places")}"' in page


def test_a_place_the_register_lacks_is_still_taken(client):
    register(("ระนอง", "เมืองระนอง", "บางนอน"))
    client.force_login(UserFactory())
    assert client.post(reverse("accounts_profile"), GOOD_PROFILE).status_code == 302
    assert VolunteerProfile.objects.get().subdistrict == "บางริ้น"
