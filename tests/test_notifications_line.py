"""The LINE channel inside the outbox, in this process, against the local fake of the
Messaging API (tests/fake_line_api.py): its settings and checks, who it reaches (one query of
allauth's LINE links) and by default, the preferences page, and the batches of a cohort's
LINE deliveries (one multicast each, claimed and retried together with their key, never
pushed one by one; held or split only before any request), and the site's switch."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from allauth.socialaccount.models import SocialAccount
from django.db.models import Count
from django.test import TestCase
from django.urls import reverse

from notifications import conf, line_quota, outbox
from notifications.channels import line
from notifications.models import ChannelChoice, Delivery, DeliveryStatus, QuietHoursChoice
from notifications.preferences import set_choice
from npv_site.accounts.models import PrivacyConsent
from tests.factories import FACTORY_PASSWORD, UserFactory
from tests.fake_line_api import FakeLineAPI, line_user_id

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
LINE = "notifications.channels.line.LineChannel"
BANGKOK = ZoneInfo("Asia/Bangkok")
MORNING = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=BANGKOK)
NIGHT = datetime.datetime(2026, 12, 4, 22, 30, tzinfo=BANGKOK)


@pytest.fixture
def fake():
    with FakeLineAPI() as api:
        yield api


@pytest.fixture
def line_on(fake, settings):
    settings.NOTIFICATIONS_CHANNELS = [
        "notifications.channels.email.EmailChannel",
        "notifications.channels.site.SiteChannel",
        LINE,
    ]
    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = fake.token
    settings.NOTIFICATIONS_LINE_API_HOST = fake.url
    settings.NOTIFICATIONS_LINE_TIMEOUT = (1, 1)
    line_quota.forget_quota()
    yield fake
    line_quota.forget_quota()


@pytest.fixture
def queued(monkeypatch):
    """What the outbox hands the broker (recorded instead of published)."""
    sent = {"deliveries": [], "batches": []}

    def deliveries(ids, *, countdown=None):
        sent["deliveries"].extend(ids)
        return len(ids)

    def batches(keys, *, countdown=None):
        sent["batches"].extend((str(key), countdown) for key in keys)
        return len(keys)

    monkeypatch.setattr(outbox, "queue_deliveries", deliveries)
    monkeypatch.setattr(outbox, "queue_batches", batches)
    return sent


_n = iter(range(1, 10**6))


def linked(consented=False, *, email=""):
    user = UserFactory(email=email)
    SocialAccount.objects.create(user=user, provider="line", uid=line_user_id(next(_n)))
    if consented:
        PrivacyConsent.objects.create(user=user, notice_version="2026-11")
    return user


def cohort(size, **kwargs):
    users = [linked(**kwargs) for _ in range(size)]
    for user in users:
        set_choice(user, "line", True)
    return users


def write(users, key="cohort:1", now=MORNING, text="พรุ่งนี้อบรม 9 โมง"):
    # The queueing runs after the commit (here: at the end of this block).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return outbox.notify(
            "cohorts.message", [u.pk for u in users], key=key, context={"text": text}, now=now
        )


def uid(user):
    return SocialAccount.objects.get(user=user).uid


# -- settings and checks ---------------------------------------------------------------------


def test_line_settings_are_read_in_conf_with_their_defaults(settings):
    assert conf.line_setting("NOTIFICATIONS_LINE_API_HOST") == "https://api.line.me"
    assert conf.line_setting("NOTIFICATIONS_LINE_CHECK_FRIENDSHIP") is True
    assert line.setting("NOTIFICATIONS_LINE_USER_ID") == conf.DEFAULT_LINE_USER_ID
    settings.NOTIFICATIONS_LINE_QUOTA_CACHE_SECONDS = 5
    assert line.setting("NOTIFICATIONS_LINE_QUOTA_CACHE_SECONDS") == 5
    assert not hasattr(line, "DEFAULTS")


def test_checks_say_when_the_line_channel_lacks_its_token_or_its_sdk(settings, monkeypatch):
    from notifications.checks import check_notifications

    settings.NOTIFICATIONS_CHANNELS = ["notifications.channels.site.SiteChannel", LINE]
    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = ""
    found = {message.id: message.msg for message in check_notifications()}
    assert set(found) == {"notifications.E005"}
    assert "NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN" in found["notifications.E005"]
    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = "token"
    assert check_notifications() == []
    monkeypatch.setattr(line, "sdk_installed", lambda: False)
    found = {message.id: message.msg for message in check_notifications()}
    assert set(found) == {"notifications.E006"}
    assert "wagtail-npv-elearning[line]" in found["notifications.E006"]
    # Not listed: nothing to say, whatever the token.
    settings.NOTIFICATIONS_CHANNELS = ["notifications.channels.site.SiteChannel"]
    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = ""
    assert check_notifications() == []


def _site_channels(**env) -> list[str]:
    keep = {k: v for k, v in os.environ.items() if k != "LINE_MESSAGING_CHANNEL_ACCESS_TOKEN"}
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.NOTIFICATIONS_CHANNELS); print(settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "npv_site.settings.base", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.splitlines()


def test_the_site_lists_line_only_when_the_environment_gives_its_token():
    channels, token = _site_channels()
    assert LINE not in channels and token == ""
    channels, token = _site_channels(LINE_MESSAGING_CHANNEL_ACCESS_TOKEN="abc")
    assert LINE in channels and token == "abc"


# -- who it reaches ----------------------------------------------------------------------------


def test_reachable_is_one_query_of_the_line_links(line_on, django_assert_num_queries):
    users = [linked() for _ in range(5)] + [UserFactory() for _ in range(3)]
    SocialAccount.objects.create(user=users[-1], provider="google", uid="g-1")
    channel = line.LineChannel()
    with django_assert_num_queries(1):
        reached = channel.reachable(users)
    assert reached == {user.pk for user in users[:5]}


def test_line_is_on_by_default_for_who_linked_it_and_consented(line_on, queued):
    consented, unconsented, opted_out = linked(True), linked(False), linked(True)
    without_line = UserFactory(email="")
    PrivacyConsent.objects.create(user=without_line, notice_version="2026-11")
    set_choice(opted_out, "line", False)
    write([consented, unconsented, opted_out, without_line])
    assert set(Delivery.objects.filter(channel="line").values_list("user_id", flat=True)) == {
        consented.pk
    }


def test_preferences_show_line_to_who_linked_it_and_record_the_choice(line_on, client, settings):
    user = linked(True)
    client.login(username=user.username, password=FACTORY_PASSWORD)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert 'name="channel_line"' in page and "checked" in page.split('name="channel_line"')[1][:40]
    client.post(reverse("notifications:preferences"), {"channel_site": "on"})
    choice = ChannelChoice.objects.get(user=user, channel="line")
    assert choice.opted_in is False and choice.notice_version == "2026-11"
    client.post(reverse("notifications:preferences"), {"channel_site": "on", "channel_line": "on"})
    choice.refresh_from_db()
    assert choice.opted_in is True and choice.source == "preferences"
    # Without a LINE link, or with LINE off for the site: no LINE box.
    other = UserFactory()
    client.login(username=other.username, password=FACTORY_PASSWORD)
    assert (
        'name="channel_line"'
        not in client.get(reverse("notifications:preferences")).content.decode()
    )
    settings.NOTIFICATIONS_CHANNELS = ["notifications.channels.site.SiteChannel"]
    client.login(username=user.username, password=FACTORY_PASSWORD)
    assert (
        'name="channel_line"'
        not in client.get(reverse("notifications:preferences")).content.decode()
    )


# -- batches -----------------------------------------------------------------------------------


def test_one_persons_event_is_a_push_and_a_cohorts_goes_in_batches_of_500(line_on, queued):
    [alone] = cohort(1)
    write([alone], key="one")
    single = Delivery.objects.get(channel="line", user=alone)
    assert single.batch_key is None
    assert queued["deliveries"] == [single.pk] and queued["batches"] == []
    users = cohort(501)
    write(users, key="many")
    rows = Delivery.objects.filter(channel="line", event__dedupe_key="many")
    sizes = sorted(rows.values("batch_key").annotate(n=Count("pk")).values_list("n", flat=True))
    assert sizes == [1, 500]
    assert len(queued["batches"]) == 2 and queued["deliveries"] == [single.pk]


def test_a_batch_goes_in_one_multicast_once_whatever_is_redelivered(line_on, queued):
    users = cohort(4)
    write(users)
    [(key, _countdown)] = queued["batches"]
    assert outbox.send_batch(key, claimant="task-1") == "sent"
    assert outbox.send_batch(key, claimant="task-2") == "nothing"
    # A stray single task of one of them goes with its batch: nothing, no push.
    one = Delivery.objects.filter(channel="line").first()
    assert outbox.send_delivery(one.pk, claimant="task-3") == "nothing"
    for user in users:
        [got] = line_on.messages_for(uid(user))
        assert (got.endpoint, got.retry_key) == ("multicast", key)
    assert set(Delivery.objects.filter(channel="line").values_list("status", "tries")) == {
        ("sent", 1)
    }


def test_a_multicast_whose_answer_was_lost_is_retried_with_its_key_and_lands_once(line_on, queued):
    users = cohort(3)
    write(users)
    [(key, _)] = queued["batches"]
    line_on.fail_next(503, accept_first=True)
    assert outbox.send_batch(key, claimant="t1") == "retry"
    rows = Delivery.objects.filter(channel="line")
    assert {(r.status, str(r.batch_key)) for r in rows} == {("pending", key)}
    assert queued["batches"][-1] == (key, 30)
    rows.update(next_try_at=None)
    assert outbox.send_batch(key, claimant="t2") == "sent"
    assert line_on.status_count(409) == 1
    assert {len(line_on.messages_for(uid(user))) for user in users} == {1}


def test_a_member_who_opted_out_before_the_retry_leaves_and_the_rest_keep_the_key(line_on, queued):
    users = cohort(3)
    write(users)
    [(key, _)] = queued["batches"]
    line_on.fail_next(500, accept_first=True)
    outbox.send_batch(key, claimant="t1")
    set_choice(users[0], "line", False)
    Delivery.objects.update(next_try_at=None)
    assert outbox.send_batch(key, claimant="t2") == "sent"
    assert Delivery.objects.get(user=users[0], channel="line").status == DeliveryStatus.SKIPPED
    # The first request reached all three; the retry with its key is a 409, nothing more.
    assert {len(line_on.messages_for(uid(user))) for user in users} == {1}


def test_quiet_hours_on_a_first_try_hold_who_asked_for_them_in_a_batch_of_their_own(
    line_on, queued
):
    users = cohort(3)
    write(users)
    [(key, _)] = queued["batches"]
    QuietHoursChoice.objects.create(user=users[0], allow_during_quiet_hours=True)
    assert outbox.send_batch(key, claimant="t1", now=NIGHT) == "sent"
    assert len(line_on.messages_for(uid(users[0]))) == 1
    held = Delivery.objects.filter(channel="line", user__in=users[1:])
    assert {(r.status, r.tries) for r in held} == {("pending", 0)}
    [new_key] = {r.batch_key for r in held}
    assert str(new_key) != key
    # Morning: the held two go in their own request, with their own key.
    held.update(next_try_at=None)
    assert outbox.send_batch(new_key, claimant="t2") == "sent"
    assert [m.retry_key for m in line_on.messages_for(uid(users[1]))] == [str(new_key)]
    assert line_on.status_count(409) == 0


def test_a_retry_in_the_quiet_hours_holds_the_whole_batch_with_its_key(line_on, queued):
    users = cohort(2)
    write(users)
    [(key, _)] = queued["batches"]
    QuietHoursChoice.objects.create(user=users[0], allow_during_quiet_hours=True)
    line_on.fail_next(500, accept_first=True)
    outbox.send_batch(key, claimant="t1")
    Delivery.objects.update(next_try_at=None)
    assert outbox.send_batch(key, claimant="t2", now=NIGHT) == "held"
    rows = list(Delivery.objects.filter(channel="line"))
    assert {(r.status, str(r.batch_key), r.tries) for r in rows} == {("pending", key, 1)}
    Delivery.objects.update(next_try_at=None)
    assert outbox.send_batch(key, claimant="t3") == "sent"
    assert {len(line_on.messages_for(uid(user))) for user in users} == {1}


def test_members_whose_message_differs_go_in_a_request_of_their_own(line_on, queued, monkeypatch):
    from notifications import messages

    users = cohort(4)
    special = {users[1].pk, users[2].pk}

    def build(event, user):
        text = "ถึงวิทยากร" if user.pk in special else "ถึงทุกคน"
        return messages.Message(text, text, "https://e.example.org/", "", event.kind)

    monkeypatch.setitem(messages._kinds, "cohorts.message", build)
    write(users)
    [(key, _)] = queued["batches"]
    assert outbox.send_batch(key, claimant="t1") == "sent"
    [(other_key, _)] = queued["batches"][1:]
    assert outbox.send_batch(other_key, claimant="t2") == "sent"
    for user in users:
        [got] = line_on.messages_for(uid(user))
        expected = "ถึงวิทยากร" if user.pk in special else "ถึงทุกคน"
        assert got.messages[0]["text"].startswith(expected)
        assert got.retry_key == (other_key if user.pk in special else key)


def test_the_sweep_queues_a_batch_as_its_batch(line_on, queued):
    users = cohort(3)
    long_ago = MORNING - datetime.timedelta(minutes=5)
    write(users, now=long_ago)
    queued["batches"].clear()
    outbox.send_due(now=MORNING)
    [(key, _)] = queued["batches"]
    assert queued["deliveries"] == []
    assert {
        str(k) for k in Delivery.objects.filter(channel="line").values_list("batch_key", flat=True)
    } == {key}


def test_a_failure_for_some_members_fails_them_and_sends_the_others(line_on, queued):
    users = cohort(3)
    line_on.blocked.add(uid(users[0]))
    write(users)
    [(key, _)] = queued["batches"]
    assert outbox.send_batch(key, claimant="t1") == "sent"
    blocked = Delivery.objects.get(user=users[0], channel="line")
    assert blocked.status == DeliveryStatus.FAILED and "เพื่อน" in blocked.last_error
    assert not line_on.messages_for(uid(users[0]))
    assert {len(line_on.messages_for(uid(u))) for u in users[1:]} == {1}


def test_a_batch_left_sending_by_a_dead_worker_is_swept_and_sent_once(line_on, queued):
    users = cohort(3)
    earlier = MORNING - datetime.timedelta(minutes=10)
    write(users, now=earlier)
    [(key, _)] = queued["batches"]
    recorded = outbox._record_outcome

    def killed(*args, **kwargs):
        raise KeyboardInterrupt  # the worker dies after LINE took the request

    outbox._record_outcome = killed
    try:
        with pytest.raises(KeyboardInterrupt):
            outbox.send_batch(key, claimant="dead-worker", now=earlier)
    finally:
        outbox._record_outcome = recorded
    rows = Delivery.objects.filter(channel="line")
    assert set(rows.values_list("status", flat=True)) == {"sending"}
    # No broker gives the task back: the sweep finds the stale claim and queues the batch.
    queued["batches"].clear()
    outbox.send_due(now=MORNING)
    assert [k for k, _ in queued["batches"]] == [key]
    assert queued["deliveries"] == []
    assert outbox.send_batch(key, claimant="another-worker", now=MORNING) == "sent"
    # LINE had the request: the resend with its key is a 409, nobody messaged twice.
    assert line_on.status_count(409) == 1
    assert {len(line_on.messages_for(uid(user))) for user in users} == {1}
    assert set(rows.values_list("status", "tries")) == {("sent", 2)}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_of_one_batch_at_once_send_it_once(line_on, queued):
    import threading

    from django.db import connection

    users = cohort(40)
    write(users)
    [(key, _)] = queued["batches"]
    start, results = threading.Barrier(2), []

    def run(name):
        try:
            start.wait()
            results.append(outbox.send_batch(key, claimant=name))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(f"run-{n}",)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["nothing", "sent"]
    multicasts = [r for r in line_on.requests if r[1] == "/v2/bot/message/multicast"]
    assert [status for _m, _p, status in multicasts] == [200]
    assert {len(line_on.messages_for(uid(user))) for user in users} == {1}
    # One run claimed the whole batch; the other found nothing pending.
    rows = Delivery.objects.filter(channel="line")
    assert set(rows.values_list("status", flat=True)) == {"sent"}
    assert len(set(rows.values_list("claimed_by", flat=True))) == 1
