"""The settings of the courses app, each read here with its default.

A host sets them in its Django settings with the ``COURSES_`` prefix (docs/plugins.md
lists them). The names used before the prefix are still read, for a while, and
``manage.py check`` warns about them (courses.W001): RENAMED maps each old name to the new.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings

RENAMED = {
    "QUIZ_GRACE_SECONDS": "COURSES_QUIZ_GRACE_SECONDS",
    "GRADING_RESEND_AFTER_SECONDS": "COURSES_GRADING_RESEND_AFTER_SECONDS",
    "SITE_URL": "COURSES_BASE_URL",
}
OLD_NAME = {new: old for old, new in RENAMED.items()}


def _read(name: str, default):
    # Read at call time, not import time, so override_settings and a host's late
    # configuration are seen.
    if hasattr(settings, name):
        return getattr(settings, name)
    return getattr(settings, OLD_NAME.get(name, name), default)


def quiz_grace_seconds() -> int:
    """A timed quiz still accepts answers this long after its time is up (slow links)."""
    return _read("COURSES_QUIZ_GRACE_SECONDS", 30)


def grading_resend_after_seconds() -> int:
    """The sweep sends a grading job again once it has waited this long, so a queue
    that is merely busy during a training-room burst is not flooded."""
    return _read("COURSES_GRADING_RESEND_AFTER_SECONDS", 120)


# The one setting that held every group's rate before each app had its own; still read,
# group by group, with a warning from the system checks (courses.W001, certificates.W001).
DEPRECATED_RATE_LIMITS = "RATE_LIMITS"


def configured_rates(setting: str, defaults: Mapping[str, str]) -> dict[str, str]:
    """The rate of each group in `defaults`: from the app's own setting, else from the
    deprecated RATE_LIMITS, else the default. Read at call time (override_settings)."""
    own = getattr(settings, setting, None) or {}
    old = getattr(settings, DEPRECATED_RATE_LIMITS, None) or {}
    return {group: own.get(group, old.get(group, rate)) for group, rate in defaults.items()}


# Requests a learner may make per group, as django-ratelimit rates ("240/m"); set far
# above what people do, so that only a runaway script meets them. A host changes any of
# them in COURSES_RATE_LIMITS (the other groups keep these).
RATE_LIMIT_DEFAULTS = {
    # Answers are saved on every tap: even tapping through a 50-question quiz at once
    # stays under 100 a minute.
    "quiz-answers": "240/m",
    # A quiz is submitted (or, without JavaScript, saved) a few times an hour; attempts
    # allowed and the wait between attempts bound real retries anyway.
    "quiz-submit": "30/m",
}


def rate_limits() -> dict[str, str]:
    """The rates of the quiz groups, counted per learner (courses/ratelimits.py)."""
    return configured_rates("COURSES_RATE_LIMITS", RATE_LIMIT_DEFAULTS)


def base_url() -> str:
    """The site's public address (scheme and host, no trailing slash) for links made
    outside a request, such as the claim links printed on paper. Defaults to Wagtail's
    own WAGTAILADMIN_BASE_URL, which a Wagtail site sets already."""
    url = _read("COURSES_BASE_URL", None) or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return (url or "").rstrip("/")


def require_lessons_before_quiz() -> bool:
    """The value a new course starts with for "every lesson of a module must be read
    before its quiz" (CoursePage.require_lessons_before_quiz, which trainers then set
    per course). Off by default, so a host's courses work as before until it asks."""
    return bool(_read("COURSES_REQUIRE_LESSONS_BEFORE_QUIZ", False))


def trains_learner_path() -> str | None:
    """The dotted path of the host's ``(user, learner_id, course_id) -> bool`` that says
    whether a user trains a learner on a course (courses/trainers.py). None: nobody
    trains anyone, so only a learner and the site's administrators see their work."""
    return _read("COURSES_TRAINS_LEARNER", None)


def learner_profile_path() -> str | None:
    """The dotted path of the host's ``(user) -> courses.learners.LearnerProfile``: the
    name and place a certificate prints (courses/learners.py). None: the profile is
    built from the user model alone."""
    return _read("COURSES_LEARNER_PROFILE", None)


def incomplete_learners_path() -> str | None:
    """The dotted path of the host's ``() -> QuerySet`` of the users whose learner
    profile is not complete (``is_complete`` False), so that the certificates' sweep
    leaves their completed courses waiting in one query instead of asking each
    profile every minute. None: the sweep sends them and each task finds out."""
    return _read("COURSES_INCOMPLETE_LEARNERS", None)


def sqlite_thai_tokenizer() -> bool:
    """On SQLite, rebuild Wagtail's search table after each migrate so that Thai
    vowel and tone marks stay inside words (courses/search/sqlite_fts.py). Off by
    default: the table is Wagtail's and serves the whole host, so only a host that
    asks for it has it rebuilt."""
    return bool(_read("COURSES_SQLITE_THAI_TOKENIZER", False))


def signup_url() -> str | None:
    """Where a visitor signs up (a URL name or a path, like LOGIN_URL): a course page links
    there next to the sign-in link. None: no signup link (the host has no signup page)."""
    return _read("COURSES_SIGNUP_URL", None)


def base_template() -> str:
    """The host's base template, which courses/base.html and certificates/base.html
    extend; it must have the blocks `title` and `content` (courses.E004 says which is
    missing). Plugin pages put their scripts inside `content`, so the name of the
    host's script block does not matter."""
    return _read("COURSES_BASE_TEMPLATE", "base.html")
