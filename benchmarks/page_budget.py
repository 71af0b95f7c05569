"""Page budget on a village phone: prints figures, asserts nothing.

    .venv/bin/python benchmarks/page_budget.py [--requests 50] [--verbose]

Loads the home, course, lesson and quiz pages of the demo course in headless
Chromium (/usr/bin/chromium) with the network throttled to 400 kbit/s and a
400 ms round trip, the CPU 4× slower, and prints for each: bytes
transferred, requests, first contentful paint and load time, on a first
visit (empty cache) and a repeat visit (same browser, page opened again).

The site runs as deployed: gunicorn (site/gunicorn.conf.py, one worker)
under production settings with WhiteNoise serving the collected static
files, on a throwaway SQLite database holding the demo course and one
signed-in volunteer with an open quiz. Media (lesson pictures) are served
beside it with a month's caching, as nginx does in docs/deploying.md.

Also printed: server time (HTTP round trip on this machine, p50 and p95 of
--requests requests after a warm-up) for the same pages, and the number of
database queries per page at two course sizes (in a throwaway test
database): the counts must not grow with the number of lessons or questions.

Targets (issue 7): first load under 300 KB and 15 requests, repeat visit
under 50 KB, first contentful paint under 3 s on that link, server p50
under 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import BASE_DIR, production_env, stop_process

BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("NPV_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# 400 kbit/s each way, 400 ms from request to response headers, CPU 4× slower.
NETWORK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
CPU_SLOWDOWN = 4
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
TARGET_FIRST_BYTES = 300 * 1024
TARGET_REQUESTS = 15
TARGET_REPEAT_BYTES = 50 * 1024
TARGET_FCP_MS = 3000
TARGET_SERVER_MS = 50
PAGES = ("home", "course", "lesson", "quiz")


# -- Run by gunicorn: the site plus media, as nginx would serve them -----------

_application = None


def application(environ, start_response):
    global _application
    if _application is None:
        from django.conf import settings
        from whitenoise import WhiteNoise

        from npv_site.wsgi import application as site

        # Renditions appear as pages are first rendered: look on every request.
        _application = WhiteNoise(
            site, root=settings.MEDIA_ROOT, prefix=settings.MEDIA_URL,
            max_age=30 * 24 * 3600, autorefresh=True,
        )
    return _application(environ, start_response)


# -- Run under production settings: the volunteer, the quiz and a session --------


def prepare() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
        load_backend,
    )
    from django.contrib.sessions.backends.cached_db import SessionStore
    from django.templatetags.static import static
    from django.urls import reverse

    from courses.attempts import start_attempt
    from courses.models import CoursePage, LessonPage, ModulePage
    from courses.progress import complete_lesson, enrol
    from courses.views.quiz import status_token
    from npv_site.accounts.models import VolunteerProfile

    course = CoursePage.objects.get(slug="net-asa-pracharat")
    module = ModulePage.objects.child_of(course).order_by("path").first()
    lessons = list(LessonPage.objects.child_of(module).order_by("path"))
    user = get_user_model().objects.create_user("bench-volunteer", password=None)
    VolunteerProfile.objects.create(
        user=user, title="นาง", first_name="สมหญิง", last_name="รักถิ่น", phone="0812345678",
        province="ชุมพร", district="เมืองชุมพร", subdistrict="หาดพันไกร", village_no=2,
        village_name="บ้านหาดกลาง",
    )
    enrol(user, course)
    # The demo course asks for every lesson of a module before its quiz.
    for lesson in lessons:
        complete_lesson(user, lesson)
    attempt = start_attempt(user, module)
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = backend
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(
        json.dumps(
            {
                "cookie": {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key},
                "urls": {
                    "home": "/",
                    "course": course.url,
                    # The first lesson: two pictures, a video poster, callouts.
                    "lesson": lessons[0].url,
                    "quiz": f"/learn/quiz/{attempt.pk}/",
                },
                # Baselines for the server times, measured in the same run.
                "baselines": {
                    "static file (WhiteNoise, no view)": static("css/site.css"),
                    "grade poll (1 query, no template)": reverse(
                        "courses:quiz_attempt_status", args=[status_token(attempt)]
                    ),
                },
            }
        )
    )


# -- Run under test settings: queries per page at two course sizes ----------------

SIZES = {"small": (2, 2, 3), "large": (6, 10, 30)}  # modules, lessons each, questions each


def count_queries() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "npv_site.settings.test"
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from courses import attempts
    from courses.models import CourseIndexPage, LessonPage, ModulePage
    from courses.progress import complete_lesson, enrol
    from tests.factories import VolunteerProfileFactory, build_course
    from tests.quiz_helpers import answers

    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    media = tempfile.mkdtemp(prefix="npv-bench-media-")
    counts: dict[str, dict[str, int]] = {}
    try:
        with override_settings(MEDIA_ROOT=media):
            for size, (modules, lessons, questions) in SIZES.items():
                course = build_course(
                    modules=modules, lessons=lessons, questions=questions,
                    parent=CourseIndexPage.objects.first(),
                )
                module_pages = list(ModulePage.objects.child_of(course).order_by("path"))
                last = module_pages[-1]
                user = VolunteerProfileFactory().user
                enrol(user, course)
                for lesson in LessonPage.objects.descendant_of(course)[: lessons + 1]:
                    complete_lesson(user, lesson)
                graded = attempts.start_attempt(user, module_pages[0])
                attempts.submit_attempt(user, graded.pk, answers(graded, right=1))
                attempts.grade_job(graded.grading_job.pk)
                open_attempt = attempts.start_attempt(user, last)
                client = Client()
                client.force_login(user)
                urls = {
                    "home": "/",
                    "course": course.url,
                    "module": last.url,
                    "lesson": LessonPage.objects.child_of(last).order_by("path").last().url,
                    "quiz": f"/learn/quiz/{open_attempt.pk}/",
                    "result": f"/learn/quiz/{graded.pk}/",
                    "my learning": "/learn/",
                }
                counts[size] = {}
                for name, url in urls.items():
                    client.get(url)  # warm-up: site root, content types
                    with CaptureQueriesContext(connection) as queries:
                        response = client.get(url)
                    assert response.status_code == 200, (name, url, response.status_code)
                    counts[size][name] = len(queries)
    finally:
        shutil.rmtree(media, ignore_errors=True)
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    print(json.dumps(counts))


# -- The orchestra ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(command: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def get(port: int, path: str, cookie: str = "") -> tuple[int, bytes, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Accept-Language": "th"})
        response = connection.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        connection.close()


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "-c", "site/gunicorn.conf.py", "page_budget:application"],
        cwd=BASE_DIR, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()}")
        try:
            if get(port, "/")[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    stop_process(process)
    raise SystemExit(f"gunicorn did not answer:\n{log.read_text()}")


def server_times(port: int, urls: dict[str, str], cookie: str, rounds: int) -> dict:
    """p50 and p95 in ms per page, signed in, after five warm-up requests."""
    results = {}
    for name, url in urls.items():
        for _ in range(5):
            status, _body, _headers = get(port, url, cookie)
            assert status == 200, (name, url, status)
        samples = []
        for _ in range(rounds):
            start = time.perf_counter()
            get(port, url, cookie)
            samples.append((time.perf_counter() - start) * 1000)
        results[name] = (
            statistics.median(samples),
            statistics.quantiles(samples, n=20, method="inclusive")[18],
        )
    return results


class Visit:
    """What one page load cost, from Chromium's own network events."""

    def __init__(self, cdp):
        self.cdp = cdp
        self.requests: dict[str, dict] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", self._cached)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event):
        if not event["request"]["url"].startswith("data:"):
            self.requests.setdefault(
                event["requestId"],
                {"url": event["request"]["url"], "bytes": 0, "cached": False, "status": None},
            )

    def _cached(self, event):
        if event["requestId"] in self.requests:
            self.requests[event["requestId"]]["cached"] = True

    def _response(self, event):
        if event["requestId"] in self.requests:
            response = event["response"]
            self.requests[event["requestId"]]["status"] = response["status"]
            if response.get("fromDiskCache") or response.get("fromMemoryCache"):
                self.requests[event["requestId"]]["cached"] = True

    def _finished(self, event):
        if event["requestId"] in self.requests:
            self.requests[event["requestId"]]["bytes"] = event["encodedDataLength"]

    def reset(self):
        self.requests = {}

    @property
    def transferred(self) -> int:
        return sum(r["bytes"] for r in self.requests.values() if not r["cached"])

    @property
    def from_network(self) -> int:
        return sum(1 for r in self.requests.values() if not r["cached"])


