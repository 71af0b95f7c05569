"""The channels a host switched on (NOTIFICATIONS_CHANNELS), loaded once."""

from __future__ import annotations

from functools import cache

from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from notifications import conf
from notifications.channels.base import Channel, PermanentError, TransientError

__all__ = ["Channel", "PermanentError", "TransientError", "all_channels", "get_channel"]


@cache
def _load(paths: tuple[str, ...]) -> dict[str, Channel]:
    channels = {}
    for path in paths:
        channel = import_string(path)()
        channels[channel.name] = channel
    return channels


def all_channels() -> dict[str, Channel]:
    """name → channel, in the order of the setting."""
    return _load(tuple(conf.channel_paths()))


def get_channel(name: str) -> Channel | None:
    return all_channels().get(name)


def _reload(setting, **kwargs):
    if setting == "NOTIFICATIONS_CHANNELS":
        _load.cache_clear()


setting_changed.connect(_reload)
