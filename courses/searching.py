"""Searching the course: pages that hold the query's words, grouped by course
and module, each with a highlighted snippet.

A query is read in these ways, until one finds something:
1. as whole words; a compound word may also be found as its parts written
   apart (ดูแลรักษา or ดูแล … รักษา), but pages with the words as written
   are kept alone when there are any;
2. as typed so far, the last word unfinished (อุปก finds อุปกรณ์);
3. with typing mistakes corrected against the words the course uses.
Each way is one query to the backend; SQLite FTS5 and PostgreSQL answer the
same queries.
"""

from __future__ import annotations

import difflib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db.models import Count, Max
from django.utils.safestring import SafeString
from wagtail.models import Page
from wagtail.search.query import And, Or, PlainText, SearchQuery

from courses.models import CoursePage, LessonPage, ModulePage
from courses.search import thai
from courses.search.fields import field_text
from courses.search.snippets import Matcher, SegmentedText, highlight, segmented, snippet

MAX_QUERY_LENGTH = 100
MAX_HITS = 30
MAX_SUGGESTIONS = 6
# Below this similarity a correction guesses more than it fixes.
CORRECTION_CUTOFF = 0.75
MIN_CORRECTED_LENGTH = 4
VOCABULARY_CACHE_SECONDS = 24 * 60 * 60
MAX_CACHED_TEXTS = 512


class Mode:
    WORDS = "words"
    PREFIX = "prefix"
    CORRECTED = "corrected"


@dataclass
class SearchHit:
    page: Page
    title_html: SafeString
    snippet_html: SafeString = SafeString("")
    course: Page | None = None
    module: Page | None = None

    @property
    def parent(self) -> Page | None:
        """The module of a lesson, the course of a module."""
        if isinstance(self.page, LessonPage):
            return self.module
        if isinstance(self.page, ModulePage):
            return self.course
        return None


@dataclass
class ModuleGroup:
    module: Page
    hit: SearchHit | None = None
    lessons: list[SearchHit] = field(default_factory=list)


@dataclass
class CourseGroup:
    course: Page
    hit: SearchHit | None = None
    modules: list[ModuleGroup] = field(default_factory=list)


@dataclass
class SearchOutcome:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    groups: list[CourseGroup] = field(default_factory=list)
    mode: str = Mode.WORDS
    corrected_query: str = ""


def course_pages():
    """The pages search may show: live, public course, module and lesson pages."""
    return Page.objects.live().public().type(CoursePage, ModulePage, LessonPage)


# The text of a page, segmented once -------------------------------------------------


@dataclass(frozen=True)
class PageText:
    title: SegmentedText
    # The summary, then the lesson body or the module or course introduction.
    body: SegmentedText
    # The lesson's headings and the titles of its blocks (also in `body`).
    headings: SegmentedText = SegmentedText("", ())

    @cached_property
    def words(self) -> frozenset[str]:
        return self.title.words | self.body.words

    def mentions(self, words: frozenset[str]) -> int:
        """How often `words` occur in the text, a heading counting twice: a
        lesson about 24,700 villages says the number more than one that cites it."""
        return sum(
            1 for text in (self.body, self.headings) for *_span, word in text.spans if word in words
        )


_texts: OrderedDict[tuple, PageText] = OrderedDict()
_texts_lock = threading.Lock()


def _body_pieces(page: Page) -> list[str]:
    text_field = "body" if isinstance(page, LessonPage) else "intro"
    return [page.summary, *field_text(page, text_field)]


def _headings(page: Page) -> list[str]:
    """A lesson's headings and the titles of its callouts, steps and checklists."""
    if not isinstance(page, LessonPage):
        return []
    found = []
    for item in page.body.raw_data:
        value = item.get("value")
        name = "text" if item.get("type") == "heading" else "title"
        if isinstance(value, dict) and isinstance(value.get(name), str):
            found.append(value[name])
    return found