def load(page, visit: Visit, url: str) -> dict:
    visit.reset()
    page.goto(url, wait_until="load")
    # Lazy pictures near the fold start after "load": let the network settle.
    page.wait_for_load_state("networkidle")
    timing = page.evaluate(
        """() => {
             const paint = performance.getEntriesByName("first-contentful-paint")[0];
             const nav = performance.getEntriesByType("navigation")[0];
             return {fcp: paint ? paint.startTime : null, load: nav.loadEventEnd};
           }"""
    )
    failed = [r["url"] for r in visit.requests.values() if r["status"] and r["status"] >= 400]
    return {
        "bytes": visit.transferred,
        "requests": len(visit.requests),
        "network": visit.from_network,
        "fcp": timing["fcp"],
        "load": timing["load"],
        "failed": failed,
        "largest": sorted(
            ((r["bytes"], r["url"]) for r in visit.requests.values() if not r["cached"]),
            reverse=True,
        )[:4],
        "all": [
            (r["url"], r["status"], r["bytes"], r["cached"]) for r in visit.requests.values()
        ],
    }


def browser_figures(port: int, urls: dict[str, str], cookie: dict) -> dict:
    from playwright.sync_api import sync_playwright

    figures = {}
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, url in urls.items():
            context = browser.new_context(
                base_url=base, locale="th-TH", timezone_id="Asia/Bangkok", **PHONE
            )
            # The cookie is Secure (production) and this link is plain HTTP.
            context.add_cookies(
                [{"name": cookie["name"], "value": cookie["value"], "url": base}]
            )
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", NETWORK)
            cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
            visit = Visit(cdp)
            first = load(page, visit, url)
            # A later visit: a link from elsewhere, the page opened again.
            page.goto("about:blank")
            repeat = load(page, visit, url)
            figures[name] = {"first": first, "repeat": repeat}
            context.close()
        browser.close()
    return figures


