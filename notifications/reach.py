"""How many people an event would reach on each channel, before it is sent: the
same rules as the outbox's (notifications.outbox._write_deliveries), so a
preview's figures are the deliveries `notify` would write.

A person counts on a channel when the channel reaches them (an address, a
linked account) and they opted in, or never chose and the channel is on for
them by default. Quiet hours do not count: a held message still goes."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from notifications.channels import all_channels
from notifications.preferences import choices_of, consented_ids


def reach_ids(user_ids: Iterable[int]) -> dict[str, set[int]]:
    """channel name → the ids of the people `notify` would write a delivery for."""
    user_ids = list(dict.fromkeys(int(user_id) for user_id in user_ids))
    channels = all_channels()
    if not user_ids:
        return {name: set() for name in channels}
    User = get_user_model()
    email_field = User.get_email_field_name()
    fields = ["pk"] + ([email_field] if hasattr(User, email_field) else [])
    users = list(User.objects.filter(pk__in=user_ids).only(*fields))
    choices = choices_of(user_ids)
    consented = consented_ids(user_ids)
    reached: dict[str, set[int]] = {}
    for name, channel in channels.items():
        reachable = channel.reachable(users)
        wanted = set()
        for user in users:
            if user.pk not in reachable:
                continue
            chosen = choices.get((user.pk, name))
            if chosen is None:
                chosen = channel.on_by_default(user, consented=user.pk in consented)
            if chosen:
                wanted.add(user.pk)
        reached[name] = wanted
    return reached


def reach(user_ids: Iterable[int]) -> dict[str, int]:
    """channel name → how many of `user_ids` an event would reach there, in the
    order of NOTIFICATIONS_CHANNELS."""
    return {name: len(ids) for name, ids in reach_ids(user_ids).items()}
