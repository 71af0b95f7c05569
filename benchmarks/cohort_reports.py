"""Cohort report speed at 311, 2,470 and 24,700 volunteers, in one run.

    .venv/bin/python benchmarks/cohort_reports.py     # SQLite (the default)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
        .venv/bin/python benchmarks/cohort_reports.py

Builds a throwaway database, imports the national roster (24,700 villages)
with the fast importer, gives the volunteers a four-module course's progress
in bulk (enrolments, module passes, a few graded attempts each, completions
and certificates), then makes cohorts of the first 311 and 2,470 of them.
For each size it times, as a trainer through the Django test client: the
progress report page, the whole streamed CSV, the questions page and the
village coverage page (each the median of 3), with their query counts, and
the XLSX as the Celery task builds it. The questions page keeps its figures
in the cache until a grade or the membership changes, so its median is a
kept page; the first, worked-out, one is printed beside it ("cold"), and the
CSV's time to its first row (after the header) beside its total. On PostgreSQL it runs VACUUM ANALYZE
after loading, as autovacuum would on a server. The baseline, measured in the
same run, is the admin's cohort list. Target: every page and the CSV under 1 s
(issue 16: the report, the CSV and the questions page worked out fresh under
0.3 s at 24,700). `--repeat N` times everything N times on the one database
and prints each national figure's min / median / max, beside the cohort list.
"""

import datetime
import os
import random
import statistics
import time
from decimal import Decimal

from _support import BASE_DIR, run_in_test_database, use_own_test_database

use_own_test_database("reports")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

NATIONAL = BASE_DIR / "tests" / "data" / "roster-24700.csv"
SIZES = (311, 2470, 24700)


def timed(function, repeat=3) -> tuple[float, int]:
    """Median seconds of `repeat` runs, and the queries of the last one."""
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        queries = len(captured)
    reset_queries()
    return statistics.median(times), queries


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=1, help="time everything N times on the one database"
    )
    global REPEAT
    REPEAT = parser.parse_args().repeat
    run_in_test_database(run)


REPEAT = 1


def build_national_cohort():
    from django.contrib.auth.models import Group

    from npv_site.cohorts.importing import import_roster
    from npv_site.cohorts.models import Province, RosterImport, TrainingCohort
    from tests.factories import UserFactory, build_course

    course = build_course(modules=4, lessons=1, questions=3)
    trainer = UserFactory(username="bench-trainer")
    trainer.groups.add(Group.objects.get(name="Trainers"))
    cohort = TrainingCohort.objects.create(
        name="national", start_date=datetime.date(2019, 1, 28), end_date=datetime.date(2019, 1, 30)
    )
    cohort.courses.add(course)
    cohort.trainers.add(trainer)
    cohort.provinces.set(Province.objects.all())
    start = time.perf_counter()
    _check, outcome = import_roster(
        NATIONAL.read_bytes(), NATIONAL.name, cohort, mode=RosterImport.Mode.GOOD_ROWS
    )
    print(f"Imported {outcome.created:,} volunteers in {time.perf_counter() - start:.1f} s")
    return course, trainer, cohort


