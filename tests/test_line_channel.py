"""The LINE channel of notifications against a local fake of the Messaging API
(tests/fake_line_api.py): a real HTTP server the SDK's host points at."""

from __future__ import annotations

import ast
import gettext
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps

from notifications import line_quota
from notifications.channels import line
from notifications.channels.base import PermanentError, TransientError
from notifications.channels.line import LineChannel
from tests.fake_line_api import MONTHLY_LIMIT, RATE_LIMITED, FakeLineAPI, line_user_id

ROOT = Path(__file__).resolve().parent.parent
THAI = re.compile("[\u0e00-\u0e7f]")


@dataclass
class Message:
    subject: str
    text: str
    url: str
    button_label: str = ""
    kind: str = "certificate_issued"


@dataclass
class Person:
    pk: int
    line_id: str | None = None


@dataclass
class Delivery:
    """What the outbox's delivery offers a channel (notifications/models.py after the merge)."""

    user: Person
    msg: Message
    key: uuid.UUID = field(default_factory=uuid.uuid4)
    channel: str = "line"
    event: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(kind="certificate_issued"))

    def message(self) -> Message:
        return self.msg


def line_id_of(user) -> str | None:
    """NOTIFICATIONS_LINE_USER_ID for these tests: the stand-in's own attribute."""
    return user.line_id


CERTIFICATE = Message(
    subject="ใบประกาศนียบัตรของคุณพร้อมแล้ว",
    text="หลักสูตรเน็ตประชารัฐเบื้องต้น: ดาวน์โหลดใบประกาศนียบัตรได้เลย",
    url="https://elearning.example.org/certificates/verify/ABC123/",
    button_label="ดูใบประกาศนียบัตร",
)
COHORT_NOTE = Message(
    subject="ข้อความจากวิทยากร",
    text="พรุ่งนี้เริ่มอบรมเวลา 9 โมงเช้า ที่ศาลาประชาคม",
    url="https://elearning.example.org/learn/my-learning/",
    kind="cohort_message",
)


def person(n: int, linked: bool = True) -> Person:
    return Person(pk=n, line_id=line_user_id(n) if linked else None)


@pytest.fixture
def fake():
    with FakeLineAPI() as api:
        yield api


@pytest.fixture
def configured(fake, settings):
    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = fake.token
    settings.NOTIFICATIONS_LINE_API_HOST = fake.url
    settings.NOTIFICATIONS_LINE_USER_ID = "tests.test_line_channel.line_id_of"
    settings.NOTIFICATIONS_LINE_TIMEOUT = (1, 1)
    line_quota.forget_quota()
    yield fake
    line_quota.forget_quota()


# -- push -----------------------------------------------------------------------------------


def test_push_is_sent_once_with_the_delivery_key_as_retry_key(configured):
    delivery = Delivery(person(1), CERTIFICATE)
    LineChannel().send(delivery)

    [got] = configured.messages_for(line_user_id(1))
    assert got.endpoint == "push"
    assert got.retry_key == str(delivery.key)
    [flex] = got.messages
    assert flex["type"] == "flex"
    assert flex["altText"].startswith("ใบประกาศนียบัตรของคุณพร้อมแล้ว")
    button = flex["contents"]["footer"]["contents"][0]
    assert button["action"] == {"type": "uri", "label": "ดูใบประกาศนียบัตร", "uri": CERTIFICATE.url}
    assert flex["contents"]["body"]["contents"][0]["text"] == CERTIFICATE.subject


def test_message_without_a_button_goes_as_thai_text_with_its_link(configured):
    LineChannel().send(Delivery(person(2), COHORT_NOTE))

    [got] = configured.messages_for(line_user_id(2))
    [sent] = got.messages
    assert sent["type"] == "text"
    text, stop = sent["text"].rsplit("\n", 1)
    assert text == (
        "ข้อความจากวิทยากร\nพรุ่งนี้เริ่มอบรมเวลา 9 โมงเช้า ที่ศาลาประชาคม\n"
        "https://elearning.example.org/learn/my-learning/"
    )
    # Its last line stops LINE messages: the person's own signed link.
    assert stop == f"หยุดรับข้อความทาง LINE: {stop_link(2)}"


