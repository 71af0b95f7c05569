"""What reading a hostile roster spreadsheet costs, beside a real roster.

    .venv/bin/python benchmarks/hostile_upload.py

For each file of tests/hostile_xlsx.py, and as the baseline the Chumphon
session roster (311 rows) as CSV and as XLSX, measured in the same run:
the outcome of `read_roster` (rows read, or the limit named in the refusal),
wall and processor time (median of 3), the growth of the peak resident set
while reading (each file is read in a forked child, so that one file's peak
does not hide the next one's) and the tracemalloc peak (a separate read,
since tracing slows it down). No database is needed.
"""

import io
import multiprocessing
import os
import resource
import statistics
import time
import tracemalloc

from _support import BASE_DIR, use_own_test_database

use_own_test_database("hostile")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402

CHUMPHON = BASE_DIR / "tests" / "data" / "cohort-chumphon-2019-01-28.csv"


def chumphon_xlsx() -> bytes:
    import csv

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with CHUMPHON.open(encoding="utf-8") as lines:
        for row in csv.reader(lines):
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def outcome(content: bytes, name: str) -> str:
    from npv_site.cohorts.roster import RosterFileError, read_roster

    try:
        return f"{len(read_roster(content, name).rows)} rows"
    except RosterFileError as error:
        text = str(error)
        # The limit's name, without the advice around it.
        return text.split(": ", 1)[-1].split(" กรุณา")[0]


def _peak_rss_growth(content: bytes, name: str, queue) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome(content, name)
    queue.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)


def peak_rss_growth_kb(content: bytes, name: str) -> int:
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_peak_rss_growth, args=(content, name, queue))
    child.start()
    growth = queue.get(timeout=600)
    child.join()
    return growth


def tracemalloc_peak(content: bytes, name: str) -> int:
    tracemalloc.start()
    try:
        outcome(content, name)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def timed(content: bytes, name: str) -> tuple[float, float, str]:
    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.thread_time()
        result = outcome(content, name)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.thread_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def main() -> None:
    from tests.hostile_xlsx import HOSTILE

    files = [
        ("baseline: Chumphon, 311 rows, CSV", CHUMPHON.read_bytes(), CHUMPHON.name),
        ("baseline: Chumphon, 311 rows, XLSX", chumphon_xlsx(), "chumphon.xlsx"),
    ] + [(label, make(), "roster.xlsx") for label, make in HOSTILE.items()]
    print(f"Reading roster files, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    header = (
        f"{'file':<52}{'size':>10}{'wall':>8}{'cpu':>8}{'RSS +':>10}{'traced':>10}  outcome"
    )
    print(header)
    print("-" * (len(header) + 40))
    for label, content, name in files:
        wall, cpu, result = timed(content, name)
        rss = peak_rss_growth_kb(content, name)
        traced = tracemalloc_peak(content, name)
        print(
            f"{label:<52}{len(content) / 1024:>8.1f}KB{wall:>7.2f}s{cpu:>7.2f}s"
            f"{rss / 1024:>8.1f}MB{traced / 1024 / 1024:>8.1f}MB  {result}"
        )


if __name__ == "__main__":
    main()
