"""Who may open what: six people against every URL the site serves.

The people: nobody signed in; volunteer A (in cohort X); volunteer B (in
cohort Y); the trainer of cohort X; the trainer of cohort Y; a site
administrator (superuser). Object URLs name A's things (A's quiz attempt,
A's certificate, cohort X's report, exports and claim sheet), so B and the
trainer of Y must be refused.

`test_every_url_has_a_row` walks Django's URL resolver and
`test_every_page_type_has_a_row` Wagtail's page models: a URL or page type
added later without a row here (or a reasoned exemption) fails the suite.
"""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.contrib.redirects.models import Redirect as RedirectRule
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.models import Collection, Page, Site, get_page_models

from certificates import tasks as certificate_tasks
from certificates.models import Certificate, CertificateSettings
from courses import attempts as quiz
from courses.models import (
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    ModulePage,
)
from courses.views.quiz import status_token
from home.models import HomePage
from notifications.models import Delivery
from notifications.outbox import notify
from notifications.unsubscribe import make_token
from npv_site.cohorts.models import (
    ClaimCode,
    CohortInvitation,
    CohortMembership,
    ReportExport,
    RosterImport,
    TrainingCohort,
    Village,
)
from tests.factories import (
    LessonPageFactory,
    TrainingCohortFactory,
    UserFactory,
    VolunteerProfileFactory,
    build_course,
    home_page,
)
from tests.test_roster_import import ROW_A, ROW_B, csv_bytes

