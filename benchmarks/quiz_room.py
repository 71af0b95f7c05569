"""Quiz room benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/quiz_room.py [--volunteers 311] [--questions 10] [--repeat 3]

One training room replayed over HTTP against gunicorn (site/gunicorn.conf.py,
production settings) on PostgreSQL and Redis. Each volunteer has started the
quiz beforehand; then each submits a 10-question quiz as the page's script
does (courses/static/courses/js/quiz.js: the form posted asking for JSON, the page staying
where it is), polls the status URL on the schedule the server's answer gives,
as the script does, and loads the result page once graded. So the polling
load is part of the measurement. Every run is the room's first go (earlier
attempts and passes are deleted first), so runs do the same work.

Two shapes: arrivals spread evenly over 10 seconds, and all at once. Two
ways of grading, in the same run: by a Celery worker (how the site works)
and, as the baseline, inline in the submitting request (gunicorn's
application wrapped so that the grading job is graded right after commit
instead of being sent).

Printed per run: from submission to grade visible on the page, p50, p95 and
max; the time until the whole room is graded (last grade written, counted
from the first submission); the p95 of the request that accepts a
submission; errors; the server's CPU per volunteer (gunicorn and the Celery
worker with all their processes; PostgreSQL and Redis not counted), and the
same in units of two fixed baselines measured against the same gunicorn in
the same run: the one-query grade poll and a bare Django view, both served
without the site's middleware, so nothing the site changes moves them and
machines can be compared by the ratios. `--repeat N` makes N whole runs in
a row (fresh gunicorn and worker each) and prints min / median / max.
`--profile DIR` samples gunicorn and the worker with py-spy (not one of the
requirements: `.venv/bin/pip install py-spy`) into folded-stack files.

Uses a throwaway PostgreSQL database (BENCH_DATABASE_URL's server, default
postgres://postgres@127.0.0.1:5432/test) and Redis database 11
(BENCH_REDIS_URL), which it empties at the start and the end.

Targets (issue 16, 2-core machine), in every one of three runs in a row:
spread arrivals p95 under 1 s and the accepting request under 100 ms at
p95; the all-at-once room fully graded in under 6 s and the volunteers' p95
under 8 s, with no error; server CPU per volunteer half of what it was in
baseline units, and grading through Celery within 1.15x the CPU of inline.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from _support import BASE_DIR, percentile, production_env, stop_process

BIN = Path(sys.executable).parent
PORT = int(os.environ.get("BENCH_PORT", "8791"))
MODULE_URL = "/courses/bench/m1/"
# site/gunicorn.conf.py's default: two per core plus one sync workers.
WEB_WORKERS = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) * 2 + 1))
DEFAULT_WEB = [f"sync:{WEB_WORKERS}", "gthread:3x4"]


@dataclass(frozen=True)
class WebConfig:
    """gunicorn's worker class, processes and threads per process, from
    "sync:5" or "gthread:3x4"."""

    worker_class: str
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, text: str) -> WebConfig:
        worker_class, _, size = text.partition(":")
        workers, _, threads = size.partition("x")
        return cls(worker_class, int(workers), int(threads or 1))

    def env(self) -> dict[str, str]:
        return {
            "GUNICORN_WORKER_CLASS": self.worker_class,
            "WEB_CONCURRENCY": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
        }

    def __str__(self) -> str:
        threads = f" x {self.threads} threads" if self.threads > 1 else ""
        return f"{self.worker_class} {self.workers}{threads}"


# -- What gunicorn loads: the site, the inline-grading baseline, the yardsticks --

BASELINE_PREFIX = "/__bench/"
_applications: dict[str, object] = {}


def _load(inline: bool):
    """The site's WSGI application (with the grading job graded inside the
    request when `inline`), and the handler of the fixed yardsticks."""
    from npv_site.wsgi import application

    # Only now that npv_site.wsgi has set Django up.
    return _with_yardsticks(application, inline)


def _with_yardsticks(application, inline: bool):
    from django.core.handlers.exception import convert_exception_to_response
    from django.core.handlers.wsgi import WSGIHandler
    from django.http import HttpResponse, JsonResponse
    from django.urls import path

    from courses import attempts
    from courses.models import QuizAttempt
    from npv_site import urls

    if inline:
        attempts.send_grading_job = attempts.grade_job

    def bare(request):
        return HttpResponse("ok", content_type="text/plain")

    def poll(request, attempt_id: int):
        # What the grade poll does at its least: one query, a small JSON answer.
        status = QuizAttempt.objects.filter(pk=attempt_id).values_list("status", flat=True).first()
        return JsonResponse({"state": status, "url": f"/learn/quiz/{attempt_id}/"})

    class Yardsticks:
        urlpatterns = [
            path("__bench/bare/", bare),
            path("__bench/poll/<int:attempt_id>/", poll),
        ]

    class YardstickHandler(WSGIHandler):
        """Django without the site's middleware: what a request costs this
        machine whatever the site does, so runs on other machines compare."""

        def load_middleware(self, is_async=False):
            self._view_middleware = []
            self._template_response_middleware = []
            self._exception_middleware = []
            self._middleware_chain = convert_exception_to_response(self._get_response)

        def resolve_request(self, request):
            request.urlconf = Yardsticks
            return super().resolve_request(request)

    # The bare view once more, behind the site's whole middleware: the
    # difference is what the middleware costs every request.
    urls.urlpatterns.insert(0, path("__bench/site-bare/", bare))
    return application, YardstickHandler()


def _serve(inline: bool, environ, start_response):
    key = "inline" if inline else "site"
    if key not in _applications:
        _applications[key] = _load(inline)
    site, yardsticks = _applications[key]
    path_info = environ.get("PATH_INFO", "")
    if path_info.startswith(BASELINE_PREFIX) and not path_info.startswith("/__bench/site-"):
        return yardsticks(environ, start_response)
    return site(environ, start_response)


def site_application(environ, start_response):
    """WSGI entry of the Celery runs: the site as it is, plus the yardsticks."""
    return _serve(False, environ, start_response)


def inline_application(environ, start_response):
    """WSGI entry of the baseline: the site, except that a submission's
    grading job is graded inside the request (after its commit) instead of
    being sent to a worker; plus the yardsticks."""
    return _serve(True, environ, start_response)


# -- A phone, over plain HTTP ----------------------------------------------------


class Phone:
    """One volunteer's browser: cookies, and one connection per request."""

    def __init__(self, cookies: dict[str, str]):
        self.cookies = dict(cookies)

    def request(self, method: str, path: str, form: dict | None = None, want_json: bool = False):
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        headers = {
            "Host": f"127.0.0.1:{PORT}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "User-Agent": "quiz-room-benchmark",
        }
        if want_json:
            headers["Accept"] = "application/json"
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.status, response.headers, data
        finally:
            connection.close()


