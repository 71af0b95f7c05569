"""Rate limits on the endpoints a script could hammer, counted by django-ratelimit
in Django's cache: saving and submitting quiz answers (counted per learner),
certificate verification (counted per address, as it is public), and whatever
else a host limits the same way. Each app names its groups and reads their rates
in its conf.py (COURSES_RATE_LIMITS, CERTIFICATES_RATE_LIMITS, over defaults,
with courses.conf.configured_rates, the old shared RATE_LIMITS included).

The cache only ever protects the site, never the learner's work, so every cache
failure lets the request through: a cache that turns errors into misses (as the
Net Pracharat site's does) starts a counter again, `RATELIMIT_FAIL_OPEN` covers
a count that comes back empty, and any other error in counting is logged and
ignored here.

A refused request is answered before the view runs, so nothing changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django_ratelimit.core import get_usage

from courses.shortcuts import render

logger = logging.getLogger(__name__)

# Learners sign in from training rooms where hundreds share one NAT
# address, so their limits are counted per user, never per address.
PER_USER = "user"
PER_ADDRESS = "ip"

Rates = Callable[[], Mapping[str, str]]


def seconds_until_allowed(
    request: HttpRequest, group: str, key: str | Callable, rates: Rates
) -> int | None:
    """Counts this request; returns None when it is within the limit of `group` (its
    rate is `rates()[group]`, read on each request so settings and tests can change
    it), else how many seconds until the window ends."""
    try:
        usage = get_usage(
            request,
            group=group,
            key=key,
            rate=lambda group, request: rates()[group],
            increment=True,
        )
    except Exception as error:
        logger.warning("Rate limit %s not checked, request let through: %r", group, error)
        return None
    if usage is None or not usage["should_limit"]:
        return None
    return max(1, usage["time_left"])


def too_many_requests(
    request: HttpRequest, message: str, retry_after: int, as_json: bool = False
) -> HttpResponse:
    if as_json:
        response = JsonResponse({"error": message, "retry_after": retry_after}, status=429)
    else:
        response = render(
            request,
            "courses/429.html",
            {"message": message, "minutes": -(-retry_after // 60)},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    group: str,
    *,
    rates: Rates,
    key: str | Callable,
    message: str,
    as_json: Callable[[HttpRequest], bool] = lambda request: False,
):
    """Refuses a view's requests past `rates()[group]` with 429: `message` on a
    page (courses/429.html), or in JSON ({"error": message}) when
    `as_json(request)` is true. Put it below `login_required` for a PER_USER
    key, and below `require_POST` so that only the counted method counts."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            retry_after = seconds_until_allowed(request, group, key, rates)
            if retry_after is not None:
                # django.request logs the 429 as a warning.
                return too_many_requests(request, str(message), retry_after, as_json(request))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