ROLES = ("anonymous", "volunteer_a", "volunteer_b", "trainer_x", "trainer_y", "admin")


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location starts with `to` (or is `to`, when exact)."""

    to: str
    exact: bool = False

    def __repr__(self):
        return f"302 to {self.to}{'' if self.exact else '…'}"


LOGIN = Redirect("/accounts/login/?next=")
ADMIN_LOGIN = Redirect("/admin/login/?next=")
DJANGO_LOGIN = Redirect("/django-admin/login/?next=")
# Wagtail's answer to a signed-in user without the permission: back to the dashboard.
DASHBOARD = Redirect("/admin/", exact=True)
DJANGO_INDEX = Redirect("/django-admin/", exact=True)
API = "http://localhost/admin/api/main"


@dataclass(frozen=True)
class Row:
    method: str
    url: str  # with {placeholders} filled from the world
    expect: tuple  # one expectation per role, in ROLES order
    data: tuple = ()

    @property
    def label(self) -> str:
        return f"{self.method} {self.url}"


def row(method, url, anonymous, volunteer_a, volunteer_b, trainer_x, trainer_y, admin, data=()):
    return Row(method, url, (anonymous, volunteer_a, volunteer_b, trainer_x, trainer_y, admin), data)


def same(method, url, expected, data=()):
    return row(method, url, *([expected] * len(ROLES)), data=data)


def admin_area(method, url, trainers, admin, trainer_y=None):
    """An admin screen: volunteers and visitors are sent to the admin login."""
    return row(
        method,
        url,
        ADMIN_LOGIN,
        ADMIN_LOGIN,
        ADMIN_LOGIN,
        trainers,
        trainers if trainer_y is None else trainer_y,
        admin,
    )


def cohort_x(method, url, own=200, admin=None):
    """A screen of cohort X: its trainer and administrators; the trainer of Y
    gets 404 (the cohort is not in their queryset)."""
    return admin_area(method, url, own, own if admin is None else admin, trainer_y=404)


# ---------------------------------------------------------------------------
# The matrix. Columns: anonymous, A, B, trainer X, trainer Y, administrator.
# ---------------------------------------------------------------------------

QUIZ_FORM = (("action", "save"),)

PROJECT_ROWS = [
    # Learning (courses/urls.py)
    row("GET", "/learn/", LOGIN, 200, 200, 200, 200, 200),
    same("GET", "/learn/search/?q=เราเตอร์", 200),
    same("GET", "/learn/search/suggest/?q=เรา", 200),
    row("POST", "/learn/courses/{course}/enrol/",
        LOGIN, *[Redirect("{course_url}", exact=True)] * 5),
    # The course finished page is the completer's own (A finished the course).
    row("GET", "/learn/courses/{course}/finished/", LOGIN, 200, 403, 403, 403, 403),
    row("POST", "/learn/lessons/{lesson}/read/",
        LOGIN, *[Redirect("{lesson_url}", exact=True)] * 5),
    row("POST", "/learn/modules/{module}/quiz/start/",
        LOGIN, Redirect("/learn/quiz/{attempt_a}/", exact=True), *[Redirect("/learn/quiz/")] * 4),
    # A's attempt: only A.
    row("GET", "/learn/quiz/{attempt_a}/", LOGIN, 200, 403, 403, 403, 403),
    row("POST", "/learn/quiz/{attempt_a}/answers/", LOGIN, 200, 403, 403, 403, 403),
    row("POST", "/learn/quiz/{attempt_a}/submit/", LOGIN,
        Redirect("/learn/quiz/{attempt_a}/", exact=True), 403, 403, 403, 403, data=QUIZ_FORM),
    row("GET", "/learn/quiz/{attempt_missing}/", LOGIN, 404, 404, 404, 404, 404),
    # The status of an attempt is named by a signed token, never its id.
    same("GET", "/learn/quiz/status/{status_token_a}/", 200),
    same("GET", "/learn/quiz/status/{forged_status_token}/", 400),
    # An invitation to a cohort: only the invited volunteer (A, to cohort Y).
    row("GET", "/learn/invitations/{invitation_a}/", LOGIN, 200, 404, 404, 404, 404),
    row("POST", "/learn/invitations/{invitation_a}/", LOGIN,
        Redirect("/learn/", exact=True), 404, 404, 404, 404, data=(("answer", "decline"),)),
    # Claim pages (site/cohorts/urls.py): the 12-digit code is the key.
    same("GET", "/claim/", 200),
    same("GET", "/claim/{claim_code}/", 200),
    same("GET", "/claim/000000000000/", 404),
    # The village register's place names (site/cohorts/place_urls.py): public, as the register is.
    same("GET", "/places/?province=ชุมพร", 200),
    # Certificates (certificates/urls.py)
    same("GET", "/certificates/verify/", 200),
    same("GET", "/certificates/verify/{certificate_a}/", 200),
    same("GET", "/certificates/verify/AAAA-AAAA-AAAA-AAAA/", 404),
    # The holder, the trainer of the holder's cohort, administrators.
    row("GET", "/certificates/download/{certificate_a}/", 403, 200, 404, 200, 404, 200),
    row("GET", "/certificates/download/AAAA-AAAA-AAAA-AAAA/", 403, 404, 404, 404, 404, 404),
    # Notifications (notifications/urls.py): each person's own notices and choices; the
    # one-click unsubscribe is keyed by a signed token (GET only asks; POST is tested in
    # tests/test_notifications.py).
    row("GET", "/notifications/", LOGIN, 200, 200, 200, 200, 200),
    row("GET", "/notifications/preferences/", LOGIN, 200, 200, 200, 200, 200),
    row("POST", "/notifications/read/", LOGIN, *[Redirect("/notifications/", exact=True)] * 5),
    same("GET", "/notifications/unsubscribe/{unsubscribe_token_a}/", 200),
    same("GET", "/notifications/unsubscribe/forged/", 400),
    # Accounts (site/accounts/urls.py): each acts on the signed-in user only.
    row("GET", "/accounts/welcome/", LOGIN, 200, 200, 200, 200, 200),
    row("GET", "/accounts/profile/", LOGIN, 200, 200, 200, 200, 200),
    row("GET", "/accounts/profile/data/", LOGIN, 200, 200, 200, 200, 200),
    row("GET", "/accounts/delete/", LOGIN, 200, 200, 200, 200, 200),
    same("GET", "/accounts/privacy/", 200),
    # The reset code is the key (npv_site.accounts.reset_codes); the page is public.
    same("GET", "/accounts/reset-code/", 200),
    # allauth's pages that are reached from the site.
    row("GET", "/accounts/login/", 200, *[Redirect("/learn/", exact=True)] * 5),
    row("GET", "/accounts/signup/", 200, *[Redirect("/learn/", exact=True)] * 5),
    row("GET", "/accounts/logout/", Redirect("/", exact=True), 200, 200, 200, 200, 200),
    row("GET", "/accounts/password/change/", LOGIN, 200, 200, 200, 200, 200),
    same("GET", "/accounts/password/reset/", 200),
    # Re-authentication by an e-mailed code is off (ACCOUNT_REAUTHENTICATION_METHODS).
    # Log in with LINE (site/accounts/social_adapter.py): no channel configured in the
    # world, so allauth's LINE URLs do not exist (tests/test_line_login.py has them with one).
    row("POST", "/accounts/profile/line/unlink/", LOGIN,
        *[Redirect("/accounts/profile/", exact=True)] * 5),
    same("GET", "/accounts/3rdparty/", Redirect("/accounts/profile/", exact=True)),
    same("GET", "/accounts/social/connections/", Redirect("/accounts/profile/", exact=True)),
    same("GET", "/accounts/line/login/", 404),
    same("POST", "/accounts/line/login/", 404),
    same("GET", "/accounts/line/login/callback/", 404),
    # Without a LINE login waiting for its sign-up, to the login page.
    same("GET", "/accounts/3rdparty/signup/", Redirect("/accounts/login/", exact=True)),
    same("GET", "/accounts/3rdparty/login/cancelled/", 200),
    same("GET", "/accounts/3rdparty/login/error/", 401),
    row("GET", "/accounts/reauthenticate/code/", LOGIN, 403, 403, 403, 403, 403),
    row("GET", "/accounts/reauthenticate/code/confirm/", LOGIN, 403, 403, 403, 403, 403),
    same("POST", "/i18n/setlang/", Redirect("/", exact=True), data=(("language", "en"),)),
    same("GET", "/documents/{document}/{document_file}", 200),
    # Training cohorts (site/cohorts/viewsets.py)
    admin_area("GET", "/admin/cohorts/", 200, 200),
    admin_area("GET", "/admin/cohorts/results/", 200, 200),
    admin_area("GET", "/admin/cohorts/new/", 200, 200),
    cohort_x("GET", "/admin/cohorts/edit/{cohort_x}/"),
    cohort_x("GET", "/admin/cohorts/delete/{cohort_x}/"),
    cohort_x("GET", "/admin/cohorts/history/{cohort_x}/"),
    cohort_x("GET", "/admin/cohorts/history-results/{cohort_x}/"),
    cohort_x("GET", "/admin/cohorts/usage/{cohort_x}/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/volunteers/"),
    cohort_x("POST", "/admin/cohorts/{cohort_x}/volunteers/{unclaimed_membership}/new-code/",
             own=Redirect("/admin/cohorts/{cohort_x}/volunteers/", exact=True)),
    # A reset code for A, who has a password: shown once on a page of its own.
    cohort_x("POST", "/admin/cohorts/{cohort_x}/volunteers/{membership_a}/reset-code/"),
    # B is a member of cohort Y only: not through cohort X's URL, for anybody.
    cohort_x("POST", "/admin/cohorts/{cohort_x}/volunteers/{membership_b}/reset-code/",
             own=404),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/invitations/"),
    # Approving on the volunteer's behalf is for administrators only.
    cohort_x("POST", "/admin/cohorts/{cohort_x}/invitations/{invitation_x}/approve/",
             own=DASHBOARD, admin=Redirect("/admin/cohorts/{cohort_x}/invitations/", exact=True)),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/find-volunteers/?q=ประเสริฐ"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/claim-sheet/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/claim-codes.csv"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/import/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/import/{roster_import_x}/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/import/{roster_import_x}/progress/"),
    admin_area("GET", "/admin/cohorts/roster-template.csv", 200, 200),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/report/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/report.csv"),
    cohort_x("POST", "/admin/cohorts/{cohort_x}/report.xlsx"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/report/exports/{export_x}/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/report/exports/{export_x}/download/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/report/questions/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/report/villages/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/certificates.zip"),
    # A cohort's messages: whoever may view the cohort sees the list (counts, no names);
    # only its own trainers and superusers write one (npv_site.cohorts.permissions).
    cohort_x("GET", "/admin/cohorts/{cohort_x}/messages/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/messages/new/"),
    cohort_x("GET", "/admin/cohorts/{cohort_x}/messages/new/?reminder=not_started"),
    # A send (one form key: whoever comes second finds it sent and is shown the list).
    row("POST", "/admin/cohorts/{cohort_x}/messages/new/", ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN,
        Redirect("/admin/cohorts/{cohort_x}/messages/", exact=True), 404,
        Redirect("/admin/cohorts/{cohort_x}/messages/", exact=True),
        data=(("audience", "everyone"), ("text", "พบกันพรุ่งนี้ 9 โมง"), ("link", "my_learning"),
              ("send_key", "8c0e3a52-5d0f-4a5e-9d4b-1f2a3b4c5d6e"), ("send", "1"))),
    # The village register: trainers look, administrators change.
    admin_area("GET", "/admin/villages/", 200, 200),
    admin_area("GET", "/admin/villages/results/", 200, 200),
    admin_area("GET", "/admin/villages/inspect/{village}/", 200, 200),
    admin_area("GET", "/admin/villages/history/{village}/", DASHBOARD, 200),
    admin_area("GET", "/admin/villages/history-results/{village}/", DASHBOARD, 200),
    admin_area("GET", "/admin/villages/usage/{village}/", DASHBOARD, 200),
    admin_area("GET", "/admin/villages/new/", DASHBOARD, 200),
    admin_area("GET", "/admin/villages/edit/{village}/", DASHBOARD, 200),
    admin_area("GET", "/admin/villages/delete/{village}/", DASHBOARD, 200),
    # Issued certificates (certificates/admin_views.py): administrators only.
    admin_area("GET", "/admin/issued_certificates/", DASHBOARD, 200),
    admin_area("GET", "/admin/issued_certificates/results/", DASHBOARD, 200),
    admin_area("GET", "/admin/issued_certificates/inspect/{certificate_pk}/", DASHBOARD, 200),
    admin_area("GET", "/admin/issued_certificates/revoke/{certificate_pk}/", DASHBOARD, 200),
    admin_area("GET", "/admin/issued_certificates/reissue/{certificate_pk}/", DASHBOARD, 200),
    admin_area("GET", "/admin/issued_certificates/version-pdf/{version_pk}/", DASHBOARD, 200),
    # Notification deliveries (notifications/admin_views.py): administrators only.
    admin_area("GET", "/admin/notification_deliveries/", DASHBOARD, 200),
    admin_area("GET", "/admin/notification_deliveries/results/", DASHBOARD, 200),
    admin_area("GET", "/admin/notification_deliveries/inspect/{delivery_pk}/", DASHBOARD, 200),
    # Settings: trainers edit the certificate design and nothing else.
    admin_area("GET", "/admin/settings/certificates/certificatesettings/",
               *[Redirect("/admin/settings/certificates/certificatesettings/{certificate_settings}/",
                          exact=True)] * 2),
    admin_area("GET", "/admin/settings/certificates/certificatesettings/{certificate_settings}/",
               200, 200),
    admin_area("POST",
               "/admin/settings/certificates/certificatesettings/{certificate_settings}/preview/",
               200, 200),
]

# Wagtail's own admin: the dashboard and the areas trainers must not reach.
WAGTAIL_ADMIN_ROWS = [
    admin_area("GET", "/admin/", 200, 200),
    admin_area("GET", "/admin/pages/", 200, 200),
    admin_area("GET", "/admin/pages/{lesson}/edit/", 200, 200),
    admin_area("GET", "/admin/account/", 200, 200),
    # Users and groups
    admin_area("GET", "/admin/users/", DASHBOARD, 200),
    admin_area("GET", "/admin/users/results/", DASHBOARD, 200),
    admin_area("GET", "/admin/users/new/", DASHBOARD, 200),
    admin_area("GET", "/admin/users/edit/{user_a}/", DASHBOARD, 200),
    admin_area("GET", "/admin/users/delete/{user_a}/", DASHBOARD, 200),
    admin_area("GET", "/admin/users/history/{user_a}/", DASHBOARD, 200),
    admin_area("GET", "/admin/users/history-results/{user_a}/", DASHBOARD, 200),
    admin_area("GET", "/admin/users/usage/{user_a}/", DASHBOARD, 200),
    admin_area("GET", "/admin/users/copy/{user_a}/", DASHBOARD, 200),
    admin_area("GET", "/admin/groups/", DASHBOARD, 200),
    admin_area("GET", "/admin/groups/results/", DASHBOARD, 200),
    admin_area("GET", "/admin/groups/new/", DASHBOARD, 200),
    admin_area("GET", "/admin/groups/edit/{trainers_group}/", DASHBOARD, 200),
    admin_area("GET", "/admin/groups/delete/{trainers_group}/", DASHBOARD, 200),
    admin_area("GET", "/admin/groups/history/{trainers_group}/", DASHBOARD, 200),
    admin_area("GET", "/admin/groups/history-results/{trainers_group}/", DASHBOARD, 200),
    admin_area("GET", "/admin/groups/usage/{trainers_group}/", DASHBOARD, 200),
    # Sites, collections, redirects, form submissions, reports, workflows
    admin_area("GET", "/admin/sites/", DASHBOARD, 200),
    admin_area("GET", "/admin/sites/results/", DASHBOARD, 200),
    admin_area("GET", "/admin/sites/new/", DASHBOARD, 200),
    admin_area("GET", "/admin/sites/edit/{site}/", DASHBOARD, 200),
    admin_area("GET", "/admin/sites/delete/{site}/", DASHBOARD, 200),
    admin_area("GET", "/admin/sites/history/{site}/", DASHBOARD, 200),
    admin_area("GET", "/admin/sites/history-results/{site}/", DASHBOARD, 200),
    admin_area("GET", "/admin/sites/usage/{site}/", DASHBOARD, 200),
    admin_area("GET", "/admin/sites/copy/{site}/", DASHBOARD, 200),
    admin_area("GET", "/admin/collections/", DASHBOARD, 200),
    admin_area("GET", "/admin/collections/add/", DASHBOARD, 200),
    admin_area("GET", "/admin/collections/{collection}/", DASHBOARD, 200),
    # Trainers' collection queryset holds only what they may delete: none.
    admin_area("GET", "/admin/collections/{collection}/delete/", 404, 200),
    admin_area("GET", "/admin/collections/{collection}/privacy/", DASHBOARD, 200),
    admin_area("GET", "/admin/redirects/", DASHBOARD, 200),
    admin_area("GET", "/admin/redirects/results/", DASHBOARD, 200),
    admin_area("GET", "/admin/redirects/add/", DASHBOARD, 200),
    admin_area("GET", "/admin/redirects/{redirect}/", DASHBOARD, 200),
    admin_area("GET", "/admin/redirects/{redirect}/delete/", DASHBOARD, 200),
    admin_area("GET", "/admin/redirects/import/", DASHBOARD, 200),
    admin_area("GET", "/admin/redirects/import/process/", DASHBOARD, 405),
    # Form submissions: the project has no form pages, so the list Wagtail
    # shows editors is empty, and a course page has no submissions to show.
    admin_area("GET", "/admin/forms/", 200, 200),
    admin_area("GET", "/admin/forms/results/", 200, 200),
    admin_area("GET", "/admin/forms/submissions/{course}/", 404, 404),
    admin_area("GET", "/admin/forms/submissions/{course}/results/", 404, 404),
    admin_area("GET", "/admin/forms/submissions/{course}/delete/", DASHBOARD, DASHBOARD),
    # Wagtail's reports are for page editors, filtered to what each may see;
    # the locked-pages report needs the unlock permission, which trainers
    # lack; the site history would show every cohort's log, so it is for
    # administrators only (home/admin_views.py).
    admin_area("GET", "/admin/reports/locked/", DASHBOARD, 200),
    admin_area("GET", "/admin/reports/locked/results/", DASHBOARD, 200),
    admin_area("GET", "/admin/reports/workflow/", 200, 200),
    admin_area("GET", "/admin/reports/workflow/results/", 200, 200),
    admin_area("GET", "/admin/reports/workflow_tasks/", 200, 200),
    admin_area("GET", "/admin/reports/workflow_tasks/results/", 200, 200),
    admin_area("GET", "/admin/reports/site-history/", DASHBOARD, 200),
    admin_area("GET", "/admin/reports/site-history/results/", DASHBOARD, 200),
    admin_area("GET", "/admin/reports/aging-pages/", 200, 200),
    admin_area("GET", "/admin/reports/aging-pages/results/", 200, 200),
    admin_area("GET", "/admin/reports/page-types-usage/", 200, 200),
    admin_area("GET", "/admin/reports/page-types-usage/results/", 200, 200),
    # Bulk actions go through one view that checks each object.
    admin_area("GET", "/admin/bulk/auth/user/delete/?id={user_a}", DASHBOARD, 200),
    admin_area("GET", "/admin/bulk/wagtailcore/page/delete/?id={lesson}", 200, 200),
    # The admin's read API for its choosers; copying a page is adding one,
    # which trainers may do.
    admin_area("GET", "/admin/api/main/pages/", 200, 200),
    admin_area("GET", "/admin/api/main/pages/{lesson}/", 200, 200),
    admin_area("GET", "/admin/api/main/pages/find/?html_path=/",
               *[Redirect(API + "/pages/{home}/")] * 2),
    admin_area("POST", "/admin/api/main/pages/{lesson}/action/copy/", 201, 201),
    admin_area("GET", "/admin/api/main/images/", 200, 200),
    admin_area("GET", "/admin/api/main/images/{image}/", 200, 200),
    admin_area("GET", "/admin/api/main/images/find/?id={image}",
               *[Redirect(API + "/images/{image}/")] * 2),
    admin_area("GET", "/admin/api/main/documents/", 200, 200),
    admin_area("GET", "/admin/api/main/documents/{document}/", 200, 200),
    admin_area("GET", "/admin/api/main/documents/find/?id={document}",
               *[Redirect(API + "/documents/{document}/")] * 2),
    # No snippets are registered.
    admin_area("GET", "/admin/snippets/", DASHBOARD, DASHBOARD),
]

# Django's admin: staff only, and trainers are not staff.
DJANGO_ADMIN_ROWS = [
    row("GET", "/django-admin/", *[DJANGO_LOGIN] * 5, 200),
    row("GET", "/django-admin/login/", *[200] * 5, DJANGO_INDEX),
    row("POST", "/django-admin/logout/", *[DJANGO_INDEX] * 5, 200),
    row("GET", "/django-admin/password_change/", *[DJANGO_LOGIN] * 5, 200),
    row("GET", "/django-admin/password_change/done/", *[DJANGO_LOGIN] * 5, 200),
    row("GET", "/django-admin/autocomplete/", *[DJANGO_LOGIN] * 5, 403),
    row("GET", "/django-admin/jsi18n/", *[DJANGO_LOGIN] * 5, 200),
    row("GET", "/django-admin/r/{user_content_type}/{user_a}/", *[DJANGO_LOGIN] * 5, 404),
    row("GET", "/django-admin/auth/", *[DJANGO_LOGIN] * 5, 200),
    row("GET", "/django-admin/no-such-page/", *[DJANGO_LOGIN] * 5, 404),
]


def django_admin_model_rows(app_model: str, object_id: str, exists: bool = True) -> list[Row]:
    """The six views of one model in Django's admin. A missing object sends
    the administrator back to the admin's index."""
    prefix = f"/django-admin/{app_model}"
    refused = [DJANGO_LOGIN] * 5
    found = 200 if exists else DJANGO_INDEX
    return [
        row("GET", f"{prefix}/", *refused, 200),
        row("GET", f"{prefix}/add/", *refused, 403 if "axes" in app_model else 200),
        row("GET", f"{prefix}/{object_id}/", *refused, Redirect(f"{prefix}/{object_id}/change/")),
        row("GET", f"{prefix}/{object_id}/change/", *refused, found),
        row("GET", f"{prefix}/{object_id}/history/", *refused, found),
        row("GET", f"{prefix}/{object_id}/delete/", *refused, found),
    ]


