"""The signed one-click unsubscribe link of a message: one token per person
and channel, checked without a login (RFC 8058)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing
from django.urls import reverse

from notifications.messages import absolute

SALT = "notifications.unsubscribe"


def make_token(user, channel_name: str) -> str:
    return signing.dumps({"u": user.pk, "c": channel_name}, salt=SALT, compress=True)


def read_token(token: str):
    """(user, channel name), or None for a token that is not ours."""
    try:
        data = signing.loads(token, salt=SALT)
        user_id, channel_name = int(data["u"]), str(data["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    user = get_user_model().objects.filter(pk=user_id).first()
    return (user, channel_name) if user is not None else None


def unsubscribe_url(user, channel_name: str) -> str:
    return absolute(reverse("notifications:unsubscribe", args=[make_token(user, channel_name)]))