def stop_link(pk: int) -> str:
    from notifications.unsubscribe import unsubscribe_url

    return unsubscribe_url(SimpleNamespace(pk=pk), "line")


def test_a_message_with_a_button_has_the_stop_link_under_it(configured):
    LineChannel().send(Delivery(person(20), CERTIFICATE))
    [got] = configured.messages_for(line_user_id(20))
    buttons = got.messages[0]["contents"]["footer"]["contents"]
    assert [b["action"]["label"] for b in buttons][1:] == ["หยุดรับข้อความทาง LINE"]
    assert buttons[1]["action"]["uri"] == stop_link(20)


def test_a_long_text_is_shortened_to_what_line_accepts(configured):
    long_note = Message(subject="ประกาศ", text="ก" * 6000, url="https://e.example.org/x/")
    LineChannel().send(Delivery(person(3), long_note))

    [got] = configured.messages_for(line_user_id(3))
    text = got.messages[0]["text"]
    assert len(text) == 5000
    assert text.endswith(f"…\nhttps://e.example.org/x/\nหยุดรับข้อความทาง LINE: {stop_link(3)}")


def test_message_line_cannot_carry_is_a_permanent_failure(configured):
    bad = Message(subject="ใบประกาศ", text="", url="https://e.example.org/" + "x" * 10_000, button_label="ดู")
    with pytest.raises(PermanentError) as raised:
        LineChannel().send(Delivery(person(16), bad))
    assert "สร้างข้อความ LINE" in str(raised.value)
    assert configured.delivered_counts() == {}


def test_resend_with_the_same_key_creates_no_second_message(configured):
    delivery = Delivery(person(4), CERTIFICATE)
    channel = LineChannel()
    channel.send(delivery)
    channel.send(delivery)  # a worker redelivered the task: LINE answers 409, taken as sent

    assert len(configured.messages_for(line_user_id(4))) == 1
    assert configured.status_count(409) == 1


def test_accepted_push_whose_answer_was_lost_is_not_sent_twice(configured):
    configured.fail_next(500, accept_first=True)
    delivery = Delivery(person(5), CERTIFICATE)
    with pytest.raises(TransientError):
        LineChannel().send(delivery)
    LineChannel().send(delivery)

    assert len(configured.messages_for(line_user_id(5))) == 1


KILLED_SENDER = """
import sys, uuid
import django
django.setup()
from django.test import override_settings
from notifications.channels.line import LineChannel
from tests.test_line_channel import CERTIFICATE, Delivery, person
url, token, key = sys.argv[1:4]
with override_settings(
    NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN=token,
    NOTIFICATIONS_LINE_API_HOST=url,
    NOTIFICATIONS_LINE_USER_ID="tests.test_line_channel.line_id_of",
    NOTIFICATIONS_LINE_TIMEOUT=(5, 60),
):
    LineChannel().send(Delivery(person(17), CERTIFICATE, key=uuid.UUID(key)))
"""


def test_sender_killed_mid_send_then_resent_elsewhere_delivers_once(configured):
    # LINE accepts the push, and the sending process dies before the answer arrives (the
    # answer is held back): another worker sends the same delivery again.
    configured.fail_next(200, accept_first=True, hang=30)
    delivery = Delivery(person(17), CERTIFICATE)
    sender = subprocess.Popen(
        [sys.executable, "-c", KILLED_SENDER, configured.url, configured.token, str(delivery.key)],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "npv_site.settings.test"},
    )
    try:
        deadline = time.monotonic() + 30
        while not configured.messages_for(line_user_id(17)):
            assert sender.poll() is None, "the sender ended before LINE accepted its push"
            assert time.monotonic() < deadline, "the sender's push never arrived"
            time.sleep(0.05)
        sender.send_signal(signal.SIGKILL)
        sender.wait(10)
    finally:
        if sender.poll() is None:
            sender.kill()

    LineChannel().send(delivery)
    assert len(configured.messages_for(line_user_id(17))) == 1
    assert configured.status_count(409) == 1


def test_timeout_is_transient_and_the_retry_sends_nothing_more(configured, settings):
    settings.NOTIFICATIONS_LINE_TIMEOUT = (1, 0.3)
    configured.fail_next(200, accept_first=True, hang=1.0)
    delivery = Delivery(person(6), CERTIFICATE)
    with pytest.raises(TransientError) as raised:
        LineChannel().send(delivery)
    assert raised.value.retry_after is None
    LineChannel().send(delivery)

    assert len(configured.messages_for(line_user_id(6))) == 1


