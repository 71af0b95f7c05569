"""How many failed tries the reset-code page answers before it refuses.

A failed try is a user name that is not an account, an account with no live
code, or a wrong code: the page cannot tell them apart for the volunteer
(that would say which user names exist), so it counts them alike.

The arithmetic. A try names one account and guesses its code, one of 10^12;
each account's code dies after 5 wrong codes (reset_codes.wrong_tries_allowed),
so the per-account chance is at most 5 x 10^-12 per code issued, whatever the
limits below. They are there against spraying: one guess at each of many
user names.

1. Per browser (a random id in a cookie): 10 failed tries an hour. A person
   mistyping their user name and the code a few times never needs more.
2. Per client address (`client_ip`, as the login throttling reads it behind
   the proxy): 100 failed tries a day. Resets come one volunteer at a time,
   not a room at once; even a training day where thirty people forgot their
   passwords and each mistyped three times stays under it. A success takes the
   browser's own failures off its address's count (at most the 10 a browser
   may make), so honest typos in a room do not add up. A guesser on one
   address gets 100 tries a day; with about 25,000 accounts and a live code
   on, at a guess, 1% of them at any time, each try hits a live code with
   probability 0.01 x 10^-12: the chance stays below 10^-12 per day.

Counts live in Django's cache (Redis in production). A cache that fails lets
the request through, like every other limit here (courses.ratelimits): the
per-account kill is in the database and does not depend on it.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from npv_site.login_throttling import client_ip

logger = logging.getLogger(__name__)

HOUR = 60 * 60
DAY = 24 * HOUR
BROWSER_COOKIE = "npv_reset_browser"
COOKIE_PATH = "/accounts/reset-code/"


@dataclass(frozen=True)
class ResetCodeLimits:
    per_browser: int = 10  # an hour
    per_address: int = 100  # a day


def limits() -> ResetCodeLimits:
    # Read on each request, so that tests can change a limit.
    return ResetCodeLimits(**getattr(settings, "RESET_CODE_LIMITS", {}))


def _browser_id(request: HttpRequest) -> str:
    browser = request.COOKIES.get(BROWSER_COOKIE, "")
    if not (len(browser) == 32 and browser.isalnum()):
        browser = getattr(request, "_reset_browser", "") or secrets.token_hex(16)
    request._reset_browser = browser
    return browser


def _keys(request: HttpRequest) -> tuple[str, str]:
    return (
        f"reset-code-failed:browser:{_browser_id(request)}",
        f"reset-code-failed:address:{client_ip(request) or ''}",
    )


def _count(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except Exception as error:  # a cache that fails never refuses anybody
        logger.warning("Reset-code limit not read, request let through: %r", error)
        return 0


def _add(key: str, amount: int, window: int) -> None:
    try:
        cache.add(key, 0, window)
        if amount >= 0:
            cache.incr(key, amount)
        else:
            cache.decr(key, -amount)
    except ValueError:  # the window ended between add and incr
        if amount > 0:
            cache.set(key, amount, window)
    except Exception as error:
        logger.warning("Reset-code limit not counted: %r", error)


BROWSER, ADDRESS = "browser", "address"


def refusal(request: HttpRequest) -> str | None:
    """BROWSER or ADDRESS when too many tries failed; None when the page may
    check this one."""
    current = limits()
    browser, address = _keys(request)
    if _count(address) >= current.per_address:
        return ADDRESS
    if _count(browser) >= current.per_browser:
        return BROWSER
    return None


def count_failure(request: HttpRequest) -> None:
    browser, address = _keys(request)
    _add(browser, 1, HOUR)
    _add(address, 1, DAY)


def forgive_typos(request: HttpRequest) -> None:
    """A browser that reset a password was typing its own code: its failures
    come off its address's count."""
    browser, address = _keys(request)
    typos = min(_count(browser), limits().per_browser)
    if typos:
        _add(address, -min(typos, _count(address)), DAY)
    try:
        cache.delete(browser)
    except Exception as error:
        logger.warning("Reset-code limit not reset: %r", error)


def remember_browser(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Sets the browser's id cookie if it has none (no session, no database row)."""
    browser = getattr(request, "_reset_browser", "")
    if browser and request.COOKIES.get(BROWSER_COOKIE) != browser:
        response.set_cookie(
            BROWSER_COOKIE,
            browser,
            max_age=HOUR,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
            path=COOKIE_PATH,
        )
    return response
