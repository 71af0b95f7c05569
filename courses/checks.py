"""System checks that name, in one sentence each, what a host site has left out
(`manage.py check` runs them; docs/plugins.md explains each piece)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from courses import conf
from courses.ratelimits import DEPRECATED_SETTING as DEPRECATED_RATE_LIMITS

GRADING_TASK = "courses.tasks.grade_attempt"
SWEEP_TASK = "courses.tasks.sweep_pending_work"


def task_queue(task_name: str) -> str:
    """The queue the host's Celery app sends a task to (its CELERY_TASK_ROUTES)."""
    from celery import current_app

    return current_app.amqp.router.route({}, task_name)["queue"].name


def beat_tasks() -> set[str]:
    from celery import current_app

    return {entry.get("task") for entry in (current_app.conf.beat_schedule or {}).values()}


def renamed_settings(renamed: dict[str, str], tag: str) -> list[checks.CheckMessage]:
    """A warning for each setting still set under its old, unprefixed name."""
    return [
        checks.Warning(
            f"The setting {old} is deprecated: rename it {new}.",
            id=f"{tag}.W001",
        )
        for old, new in renamed.items()
        if hasattr(settings, old) and not hasattr(settings, new)
    ]


def deprecated_rate_limits(
    setting: str, defaults: dict[str, str], tag: str
) -> list[checks.CheckMessage]:
    """A warning when the old, shared RATE_LIMITS still sets a group of this app that its
    own setting does not (the rate is still read from there, courses/ratelimits.py)."""
    old = getattr(settings, DEPRECATED_RATE_LIMITS, None) or {}
    own = getattr(settings, setting, None) or {}
    groups = [group for group in defaults if group in old and group not in own]
    if not groups:
        return []
    named = ", ".join(f"'{group}'" for group in groups)
    return [
        checks.Warning(
            f"The setting {DEPRECATED_RATE_LIMITS} is deprecated for {named}: move "
            f"{'it' if len(groups) == 1 else 'them'} to {setting}.",
            id=f"{tag}.W001",
        )
    ]


@checks.register(checks.Tags.compatibility)
def check_renamed_settings(app_configs=None, **kwargs):
    return [
        *renamed_settings(conf.RENAMED, "courses"),
        *deprecated_rate_limits("COURSES_RATE_LIMITS", conf.RATE_LIMIT_DEFAULTS, "courses"),
    ]


@checks.register()
def check_celery(app_configs=None, **kwargs):
    messages = []
    queue = task_queue(GRADING_TASK)
    if queue != "grading":
        messages.append(
            checks.Warning(
                f"Quiz grading goes to the Celery queue '{queue}', not 'grading': add "
                "'courses.tasks.*': {'queue': 'grading'} to CELERY_TASK_ROUTES so that a "
                "training room's grading never waits behind other work.",
                id="courses.W002",
            )
        )
    if SWEEP_TASK not in beat_tasks():
        messages.append(
            checks.Warning(
                f"Celery beat does not run '{SWEEP_TASK}': add it to CELERY_BEAT_SCHEDULE "
                "(every 60 s), or lost grading jobs and timed-out attempts are never swept up.",
                id="courses.W003",
            )
        )
    return messages


@checks.register()
def check_base_url(app_configs=None, **kwargs):
    if conf.base_url():
        return []
    return [
        checks.Warning(
            "The courses app has no public address for the links it prints: set "
            "WAGTAILADMIN_BASE_URL (or COURSES_BASE_URL), e.g. 'https://learn.example.org'.",
            id="courses.W004",
        )
    ]
