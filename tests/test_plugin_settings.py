"""The plugins' settings (courses/conf.py, certificates/conf.py) and the system checks
that tell a host site, in one sentence, what it has left out."""

import pytest
from celery import current_app
from django.core import checks

from certificates import conf as certificates_conf
from certificates import tasks as certificate_tasks
from courses import conf as courses_conf
from courses import tasks as course_tasks
from npv_site.cohorts import tasks as cohort_tasks


def messages(tag_prefix: str) -> dict[str, str]:
    return {
        message.id: message.msg
        for message in checks.run_checks()
        if message.id and message.id.startswith(tag_prefix)
    }


def test_the_site_as_configured_passes_every_plugin_check():
    assert messages("courses.") == {}
    assert messages("certificates.") == {}
    assert messages("notifications.") == {}


def test_prefixed_settings_are_read_with_their_defaults(settings):
    del settings.COURSES_QUIZ_GRACE_SECONDS
    del settings.CERTIFICATES_SWEEP_AFTER_SECONDS
    assert courses_conf.quiz_grace_seconds() == 30
    assert certificates_conf.sweep_after_seconds() == 120
    settings.COURSES_QUIZ_GRACE_SECONDS = 5
    settings.CERTIFICATES_SWEEP_AFTER_SECONDS = 300
    assert courses_conf.quiz_grace_seconds() == 5
    assert certificates_conf.sweep_after_seconds() == 300


def test_an_old_unprefixed_setting_is_still_read_with_a_deprecation_warning(settings):
    del settings.COURSES_GRADING_RESEND_AFTER_SECONDS
    del settings.CERTIFICATES_SWEEP_AFTER_SECONDS
    settings.GRADING_RESEND_AFTER_SECONDS = 45
    settings.CERTIFICATE_SWEEP_AFTER_SECONDS = 200
    assert courses_conf.grading_resend_after_seconds() == 45
    assert certificates_conf.sweep_after_seconds() == 200
    assert messages("courses.W001") == {
        "courses.W001": "The setting GRADING_RESEND_AFTER_SECONDS is deprecated: rename it "
        "COURSES_GRADING_RESEND_AFTER_SECONDS."
    }
    assert "CERTIFICATES_SWEEP_AFTER_SECONDS" in messages("certificates.W001")["certificates.W001"]


def test_rate_limits_are_each_apps_own_and_the_old_shared_setting_is_still_read(settings):
    del settings.COURSES_RATE_LIMITS
    del settings.CERTIFICATES_RATE_LIMITS
    assert courses_conf.rate_limits() == {"quiz-answers": "240/m", "quiz-submit": "30/m"}
    assert certificates_conf.rate_limits() == {"certificate-verify": "1000/m"}
    settings.COURSES_RATE_LIMITS = {"quiz-submit": "5/m"}
    assert courses_conf.rate_limits() == {"quiz-answers": "240/m", "quiz-submit": "5/m"}
    assert messages("courses.W001") == {}

    settings.RATE_LIMITS = {"quiz-answers": "100/m", "certificate-verify": "50/m"}
    assert courses_conf.rate_limits() == {"quiz-answers": "100/m", "quiz-submit": "5/m"}
    assert certificates_conf.rate_limits() == {"certificate-verify": "50/m"}
    assert messages("courses.W001") == {
        "courses.W001": "The setting RATE_LIMITS is deprecated for 'quiz-answers': move it to "
        "COURSES_RATE_LIMITS."
    }
    assert messages("certificates.W001") == {
        "certificates.W001": "The setting RATE_LIMITS is deprecated for 'certificate-verify': "
        "move it to CERTIFICATES_RATE_LIMITS."
    }


def test_links_start_with_wagtails_base_url_unless_the_app_is_given_its_own(settings):
    settings.WAGTAILADMIN_BASE_URL = "https://learn.example.org/"
    assert courses_conf.base_url() == "https://learn.example.org"
    assert certificates_conf.base_url() == "https://learn.example.org"
    settings.CERTIFICATES_BASE_URL = "https://verify.example.org"
    assert certificates_conf.base_url() == "https://verify.example.org"
    assert courses_conf.base_url() == "https://learn.example.org"


def test_a_host_without_a_public_address_is_told_to_set_one(settings):
    settings.WAGTAILADMIN_BASE_URL = ""
    assert "WAGTAILADMIN_BASE_URL" in messages("certificates.E002")["certificates.E002"]
    assert "WAGTAILADMIN_BASE_URL" in messages("courses.W004")["courses.W004"]


def reroute():
    # Celery prepares the routes and its router once: make both again from the conf.
    current_app.amqp.flush_routes()
    current_app.amqp.router = current_app.amqp.Router()


@pytest.fixture
def celery_conf():
    saved = current_app.conf.task_routes, current_app.conf.beat_schedule
    yield current_app.conf
    current_app.conf.task_routes, current_app.conf.beat_schedule = saved
    reroute()


def test_a_host_without_the_celery_routes_or_the_sweep_is_told_which_piece_is_missing(
    celery_conf,
):
    celery_conf.task_routes = {}
    celery_conf.beat_schedule = {}
    reroute()
    found = {**messages("courses."), **messages("certificates."), **messages("notifications.")}
    assert set(found) == {
        "courses.W002",
        "courses.W003",
        "certificates.W002",
        "notifications.W001",
    }
    assert "'notifications.tasks.*': {'queue': 'notifications'}" in found["notifications.W001"]
    assert "'courses.tasks.*': {'queue': 'grading'}" in found["courses.W002"]
    assert "courses.tasks.sweep_pending_work" in found["courses.W003"]
    assert "'certificates.tasks.*': {'queue': 'certificates'}" in found["certificates.W002"]


def test_certificates_without_courses_is_an_error(monkeypatch):
    from django.apps import apps

    installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "courses" and installed(name))
    assert "'courses'" in messages("certificates.E001")["certificates.E001"]


def test_tasks_keep_the_names_that_queued_messages_and_the_beat_schedule_use(settings):
    # Messages already in a broker and the beat schedule name these tasks: the names
    # must not follow the modules if they move.
    assert {
        course_tasks.grade_attempt.name,
        course_tasks.sweep_pending_work.name,
        certificate_tasks.issue_certificate.name,
        certificate_tasks.render_certificate_pdf.name,
        certificate_tasks.sweep_certificates.name,
        cohort_tasks.import_roster.name,
        cohort_tasks.build_report_export.name,
    } == {
        "courses.tasks.grade_attempt",
        "courses.tasks.sweep_pending_work",
        "certificates.tasks.issue_certificate",
        "certificates.tasks.render_certificate_pdf",
        "certificates.tasks.sweep_certificates",
        "courses.cohorts.tasks.import_roster",
        "courses.cohorts.tasks.build_report_export",
    }
    # Named in the decorator, not derived from the module path.
    for app in ("courses", "certificates"):
        source = (settings.BASE_DIR / app / "tasks.py").read_text(encoding="utf-8")
        assert f'name="{app}.tasks.' in source