DJANGO_ADMIN_ROWS += [
    *django_admin_model_rows("auth/user", "{user_a}"),
    row("GET", "/django-admin/auth/user/{user_a}/password/", *[DJANGO_LOGIN] * 5, 200),
    *django_admin_model_rows("auth/group", "{trainers_group}"),
    *django_admin_model_rows("wagtaildocs/document", "{document}"),
    *django_admin_model_rows("wagtailimages/image", "{image}"),
    *django_admin_model_rows("taggit/tag", "{missing}", exists=False),
    *django_admin_model_rows("account/emailaddress", "{missing}", exists=False),
    *django_admin_model_rows("axes/accessattempt", "{missing}", exists=False),
    *django_admin_model_rows("axes/accesslog", "{missing}", exists=False),
    *django_admin_model_rows("axes/accessfailurelog", "{missing}", exists=False),
    row("GET", "/django-admin/taggit/tag/merge-tags/", *[DJANGO_LOGIN] * 5, 200),
]

ROWS = PROJECT_ROWS + WAGTAIL_ADMIN_ROWS + DJANGO_ADMIN_ROWS

# Patterns with no row, each for a reason. Keys are resolver routes (prefix
# match where they end in "*").
EXEMPT = {
    "admin/pages/*": "Wagtail's page editor: trainers edit and publish pages by design; page "
    "permissions are Wagtail's GroupPagePermission (tests/test_trainers.py); rows above cover "
    "the explorer and the editor",
    "admin/images/*": "Wagtail's image library: trainers manage it by design (collection "
    "permissions, tests/test_trainers.py)",
    "admin/documents/*": "Wagtail's document library: as images",
    "admin/workflows/*": "moderation workflows are off (WAGTAIL_WORKFLOW_ENABLED = False); the "
    "views need the workflow permissions, which no group holds",
    "admin/choose-*": "the page and link choosers of the editor: list only what the page "
    "explorer lists",
    "admin/tag-autocomplete/*": "tag suggestions for the editor",
    "admin/block-preview/": "StreamField block previews for the editor",
    "admin/editing-sessions/*": "the editor's concurrent-editing pings, per own session",
    "admin/dismissibles/": "the signed-in user's own dismissed hints",
    "admin/sprite/": "the admin's icon sprite, static",
    "admin/jsi18n/": "the admin's JavaScript catalogue, static",
    "admin/login/": "the admin's login form",
    "admin/logout/": "logs out the user who asks",
    "admin/password_reset/*": "Wagtail's password reset, keyed by a signed token",
    "admin/test404/": "Wagtail's own 404 page",
    "admin/failwhale/": "Wagtail's error-page test, for superusers",
    "admin/.*/$": "Wagtail's catch-all 404",
    "admin/bulk/<str:app_label>/<str:model_name>/<str:action>/": "covered by the bulk rows above "
    "(a route with query-string ids)",
    "documents/authenticate_with_password/<int:restriction_id>/": "document privacy is not used",
    "_util/authenticate_with_password/<int:page_view_restriction_id>/<int:page_id>/": "page "
    "privacy is not used",
    "_util/login/": "page privacy is not used",
    "^((?:[\\w\\-]+/)*)$": "Wagtail's pages: see test_page_matrix, which walks the page tree",
    "django-admin/(?P<url>.*)$": "Django admin's catch-all 404 (row for /django-admin/no-such-page/)",
    "accounts/inactive/": "allauth's notice for inactive accounts, no data",
    "accounts/social/login/cancelled/": "allauth's old address, a 301 to accounts/3rdparty/…",
    "accounts/social/login/error/": "allauth's old address, a 301 to accounts/3rdparty/…",
    "accounts/social/signup/": "allauth's old address, a 301 to accounts/3rdparty/…",
    "accounts/reauthenticate/": "allauth's password prompt for the signed-in user",
    "accounts/email/": "allauth's e-mail management of the signed-in user",
    "accounts/confirm-email/": "e-mail verification is off (ACCOUNT_EMAIL_VERIFICATION = none)",
    "accounts/confirm-email/(?P<key>[-:\\w]+)/$": "e-mail verification is off",
    "accounts/password/set/": "allauth's password form for the signed-in user",
    "accounts/login/code/confirm/": "login by code is off",
    "accounts/password/reset/key/done/": "allauth's password reset, keyed by a signed token",
    "accounts/password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "allauth's password "
    "reset, keyed by a signed token",
    "accounts/password/reset/done/": "allauth's notice after a reset request",
}