@dataclass
class Volunteer:
    phone: Phone
    attempt_url: str = ""
    form: dict = field(default_factory=dict)
    submitted_at: float = 0.0
    accept_seconds: float = 0.0
    visible_seconds: float = 0.0
    polls: int = 0
    error: str = ""


CHOICE = re.compile(r'name="answer-(\d+)" value="(\d+)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def prepare(volunteer: Volunteer, module_id: int) -> None:
    """Open the module page, start an attempt and load it (not measured)."""
    phone = volunteer.phone
    status, _, html = phone.request("GET", MODULE_URL)
    if status != 200:
        raise RuntimeError(f"module page: HTTP {status}")
    token = CSRF.search(html).group(1)
    status, headers, _ = phone.request(
        "POST", f"/learn/modules/{module_id}/quiz/start/", {"csrfmiddlewaretoken": token}
    )
    if status != 302:
        raise RuntimeError(f"start: HTTP {status}")
    volunteer.attempt_url = headers["Location"]
    status, _, html = phone.request("GET", volunteer.attempt_url)
    if status != 200:
        raise RuntimeError(f"attempt page: HTTP {status}")
    answers: dict[str, list[str]] = {}
    for question, choice in CHOICE.findall(html):
        answers.setdefault(question, [])
        if not answers[question]:
            answers[question].append(choice)  # the first choice of each question
    form = {"csrfmiddlewaretoken": CSRF.search(html).group(1), "action": "submit"}
    form["question"] = list(answers)
    form.update({f"answer-{q}": c for q, c in answers.items()})
    volunteer.form = form


def take_quiz(volunteer: Volunteer, start_at: float) -> None:
    """Submit at `start_at` as courses/static/courses/js/quiz.js does (asking for JSON), wait
    for the grade on the schedule the answer gives, then load the result page."""
    phone = volunteer.phone
    time.sleep(max(0.0, start_at - time.monotonic()))
    try:
        begin = time.monotonic()
        volunteer.submitted_at = time.time()
        status, _, body = phone.request(
            "POST", volunteer.attempt_url + "submit/", volunteer.form, want_json=True
        )
        volunteer.accept_seconds = time.monotonic() - begin
        if status != 200:
            raise RuntimeError(f"submit: HTTP {status}")
        state = json.loads(body)
        if state["state"] != "graded":
            state = wait_for_grade(phone, state["status_url"], state["poll_schedule"], volunteer)
        status, _, html = phone.request("GET", state["url"])
        if status != 200 or "quiz-score" not in html:
            raise RuntimeError(f"result page: HTTP {status}")
        volunteer.visible_seconds = time.monotonic() - begin
    except Exception as error:  # counted and printed, never raised
        volunteer.error = str(error)


def wait_for_grade(phone: Phone, status_url: str, schedule: list, volunteer: Volunteer) -> dict:
    step, done = 0, 0
    while True:
        while step < len(schedule) - 1 and done >= schedule[step][1]:
            step, done = step + 1, 0
        done += 1
        time.sleep(schedule[step][0] / 1000)
        volunteer.polls += 1
        status, _, body = phone.request("GET", status_url)
        if status == 200:
            state = json.loads(body)
            if state["state"] != "grading":
                return state
        if volunteer.polls > 200:
            raise RuntimeError("no grade after 200 polls")


# -- Setting up and running ---------------------------------------------------------


def build_room(volunteers: int, questions: int) -> tuple[int, list[dict[str, str]]]:
    """A course whose first module has the quiz (a second module keeps the
    course unfinished, so no certificates are issued), and signed-in volunteers."""
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
        load_backend,
    )
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.cached_db import SessionStore
    from wagtail.models import Site

    from courses.models import (
        CourseIndexPage,
        CoursePage,
        LessonPage,
        ModulePage,
        QuizChoice,
        QuizQuestion,
    )

    home = Site.objects.get(is_default_site=True).root_page
    index = home.add_child(instance=CourseIndexPage(title="หลักสูตร", slug="courses"))
    course = index.add_child(instance=CoursePage(title="หลักสูตรทดสอบ", slug="bench"))
    module = course.add_child(
        instance=ModulePage(title="บทที่ 1", slug="m1", pass_mark=60, max_attempts=0)
    )
    second = course.add_child(instance=ModulePage(title="บทที่ 2", slug="m2"))
    second.add_child(instance=LessonPage(title="บทเรียน", slug="l1"))
    kinds = ["single", "multiple", "true_false"]
    for n in range(questions):
        kind = kinds[n % 3]
        question = QuizQuestion.objects.create(
            module=module, kind=kind, text=f"คำถามข้อที่ {n + 1} เกี่ยวกับการดูแลอุปกรณ์",
            points=1, multiple_scoring="partial", explanation="คำอธิบาย", sort_order=n,
        )
        texts = ["ถูก", "ผิด"] if kind == "true_false" else ["ก", "ข", "ค", "ง"]
        for i, text in enumerate(texts):
            correct = i == 0 or (kind == "multiple" and i == 1)
            QuizChoice.objects.create(
                question=question, text=text, is_correct=correct, sort_order=i
            )

    User = get_user_model()
    unusable = make_password(None)
    User.objects.bulk_create(
        [User(username=f"room{n:03d}", password=unusable) for n in range(volunteers)]
    )
    # The first backend that can load a user from a session (not a lockout guard).
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    cookies = []
    for user in User.objects.filter(username__startswith="room").order_by("username"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append({settings.SESSION_COOKIE_NAME: session.session_key})
    return module.pk, cookies


def start_process(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for(condition, what: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not come up")


def start_gunicorn(env: dict, folder: Path, app: str, web: WebConfig) -> subprocess.Popen:
    extra = ["--pythonpath", str(BASE_DIR / "benchmarks")] if ":" in app else []
    process = start_process(
        [str(BIN / "gunicorn"), "-c", "site/gunicorn.conf.py", *extra, app],
        {**env, **web.env()},
        folder / "gunicorn.log",
    )
    try:
        wait_for(lambda: Phone({}).request("GET", "/")[0] == 200, "gunicorn")
    except RuntimeError:
        stop_process(process)
        raise
    return process


def cpu_seconds(root: subprocess.Popen | None) -> float:
    """CPU time used so far by a process and its descendants: those alive, to
    the nanosecond (every thread's schedstat), and those that ended and were
    waited for (a gunicorn worker recycled after max_requests), through their
    parent's cutime and cstime."""
    if root is None:
        return 0.0
    nanoseconds, ticks, pending = 0, 0, [root.pid]
    while pending:
        pid = pending.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[13]) + int(fields[14])  # cutime + cstime
            for task in Path(f"/proc/{pid}/task").iterdir():
                nanoseconds += int((task / "schedstat").read_text().split()[0])
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            pending += [int(child) for child in children]
        except (OSError, ValueError):
            continue
    return nanoseconds / 1e9 + ticks / os.sysconf("SC_CLK_TCK")


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def warm_up(module_id: int, cookies: list[dict], count: int) -> None:
    """A few volunteers take the quiz before anything is measured, so that
    every gunicorn worker has loaded the submit and result paths once."""
    volunteers = [Volunteer(Phone(c)) for c in cookies[:count]]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda v: prepare(v, module_id), volunteers))
    now = time.monotonic()
    with ThreadPoolExecutor(len(volunteers)) as pool:
        list(pool.map(lambda v: take_quiz(v, now), volunteers))


