"""What people type is shown as text, never run as markup.

A volunteer whose name, English name, title and village hold `<script>`,
`<b>`, `&amp;` and quotes: every page that shows them (their profile, the
claim page, the cohort's report, volunteer list and claim sheet, the
verification page) shows exactly the text typed, escaped once; the CSV holds
it literally with formula-like cells neutralised; the certificate's HTML,
which WeasyPrint parses, has it as text, and the PDF's metadata holds it
literally. A trainer's course title is escaped likewise on My learning, and
a `<script>` in a lesson's rich text, as the admin's editor posts it, is
stored and shown as text.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from django.utils.html import escape
from wagtail.test.utils.form_data import nested_form_data, streamfield

from certificates import lifecycle
from certificates.models import Certificate, CertificateSettings
from certificates.rendering import certificate_html, render_pdf
from npv_site.cohorts.claims import issue_new_code
from npv_site.cohorts.models import CohortMembership, Village
from courses.models import CourseIndexPage, Enrolment, LessonPage, ModulePage
from npv_site.accounts.models import NameTitle
from tests.factories import (
    TrainingCohortFactory,
    UserFactory,
    VolunteerProfileFactory,
    build_course,
)

pytestmark = pytest.mark.django_db

# Each field its own text, so that each is found (or missed) on its own.
TITLE = 'ว่าที่ร.ต.<b>x</b>'
FIRST = 'สม<script>alert("first")</script>'
LAST = "ใจดี&amp;'<b>x</b>"
NAME_EN = 'Somchai <script>alert(1)</script> "Jai" &amp; O\'Dee'
VILLAGE = 'บ้าน<i>นา</i>&amp;"ใหม่"'
# Formula-like too: the CSV must neutralise them.
DISTRICT = '-2+3<script>alert("district")</script>'
SUBDISTRICT = "@SUM(1)<b>x</b>"
VILLAGE_IN_REGISTER = '=HYPERLINK("http://x")<i>บ้าน</i>&amp;'
COURSE = 'ดูแลเน็ต <script>alert("course")</script> & "ชุมชน"'
ISSUER = 'โครงการ<script>alert("issuer")</script>&amp;'

# Raw markup that must never reach a page.
MARKUP = ("<script>alert(", "<b>x</b>", "<i>นา</i>", "<i>บ้าน</i>")


def assert_shown_as_text(html: str, *values: str) -> None:
    """Each value is in the page escaped exactly once (not raw, not twice),
    and none of the typed markup is live."""
    for value in values:
        assert escape(value) in html, f"{value!r} is not shown (escaped once) on the page"
        assert value not in html, f"{value!r} is in the page unescaped"
    for markup in MARKUP:
        assert markup not in html, f"{markup!r} reached the page as markup"


@pytest.fixture
def hostile():
    """A volunteer of cohort X with hostile text everywhere they can type,
    a completed course with a hostile title, and their certificate."""
    index = CourseIndexPage.objects.first()
    course = build_course(modules=1, lessons=1, questions=0, parent=index)
    course.title = COURSE
    course.save_revision().publish()
    trainer = UserFactory(username="trainer-x")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course], provinces=["ชุมพร"])
    village = Village.objects.create(
        province="ชุมพร", district=DISTRICT, subdistrict=SUBDISTRICT, village_no=2,
        name=VILLAGE_IN_REGISTER,
    )
    profile = VolunteerProfileFactory(
        title=NameTitle.OTHER, title_other=TITLE, first_name=FIRST, last_name=LAST,
        name_en=NAME_EN, province="ชุมพร", district=DISTRICT, subdistrict=SUBDISTRICT,
        village_no=2, village_name=VILLAGE,
    )
    user = profile.user
    CohortMembership.objects.create(cohort=cohort, user=user, village=village)
    Enrolment.objects.create(user=user, course=course, completed_at=timezone.now())
    design = CertificateSettings.load()
    design.issuer_name = ISSUER
    design.save()
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    return {"user": user, "profile": profile, "trainer": trainer, "cohort": cohort,
            "course": course, "certificate": certificate}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def full_name() -> str:
    return f"{TITLE}{FIRST} {LAST}"


# -- pages a volunteer sees ----------------------------------------------------


def test_my_learning_shows_the_course_title_and_the_certificate_as_text(hostile):
    html = signed_in(hostile["user"]).get("/learn/").content.decode()
    assert_shown_as_text(html, COURSE)
    # The course card and the certificate card.
    assert html.count(escape(COURSE)) == 2


def test_a_message_naming_a_course_is_escaped(hostile):
    client = signed_in(UserFactory())
    response = client.post(f"/learn/courses/{hostile['course'].pk}/enrol/", follow=True)
    assert_shown_as_text(response.content.decode(), COURSE)
    assert escape(f"ลงทะเบียนเรียน “{COURSE}” แล้ว") in response.content.decode()


def test_the_profile_form_shows_what_was_typed_in_its_fields(hostile):
    page = signed_in(hostile["user"]).get("/accounts/profile/").content.decode()
    assert_shown_as_text(page, TITLE, FIRST, LAST, NAME_EN, VILLAGE, DISTRICT, SUBDISTRICT)
    fields = BeautifulSoup(page, "html.parser")
    typed = {name: fields.find("input", attrs={"name": name})["value"]
             for name in ("title_other", "first_name", "last_name", "name_en", "village_name")}
    assert typed == {"title_other": TITLE, "first_name": FIRST, "last_name": LAST,
                     "name_en": NAME_EN, "village_name": VILLAGE}


def test_the_claim_page_greets_the_volunteer_by_name_as_text(hostile):
    user = hostile["user"]
    user.set_unusable_password()
    user.save()
    claim = issue_new_code(user)
    html = Client().get(f"/claim/{claim.code}/").content.decode()
    assert_shown_as_text(html, full_name(), VILLAGE, SUBDISTRICT, DISTRICT)


def test_the_verification_page_shows_the_holder_as_text(hostile):
    certificate = hostile["certificate"]
    html = Client().get(certificate.get_absolute_url()).content.decode()
    assert_shown_as_text(html, full_name(), NAME_EN, COURSE)


# -- trainer screens -----------------------------------------------------------


def test_the_cohort_report_shows_names_and_villages_as_text(hostile):
    html = signed_in(hostile["trainer"]).get(
        f"/admin/cohorts/{hostile['cohort'].pk}/report/"
    ).content.decode()
    assert_shown_as_text(html, FIRST, LAST, VILLAGE_IN_REGISTER, SUBDISTRICT, DISTRICT)


def test_the_volunteer_list_and_claim_sheet_show_names_and_villages_as_text(hostile):
    client = signed_in(hostile["trainer"])
    cohort = hostile["cohort"].pk
    volunteers = client.get(f"/admin/cohorts/{cohort}/volunteers/").content.decode()
    assert_shown_as_text(volunteers, VILLAGE_IN_REGISTER, SUBDISTRICT, DISTRICT)
    user = hostile["user"]
    user.set_unusable_password()
    user.save()
    issue_new_code(user)
    sheet = client.get(f"/admin/cohorts/{cohort}/claim-sheet/").content.decode()
    assert_shown_as_text(sheet, full_name(), VILLAGE_IN_REGISTER)


def test_the_csv_holds_the_literal_text_with_formula_cells_neutralised(hostile):
    response = signed_in(hostile["trainer"]).get(
        f"/admin/cohorts/{hostile['cohort'].pk}/report.csv"
    )
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(body)))
    assert row[:7] == [
        "ชุมพร", "'" + DISTRICT, "'" + SUBDISTRICT, "2", "'" + VILLAGE_IN_REGISTER, FIRST, LAST,
    ]


def test_the_certificate_admin_shows_the_holder_as_text(hostile):
    admin = UserFactory(is_superuser=True, is_staff=True)
    html = signed_in(admin).get(
        f"/admin/issued_certificates/inspect/{hostile['certificate'].pk}/"
    ).content.decode()
    assert_shown_as_text(html, full_name())


# -- the certificate -----------------------------------------------------------


def test_the_certificates_html_for_weasyprint_holds_the_text_not_markup(hostile):
    content = lifecycle.content_for(hostile["certificate"].current_version)
    html = str(certificate_html(content))
    document = BeautifulSoup(html, "html.parser")
    # What WeasyPrint will lay out: the exact text, and no element typed in.
    assert document.select_one(".holder").get_text() == full_name()
    assert document.select_one(".holder-en").get_text() == NAME_EN
    assert document.select_one(".course").get_text() == COURSE
    assert document.select_one(".issuer__name").get_text() == ISSUER
    assert VILLAGE in document.select_one(".place").get_text()
    assert document.title.get_text() == content.pdf_title
    assert document.find("meta", attrs={"name": "author"})["content"] == ISSUER
    assert not document.find_all(["script", "b", "i"])
    for markup in MARKUP:
        assert markup not in html


def test_the_pdf_metadata_holds_the_literal_text(hostile):
    from pypdf import PdfReader

    certificate = Certificate.objects.get(pk=hostile["certificate"].pk)
    pdf = render_pdf(lifecycle.content_for(certificate.current_version))
    meta = PdfReader(io.BytesIO(pdf)).metadata
    assert meta.title == f"เกียรติบัตร {full_name()} {certificate.number}"
    assert meta.author == ISSUER
    assert NAME_EN in meta.subject and VILLAGE in meta.subject and COURSE in meta.subject
    assert full_name() in meta["/Keywords"] and NAME_EN in meta["/Keywords"]


# -- lesson rich text ----------------------------------------------------------


def _contentstate(text: str, link_url: str) -> str:
    """A paragraph as the admin's rich text editor (Draftail) posts it, with a
    link over the last word."""
    word = text.split()[-1]
    return json.dumps({
        "blocks": [{
            "key": "a1b2c", "type": "unstyled", "depth": 0, "text": text,
            "inlineStyleRanges": [], "data": {},
            "entityRanges": [{"offset": text.rindex(word), "length": len(word), "key": 0}],
        }],
        "entityMap": {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": link_url}}},
    })


def _edit_form(client: Client, url: str) -> dict:
    """The plain fields of an admin edit form as the page has them."""
    form = BeautifulSoup(client.get(url).content, "html.parser").find("form", action=url)
    data = {}
    for field in form.find_all(["input", "textarea"]):
        name, kind = field.get("name"), field.get("type", "")
        if name and kind not in ("submit", "button", "file", "checkbox", "radio"):
            data[name] = field.text if field.name == "textarea" else field.get("value", "")
    return data


def test_a_script_typed_into_a_lesson_paragraph_is_stored_and_shown_as_text(hostile):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = signed_in(admin)
    module = ModulePage.objects.child_of(hostile["course"]).get()
    lesson = LessonPage.objects.child_of(module).get()
    edit = f"/admin/pages/{lesson.pk}/edit/"
    typed = '<script>alert("lesson")</script> กด <b>x</b> ที่นี่'
    data = {
        **_edit_form(client, edit),
        **nested_form_data({"body": streamfield(
            [("paragraph", _contentstate(typed, "javascript:alert(2)"))]
        )}),
        "action-publish": "publish",
    }
    response = client.post(edit, data)
    assert response.status_code == 302, "the admin refused the lesson form"

    stored = LessonPage.objects.get(pk=lesson.pk).body[0].value.source
    assert "<script" not in stored and "javascript:" not in stored
    page = signed_in(hostile["user"]).get(lesson.url).content.decode()
    paragraph = BeautifulSoup(page, "html.parser").select_one(".rich-text")
    assert paragraph.get_text() == typed
    assert not paragraph.find_all(["script", "b"])
    # The link kept its text and lost its javascript: address.
    assert [link.attrs for link in paragraph.find_all("a")] == [{}]
    assert '<script>alert("lesson")' not in page and "javascript:alert" not in page
