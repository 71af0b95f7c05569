"""Rules for what people type, shared by every form, filter and import.

- `remove_invisible()`: characters of Unicode category Cf (zero-width space
  and joiners, BOM, word joiner, bidi marks, soft hyphen) are dropped from
  anything typed, before it is checked. They come with text copied from LINE,
  Facebook or Word, show nothing on screen, and would otherwise make an all-Thai
  name "not Thai" or two equal names differ.
- `THAI_DIGITS`: ๐–๙ read as 0–9.
- `parse_id()`: an id from a URL or query string, or None. Only ASCII digits
  within the 64-bit range a database key can hold: `str.isdigit()` is also
  true for "²" and "٣", which `int()` refuses or reads as another number, and
  SQLite raises OverflowError on an integer past 64 bits.
- `describe_character()`: a character as a message can name it.
"""

from __future__ import annotations

import unicodedata

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
ASCII_DIGITS = frozenset("0123456789")
# The largest key a signed 64-bit column (BigAutoField, SQLite's INTEGER) holds.
MAX_ID = 2**63 - 1
# Longer than any 64-bit number: refused before int() reads a huge string.
_MAX_ID_DIGITS = len(str(MAX_ID))


def is_invisible(character: str) -> bool:
    return unicodedata.category(character) == "Cf"


def remove_invisible(value: str | None) -> str:
    """`value` without its invisible format characters (category Cf)."""
    if not value:
        return ""
    if value.isascii():
        return value
    return "".join(ch for ch in value if not is_invisible(ch))


def parse_id(value) -> int | None:
    """A positive database id written in ASCII digits, or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > _MAX_ID_DIGITS or not set(text) <= ASCII_DIGITS:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def describe_character(character: str) -> str:
    """“l” for a visible character; U+200B (ZERO WIDTH SPACE) for one that
    shows nothing, so the person can find it."""
    if character.isprintable() and not character.isspace() and not is_invisible(character):
        return f"“{character}”"
    name = unicodedata.name(character, "")
    code = f"U+{ord(character):04X}"
    return f"{code} ({name})" if name else code
