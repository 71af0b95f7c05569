"""The module after a module in its course, the result page's next step after a
pass. A whole training room asks it for the same few modules within minutes, and
a course's pages change seldom, so the answer is cached: any page saved, deleted
or moved starts a new generation of these cache entries, so a trainer's publish
shows on the next result page, not minutes later."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db.models import OuterRef, Subquery
from wagtail.models import Page

GENERATION_KEY = "courses:next-module:generation"
# Only a bound on memory: a page change ends an entry sooner.
SECONDS = 600
# Cached for "no module after this one", which None (a miss) cannot say.
_LAST = "last"


def next_module(module: Page) -> dict | None:
    """{"title", "url"} of the next live module (its first live lesson, or the
    module itself when it has none), or None after the course's last module.
    One query on a miss, none on a hit besides two cache reads."""
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = new_generation()
    key = f"courses:next-module:{generation}:{module.pk}"
    found = cache.get(key)
    if found is None:
        found = _look_up(module) or _LAST
        cache.set(key, found, SECONDS)
    return None if found == _LAST else found


def new_generation(**_signal_kwargs) -> str:
    generation = uuid.uuid4().hex
    cache.set(GENERATION_KEY, generation, None)
    return generation


def page_changed(sender, instance=None, **kwargs) -> None:
    """post_save / post_delete of any model: only pages start a new generation
    (a check that costs nothing beside the save it follows)."""
    if isinstance(instance, Page):
        new_generation()


def _look_up(module: Page) -> dict | None:
    # Wagtail's page table alone: a module's children are its lessons and a
    # course's its modules, so no join to their own tables is needed.
    first_lesson = (
        Page.objects.live()
        .filter(path__startswith=OuterRef("path"), depth=module.depth + 1)
        .order_by("path")
        .values("url_path")[:1]
    )
    row = (
        Page.objects.live()
        .filter(
            path__startswith=module.path[: -module.steplen],
            depth=module.depth,
            path__gt=module.path,
        )
        .order_by("path")
        .annotate(lesson_url_path=Subquery(first_lesson))
        .values("title", "url_path", "lesson_url_path")
        .first()
    )
    if row is None:
        return None
    url_path = row["lesson_url_path"] or row["url_path"]
    return {"title": row["title"], "url": Page(url_path=url_path).get_url()}
