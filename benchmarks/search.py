"""Thai search benchmark: indexing time for the whole demo course, the first
query of a fresh process with and without the warm-up a web process does, and
query latency (p50/p95, overall and per query) over the demo queries of
tests/test_search_demo.py.

    .venv/bin/python benchmarks/search.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/search.py

Runs in a throwaway test database, like the tests. Baselines are measured in
the same run: the same pages indexed as unsegmented text (Wagtail's plain
behaviour) and the bare backend query for the same words, so that what the
segmentation, ranking and snippets cost shows beside them.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npv_site.settings.test")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from wagtail.search import index  # noqa: E402

from courses.search import fields, thai  # noqa: E402
from courses.searching import course_pages, search_course, suggest  # noqa: E402
from npv_site.demo.loader import DemoLoader  # noqa: E402
from tests.test_search_demo import FINDS_FIRST, FINDS_NOTHING  # noqa: E402

ROUNDS = 5


def timed(function, *args) -> float:
    start = time.perf_counter()
    function(*args)
    return (time.perf_counter() - start) * 1000


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def percentiles(samples: list[float]) -> str:
    median, worst = statistics.median(samples), max(samples)
    return f"p50 {median:6.1f} ms   p95 {p95(samples):6.1f} ms   max {worst:6.1f} ms"


def bare_search(words: str) -> None:
    list(course_pages().search(words)[:30])


def reindex(pages) -> None:
    for page in pages:
        index.insert_or_update_object(page)


def plain_text(pieces) -> str:
    return " ".join([pieces] if isinstance(pieces, str) else pieces)


# A fresh process on the benchmark's database: Django set up, then (if asked)
# the warm-up that importing the WSGI module does, then one search.
FRESH_PROCESS = """
import json, sys, time
sys.path.insert(0, {repo!r})
from django.conf import settings
settings.DATABASES["default"]["NAME"] = {database!r}
import django
django.setup()
start = time.perf_counter()
if {warm!r}:
    from courses.search.thai import warm_up
    warm_up()
warmed = time.perf_counter()
from courses.searching import search_course
search_course({query!r})
done = time.perf_counter()
print(json.dumps({{"warm": (warmed - start) * 1000, "first": (done - warmed) * 1000}}))
"""


def fresh_process(query: str, warm: bool) -> dict[str, float]:
    script = FRESH_PROCESS.format(
        repo=str(REPO), database=connection.settings_dict["NAME"], warm=warm, query=query
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=300
    )
    return json.loads(result.stdout.splitlines()[-1])


def first_queries(query: str) -> None:
    cold = [fresh_process(query, warm=False) for _ in range(3)]
    warmed = [fresh_process(query, warm=True) for _ in range(3)]
    print(
        f"first query in a fresh process ({query}), median of 3: "
        f"{statistics.median(r['first'] for r in cold):7.1f} ms without warm-up; "
        f"{statistics.median(r['first'] for r in warmed):7.1f} ms after the web process's "
        f"warm-up ({statistics.median(r['warm'] for r in warmed):.1f} ms, before any request)"
    )


def per_query(queries: list[str]) -> None:
    samples = {query: [timed(search_course, query) for _ in range(ROUNDS * 4)] for query in queries}
    slow = sorted(queries, key=lambda query: p95(samples[query]), reverse=True)
    over = [query for query in queries if p95(samples[query]) >= 20]
    print(f"per query ({ROUNDS * 4} rounds each): {len(over)} of {len(queries)} at p95 >= 20 ms")
    for query in slow[:5]:
        print(f"  {query:24} {percentiles(samples[query])}")


def main() -> None:
    queries = [query for query, _slug in FINDS_FIRST] + FINDS_NOTHING
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="npv-bench-media-")):
            print(f"database: {connection.vendor}, {len(queries)} queries, {ROUNDS} rounds")
            start_up = timed(thai.words, "ทดสอบ")
            print(f"segmenter start-up (dictionary), once per process: {start_up:7.1f} ms")
            print(f"load demo course (pages, images, index):  {timed(DemoLoader().load):7.1f} ms")

            pages = list(course_pages().specific())
            chars = sum(len(p) for page in pages for p in fields.field_text(page, "title"))
            chars += sum(
                len(piece)
                for page in pages
                for name in ("summary", "intro", "body")
                if hasattr(page, name)
                for piece in fields.field_text(page, name)
            )
            segmented = []
            for _ in range(3):
                fields._segmented.cache_clear()
                segmented.append(timed(reindex, pages))
            with mock.patch.object(fields, "index_text", plain_text):
                unsegmented = [timed(reindex, pages) for _ in range(3)]
            reindex(pages)
            print(
                f"index whole course ({len(pages)} pages, {chars} characters): "
                f"{statistics.median(segmented):7.1f} ms segmented, "
                f"{statistics.median(unsegmented):7.1f} ms unsegmented baseline"
            )

            cache.clear()
            cold = [timed(search_course, query) for query in queries]
            print(f"search_course, first pass (cold caches):  {percentiles(cold)}")
            warm = [timed(search_course, query) for _ in range(ROUNDS) for query in queries]
            print(f"search_course (page results, snippets):   {percentiles(warm)}")
            typed = [query[: max(2, len(query) * 2 // 3)] for query in queries]
            as_you_type = [timed(suggest, query) for _ in range(ROUNDS) for query in typed]
            print(f"suggest (as you type, 2/3 of each query): {percentiles(as_you_type)}")
            bare = [
                timed(bare_search, " ".join(thai.query_words(query)))
                for _ in range(ROUNDS)
                for query in queries
            ]
            print(f"baseline: bare backend search, same words: {percentiles(bare)}")
            per_query(queries)
            first_queries(queries[0])
            verdict = "met" if p95(warm) < 20 else "NOT met"
            print(f"target p95 < 20 ms: {verdict} ({p95(warm):.1f} ms)")
            print(f"load average: {os.getloadavg()[0]:.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
