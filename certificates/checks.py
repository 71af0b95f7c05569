"""System checks for the certificates app: what a host site has left out, one
sentence each (docs/plugins.md explains each piece)."""

from __future__ import annotations

from django.apps import apps
from django.core import checks

from certificates import conf
from courses.checks import deprecated_rate_limits, renamed_settings, task_queue

ISSUE_TASK = "certificates.tasks.issue_certificate"


@checks.register(checks.Tags.compatibility)
def check_renamed_settings(app_configs=None, **kwargs):
    return [
        *renamed_settings(conf.RENAMED, "certificates"),
        *deprecated_rate_limits(
            "CERTIFICATES_RATE_LIMITS", conf.RATE_LIMIT_DEFAULTS, "certificates"
        ),
    ]


@checks.register()
def check_requirements(app_configs=None, **kwargs):
    messages = []
    if not apps.is_installed("courses"):
        messages.append(
            checks.Error(
                "The certificates app issues certificates for courses: add 'courses' to "
                "INSTALLED_APPS.",
                id="certificates.E001",
            )
        )
    if not conf.base_url():
        messages.append(
            checks.Error(
                "Certificates need the site's public address for the QR code and the printed "
                "link: set WAGTAILADMIN_BASE_URL (or CERTIFICATES_BASE_URL).",
                id="certificates.E002",
            )
        )
    queue = task_queue(ISSUE_TASK)
    if queue != "certificates":
        messages.append(
            checks.Warning(
                f"Certificates are rendered on the Celery queue '{queue}', not 'certificates': "
                "add 'certificates.tasks.*': {'queue': 'certificates'} to CELERY_TASK_ROUTES so "
                "that PDF rendering never delays quiz grading.",
                id="certificates.W002",
            )
        )
    return messages
