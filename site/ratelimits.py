"""Rate limits on the endpoints a script could hammer: saving and submitting
quiz answers (counted per volunteer) and certificate verification (counted
per address, as it is public). The limits are in `settings.RATE_LIMITS`.

django-ratelimit counts requests in Django's cache. The cache only ever
protects the site, never the volunteer's work, so every cache failure lets
the request through: `npv_site.cache` turns Redis errors into misses (a
counter that cannot be read starts again), `RATELIMIT_FAIL_OPEN` covers a
count that comes back empty, and any other error in counting is logged and
ignored here.

A refused request is answered before the view runs, so nothing changes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

# Volunteers sign in from training rooms where hundreds share one NAT
# address, so their limits are counted per user, never per address.
PER_USER = "user"
PER_ADDRESS = "ip"


def _rate(group: str, request: HttpRequest) -> str:
    # Read on each request, so that settings (and tests) can change a limit.
    return settings.RATE_LIMITS[group]


def seconds_until_allowed(request: HttpRequest, group: str, key: str) -> int | None:
    """Counts this request; returns None when it is within the limit, else
    how many seconds until the window ends."""
    try:
        usage = get_usage(request, group=group, key=key, rate=_rate, increment=True)
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
            "429.html",
            {"message": message, "minutes": -(-retry_after // 60)},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(
    group: str,
    *,
    key: str,
    message: str,
    as_json: Callable[[HttpRequest], bool] = lambda request: False,
):
    """Refuses a view's requests past `settings.RATE_LIMITS[group]` with 429:
    `message` on a Thai page, or in JSON ({"error": message}) when
    `as_json(request)` is true. Put it below `login_required` for a PER_USER
    key, and below `require_POST` so that only the counted method counts."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            retry_after = seconds_until_allowed(request, group, key)
            if retry_after is not None:
                # django.request logs the 429 as a warning.
                return too_many_requests(request, str(message), retry_after, as_json(request))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def allauth_too_many_requests(request: HttpRequest) -> HttpResponse:
    """handler429 of the URLconf, which allauth renders for its own limits
    (sign-up per address, password reset): the site's Thai page. allauth
    passes neither a message nor the time left."""
    return render(request, "429.html", {"message": ALLAUTH_TOO_FAST}, status=429)


ALLAUTH_TOO_FAST = gettext_lazy(
    "มีการส่งคำขอจากเครือข่ายนี้ถี่เกินไป ระบบจึงยังไม่ได้ดำเนินการตามคำขอนี้"
)
