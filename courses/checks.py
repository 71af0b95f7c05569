"""System checks that name, in one sentence each, what a host site has left out
(`manage.py check` runs them; docs/plugins.md explains each piece)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.template.loader_tags import BlockNode, ExtendsNode

from courses import conf
from courses.conf import DEPRECATED_RATE_LIMITS

GRADING_TASK = "courses.tasks.grade_attempt"
# The blocks of the host's base template that the plugins' pages fill (docs/plugins.md,
# "Templates and blocks"); a page whose block the base lacks renders empty there.
REQUIRED_BLOCKS = ("title", "content")
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


def template_blocks(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
    """The block names a template offers, its parents' included when they are named
    by a literal `{% extends "..." %}` (a parent named by a variable is not followed)."""
    nodelist = getattr(get_template(name).template, "nodelist", None)
    if nodelist is None:  # not a Django template (Jinja2, say): its blocks are not read
        return set(REQUIRED_BLOCKS)
    blocks = {node.name for node in nodelist.get_nodes_by_type(BlockNode)}
    for node in nodelist.get_nodes_by_type(ExtendsNode):
        parent = node.parent_name.var
        if isinstance(parent, str) and parent not in seen:
            blocks |= template_blocks(parent, seen | {name})
    return blocks


@checks.register(checks.Tags.templates)
def check_base_template(app_configs=None, **kwargs):
    name = conf.base_template()
    try:
        blocks = template_blocks(name)
    except (TemplateDoesNotExist, TemplateSyntaxError) as error:
        return [
            checks.Error(
                f"The base template '{name}' that the courses and certificates pages extend "
                f"cannot be loaded ({error.__class__.__name__}: {error}): add it to your "
                "templates, or name yours in COURSES_BASE_TEMPLATE.",
                id="courses.E003",
            )
        ]
    return [
        checks.Error(
            f"The base template '{name}' has no {{% block {block} %}}, which the courses and "
            f"certificates pages fill: add it, or name another base in COURSES_BASE_TEMPLATE.",
            id="courses.E004",
        )
        for block in REQUIRED_BLOCKS
        if block not in blocks
    ]