def test_429_with_retry_after_surfaces_as_transient_error_with_retry_after(configured):
    configured.fail_next(429, retry_after=7, message=RATE_LIMITED)
    with pytest.raises(TransientError) as raised:
        LineChannel().send(Delivery(person(7), CERTIFICATE))

    assert raised.value.retry_after == 7.0
    assert "ส่งถี่เกินกำหนด" in str(raised.value)
    assert configured.messages_for(line_user_id(7)) == []


def test_rate_limit_of_the_fake_answers_429_and_the_channel_backs_off(configured):
    configured.push_rate = 1
    configured.rate_limit_retry_after = None
    channel = LineChannel()
    outcomes = []
    for n in range(3):
        try:
            channel.send(Delivery(person(100 + n), COHORT_NOTE))
            outcomes.append("sent")
        except TransientError as error:
            outcomes.append(error.retry_after)
    # Three pushes in (almost surely) one second against one a second: the later ones are
    # refused, with no Retry-After to honour (None: the outbox's backoff decides).
    assert outcomes[0] == "sent"
    assert None in outcomes[1:]
    assert sum(len(configured.messages_for(line_user_id(100 + n))) for n in range(3)) == outcomes.count("sent")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(configured, status):
    configured.fail_next(status)
    with pytest.raises(TransientError) as raised:
        LineChannel().send(Delivery(person(8), CERTIFICATE))
    assert str(status) in str(raised.value)


def test_connection_refused_is_transient(configured, settings):
    settings.NOTIFICATIONS_LINE_API_HOST = "http://127.0.0.1:9"  # discard port: nobody listens
    with pytest.raises(TransientError):
        LineChannel().send(Delivery(person(9), CERTIFICATE))


def test_wrong_token_is_permanent_and_says_the_token_is_wrong(configured, settings):
    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = "not-the-token"
    with pytest.raises(PermanentError) as raised:
        LineChannel().send(Delivery(person(10), CERTIFICATE))
    assert "token" in str(raised.value) and "401" in str(raised.value)


def test_forbidden_is_permanent_and_says_the_token_is_wrong(configured):
    configured.fail_next(403)
    with pytest.raises(PermanentError) as raised:
        LineChannel().send(Delivery(person(11), CERTIFICATE))
    assert "token" in str(raised.value) and "403" in str(raised.value)


def test_bad_request_is_permanent(configured):
    configured.fail_next(400, message="The request body has 1 error(s)")
    with pytest.raises(PermanentError) as raised:
        LineChannel().send(Delivery(person(12), CERTIFICATE))
    assert "400" in str(raised.value)


def test_monthly_limit_reached_is_permanent(configured):
    configured.quota_limit = 0
    with pytest.raises(PermanentError) as raised:
        LineChannel().send(Delivery(person(13), CERTIFICATE))
    assert "โควตา" in str(raised.value)
    assert configured.messages_for(line_user_id(13)) == []


def test_user_who_blocked_the_account_fails_with_a_thai_reason(configured):
    configured.blocked.add(line_user_id(14))
    with pytest.raises(PermanentError) as raised:
        LineChannel().send(Delivery(person(14), CERTIFICATE))
    assert "ยังไม่ได้เพิ่มบัญชี LINE ของหลักสูตรเป็นเพื่อน" in str(raised.value)
    assert configured.status_count(404) == 1  # the profile look-up
    assert not any(path.endswith("/push") for _m, path, _s in configured.requests)


def test_unknown_line_id_without_the_friendship_check_is_permanent(configured, settings):
    settings.NOTIFICATIONS_LINE_CHECK_FRIENDSHIP = False
    configured.unknown.add(line_user_id(15))
    with pytest.raises(PermanentError) as raised:
        LineChannel().send(Delivery(person(15), CERTIFICATE))
    assert "ไม่รู้จักบัญชี LINE" in str(raised.value)


# -- multicast ------------------------------------------------------------------------------


