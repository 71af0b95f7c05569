"""Issuing, numbering, freezing, revoking, re-issuing and withdrawal."""

import datetime
import threading
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from certificates import lifecycle, tasks
from certificates.codes import ALPHABET, format_code, new_code, normalise_code
from certificates.models import Certificate, CertificateEvent, CertificateSettings
from certificates.numbering import format_number
from courses.models import Enrolment
from courses.personal_data_registry import collect_personal_data
from courses.progress import record_module_pass
from tests.certificates_support import COMPLETED_AT, completed_enrolment, new_course
from tests.factories import UserFactory, VolunteerProfileFactory

pytestmark = pytest.mark.django_db


def test_certificate_prints_the_profile_name_village_and_course():
    user, course = completed_enrolment(
        title="นาง", first_name="สมหญิง", last_name="รักถิ่น", name_en="Somying Rakthin"
    )
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    version = certificate.current_version
    assert version.holder_name == "นางสมหญิง รักถิ่น"
    assert version.holder_name_en == "Somying Rakthin"
    assert (version.village_no, version.village_name) == (2, "บ้านหาดกลาง")
    assert (version.subdistrict, version.district, version.province) == (
        "หาดพันไกร",
        "เมืองชุมพร",
        "ชุมพร",
    )
    assert version.course_title == course.title
    assert certificate.issued_on == datetime.date(2019, 1, 28)
    assert certificate.number == "NPV-2562-000001"
    assert certificate.status == Certificate.Status.VALID


def test_no_certificate_before_the_course_is_completed():
    profile = VolunteerProfileFactory()
    course = new_course()
    Enrolment.objects.create(user=profile.user, course=course)
    with pytest.raises(lifecycle.NotEligible):
        lifecycle.issue_certificate(profile.user.pk, course.pk)
    assert not Certificate.objects.exists()


def test_issuing_twice_returns_the_same_certificate():
    user, course = completed_enrolment()
    first = lifecycle.issue_certificate(user.pk, course.pk)
    second = lifecycle.issue_certificate(user.pk, course.pk)
    assert first.pk == second.pk
    assert Certificate.objects.count() == 1
    assert first.versions.count() == 1


def test_task_delivered_twice_makes_one_certificate_and_one_pdf():
    user, course = completed_enrolment()
    tasks.issue_certificate.run(user.pk, course.pk)
    tasks.issue_certificate.run(user.pk, course.pk)
    certificate = Certificate.objects.get()
    assert certificate.versions.count() == 1
    assert certificate.current_version.pdf
    assert certificate.current_version.pdf_size > 1000


def test_numbers_run_per_buddhist_year_and_start_again_each_year():
    course = new_course()
    numbers = []
    for completed in (COMPLETED_AT, COMPLETED_AT, COMPLETED_AT.replace(year=2026)):
        user, _course = completed_enrolment(course=course, completed_at=completed)
        numbers.append(lifecycle.issue_certificate(user.pk, course.pk).number)
    assert numbers == ["NPV-2562-000001", "NPV-2562-000002", "NPV-2569-000001"]


def test_changing_the_prefix_never_restarts_the_count():
    course = new_course()
    user, _ = completed_enrolment(course=course)
    lifecycle.issue_certificate(user.pk, course.pk)
    design = CertificateSettings.load()
    design.number_prefix = "NETASA"
    design.save()
    user2, _ = completed_enrolment(course=course)
    assert lifecycle.issue_certificate(user2.pk, course.pk).number == "NETASA-2562-000002"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issuing_leaves_no_gaps_or_duplicates():
    course = new_course()
    users = [completed_enrolment(course=course)[0] for _ in range(12)]
    errors = []
    # Each volunteer's issue is attempted by two threads at once, as when a
    # task is delivered to two workers.
    jobs = [user for user in users for _ in range(2)]
    barrier = threading.Barrier(len(jobs))

    def issue(user):
        try:
            barrier.wait(timeout=30)
            lifecycle.issue_certificate(user.pk, course.pk)
        except Exception as error:  # pragma: no cover - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(user,)) for user in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    serials = sorted(Certificate.objects.values_list("serial", flat=True))
    assert serials == list(range(1, 13))
    assert Certificate.objects.values("user").distinct().count() == 12


def test_an_issued_certificate_is_frozen_against_later_changes():
    user, course = completed_enrolment(first_name="สมหญิง")
    lifecycle.issue_certificate(user.pk, course.pk)
    profile = user.volunteer_profile
    profile.first_name = "สมศรี"
    profile.save()
    course.title = "ชื่อหลักสูตรใหม่"
    course.save()
    design = CertificateSettings.load()
    design.title = "วุฒิบัตร"
    design.save()
    again = lifecycle.issue_certificate(user.pk, course.pk)
    version = again.current_version
    assert "สมหญิง" in version.holder_name
    assert version.course_title != "ชื่อหลักสูตรใหม่"
    assert version.design["title"] == "เกียรติบัตร"
    assert lifecycle.content_for(version).title == "เกียรติบัตร"


def test_reissue_after_a_name_correction_keeps_number_and_code_and_history():
    user, course = completed_enrolment(first_name="สมหญิ")
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    admin = UserFactory(is_superuser=True, is_staff=True)
    profile = user.volunteer_profile
    profile.first_name = "สมหญิง"
    profile.save()
    with mock.patch.object(tasks.render_certificate_pdf, "delay") as send:
        version = lifecycle.reissue_certificate(certificate, actor=admin, reason="แก้ชื่อสะกดผิด")
    certificate.refresh_from_db()
    assert version.version == 2
    assert certificate.current_version == version
    assert version.holder_name == "นางสมหญิง รักถิ่น"
    assert certificate.versions.get(version=1).holder_name == "นางสมหญิ รักถิ่น"
    assert certificate.number == "NPV-2562-000001"
    assert certificate.events.filter(kind=CertificateEvent.Kind.REISSUED, actor=admin).exists()
    # The render is sent after commit (the test transaction never commits).
    send.assert_not_called()


