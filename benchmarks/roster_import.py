"""Roster import speed at 311, 2,470 and 24,700 volunteers, in one run.

    .venv/bin/python benchmarks/roster_import.py     # SQLite (the default)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
        .venv/bin/python benchmarks/roster_import.py

Builds a throwaway database, then for each size times, on an empty database:
the preview (read and check every row), the import as the Celery task runs
it (`run_roster_import`: check again and write in one transaction), and a
re-import of the same file (which writes nothing). The baseline, measured in
the same run, is reading the file with the csv module alone. Each size is
rolled back before the next.
"""

import csv
import datetime
import io
import os
import statistics
import time
from pathlib import Path

from _support import BASE_DIR, run_in_test_database, use_own_test_database

use_own_test_database("roster")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

DATA = BASE_DIR / "tests" / "data"
CHUMPHON = DATA / "cohort-chumphon-2019-01-28.csv"
NATIONAL = DATA / "roster-24700.csv"


def first_rows(path: Path, count: int) -> bytes:
    lines = path.read_bytes().splitlines(keepends=True)
    return b"".join(lines[: count + 1])


def seconds(function, repeat=1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    run_in_test_database(run)


def run(database: str) -> None:
    from npv_site.cohorts.importing import run_roster_import
    from npv_site.cohorts.models import RosterImport, TrainingCohort
    from npv_site.cohorts.roster import check_roster, read_roster
    from tests.factories import build_course

    sizes = [
        ("Chumphon session", CHUMPHON.read_bytes(), CHUMPHON.name),
        ("national, first 2,470", first_rows(NATIONAL, 2470), "roster-2470.csv"),
        ("national", NATIONAL.read_bytes(), NATIONAL.name),
    ]
    print(f"Roster import on {connection.vendor} ({database}), {os.cpu_count()} CPUs")
    header = (
        f"{'roster':<24}{'rows':>7}{'csv only':>10}{'preview':>9}"
        f"{'import':>10}{'µs/row':>8}{'re-import':>11}{'vs csv':>8}"
    )
    print(header)
    print("-" * len(header))
    for label, content, file_name in sizes:
        with transaction.atomic():
            course = build_course(modules=4, lessons=1, questions=0)
            cohort = TrainingCohort.objects.create(
                name=label,
                start_date=datetime.date(2019, 1, 28),
                end_date=datetime.date(2019, 1, 30),
            )
            cohort.courses.add(course)
            rows = len(read_roster(content, file_name).rows)
            baseline = seconds(
                lambda content=content: list(csv.reader(io.StringIO(content.decode("utf-8")))), 3
            )
            preview = seconds(
                lambda content=content, name=file_name, cohort=cohort: check_roster(
                    read_roster(content, name), cohort
                )
            )

            def task(content=content, name=file_name, cohort=cohort):
                roster_import = RosterImport.objects.create(
                    cohort=cohort,
                    file_name=name,
                    file_size=len(content),
                    sha256="-",
                    content=content,
                    status=RosterImport.Status.QUEUED,
                    mode=RosterImport.Mode.GOOD_ROWS,
                )
                run_roster_import(roster_import.pk)
                roster_import.refresh_from_db()
                return roster_import

            start = time.perf_counter()
            first = task()
            import_seconds = time.perf_counter() - start
            start = time.perf_counter()
            again = task()
            reimport_seconds = time.perf_counter() - start
            assert first.created_count == rows, first.message
            assert again.created_count == 0 and again.unchanged_count == rows
            print(
                f"{label:<24}{rows:>7,}{1000 * baseline:>8.1f}ms{preview:>8.2f}s"
                f"{import_seconds:>9.2f}s{1e6 * import_seconds / rows:>8.0f}"
                f"{reimport_seconds:>10.2f}s{import_seconds / baseline:>7.0f}×"
            )
            transaction.set_rollback(True)


if __name__ == "__main__":
    main()