# Pages by type: the world has a live page of each, all public.
PAGE_EXPECTATIONS = {
    HomePage: (200,) * len(ROLES),
    CourseIndexPage: (200,) * len(ROLES),
    CoursePage: (200,) * len(ROLES),
    ModulePage: (200,) * len(ROLES),
    LessonPage: (200,) * len(ROLES),
}
# A draft is not served to anyone (the editor previews it in the admin).
DRAFT_EXPECTATION = (404,) * len(ROLES)


# ---------------------------------------------------------------------------
# The world: built once for the module inside a transaction rolled back at
# the end; every test runs in a savepoint inside it.
# ---------------------------------------------------------------------------


@dataclass
class World:
    users: dict
    ids: dict
    pages: list
    media: object = None


def _build_world() -> World:
    trainers = Group.objects.get(name="Trainers")
    course = build_course(modules=1, lessons=1, questions=2, parent=None)
    module = ModulePage.objects.child_of(course).get()
    lesson = LessonPage.objects.child_of(module).get()
    draft = LessonPageFactory(parent=module, live=False)

    profile_a = VolunteerProfileFactory(first_name="อำไพ", last_name="ทองดี")
    # B is the volunteer of ROW_B's phone and village, under another name:
    # cohort X's roster names B, and its preview must not say who B is.
    profile_b = VolunteerProfileFactory(
        first_name="บุญมี", last_name="ศรีสุข", phone=ROW_B[3], province=ROW_B[5],
        district=ROW_B[6], subdistrict=ROW_B[7], village_no=int(ROW_B[8]), village_name=ROW_B[9],
    )
    # Signed up on their own, in no cohort, found by the trainers of Chumphon;
    # invited to cohort X, not yet answered.
    outsider = VolunteerProfileFactory(
        user__username="prasert-nocohort", first_name="ประเสริฐ", last_name="ไร้รุ่น",
        phone="0897776655", district="พะโต๊ะ", subdistrict="ปังหวาน", village_no=9,
        village_name="บ้านลับแล", findable_by_trainers=True, findable_consented_at=timezone.now(),
    )
    volunteer_a, volunteer_b = profile_a.user, profile_b.user
    # Both log in with LINE too: no screen but their own shows the LINE user id.
    line_a = SocialAccount.objects.create(
        user=volunteer_a, provider="line", uid="U" + "a1" * 16, extra_data={"displayName": "ไพ LINE"}
    )
    line_b = SocialAccount.objects.create(
        user=volunteer_b, provider="line", uid="U" + "b2" * 16, extra_data={"displayName": "มี LINE"}
    )
    trainer_x = UserFactory(username="trainer-x")
    trainer_y = UserFactory(username="trainer-y")
    for trainer in (trainer_x, trainer_y):
        trainer.groups.add(trainers)
    admin = UserFactory(username="site-admin", is_superuser=True, is_staff=True)

    cohort_x = TrainingCohortFactory(trainers=[trainer_x], courses=[course], provinces=["ชุมพร"])
    cohort_y = TrainingCohortFactory(trainers=[trainer_y], courses=[course], provinces=["น่าน"])
    village = Village.objects.create(
        province="ชุมพร", district="เมืองชุมพร", subdistrict="หาดพันไกร", village_no=2,
        name="บ้านหาดกลาง",
    )
    membership_a = CohortMembership.objects.create(
        cohort=cohort_x, user=volunteer_a, village=village
    )
    membership_b = CohortMembership.objects.create(cohort=cohort_y, user=volunteer_b)
    unclaimed = VolunteerProfileFactory(first_name="ยังไม่รับ").user
    unclaimed.set_unusable_password()
    unclaimed.save()
    unclaimed_membership = CohortMembership.objects.create(cohort=cohort_x, user=unclaimed)
    claim = ClaimCode.objects.create(
        user=unclaimed, code="123456789012", expires_at=timezone.now() + datetime.timedelta(days=30)
    )
    roster = csv_bytes(ROW_A, ROW_B)
    roster_import = RosterImport.objects.create(
        cohort=cohort_x, file_name="roster.csv", file_size=len(roster), sha256="0" * 64,
        content=roster,
    )
    invitation_x = CohortInvitation.objects.create(
        cohort=cohort_x, user=outsider.user, invited_by=trainer_x
    )
    invitation_a = CohortInvitation.objects.create(
        cohort=cohort_y, user=volunteer_a, invited_by=trainer_y
    )
    export = ReportExport.objects.create(
        cohort=cohort_x, course=course, requested_by=trainer_x, status=ReportExport.Status.DONE,
        content=b"PK\x03\x04", finished_at=timezone.now(),
    )

    # A: enrolled in the course, completed it, holds a rendered certificate,
    # and has an open quiz attempt. B: enrolled.
    Enrolment.objects.create(user=volunteer_a, course=course, completed_at=timezone.now())
    Enrolment.objects.create(user=volunteer_b, course=course)
    certificate_tasks.issue_certificate.run(volunteer_a.pk, course.pk)
    certificate = Certificate.objects.select_related("current_version").get(user=volunteer_a)
    assert certificate.current_version.pdf, "the certificate PDF was not rendered"
    attempt = quiz.start_attempt(volunteer_a, module)

    notify("courses.grade_ready", [volunteer_a.pk], key="matrix", context={"attempt_id": attempt.pk})
    delivery = Delivery.objects.get(user=volunteer_a, channel="site", event__dedupe_key="matrix")
    document = Document.objects.create(title="คู่มือเราเตอร์", file=ContentFile(b"%PDF-1.4", "manual.pdf"))
    image = Image.objects.create(
        title="เราเตอร์", file=_png("router.png"), width=1, height=1
    )
    redirect_rule = RedirectRule.objects.create(old_path="/old-course", redirect_link="/")
    ids = {
        "course": course.pk,
        "course_url": course.url,
        "module": module.pk,
        "lesson": lesson.pk,
        "lesson_url": lesson.url,
        "attempt_a": attempt.pk,
        "attempt_missing": attempt.pk + 1000,
        "status_token_a": status_token(attempt),
        "forged_status_token": f"{attempt.pk}:forged",
        "claim_code": claim.code,
        "certificate_a": certificate.display_code,
        "certificate_pk": certificate.pk,
        "version_pk": certificate.current_version.pk,
        "cohort_x": cohort_x.pk,
        "unclaimed_membership": unclaimed_membership.pk,
        "membership_a": membership_a.pk,
        "membership_b": membership_b.pk,
        "invitation_x": invitation_x.pk,
        "invitation_a": invitation_a.pk,
        "roster_import_x": roster_import.pk,
        "export_x": export.pk,
        "village": village.pk,
        "user_a": volunteer_a.pk,
        "user_content_type": ContentType.objects.get_for_model(volunteer_a).pk,
        "trainers_group": trainers.pk,
        "site": Site.objects.get(is_default_site=True).pk,
        "collection": Collection.get_first_root_node().add_child(name="ภาพประกอบ").pk,
        "redirect": redirect_rule.pk,
        "document": document.pk,
        "document_file": document.filename,
        "image": image.pk,
        "missing": 999999,
        "home": home_page().pk,
        "certificate_settings": CertificateSettings.load().pk,
        "delivery_pk": delivery.pk,
        "unsubscribe_token_a": make_token(volunteer_a, "email"),
    }
    # What trainer X must never see: B (cohort Y) and the outsider (no
    # cohort), beyond what X's own roster file holds of B (ROW_B).
    ids["line_user_ids"] = [line_a.uid, line_b.uid]
    ids["secrets_of_others"] = [
        profile_b.first_name, profile_b.last_name, volunteer_b.email,
        outsider.last_name, outsider.phone, "089-777-6655", outsider.user.email,
        outsider.user.username, outsider.village_name,
    ]
    users = {
        "anonymous": None,
        "volunteer_a": volunteer_a,
        "volunteer_b": volunteer_b,
        "trainer_x": trainer_x,
        "trainer_y": trainer_y,
        "admin": admin,
    }
    pages = [page.specific for page in Page.objects.live().descendant_of(home_page(), inclusive=True)]
    assert not TrainingCohort.objects.filter(trainers=trainer_y, memberships__user=volunteer_a)
    ids["draft_url"] = f"{module.url}{draft.slug}/"
    return World(users=users, ids=ids, pages=pages)


