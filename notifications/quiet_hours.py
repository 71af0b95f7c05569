"""Quiet hours: no message between 21:00 and 07:00 Bangkok time (settings)
unless the person asked for messages then; the on-site list is never held."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from notifications import conf


def quiet_until(now: datetime) -> datetime | None:
    """The end of the quiet hours `now` is in, or None when it is not in them."""
    hours = conf.quiet_hours()
    if hours is None:
        return None
    start, end = hours
    local = now.astimezone(ZoneInfo(conf.time_zone()))
    clock = local.time()
    # Across midnight (21:00–07:00) when the start is the later time.
    quiet = start <= clock < end if start <= end else clock >= start or clock < end
    if not quiet:
        return None
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += timedelta(days=1)
    return release