def test_cohort_message_to_311_recipients_is_delivered_once_to_each(configured):
    deliveries = [Delivery(person(1000 + n), COHORT_NOTE) for n in range(311)]
    outcome = LineChannel().send_many(deliveries)

    assert outcome == {delivery.key: None for delivery in deliveries}
    counts = configured.delivered_counts()
    assert len(counts) == 311 and set(counts.values()) == {1}
    multicasts = [r for r in configured.requests if r[1].endswith("/multicast")]
    assert len(multicasts) == 1
    # One text for all: its stop line leads to the notification choices, not one
    # person's signed link.
    [got] = configured.messages_for(line_user_id(1000))
    from notifications.messages import absolute

    choices = absolute("/notifications/preferences/")
    assert got.messages[0]["text"].endswith(f"หยุดรับข้อความทาง LINE: {choices}")

    # Sent again (a redelivered task): the same chunk, the same retry key, LINE's 409.
    assert LineChannel().send_many(list(reversed(deliveries))) == outcome
    assert set(configured.delivered_counts().values()) == {1}
    assert configured.status_count(409) == 1


def test_multicast_chunks_of_at_most_500_each_with_its_own_retry_key(configured):
    deliveries = [Delivery(person(5000 + n), COHORT_NOTE) for n in range(1201)]
    batches = line.multicast_batches(deliveries)
    assert [len(chunk) for _key, chunk in batches] == [500, 500, 201]
    assert len({key for key, _chunk in batches}) == 3
    assert line.multicast_batches(list(reversed(deliveries))) == batches

    outcome = LineChannel().send_many(deliveries)
    assert all(error is None for error in outcome.values()) and len(outcome) == 1201
    counts = configured.delivered_counts()
    assert len(counts) == 1201 and set(counts.values()) == {1}
    keys = {d.retry_key for items in configured.delivered.values() for d in items}
    assert keys == {key for key, _chunk in batches}


def test_multicast_accepted_but_answer_lost_is_retried_without_duplicates(configured):
    configured.fail_next(502, accept_first=True, endpoints=("multicast",))
    deliveries = [Delivery(person(2000 + n), COHORT_NOTE) for n in range(40)]
    first = LineChannel().send_many(deliveries)
    assert all(isinstance(error, TransientError) for error in first.values())

    second = LineChannel().send_many(deliveries)
    assert set(second.values()) == {None}
    assert set(configured.delivered_counts().values()) == {1}
    assert len(configured.delivered_counts()) == 40


def test_multicast_retried_with_its_key_after_a_recipient_dropped_out_sends_no_duplicate(configured):
    configured.blocked.add(line_user_id(2100))
    configured.fail_next(502, accept_first=True, endpoints=("multicast",))
    deliveries = [Delivery(person(2100 + n), COHORT_NOTE) for n in range(30)]
    first = LineChannel().send_many(deliveries)
    assert isinstance(first[deliveries[0].key], PermanentError)
    failed = [d for d in deliveries if isinstance(first[d.key], TransientError)]
    error = first[failed[0].key]
    assert len(failed) == 29 and error.batch == sorted(str(d.key) for d in failed)

    # Meanwhile someone blocks the account: the retry is a smaller set, so a key made from
    # the set would differ (and LINE would send the others a second message); the outbox
    # passes the failed request's key instead.
    configured.blocked.add(line_user_id(2101))
    still = [d for d in failed if d.user.pk != 2101]
    assert line.multicast_retry_key(d.key for d in still) != error.retry_key
    second = LineChannel().send_many(failed, retry_key=error.retry_key)

    assert isinstance(second[deliveries[1].key], PermanentError)
    assert all(second[d.key] is None for d in still)
    counts = configured.delivered_counts()
    assert len(counts) == 29 and set(counts.values()) == {1}
    assert configured.status_count(409) == 1


def test_multicast_records_each_person_apart(configured):
    configured.blocked.add(line_user_id(3001))
    deliveries = [
        Delivery(person(3000), COHORT_NOTE),
        Delivery(person(3001), COHORT_NOTE),  # blocked the account
        Delivery(person(3002, linked=False), COHORT_NOTE),  # never linked LINE
    ]
    outcome = LineChannel().send_many(deliveries)

    assert outcome[deliveries[0].key] is None
    assert isinstance(outcome[deliveries[1].key], PermanentError)
    assert isinstance(outcome[deliveries[2].key], PermanentError)
    assert list(configured.delivered_counts()) == [line_user_id(3000)]