def add_progress(course, cohort) -> None:
    """Everyone enrolled (the importer did that); of every ten volunteers,
    seven started, passing modules in turn; four completed, three certified."""
    from certificates.models import Certificate
    from courses.models import (
        AttemptStatus,
        Enrolment,
        ModuleCompletion,
        ModulePage,
        QuizAttempt,
        QuizQuestion,
    )
    from npv_site.cohorts.models import CohortMembership

    start = time.perf_counter()
    rng = random.Random(2562)
    modules = list(ModulePage.objects.child_of(course).order_by("path"))
    questions = {
        m.pk: list(QuizQuestion.objects.filter(module=m).values_list("pk", "text")) for m in modules
    }
    user_ids = list(
        CohortMembership.objects.filter(cohort=cohort)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    now = datetime.datetime(2019, 1, 29, 9, 0, tzinfo=datetime.UTC)
    passes, attempts, completed, certificates = [], [], [], []
    for index, user_id in enumerate(user_ids):
        stage = index % 10
        # Stages 0-1 not started, 2 failed module 1 once, 3-5 part-way, 6-9 done.
        passed_modules = (0, 0, 0, 1, 2, 3, 4, 4, 4, 4)[stage]
        tried_modules = 0 if stage < 2 else min(passed_modules + 1, len(modules))
        for position, module in enumerate(modules[:tried_modules]):
            tries = rng.choice((1, 1, 2, 3))
            passed_here = position < passed_modules
            for number in range(1, tries + 1):
                passing = passed_here and number == tries
                results = {
                    str(q): {"correct": passing or rng.random() < 0.5, "points": "1"}
                    for q, _text in questions[module.pk]
                }
                attempts.append(
                    QuizAttempt(
                        user_id=user_id,
                        module=module,
                        number=number,
                        status=AttemptStatus.GRADED,
                        pass_mark=70,
                        questions=[{"id": q, "text": t} for q, t in questions[module.pk]],
                        answers={str(q): [1] for q, _text in questions[module.pk]},
                        results=results,
                        score_percent=Decimal(100 if passing else rng.randint(0, 60)),
                        passed=passing,
                        submitted_at=now,
                        graded_at=now,
                    )
                )
            if passed_here:
                passes.append(ModuleCompletion(user_id=user_id, module=module, passed_at=now))
        if passed_modules == len(modules):
            completed.append(user_id)
            if stage >= 7:
                serial = len(certificates) + 1
                certificates.append(
                    Certificate(
                        user_id=user_id,
                        course=course,
                        code=f"B{serial:015d}",
                        number=f"NPV-2562-{serial:06d}",
                        year_be=2562,
                        serial=serial,
                        issued_on=now.date(),
                        issued_at=now,
                    )
                )
    QuizAttempt.objects.bulk_create(attempts, batch_size=2000)
    ModuleCompletion.objects.bulk_create(passes, batch_size=2000)
    Enrolment.objects.filter(course=course, user_id__in=completed).update(completed_at=now)
    Certificate.objects.bulk_create(certificates, batch_size=2000)
    print(
        f"Progress: {len(attempts):,} attempts, {len(passes):,} module passes, "
        f"{len(completed):,} completions, {len(certificates):,} certificates "
        f"in {time.perf_counter() - start:.1f} s"
    )


def smaller_cohort(national, size: int, trainer):
    from npv_site.cohorts.models import CohortMembership, TrainingCohort

    cohort = TrainingCohort.objects.create(
        name=f"first {size}", start_date=national.start_date, end_date=national.end_date
    )
    cohort.courses.set(national.courses.all())
    cohort.trainers.add(trainer)
    members = list(
        CohortMembership.objects.filter(cohort=national)
        .select_related("village")
        .order_by("pk")[:size]
    )
    CohortMembership.objects.bulk_create(
        [
            CohortMembership(cohort=cohort, user_id=m.user_id, village_id=m.village_id)
            for m in members
        ],
        batch_size=2000,
    )
    provinces = {m.village.province for m in members if m.village}
    cohort.provinces.set(national.provinces.filter(name__in=provinces))
    return cohort


def run(database: str) -> None:
    from django.test import Client

    print(f"Cohort reports on {connection.vendor} ({database}), {os.cpu_count()} CPUs, {load()}")
    course, trainer, national = build_national_cohort()
    add_progress(course, national)
    cohorts = {24700: national}
    for size in SIZES[:-1]:
        cohorts[size] = smaller_cohort(national, size, trainer)
    if connection.vendor == "postgresql":
        # What autovacuum does on a server soon after a bulk load: statistics
        # for the planner and the visibility map for index-only scans. This
        # machine's PostgreSQL runs with autovacuum off, and without it the
        # planner takes every table for a few dozen rows.
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"VACUUM ANALYZE in {time.perf_counter() - start:.1f} s")
    client = Client()
    client.force_login(trainer)

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        if response.streaming:
            return sum(len(chunk) for chunk in response.streaming_content)
        return len(response.content)

    def first_row(url) -> float:
        """Seconds until the streamed CSV's first volunteer row arrives."""
        start = time.perf_counter()
        chunks = iter(client.get(url).streaming_content)
        next(chunks)  # the byte-order mark
        next(chunks)  # the header and the first rows
        seconds = time.perf_counter() - start
        for _chunk in chunks:
            pass
        return seconds

    def cold(url) -> float:
        from django.core.cache import cache

        cache.clear()
        start = time.perf_counter()
        get(url)
        return time.perf_counter() - start

    national_figures: dict[str, list[float]] = {}
    for round_number in range(1, REPEAT + 1):
        if REPEAT > 1:
            print(f"Run {round_number} of {REPEAT}")
        for name, seconds in time_all(cohorts, course, trainer, get, first_row, cold).items():
            national_figures.setdefault(name, []).append(seconds)
    print("(each cell: median of 3 runs in ms / queries)")
    if REPEAT > 1:
        print(f"At 24,700 volunteers over {REPEAT} runs, min / median / max:")
        for name, values in national_figures.items():
            ms = sorted(1000 * v for v in values)
            ratios = [v / b for v, b in zip(values, national_figures["cohort list"], strict=True)]
            print(
                f"  {name:<22}{ms[0]:>6.0f} /{statistics.median(ms):>6.0f} /{ms[-1]:>6.0f} ms"
                f"   {min(ratios):.1f} / {statistics.median(ratios):.1f} / "
                f"{max(ratios):.1f}x the same run's cohort list"
            )


