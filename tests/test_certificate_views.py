"""Verification page, downloads and who may see what, "My learning", admin."""

import shutil
from unittest import mock
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from certificates import lifecycle, tasks
from certificates.models import Certificate, CertificateSettings
from tests.certificates_support import completed_enrolment, load_demo_design, new_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued():
    """A volunteer's rendered certificate."""
    user, course = completed_enrolment(
        title="นาง",
        first_name="น้ำทิพย์",
        last_name="ฤๅษีญี่ปุ่น",
        name_en="Namthip Ruesi",
        phone="0812345678",
    )
    tasks.issue_certificate.run(user.pk, course.pk)
    return Certificate.objects.select_related("current_version").get(user=user)


@pytest.fixture
def trainer():
    user = UserFactory(username="trainer-cert")
    user.groups.add(Group.objects.get(name="Trainers"))
    return user


@pytest.fixture
def admin_user():
    return UserFactory(username="site-admin", is_superuser=True, is_staff=True)


def verify_url(certificate):
    return f"/certificates/verify/{certificate.display_code}/"


def download_url(certificate):
    return f"/certificates/download/{certificate.display_code}/"


# -- Verification -------------------------------------------------------------


def test_verification_page_of_a_valid_certificate_shows_name_course_date_number_only(
    client, issued
):
    response = client.get(verify_url(issued))
    page = response.content.decode()
    assert response.status_code == 200
    assert "ยังใช้ได้" in page
    assert "นางน้ำทิพย์ ฤๅษีญี่ปุ่น" in page and "Namthip Ruesi" in page
    assert issued.current_version.course_title in page
    assert "28 มกราคม 2562" in page
    assert issued.number in page
    # Nothing more personal than the province.
    assert "ชุมพร" in page
    for private in ("0812345678", issued.user.email, "บ้านหาดกลาง", "หาดพันไกร"):
        assert private not in page
    assert response["X-Robots-Tag"].startswith("noindex")


def test_verification_page_of_a_revoked_certificate_says_revoked(client, issued):
    lifecycle.revoke_certificate(issued, reason="ทุจริตในการสอบ")
    page = client.get(verify_url(issued)).content.decode()
    assert "ถูกเพิกถอนแล้ว" in page
    assert "ยังใช้ได้" not in page
    assert "ทุจริต" not in page  # the reason is for administrators


def test_verification_page_of_an_unknown_code_says_not_found(client, issued):
    response = client.get("/certificates/verify/0000-0000-0000-0000/")
    assert response.status_code == 404
    assert "ไม่พบเกียรติบัตร" in response.content.decode()


@pytest.mark.parametrize("code", ["12345", "7KQ4-M2XD-9H3B-TWZ!", "ABCD-EFGH-IJKL-MNOU", str(1)])
def test_verification_page_of_a_malformed_code_explains_the_form(client, code):
    response = client.get(f"/certificates/verify/{code}/")
    assert response.status_code == 400
    assert "16 ตัวอักษร" in response.content.decode()


def test_database_id_is_not_a_verification_code(client, issued):
    assert client.get(f"/certificates/verify/{issued.pk}/").status_code == 400


def test_a_code_typed_in_lower_case_leads_to_the_certificate(client, issued):
    response = client.get(f"/certificates/verify/{issued.code.lower()}/")
    assert response.status_code == 302
    assert response["Location"] == verify_url(issued)


def test_code_read_over_the_phone_is_looked_up(client, issued):
    spoken = issued.display_code.lower().replace("-", " ")
    response = client.get("/certificates/verify/", {"code": spoken})
    assert response["Location"] == verify_url(issued)
    wrong = client.get("/certificates/verify/", {"code": "12AB"})
    assert wrong.status_code == 200 and "16 ตัวอักษร" in wrong.content.decode()


def test_verification_page_after_account_deletion_says_withdrawn_without_the_name(client, issued):
    url = verify_url(issued)
    issued.user.delete()
    page = client.get(url).content.decode()
    assert "ถูกเพิกถอนโดยเจ้าของ" in page
    assert "น้ำทิพย์" not in page and "Namthip" not in page
    assert issued.number in page