def _png(name: str) -> ContentFile:
    buffer = io.BytesIO()
    PILImage.new("RGB", (1, 1), "white").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        built = _build_world()
        built.media = media
        yield built
        transaction.set_rollback(True)


@pytest.fixture
def media_of_world(world, settings):
    # The autouse fixture gives each test a fresh MEDIA_ROOT; the world's
    # files (the certificate PDF, a document, an image) are in the module's.
    settings.MEDIA_ROOT = world.media


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
    return client


def fill(template: str, world: World) -> str:
    return template.format(**world.ids)


def request(client: Client, method: str, url: str, data: dict):
    if method == "POST":
        return client.post(url, data)
    return client.get(url, data)


def check(response, expected, world: World, what: str):
    if isinstance(expected, Redirect):
        location = response.get("Location", "")
        target = fill(expected.to, world)
        assert response.status_code == 302, f"{what}: {response.status_code}, wanted {expected!r}"
        if expected.exact:
            assert location == target, f"{what}: redirected to {location}, wanted {target}"
        else:
            assert location.startswith(target), f"{what}: redirected to {location}, wanted {target}…"
    else:
        assert response.status_code == expected, (
            f"{what}: {response.status_code}, wanted {expected}"
            + (f" (to {response['Location']})" if response.status_code == 302 else "")
        )


