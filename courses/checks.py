"""System checks that name, in one sentence each, what a host site has left out
(`manage.py check` runs them; docs/plugins.md explains each piece)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from courses import conf

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


@checks.register(checks.Tags.compatibility)
def check_renamed_settings(app_configs=None, **kwargs):
    return renamed_settings(conf.RENAMED, "courses")


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


@checks.register()
def check_trains_learner(app_configs=None, **kwargs):
    path = conf.trains_learner_path()
    if not path:
        return []
    from courses.trainers import trains_learner_callable

    try:
        trains_learner_callable()
    except ImportError as error:
        return [
            checks.Error(
                f"COURSES_TRAINS_LEARNER names '{path}', which does not import ({error}): "
                "give the dotted path of a function (user, learner_id, course_id) -> bool.",
                id="courses.E001",
            )
        ]
    return []


@checks.register()
def check_learner_profile(app_configs=None, **kwargs):
    path = conf.learner_profile_path()
    if not path:
        return []
    from django.utils.module_loading import import_string

    try:
        found = import_string(path)
    except ImportError as error:
        return [
            checks.Error(
                f"COURSES_LEARNER_PROFILE names {path!r}, which does not import: {error}",
                hint="Give the dotted path of a callable taking a user and returning a "
                "courses.learners.LearnerProfile.",
                id="courses.E002",
            )
        ]
    if not callable(found):
        return [
            checks.Error(
                f"COURSES_LEARNER_PROFILE names {path!r}, which is not callable.",
                id="courses.E002",
            )
        ]
    return []