def test_verification_page_shows_the_current_version_after_a_reissue(client, issued):
    profile = issued.user.volunteer_profile
    profile.last_name = "ฤๅษีญี่ปุ่นดี"
    profile.save()
    with mock.patch.object(tasks.render_certificate_pdf, "delay"):
        lifecycle.reissue_certificate(issued, reason="แก้นามสกุล")
    page = client.get(verify_url(issued)).content.decode()
    assert "นางน้ำทิพย์ ฤๅษีญี่ปุ่นดี" in page
    assert "ฉบับที่ 2" in page


# -- Downloads ------------------------------------------------------------------


def test_holder_downloads_the_pdf_with_a_thai_file_name(client, issued):
    client.force_login(issued.user)
    response = client.get(download_url(issued))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF") and len(body) == issued.current_version.pdf_size
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="certificate-{issued.number}.pdf"')
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert all(ord(char) < 128 and char not in " '()*,;" for char in encoded)
    assert (
        unquote(encoded)
        == f"เกียรติบัตร-{issued.current_version.course_title.replace(' ', '-')}-{issued.number}.pdf"
    )
    assert "no-store" in response["Cache-Control"]


def test_another_volunteer_gets_404_for_someone_elses_certificate(client, issued):
    client.force_login(UserFactory())
    assert client.get(download_url(issued)).status_code == 404


def test_a_trainer_outside_the_holders_cohorts_cannot_download_the_certificate(
    client, issued, trainer
):
    client.force_login(trainer)
    assert client.get(download_url(issued)).status_code == 404


def test_anonymous_visitor_gets_403_and_a_sign_in_link(client, issued):
    response = client.get(download_url(issued))
    assert response.status_code == 403
    assert reverse("account_login") in response.content.decode()
    assert b"%PDF" not in response.content


def test_site_administrator_downloads_any_certificate(client, issued, admin_user):
    client.force_login(admin_user)
    response = client.get(download_url(issued))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_holder_cannot_download_a_revoked_certificate(client, issued):
    lifecycle.revoke_certificate(issued, reason="ทุจริตในการสอบ")
    client.force_login(issued.user)
    assert client.get(download_url(issued)).status_code == 404


@pytest.mark.parametrize("code", ["not-a-code", "0000-0000-0000-0000"])
def test_unknown_or_malformed_download_codes_get_404(client, issued, code):
    client.force_login(issued.user)
    assert client.get(f"/certificates/download/{code}/").status_code == 404


def test_certificate_not_rendered_yet_says_it_is_being_prepared(client):
    user, course = completed_enrolment()
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    client.force_login(user)
    response = client.get(download_url(certificate))
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "กำลังจัดทำเกียรติบัตร" in response.content.decode()


# -- "My learning" -------------------------------------------------------------


def test_my_learning_lists_certificates_with_a_download_button(client, issued):
    client.force_login(issued.user)
    page = client.get(reverse("courses:my_learning")).content.decode()
    assert "เกียรติบัตรของฉัน" in page
    assert download_url(issued) in page
    assert issued.number in page


def test_my_learning_queries_do_not_grow_with_certificates(client, django_assert_max_num_queries):
    course = new_course()
    user, _ = completed_enrolment(course=course)
    tasks.issue_certificate.run(user.pk, course.pk)
    client.force_login(user)
    client.get(
        reverse("courses:my_learning")
    )  # warm: whether this login may reach the admin is cached
    with django_assert_max_num_queries(40) as one:
        client.get(reverse("courses:my_learning"))
    for _ in range(3):
        other = new_course()
        from courses.models import Enrolment

        Enrolment.objects.create(
            user=user, course=other, completed_at=Certificate.objects.first().issued_at
        )
        tasks.issue_certificate.run(user.pk, other.pk)
    with django_assert_max_num_queries(len(one.captured_queries)) as four:
        page = client.get(reverse("courses:my_learning")).content.decode()
    assert page.count("/certificates/download/") == 8  # four in the list, four on the course cards
    assert len(four.captured_queries) == len(one.captured_queries)


