"""Grading rules, as plain functions over an attempt's snapshot.

No database access here: the grading task, the inline baseline of the
benchmark and the tests all call these the same way.

Multiple-choice partial credit (the trainer's "partial" option): every correct
choice ticked earns an equal share of the question's points, every wrong
choice ticked takes one share away, and a question never scores below zero.
So ticking every box earns nothing unless every choice is correct.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
PARTIAL = "partial"

HIGHEST = "highest"
LAST = "last"
FIRST = "first"
AVERAGE = "average"

TWO_PLACES = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def correct_choice_ids(question: Mapping) -> set[int]:
    return {choice["id"] for choice in question["choices"] if choice["is_correct"]}


def score_question(question: Mapping, selected: Iterable[int]) -> Decimal:
    """Points earned on one question of the snapshot for the choices ticked."""
    points = Decimal(question["points"])
    selected = set(selected)
    correct = correct_choice_ids(question)
    if question["kind"] in (SINGLE, TRUE_FALSE):
        return points if len(selected) == 1 and selected == correct else Decimal(0)
    if question.get("multiple_scoring") != PARTIAL:
        return points if selected == correct else Decimal(0)
    if not correct:
        return Decimal(0)
    all_ids = {choice["id"] for choice in question["choices"]}
    share = points / len(correct)
    hits = len(selected & correct)
    misses = len(selected & (all_ids - correct))
    return _round(max(Decimal(0), share * (hits - misses)))


@dataclass
class QuestionResult:
    question_id: int
    points: Decimal
    max_points: Decimal

    @property
    def correct(self) -> bool:
        return self.points == self.max_points

    @property
    def partly_correct(self) -> bool:
        return Decimal(0) < self.points < self.max_points


@dataclass
class AttemptGrade:
    points: Decimal
    max_points: Decimal
    percent: Decimal
    passed: bool
    questions: list[QuestionResult] = field(default_factory=list)

    def results_json(self) -> dict:
        """Per-question results as stored on the attempt."""
        return {
            str(result.question_id): {"points": str(result.points), "correct": result.correct}
            for result in self.questions
        }


def percent_of(points: Decimal, max_points: Decimal) -> Decimal:
    if not max_points:
        return Decimal(0)
    return _round(Decimal(100) * points / max_points)


def grade_answers(
    questions: Sequence[Mapping], answers: Mapping[str, Sequence[int]], pass_mark: int
) -> AttemptGrade:
    """Grade a whole attempt: the snapshot, the saved answers (keyed by question
    id as a string, as JSON stores them) and the pass mark in percent.
    An unanswered question scores zero."""
    results = [
        QuestionResult(
            question_id=question["id"],
            points=score_question(question, answers.get(str(question["id"]), ())),
            max_points=Decimal(question["points"]),
        )
        for question in questions
    ]
    points = sum((r.points for r in results), Decimal(0))
    max_points = sum((r.max_points for r in results), Decimal(0))
    percent = percent_of(points, max_points)
    return AttemptGrade(
        points=_round(points),
        max_points=_round(max_points),
        percent=percent,
        passed=percent >= pass_mark,
        questions=results,
    )


def module_score(method: str, percents: Sequence[Decimal]) -> Decimal | None:
    """The module's score from its graded attempts, oldest first, by the
    trainer's grading method. None before any attempt is graded."""
    if not percents:
        return None
    if method == LAST:
        return percents[-1]
    if method == FIRST:
        return percents[0]
    if method == AVERAGE:
        return _round(sum(percents, Decimal(0)) / len(percents))
    return max(percents)


def closes_at(deadline: datetime | None, grace: timedelta) -> datetime | None:
    """When an attempt with a time limit stops accepting answers: its deadline
    plus a grace period for answers still on their way over a slow link."""
    return None if deadline is None else deadline + grace


def accepts_answers(now: datetime, deadline: datetime | None, grace: timedelta) -> bool:
    closing = closes_at(deadline, grace)
    return closing is None or now <= closing


@dataclass
class StartRefusal:
    reason: str  # "no_attempts_left" or "waiting"
    retry_at: datetime | None = None


def start_refusal(
    *,
    max_attempts: int,
    attempts_used: int,
    retry_delay: timedelta,
    last_finished_at: datetime | None,
    now: datetime,
) -> StartRefusal | None:
    """Why a volunteer may not start another attempt now, or None.
    `max_attempts` 0 means unlimited; the waiting time runs from the end of
    the previous attempt."""
    if max_attempts and attempts_used >= max_attempts:
        return StartRefusal("no_attempts_left")
    if retry_delay and last_finished_at is not None and now < last_finished_at + retry_delay:
        return StartRefusal("waiting", retry_at=last_finished_at + retry_delay)
    return None