CELLS = [
    pytest.param(matrix_row, role, index, id=f"{role}-{matrix_row.label}")
    for matrix_row in ROWS
    for index, role in enumerate(ROLES)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("matrix_row", "role", "index"), CELLS)
def test_url_matrix(world, media_of_world, matrix_row, role, index):
    url = fill(matrix_row.url, world)
    path, _, query = url.partition("?")
    data = dict(matrix_row.data)
    if query:
        data.update(dict(part.split("=", 1) for part in query.split("&")))
    response = request(client_for(world, role), matrix_row.method, path, data)
    check(response, matrix_row.expect[index], world, f"{role} {matrix_row.method} {url}")


@pytest.mark.django_db
@pytest.mark.parametrize("page_type", list(PAGE_EXPECTATIONS), ids=lambda model: model.__name__)
@pytest.mark.parametrize(("role", "index"), [(role, i) for i, role in enumerate(ROLES)])
def test_page_matrix(world, media_of_world, page_type, role, index):
    pages = [page for page in world.pages if type(page) is page_type]
    assert pages, f"the world has no live {page_type.__name__}"
    client = client_for(world, role)
    for page in pages:
        check(client.get(page.url), PAGE_EXPECTATIONS[page_type][index], world, f"{role} {page.url}")


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "index"), [(role, i) for i, role in enumerate(ROLES)])
def test_a_draft_page_is_served_to_nobody(world, media_of_world, role, index):
    url = world.ids["draft_url"]
    check(client_for(world, role).get(url), DRAFT_EXPECTATION[index], world, f"{role} {url}")


