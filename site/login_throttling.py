"""What django-axes keys its login throttling on (see AXES_* in settings).

The account and the address, whichever login form the attempt came through
(allauth's `login`, a user name or an e-mail; the Wagtail admin's
`username`) and whichever name it gave: an attempt by e-mail counts on the
account's user name, so that the name and the e-mail do not each get five
guesses. A name or e-mail that is no account's (or an e-mail that several
accounts share, since e-mail is not unique here) counts as typed.
"""

from __future__ import annotations

import contextlib

from allauth.account.adapter import get_adapter
from allauth.account.utils import filter_users_by_email
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.shortcuts import render


def login_name(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a login attempt was for, as its user name in one case:
    user names are case-insensitive here, so "Somchai" and "somchai" share
    one counter, and so do "somchai" and somchai's e-mail address."""
    credentials = credentials or {}
    name = credentials.get("username") or credentials.get("email")
    if not name:
        data = getattr(request, "POST", {})
        name = data.get("login") or data.get("username")
    if not name:
        return None
    typed = name.strip().lower()
    # axes asks several times per attempt (the backend, the failure signal).
    resolved = getattr(request, "_axes_account_names", None)
    if resolved is None:
        resolved = {}
        with contextlib.suppress(AttributeError, TypeError):
            request._axes_account_names = resolved
    if typed not in resolved:
        resolved[typed] = _account_name(typed)
    return resolved[typed]


def _account_name(typed: str) -> str:
    User = get_user_model()
    field = User.USERNAME_FIELD
    if User._default_manager.filter(**{f"{field}__iexact": typed}).exists():
        return typed
    if "@" in typed:
        users = filter_users_by_email(typed)
        if len(users) == 1:
            return users[0].get_username().lower()
    return typed


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, taking TRUSTED_PROXY_COUNT proxies into account."""
    return get_adapter(request).get_client_ip(request)


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """The page a locked-out login attempt gets, in Thai, with how long to wait."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "login_locked.html", {"minutes": minutes}, status=429)
