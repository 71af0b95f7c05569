"""Highlighted titles and snippets, built on the server: the words that
matched are wrapped in <mark> and everything else is escaped.

Matching is by word, not by substring: ปก (a cover) inside อุปกรณ์ is no match.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from courses.search import thai

SNIPPET_LENGTH = 180
CONTEXT_BEFORE = 60
# How far a snippet's edge may move to fall on a space rather than inside a word.
EDGE_SLACK = 25


@dataclass(frozen=True)
class Matcher:
    """What counts as a match: a query word, or a word that begins with the
    unfinished word being typed, in any of its spellings in the course terms
    list (router marks เราเตอร์). A compound matches through its parts
    (แดง in สีแดง), and then only the part is highlighted."""

    words: frozenset[str]
    prefixes: tuple[str, ...] = ()

    @cached_property
    def _accepted(self) -> frozenset[str]:
        # The spellings of a term form one group, so a word matches when it is
        # a query word or another spelling of one.
        return self.words.union(*(thai.synonyms(word) for word in self.words))

    @cached_property
    def _known(self) -> dict[str, tuple[tuple[int, int], ...] | None]:
        # Where each word seen so far matches, relative to its start (None: the
        # whole word): a text repeats its words, and snippets look at every one.
        return {}

    def matches(self, word: str) -> bool:
        if word in self._accepted:
            return True
        return bool(self.prefixes) and any(
            form.startswith(prefix)
            for form in (word, *thai.synonyms(word))
            for prefix in self.prefixes
        )

    def _relative_spans(self, word: str) -> tuple[tuple[int, int], ...] | None:
        known = self._known
        if word in known:
            return known[word]
        if self.matches(word):
            found = None
        else:
            parts, offset = [], 0
            for part in thai.compound_split(word):
                inner = self._relative_spans(part)
                if inner is None:
                    parts.append((offset, offset + len(part)))
                else:
                    parts.extend((offset + a, offset + b) for a, b in inner)
                offset += len(part)
            found = tuple(parts)
        known[word] = found
        return found

    def spans(self, word: str, start: int, end: int | None = None) -> list[tuple[int, int]]:
        """Where `word`, found from `start` to `end` in the text, matches. The
        end is given because a word may be shorter than its text (24,700 is 24700)."""
        relative = self._relative_spans(word)
        if relative is None:
            return [(start, start + len(word) if end is None else end)]
        return [(start + a, start + b) for a, b in relative]


@dataclass(frozen=True)
class SegmentedText:
    """A text cut into words once, for ranking, snippets and highlighting:
    the normalised text and each word's (start, end, lower-cased word)."""

    text: str
    spans: tuple[tuple[int, int, str], ...]

    @classmethod
    def of(cls, text: str) -> SegmentedText:
        normalised, spans = thai.word_spans(text)
        return cls(normalised, tuple(spans))

    @cached_property
    def words(self) -> frozenset[str]:
        """Its words as the index holds them: the parts of compounds and the
        other spellings of course terms included."""
        found = set()
        for _start, _end, word in self.spans:
            found.update(thai.word_forms(word))
        return frozenset(found)

    @cached_property
    def _starts(self) -> list[int]:
        return [start for start, _end, _word in self.spans]

    @cached_property
    def compact(self) -> str:
        """Lower-cased without spaces, to find a query as it was written."""
        return "".join(self.text.lower().split())

    def marked(self, matcher: Matcher, start: int = 0, end: int | None = None) -> SafeString:
        """Its text from `start` to `end`, escaped, with the matching words marked."""
        end = len(self.text) if end is None else end
        marks: list[tuple[int, int]] = []
        for word_start, word_end, word in self.spans[bisect_left(self._starts, start) :]:
            if word_start >= end:
                break
            if word_end > end:
                continue
            for span in matcher.spans(word, word_start, word_end):
                if marks and marks[-1][1] >= span[0]:
                    # One mark for adjacent matches (ข่าว|ปลอม reads as one word)
                    # and for Wi-Fi, matched as wifi after its parts.
                    marks[-1] = (marks[-1][0], max(marks[-1][1], span[1]))
                else:
                    marks.append(span)
        html = []
        position = start
        for mark_start, mark_end in marks:
            html.append(escape(self.text[position:mark_start]))
            html.append(f"<mark>{escape(self.text[mark_start:mark_end])}</mark>")
            position = mark_end
        html.append(escape(self.text[position:end]))
        return mark_safe("".join(html))  # noqa: S308 - every piece is escaped

    def first_match(self, matcher: Matcher) -> tuple[int, int]:
        """Where the first matching word lies, or (0, 0)."""
        for start, end, word in self.spans:
            if matcher.spans(word, start, end):
                return start, end
        return 0, 0


@lru_cache(maxsize=2048)
def segmented(text: str) -> SegmentedText:
    """A short text (a title) cut into words, remembered for the next query."""
    return SegmentedText.of(text)


def highlight(text: str, matcher: Matcher) -> SafeString:
    return segmented(text).marked(matcher)


def _edge(text: str, position: int, forward: bool) -> int:
    """Moves `position` to a nearby space so that the snippet starts and ends
    between words; Thai puts spaces between phrases, not words."""
    if position <= 0:
        return 0
    if position >= len(text):
        return len(text)
    if forward:
        space = text.find(" ", position, position + EDGE_SLACK)
        return space + 1 if space >= 0 else position
    space = text.rfind(" ", position - EDGE_SLACK, position)
    return space if space >= 0 else position


def snippet(text: SegmentedText, matcher: Matcher) -> SafeString:
    """A short passage around the first word that matched (or the start)."""
    word_start, word_end = text.first_match(matcher)
    start = min(_edge(text.text, word_start - CONTEXT_BEFORE, forward=True), word_start)
    end = max(_edge(text.text, start + SNIPPET_LENGTH, forward=False), word_end)
    html = text.marked(matcher, start, end)
    before = "… " if start > 0 else ""
    after = " …" if end < len(text.text) else ""
    return mark_safe(before + html + after)  # noqa: S308 - `html` is escaped