def time_all(cohorts, course, trainer, get, first_row, cold) -> dict[str, float]:
    """One round of every figure at every size; returns the national ones."""
    from npv_site.cohorts.exports import run_report_export
    from npv_site.cohorts.models import ReportExport

    national: dict[str, float] = {}
    baseline, baseline_queries = timed(lambda: get("/admin/cohorts/"))
    print(f"Baseline, the cohort list: {1000 * baseline:.0f} ms, {baseline_queries} queries")
    national["cohort list"] = baseline
    header = (
        f"{'volunteers':>10}{'report':>12}{'CSV':>12}{'questions':>12}{'villages':>12}"
        f"{'p.2 Chumphon':>14}{'XLSX task':>11}{'CSV 1st row':>12}{'q. cold':>9}"
        "  load (1, 5, 15 min)"
    )
    print(header)
    print("-" * len(header))
    for size in SIZES:
        cohort = cohorts[size]
        base = f"/admin/cohorts/{cohort.pk}/"
        figures = []
        for path in (
            "report/",
            "report.csv",
            "report/questions/",
            "report/villages/",
            "report/?province=ชุมพร&status=in_progress&p=2",
        ):
            seconds, queries = timed(lambda path=path, base=base: get(base + path))
            figures.append(f"{1000 * seconds:>6.0f}ms/{queries:<3}")
            if size == SIZES[-1] and path in NATIONAL_FIGURES:
                national[NATIONAL_FIGURES[path]] = seconds
        export = ReportExport.objects.create(
            cohort=cohort, course=course, requested_by=trainer, filters={}
        )
        start = time.perf_counter()
        run_report_export(export.pk)
        xlsx = time.perf_counter() - start
        first = statistics.median(first_row(base + "report.csv") for _ in range(3))
        questions_cold = cold(base + "report/questions/")
        if size == SIZES[-1]:
            national["questions, fresh"] = questions_cold
        print(
            f"{size:>10,}  "
            + "  ".join(figures)
            + f"{xlsx:>9.2f}s{1000 * first:>10.0f}ms{1000 * questions_cold:>7.0f}ms  {load()}"
        )
    return national


# The national figures the repeated runs summarise, by path.
NATIONAL_FIGURES = {
    "report/": "report page",
    "report.csv": "CSV",
    "report/questions/": "questions, cached",
}


if __name__ == "__main__":
    main()