def test_multicast_429_is_transient_for_every_person_of_the_chunk(configured):
    configured.fail_next(429, retry_after=3, message=RATE_LIMITED, endpoints=("multicast",))
    deliveries = [Delivery(person(4000 + n), COHORT_NOTE) for n in range(5)]
    outcome = LineChannel().send_many(deliveries)
    assert {error.retry_after for error in outcome.values()} == {3.0}
    assert configured.delivered_counts() == {}


# -- quota ----------------------------------------------------------------------------------


def test_quota_figures_come_from_the_quota_and_consumption_endpoints(configured):
    configured.quota_limit = 1000
    LineChannel().send_many([Delivery(person(6000 + n), COHORT_NOTE) for n in range(311)])
    line_quota.forget_quota()

    quota = line_quota.current_quota()
    assert (quota.limit, quota.used, quota.left) == (1000, 311, 689)
    assert line_quota.messages_needed(311) == 311
    assert line_quota.messages_needed(10, n_messages_each=2) == 20
    assert line_quota.check_quota(689).left == 689


def test_send_that_would_exceed_the_quota_is_refused_in_thai(configured):
    configured.quota_limit = 1000
    configured.consumption = 990
    with pytest.raises(line_quota.LineQuotaError) as raised:
        line_quota.check_quota(line_quota.messages_needed(11))
    assert raised.value.code == "exceeded"
    assert (raised.value.left, raised.value.needed) == (10, 11)
    assert "เหลือ 10 ข้อความ" in " ".join(raised.value.messages)
    assert "ต้องใช้ 11 ข้อความ" in " ".join(raised.value.messages)


def test_quota_is_cached_briefly_and_counts_what_was_sent_since(configured):
    configured.quota_limit = 100
    assert line_quota.current_quota().left == 100
    LineChannel().send(Delivery(person(7000), CERTIFICATE))
    LineChannel().send_many([Delivery(person(7001 + n), COHORT_NOTE) for n in range(4)])

    assert line_quota.current_quota().left == 95
    quota_calls = [r for r in configured.requests if r[1] == "/v2/bot/message/quota"]
    assert len(quota_calls) == 1  # read once, then from the cache
    with pytest.raises(line_quota.LineQuotaError):
        line_quota.check_quota(96)


def test_no_monthly_limit_refuses_nothing(configured):
    assert line_quota.current_quota().limit is None
    assert line_quota.check_quota(10**9).left is None


def test_quota_that_cannot_be_read_refuses_the_line_send(configured, settings):
    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = "not-the-token"
    with pytest.raises(line_quota.LineQuotaError) as raised:
        line_quota.check_quota(1)
    assert raised.value.code == "unavailable"


# -- who the channel reaches ----------------------------------------------------------------


def test_reaches_a_person_with_a_line_id_only(configured):
    channel = LineChannel()
    assert channel.reaches(person(1))
    assert not channel.reaches(person(2, linked=False))
    assert channel.name == "line" and channel.idempotent is True
    assert str(channel.label) == "LINE"


def test_channel_is_off_without_a_token(configured, settings):
    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = ""
    channel = LineChannel()
    assert not channel.enabled()
    assert not channel.reaches(person(1))
    with pytest.raises(PermanentError):
        channel.send(Delivery(person(1), CERTIFICATE))
    outcome = channel.send_many([Delivery(person(1), COHORT_NOTE)])
    assert all(isinstance(error, PermanentError) for error in outcome.values())
    assert configured.requests == []


def test_channel_is_off_without_the_sdk(configured, monkeypatch):
    monkeypatch.setattr(line, "sdk_installed", lambda: False)  # the site without the extra
    channel = LineChannel()
    assert not channel.enabled()
    assert not channel.reaches(person(1))
    with pytest.raises(PermanentError) as raised:
        channel.send(Delivery(person(1), CERTIFICATE))
    assert "line-bot-sdk" in str(raised.value)
    assert configured.requests == []


def test_person_without_a_line_id_is_a_permanent_failure(configured):
    with pytest.raises(PermanentError):
        LineChannel().send(Delivery(person(3, linked=False), CERTIFICATE))