def cpu_per_request(web: subprocess.Popen, paths: list[str], cookies: dict, count: int) -> float:
    """gunicorn's CPU ms per request over `count` GETs of `paths` in turn,
    four at a time (a sync worker serves one request at a time)."""

    def get(n: int) -> None:
        status, _, _ = Phone(cookies).request("GET", paths[n % len(paths)])
        if status != 200:
            raise RuntimeError(f"{paths[n % len(paths)]}: HTTP {status}")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(get, range(40)))  # every worker warm
        before = cpu_seconds(web)
        list(pool.map(get, range(count)))
    return round((cpu_seconds(web) - before) / count * 1000, 2)


def yardsticks(web: subprocess.Popen, cookies: dict, count: int) -> dict:
    """Fixed baselines, measured against the gunicorn of the run: the
    one-query grade poll and a bare Django view, both without the site's
    middleware (nothing the site changes moves them); then, for the record,
    the site's own grade poll and the bare view behind the site's middleware."""
    from courses.models import AttemptStatus, QuizAttempt
    from courses.views.quiz import status_token

    graded = list(QuizAttempt.objects.filter(status=AttemptStatus.GRADED).order_by("-pk")[:20])
    return {
        "bare_ms": cpu_per_request(web, ["/__bench/bare/"], {}, count),
        "poll_ms": cpu_per_request(web, [f"/__bench/poll/{a.pk}/" for a in graded], {}, count),
        "site_bare_ms": cpu_per_request(web, ["/__bench/site-bare/"], cookies, count),
        "site_poll_ms": cpu_per_request(
            web, [f"/learn/quiz/status/{status_token(a)}/" for a in graded], cookies, count
        ),
    }


