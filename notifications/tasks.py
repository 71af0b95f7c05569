"""Celery tasks of the notifications queue. They take primary keys; the
delivery rows, not the messages, are the record of what was sent."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError, connections

from courses.tasks import register_sweep_step
from notifications import outbox

TRANSIENT_DB_ERRORS = (OperationalError, InterfaceError)


# How a send runs, for one delivery and for a batch alike: a database that is
# briefly unreachable is retried by Celery with backoff.
SENDING = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_DB_ERRORS,
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "max_retries": 5,
}


# Named explicitly: queued messages name them, and the names must outlive a move.
# acks_late with reject_on_worker_lost: a worker that dies mid-send has its
# message redelivered, with the same task id, which outbox.send_delivery
# recognises as its own cut-short claim.
@shared_task(name="notifications.tasks.send_delivery", **SENDING)
def send_delivery(self, delivery_id: int) -> str:
    try:
        return outbox.send_delivery(delivery_id, claimant=self.request.id or "")
    except TRANSIENT_DB_ERRORS:
        connections.close_all()
        raise


# The deliveries of one batch (a cohort message on LINE: one multicast request),
# claimed and sent together; the same redelivery rules as one delivery.
@shared_task(name="notifications.tasks.send_batch", **SENDING)
def send_batch(self, batch_key: str) -> str:
    try:
        return outbox.send_batch(batch_key, claimant=self.request.id or "")
    except TRANSIENT_DB_ERRORS:
        connections.close_all()
        raise


@shared_task(name="notifications.tasks.send_due")
def send_due() -> int:
    """Queue the deliveries that are due (retries, the end of the quiet hours,
    messages lost while the broker was down)."""
    return outbox.send_due()


# The periodic sweep of courses.tasks runs this with its other steps.
@register_sweep_step("queue due notifications")
def _sweep_step() -> int:
    return outbox.send_due()
