"""The outbox: `notify` writes an event and its deliveries; `send_delivery`
sends one of them at most once, whatever the broker redelivers; the sweep
re-queues what a lost message or a retry left due.

A delivery is claimed (pending → sending, one conditional UPDATE) before its
channel is called and marked sent after. One found still `sending` by the
redelivery of the very task that claimed it (its worker died mid-send) or by
the sweep (claimed longer ago than NOTIFICATIONS_STALE_AFTER_SECONDS) is sent
again only on an idempotent channel (the same delivery.key), and otherwise
marked failed, "may have been sent": never a second e-mail.

Batches. On a channel that sends one message to many in a request (LINE's
multicast, `Channel.batch_size`), the deliveries of one event due together are
written with a `batch_key` per chunk of at most batch_size, and one task
(`send_batch`) claims them all in one conditional UPDATE and sends them in one
request whose retry key is that batch_key. They are retried together with the
same key and never one by one: a request LINE accepted and whose answer was
lost (or whose worker was killed) is answered 409 on the retry, so nobody gets
it twice. A delivery leaves its batch for a batch of its own only when it was
never in a request (held for the quiet hours on its first try, or its message
differs from the others')."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from notifications import conf
from notifications.channels import PermanentError, TransientError, all_channels, get_channel
from notifications.models import Delivery, DeliveryStatus, Event
from notifications.preferences import allows_quiet_hours, choices_of, consented_ids, opted_in_ids
from notifications.quiet_hours import quiet_until

logger = logging.getLogger(__name__)

SEND_TASK = "notifications.tasks.send_delivery"
SEND_BATCH_TASK = "notifications.tasks.send_batch"
SWEEP_BATCH = 500
MAY_HAVE_BEEN_SENT = "may have been sent: the send was cut short and this channel cannot tell"


def notify(
    kind: str,
    user_ids: Iterable[int],
    *,
    key: str,
    context: dict | None = None,
    now: datetime | None = None,
) -> Event | None:
    """Write the event `key` (once: a repeated call creates nothing and returns
    None) and one delivery per person and channel that reaches them and that
    they opted into; the sending is queued after the commit."""
    user_ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    now = now or timezone.now()
    try:
        # One atomic block: a key already taken rolls it all back, and nothing
        # but the event had been written (no savepoint of its own: the grading
        # hot path counts its queries).
        with transaction.atomic():
            event = Event.objects.create(
                kind=kind, dedupe_key=key, payload=context or {}, created_at=now
            )
            _write_deliveries(event, user_ids, now)
    except IntegrityError:
        return None
    return event


def _write_deliveries(event: Event, user_ids: list[int], now: datetime) -> None:
    channels = all_channels()
    if not user_ids or not channels:
        return
    User = get_user_model()
    email_field = User.get_email_field_name()
    fields = ["pk"] + ([email_field] if hasattr(User, email_field) else [])
    users = list(User.objects.filter(pk__in=user_ids).only(*fields))
    choices = choices_of(user_ids)
    consented = consented_ids(user_ids)
    release = quiet_until(now)
    night_owls = allows_quiet_hours(user_ids) if release else set()
    reach = {name: channel.reachable(users) for name, channel in channels.items()}
    deliveries = []
    for user in users:
        for name, channel in channels.items():
            if user.pk not in reach[name]:
                continue
            chosen = choices.get((user.pk, name))
            if chosen is None:
                chosen = channel.on_by_default(user, consented=user.pk in consented)
            if not chosen:
                continue
            delivery = Delivery(event_id=event.pk, user_id=user.pk, channel=name, created_at=now)
            if not channel.needs_sending:
                delivery.status = DeliveryStatus.SENT
                delivery.sent_at = now
            elif release and channel.held_in_quiet_hours and user.pk not in night_owls:
                delivery.next_try_at = release
            deliveries.append(delivery)
    batch_keys = _assign_batches(deliveries, channels)
    Delivery.objects.bulk_create(deliveries, batch_size=1000)
    due = [
        d.pk
        for d in deliveries
        if d.status == DeliveryStatus.PENDING and d.next_try_at is None and d.batch_key is None
    ]
    if due:
        transaction.on_commit(lambda: queue_deliveries(due), robust=True)
    if batch_keys:
        transaction.on_commit(lambda: queue_batches(batch_keys), robust=True)


def _assign_batches(deliveries: list[Delivery], channels) -> list:
    """Give the pending deliveries of a batching channel that are due at the same
    time a batch_key per chunk of at most its batch_size (when there are two or
    more: one person's event stays a single push). Returns the keys due now."""
    groups = defaultdict(list)
    for delivery in deliveries:
        channel = channels[delivery.channel]
        if channel.batch_size > 0 and delivery.status == DeliveryStatus.PENDING:
            groups[(delivery.channel, delivery.next_try_at)].append(delivery)
    due_now = []
    for (name, next_try_at), group in groups.items():
        if len(group) < 2:
            continue
        size = channels[name].batch_size
        for start in range(0, len(group), size):
            key = uuid.uuid4()
            for delivery in group[start : start + size]:
                delivery.batch_key = key
            if next_try_at is None:
                due_now.append(key)
    return due_now


def queue_deliveries(delivery_ids: list[int], *, countdown: float | None = None) -> int:
    """Hand "send delivery N" to the broker. Never raises: what is not sent
    stays pending in the database and the sweep sends it."""
    from celery import current_app

    task = current_app.tasks[SEND_TASK]
    sent = 0
    try:
        with current_app.producer_or_acquire() as producer:
            for delivery_id in delivery_ids:
                task.apply_async((delivery_id,), countdown=countdown, producer=producer)
                sent += 1
    except Exception:
        logger.warning(
            "%d notification deliveries not queued; the sweep will",
            len(delivery_ids) - sent,
            exc_info=True,
        )
    return sent


def queue_batches(batch_keys, *, countdown: float | None = None) -> int:
    """Hand "send batch K" to the broker; as queue_deliveries, never raises."""
    from celery import current_app

    task = current_app.tasks[SEND_BATCH_TASK]
    sent = 0
    try:
        with current_app.producer_or_acquire() as producer:
            for key in batch_keys:
                task.apply_async((str(key),), countdown=countdown, producer=producer)
                sent += 1
    except Exception:
        logger.warning(
            "%d notification batches not queued; the sweep will",
            len(batch_keys) - sent,
            exc_info=True,
        )
    return sent


def _finish(delivery_id: int, claimant: str, **fields) -> bool:
    # Only the run holding the claim writes its outcome.
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.SENDING, claimed_by=claimant
        ).update(**fields)
    )


