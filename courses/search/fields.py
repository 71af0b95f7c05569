"""Index fields that hand the search backend Thai text already cut into words.

Wagtail's database backends split text at spaces only, so each field's text is
segmented here (see courses.search.thai) and indexed as space-separated words,
both for whole-word search (SearchField) and for search as you type
(AutocompleteField, matched by prefix).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from wagtail import blocks
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.rich_text import get_text_for_indexing
from wagtail.search import index

from courses.search.thai import index_text

_NOT_TEXT = (blocks.ChoiceBlock, blocks.MultipleChoiceBlock, blocks.URLBlock, blocks.ChooserBlock)


def block_text(block: blocks.Block, raw) -> Iterator[str]:
    """The readable text of a block's raw (JSON) value, in reading order.

    Walks the raw data rather than the converted value, so that no image or
    document is fetched, and leaves out what a reader never reads as text:
    choice keys and labels (h2, "เคล็ดลับ"), links and chosen objects.
    """
    if raw is None or isinstance(block, _NOT_TEXT):
        return
    if isinstance(block, blocks.StreamBlock):
        for item in raw:
            child = block.child_blocks.get(item.get("type"))
            if child is not None:
                yield from block_text(child, item.get("value"))
    elif isinstance(block, blocks.ListBlock):
        for item in raw:
            value = item["value"] if isinstance(item, dict) and "value" in item else item
            yield from block_text(block.child_block, value)
    elif isinstance(block, blocks.StructBlock):
        for name, child in block.child_blocks.items():
            yield from block_text(child, raw.get(name))
    elif isinstance(block, blocks.RichTextBlock):
        yield get_text_for_indexing(str(raw))
    elif isinstance(block, blocks.FieldBlock) and isinstance(raw, str):
        yield raw


def field_text(obj, field_name: str) -> list[str]:
    """The readable text of one field of a page, as a list of pieces."""
    field = obj._meta.get_field(field_name)
    value = getattr(obj, field_name)
    if not value:
        return []
    if isinstance(field, StreamField):
        return [text for text in block_text(field.stream_block, list(value.raw_data)) if text]
    if isinstance(field, RichTextField):
        return [get_text_for_indexing(value)]
    return [str(value)]


@lru_cache(maxsize=256)
def _segmented(pieces: tuple[str, ...]) -> str:
    # Each field is indexed twice, for search and for autocomplete.
    return index_text(pieces)


class ThaiSearchField(index.SearchField):
    def get_value(self, obj):
        return _segmented(tuple(field_text(obj, self.field_name)))


class ThaiAutocompleteField(index.AutocompleteField):
    def get_value(self, obj):
        return _segmented(tuple(field_text(obj, self.field_name)))


def thai_search_fields(*field_names: str) -> list[index.BaseField]:
    """search_fields for a course page: Page's own, plus the title and each
    named field indexed as Thai words, for search and for autocomplete.

    Page's title fields stay (Wagtail's check wagtailsearch.W001 expects them);
    they add the title as typed, which the segmented copy does not replace.
    """
    return [
        *Page.search_fields,
        ThaiSearchField("title", boost=2),
        ThaiAutocompleteField("title"),
        *(ThaiSearchField(name) for name in field_names),
        *(ThaiAutocompleteField(name) for name in field_names),
    ]