def page_text(page: Page) -> PageText:
    """The page's text cut into words, remembered (per process) until the
    page's content changes: segmenting a lesson costs more than searching."""
    if isinstance(page, LessonPage):
        content = json.dumps(list(page.body.raw_data), ensure_ascii=False)
    else:
        content = page.intro
    key = (page.pk, hash((page.title, page.summary, content)))
    with _texts_lock:
        found = _texts.get(key)
        if found is not None:
            _texts.move_to_end(key)
            return found
    text = PageText(
        title=segmented(page.title),
        body=SegmentedText.of(" ".join(_body_pieces(page))),
        headings=SegmentedText.of(" ".join(_headings(page))),
    )
    with _texts_lock:
        _texts[key] = text
        while len(_texts) > MAX_CACHED_TEXTS:
            _texts.popitem(last=False)
    return text


# Reading the query ----------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One way to read the query: the backend query, and how to tell in
    Python whether a page found fits it (to keep the better readings)."""

    matcher: Matcher

    def fits(self, words: frozenset[str]) -> bool:
        return self.matcher.words <= words and all(
            any(word.startswith(prefix) for word in words) for prefix in self.matcher.prefixes
        )


def _word_query(word: str) -> SearchQuery:
    # Not asked for in its other spellings: the index holds them all already
    # (course_terms.txt), and an Or of six spellings doubles the query's cost.
    if parts := thai.compound_split(word):
        return Or([PlainText(word), PlainText(" ".join(parts), operator="and")])
    return PlainText(word)


def _words_query(words: list[str]) -> SearchQuery:
    queries = [_word_query(word) for word in words]
    return queries[0] if len(queries) == 1 else And(queries)


def _words_readings(words: list[str]) -> list[Reading]:
    parts = [part for word in words for part in thai.compound_split(word)]
    readings = [Reading(Matcher(frozenset(words)))]
    if parts:
        readings.append(Reading(Matcher(frozenset([*words, *parts]))))
    return readings


def _prefix_query(readings: list[thai.PrefixReading]) -> SearchQuery:
    # In an autocomplete query the last term of each PlainText is a prefix.
    queries = [PlainText(" ".join([*r.words, r.prefix]), operator="and") for r in readings]
    return queries[0] if len(queries) == 1 else Or(queries)


def _prefix_readings(readings: list[thai.PrefixReading]) -> list[Reading]:
    # Longest unfinished word first: "เราเตอ" is เราเตอ… before เรา + เตอ….
    return [Reading(Matcher(frozenset(r.words), (r.prefix,))) for r in readings]


def _ranked(pages: list[Page], texts: dict[int, PageText], matcher: Matcher, query: str):
    """Orders the backend's results the way a reader expects: the query as
    written in the title, all its words in the title, more of its words in
    the title, a number asked for said more often (in headings above all),
    the query as written in the summary, then anywhere; then the
    backend's relevance. The backends rank differently (BM25 on SQLite,
    ts_rank on PostgreSQL); these rules make the top results agree."""
    phrase = "".join(thai.normalise(query).lower().split())
    needles = len(matcher.words) + len(matcher.prefixes)
    numbers = frozenset(word for word in matcher.words if word.isdigit())

    def key(item):
        rank, page = item
        text = texts[page.pk]
        title_words = text.title.words
        found = len(matcher.words & title_words) + sum(
            1 for prefix in matcher.prefixes if any(w.startswith(prefix) for w in title_words)
        )
        return (
            phrase not in text.title.compact,
            found < needles,
            -found,
            -text.mentions(numbers) if numbers else 0,
            phrase not in "".join(page.summary.lower().split()),
            phrase not in text.body.compact,
            -found / max(1, len(text.title.spans)),
            rank,
        )

    return [page for _rank, page in sorted(enumerate(pages), key=key)]


@dataclass
class _Found:
    pages: list[Page]
    texts: dict[int, PageText]
    matcher: Matcher
    mode: str


def _run(pages, query: SearchQuery, readings: list[Reading], autocomplete: bool, limit: int):
    found = list((pages.autocomplete if autocomplete else pages.search)(query)[:limit])
    if not found:
        return None
    texts = {page.pk: page_text(page) for page in found}
    # Keep the pages of the best reading that fits any; if none fits as
    # Python sees it (PostgreSQL stems English words), keep all.
    for reading in readings:
        fitting = [page for page in found if reading.fits(texts[page.pk].words)]
        if fitting:
            found, matcher = fitting, reading.matcher
            break
    else:
        matcher = Matcher(
            frozenset().union(*(r.matcher.words for r in readings)),
            tuple(prefix for r in readings for prefix in r.matcher.prefixes),
        )
    return found, texts, matcher


def _find(pages, query: str, limit: int, prefix_only: bool = False) -> _Found | None:
    """The first reading of `query` that finds any of `pages` (a queryset)."""
    words = [] if prefix_only else thai.query_words(query)
    if words:
        readings = _words_readings(words)
        result = _run(pages, _words_query(words), readings, autocomplete=False, limit=limit)
        if result:
            pages, texts, matcher = result
            return _Found(_ranked(pages, texts, matcher, query), texts, matcher, Mode.WORDS)
    prefix_readings = thai.prefix_readings(query)
    if prefix_readings:
        readings = _prefix_readings(prefix_readings)
        query_object = _prefix_query(prefix_readings)
        result = _run(pages, query_object, readings, autocomplete=True, limit=limit)
        if result:
            pages, texts, matcher = result
            return _Found(_ranked(pages, texts, matcher, query), texts, matcher, Mode.PREFIX)
    return None


def search_course(query: str, limit: int = MAX_HITS) -> SearchOutcome:
    """Searches the live course pages for `query`; see the module docstring."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    outcome = SearchOutcome(query=query)
    if not query:
        return outcome
    # Built once: public() looks up the view restrictions when it is called.
    pages = course_pages().specific()
    found = _find(pages, query, limit)
    if found is None and (corrected := corrected_query(query, pages)):
        found = _find(pages, corrected, limit)
        if found is not None:
            found.mode = Mode.CORRECTED
            outcome.corrected_query = corrected
    if found is None:
        return outcome
    outcome.mode = found.mode
    outcome.hits = [
        SearchHit(
            page=page,
            title_html=found.texts[page.pk].title.marked(found.matcher),
            snippet_html=snippet(found.texts[page.pk].body, found.matcher),
        )
        for page in found.pages
    ]
    outcome.groups = group_hits(outcome.hits)
    return outcome


