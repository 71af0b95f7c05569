"""Notifications through a real `celery worker` (tests/celery_worker.py): each
event delivered once per channel, a redelivered task sending nothing twice, a
pool process killed mid-send (no second message on a channel that cannot tell,
the same key again on one that can), a Retry-After honoured by the worker."""

from __future__ import annotations

import email
from pathlib import Path

import pytest

from courses import attempts as quiz
from notifications.models import Delivery, DeliveryStatus, QuietHoursChoice
from notifications.preferences import set_choice
from notifications.tasks import send_delivery
from tests import notification_channels as test_channels
from tests.factories import UserFactory
from tests.quiz_helpers import answers, quiz_module, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SEND = "notifications.tasks.send_delivery"


@pytest.fixture
def outbox_dirs(celery_worker, celery_test_broker, monkeypatch):
    """The folders the worker writes its test-channel sends and e-mails to."""
    control = Path(celery_test_broker["control_dir"])
    monkeypatch.setenv(test_channels.ENV_DIR, str(control / "channel"))
    test_channels.reset()
    mail_dir = control / "mail"
    mail_dir.mkdir(exist_ok=True)
    for path in mail_dir.glob("*"):
        path.unlink()
    return {"mail": mail_dir}


def sent_emails(mail_dir: Path) -> list:
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        # The file backend writes each message followed by a line of dashes.
        for chunk in path.read_text().split("-" * 79):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def volunteer(*channels):
    user = UserFactory()
    for name in channels:
        set_choice(user, name, True)
    # Whatever the hour the suite runs at: the quiet hours are another test's subject.
    QuietHoursChoice.objects.create(user=user, allow_during_quiet_hours=True)
    return user


def settled(statuses=(DeliveryStatus.SENT, DeliveryStatus.FAILED)):
    return lambda: not Delivery.objects.exclude(status__in=statuses).exists()


def test_a_grade_is_delivered_once_on_each_channel_by_the_worker(celery_worker, outbox_dirs):
    user = volunteer("email", "test")
    module = quiz_module()
    attempt = quiz.start_attempt(user, module)
    quiz.submit_attempt(user, attempt.pk, answers(attempt))
    # The worker grades, sends attempt_graded after its commit, and sends the deliveries.
    wait_until(lambda: Delivery.objects.filter(channel="email", status="sent").exists(), 60)
    wait_until(lambda: Delivery.objects.filter(channel="test", status="sent").exists(), 60)
    assert set(Delivery.objects.values_list("channel", "status")) == {
        ("email", "sent"),
        ("test", "sent"),
        ("site", "sent"),
    }
    # The broker delivers the sends again: nothing more goes out.
    for delivery in Delivery.objects.exclude(channel="site"):
        send_delivery.delay(delivery.pk)
        send_delivery.delay(delivery.pk)
    celery_worker.wait_idle()
    emails = sent_emails(outbox_dirs["mail"])
    assert len(emails) == 1
    message = emails[0]
    assert message["To"] == user.email
    assert "List-Unsubscribe=One-Click" in message["List-Unsubscribe-Post"]
    assert "/notifications/unsubscribe/" in message["List-Unsubscribe"]
    assert len(test_channels.sends("test")) == 1
    email_delivery = Delivery.objects.get(channel="email")
    assert celery_worker.deliveries(SEND).count((email_delivery.pk,)) == 3


def test_a_worker_killed_mid_send_sends_no_second_message(celery_worker, outbox_dirs):
    user = volunteer("test", "test_idempotent")
    test_channels.behave(user.pk, crash=True)
    from notifications.outbox import notify

    notify("courses.grade_ready", [user.pk], key="crash", context={"attempt_id": 1})
    wait_until(settled(), 90)
    plain = Delivery.objects.get(channel="test")
    idempotent = Delivery.objects.get(channel="test_idempotent")
    # The channel that cannot tell: one attempt, then failed "may have been sent".
    assert plain.status == DeliveryStatus.FAILED
    assert "may have been sent" in plain.last_error
    assert [row["key"] for row in test_channels.sends("test")] == [str(plain.key)]
    # The idempotent one went again with the same key (the remote side makes it one message).
    assert idempotent.status == DeliveryStatus.SENT
    keys = [row["key"] for row in test_channels.sends("test_idempotent")]
    assert keys == [str(idempotent.key)] * 2
    # Each task ran twice: the pool process died in it, and the broker gave it back.
    runs = celery_worker.deliveries(SEND)
    assert runs.count((plain.pk,)) == 2
    assert runs.count((idempotent.pk,)) == 2


def test_a_retry_after_is_honoured_by_the_worker(celery_worker, outbox_dirs):
    user = volunteer("test")
    test_channels.behave(user.pk, fail="transient", retry_after=2, times=1)
    from notifications.outbox import notify

    notify("courses.grade_ready", [user.pk], key="retry", context={"attempt_id": 1})
    wait_until(lambda: Delivery.objects.filter(channel="test", status="sent").exists(), 60)
    first, second = test_channels.sends("test")
    assert second["at"] - first["at"] >= 1.9
    delivery = Delivery.objects.get(channel="test")
    assert delivery.tries == 2
