"""What django-axes keys its login throttling on (see AXES_* in settings).

The same name and address as allauth's own rate limits use, whichever login
form the attempt came through: allauth's (`login`, a user name or an e-mail),
or the Wagtail admin's (`username`).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import render


def login_name(request: HttpRequest, credentials: dict | None) -> str | None:
    """The name a login attempt was for, in one case: user names are
    case-insensitive here, so "Somchai" and "somchai" share one counter."""
    credentials = credentials or {}
    name = credentials.get("username") or credentials.get("email")
    if not name:
        data = getattr(request, "POST", {})
        name = data.get("login") or data.get("username")
    return name.strip().lower() if name else None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, taking TRUSTED_PROXY_COUNT proxies into account."""
    return get_adapter(request).get_client_ip(request)


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The page a locked-out login attempt gets, in Thai, with how long to wait."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "login_locked.html", {"minutes": minutes}, status=429)
