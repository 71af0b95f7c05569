"""The notifications outbox in this process: events written once, deliveries
per person and channel, sending at most once, retries, quiet hours, opt-out,
one-click unsubscribe, the on-site list, the admin listing, the data download."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import notifications
from courses import attempts as quiz
from courses.personal_data_registry import collect_personal_data
from courses.signals import attempt_graded
from notifications import outbox, receivers
from notifications.models import ChannelChoice, Delivery, DeliveryStatus, Event, QuietHoursChoice
from notifications.preferences import set_choice
from notifications.unsubscribe import make_token
from tests import notification_channels as test_channels
from tests.factories import UserFactory
from tests.quiz_helpers import answers, quiz_module

pytestmark = pytest.mark.django_db

BANGKOK = ZoneInfo("Asia/Bangkok")
MORNING = datetime.datetime(2026, 12, 4, 10, 0, tzinfo=BANGKOK)
NIGHT = datetime.datetime(2026, 12, 4, 22, 30, tzinfo=BANGKOK)


@pytest.fixture(autouse=True)
def channel_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(test_channels.ENV_DIR, str(tmp_path / "channel"))
    return tmp_path / "channel"


@pytest.fixture
def queued(monkeypatch):
    """Deliveries handed to the broker (recorded instead of published)."""
    ids = []

    def queue(delivery_ids, *, countdown=None):
        ids.extend(delivery_ids)
        return len(delivery_ids)

    monkeypatch.setattr(outbox, "queue_deliveries", queue)
    return ids


def opted_in(user, *channels):
    for name in channels:
        set_choice(user, name, True)
    return user


def notify(user_ids, key="grade:1", now=MORNING, kind="courses.grade_ready", **context):
    context = {
        "attempt_id": 1,
        "passed": True,
        "percent": "100",
        "module_title": "โมดูล 1",
    } | context
    return outbox.notify(kind, user_ids, key=key, context=context, now=now)


def test_one_delivery_per_person_and_channel_and_a_repeated_key_makes_nothing(
    queued, django_capture_on_commit_callbacks
):
    with_email = opted_in(UserFactory(), "email")
    without = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        event = notify([with_email.pk, without.pk, with_email.pk])
    rows = set(Delivery.objects.values_list("user_id", "channel", "status"))
    assert rows == {
        (with_email.pk, "email", "pending"),
        (with_email.pk, "site", "sent"),
        (without.pk, "site", "sent"),
    }
    # Only what leaves the site is queued; the on-site notice is written sent.
    assert queued == [Delivery.objects.get(channel="email").pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert notify([with_email.pk, without.pk]) is None
    assert Event.objects.get() == event
    assert Delivery.objects.count() == 3
    assert len(queued) == 1


def test_email_is_on_by_default_only_with_the_privacy_consent(queued):
    from npv_site.accounts.models import PrivacyConsent

    consented, silent = UserFactory(), UserFactory()
    PrivacyConsent.objects.create(user=consented, notice_version="2026-11")
    notify([consented.pk, silent.pk])
    assert set(Delivery.objects.filter(channel="email").values_list("user_id", flat=True)) == {
        consented.pk
    }


def test_email_is_sent_once_with_one_click_unsubscribe_headers(queued):
    user = opted_in(UserFactory(), "email")
    notify([user.pk])
    delivery = Delivery.objects.get(channel="email")
    assert outbox.send_delivery(delivery.pk, claimant="task-1", now=MORNING) == "sent"
    # The broker delivers it again: nothing more is sent.
    assert outbox.send_delivery(delivery.pk, claimant="task-1", now=MORNING) == "nothing"
    assert outbox.send_delivery(delivery.pk, claimant="task-2", now=MORNING) == "nothing"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [user.email]
    assert email.subject == "คุณสอบผ่าน โมดูล 1 แล้ว"
    assert "http://testserver" not in email.body
    assert reverse("courses:quiz_attempt", args=[1]) in email.body
    token_url = reverse("notifications:unsubscribe", args=[make_token(user, "email")])
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")
    assert token_url in email.extra_headers["List-Unsubscribe"]
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.sent_at and delivery.tries == 1


def test_a_send_cut_short_is_not_sent_again_on_a_channel_that_cannot_tell(queued):
    user = opted_in(UserFactory(), "email", "test_idempotent")
    notify([user.pk])
    # The worker claimed both and died before marking them sent.
    Delivery.objects.exclude(channel="site").update(
        status=DeliveryStatus.SENDING, claimed_by="task-1", claimed_at=MORNING, tries=1
    )
    email = Delivery.objects.get(channel="email")
    idempotent = Delivery.objects.get(channel="test_idempotent")
    # The redelivery of the same task:
    assert outbox.send_delivery(email.pk, claimant="task-1", now=MORNING) == "failed"
    assert outbox.send_delivery(idempotent.pk, claimant="task-1", now=MORNING) == "sent"
    assert mail.outbox == []
    email.refresh_from_db()
    assert email.status == DeliveryStatus.FAILED and "may have been sent" in email.last_error
    assert [row["key"] for row in test_channels.sends("test_idempotent")] == [str(idempotent.key)]
    assert Delivery.objects.get(pk=idempotent.pk).tries == 2


def test_a_send_that_kills_its_worker_every_time_is_given_up(queued, settings):
    settings.NOTIFICATIONS_MAX_TRIES = 3
    user = opted_in(UserFactory(), "test_idempotent")
    notify([user.pk])
    Delivery.objects.filter(channel="test_idempotent").update(
        status=DeliveryStatus.SENDING, claimed_by="task-1", claimed_at=MORNING, tries=3
    )
    delivery = Delivery.objects.get(channel="test_idempotent")
    assert outbox.send_delivery(delivery.pk, claimant="task-1", now=MORNING) == "failed"
    assert test_channels.sends() == []


def test_another_worker_sending_it_now_is_left_alone(queued):
    user = opted_in(UserFactory(), "email")
    notify([user.pk])
    email = Delivery.objects.get(channel="email")
    Delivery.objects.filter(pk=email.pk).update(
        status=DeliveryStatus.SENDING, claimed_by="task-1", claimed_at=MORNING
    )
    assert outbox.send_delivery(email.pk, claimant="task-2", now=MORNING) == "nothing"
    assert Delivery.objects.get(pk=email.pk).status == DeliveryStatus.SENDING


def test_the_sweep_resolves_stale_claims_and_queues_what_is_due(queued):
    user = opted_in(UserFactory(), "email", "test_idempotent")
    notify([user.pk], now=MORNING)
    queued.clear()
    Delivery.objects.exclude(channel="site").update(
        status=DeliveryStatus.SENDING, claimed_by="task-1", claimed_at=MORNING
    )
    # A claim younger than NOTIFICATIONS_STALE_AFTER_SECONDS may be a send under way.
    assert outbox.send_due(now=MORNING + datetime.timedelta(seconds=60)) == 0
    later = MORNING + datetime.timedelta(minutes=10)
    assert outbox.send_due(now=later) == 1
    email = Delivery.objects.get(channel="email")
    assert email.status == DeliveryStatus.FAILED
    idempotent = Delivery.objects.get(channel="test_idempotent")
    assert idempotent.status == DeliveryStatus.PENDING
    assert queued == [idempotent.pk]


def test_a_message_lost_while_the_broker_was_down_is_sent_by_the_sweep(queued):
    user = opted_in(UserFactory(), "test")
    notify([user.pk], now=MORNING)
    delivery = Delivery.objects.get(channel="test")
    queued.clear()
    assert outbox.send_due(now=MORNING + datetime.timedelta(seconds=10)) == 0
    assert outbox.send_due(now=MORNING + datetime.timedelta(seconds=61)) == 1
    assert queued == [delivery.pk]
    assert outbox.send_delivery(delivery.pk, now=MORNING + datetime.timedelta(seconds=62)) == "sent"


def test_a_transient_error_waits_its_retry_after_then_sends(queued):
    user = opted_in(UserFactory(), "test")
    test_channels.behave(user.pk, fail="transient", retry_after=120, times=1)
    notify([user.pk])
    delivery = Delivery.objects.get(channel="test")
    assert outbox.send_delivery(delivery.pk, claimant="a", now=MORNING) == "retry"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_try_at == MORNING + datetime.timedelta(seconds=120)
    assert "busy" in delivery.last_error
    # Not before its time, whoever asks.
    assert (
        outbox.send_delivery(
            delivery.pk, claimant="b", now=MORNING + datetime.timedelta(seconds=119)
        )
        == "nothing"
    )
    assert (
        outbox.send_delivery(
            delivery.pk, claimant="c", now=MORNING + datetime.timedelta(seconds=120)
        )
        == "sent"
    )
    assert len(test_channels.sends("test")) == 2
    delivery.refresh_from_db()
    assert (delivery.status, delivery.tries, delivery.last_error) == ("sent", 2, "")


def test_a_transient_error_without_retry_after_backs_off_exponentially(queued, settings):
    settings.NOTIFICATIONS_BACKOFF_SECONDS = 30
    user = opted_in(UserFactory(), "test")
    test_channels.behave(user.pk, fail="transient", times=2)
    notify([user.pk])
    delivery = Delivery.objects.get(channel="test")
    now = MORNING
    waits = []
    for _ in range(2):
        assert outbox.send_delivery(delivery.pk, now=now) == "retry"
        delivery.refresh_from_db()
        waits.append((delivery.next_try_at - now).total_seconds())
        now = delivery.next_try_at
    assert waits == [30, 60]
    assert outbox.send_delivery(delivery.pk, now=now) == "sent"


def test_given_up_after_max_tries_and_shown_failed_in_the_admin(queued, settings, client):
    settings.NOTIFICATIONS_MAX_TRIES = 3
    user = opted_in(UserFactory(), "test")
    test_channels.behave(user.pk, fail="transient", retry_after=1)
    notify([user.pk])
    delivery = Delivery.objects.get(channel="test")
    now = MORNING
    outcomes = []
    for _ in range(4):
        outcomes.append(outbox.send_delivery(delivery.pk, now=now))
        now += datetime.timedelta(seconds=2)
    assert outcomes == ["retry", "retry", "failed", "nothing"]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.tries) == ("failed", 3)
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    page = client.get(reverse("notification_deliveries:index"), {"status": "failed"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "busy (test channel)" in text
    assert "ส่งไม่สำเร็จ" in text
    # A volunteer does not see the listing.
    client.force_login(user)
    assert client.get(reverse("notification_deliveries:index")).status_code in (302, 403)


def test_a_permanent_error_fails_at_once(queued):
    user = opted_in(UserFactory(), "test")
    test_channels.behave(user.pk, fail="permanent")
    notify([user.pk])
    delivery = Delivery.objects.get(channel="test")
    assert outbox.send_delivery(delivery.pk, now=MORNING) == "failed"
    assert Delivery.objects.get(pk=delivery.pk).last_error == "refused by the test channel"


def test_quiet_hours_hold_messages_until_seven_but_not_the_on_site_notice(
    queued, django_capture_on_commit_callbacks
):
    sleeper = opted_in(UserFactory(), "email")
    night_owl = opted_in(UserFactory(), "email")
    QuietHoursChoice.objects.create(user=night_owl, allow_during_quiet_hours=True)
    with django_capture_on_commit_callbacks(execute=True):
        notify([sleeper.pk, night_owl.pk], now=NIGHT)
    seven = datetime.datetime(2026, 12, 5, 7, 0, tzinfo=BANGKOK)
    held = Delivery.objects.get(user=sleeper, channel="email")
    assert held.next_try_at == seven
    assert Delivery.objects.get(user=sleeper, channel="site").status == "sent"
    owl = Delivery.objects.get(user=night_owl, channel="email")
    assert owl.next_try_at is None and queued == [owl.pk]
    assert outbox.send_delivery(owl.pk, now=NIGHT) == "sent"
    # Held: neither a stray task nor the sweep sends it before seven.
    assert outbox.send_delivery(held.pk, now=NIGHT) == "nothing"
    queued.clear()
    assert outbox.send_due(now=seven - datetime.timedelta(minutes=1)) == 0
    assert outbox.send_due(now=seven + datetime.timedelta(minutes=2)) == 1
    assert queued == [held.pk]
    assert outbox.send_delivery(held.pk, now=seven + datetime.timedelta(minutes=2)) == "sent"
    assert [m.to for m in mail.outbox] == [[night_owl.email], [sleeper.email]]


def test_a_retry_that_falls_in_the_quiet_hours_waits_for_the_morning(queued):
    user = opted_in(UserFactory(), "test")
    notify([user.pk], now=MORNING)
    delivery = Delivery.objects.get(channel="test")
    assert outbox.send_delivery(delivery.pk, now=NIGHT) == "held"
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.tries == 0
    assert delivery.next_try_at == datetime.datetime(2026, 12, 5, 7, 0, tzinfo=BANGKOK)
    assert test_channels.sends() == []


def test_opt_out_is_honoured_before_and_after_the_event(queued):
    user = opted_in(UserFactory(), "email", "test")
    notify([user.pk], key="one")
    set_choice(user, "test", False)
    delivery = Delivery.objects.get(channel="test")
    assert outbox.send_delivery(delivery.pk, now=MORNING) == "skipped"
    assert test_channels.sends() == []
    set_choice(user, "site", False)
    set_choice(user, "email", False)
    notify([user.pk], key="two")
    assert not Delivery.objects.filter(event__dedupe_key="two").exists()


def test_one_click_unsubscribe_works_without_login_and_a_bad_token_changes_nothing(client):
    user = opted_in(UserFactory(), "email")
    url = reverse("notifications:unsubscribe", args=[make_token(user, "email")])
    # GET (a mail scanner following links) only asks.
    page = client.get(url)
    assert page.status_code == 200 and "เลิกรับ" in page.content.decode()
    assert ChannelChoice.objects.get(user=user, channel="email").opted_in
    for bad in (make_token(user, "email")[:-2] + "xx", "nonsense", make_token(user, "fax")):
        response = client.post(reverse("notifications:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "ลิงก์ไม่ถูกต้อง" in response.content.decode()
    assert ChannelChoice.objects.get(user=user, channel="email").opted_in
    # The mail program's one-click POST: no session, no CSRF token.
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    choice = ChannelChoice.objects.get(user=user, channel="email")
    assert (choice.opted_in, choice.source) == (False, "unsubscribe")
    assert choice.notice_version == "2026-11"


def test_other_notification_pages_keep_csrf(client):
    from django.test import Client

    user = UserFactory()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(reverse("notifications:preferences"), {}).status_code == 403


def test_preferences_page_records_choices_with_their_consent(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("notifications:preferences"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "อีเมล" in text and "บนเว็บไซต์" in text
    response = client.post(
        reverse("notifications:preferences"),
        {"channel_site": "on", "channel_email": "on", "allow_during_quiet_hours": "on"},
    )
    assert response.status_code == 302
    email = ChannelChoice.objects.get(user=user, channel="email")
    assert email.opted_in and email.notice_version == "2026-11" and email.decided_at
    assert QuietHoursChoice.objects.get(user=user).allow_during_quiet_hours
    # Unchanged channels (site was on by default) record no choice.
    assert not ChannelChoice.objects.filter(user=user, channel="site").exists()
    client.post(reverse("notifications:preferences"), {"channel_site": "on"})
    assert not ChannelChoice.objects.get(user=user, channel="email").opted_in
    assert not QuietHoursChoice.objects.get(user=user).allow_during_quiet_hours


def test_on_site_notices_on_my_learning_with_read_and_unread(client, queued):
    user = UserFactory()
    notify([user.pk], key="grade:1", attempt_id=1, module_title="การดูแลเราเตอร์")
    notify(
        [user.pk], key="grade:2", attempt_id=2, passed=False, percent="25", module_title="สาย LAN"
    )
    client.force_login(user)
    page = client.get(reverse("courses:my_learning")).content.decode()
    assert "คุณสอบผ่าน การดูแลเราเตอร์ แล้ว" in page
    assert "ผลแบบทดสอบ สาย LAN ออกแล้ว" in page
    assert "ใหม่ 2 รายการ" in page
    assert reverse("notifications:preferences") in page
    client.post(reverse("notifications:mark_read"), {"next": reverse("courses:my_learning")})
    page = client.get(reverse("courses:my_learning")).content.decode()
    assert "ใหม่ 2 รายการ" not in page and "การดูแลเราเตอร์" in page
    # The button goes back only within the site.
    response = client.post(reverse("notifications:mark_read"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications:notices")
    # Someone else's notices are not on my page.
    other = UserFactory()
    client.force_login(other)
    assert "การดูแลเราเตอร์" not in client.get(reverse("courses:my_learning")).content.decode()


def test_my_learning_lists_notices_in_a_fixed_number_of_queries(client, queued):
    user = UserFactory()
    client.force_login(user)
    counts = []
    for n in (1, 5):
        for i in range(n):
            notify([user.pk], key=f"grade:{n}-{i}", attempt_id=i)
        client.get(reverse("courses:my_learning"))
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("courses:my_learning"))
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_data_download_has_choices_and_deliveries_and_deletion_removes_them(queued):
    user = opted_in(UserFactory(), "email")
    notify([user.pk])
    data = collect_personal_data(user)["notifications"]
    assert data["choices"][0]["channel"] == "email" and data["choices"][0]["opted_in"]
    assert {row["channel"] for row in data["deliveries"]} == {"email", "site"}
    assert data["deliveries"][0]["subject"] == "คุณสอบผ่าน โมดูล 1 แล้ว"
    user.delete()
    assert not Delivery.objects.exists() and not ChannelChoice.objects.exists()


def test_a_site_registers_its_own_kind_cohort_invitation(queued):
    from npv_site.cohorts.invitations import invite
    from tests.site_factories import TrainingCohortFactory

    trainer = UserFactory(first_name="สมชาย", last_name="ใจดี")
    volunteer = UserFactory()
    cohort = TrainingCohortFactory(name="ชุมพร รุ่น 1")
    invitation, created = invite(cohort, volunteer, trainer)
    assert created
    notice = Delivery.objects.get(user=volunteer, channel="site")
    message = notice.message()
    assert message.subject == "คุณได้รับเชิญเข้ารุ่นอบรม ชุมพร รุ่น 1"
    assert "สมชาย ใจดี" in message.text
    assert message.url.endswith(reverse("cohort_invitation", args=[invitation.pk]))
    invite(cohort, volunteer, trainer)
    assert Event.objects.count() == 1


def test_notify_is_the_public_entry_point(queued):
    user = UserFactory()
    assert notifications.notify("unknown.kind", [user.pk], key="k", context={"text": "สวัสดี"})
    assert Delivery.objects.get(user=user).message().text == "สวัสดี"


def test_a_graded_attempt_notifies_in_a_bounded_number_of_queries(
    queued, django_capture_on_commit_callbacks
):
    """The grading hot path: the notification adds one signal after the commit
    and a few inserts, whatever the course."""
    counts = {}
    for with_notifications in (False, True):
        if not with_notifications:
            attempt_graded.disconnect(dispatch_uid="notifications.grade_ready")
        try:
            user = opted_in(UserFactory(), "email")
            module = quiz_module()
            attempt = quiz.start_attempt(user, module)
            quiz.submit_attempt(user, attempt.pk, answers(attempt), send_to_worker=False)
            with (
                CaptureQueriesContext(connection) as ctx,
                django_capture_on_commit_callbacks(execute=True),
            ):
                assert quiz.grade_job(attempt.grading_job.pk)
            counts[with_notifications] = len(ctx.captured_queries)
        finally:
            attempt_graded.connect(receivers.grade_ready, dispatch_uid="notifications.grade_ready")
    added = counts[True] - counts[False]
    assert 0 < added <= 8, counts
    delivery = Delivery.objects.get(channel="email")
    assert delivery.message().subject.startswith("คุณสอบผ่าน")
    assert queued == [delivery.pk]


def test_certificate_ready_reissued_and_revoked_become_notices(
    queued, django_capture_on_commit_callbacks
):
    from certificates import lifecycle
    from tests.certificates_support import completed_enrolment

    user, course = completed_enrolment()
    certificate = lifecycle.issue_certificate(user.pk, course.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert lifecycle.render_version(certificate.current_version_id)
    # Rendering it again (a redelivered task) tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.render_version(certificate.current_version_id)
    with django_capture_on_commit_callbacks(execute=True):
        version = lifecycle.reissue_certificate(certificate, reason="แก้ชื่อ")
        lifecycle.render_version(version.pk)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.revoke_certificate(certificate, reason="ผิดคน")
    notices = list(
        Delivery.objects.filter(user=user, channel="site").select_related("event").order_by("pk")
    )
    assert [notice.event.kind for notice in notices] == [
        "certificates.issued",
        "certificates.reissued",
        "certificates.revoked",
    ]
    messages = [notice.message() for notice in notices]
    assert messages[0].subject == f"เกียรติบัตร {course.title} พร้อมแล้ว"
    assert certificate.number in messages[0].text
    assert messages[0].url.endswith(
        reverse("certificates:download", args=[certificate.display_code])
    )
    assert messages[1].subject == f"เกียรติบัตร {course.title} ฉบับใหม่พร้อมแล้ว"
    assert messages[2].subject == f"เกียรติบัตร {course.title} ถูกเพิกถอน"
    assert messages[2].url.endswith(reverse("certificates:verify", args=[certificate.display_code]))


def test_the_command_queues_what_is_due_for_a_host_without_beat(queued):
    import io

    from django.core.management import call_command

    user = opted_in(UserFactory(), "test")
    long_ago = timezone.now() - datetime.timedelta(minutes=5)
    notify([user.pk], now=long_ago)
    queued.clear()
    out = io.StringIO()
    call_command("send_notifications", stdout=out)
    assert out.getvalue().strip() == "1 deliveries queued"
    assert queued == [Delivery.objects.get(channel="test").pk]


def test_checks_name_a_channel_that_does_not_import_and_a_missing_address(settings):
    from notifications.checks import check_notifications

    assert check_notifications() == []
    settings.NOTIFICATIONS_CHANNELS = ["notifications.channels.email.EmailChannel", "nowhere.Fax"]
    settings.WAGTAILADMIN_BASE_URL = ""
    found = {message.id: message.msg for message in check_notifications()}
    assert set(found) == {"notifications.E002", "notifications.E003"}
    assert "nowhere.Fax" in found["notifications.E002"]


def test_notify_reads_a_cohort_in_the_queries_it_reads_one_person_in(queued):
    """Bulk: only the batches of the one INSERT of deliveries grow with the cohort
    (SQLite caps the rows of a statement by its parameters)."""
    reads = []
    for size in (1, 60):
        users = [opted_in(UserFactory(), "email") for _ in range(size)]
        with CaptureQueriesContext(connection) as ctx:
            notify([user.pk for user in users], key=f"cohort-{size}")
        reads.append(
            [q["sql"] for q in ctx.captured_queries if "notifications_delivery" not in q["sql"]]
        )
        inserts = [q for q in ctx.captured_queries if "notifications_delivery" in q["sql"]]
        assert all(q["sql"].startswith("INSERT") for q in inserts)
        assert len(inserts) <= 1 + 2 * size // 50
        assert Delivery.objects.filter(event__dedupe_key=f"cohort-{size}").count() == 2 * size
    assert len(reads[0]) == len(reads[1]) == 6, reads
