"""Verification codes: 80 random bits written as 16 characters of Crockford's
base 32, in four groups (e.g. 7KQ4-M2XD-9H3B-TWZE), so a code can be read out
over the phone. No I, L, O or U; what a listener may write for them is read
back as the digit it sounds like."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 16 × 5 bits = 80 bits
GROUP = 4
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-–—_.]+")


def new_code() -> str:
    """A fresh code in canonical form (16 characters, no separators)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str | None:
    """The canonical form of what a person typed, or None when it cannot be a code."""
    if not isinstance(text, str):
        return None
    code = _SEPARATORS.sub("", text).upper().translate(_CONFUSABLE)
    if len(code) != CODE_LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def format_code(code: str) -> str:
    """7KQ4M2XD9H3BTWZE → 7KQ4-M2XD-9H3B-TWZE"""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))
