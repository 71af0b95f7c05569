"""Properties of the plain rule functions, checked on generated input
(hypothesis): the phone rule, name cleaning and checking, grading and the
certificate number format. Kept small (max_examples) so they run in seconds."""

import re
import unicodedata
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from certificates.numbering import SERIAL_DIGITS, format_number
from courses import grading
from npv_site.accounts.validators import normalise_phone, validate_thai_name, validate_thai_phone
from npv_site.input_rules import THAI_DIGITS, is_invisible, parse_id, remove_invisible

FAST = settings(max_examples=60, deadline=None)

ASCII_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
# Thai consonants and vowels as names use them (no digits or symbols).
THAI_LETTERS = st.characters(min_codepoint=0x0E01, max_codepoint=0x0E4E).filter(
    lambda ch: unicodedata.category(ch) in ("Lo", "Mn") and ch not in "฿๏"
)
THAI_NAMES = st.text(THAI_LETTERS, min_size=1, max_size=30)
INVISIBLE = st.sampled_from(
    ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060", "\u200e", "\u200f", "\u202a", "\u00ad"]
)
MOBILE = st.from_regex(r"\A0[689][0-9]{8}\Z")
LANDLINE = st.from_regex(r"\A0[2-7][0-9]{7}\Z")


def _written(digits: str, separators: list[str]) -> str:
    """A phone as people write it: separators between some of the digits."""
    out = []
    for index, digit in enumerate(digits):
        out.append(digit)
        if index < len(separators) and index < len(digits) - 1:
            out.append(separators[index])
    return "".join(out)


SEPARATORS = st.lists(st.sampled_from(["", "", " ", "-"]), max_size=10)


# ---------------------------------------------------------------------------
# Phones
# ---------------------------------------------------------------------------


@FAST
@given(phone=st.one_of(MOBILE, LANDLINE), separators=SEPARATORS, thai=st.booleans())
def test_a_phone_written_with_spaces_dashes_or_thai_digits_reads_as_its_digits(
    phone, separators, thai
):
    written = _written(phone, separators)
    if thai:
        written = written.translate(ASCII_TO_THAI)
    assert normalise_phone(written) == phone
    validate_thai_phone(written)


@FAST
@given(phone=MOBILE, separators=SEPARATORS)
def test_the_country_code_form_is_the_same_number(phone, separators):
    assert normalise_phone("+66 " + _written(phone[1:], separators)) == phone
    assert normalise_phone(normalise_phone(phone)) == phone


@FAST
@given(
    phone=MOBILE,
    position=st.integers(min_value=0, max_value=9),
    intruder=st.characters(
        blacklist_categories=("Nd", "Cf", "Cs"), blacklist_characters=" -+\xa0"
    ).filter(lambda ch: not ch.isspace() or ch in "\t\n"),
)
def test_any_other_character_in_a_phone_is_refused_and_named(phone, position, intruder):
    typed = phone[:position] + intruder + phone[position:]
    with pytest.raises(ValidationError) as caught:
        normalise_phone(typed)
    message = caught.value.messages[0]
    assert message.startswith("เบอร์โทรศัพท์ไม่ถูกต้อง")
    assert intruder in message or f"U+{ord(intruder):04X}" in message


@FAST
@given(st.text(max_size=30))
def test_a_normalised_phone_is_only_ascii_digits_or_refused(text):
    try:
        digits = normalise_phone(text)
    except ValidationError:
        return
    assert digits == "" or (digits.isascii() and digits.isdigit())


# ---------------------------------------------------------------------------
# Names and invisible characters
# ---------------------------------------------------------------------------


@FAST
@given(name=THAI_NAMES, marks=st.lists(st.tuples(st.integers(0, 30), INVISIBLE), max_size=5))
def test_a_thai_name_with_invisible_characters_is_the_thai_name(name, marks):
    typed = name
    for position, mark in marks:
        typed = typed[:position] + mark + typed[position:]
    assert remove_invisible(typed) == name
    validate_thai_name(remove_invisible(typed))
    if marks:
        with pytest.raises(ValidationError, match="มองไม่เห็น"):
            validate_thai_name(typed)


@FAST
@given(st.text(max_size=40))
def test_remove_invisible_is_idempotent_and_keeps_every_visible_character(text):
    cleaned = remove_invisible(text)
    assert remove_invisible(cleaned) == cleaned
    assert not any(is_invisible(ch) for ch in cleaned)
    assert cleaned == "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