def test_revoking_needs_a_reason_and_reissuing_makes_it_valid_again():
    user, course = completed_enrolment()
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    with pytest.raises(ValueError):
        lifecycle.revoke_certificate(certificate, reason="  ")
    lifecycle.revoke_certificate(certificate, reason="ทุจริตในการสอบ")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    lifecycle.reissue_certificate(certificate, reason="ตรวจสอบแล้วไม่พบการทุจริต")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.VALID


def test_deleting_the_account_withdraws_certificates_and_removes_personal_data(
    django_capture_on_commit_callbacks, settings
):
    user, course = completed_enrolment(first_name="สมหญิง", name_en="Somying Rakthin")
    tasks.issue_certificate.run(user.pk, course.pk)
    certificate = Certificate.objects.get()
    pdf_name = certificate.current_version.pdf.name
    storage = certificate.current_version.pdf.storage
    assert storage.exists(pdf_name)
    with django_capture_on_commit_callbacks(execute=True):
        user.delete()
    certificate.refresh_from_db()
    version = certificate.current_version
    assert certificate.status == Certificate.Status.WITHDRAWN
    assert certificate.user_id is None
    assert (
        version.holder_name,
        version.holder_name_en,
        version.village_name,
        version.province,
    ) == (
        "",
        "",
        "",
        "",
    )
    assert not version.pdf
    assert not storage.exists(pdf_name)
    assert certificate.events.filter(kind=CertificateEvent.Kind.WITHDRAWN).exists()
    # What remains says which course and when, never who.
    assert version.course_title == course.title
    assert "สมหญิง" not in str(list(Certificate.objects.values()))


def test_course_completion_queues_the_issuing_task_after_commit(django_capture_on_commit_callbacks):
    course = new_course()
    profile = VolunteerProfileFactory()
    module = course.modules().first()
    with (
        mock.patch.object(tasks.issue_certificate, "delay") as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        record_module_pass(profile.user, module, score_percent=None)
    send.assert_called_once_with(profile.user.pk, course.pk)


def test_a_broker_that_is_down_does_not_break_course_completion(django_capture_on_commit_callbacks):
    course = new_course()
    profile = VolunteerProfileFactory()
    module = course.modules().first()
    with (
        mock.patch.object(tasks.issue_certificate, "delay", side_effect=OSError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert record_module_pass(profile.user, module, score_percent=None)
    assert Enrolment.objects.get(user=profile.user).completed_at is not None


def test_sweep_queues_missing_certificates_and_missing_pdfs():
    user, course = completed_enrolment()
    other, other_course = completed_enrolment()
    rendered_user, rendered_course = completed_enrolment()
    tasks.issue_certificate.run(rendered_user.pk, rendered_course.pk)
    issued_without_pdf = lifecycle.issue_certificate(other.pk, other_course.pk)
    # Past the grace period the normal path had.
    issued_without_pdf.current_version.__class__.objects.update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    with (
        mock.patch.object(tasks.issue_certificate, "delay") as issue,
        mock.patch.object(tasks.render_certificate_pdf, "delay") as render,
    ):
        counts = tasks.sweep_certificates.run()
    issue.assert_called_once_with(user.pk, course.pk)
    render.assert_called_once_with(issued_without_pdf.current_version_id)
    assert counts == {"issue": 1, "render": 1}


def test_sweep_leaves_fresh_completions_to_the_normal_path():
    completed_enrolment(completed_at=timezone.now())
    with mock.patch.object(tasks.issue_certificate, "delay") as issue:
        tasks.sweep_certificates.run()
    issue.assert_not_called()


def test_sweep_is_a_step_of_the_periodic_sweep():
    from courses.tasks import SWEEP_STEPS

    assert any(step is tasks._sweep_step for step in SWEEP_STEPS.values())


def test_render_claimed_by_another_worker_is_not_rendered_again():
    user, course = completed_enrolment()
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    version = certificate.current_version
    version.__class__.objects.filter(pk=version.pk).update(render_claimed_at=timezone.now())
    assert lifecycle.render_version(version.pk) is False
    version.__class__.objects.filter(pk=version.pk).update(
        render_claimed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert lifecycle.render_version(version.pk) is True
    assert lifecycle.render_version(version.pk) is False


def test_verification_codes_are_80_bits_readable_and_forgiving():
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(code) == 16 and set(code) <= set(ALPHABET)
    code = "7KQ4M2XD9H3BTWZE"
    assert format_code(code) == "7KQ4-M2XD-9H3B-TWZE"
    assert normalise_code(" 7kq4 m2xd-9h3b—twze ") == code
    # Letters a listener may write for digits.
    assert normalise_code("OOOO-IIII-LLLL-0000") == "0000111111110000"
    assert normalise_code("7KQ4-M2XD-9H3B") is None
    assert normalise_code("7KQ4-M2XD-9H3B-TWZU") is None  # U is not in the alphabet
    assert format_number("NPV", 2562, 311) == "NPV-2562-000311"


def test_the_personal_data_download_lists_the_certificates():
    user, course = completed_enrolment(first_name="สมหญิง")
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    data = collect_personal_data(user)
    entry = data["certificates"][0]
    assert entry["number"] == certificate.number
    assert entry["versions"][0]["holder_name"] == "นางสมหญิง รักถิ่น"
    assert entry["verification_url"].endswith(f"/certificates/verify/{certificate.display_code}/")