def mark(ok: bool) -> str:
    return "ok" if ok else "OVER"


def report(
    figures: dict,
    times: dict,
    anonymous: dict,
    baselines: dict,
    load: tuple,
    queries: dict,
    verbose: bool,
) -> None:
    kb = 1024
    print()
    print("Slow 3G (400 kbit/s, 400 ms RTT), CPU 4× slower, 360×740 phone, signed in")
    print(f"{'page':<8} {'visit':<7} {'KB':>7} {'requests':>9} {'from net':>9} "
          f"{'FCP ms':>8} {'load ms':>8}   targets")
    for name, visits in figures.items():
        for kind, row in visits.items():
            if kind == "first":
                verdict = (
                    f"{mark(row['bytes'] < TARGET_FIRST_BYTES)} <300 KB, "
                    f"{mark(row['requests'] < TARGET_REQUESTS)} <15 req, "
                    f"{mark((row['fcp'] or 1e9) < TARGET_FCP_MS)} FCP<3 s"
                )
            else:
                verdict = f"{mark(row['bytes'] < TARGET_REPEAT_BYTES)} <50 KB"
            fcp = f"{row['fcp']:.0f}" if row["fcp"] is not None else "-"
            print(
                f"{name:<8} {kind:<7} {row['bytes'] / kb:7.1f} {row['requests']:9d} "
                f"{row['network']:9d} {fcp:>8} {row['load']:8.0f}   {verdict}"
            )
            if row["failed"]:
                print(f"         failed: {row['failed']}")
    if verbose:
        print()
        for name, visits in figures.items():
            for kind, row in visits.items():
                print(f"{name} {kind}:")
                for url, status, size, cached in row["all"]:
                    print(f"    {status} {size:>7} B {'cache' if cached else 'net  '} {url}")
    print()
    print("Largest transfers on first visit (bytes, URL):")
    for name, visits in figures.items():
        largest = ", ".join(
            f"{size // kb} KB {url.split('/')[-1] or url}"
            for size, url in visits["first"]["largest"]
        )
        print(f"  {name:<8} {largest}")
    print()
    print("Server time, gunicorn on this machine (HTTP round trip), warm; load average "
          + " → ".join("/".join(f"{value:.2f}" for value in averages) for averages in load))
    print(f"{'page':<8} {'signed in p50':>14} {'p95':>7} {'anonymous p50':>15} {'p95':>7}   target")
    for name, (p50, p95) in times.items():
        anon = anonymous.get(name)
        anon_text = f"{anon[0]:15.1f} {anon[1]:7.1f}" if anon else f"{'-':>15} {'-':>7}"
        verdict = f"{mark(p50 < TARGET_SERVER_MS)} p50<50 ms"
        print(f"{name:<8} {p50:14.1f} {p95:7.1f} {anon_text}   {verdict}")
    print("Baselines on the same server, same run:")
    for name, (p50, p95) in baselines.items():
        print(f"  {name:<36} p50 {p50:6.1f}   p95 {p95:6.1f}")
    print()
    sizes = list(queries)
    header = " ".join(
        f"{size + ' ' + str(SIZES[size]):>20}" for size in sizes
    )
    print("Database queries per page, signed in (course size = modules, lessons, questions)")
    print(f"{'page':<12} {header}   grows?")
    for name in queries[sizes[0]]:
        row = [queries[size][name] for size in sizes]
        cells = " ".join(f"{count:>20d}" for count in row)
        print(f"{name:<12} {cells}   {'GROWS' if len(set(row)) > 1 else 'no'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--queries", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--verbose", action="store_true", help="list every request of each visit")
    options = parser.parse_args()
    if options.prepare:
        return prepare()
    if options.queries:
        return count_queries()

    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium not found at {CHROMIUM}")
    query_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "NPV_TEST"))},
        # Nothing the throwaway grading sends may reach a real queue.
        "CELERY_BROKER_URL": "memory://",
    }
    print("Counting queries at two course sizes …", flush=True)
    queries = json.loads(run([sys.executable, __file__, "--queries"], query_env).splitlines()[-1])

    folder = Path(tempfile.mkdtemp(prefix="npv-page-budget-"))
    port = free_port()
    # One gunicorn worker: its memory is the cache, no server needed.
    env = production_env(
        folder,
        port,
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", "locmemcache://"),
        WEB_CONCURRENCY="1",
    )
    process = None
    try:
        print("Preparing: collectstatic, migrate, demo course, a volunteer …", flush=True)
        manage = [sys.executable, "manage.py"]
        run([*manage, "collectstatic", "--noinput", "-v", "0"], env)
        run([*manage, "migrate", "--noinput", "-v", "0"], env)
        run([*manage, "load_demo_course", "--no-accounts"], env)
        prepared = json.loads(run([sys.executable, __file__, "--prepare"], env).splitlines()[-1])
        urls, cookie = prepared["urls"], prepared["cookie"]
        process = start_gunicorn(env, port, folder / "gunicorn.log")
        cookie_header = f"{cookie['name']}={cookie['value']}"
        print(f"Timing {options.requests} requests per page …", flush=True)
        # Timings on a shared 2-core machine mean little without the load beside them.
        load_before = os.getloadavg()
        times = server_times(port, urls, cookie_header, options.requests)
        anonymous = server_times(
            port, {k: v for k, v in urls.items() if k != "quiz"}, "", options.requests
        )
        baselines = server_times(port, prepared["baselines"], "", options.requests)
        load = (load_before, os.getloadavg())
        print("Loading pages in throttled Chromium …", flush=True)
        figures = browser_figures(port, urls, cookie)
        status, _body, headers = get(port, "/", cookie_header)
        print(f"(home page Cache-Control: {headers.get('Cache-Control', '-')})")
    finally:
        if process is not None:
            stop_process(process)
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept {folder}")
    report(figures, times, anonymous, baselines, load, queries, options.verbose)


if __name__ == "__main__":
    main()