# -- Admin: design settings, preview, issued certificates -----------------------


def test_trainer_edits_the_certificate_design(client, trainer):
    client.force_login(trainer)
    design = CertificateSettings.load()
    url = reverse("wagtailsettings:edit", args=["certificates", "certificatesettings", design.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "ข้อความบนเกียรติบัตร" in response.content.decode()


def test_trainer_previews_an_unsaved_design_as_a_picture(client, trainer):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm not installed")
    client.force_login(trainer)
    design = CertificateSettings.load()
    url = reverse(
        "wagtailsettings:preview_on_edit", args=["certificates", "certificatesettings", design.pk]
    )
    form = {
        "issuer_name": "ศูนย์ดิจิทัลชุมชนทดสอบ",
        "issuer_detail": "",
        "title": "วุฒิบัตร",
        "statement": design.statement,
        "completion_text": design.completion_text,
        "closing_text": "",
        "date_prefix": design.date_prefix,
        "number_prefix": "DEMO",
        "signatories-count": "0",
    }
    posted = client.post(url, form)
    assert posted.json()["is_valid"] is True
    response = client.get(url, {"mode": "png"})
    assert response.status_code == 200
    assert 'src="data:image/png;base64,' in response.content.decode()
    pdf = client.get(url, {"mode": "pdf"})
    assert pdf["Content-Type"] == "application/pdf"
    design.refresh_from_db()
    assert design.title == "เกียรติบัตร"  # a preview saves nothing


def test_sample_certificate_of_the_preview_carries_the_unsaved_wording_and_a_watermark():
    from certificates.previews import sample_content

    load_demo_design()
    design = CertificateSettings.load()
    design.title = "วุฒิบัตร"
    content = sample_content(design)
    assert content.title == "วุฒิบัตร" and content.sample
    assert [s.name for s in content.signatories] == [
        "นายสมศักดิ์ ใจดี",
        "นางวิไลวรรณ ศรีสุข",
        "นายปิยะ ทองคำ",
    ]
    from certificates.rendering import certificate_html

    assert "ตัวอย่าง" in certificate_html(content)


def test_trainer_does_not_see_the_issued_certificates(client, trainer, issued):
    client.force_login(trainer)
    response = client.get("/admin/issued_certificates/")
    assert response.status_code in (302, 403)


def test_administrator_lists_searches_and_inspects_issued_certificates(client, admin_user, issued):
    client.force_login(admin_user)
    listing = client.get("/admin/issued_certificates/", {"q": issued.number})
    assert listing.status_code == 200
    assert issued.number in listing.content.decode()
    inspect = client.get(f"/admin/issued_certificates/inspect/{issued.pk}/")
    assert inspect.status_code == 200
    assert "นางน้ำทิพย์ ฤๅษีญี่ปุ่น" in inspect.content.decode()
    assert client.get("/admin/issued_certificates/new/").status_code == 404


def test_administrator_revokes_with_a_reason_and_reissues(client, admin_user, issued):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/issued_certificates/revoke/{issued.pk}/", {"reason": "ทุจริตในการสอบ"}
    )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.REVOKED
    with mock.patch.object(tasks.render_certificate_pdf, "delay"):
        response = client.post(
            f"/admin/issued_certificates/reissue/{issued.pk}/", {"reason": "ตรวจแล้ว"}
        )
    assert response.status_code == 302
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.VALID
    assert issued.current_version.version == 2


def test_volunteer_cannot_revoke(client, issued):
    client.force_login(issued.user)
    response = client.post(f"/admin/issued_certificates/revoke/{issued.pk}/", {"reason": "x"})
    assert response.status_code in (302, 403)
    issued.refresh_from_db()
    assert issued.status == Certificate.Status.VALID