# ---------------------------------------------------------------------------
# Nothing left out
# ---------------------------------------------------------------------------


def _routes(patterns=None, prefix=""):
    """Every route of the URLconf, joined the way ResolverMatch.route is."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = URLResolver._join_route(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def _exempt(route: str) -> bool:
    return any(
        route.startswith(key[:-1]) if key.endswith("*") else route == key for key in EXEMPT
    )


class _AnyId(dict):
    def __missing__(self, key):
        return "1"


def test_every_url_has_a_row():
    covered = set()
    for matrix_row in ROWS:
        path = matrix_row.url.format_map(_AnyId()).partition("?")[0]
        covered.add(resolve(path).route)
    missing = [route for route in _routes() if route not in covered and not _exempt(route)]
    assert not missing, "URLs with no row in the permission matrix:\n" + "\n".join(missing)


def test_every_exemption_still_names_a_url():
    routes = list(_routes())
    stale = [
        key
        for key in EXEMPT
        if not any(
            route.startswith(key[:-1]) if key.endswith("*") else route == key for route in routes
        )
    ]
    assert not stale, f"exemptions for URLs that no longer exist: {stale}"


def test_every_page_type_has_a_row():
    models = {model for model in get_page_models() if model is not Page}
    assert models == set(PAGE_EXPECTATIONS), "page types with no row in the permission matrix"


def test_every_row_reaches_the_view_it_names():
    """A row's URL resolves to a real pattern, not to a catch-all by a typo."""
    catch_alls = {"^((?:[\\w\\-]+/)*)$", "django-admin/(?P<url>.*)$", "admin/.*/$"}
    typos = []
    for matrix_row in ROWS:
        path = matrix_row.url.format_map(_AnyId()).partition("?")[0]
        if resolve(path).route in catch_alls and "no-such-page" not in path:
            typos.append(matrix_row.label)
    assert not typos, f"rows that only reach a catch-all: {typos}"


