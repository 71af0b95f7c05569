"""How many wrong claim codes the claim page answers before it refuses.

Only a *wrong* code counts: twelve digits that are nobody's code. A code
that was used, has expired or whose account has a password is a real code
and teaches a guesser nothing.

The arithmetic. A code is one of 10^12; at most about 24,700 are live at
once (the national roster), so one guess finds some live code with
probability 24,700 / 10^12 = 2.5e-8, and a code lives 180 days
(CLAIM_CODE_VALID_DAYS), about 26 weeks.

1. Per browser (a random id in a cookie): 10 wrong codes an hour. A person
   retyping a slip never needs more; past it only that phone waits.
2. Per client address, as the rest of the site reads it (`client_ip`, which
   honours TRUSTED_PROXY_COUNT behind nginx): 1,000 wrong codes a week. A
   room of 311 behind one NAT address, every phone mistyping its code three
   times before getting it right, makes 933. When a browser completes a
   claim, the wrong codes it typed are taken off its address's count (at
   most the 10 a browser may make), so a room's typos do not add up over the
   week; only codes typed by browsers that never claim stay counted. A
   guesser on one address gets at most 1,000 x 26 = 26,000 guesses in a
   code's life: a chance of 26,000 x 2.5e-8 = 6.4e-4 of finding any code, and
   dropping the cookie gains nothing, since the address counts every guess.
3. Across the site: 20,000 uncounted-back wrong codes a week. Past that the
   site is being guessed from many addresses; it slows down rather than
   close (a refused claim page would lock out every room in the country):
   browsers get 3 wrong codes an hour and addresses 100 a week, the first
   code typed right still works everywhere, and a warning is logged so that
   an operator can look. 100 addresses then make 100 x 100 x 26 = 260,000
   guesses in a code's life (a chance of 0.6%); that no limit which keeps a
   room open can do better against many addresses is why it is logged.

Counts live in Django's cache (Redis in production). A cache that fails lets
the request through, like every other limit here (courses.ratelimits).
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
WEEK = 7 * 24 * HOUR
BROWSER_COOKIE = "npv_claim_browser"


@dataclass(frozen=True)
class ClaimLimits:
    per_browser: int = 10  # an hour
    per_address: int = 1_000  # a week
    site_wide: int = 20_000  # a week, before the limits tighten
    per_browser_slowed: int = 3
    per_address_slowed: int = 100


def limits() -> ClaimLimits:
    # Read on each request, so that tests can change a limit.
    return ClaimLimits(**getattr(settings, "CLAIM_CODE_LIMITS", {}))


def _browser_id(request: HttpRequest) -> str:
    browser = request.COOKIES.get(BROWSER_COOKIE, "")
    if not (len(browser) == 32 and browser.isalnum()):
        browser = getattr(request, "_claim_browser", "") or secrets.token_hex(16)
    request._claim_browser = browser
    return browser


def _keys(request: HttpRequest) -> dict[str, str]:
    return {
        "browser": f"claim-wrong:browser:{_browser_id(request)}",
        "address": f"claim-wrong:address:{client_ip(request) or ''}",
        "site": "claim-wrong:site",
    }


def _count(key: str) -> int:
    try:
        return int(cache.get(key) or 0)
    except Exception as error:  # a cache that fails never refuses anybody
        logger.warning("Claim-code limit not read, request let through: %r", error)
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
        logger.warning("Claim-code limit not counted: %r", error)


BROWSER, ADDRESS = "browser", "address"


def refusal(request: HttpRequest) -> str | None:
    """BROWSER or ADDRESS when this browser, or its address, has typed too
    many wrong codes; None when the code may be looked up."""
    current = limits()
    keys = _keys(request)
    slowed = _count(keys["site"]) >= current.site_wide
    per_browser = current.per_browser_slowed if slowed else current.per_browser
    per_address = current.per_address_slowed if slowed else current.per_address
    if _count(keys["address"]) >= per_address:
        return ADDRESS
    if _count(keys["browser"]) >= per_browser:
        return BROWSER
    return None


def count_wrong_code(request: HttpRequest) -> None:
    keys = _keys(request)
    _add(keys["browser"], 1, HOUR)
    _add(keys["address"], 1, WEEK)
    _add(keys["site"], 1, WEEK)
    if _count(keys["site"]) == limits().site_wide:
        logger.warning(
            "Claim codes: %s wrong codes this week across the site; limits tightened",
            limits().site_wide,
        )


def forgive_typos(request: HttpRequest) -> None:
    """A browser that claimed an account was typing its own slip: its wrong
    codes come off its address's and the site's counts."""
    keys = _keys(request)
    typos = min(_count(keys["browser"]), limits().per_browser)
    if typos:
        _add(keys["address"], -min(typos, _count(keys["address"])), WEEK)
        _add(keys["site"], -min(typos, _count(keys["site"])), WEEK)
    try:
        cache.delete(keys["browser"])
    except Exception as error:
        logger.warning("Claim-code limit not reset: %r", error)


def remember_browser(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Sets the browser's id cookie if it has none (no session, no database row)."""
    browser = getattr(request, "_claim_browser", "")
    if browser and request.COOKIES.get(BROWSER_COOKIE) != browser:
        response.set_cookie(
            BROWSER_COOKIE,
            browser,
            max_age=HOUR,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
            path="/claim/",
        )
    return response
