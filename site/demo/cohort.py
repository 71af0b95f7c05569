"""The demo cohort: the Chumphon session's roster of 311 volunteers, trained by
the demo trainer, with a spread of progress through the demo course.

Everything goes through the functions real use goes through: the roster
import (npv_site.cohorts.importing), lessons read and quizzes taken, submitted
and graded (courses.progress, courses.attempts), and certificates issued and
rendered (certificates.lifecycle). Who does how much is drawn from a seeded
random generator, so every load makes the same spread. A volunteer who has
done anything in the course is left alone, so a second load changes nothing.

The timestamps are those of the load (the functions stamp "now"), so the
report reads as a session under way: the cohort runs from the load day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from certificates import lifecycle
from certificates.models import Certificate
from courses.attempts import grade_job, start_attempt, submit_attempt
from courses.models import (
    CoursePage,
    LessonCompletion,
    LessonPage,
    ModulePage,
    QuizAttempt,
)
from courses.progress import complete_lesson
from npv_site.cohorts.importing import import_roster
from npv_site.cohorts.models import CohortMembership, Province, RosterImport, TrainingCohort

ROSTER = Path(__file__).resolve().parent / "cohort" / "cohort-chumphon-2019-01-28.csv"
COHORT_NAME = "ชุมพร–ระนอง รุ่นตัวอย่าง"
COHORT_VENUE = "ศาลากลางจังหวัดชุมพร"
PROVINCES = ["ชุมพร", "ระนอง"]
SEED = 2562
# Of the 311: about one in five finished, three in ten part of the way, one
# in ten opened a lesson or two, the rest not started yet.
SHARES = {"finished": 0.20, "halfway": 0.30, "reading": 0.10}


@dataclass
class CohortLoad:
    cohort: TrainingCohort | None = None
    imported: int = 0
    progressed: dict[str, int] = field(default_factory=dict)
    certificates: int = 0
    rendered: int = 0


@dataclass(frozen=True)
class Plan:
    """What one volunteer has done: modules passed, lessons read in the next
    module, and whether a quiz was failed on the way."""

    modules_passed: int
    lessons_read_next: int
    fails: frozenset[int] = frozenset()


def _plans(count: int, module_count: int, rng: random.Random) -> list[tuple[str, Plan | None]]:
    kinds = []
    for kind, share in SHARES.items():
        kinds += [kind] * round(count * share)
    kinds += ["not_started"] * (count - len(kinds))
    rng.shuffle(kinds)
    plans = []
    for kind in kinds:
        # About one pass in four comes after a failed first attempt.
        fails = frozenset(m for m in range(module_count) if rng.random() < 0.25)
        if kind == "finished":
            plans.append((kind, Plan(module_count, 0, fails)))
        elif kind == "halfway":
            passed = rng.randint(1, module_count - 1)
            plans.append((kind, Plan(passed, rng.randint(0, 2), fails)))
        elif kind == "reading":
            plans.append((kind, Plan(0, rng.randint(1, 2))))
        else:
            plans.append((kind, None))
    return plans


def demo_cohort(trainer, course: CoursePage) -> TrainingCohort:
    cohort = TrainingCohort.objects.filter(name=COHORT_NAME).first()
    if cohort is None:
        today = timezone.localdate()
        cohort = TrainingCohort.objects.create(
            name=COHORT_NAME,
            venue=COHORT_VENUE,
            start_date=today,
            end_date=today + timedelta(days=30),
        )
        cohort.provinces.set(Province.objects.filter(name__in=PROVINCES))
    cohort.trainers.add(trainer)
    cohort.courses.add(course)
    return cohort


def _answers(attempt: QuizAttempt, *, pass_it: bool, rng: random.Random) -> dict:
    """Every answer right for a pass; for a fail, right on fewer than half."""
    answers = {}
    for index, question in enumerate(attempt.questions):
        right = [c["id"] for c in question["choices"] if c["is_correct"]]
        wrong = [c["id"] for c in question["choices"] if not c["is_correct"]]
        if pass_it or not wrong or index % 2:
            answers[str(question["id"])] = right if question["kind"] == "multiple" else right[:1]
        else:
            answers[str(question["id"])] = [rng.choice(wrong)]
    return answers


def _take_quiz(user, module: ModulePage, *, pass_it: bool, when, rng: random.Random) -> None:
    attempt = start_attempt(user, module, now=when, rng=rng)
    # The worker's grading, done here: hundreds of jobs sent to the worker
    # would only find themselves graded, behind a real volunteer's.
    attempt = submit_attempt(
        user,
        attempt.pk,
        _answers(attempt, pass_it=pass_it, rng=rng),
        now=when + timedelta(minutes=9),
        send_to_worker=False,
    )
    grade_job(attempt.grading_job.pk)


def _follow(user, plan: Plan, modules: list[tuple[ModulePage, list[LessonPage]]], rng, start):
    when = start
    for index, (module, lessons) in enumerate(modules):
        if index < plan.modules_passed:
            for lesson in lessons:
                complete_lesson(user, lesson)
            if index in plan.fails:
                _take_quiz(user, module, pass_it=False, when=when, rng=rng)
                when += timedelta(minutes=module.retry_delay_minutes + 30)
            _take_quiz(user, module, pass_it=True, when=when, rng=rng)
            when += timedelta(hours=rng.randint(2, 30))
        else:
            for lesson in lessons[: plan.lessons_read_next]:
                complete_lesson(user, lesson)
            return


def load_demo_cohort(trainer, course: CoursePage, *, render: bool = False) -> CohortLoad:
    """Import the roster into the demo cohort and play out its progress.
    Safe to re-run: an imported volunteer is not imported again, and one who
    has done anything in the course is not moved on."""
    report = CohortLoad()
    with transaction.atomic():
        cohort = report.cohort = demo_cohort(trainer, course)
        _check, outcome = import_roster(
            ROSTER.read_bytes(),
            ROSTER.name,
            cohort,
            mode=RosterImport.Mode.ALL_OR_NOTHING,
            imported_by=trainer,
        )
        report.imported = outcome.created + outcome.linked
        modules = [
            (module, list(LessonPage.objects.child_of(module).live().order_by("path")))
            for module in ModulePage.objects.child_of(course).live().order_by("path")
        ]
        # In roster order (the phone is the roster's key), so the draw is the
        # same on every machine.
        members = list(
            CohortMembership.objects.filter(cohort=cohort)
            .select_related("user")
            .order_by("roster_phone", "user_id")
        )
        rng = random.Random(SEED)
        plans = _plans(len(members), len(modules), rng)
        started = set(
            LessonCompletion.objects.filter(
                user__cohort_memberships__cohort=cohort, lesson__path__startswith=course.path
            ).values_list("user_id", flat=True)
        ) | set(
            QuizAttempt.objects.filter(
                user__cohort_memberships__cohort=cohort, module__path__startswith=course.path
            ).values_list("user_id", flat=True)
        )
        now = timezone.now()
        for membership, (kind, plan) in zip(members, plans, strict=True):
            if plan is None or membership.user_id in started:
                continue
            # Each volunteer's own generator: one volunteer's draw never shifts another's.
            own = random.Random(f"{SEED}-{membership.roster_phone}")
            start = now - timedelta(days=14, hours=own.randint(0, 48))
            _follow(membership.user, plan, modules, own, start)
            report.progressed[kind] = report.progressed.get(kind, 0) + 1

        # Issued here, so the numbers exist on the first visit. course_completed
        # still queues the worker's issue task after commit: it finds the
        # certificate issued and renders its PDF (62 renders would add some
        # 15 s to `make run` here; --render does them now).
        completed = course.enrolments.filter(
            completed_at__isnull=False, user__cohort_memberships__cohort=cohort
        ).values_list("user_id", flat=True)
        for user_id in completed:
            lifecycle.issue_certificate(user_id, course.pk)
    certificates = Certificate.objects.filter(
        course=course, user__cohort_memberships__cohort=cohort
    )
    report.certificates = certificates.count()
    if render:
        for version_id in certificates.filter(current_version__pdf="").values_list(
            "current_version_id", flat=True
        ):
            report.rendered += lifecycle.render_version(version_id)
    return report