def send_delivery(delivery_id: int, *, claimant: str = "", now: datetime | None = None) -> str:
    """Send one delivery if it is due and nobody sent it; returns what happened
    ("sent", "held", "retry", "failed", "skipped", or "nothing" when there was
    nothing to do)."""
    now = now or timezone.now()
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
        # A delivery of a batch goes with its batch, never alone (its own key is not
        # the request's: LINE could not tell a push of it from the multicast).
        .filter(batch_key__isnull=True)
        .update(
            status=DeliveryStatus.SENDING,
            claimed_at=now,
            claimed_by=claimant,
            tries=F("tries") + 1,
        )
    )
    if not claimed:
        batch_key = (
            Delivery.objects.filter(pk=delivery_id).values_list("batch_key", flat=True).first()
        )
        if batch_key is not None:
            return send_batch(batch_key, claimant=claimant, now=now)
        if not claimant:
            return "nothing"
        # The redelivery of the run that claimed it: its worker died mid-send.
        left = Delivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.SENDING, claimed_by=claimant
        ).first()
        if left is None:
            return "nothing"
        channel = get_channel(left.channel)
        if channel is None or not channel.idempotent:
            _finish(
                delivery_id, claimant, status=DeliveryStatus.FAILED, last_error=MAY_HAVE_BEEN_SENT
            )
            logger.warning("Delivery %s cut short mid-send; not sent again", delivery_id)
            return "failed"
        # Sent again with the same key, counted as a try: a send that kills its
        # worker every time is given up after NOTIFICATIONS_MAX_TRIES.
        if left.tries >= conf.max_tries():
            _finish(
                delivery_id, claimant, status=DeliveryStatus.FAILED, last_error=MAY_HAVE_BEEN_SENT
            )
            return "failed"
        Delivery.objects.filter(pk=delivery_id).update(tries=F("tries") + 1, claimed_at=now)
    delivery = Delivery.objects.select_related("event", "user").get(pk=delivery_id)
    return _send_claimed(delivery, claimant, now)


