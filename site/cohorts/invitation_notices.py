"""The notice of pending invitations on "My learning", kept in the cache.

"My learning" is the page a volunteer opens most; its queries are counted
(tests/test_query_counts.py). The few invitations a volunteer has are read
once and cached; whatever changes them drops the volunteer's entry once the
change is committed. A cache that fails only costs the one query.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

# An entry missed by the dropping (an administrator editing rows by hand)
# lasts no longer than this.
NOTICE_SECONDS = 10 * 60


def _key(user_id: int) -> str:
    # A prefix of its own, so that tests (where user ids repeat) can start afresh.
    prefix = getattr(settings, "COHORT_NOTICE_CACHE_PREFIX", "cohort-invitations")
    return f"{prefix}:{user_id}"


def invitation_notices(user) -> list[tuple[int, str]]:
    """(invitation id, cohort name) of the user's unanswered invitations."""
    from npv_site.cohorts.models import CohortInvitation

    if not (user and user.is_authenticated):
        return []
    notices = cache.get(_key(user.pk))
    if notices is None:
        notices = list(
            CohortInvitation.objects.filter(user=user, status=CohortInvitation.Status.PENDING)
            .order_by("created", "pk")
            .values_list("pk", "cohort__name")
        )
        cache.set(_key(user.pk), notices, NOTICE_SECONDS)
    return notices


def forget_notices(user_ids: Iterable[int]) -> None:
    """Call where invitations are made or answered, inside the transaction."""
    keys = [_key(user_id) for user_id in user_ids]
    if keys:
        transaction.on_commit(lambda: cache.delete_many(keys), robust=True)
