"""Who gets which channel: a person's own choice when they made one, else the
channel's default (the on-site list on; e-mail on with an address and consent)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications import conf
from notifications.channels import all_channels
from notifications.models import ChannelChoice, QuietHoursChoice


def consented_ids(user_ids: Iterable[int]) -> set[int]:
    user_ids = set(user_ids)
    path = conf.consented_users()
    if not path:
        return user_ids
    return set(import_string(path)(user_ids)) & user_ids


def choices_of(user_ids: Iterable[int]) -> dict[tuple[int, str], bool]:
    return {
        (user_id, channel): opted_in
        for user_id, channel, opted_in in ChannelChoice.objects.filter(
            user_id__in=list(user_ids)
        ).values_list("user_id", "channel", "opted_in")
    }


def is_opted_in(user, channel_name: str) -> bool:
    channel = all_channels().get(channel_name)
    if channel is None:
        return False
    choice = (
        ChannelChoice.objects.filter(user=user, channel=channel_name)
        .values_list("opted_in", flat=True)
        .first()
    )
    if choice is not None:
        return choice
    return channel.on_by_default(user, consented=user.pk in consented_ids([user.pk]))


def opted_in_ids(users, channel_name: str) -> set[int]:
    """is_opted_in for many people at once (three queries, whatever their number)."""
    channel = all_channels().get(channel_name)
    users = list(users)
    if channel is None or not users:
        return set()
    ids = [user.pk for user in users]
    chosen = dict(
        ChannelChoice.objects.filter(user_id__in=ids, channel=channel_name).values_list(
            "user_id", "opted_in"
        )
    )
    consented = consented_ids(ids)
    return {
        user.pk
        for user in users
        if chosen.get(user.pk)
        or (user.pk not in chosen and channel.on_by_default(user, consented=user.pk in consented))
    }


def set_choice(user, channel_name: str, opted_in: bool, *, source: str = "preferences") -> None:
    """Record a choice with its consent: when, to which notice."""
    ChannelChoice.objects.update_or_create(
        user=user,
        channel=channel_name,
        defaults={
            "opted_in": opted_in,
            "decided_at": timezone.now(),
            "notice_version": conf.notice_version(),
            "source": source,
        },
    )


def allows_quiet_hours(user_ids: Iterable[int]) -> set[int]:
    return set(
        QuietHoursChoice.objects.filter(
            user_id__in=list(user_ids), allow_during_quiet_hours=True
        ).values_list("user_id", flat=True)
    )


def set_quiet_hours(user, allow: bool) -> None:
    QuietHoursChoice.objects.update_or_create(
        user=user, defaults={"allow_during_quiet_hours": allow, "decided_at": timezone.now()}
    )


def unsubscribe(user, channel_name: str) -> None:
    """The one click of a message: that channel off, recorded as a choice."""
    with transaction.atomic():
        set_choice(user, channel_name, False, source="unsubscribe")
