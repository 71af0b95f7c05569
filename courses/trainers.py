"""Which trainers see which learners: an extension point the host fills.

The plugins know courses and learners, not how a site groups learners with
their trainers (Net Pracharat's training cohorts are the site's own). A host
names a callable in ``COURSES_TRAINS_LEARNER``; without one, nobody trains
anyone, and a learner's work is seen by the learner and the administrators only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from django.utils.module_loading import import_string

from courses import conf

TrainsLearner = Callable[..., bool]


@lru_cache(maxsize=8)
def _load(path: str) -> TrainsLearner:
    # Cached per path, so a request does not import on each call and a test's
    # override_settings still picks its own callable.
    return import_string(path)


def trains_learner_callable() -> TrainsLearner | None:
    """The host's callable named by ``COURSES_TRAINS_LEARNER``, or None. Raises
    ImportError when the path does not import (``courses.E001`` says so first)."""
    path = conf.trains_learner_path()
    return _load(path) if path else None


def trains_learner(user, learner_id: int, course_id: int) -> bool:
    """Whether ``user`` trains the learner ``learner_id`` on the course ``course_id``
    (such a trainer may, for one, download the learner's certificate for it)."""
    check = trains_learner_callable()
    if check is None:
        return False
    return bool(check(user, learner_id, course_id))