def test_the_matrix_has_one_cell_per_role_and_no_row_twice():
    assert all(len(matrix_row.expect) == len(ROLES) for matrix_row in ROWS)
    assert len({matrix_row.label for matrix_row in ROWS}) == len(ROWS)


# ---------------------------------------------------------------------------
# Where the trainer finds the download
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_report_row_links_the_trainer_to_each_volunteers_certificate(world, media_of_world):
    download = f"/certificates/download/{world.ids['certificate_a']}/"
    report = f"/admin/cohorts/{world.ids['cohort_x']}/report/"
    page = client_for(world, "trainer_x").get(report)
    assert page.status_code == 200
    links = re.findall(r'href="(/certificates/download/[^"]+)"', page.content.decode())
    assert len(links) == 1
    # The link may name the code in either form; it opens A's PDF for the trainer.
    response = client_for(world, "trainer_x").get(links[0])
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(world, "trainer_y").get(links[0]).status_code == 404
    assert client_for(world, "trainer_x").get(download).status_code == 200


# ---------------------------------------------------------------------------
# Nothing of other people's on any page a trainer opens
# ---------------------------------------------------------------------------

TRAINER_PAGES = [
    matrix_row
    for matrix_row in ROWS
    if matrix_row.expect[ROLES.index("trainer_x")] == 200
]
# Searches for the others, by part of a name or phone (the page repeats the
# query, so it never holds a whole secret itself), and the pages with a course.
SEARCHES = [
    "/admin/cohorts/{cohort_x}/volunteers/?q=ศรีสุ",
    "/admin/cohorts/{cohort_x}/volunteers/?q=08977766",
    "/admin/cohorts/{cohort_x}/volunteers/?q=ไร้รุ",
    "/admin/cohorts/{cohort_x}/import/{roster_import_x}/?show=all",
    "/admin/cohorts/{cohort_x}/report/?course={course}",
    "/admin/cohorts/{cohort_x}/report.csv?course={course}",
    "/admin/cohorts/{cohort_x}/find-volunteers/?q=ศรีสุ",
    "/admin/cohorts/{cohort_x}/find-volunteers/?q=บุญม",
    "/admin/pages/search/?q=บุญม",
]


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.django_db
def test_no_page_a_trainer_opens_shows_a_volunteer_outside_their_cohorts(world, media_of_world):
    """Every URL the matrix lets trainer X open (200), and searches for the
    others by name: none holds a name, phone, e-mail, user name or village
    of B (cohort Y) or of the self-registered outsider, except what X's own
    roster file says. The outsider opted in to be found by name, district
    and village (the search, and the invitations it sent while they stay
    findable, may show those), not by phone or e-mail."""
    client = client_for(world, "trainer_x")
    secrets = world.ids["secrets_of_others"]
    findable = {"ไร้รุ่น", "บ้านลับแล"}  # the outsider's name and village, by consent
    checked = 0
    for matrix_row in TRAINER_PAGES:
        url = fill(matrix_row.url, world)
        path, _, query = url.partition("?")
        data = dict(matrix_row.data)
        if query:
            data.update(dict(part.split("=", 1) for part in query.split("&")))
        body = _body(request(client, matrix_row.method, path, data)).decode(errors="replace")
        allowed = findable if path.endswith(("/find-volunteers/", "/invitations/")) else set()
        leaked = [secret for secret in secrets if secret in body and secret not in allowed]
        assert not leaked, f"{matrix_row.label} shows {leaked}"
        checked += 1
    for template in SEARCHES:
        url = fill(template, world)
        response = client.get(url)
        assert response.status_code == 200, url
        body = _body(response).decode(errors="replace")
        leaked = [secret for secret in secrets if secret in body]
        assert not leaked, f"GET {url} shows {leaked}"
    assert checked > 40
    # The pages that would show the others if the rules slipped are among them.
    labels = {matrix_row.label for matrix_row in TRAINER_PAGES}
    assert "GET /admin/cohorts/{cohort_x}/import/{roster_import_x}/" in labels
    assert "GET /admin/cohorts/{cohort_x}/claim-codes.csv" in labels


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["trainer_x", "admin"])
def test_no_admin_screen_shows_a_line_user_id(world, media_of_world, role):
    """The LINE user id is the volunteer's own: no screen of the trainer of their
    cohort (volunteers, reports, exports, claim sheets, searches) nor of an
    administrator (Wagtail's users, the Django admin) shows it, nor the LINE
    display name."""
    client = client_for(world, role)
    hidden = [*world.ids["line_user_ids"], "ไพ LINE", "มี LINE"]
    index = ROLES.index(role)
    checked = 0
    for matrix_row in ROWS:
        if matrix_row.expect[index] != 200 or not matrix_row.url.startswith(("/admin/", "/django-admin/")):
            continue
        url = fill(matrix_row.url, world)
        path, _, query = url.partition("?")
        data = dict(matrix_row.data)
        if query:
            data.update(dict(part.split("=", 1) for part in query.split("&")))
        body = _body(request(client, matrix_row.method, path, data)).decode(errors="replace")
        leaked = [secret for secret in hidden if secret in body]
        assert not leaked, f"{role} {matrix_row.label} shows {leaked}"
        checked += 1
    for template in [*SEARCHES, "/admin/users/?q=อำไพ", "/admin/users/{user_a}/"]:
        response = client.get(fill(template, world))
        if response.status_code == 200:
            body = _body(response).decode(errors="replace")
            assert not [secret for secret in hidden if secret in body], template
    assert checked > 30
    # allauth's own admin of social accounts is not installed (npv_site.accounts.apps).
    if role == "admin":
        # (A fresh client: the rows above include the admin's logout.)
        admin_client = client_for(world, role)
        assert admin_client.get("/django-admin/").status_code == 200
        assert admin_client.get("/django-admin/socialaccount/socialaccount/").status_code == 404
