"""CSRF on every state-changing request.

Django's test client skips CSRF checks unless asked; these tests ask
(`enforce_csrf_checks=True`). Three layers:

- no view the URL resolver can reach is `csrf_exempt`, except the Wagtail
  admin API's Django REST framework views, which DRF exempts from the
  middleware and checks itself (SessionAuthentication) or which allow only
  reading;
- a POST without a token to every route the resolver knows, as a site
  administrator (the victim with the most to lose), is refused with 403 and
  leaves every table as it was; routes come from the permission matrix's rows
  (tests/test_permission_matrix.py) where it has one, and are made from the
  route's pattern otherwise, so a route added later is swept too;
- each state-changing action, posted with its real form data by someone
  allowed to do it: refused and changing nothing without the token, and
  doing what it does with it (so the refusal is the token's doing).
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from PIL import Image as PILImage
from rest_framework.authentication import SessionAuthentication
from rest_framework.views import APIView
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Page

from certificates.models import Certificate, CertificateSettings
from courses.models import Enrolment, LessonCompletion, QuizAttempt
from npv_site.accounts.models import VolunteerProfile
from npv_site.cohorts.models import ClaimCode, RosterImport, TrainingCohort
from tests import test_permission_matrix as matrix
from tests.test_roster_import import ROW_A, ROW_B, csv_bytes

User = get_user_model()

# The permission matrix's world (users, a course, cohorts, A's attempt and
# certificate, a roster import, an export, a document and an image), built
# once for this module.
world = matrix.world
media_of_world = matrix.media_of_world

SAFE_METHODS = {"get", "head", "options", "trace"}
PASSWORD = "pass-2562-ok"  # tests.factories.UserFactory's
NEW_PASSWORD = "ใหม่-2562-ยาวพอ"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def database_state() -> dict[str, str]:
    """A digest of every row of every table, by table."""
    state = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = sorted(repr(row) for row in cursor.fetchall())
            state[table] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
    return state


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    tables = before.keys() | after.keys()
    return sorted(table for table in tables if before.get(table) != after.get(table))


def csrf_client(world, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def with_token(client: Client, data: dict) -> dict:
    """The form data with a valid token, and the cookie it is checked against."""
    token = secrets.token_hex(16)  # a secret of CSRF_SECRET_LENGTH (32) characters
    client.cookies[settings.CSRF_COOKIE_NAME] = token
    return {**data, "csrfmiddlewaretoken": token}


def assert_csrf_refusal(response, what: str) -> None:
    assert response.status_code == 403, f"{what}: {response.status_code}, wanted 403"
    # Django's CSRF failure page, or DRF's "CSRF Failed: ..." (the admin API).
    assert b"CSRF" in response.content, f"{what}: refused, but not for CSRF"


# ---------------------------------------------------------------------------
# 1. Nothing is exempt
# ---------------------------------------------------------------------------


def _callbacks():
    for pattern, route in _patterns():
        yield route, pattern.callback


def _patterns(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = URLResolver._join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield pattern, route


def test_the_csrf_middleware_is_on():
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE


# Exempt by design: a mail program's one-click unsubscribe (RFC 8058) posts with
# no cookie and no CSRF token; the signed token in the path is what authorises it,
# and it can only turn that person's messages off (a forged token changes nothing).
SIGNED_TOKEN_ROUTES = {"notifications/unsubscribe/<str:token>/"}


def test_no_view_is_csrf_exempt_but_the_admin_apis_which_check_or_only_read():
    exempt = []
    for route, callback in _callbacks():
        if not getattr(callback, "csrf_exempt", False) or route in SIGNED_TOKEN_ROUTES:
            continue
        view_class = getattr(callback, "cls", None)
        if view_class is None or not issubclass(view_class, APIView):
            exempt.append(route)
            continue
        # DRF exempts its views from the middleware: a view that accepts a
        # state-changing method must check the token itself, which only
        # SessionAuthentication does (and only authentication DRF is given).
        methods = set(getattr(callback, "actions", None) or {}) or {
            method for method in view_class.http_method_names if hasattr(view_class, method)
        }
        authentications = view_class.authentication_classes
        checks_token = authentications and all(
            issubclass(authentication, SessionAuthentication) for authentication in authentications
        )
        if methods - SAFE_METHODS and not checks_token:
            exempt.append(route)
    assert not exempt, f"views that skip the CSRF check: {exempt}"


def test_the_admin_api_views_that_change_pages_check_the_token_themselves():
    copy = resolve("/admin/api/main/pages/1/action/copy/").func
    assert copy.csrf_exempt and issubclass(copy.cls, APIView)
    assert copy.cls.authentication_classes == [SessionAuthentication]


# ---------------------------------------------------------------------------
# 2. A POST without a token to every route
# ---------------------------------------------------------------------------

# Sample paths for routes written as regular expressions, which cannot be
# filled in from their converters.
REGEX_SAMPLES = {
    "^((?:[\\w\\-]+/)*)$": "{lesson_url}",
    "django-admin/(?P<url>.*)$": "/django-admin/no-such-page/",
    "admin/.*/$": "/admin/no-such-page/",
    "admin/pages/(?P<pk>\\d+)/revisions/compare/(?P<revision_id_a>live|earliest|\\d+)\\.\\.\\."
    "(?P<revision_id_b>live|latest|\\d+)/$": (
        "/admin/pages/{lesson}/revisions/compare/earliest...live/"
    ),
    "accounts/confirm-email/(?P<key>[-:\\w]+)/$": "/accounts/confirm-email/abc/",
    "accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": (
        "/accounts/password/reset/key/1-abc/"
    ),
}
CONVERTER_SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": "0" * 32}
CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?\w+>")


def _sample_path(route: str, row_paths: dict[str, str]) -> str:
    if route in row_paths:
        return row_paths[route]
    if route in REGEX_SAMPLES:
        return REGEX_SAMPLES[route]
    if "(?P<" in route or "^" in route or "$" in route:
        return f"/no-sample-path-for/{route}"  # fails test_every_sample_path_reaches_its_route
    return "/" + CONVERTER.sub(lambda m: CONVERTER_SAMPLES[m["kind"] or "str"], route)


class _AnyValue(dict):
    """Fills a path template well enough to resolve it."""

    def __missing__(self, key):
        return "/lesson/" if key.endswith("_url") else "1"


def _every_route() -> list[tuple[str, str]]:
    """(route, a path that reaches it), for every route of the URLconf."""
    row_paths = {}
    for row in matrix.ROWS:
        path = row.url.partition("?")[0]
        row_paths.setdefault(resolve(path.format_map(_AnyValue())).route, path)
    return [(route, _sample_path(route, row_paths)) for _, route in _patterns()]


ROUTES = _every_route()


def test_every_sample_path_reaches_its_route():
    wrong = []
    for route, path in ROUTES:
        reached = resolve(path.format_map(_AnyValue())).route
        if reached != route:
            wrong.append(f"{path} reaches {reached}, not {route}")
    assert not wrong, "\n".join(wrong)
    assert len(ROUTES) > 300


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "path"), ROUTES, ids=[route for route, _ in ROUTES])
def test_a_post_without_a_token_is_refused_and_changes_nothing(world, media_of_world, route, path):
    url = matrix.fill(path, world)
    client = csrf_client(world, "admin")
    before = database_state()
    if route in SIGNED_TOKEN_ROUTES:
        # No CSRF token is asked for: a forged signed token is refused instead
        # (posted as a mail program does, with no session).
        url = url.rstrip("/").rsplit("/", 1)[0] + "/eyJ1IjoxfQ:forged:signature/"
        response = Client(enforce_csrf_checks=True).post(url, {"title": "ไม่ควรบันทึก", "action": "submit"})
        assert response.status_code == 400, f"POST {url}: {response.status_code}"
        assert not changed_tables(before, database_state()), f"POST {url} changed the database"
        return
    response = client.post(url, {"title": "ไม่ควรบันทึก", "action": "submit"})
    assert_csrf_refusal(response, f"POST {url}")
    assert not changed_tables(before, database_state()), f"POST {url} changed the database"


# ---------------------------------------------------------------------------
# 3. Each state-changing action: refused without the token, done with it
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    role: str
    url: str  # filled from the world
    # True once the action has taken effect (given the world and the response).
    done: Callable
    data: Callable = lambda world: {}
    # Uploads: made afresh for each request (a file is read once).
    files: Callable = lambda world: {}


def _user(world, role):
    return User.objects.get(pk=world.users[role].pk)


def _profile_data(world):
    data = model_to_dict(VolunteerProfile.objects.get(user=world.users["volunteer_a"]))
    data = {key: value for key, value in data.items() if value is not None}
    data["name_en"] = "Amphai Thongdee"
    return data


def _answers(world):
    attempt = QuizAttempt.objects.get(pk=world.ids["attempt_a"])
    question = attempt.questions[0]
    return {"question": [str(question["id"])],
            f"answer-{question['id']}": [str(question["choices"][0]["id"])]}


def _png_file():
    buffer = io.BytesIO()
    PILImage.new("RGB", (2, 2), "white").save(buffer, format="PNG")
    buffer.name = "router.png"
    buffer.seek(0)
    return buffer


def _named(content: bytes, name: str):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _edit_form(world, role: str, url: str, **changes) -> dict:
    """The fields of the form on an admin edit page, as the browser would post them."""
    from bs4 import BeautifulSoup

    client = Client()
    client.force_login(world.users[role])
    page = BeautifulSoup(client.get(matrix.fill(url, world)).content, "html.parser")
    form = page.find("form", attrs={"method": re.compile("^post$", re.IGNORECASE)})
    data = {}
    for element in form.find_all(["input", "select", "textarea"]):
        name, kind = element.get("name"), element.get("type", "")
        if not name or kind in ("submit", "button", "file") or name == "csrfmiddlewaretoken":
            continue
        if kind in ("checkbox", "radio"):
            if element.has_attr("checked"):
                data[name] = element.get("value", "on")
        elif element.name == "select":
            chosen = element.find("option", selected=True) or element.find("option")
            data[name] = chosen.get("value", "") if chosen else ""
        elif element.name == "textarea":
            data[name] = element.text
        else:
            data[name] = element.get("value", "")
    return {**data, **changes}


SETTINGS_FORM = "/admin/settings/certificates/certificatesettings/{certificate_settings}/"
# The signatories' StreamField is drawn by the admin's JavaScript: none posted.
NO_SIGNATORIES = {"signatories-count": "0"}


def _certificate(world):
    return Certificate.objects.get(pk=world.ids["certificate_pk"])


ACTIONS = [
    # Learning
    Action("enrol", "trainer_x", "/learn/courses/{course}/enrol/",
           done=lambda w, r: Enrolment.objects.filter(user=w.users["trainer_x"]).exists()),
    Action("mark a lesson read", "volunteer_b", "/learn/lessons/{lesson}/read/",
           done=lambda w, r: LessonCompletion.objects.filter(user=w.users["volunteer_b"]).exists()),
    Action("start a quiz", "volunteer_b", "/learn/modules/{module}/quiz/start/",
           done=lambda w, r: QuizAttempt.objects.filter(user=w.users["volunteer_b"]).exists()),
    Action("save answers", "volunteer_a", "/learn/quiz/{attempt_a}/answers/", data=_answers,
           done=lambda w, r: any(QuizAttempt.objects.get(pk=w.ids["attempt_a"]).answers.values())),
    Action("submit a quiz", "volunteer_a", "/learn/quiz/{attempt_a}/submit/",
           data=lambda w: {**_answers(w), "action": "submit"},
           done=lambda w, r: QuizAttempt.objects.get(pk=w.ids["attempt_a"]).status != "open"),
    # Accounts
    Action("claim an account", "anonymous", "/claim/{claim_code}/",
           data=lambda w: {"title": "นาย", "first_name": "ยังไม่รับ", "last_name": "บัญชี",
                           "username": "claimed-by-form", "password1": NEW_PASSWORD,
                           "password2": NEW_PASSWORD, "consent": "on"},
           done=lambda w, r: ClaimCode.objects.filter(
               code=w.ids["claim_code"], claimed_at__isnull=False).exists()),
    Action("edit one's profile", "volunteer_a", "/accounts/profile/", data=_profile_data,
           done=lambda w, r: VolunteerProfile.objects.filter(
               user=w.users["volunteer_a"], name_en="Amphai Thongdee").exists()),
    Action("delete one's account", "volunteer_b", "/accounts/delete/",
           data=lambda w: {"password": PASSWORD},
           done=lambda w, r: not User.objects.filter(pk=w.users["volunteer_b"].pk).exists()),
    Action("change one's password", "volunteer_a", "/accounts/password/change/",
           data=lambda w: {"oldpassword": PASSWORD, "password1": NEW_PASSWORD,
                           "password2": NEW_PASSWORD},
           done=lambda w, r: _user(w, "volunteer_a").check_password(NEW_PASSWORD)),
    Action("sign up", "anonymous", "/accounts/signup/",
           data=lambda w: {"username": "new-volunteer", "password1": NEW_PASSWORD,
                           "password2": NEW_PASSWORD, "title": "นาย", "first_name": "สมหมาย",
                           "last_name": "ใจงาม", "phone": "0812345670", "province": "ชุมพร",
                           "district": "เมืองชุมพร", "subdistrict": "หาดพันไกร",
                           "village_no": "3", "village_name": "บ้านใหม่", "consent": "on"},
           done=lambda w, r: User.objects.filter(username="new-volunteer").exists()),
    Action("log in", "anonymous", "/accounts/login/",
           data=lambda w: {"login": w.users["volunteer_a"].username, "password": PASSWORD},
           done=lambda w, r: r.status_code == 302 and r.wsgi_request.user.is_authenticated),
    Action("log out", "volunteer_a", "/accounts/logout/",
           done=lambda w, r: r.status_code == 302 and not r.wsgi_request.user.is_authenticated),
    Action("ask for a password reset", "anonymous", "/accounts/password/reset/",
           data=lambda w: {"email": w.users["volunteer_a"].email},
           done=lambda w, r: len(mail.outbox) == 1),
    Action("switch language", "anonymous", "/i18n/setlang/", data=lambda w: {"language": "en"},
           done=lambda w, r: r.cookies.get(settings.LANGUAGE_COOKIE_NAME) is not None),
    # Trainer tools
    Action("issue a new claim code", "trainer_x",
           "/admin/cohorts/{cohort_x}/volunteers/{unclaimed_membership}/new-code/",
           done=lambda w, r: not ClaimCode.objects.filter(code=w.ids["claim_code"]).exists()),
    Action("upload a roster", "trainer_x", "/admin/cohorts/{cohort_x}/import/",
           files=lambda w: {"file": _named(csv_bytes(ROW_A, ROW_B), "roster.csv")},
           done=lambda w, r: RosterImport.objects.count() == 2),
    Action("confirm a roster import", "trainer_x",
           "/admin/cohorts/{cohort_x}/import/{roster_import_x}/",
           data=lambda w: {"mode": RosterImport.Mode.GOOD_ROWS},
           done=lambda w, r: RosterImport.objects.get(pk=w.ids["roster_import_x"]).status
           != RosterImport.Status.UPLOADED),
    Action("discard a roster import", "trainer_x",
           "/admin/cohorts/{cohort_x}/import/{roster_import_x}/",
           data=lambda w: {"action": "discard"},
           done=lambda w, r: not RosterImport.objects.filter(pk=w.ids["roster_import_x"]).exists()),
    Action("export the report (XLSX)", "trainer_x", "/admin/cohorts/{cohort_x}/report.xlsx",
           done=lambda w, r: r.status_code == 200 and r.content.startswith(b"PK")),
    Action("delete a cohort", "trainer_x", "/admin/cohorts/delete/{cohort_x}/",
           done=lambda w, r: not TrainingCohort.objects.filter(pk=w.ids["cohort_x"]).exists()),
    # Certificates
    Action("revoke a certificate", "admin", "/admin/issued_certificates/revoke/{certificate_pk}/",
           data=lambda w: {"reason": "ทดสอบ"},
           done=lambda w, r: _certificate(w).status == Certificate.Status.REVOKED),
    Action("re-issue a certificate", "admin",
           "/admin/issued_certificates/reissue/{certificate_pk}/",
           data=lambda w: {"reason": "ทดสอบ"},
           done=lambda w, r: _certificate(w).versions.count() == 2),
    Action("save the certificate design", "trainer_x", SETTINGS_FORM,
           data=lambda w: _edit_form(w, "trainer_x", SETTINGS_FORM, issuer_name="ผู้ออกใหม่",
                                            **NO_SIGNATORIES),
           done=lambda w, r: CertificateSettings.load().issuer_name == "ผู้ออกใหม่"),
    Action("preview the certificate design", "trainer_x", SETTINGS_FORM + "preview/",
           data=lambda w: _edit_form(w, "trainer_x", SETTINGS_FORM, **NO_SIGNATORIES),
           done=lambda w, r: r.status_code == 200 and r.json()["is_valid"]),
    # Wagtail's admin
    Action("delete a page", "admin", "/admin/pages/{lesson}/delete/",
           done=lambda w, r: not Page.objects.filter(pk=w.ids["lesson"]).exists()),
    Action("copy a page (admin API)", "admin", "/admin/api/main/pages/{lesson}/action/copy/",
           done=lambda w, r: r.status_code == 201),
    Action("upload an image", "trainer_x", "/admin/images/add/",
           data=lambda w: {"title": "เราเตอร์ใหม่", "collection": w.ids["collection"]},
           files=lambda w: {"file": _png_file()},
           done=lambda w, r: Image.objects.filter(title="เราเตอร์ใหม่").exists()),
    Action("upload a document", "trainer_x", "/admin/documents/add/",
           data=lambda w: {"title": "คู่มือใหม่", "collection": w.ids["collection"]},
           files=lambda w: {"file": _named(b"%PDF-1.4\n", "manual-2.pdf")},
           done=lambda w, r: Document.objects.filter(title="คู่มือใหม่").exists()),
    # Django's admin
    Action("delete a user (Django admin)", "admin", "/django-admin/auth/user/{user_a}/delete/",
           data=lambda w: {"post": "yes"},
           done=lambda w, r: not User.objects.filter(pk=w.users["volunteer_a"].pk).exists()),
]


@pytest.mark.django_db
@pytest.mark.parametrize("action", ACTIONS, ids=[action.name for action in ACTIONS])
def test_an_action_is_refused_without_a_token_and_done_with_one(world, media_of_world, action):
    url = matrix.fill(action.url, world)
    client = csrf_client(world, action.role)
    data = action.data(world)
    mail.outbox = []
    before = database_state()
    refused = client.post(url, {**data, **action.files(world)})
    assert_csrf_refusal(refused, f"{action.name}: POST {url}")
    assert not changed_tables(before, database_state()), f"{action.name} changed the database"
    assert not action.done(world, refused), f"{action.name} took effect without a token"
    assert not mail.outbox

    accepted = client.post(url, with_token(client, {**data, **action.files(world)}))
    assert accepted.status_code != 403, f"{action.name}: refused with a valid token"
    assert action.done(world, accepted), (
        f"{action.name}: no effect with a valid token ({accepted.status_code})"
    )