@FAST
@given(name=THAI_NAMES, latin=st.from_regex(r"\A[A-Za-z0-9@_]\Z"))
def test_a_name_with_a_non_thai_character_is_refused_naming_it(name, latin):
    with pytest.raises(ValidationError) as caught:
        validate_thai_name(name + latin)
    assert f"“{latin}”" in caught.value.messages[0]


@FAST
@given(st.integers(min_value=1, max_value=2**63 - 1), st.booleans())
def test_parse_id_reads_every_64_bit_id_and_nothing_in_thai_digits(number, thai):
    text = str(number)
    if thai:
        assert parse_id(text.translate(ASCII_TO_THAI)) is None
        assert parse_id(text.translate(ASCII_TO_THAI).translate(THAI_DIGITS)) == number
    else:
        assert parse_id(text) == number


# ---------------------------------------------------------------------------
# Grading
# ---------------------------------------------------------------------------


@st.composite
def questions(draw):
    kind = draw(st.sampled_from([grading.SINGLE, grading.MULTIPLE, grading.TRUE_FALSE]))
    count = 2 if kind == grading.TRUE_FALSE else draw(st.integers(2, 6))
    if kind == grading.MULTIPLE:
        correct = draw(st.sets(st.integers(0, count - 1), min_size=1))
    else:
        correct = {draw(st.integers(0, count - 1))}
    return {
        "id": draw(st.integers(1, 10_000)),
        "kind": kind,
        "multiple_scoring": draw(st.sampled_from([grading.PARTIAL, "all"])),
        "points": draw(st.integers(1, 5)),
        "choices": [{"id": i + 1, "is_correct": i in correct} for i in range(count)],
    }


@FAST
@given(question=questions(), ticked=st.sets(st.integers(1, 6)))
def test_a_question_scores_between_nothing_and_its_points(question, ticked):
    score = grading.score_question(question, ticked)
    assert Decimal(0) <= score <= Decimal(question["points"])
    right = grading.correct_choice_ids(question)
    assert grading.score_question(question, right) == question["points"]


@FAST
@given(
    pool=st.lists(questions(), min_size=1, max_size=6, unique_by=lambda q: q["id"]),
    pass_mark=st.integers(0, 100),
    data=st.data(),
)
def test_an_attempt_grade_is_a_percent_and_passes_by_the_mark(pool, pass_mark, data):
    answers = {
        str(q["id"]): sorted(data.draw(st.sets(st.integers(1, len(q["choices"])))))
        for q in pool
    }
    grade = grading.grade_answers(pool, answers, pass_mark)
    assert Decimal(0) <= grade.percent <= Decimal(100)
    assert grade.passed == (grade.percent >= pass_mark)
    assert grade.points <= grade.max_points
    perfect = {str(q["id"]): sorted(grading.correct_choice_ids(q)) for q in pool}
    assert grading.grade_answers(pool, perfect, pass_mark).percent == 100


@FAST
@given(
    method=st.sampled_from([grading.HIGHEST, grading.LAST, grading.FIRST, grading.AVERAGE]),
    percents=st.lists(
        st.decimals(min_value=0, max_value=100, places=2, allow_nan=False), min_size=1
    ),
)
def test_a_module_score_lies_within_its_attempts(method, percents):
    score = grading.module_score(method, percents)
    assert min(percents) <= score <= max(percents)


# ---------------------------------------------------------------------------
# Certificate numbers
# ---------------------------------------------------------------------------


@FAST
@given(
    prefix=st.from_regex(r"\A[A-Z]{2,5}\Z"),
    year=st.integers(2500, 2700),
    serials=st.tuples(st.integers(1, 10**SERIAL_DIGITS - 1), st.integers(1, 10**SERIAL_DIGITS - 1)),
)
def test_a_certificate_number_reads_back_and_sorts_as_its_serial(prefix, year, serials):
    first, second = (format_number(prefix, year, serial) for serial in serials)
    match = re.fullmatch(rf"{prefix}-(\d{{4}})-(\d{{{SERIAL_DIGITS}}})", first)
    assert match and int(match[1]) == year and int(match[2]) == serials[0]
    assert (first < second) == (serials[0] < serials[1])
