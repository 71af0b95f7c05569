"""Thai word segmentation shared by indexing and querying.

Plain Python without Django: the same functions cut the course's text when it
is indexed and the volunteer's query when it is read, so both sides agree on
where the words are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from pathlib import Path

from pythainlp.corpus import thai_words
from pythainlp.tokenize import word_tokenize
from pythainlp.util import Trie
from pythainlp.util import normalize as thai_normalize

COURSE_TERMS_FILE = Path(__file__).with_name("course_terms.txt")

# A number written with thousands separators ("24,700", "๒๔,๗๐๐") is one word;
# otherwise letters and digits of any script, and the Thai vowel and tone marks,
# which are combining marks (Unicode category Mn) that \w leaves out.
_WORD = re.compile(
    r"[0-9\u0E50-\u0E59]{1,3}(?:,[0-9\u0E50-\u0E59]{3})+(?![0-9\u0E50-\u0E59])"
    r"|(?:[^\W_]|[\u0E31\u0E34-\u0E3A\u0E47-\u0E4E])+"
)
# Thai digits are read as Arabic ones and separators dropped, so that 24,700,
# 24700 and ๒๔,๗๐๐ are the same word; the text itself keeps its own digits.
_FOLD = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789", ",")
_THAI = re.compile(r"[\u0E01-\u0E4E]")

# A word shorter than this is never split into parts: ตาราง (table) is not
# ตา + ราง, while ดูแลรักษา is ดูแล + รักษา. Parts of one or two letters are
# mostly accidents of spelling (อุปกรณ์ is not อุ + ปกรณ์, nor กะพริบ กะ + พริบ).
MIN_COMPOUND_LENGTH = 6
MIN_PART_LENGTH = 3
# One Thai letter as a prefix would match a large share of all words.
MIN_PREFIX_LENGTH = 2
# The last few words of what is being typed may belong to an unfinished word.
MAX_PREFIX_PIECES = 4

# Words dropped from a query of several words, so that "การดูแลอุปกรณ์" also
# finds a lesson that says "ดูแลอุปกรณ์". PyThaiNLP's stop-word list (over a
# thousand words, กลุ่ม and กำหนด among them) is too broad for queries.
QUERY_STOPWORDS = frozenset({
    "การ", "ความ", "ที่", "ของ", "และ", "หรือ", "ใน", "ให้", "ได้", "เป็น", "มี", "จะ", "ว่า",
    "กับ", "แล้ว", "คือ", "ซึ่ง", "โดย", "เพื่อ", "อย่างไร", "ยังไง", "ไหม", "อะไร", "ทำไม",
    "ใคร", "บ้าง", "เมื่อไร", "ครับ", "ค่ะ", "คะ", "นะ",
    "a", "an", "the", "of", "to", "and", "or", "in", "on", "for", "how", "what", "is", "are",
})  # fmt: skip


@dataclass(frozen=True)
class CourseTerms:
    """The course terms list: words for the segmenter's dictionary, and groups
    of spellings of one term (เราเตอร์ = router = เร้าเตอร์), each spelling
    folded as the index holds it."""

    words: tuple[str, ...]
    groups: tuple[tuple[str, ...], ...]

    @cached_property
    def spellings(self) -> dict[str, tuple[str, ...]]:
        """Each spelling, and the other spellings of its term."""
        found: dict[str, tuple[str, ...]] = {}
        for group in self.groups:
            for spelling in group:
                others = [other for other in group if other != spelling]
                found[spelling] = tuple(_unique([*found.get(spelling, ()), *others]))
        return found


def parse_course_terms(text: str) -> CourseTerms:
    """Reads the terms list (course_terms.txt): one term a line, or the
    spellings of one term separated by "=". Every Thai spelling is a word for
    the segmenter; a spelling is compared as the index holds it (Wi-Fi as wifi)."""
    terms, groups = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        spellings = [spelling.strip() for spelling in line.split("=") if spelling.strip()]
        terms.extend(spelling for spelling in spellings if is_thai(spelling))
        if len(spellings) > 1:
            group = _unique(fold(spelling.replace("-", "")) for spelling in spellings)
            groups.append(tuple(group))
    return CourseTerms(words=tuple(_unique(terms)), groups=tuple(groups))


@cache
def course_terms() -> CourseTerms:
    return parse_course_terms(COURSE_TERMS_FILE.read_text(encoding="utf-8"))


@cache
def dictionary() -> Trie:
    """newmm's default dictionary and the course's own terms, built once per process."""
    return Trie([*thai_words(), *course_terms().words])


def synonyms(word: str) -> tuple[str, ...]:
    """The other spellings of `word` in the course terms list, or ()."""
    return course_terms().spellings.get(word, ())


def warm_up() -> None:
    """Builds the dictionary and segments a sentence, so that the first search
    of a process does not pay for it (about a second). A host calls it where a
    web process starts (see docs/plugins.md): not in AppConfig.ready, which
    every management command and Celery worker would pay for too."""
    index_text("การดูแลรักษาอุปกรณ์เน็ตประชารัฐ 24,700 หมู่บ้าน Wi-Fi")


def _newmm(text: str) -> list[str]:
    # word_tokenize takes the Trie as it is; pythainlp's Tokenizer class would
    # copy it word by word, doubling the start-up time.
    return word_tokenize(text, custom_dict=dictionary(), engine="newmm", keep_whitespace=True)


def normalise(text: str) -> str:
    """Undoes common Thai typing slips (เเ typed for แ, doubled vowels,
    zero-width spaces) so that they match the text as the course spells it."""
    return thai_normalize(text)


def tokens(text: str) -> list[str]:
    """newmm's tokens of the normalised text, spaces and punctuation included:
    joined, they give the normalised text back."""
    return _newmm(normalise(text))


def fold(word: str) -> str:
    """A word as the index holds it: lower-cased, a number in Arabic digits
    without separators."""
    return word.lower().translate(_FOLD)


def token_words(token: str) -> list[str]:
    """The words inside one token, folded ("Wi-Fi" holds wi and fi)."""
    return [fold(word) for word in _WORD.findall(token)]


def words(text: str) -> list[str]:
    """The words of `text` in reading order, lower-cased, without spaces or punctuation."""
    return [word for token in tokens(text) for word in token_words(token)]


def word_spans(text: str) -> tuple[str, list[tuple[int, int, str]]]:
    """The normalised text and where each of its words lies in it, as
    (start, end, folded word), in order of their start: what highlighting
    needs. "Wi-Fi" gives wifi over both its parts, as the index holds it, then
    wi and fi."""
    normalised = normalise(text)
    spans = []
    offset = 0
    for token in _newmm(normalised):
        start = normalised.find(token, offset)
        if start < 0:
            continue
        token_spans = [
            (start + match.start(), start + match.end(), fold(match.group()))
            for match in _WORD.finditer(token)
        ]
        if len(token_spans) > 1 and not any(is_thai(word) for *_span, word in token_spans):
            # Before its parts, so that the spans stay in order of their start.
            joined = "".join(word for *_span, word in token_spans)
            spans.append((token_spans[0][0], token_spans[-1][1], joined))
        spans.extend(token_spans)
        offset = start + len(token)
    return normalised, spans


def is_thai(word: str) -> bool:
    return bool(_THAI.match(word))


@lru_cache(maxsize=50_000)
def compound_split(word: str) -> tuple[str, ...]:
    """The fewest dictionary words that spell `word` exactly, or () when it is
    not such a compound.

    newmm keeps a compound in the dictionary whole (ดูแลรักษา, สีแดง), so
    without its parts a search for รักษา would miss "การดูแลรักษาอุปกรณ์".
    Only whole spellings count, and some accidental ones remain (ออนไลน์ gives
    ออน + ไลน์): an extra word in the index costs little, a missing one loses
    the lesson.
    """
    if len(word) < MIN_COMPOUND_LENGTH or not is_thai(word):
        return ()
    trie = dictionary()
    size = len(word)
    fewest: list[int | None] = [0] + [None] * size
    part_start = [0] * (size + 1)
    for start in range(size):
        if fewest[start] is None:
            continue
        for prefix in trie.prefixes(word, start):
            end = start + len(prefix)
            if len(prefix) < MIN_PART_LENGTH or (start == 0 and end == size):
                continue
            if fewest[end] is None or fewest[start] + 1 < fewest[end]:
                fewest[end] = fewest[start] + 1
                part_start[end] = start
    if fewest[size] is None:
        return ()
    parts = []
    end = size
    while end > 0:
        parts.append(word[part_start[end] : end])
        end = part_start[end]
    return tuple(reversed(parts))


def compound_parts(word: str) -> list[str]:
    """Every part of a compound, the parts of its parts included."""
    parts = []
    for part in compound_split(word):
        parts.append(part)
        parts.extend(compound_parts(part))
    return parts


def word_forms(word: str) -> list[str]:
    """A word of the text, the parts of a compound, and the other spellings of
    each in the course terms list: every word a query may find it by."""
    forms = [word, *compound_parts(word)]
    return _unique([*forms, *(other for form in forms for other in synonyms(form))])


def index_words(text: str) -> list[str]:
    found = []
    for token in tokens(text):
        token_parts = token_words(token)
        for word in token_parts:
            found.extend(word_forms(word))
        if len(token_parts) > 1 and not any(map(is_thai, token_parts)):
            # "Wi-Fi" is also found as wifi, "e-mail" as email.
            found.extend(word_forms("".join(token_parts)))
    return found


def index_text(pieces: str | Iterable[str]) -> str:
    """What the search backend indexes: the words separated by spaces, each
    compound followed by its parts. Each piece (a paragraph, a heading) is
    segmented on its own, since words never run across pieces."""
    if isinstance(pieces, str):
        pieces = [pieces]
    return " ".join(word for piece in pieces if piece for word in index_words(piece))


def _unique(items: Iterable) -> list:
    return list(dict.fromkeys(items))


def query_words(query: str) -> list[str]:
    """The words a query asks for, function words dropped unless nothing else is left."""
    found = words(query)
    kept = [word for word in found if word not in QUERY_STOPWORDS]
    return _unique(kept or found)


@dataclass(frozen=True)
class PrefixReading:
    """One way to read a query whose last word is still being typed: `words`
    in full, then a word that starts with `prefix`."""

    words: tuple[str, ...]
    prefix: str


def prefix_readings(query: str) -> list[PrefixReading]:
    """Readings of a query typed so far, for search as you type.

    newmm cuts an unfinished word wrongly (อุปก becomes อุ|ปก), so no single
    segmentation can be trusted: the unfinished word may start at any of the
    last few pieces. "ดูแลอุปก" gives ดูแลอุปก…, ดูแล + อุปก…, ดูแล อุ + ปก….
    A reading is kept only if the words it takes in full are dictionary words.
    """
    chunks = normalise(query).lower().split()
    if not chunks:
        return []
    head = tuple(query_words(" ".join(chunks[:-1]))) if len(chunks) > 1 else ()
    last = chunks[-1]
    pieces = words(last)
    trie = dictionary()
    readings = []
    for split_at in range(max(0, len(pieces) - MAX_PREFIX_PIECES), len(pieces)):
        full, prefix = pieces[:split_at], "".join(pieces[split_at:])
        if len(prefix) < MIN_PREFIX_LENGTH or prefix not in last:
            continue
        if any(is_thai(word) and word not in trie for word in full):
            continue
        kept = tuple(word for word in full if word not in QUERY_STOPWORDS)
        readings.append(PrefixReading(words=tuple(_unique(head + kept)), prefix=prefix))
    return _unique(readings)
