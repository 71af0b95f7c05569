"""Wagtail's user bar for those who can edit, without its cost for everyone else.

`{% wagtailuserbar %}` asks the database for the user's permissions on every
page view, two queries that for a volunteer always answer "no". Whether a
user may reach the admin is kept in the cache for a few minutes instead: a
trainer added to or removed from the Trainers group sees the bar change
within that time (or at once by signing in again), and the admin itself still
checks every permission.
"""

from django import template
from django.core.cache import cache
from wagtail.admin.templatetags.wagtailuserbar import wagtailuserbar

register = template.Library()

ADMIN_ACCESS_CACHE_SECONDS = 300


def can_access_admin(user) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    # Keyed on the login too: signing in again always asks afresh, and a
    # user id that comes back (a restored database, or test databases) never
    # inherits another account's answer.
    login = int(user.last_login.timestamp() * 1_000_000) if user.last_login else 0
    key = f"userbar:admin-access:{user.pk}:{login}"
    allowed = cache.get(key)
    if allowed is None:
        allowed = user.has_perm("wagtailadmin.access_admin")
        cache.set(key, allowed, ADMIN_ACCESS_CACHE_SECONDS)
    return allowed


@register.simple_tag(takes_context=True)
def editor_userbar(context, position="bottom-right"):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_access_admin(user):
        return ""
    return wagtailuserbar(context, position)