class Profiler:
    """py-spy (not one of the project's requirements: `pip install py-spy`)
    sampling gunicorn and the Celery worker, with their children, while a
    room runs; raw folded stacks, one file per process tree and run."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.running: list[subprocess.Popen] = []
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)

    def start(self, label: str, processes: dict[str, subprocess.Popen | None]) -> None:
        if self.folder is None:
            return
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        for name, process in processes.items():
            if process is None:
                continue
            self.running.append(
                subprocess.Popen(
                    [
                        str(BIN / "py-spy"), "record", "--pid", str(process.pid),
                        "--subprocesses", "--nonblocking", "--rate", "250", "--format", "raw",
                        "--output", str(self.folder / f"{slug}-{name}.txt"),
                    ],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            )
        time.sleep(1.0)  # py-spy attaches

    def stop(self) -> None:
        for process in self.running:
            process.send_signal(signal.SIGINT)
        for process in self.running:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running = []


def run_room(
    module_id: int,
    cookies: list[dict],
    spread: float,
    label: str,
    web: subprocess.Popen,
    worker: subprocess.Popen | None,
    profiler: Profiler,
) -> dict:
    from django.db.models import Max

    from courses.models import GradingJob, ModuleCompletion, QuizAttempt

    # Every run is the room's first go at the quiz: the same work each time
    # (a pass recorded, one attempt listed on the result page), whatever ran before.
    GradingJob.objects.all().delete()
    QuizAttempt.objects.all().delete()
    ModuleCompletion.objects.all().delete()
    volunteers = [Volunteer(Phone(c)) for c in cookies]
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda v: prepare(v, module_id), volunteers))
    profiler.start(label, {"web": web, "worker": worker})
    cpu_before = cpu_seconds(web), cpu_seconds(worker), client_cpu_seconds()
    started = time.time()
    begin = time.monotonic() + 1.0
    step = spread / len(volunteers) if spread else 0.0
    threads = [
        threading.Thread(target=take_quiz, args=(v, begin + i * step), daemon=True)
        for i, v in enumerate(volunteers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    web_cpu = cpu_seconds(web) - cpu_before[0]
    worker_cpu = cpu_seconds(worker) - cpu_before[1]
    client_cpu = client_cpu_seconds() - cpu_before[2]
    profiler.stop()
    ok = [v for v in volunteers if not v.error]
    first = min(v.submitted_at for v in volunteers)
    last_graded = QuizAttempt.objects.filter(
        graded_at__gte=datetime.fromtimestamp(started, UTC)
    ).aggregate(Max("graded_at"))["graded_at__max"]
    visible = sorted(v.visible_seconds for v in ok)
    accept = sorted(v.accept_seconds for v in ok)
    return {
        "run": label,
        "volunteers": len(volunteers),
        "errors": len(volunteers) - len(ok),
        "error_examples": sorted({v.error for v in volunteers if v.error})[:3],
        "visible_p50_s": round(statistics.median(visible), 3) if visible else None,
        "visible_p95_s": round(percentile(visible, 95), 3) if visible else None,
        "visible_max_s": round(visible[-1], 3) if visible else None,
        "room_graded_s": round(last_graded.timestamp() - first, 2) if last_graded else None,
        "accept_p95_ms": round(percentile(accept, 95) * 1000, 1) if accept else None,
        "status_polls": sum(v.polls for v in volunteers),
        # Server CPU per volunteer (PostgreSQL's and Redis's own not counted).
        "web_cpu_ms_per_volunteer": round(web_cpu / len(volunteers) * 1000, 1),
        "worker_cpu_ms_per_volunteer": round(worker_cpu / len(volunteers) * 1000, 1),
        "cpu_ms_per_volunteer": round((web_cpu + worker_cpu) / len(volunteers) * 1000, 1),
        # The 311 phones are threads of this process, on the same two cores.
        "client_cpu_ms_per_volunteer": round(client_cpu / len(volunteers) * 1000, 1),
    }


def worker_command(arguments) -> list[str]:
    return [
        str(BIN / "celery"), "-A", "npv_site", "worker", "-Q", "grading",
        "--concurrency", str(arguments.celery_concurrency), "--pool", arguments.celery_pool,
        "--loglevel", "INFO", "--without-mingle", "--without-gossip", "--without-heartbeat",
    ]


def one_run(arguments, webs, env, folder, module_id, cookies, processes, profiler, number):
    """Every configuration once: each gunicorn with the Celery worker, then
    the inline baseline; each with its yardsticks and both shapes."""
    results = []
    shapes = [(f"spread over {arguments.spread:g} s", arguments.spread), ("all at once", 0.0)]
    warm = 2 * max(w.workers * w.threads for w in webs)
    (folder / "worker.log").write_text("")
    worker = start_process(worker_command(arguments), env, folder / "worker.log")
    processes.append(worker)
    wait_for(lambda: " ready." in (folder / "worker.log").read_text(), "celery worker")
    configs = [(f"Celery, {w}", w, "quiz_room:site_application", worker) for w in webs]
    configs.append((f"inline, {webs[0]}", webs[0], "quiz_room:inline_application", None))
    for name, web_config, app, grader in configs:
        if grader is None:
            stop_process(worker)
        web = start_gunicorn(env, folder, app, web_config)
        processes.append(web)
        warm_up(module_id, cookies, warm)
        baseline = yardsticks(web, cookies[0], arguments.yardstick_requests)
        for label, spread in shapes:
            result = run_room(module_id, cookies, spread, f"{name}, {label}", web, grader, profiler)
            result.update(baseline, repeat=number, config=name, shape=label)
            result["per_poll"] = round(result["cpu_ms_per_volunteer"] / baseline["poll_ms"], 1)
            result["per_bare"] = round(result["cpu_ms_per_volunteer"] / baseline["bare_ms"], 1)
            results.append(result)
        stop_process(web)
    stop_process(worker)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--volunteers", type=int, default=311)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--spread", type=float, default=10.0)
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--celery-pool", default="prefork")
    parser.add_argument(
        "--web", action="append", metavar="CLASS:WORKERS[xTHREADS]",
        help=f"gunicorn configurations to compare (default: {' and '.join(DEFAULT_WEB)}); "
        "the inline baseline uses the first",
    )
    parser.add_argument(
        "--repeat", type=int, default=1,
        help="whole runs in a row (fresh gunicorn and worker each); prints min/median/max",
    )
    parser.add_argument(
        "--yardstick-requests", type=int, default=400,
        help="requests per fixed baseline (CPU ms per request)",
    )
    parser.add_argument(
        "--profile", type=Path, metavar="DIR",
        help="record gunicorn and the worker with py-spy (installed apart) into DIR",
    )
    arguments = parser.parse_args()
    webs = [WebConfig.parse(text) for text in arguments.web or DEFAULT_WEB]

    admin_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")
    name = f"npv_quiz_bench_{os.getpid()}"
    parts = urlsplit(admin_url)
    database_url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))

    import psycopg
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    folder = Path(tempfile.mkdtemp(prefix="npv-quiz-bench-"))
    env = production_env(
        folder, PORT, DATABASE_URL=database_url, CELERY_BROKER_URL=redis_url, CACHE_URL=redis_url
    )
    processes: list[subprocess.Popen] = []
    profiler = Profiler(arguments.profile)
    results = []
    try:
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True,
                stdout=subprocess.DEVNULL,
            )
        os.environ.update(env)
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        module_id, cookies = build_room(arguments.volunteers, arguments.questions)
        for number in range(1, arguments.repeat + 1):
            results += one_run(
                arguments, webs, env, folder, module_id, cookies, processes, profiler, number
            )
            if arguments.repeat > 1:
                report([r for r in results if r["repeat"] == number], arguments, f"run {number}")
    except BaseException:
        profiler.stop()
        for log in ("gunicorn.log", "worker.log"):
            if (folder / log).exists():
                print(f"--- {log} (end)\n" + (folder / log).read_text(errors="replace")[-4000:])
        raise
    finally:
        for process in processes:
            stop_process(process)
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(redis_url).flushdb()
        if not os.environ.get("BENCH_KEEP"):
            subprocess.run(["rm", "-rf", str(folder)], check=False)

    if arguments.repeat > 1:
        report_spread(results, arguments)
    else:
        report(results, arguments, "")
    out = BASE_DIR / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "quiz_room.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


def report(results: list[dict], arguments, title: str) -> None:
    print(
        f"\nQuiz room{', ' + title if title else ''}: {arguments.volunteers} volunteers, "
        f"{arguments.questions} questions, Celery {arguments.celery_pool} "
        f"concurrency {arguments.celery_concurrency}, PostgreSQL + Redis, {os.cpu_count()} cores\n"
    )
    header = (
        f"{'run':<46} {'p50 s':>6} {'p95 s':>6} {'max s':>6} {'room s':>6} "
        f"{'acc p95 ms':>10} {'polls':>5} {'err':>3} {'CPU ms/vol':>10} {'web':>5} "
        f"{'worker':>6} {'×poll':>5} {'×bare':>5} {'client':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['run']:<46} {r['visible_p50_s']:>6} {r['visible_p95_s']:>6} "
            f"{r['visible_max_s']:>6} {r['room_graded_s']:>6} {r['accept_p95_ms']:>10} "
            f"{r['status_polls']:>5} {r['errors']:>3} {r['cpu_ms_per_volunteer']:>10.1f} "
            f"{r['web_cpu_ms_per_volunteer']:>5.1f} {r['worker_cpu_ms_per_volunteer']:>6.1f} "
            f"{r['per_poll']:>5} {r['per_bare']:>5} {r['client_cpu_ms_per_volunteer']:>6.1f}"
        )
        for example in r["error_examples"]:
            print(f"    error: {example}")
    print("\nFixed baselines, gunicorn CPU ms per request (same gunicorn, same run):")
    seen = set()
    for r in results:
        if r["config"] in seen:
            continue
        seen.add(r["config"])
        print(
            f"  {r['config']:<30} one-query poll {r['poll_ms']:>5}  bare view {r['bare_ms']:>5}"
            f"  | site's poll {r['site_poll_ms']:>5}  bare view behind the site's middleware "
            f"{r['site_bare_ms']:>5}"
        )
    for shape in dict.fromkeys(r["shape"] for r in results):
        celery = [r for r in results if r["shape"] == shape and r["config"].startswith("Celery")]
        inline = [r for r in results if r["shape"] == shape and r["config"].startswith("inline")]
        if celery and inline:
            ratio = celery[0]["cpu_ms_per_volunteer"] / inline[0]["cpu_ms_per_volunteer"]
            print(f"  Celery ÷ inline CPU per volunteer, {shape}: {ratio:.2f}×")
    print(
        "\np50/p95/max: submission to grade visible on the page; room: first submission to "
        "last grade written; acc: the request that accepts a submission; CPU ms/vol: "
        "gunicorn and Celery worker CPU per volunteer (without PostgreSQL and Redis), web and "
        "worker its parts, ×poll and ×bare the same in one-query polls and bare views (the "
        "fixed baselines: compare machines by these); client: this script's own CPU per "
        "volunteer (the phones share the cores with the server).\n"
        f"Load average now: {os.getloadavg()[0]:.1f} (other work on this machine "
        "shares the cores: compare the runs with each other, not with another day's)."
    )


SPREAD_FIGURES = [
    ("p95 s", "visible_p95_s"),
    ("room s", "room_graded_s"),
    ("accept p95 ms", "accept_p95_ms"),
    ("errors", "errors"),
    ("polls", "status_polls"),
    ("CPU ms/vol", "cpu_ms_per_volunteer"),
    ("×poll", "per_poll"),
    ("×bare", "per_bare"),
]


def report_spread(results: list[dict], arguments) -> None:
    """Min / median / max of each figure over the repeated runs."""
    print(f"\nOver {arguments.repeat} runs in a row: min / median / max\n")
    header = f"{'run':<46} " + " ".join(f"{name:>20}" for name, _ in SPREAD_FIGURES)
    print(header)
    print("-" * len(header))
    for label in dict.fromkeys(r["run"] for r in results):
        rows = [r for r in results if r["run"] == label]
        cells = []
        for _, key in SPREAD_FIGURES:
            values = [r[key] for r in rows if r[key] is not None]
            if not values:
                cells.append(f"{'-':>20}")
                continue
            cells.append(
                f"{_fmt(min(values))} / {_fmt(statistics.median(values))} / {_fmt(max(values))}"
                .rjust(20)
            )
        print(f"{label:<46} " + " ".join(cells))
    print("\nFixed baselines (CPU ms per request): min / median / max")
    for config in dict.fromkeys(r["config"] for r in results):
        rows = {r["repeat"]: r for r in results if r["config"] == config}.values()
        line = []
        for name, key in (
            ("one-query poll", "poll_ms"), ("bare view", "bare_ms"),
            ("site's poll", "site_poll_ms"), ("site's middleware + bare", "site_bare_ms"),
        ):
            values = [r[key] for r in rows]
            line.append(
                f"{name} {_fmt(min(values))} / {_fmt(statistics.median(values))} / "
                f"{_fmt(max(values))}"
            )
        print(f"  {config:<30} " + "; ".join(line))
    for shape in dict.fromkeys(r["shape"] for r in results):
        ratios = []
        for number in range(1, arguments.repeat + 1):
            rows = [r for r in results if r["shape"] == shape and r["repeat"] == number]
            celery = [r for r in rows if r["config"].startswith("Celery")]
            inline = [r for r in rows if r["config"].startswith("inline")]
            if celery and inline:
                ratios.append(celery[0]["cpu_ms_per_volunteer"] / inline[0]["cpu_ms_per_volunteer"])
        if ratios:
            print(
                f"  Celery ÷ inline CPU per volunteer, {shape}: "
                + " / ".join(f"{x:.2f}×" for x in sorted(ratios))
            )
    print(f"\nLoad average now: {os.getloadavg()[0]:.1f}.")


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if value < 10 else f"{value:.1f}"
    return str(value)


if __name__ == "__main__":
    main()