@pytest.mark.django_db
def test_default_line_id_is_the_allauth_line_account(settings):
    from tests.factories import UserFactory

    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = "t"
    del settings.NOTIFICATIONS_LINE_USER_ID  # the default function
    user = UserFactory()
    if not apps.is_installed("allauth.socialaccount"):
        # The site without LINE login: nobody has a LINE id, the channel reaches nobody.
        assert line.line_user_id(user) is None
        assert not LineChannel().reaches(user)
        return
    from allauth.socialaccount.models import SocialAccount

    assert not LineChannel().reaches(user)
    SocialAccount.objects.create(user=user, provider="line", uid=line_user_id(77))
    assert line.line_user_id(user) == line_user_id(77)
    assert LineChannel().reaches(user)


def test_bot_info_names_the_account_and_a_wrong_token_is_permanent(configured, settings):
    assert line.bot_info().basic_id == "@npv-fake"
    settings.NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN = "not-the-token"
    with pytest.raises(PermanentError):
        line.bot_info()


# -- the fake refuses what LINE refuses ------------------------------------------------------


def _post(fake, path, payload, headers):
    request = urllib.request.Request(  # noqa: S310 (the local fake, http only)
        fake.url + path, data=json.dumps(payload).encode(), method="POST", headers=headers
    )
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(
    ("payload", "headers", "status", "property_"),
    [
        ({"to": line_user_id(1), "messages": [{"type": "text", "text": "ก" * 5001}]}, {}, 400, "messages[0].text"),
        ({"to": line_user_id(1), "messages": []}, {}, 400, "messages"),
        ({"to": line_user_id(1), "messages": [{"type": "text", "text": "x"}] * 6}, {}, 400, "messages"),
        ({"to": "somebody", "messages": [{"type": "text", "text": "x"}]}, {}, 400, "to"),
        ({"to": line_user_id(1), "messages": [{"type": "flex", "contents": {"type": "bubble"}}]}, {}, 400, "messages[0].altText"),
        ({"to": line_user_id(1), "messages": [{"type": "text", "text": "x"}]}, {"X-Line-Retry-Key": "again"}, 400, None),
        ({"to": line_user_id(1), "messages": [{"type": "text", "text": "x"}]}, {"Authorization": "Bearer wrong"}, 401, None),
        ({"to": line_user_id(1), "messages": [{"type": "text", "text": "x"}]}, {"Content-Type": "text/plain"}, 400, None),
    ],
)
def test_fake_refuses_what_the_messaging_api_refuses(fake, payload, headers, status, property_):
    sent = {
        "Authorization": f"Bearer {fake.token}",
        "Content-Type": "application/json",
        "X-Line-Retry-Key": str(uuid.uuid4()),
        **headers,
    }
    got, answer = _post(fake, "/v2/bot/message/push", payload, sent)
    assert got == status
    if property_:
        assert answer["details"][0]["property"] == property_
    assert fake.delivered_counts() == {}


def test_fake_monthly_limit_message_is_lines(fake):
    fake.quota_limit = 0
    got, answer = _post(
        fake,
        "/v2/bot/message/push",
        {"to": line_user_id(1), "messages": [{"type": "text", "text": "x"}]},
        {"Authorization": f"Bearer {fake.token}", "Content-Type": "application/json",
         "X-Line-Retry-Key": str(uuid.uuid4())},
    )
    assert (got, answer["message"]) == (429, MONTHLY_LIMIT)


# -- English --------------------------------------------------------------------------------


def _thai_msgids(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) in {"_", "gettext_lazy"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and THAI.search(node.args[0].value)
        ):
            found.add(node.args[0].value)
    return found


def test_every_thai_string_of_the_line_channel_has_english(tmp_path):
    po = ROOT / "notifications" / "locale" / "en" / "LC_MESSAGES" / "django.po"
    mo = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(mo), str(po)], check=True)
    with mo.open("rb") as catalogue:
        english = gettext.GNUTranslations(catalogue)
    msgids = _thai_msgids(ROOT / "notifications" / "channels" / "line.py") | _thai_msgids(
        ROOT / "notifications" / "line_quota.py"
    )
    assert len(msgids) >= 10
    for msgid in msgids:
        translated = english.gettext(msgid)
        assert translated != msgid, msgid
        assert not THAI.search(translated), translated
