"""What the plugins know of a learner: the name and place a certificate prints,
and whether the profile is complete enough for one.

A host names its own learner profile with the setting ``COURSES_LEARNER_PROFILE``:
the dotted path of a callable taking a user and returning a `LearnerProfile`
(docs/plugins.md has an example). Without it, the profile is built from the user
model alone, so a custom user model without first or last names works too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from django.utils.module_loading import import_string

from courses import conf


@dataclass(frozen=True)
class Address:
    """A Thai address to the village, as a certificate prints it on its place line
    (certificates.rendering.place_line); every part may be missing."""

    village_no: int | None = None
    village_name: str = ""
    subdistrict: str = ""
    district: str = ""
    province: str = ""


@dataclass(frozen=True)
class LearnerProfile:
    """`name` as printed (in Thai, with the title), `place` as one line (empty
    when unknown); `is_complete` says whether a certificate may be issued with
    it, and `complete_url` is where the learner completes it when not."""

    name: str
    place: str = ""
    is_complete: bool = True
    complete_url: str = ""
    # Printed under the name when given.
    name_en: str = ""
    # The parts of `place`, stored apart on a certificate; without them a
    # certificate stores `place` as one line.
    address: Address | None = None


def user_learner_profile(user) -> LearnerProfile:
    """The default: the user model's own name, nothing else known."""
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return LearnerProfile(name=(full_name or "").strip() or user.get_username())


@lru_cache(maxsize=8)
def _callable(path: str) -> Callable:
    return import_string(path)


def learner_profile_callable() -> Callable:
    """The host's callable (imported once per dotted path), or the default."""
    path = conf.learner_profile_path()
    return _callable(path) if path else user_learner_profile


def get_learner_profile(user) -> LearnerProfile:
    return learner_profile_callable()(user)


def incomplete_learners():
    """The host's users whose profile is not complete (COURSES_INCOMPLETE_LEARNERS:
    a callable returning a queryset of users or their primary keys), or None when
    the host names none."""
    path = conf.incomplete_learners_path()
    return _callable(path)() if path else None
