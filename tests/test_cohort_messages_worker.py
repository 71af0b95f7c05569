"""A trainer's message to a cohort of 311 through a real `celery worker`
(tests/celery_worker.py): one delivery per person and channel, each sent once,
a double click and the broker's redelivery of every task sending nothing more."""

from __future__ import annotations

import time
import uuid

import pytest
from django.contrib.auth.models import Group

from notifications.models import Delivery, DeliveryStatus, QuietHoursChoice
from notifications.preferences import set_choice
from notifications.tasks import send_delivery
from npv_site.cohorts.models import CohortMembership, CohortMessage
from tests import notification_channels as test_channels
from tests.factories import TrainingCohortFactory, UserFactory, build_course
from tests.quiz_helpers import wait_until
from tests.test_notifications_worker import outbox_dirs, sent_emails  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def _postgres_only():
    # A cohort's worth of sends at once is a server's case: SQLite takes one writer at a
    # time, so the worker's processes queue on its lock (minutes for 311 x 2 sends, where
    # PostgreSQL takes seconds). The outbox's once-only rules are tested on both
    # (tests/test_notifications_worker.py).
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a cohort of 311 through the worker is a PostgreSQL case")


SEND = "notifications.tasks.send_delivery"
COHORT_SIZE = 311


def test_a_311_member_cohort_message_reaches_each_person_once_through_the_worker(
    celery_worker,
    outbox_dirs,  # noqa: F811 (the fixture imported above)
    client,
):
    trainer = UserFactory(username="trainer-311")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    course = build_course(modules=1, lessons=1, questions=0)
    cohort = TrainingCohortFactory(trainers=[trainer], courses=[course])
    people = UserFactory.create_batch(COHORT_SIZE)
    CohortMembership.objects.bulk_create(
        CohortMembership(cohort=cohort, user=person) for person in people
    )
    for person in people:
        set_choice(person, "email", True)
        set_choice(person, "test", True)
    QuietHoursChoice.objects.bulk_create(
        QuietHoursChoice(user=person, allow_during_quiet_hours=True) for person in people
    )
    client.force_login(trainer)
    form = {
        "audience": "everyone",
        "text": "พรุ่งนี้เริ่มอบรมเวลา 9 โมงเช้า ที่ศาลาประชาคม",
        "link": "my_learning",
        "send_key": str(uuid.uuid4()),
        "send": "1",
    }
    started = time.monotonic()
    for _click in range(2):  # a double click
        assert client.post(f"/admin/cohorts/{cohort.pk}/messages/new/", form).status_code == 302
    message = CohortMessage.objects.get()
    wait_until(
        lambda: not Delivery.objects.exclude(status=DeliveryStatus.SENT).exists(), 120, what="sent"
    )
    elapsed = time.monotonic() - started
    per_channel = {
        name: Delivery.objects.filter(event=message.event, channel=name).count()
        for name in ("email", "site", "test")
    }
    assert per_channel == {"email": COHORT_SIZE, "site": COHORT_SIZE, "test": COHORT_SIZE}
    # The broker hands every send back: nothing goes a second time.
    for pk in Delivery.objects.exclude(channel="site").values_list("pk", flat=True):
        send_delivery.delay(pk)
    celery_worker.wait_idle(120)
    emails = sent_emails(outbox_dirs["mail"])
    assert sorted(m["To"] for m in emails) == sorted(p.email for p in people)
    assert sorted(row["user"] for row in test_channels.sends("test")) == sorted(
        p.pk for p in people
    )
    print(f"311 members x 2 sending channels delivered by the worker in {elapsed:.1f} s")
    assert elapsed < 60