def _send_claimed(delivery: Delivery, claimant: str, now: datetime) -> str:
    from notifications.preferences import is_opted_in

    channel = get_channel(delivery.channel)
    if channel is None:
        _finish(
            delivery.pk, claimant, status=DeliveryStatus.FAILED, last_error="channel not configured"
        )
        return "failed"
    if not is_opted_in(delivery.user, delivery.channel):
        # Opted out after the event: nothing goes.
        _finish(delivery.pk, claimant, status=DeliveryStatus.SKIPPED, last_error="opted out")
        return "skipped"
    release = quiet_until(now) if channel.held_in_quiet_hours else None
    if release and not allows_quiet_hours([delivery.user_id]):
        _finish(
            delivery.pk,
            claimant,
            status=DeliveryStatus.PENDING,
            next_try_at=release,
            tries=F("tries") - 1,
            claimed_by="",
        )
        return "held"
    try:
        channel.send(delivery)
    except TransientError as error:
        return _retry_or_fail(delivery, claimant, now, error, error.retry_after)
    except PermanentError as error:
        _finish(delivery.pk, claimant, status=DeliveryStatus.FAILED, last_error=str(error)[:2000])
        return "failed"
    except Exception as error:
        logger.exception("Channel %s failed on delivery %s", delivery.channel, delivery.pk)
        if channel.idempotent:
            return _retry_or_fail(delivery, claimant, now, error, None)
        _finish(
            delivery.pk,
            claimant,
            status=DeliveryStatus.FAILED,
            last_error=f"{type(error).__name__}: {error} ({MAY_HAVE_BEEN_SENT})"[:2000],
        )
        return "failed"
    _finish(
        delivery.pk, claimant, status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return "sent"


def _retry_or_fail(delivery, claimant, now, error, retry_after) -> str:
    tries = Delivery.objects.filter(pk=delivery.pk).values_list("tries", flat=True).first() or 0
    message = f"{type(error).__name__}: {error}"[:2000]
    if tries >= conf.max_tries():
        _finish(delivery.pk, claimant, status=DeliveryStatus.FAILED, last_error=message)
        return "failed"
    wait = max(0.0, float(retry_after)) if retry_after is not None else conf.backoff_seconds(tries)
    _finish(
        delivery.pk,
        claimant,
        status=DeliveryStatus.PENDING,
        next_try_at=now + timedelta(seconds=wait),
        last_error=message,
        claimed_by="",
    )
    queue_deliveries([delivery.pk], countdown=wait)
    return "retry"


# -- Batches (one request to many: LINE's multicast) ----------------------------


def _finish_many(pks, claimant: str, **fields) -> int:
    if not pks:
        return 0
    return Delivery.objects.filter(
        pk__in=list(pks), status=DeliveryStatus.SENDING, claimed_by=claimant
    ).update(**fields)


def _leave_batch(rows, claimant: str, **fields) -> uuid.UUID:
    """Rows that were never in a request with their batch's key go back to
    pending in a batch of their own (a new key), un-counting this try."""
    key = uuid.uuid4()
    _finish_many(
        [row.pk for row in rows],
        claimant,
        status=DeliveryStatus.PENDING,
        batch_key=key,
        tries=F("tries") - 1,
        claimed_by="",
        **fields,
    )
    return key


def send_batch(batch_key, *, claimant: str = "", now: datetime | None = None) -> str:
    """Send the due deliveries of batch `batch_key` in one request of their
    channel's send_many, at most once each whatever is redelivered; returns
    what happened to most ("sent", "held", "retry", "failed", "skipped", or
    "nothing")."""
    now = now or timezone.now()
    # Only the run holding the claim writes the outcome: an in-process call gets a name too.
    claimant = claimant or f"local-{uuid.uuid4()}"
    rows = Delivery.objects.filter(batch_key=batch_key)
    # The redelivery of a run that claimed the batch and died in the request: sent
    # again with the same key (LINE answers 409 if the first reached them), each row
    # counted a try, given up after NOTIFICATIONS_MAX_TRIES.
    left = rows.filter(status=DeliveryStatus.SENDING, claimed_by=claimant)
    left.filter(tries__gte=conf.max_tries()).update(
        status=DeliveryStatus.FAILED, last_error=MAY_HAVE_BEEN_SENT
    )
    left.update(tries=F("tries") + 1, claimed_at=now)
    # The claim: pending → sending for the whole batch, as for one. The rows are locked in
    # one order first, so that two runs of the same batch never split it between them (both
    # would send with its key, and the second's 409 would mark sent who never got it): the
    # second waits for the first and then finds nothing pending.
    with transaction.atomic():
        due = list(
            rows.filter(status=DeliveryStatus.PENDING)
            .filter(Q(next_try_at__isnull=True) | Q(next_try_at__lte=now))
            .select_for_update()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if due:
            Delivery.objects.filter(pk__in=due, status=DeliveryStatus.PENDING).update(
                status=DeliveryStatus.SENDING,
                claimed_at=now,
                claimed_by=claimant,
                tries=F("tries") + 1,
            )
    batch = list(
        rows.filter(status=DeliveryStatus.SENDING, claimed_by=claimant)
        .select_related("event", "user")
        .order_by("pk")
    )
    if not batch:
        return "nothing"
    channel = get_channel(batch[0].channel)
    if channel is None or channel.batch_size <= 0:
        _finish_many(
            [row.pk for row in batch],
            claimant,
            status=DeliveryStatus.FAILED,
            last_error="channel not configured for batches",
        )
        return "failed"
    # A first try: no request with this key was ever made, so rows may leave it.
    first_try = all(row.tries <= 1 for row in batch)
    wanted = opted_in_ids([row.user for row in batch], channel.name)
    dropped = [row for row in batch if row.user_id not in wanted]
    _finish_many(
        [row.pk for row in dropped], claimant, status=DeliveryStatus.SKIPPED, last_error="opted out"
    )
    batch = [row for row in batch if row.user_id in wanted]
    if not batch:
        return "skipped"
    release = quiet_until(now) if channel.held_in_quiet_hours else None
    if release:
        night_owls = allows_quiet_hours([row.user_id for row in batch])
        held = [row for row in batch if row.user_id not in night_owls]
        if held and not first_try:
            # A retry: the first request may have reached them all; they wait together.
            _finish_many(
                [row.pk for row in batch],
                claimant,
                status=DeliveryStatus.PENDING,
                next_try_at=release,
                tries=F("tries") - 1,
                claimed_by="",
            )
            return "held"
        if held:
            _leave_batch(held, claimant, next_try_at=release)
            batch = [row for row in batch if row.user_id in night_owls]
            if not batch:
                return "held"
    # One request carries one message: on a first try, those whose message differs
    # from the first one's go in batches of their own (sent right after).
    messages = {row.pk: row.message() for row in batch}
    first = messages[batch[0].pk]
    others = [row for row in batch if messages[row.pk] != first]
    if others and first_try:
        by_message = defaultdict(list)
        for row in others:
            by_message[repr(messages[row.pk])].append(row)
        queue_batches([_leave_batch(group, claimant) for group in by_message.values()])
        batch = [row for row in batch if messages[row.pk] == first]
    for row in batch:
        row.message = lambda first=first: first
    try:
        outcome = channel.send_many(batch, retry_key=str(batch_key))
    except Exception as error:
        logger.exception("Channel %s failed on batch %s", channel.name, batch_key)
        outcome = {row.key: TransientError(f"{type(error).__name__}: {error}") for row in batch}
    return _record_outcome(batch, batch_key, claimant, now, outcome)


def _record_outcome(batch, batch_key, claimant, now, outcome) -> str:
    sent, failed, retry = [], defaultdict(list), []
    retry_after = None
    for row in batch:
        result = outcome.get(row.key, TransientError("no outcome for this delivery"))
        if result is None:
            sent.append(row.pk)
        elif isinstance(result, TransientError):
            retry.append(row)
            if result.retry_after is not None:
                retry_after = max(retry_after or 0.0, float(result.retry_after))
            last = f"{type(result).__name__}: {result}"[:2000]
        else:
            failed[f"{result}"[:2000]].append(row.pk)
    _finish_many(sent, claimant, status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    for message, pks in failed.items():
        _finish_many(pks, claimant, status=DeliveryStatus.FAILED, last_error=message)
    if retry:
        # Together, with the batch's key (a TransientError's retry_key): never one by one.
        spent = [row.pk for row in retry if row.tries >= conf.max_tries()]
        _finish_many(spent, claimant, status=DeliveryStatus.FAILED, last_error=last)
        again = [row.pk for row in retry if row.tries < conf.max_tries()]
        if again:
            wait = retry_after if retry_after is not None else conf.backoff_seconds(retry[0].tries)
            _finish_many(
                again,
                claimant,
                status=DeliveryStatus.PENDING,
                next_try_at=now + timedelta(seconds=wait),
                last_error=last,
                claimed_by="",
            )
            queue_batches([batch_key], countdown=wait)
            return "retry"
    if sent:
        return "sent"
    return "failed" if failed or retry else "nothing"


# -- The sweep ----------------------------------------------------------------


def recover_stale(now: datetime | None = None) -> int:
    """Deliveries left `sending` by a dead worker: sent again on an idempotent
    channel, marked failed ("may have been sent") on the others."""
    now = now or timezone.now()
    stale = Delivery.objects.filter(
        status=DeliveryStatus.SENDING,
        claimed_at__lt=now - timedelta(seconds=conf.stale_after_seconds()),
    )
    idempotent = [name for name, channel in all_channels().items() if channel.idempotent]
    resent = stale.filter(channel__in=idempotent).update(
        status=DeliveryStatus.PENDING, claimed_by="", next_try_at=None
    )
    failed = stale.exclude(channel__in=idempotent).update(
        status=DeliveryStatus.FAILED, last_error=MAY_HAVE_BEEN_SENT
    )
    return resent + failed


def due_deliveries(now: datetime | None = None):
    """Pending deliveries due for a while (a lost message, a broker that was
    down, a retry's or the quiet hours' time come) that nobody sent."""
    now = now or timezone.now()
    late = now - timedelta(seconds=conf.sweep_after_seconds())
    return (
        Delivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(Q(next_try_at__lte=late) | Q(next_try_at__isnull=True, created_at__lte=late))
        .order_by("next_try_at", "pk")
    )


def send_due(now: datetime | None = None) -> int:
    """The sweep: recover stale claims, queue what is due. Returns how many were queued."""
    recover_stale(now)
    due = list(due_deliveries(now).values_list("pk", "batch_key")[:SWEEP_BATCH])
    singles = [pk for pk, batch_key in due if batch_key is None]
    # A batch's rows go as their batch (one task claims all its due rows).
    batches = list(dict.fromkeys(batch_key for _pk, batch_key in due if batch_key is not None))
    queued = queue_deliveries(singles) if singles else 0
    return queued + (queue_batches(batches) if batches else 0)
