"""Random values that no row has yet (claim codes, placeholder user names)."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

# SQLite allows 999 parameters in one query.
LOOKUP_BATCH = 900


def unused_random_values(
    count: int, make: Callable[[], str], queryset: QuerySet, field: str
) -> set[str]:
    """`count` values from `make()`, unique among themselves and not yet in
    `queryset`'s `field`: drawn in bulk, looked up in batches, drawn again for
    the few already taken."""
    values: set[str] = set()
    while len(values) < count:
        batch = sorted({make() for _ in range(count - len(values))} - values)
        taken: set[str] = set()
        for start in range(0, len(batch), LOOKUP_BATCH):
            chunk = batch[start : start + LOOKUP_BATCH]
            taken.update(
                queryset.filter(**{f"{field}__in": chunk}).values_list(field, flat=True)
            )
        values |= set(batch) - taken
    return values
