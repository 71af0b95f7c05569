"""The grading rules on their own: no database, no HTTP."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from courses import grading
from courses.forms import question_setup_error


def question(kind="single", points=1, correct=(1,), ids=(1, 2, 3, 4), scoring="all", qid=10):
    return {
        "id": qid,
        "kind": kind,
        "text": "คำถาม",
        "points": points,
        "multiple_scoring": scoring,
        "explanation": "",
        "choices": [{"id": i, "text": f"ตัวเลือก {i}", "is_correct": i in correct} for i in ids],
    }


@pytest.mark.parametrize("kind", ["single", "true_false"])
@pytest.mark.parametrize(
    ("selected", "expected"),
    [([1], Decimal(2)), ([2], Decimal(0)), ([], Decimal(0)), ([1, 2], Decimal(0))],
)
def test_one_answer_questions_score_all_or_nothing(kind, selected, expected):
    ids = (1, 2) if kind == "true_false" else (1, 2, 3, 4)
    assert grading.score_question(question(kind, points=2, ids=ids), selected) == expected


@pytest.mark.parametrize(
    ("selected", "expected"),
    [([1, 3], Decimal(3)), ([1], Decimal(0)), ([1, 2, 3], Decimal(0)), ([], Decimal(0))],
)
def test_multiple_all_or_nothing_needs_exactly_the_correct_set(selected, expected):
    q = question("multiple", points=3, correct=(1, 3), scoring="all")
    assert grading.score_question(q, selected) == expected


@pytest.mark.parametrize(
    ("selected", "expected"),
    [
        ([1, 2, 3], Decimal("3.00")),  # every correct choice
        ([1, 2], Decimal("2.00")),  # two shares of three
        ([1], Decimal("1.00")),
        ([1, 2, 4], Decimal("1.00")),  # two right, one wrong
        ([1, 2, 3, 4], Decimal("2.00")),  # ticking everything costs a share
        ([4], Decimal("0")),  # never below zero
        ([], Decimal("0")),
    ],
)
def test_multiple_partial_credit_shares_and_penalties(selected, expected):
    q = question("multiple", points=3, correct=(1, 2, 3), scoring="partial")
    assert grading.score_question(q, selected) == expected


def test_partial_credit_rounds_to_two_places():
    q = question("multiple", points=1, correct=(1, 2, 3), scoring="partial")
    assert grading.score_question(q, [1]) == Decimal("0.33")


def test_ticking_every_box_of_a_partial_question_earns_nothing_when_half_are_wrong():
    q = question("multiple", points=4, correct=(1, 2), scoring="partial")
    assert grading.score_question(q, [1, 2, 3, 4]) == 0


def test_grade_answers_adds_points_and_passes_at_exactly_the_pass_mark():
    questions = [
        question(qid=1, points=3, correct=(1,)),
        question(qid=2, points=1, correct=(2,)),
        question("multiple", qid=3, points=2, correct=(1, 2), scoring="partial"),
    ]
    answers = {"1": [1], "2": [3], "3": [1]}  # 3 + 0 + 1 of 6
    grade = grading.grade_answers(questions, answers, pass_mark=66)
    assert (grade.points, grade.max_points, grade.percent) == (
        Decimal("4.00"),
        Decimal("6.00"),
        Decimal("66.67"),
    )
    assert grade.passed
    assert not grading.grade_answers(questions, answers, pass_mark=67).passed
    assert grade.results_json() == {
        "1": {"points": "3", "correct": True},
        "2": {"points": "0", "correct": False},
        "3": {"points": "1.00", "correct": False},
    }


def test_unanswered_questions_score_zero():
    questions = [question(qid=1), question(qid=2)]
    grade = grading.grade_answers(questions, {"1": [1]}, pass_mark=50)
    assert grade.percent == Decimal("50.00")
    assert grade.passed


def test_answers_to_questions_outside_the_snapshot_count_for_nothing():
    grade = grading.grade_answers([question(qid=1)], {"99": [1]}, pass_mark=50)
    assert grade.points == 0


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("highest", Decimal("90")),
        ("last", Decimal("40")),
        ("first", Decimal("60")),
        ("average", Decimal("63.33")),
    ],
)
def test_grading_methods_across_attempts(method, expected):
    percents = [Decimal("60"), Decimal("90"), Decimal("40")]
    assert grading.module_score(method, percents) == expected


def test_module_score_is_none_before_any_graded_attempt():
    assert grading.module_score("highest", []) is None


def test_time_limit_accepts_answers_until_deadline_plus_grace():
    deadline = datetime(2026, 1, 28, 10, 0, tzinfo=UTC)
    grace = timedelta(seconds=30)
    assert grading.accepts_answers(deadline + timedelta(seconds=30), deadline, grace)
    assert not grading.accepts_answers(deadline + timedelta(seconds=31), deadline, grace)
    assert grading.accepts_answers(deadline + timedelta(days=9), None, grace)
    assert grading.closes_at(deadline, grace) == deadline + grace


def test_attempt_limit_refuses_once_every_attempt_is_used():
    now = datetime(2026, 1, 28, 10, 0, tzinfo=UTC)
    refuse = grading.start_refusal(
        max_attempts=2, attempts_used=2, retry_delay=timedelta(0), last_finished_at=now, now=now
    )
    assert refuse.reason == "no_attempts_left"
    assert (
        grading.start_refusal(
            max_attempts=2, attempts_used=1, retry_delay=timedelta(0), last_finished_at=now, now=now
        )
        is None
    )


def test_zero_attempts_means_unlimited():
    now = datetime(2026, 1, 28, 10, 0, tzinfo=UTC)
    assert (
        grading.start_refusal(
            max_attempts=0,
            attempts_used=50,
            retry_delay=timedelta(0),
            last_finished_at=now,
            now=now,
        )
        is None
    )


def test_waiting_time_runs_from_the_end_of_the_previous_attempt():
    finished = datetime(2026, 1, 28, 10, 0, tzinfo=UTC)
    delay = timedelta(minutes=30)
    refuse = grading.start_refusal(
        max_attempts=0,
        attempts_used=1,
        retry_delay=delay,
        last_finished_at=finished,
        now=finished + timedelta(minutes=29),
    )
    assert refuse.reason == "waiting"
    assert refuse.retry_at == finished + delay
    assert (
        grading.start_refusal(
            max_attempts=0,
            attempts_used=1,
            retry_delay=delay,
            last_finished_at=finished,
            now=finished + delay,
        )
        is None
    )


@pytest.mark.parametrize(
    ("kind", "choices", "correct", "ok"),
    [
        ("single", 3, 1, True),
        ("single", 3, 2, False),
        ("single", 3, 0, False),
        ("multiple", 4, 1, True),
        ("multiple", 4, 3, True),
        ("multiple", 4, 0, False),
        ("true_false", 2, 1, True),
        ("true_false", 3, 1, False),
        ("true_false", 2, 2, False),
    ],
)
def test_question_setup_rules_for_trainers(kind, choices, correct, ok):
    assert (question_setup_error(kind, choices, correct) is None) is ok