def suggest(query: str, limit: int = MAX_SUGGESTIONS) -> list[SearchHit]:
    """Pages for the list under the search box, as the volunteer types: the
    last word may be unfinished."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    found = _find(course_pages().specific(), query, limit, prefix_only=True)
    if found is None:
        return []
    hits = [SearchHit(page, highlight(page.title, found.matcher)) for page in found.pages]
    group_hits(hits)
    return hits


def group_hits(hits: list[SearchHit]) -> list[CourseGroup]:
    """Groups hits under their course and module, in the order of each
    group's best hit, and sets each hit's course and module."""
    steplen = Page.steplen
    ancestor_paths = set()
    for hit in hits:
        path = hit.page.path
        ancestor_paths.update(path[: -steplen * up] for up in (1, 2) if len(path) > steplen * up)
    ancestors = {page.path: page for page in Page.objects.filter(path__in=ancestor_paths)}
    ancestors.update({hit.page.path: hit.page for hit in hits})

    courses: dict[str, CourseGroup] = {}
    modules: dict[str, ModuleGroup] = {}
    for hit in hits:
        path = hit.page.path
        if isinstance(hit.page, CoursePage):
            course_path, module_path = path, None
        elif isinstance(hit.page, ModulePage):
            course_path, module_path = path[:-steplen], path
        else:
            course_path, module_path = path[: -2 * steplen], path[:-steplen]
        hit.course = ancestors.get(course_path)
        hit.module = ancestors.get(module_path) if module_path else None
        if hit.course is None:
            continue
        course_group = courses.setdefault(course_path, CourseGroup(course=hit.course))
        if module_path is None:
            course_group.hit = hit
            continue
        if module_path not in modules:
            modules[module_path] = ModuleGroup(module=hit.module)
            course_group.modules.append(modules[module_path])
        if isinstance(hit.page, ModulePage):
            modules[module_path].hit = hit
        else:
            modules[module_path].lessons.append(hit)
    return list(courses.values())


# Typing mistakes ---------------------------------------------------------------


# Words whose closest course word is remembered per vocabulary: a typing
# mistake is made again by the next volunteer, and difflib over the course's
# words took a third of a corrected search.
MAX_REMEMBERED_CORRECTIONS = 5000


@dataclass(frozen=True)
class Vocabulary:
    words: frozenset[str]
    _closest: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @cached_property
    def by_length(self) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for word in sorted(self.words):
            found.setdefault(len(word), []).append(word)
        return found

    def closest(self, word: str) -> str | None:
        """The course's word most like `word`, if any is like enough. Only words
        of a length that could be (difflib's own first test) are compared."""
        if word in self.words or len(word) < MIN_CORRECTED_LENGTH:
            return None
        try:
            return self._closest[word]
        except KeyError:
            pass
        found = self._closest_by_difflib(word)
        if len(self._closest) >= MAX_REMEMBERED_CORRECTIONS:
            self._closest.clear()
        self._closest[word] = found
        return found

    def _closest_by_difflib(self, word: str) -> str | None:
        cutoff = CORRECTION_CUTOFF
        shortest = int(len(word) * cutoff / (2 - cutoff))
        longest = int(len(word) * (2 - cutoff) / cutoff) + 1
        choices = [
            choice
            for length in range(shortest, longest + 1)
            for choice in self.by_length.get(length, ())
        ]
        matches = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
        return matches[0] if matches else None


# The vocabulary last read, with its cache key: reading it back from the cache
# on every mistyped query would unpickle every word of the course.
_vocabulary: tuple[str, Vocabulary] | None = None


def vocabulary(pages=None) -> Vocabulary:
    """Every word of the live course pages, cached until a page is published
    or unpublished (the cache key changes with the latest publication)."""
    global _vocabulary
    pages = course_pages() if pages is None else pages
    stamp = pages.aggregate(count=Count("pk"), latest=Max("last_published_at"))
    latest = stamp["latest"].timestamp() if stamp["latest"] else 0
    key = f"courses.search.vocabulary:{stamp['count']}:{latest}"
    remembered = _vocabulary
    if remembered is not None and remembered[0] == key and cache.has_key(key):
        return remembered[1]
    words = cache.get(key)
    if words is None:
        words = frozenset(
            word
            for page in pages.specific()
            for word in page_text(page).words
            if len(word) >= 2 and not word.isdigit()
        )
        cache.set(key, words, VOCABULARY_CACHE_SECONDS)
    found = Vocabulary(words)
    _vocabulary = (key, found)
    return found


def corrected_query(query: str, pages=None) -> str:
    """The query with each unknown word replaced by the closest word the
    course uses ("อุปกรน" → "อุปกรณ์"), or "" when nothing was corrected.

    A mistyped Thai word is cut into odd pieces by the segmenter, so each
    space-separated chunk is first compared whole, then word by word.
    """
    known = vocabulary(pages)
    corrected, changed = [], False
    for chunk in thai.normalise(query).lower().split():
        chunk_words = thai.words(chunk)
        if all(word in known.words for word in chunk_words):
            corrected.append(chunk)
            continue
        whole = known.closest("".join(chunk_words))
        if whole:
            corrected.append(whole)
            changed = True
            continue
        for word in chunk_words:
            closest = known.closest(word)
            corrected.append(closest or word)
            changed = changed or bool(closest)
    return " ".join(corrected) if changed else ""
