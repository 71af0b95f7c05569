"""Celery tasks of the courses app: grading, and the periodic sweep.

The sweep is a list of steps, each a function returning how many items it
handled. Another app adds its own step with `@register_sweep_step("name")`
in its tasks module (which the worker imports), without touching this file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task
from django.db import InterfaceError, OperationalError, connections

from courses import attempts

logger = logging.getLogger(__name__)

# Lost connections, SQLite's "database is locked", PostgreSQL deadlocks and
# serialisation failures: worth another try. Anything else is a bug to see.
TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


# Tasks are named explicitly: queued messages and the beat schedule name them, and the
# names must outlive a move of this module.
@shared_task(
    name="courses.tasks.grade_attempt",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_DB_ERRORS,
    retry_backoff=1,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=8,
)
def grade_attempt(job_id: int) -> bool:
    """Grade job N. Safe to receive twice: the database says whether it is done."""
    try:
        return attempts.grade_job(job_id)
    except TRANSIENT_DB_ERRORS:
        # Connections are reused across tasks (CELERY_DB_REUSE_MAX): drop one
        # that may be broken, so the retry connects afresh.
        connections.close_all()
        raise


SweepStep = Callable[[], int]
SWEEP_STEPS: dict[str, SweepStep] = {}


def register_sweep_step(name: str) -> Callable[[SweepStep], SweepStep]:
    """Add a step to the periodic sweep. The step takes no arguments, finds
    work that was written but never done, sends it again and returns a count."""

    def register(step: SweepStep) -> SweepStep:
        SWEEP_STEPS[name] = step
        return step

    return register


@register_sweep_step("close expired quiz attempts")
def _close_expired_attempts() -> int:
    return attempts.close_expired_attempts()


@register_sweep_step("re-send pending grading jobs")
def _resend_grading_jobs() -> int:
    return attempts.resend_stale_grading_jobs()


@shared_task(name="courses.tasks.sweep_pending_work", acks_late=True)
def sweep_pending_work() -> dict[str, int]:
    """Run by celery beat: every registered step, each on its own, so that one
    failing step does not stop the others."""
    counts = {}
    for name, step in list(SWEEP_STEPS.items()):
        try:
            counts[name] = step()
        except Exception:
            logger.exception("Sweep step %r failed", name)
            continue
        logger.info("Sweep: %s: %d", name, counts[name])
    return counts
