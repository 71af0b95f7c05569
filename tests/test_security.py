"""Login throttling (django-axes, keyed on user name and address together) and
the Content-Security-Policy: strict on public pages, looser in Wagtail's admin."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.test import Client, override_settings
from django.urls import reverse
from wagtail.models import Page

from courses.models import LessonPage, ModulePage
from tests.browser import assert_no_console_errors
from tests.factories import UserFactory, VolunteerProfileFactory, build_course

User = get_user_model()
BASE_DIR = Path(__file__).resolve().parent.parent

PASSWORD = "pass-2562-ok"
ROOM_ADDRESS = "10.20.30.40"  # the training room's one NAT address
LOCKED_MESSAGE = "ใส่รหัสผ่านผิดหลายครั้งเกินไป"

throttled = override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=5)


def log_in(client: Client, name: str, password: str, address: str = ROOM_ADDRESS):
    return client.post(reverse("account_login"), {"login": name, "password": password},
                       REMOTE_ADDR=address)


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


# -- login throttling -------------------------------------------------------------


@throttled
@pytest.mark.django_db
def test_a_training_room_of_311_behind_one_address_does_not_lock_itself_out():
    password_hash = make_password(PASSWORD)
    names = [f"room-volunteer-{n:03d}" for n in range(311)]
    User.objects.bulk_create(User(username=name, password=password_hash) for name in names)

    for name in names:  # everybody mistypes once, from the same address
        response = log_in(Client(), name, "wrong-password")
        assert response.status_code == 200
    for name in names:
        client = Client()
        response = log_in(client, name, PASSWORD)
        assert response.status_code == 302, name
        assert logged_in(client)


@throttled
@pytest.mark.django_db
def test_one_name_guessed_five_times_is_locked_with_a_thai_message_on_that_address_only():
    UserFactory(username="somchai", password=PASSWORD)
    UserFactory(username="malee", password=PASSWORD)
    for attempt in range(4):
        assert log_in(Client(), "somchai", f"guess-{attempt}").status_code == 200
    fifth = log_in(Client(), "Somchai", "guess-4")  # names are case-insensitive
    assert fifth.status_code == 429
    assert LOCKED_MESSAGE in fifth.text and "15 นาที" in fifth.text

    client = Client()
    right_password = log_in(client, "somchai", PASSWORD)
    assert right_password.status_code == 429 and not logged_in(client)
    # Someone else in the same room, and the same volunteer at home, still get in.
    neighbour = Client()
    assert log_in(neighbour, "malee", PASSWORD).status_code == 302 and logged_in(neighbour)
    at_home = Client()
    assert log_in(at_home, "somchai", PASSWORD, address="203.0.113.9").status_code == 302
    assert logged_in(at_home)


@throttled
@pytest.mark.django_db
@pytest.mark.parametrize("order", ["name-first", "email-first"])
def test_the_user_name_and_the_email_share_one_count_of_five(order):
    UserFactory(username="somsri", email="somsri@example.org", password=PASSWORD)
    names = ["somsri"] * 3 + ["somsri@example.org"] * 2
    if order == "email-first":
        names.reverse()
    for attempt, name in enumerate(names[:4]):
        assert log_in(Client(), name, f"guess-{attempt}").status_code == 200
    assert log_in(Client(), names[4], "guess-4").status_code == 429
    # Neither way in is open with the right password: five guesses, not ten.
    for name in ("somsri", "SOMSRI@example.org"):
        client = Client()
        response = log_in(client, name, PASSWORD)
        assert response.status_code == 429 and LOCKED_MESSAGE in response.text
        assert not logged_in(client)
    at_home = Client()
    assert log_in(at_home, "somsri@example.org", PASSWORD, address="203.0.113.9").status_code == 302


@throttled
@pytest.mark.django_db
def test_an_email_that_two_accounts_share_is_counted_as_typed_and_locks_neither_name():
    UserFactory(username="father", email="family@example.org", password=PASSWORD)
    UserFactory(username="daughter", email="family@example.org", password="other-2562-ok")
    for attempt in range(5):
        log_in(Client(), "family@example.org", f"guess-{attempt}")
    assert log_in(Client(), "family@example.org", PASSWORD).status_code == 429
    client = Client()
    assert log_in(client, "father", PASSWORD).status_code == 302 and logged_in(client)


@throttled
@pytest.mark.django_db
def test_a_successful_login_clears_the_count_of_earlier_mistakes():
    UserFactory(username="prasert", password=PASSWORD)
    for round_ in range(2):
        for attempt in range(4):
            assert log_in(Client(), "prasert", f"guess-{round_}{attempt}").status_code == 200
        client = Client()
        assert log_in(client, "prasert", PASSWORD).status_code == 302 and logged_in(client)


@throttled
@pytest.mark.django_db
def test_the_wagtail_admin_login_is_throttled_too():
    trainer = UserFactory(username="trainer-a", password=PASSWORD)
    trainer.groups.add(Group.objects.get(name="Trainers"))

    def admin_log_in(client, password):
        return client.post("/admin/login/", {"username": "trainer-a", "password": password},
                           REMOTE_ADDR=ROOM_ADDRESS)

    for attempt in range(4):
        assert admin_log_in(Client(), f"guess-{attempt}").status_code == 200
    assert admin_log_in(Client(), "guess-4").status_code == 429
    client = Client()
    response = admin_log_in(client, PASSWORD)
    assert response.status_code == 429 and LOCKED_MESSAGE in response.text
    assert not logged_in(client)



# -- the admin's password reset and logout --------------------------------------------

TOO_MANY_RESETS = "ขอรีเซ็ตรหัสผ่านถี่เกินไป"


def request_admin_reset(client: Client, email: str, address: str = ROOM_ADDRESS):
    return client.post("/admin/password_reset/", {"email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_the_admin_password_reset_stops_mailing_one_account_after_five(mailoutbox):
    UserFactory(username="trainer-mail", email="trainer@example.org", password=PASSWORD)
    statuses = [request_admin_reset(Client(), "Trainer@example.org ").status_code
                for _ in range(12)]
    assert statuses == [302] * 5 + [429] * 7
    assert len(mailoutbox) == 5
    refused = request_admin_reset(Client(), "trainer@example.org")
    assert TOO_MANY_RESETS in refused.text and int(refused["Retry-After"]) >= 1
    # Another account, from another address, is not held up.
    UserFactory(username="trainer-two", email="two@example.org", password=PASSWORD)
    assert request_admin_reset(Client(), "two@example.org", "203.0.113.9").status_code == 302
    assert len(mailoutbox) == 6


@pytest.mark.django_db
def test_the_admin_password_reset_is_limited_per_address_whatever_the_email(mailoutbox):
    for n in range(20):
        assert request_admin_reset(Client(), f"nobody-{n}@example.org").status_code == 302
    UserFactory(username="trainer-mail", email="trainer@example.org", password=PASSWORD)
    refused = request_admin_reset(Client(), "trainer@example.org")
    assert refused.status_code == 429 and TOO_MANY_RESETS in refused.text
    assert mailoutbox == []


@pytest.mark.django_db
def test_a_get_to_the_admin_logout_changes_nothing_and_a_post_logs_out():
    trainer = UserFactory(username="trainer-out", password=PASSWORD)
    trainer.groups.add(Group.objects.get(name="Trainers"))
    client = Client()
    client.force_login(trainer)

    # What an <img src="https://elearning.example.th/admin/logout/"> elsewhere sends.
    response = client.get("/admin/logout/")
    assert response.status_code == 405
    assert "sessionid" not in response.cookies
    assert logged_in(client) and client.get("/admin/").status_code == 200

    response = client.post("/admin/logout/")
    assert response.status_code == 302 and response["Location"] == "/admin/login/"
    assert not logged_in(client)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


# -- Content-Security-Policy ------------------------------------------------------


def csp_directives(header: str) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.django_db
def test_public_pages_get_the_strict_policy_and_the_admin_the_looser_one(client):
    public = csp_directives(client.get("/accounts/login/")["Content-Security-Policy"])
    assert public["script-src"] == public["style-src"] == "'self'"
    assert public["frame-ancestors"] == "'none'"
    admin = csp_directives(client.get("/admin/login/")["Content-Security-Policy"])
    assert admin["script-src"] == admin["style-src"] == "'self' 'unsafe-inline'"
    assert admin["frame-ancestors"] == "'self'"


@override_settings(CSP_MEDIA_ORIGINS=["https://media.example.th"])
@pytest.mark.django_db
def test_images_from_a_media_bucket_are_allowed_on_public_and_admin_pages(client):
    for path in ("/accounts/login/", "/admin/login/"):
        img_src = csp_directives(client.get(path)["Content-Security-Policy"])["img-src"]
        assert img_src.split()[0] == "'self'"
        assert "https://media.example.th" in img_src.split()


def visit(page, path: str) -> None:
    response = page.goto(path)
    assert response.status < 400, (path, response.status)
    page.wait_for_load_state("networkidle")
    # Fails on any console error, Content-Security-Policy violations included.
    assert_no_console_errors(page)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_volunteer_meets_no_csp_violation_on_the_public_pages(phone):
    course = build_course(modules=1, lessons=1, questions=2)
    module = ModulePage.objects.child_of(course).get()
    lesson = LessonPage.objects.child_of(module).get()
    VolunteerProfileFactory(user=UserFactory(username="wanida", password=PASSWORD))

    for path in ("/", "/accounts/signup/", "/learn/search/?q=เน็ต", course.url):
        visit(phone, path)
    visit(phone, "/accounts/login/")
    phone.fill("input[name=login]", "wanida")
    phone.fill("input[name=password]", PASSWORD)
    phone.locator("main form button[type=submit]").first.click()
    phone.wait_for_url("**/learn/")
    visit(phone, course.url)
    phone.click(f"form[action='{reverse('courses:enrol_in_course', args=[course.pk])}'] button")
    phone.wait_for_load_state("networkidle")
    for path in (module.url, lesson.url, "/learn/", "/accounts/profile/", module.url):
        visit(phone, path)
    phone.click(f"form[action='{reverse('courses:quiz_start', args=[module.pk])}'] button")
    phone.wait_for_url("**/learn/quiz/**")
    phone.wait_for_load_state("networkidle")
    assert phone.locator(".quiz-form").count() == 1
    assert_no_console_errors(phone)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_trainer_edits_a_lesson_in_the_admin_with_no_csp_violation(desktop):
    course = build_course(modules=1, lessons=1, questions=0)
    lesson = LessonPage.objects.descendant_of(course).get()
    trainer = UserFactory(username="trainer-edit", password=PASSWORD)
    trainer.groups.add(Group.objects.get(name="Trainers"))

    visit(desktop, "/admin/login/")
    desktop.fill("#id_username", "trainer-edit")
    desktop.fill("#id_password", PASSWORD)
    desktop.click("form button[type=submit]")
    desktop.wait_for_url("**/admin/")
    visit(desktop, f"/admin/pages/{lesson.pk}/edit/")
    desktop.fill("#id_title", "บทเรียนที่แก้ไขแล้ว")
    desktop.click("footer .w-dropdown__toggle")
    desktop.click("button[name=action-publish]")
    desktop.wait_for_url(f"**/admin/pages/{lesson.get_parent().pk}/")
    desktop.wait_for_load_state("networkidle")
    assert_no_console_errors(desktop)
    assert Page.objects.get(pk=lesson.pk).title == "บทเรียนที่แก้ไขแล้ว"
    # The public page with the editor's user bar on it is under the strict policy.
    visit(desktop, lesson.url)
    assert desktop.get_by_role("heading", name="บทเรียนที่แก้ไขแล้ว").is_visible()


# -- no secrets in the repository ---------------------------------------------------

SECRET_PATTERNS = {
    "private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "secret key in a setting": re.compile(
        r"^\s*(SECRET_KEY|EMAIL_HOST_PASSWORD|AWS_SECRET_ACCESS_KEY)\s*=\s*['\"]", re.M
    ),
    # A real password in a service URL; the documentation's PASSWORD placeholder is fine.
    "password in a URL": re.compile(
        r"\b(postgres|postgresql|redis|rediss|amqp)://[^:/\s@]*:(?!PASSWORD@)[^@\s]+@"
    ),
}


def test_no_key_password_or_token_is_in_the_repository():
    try:
        listing = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
            cwd=BASE_DIR, capture_output=True, text=True, check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    found = []
    for name in filter(None, listing):
        path = BASE_DIR / name
        if not path.is_file() or path.suffix in {".png", ".jpg", ".webp", ".woff2", ".ttf", ".pdf",
                                                 ".mo", ".xlsx", ".ico"}:
            continue
        text = path.read_text(errors="ignore")
        found += [f"{name}: {what}" for what, pattern in SECRET_PATTERNS.items()
                  if pattern.search(text)]
    assert found == []
