"""Course steps benchmark: CPU per volunteer for each step of the course, and
the capacity model computed from it. Prints figures, asserts nothing.

    flock /tmp/npv-bench.lock .venv/bin/python benchmarks/course_steps.py \
        [--volunteers 60] [--room 3110 --spread 100]

Real gunicorn (site/gunicorn.conf.py, production settings) with a grading and
a certificates Celery worker started as the Procfile starts them, on
PostgreSQL and Redis. The volunteers go through the course as a phone does,
one step after the other, and each step is measured by the CPU (user + sys,
from /proc) that the gunicorn, worker, PostgreSQL and Redis processes used
while it ran:

- bare: a view that returns two bytes, through the whole middleware stack,
  signed in: the floor of one request, the baseline the steps are divided by;
- sign-up: the allauth form of the site (GET, POST, the page it leads to);
- lesson: one lesson page and marking it read;
- quiz: the module page, starting, the attempt page, the submission as the
  page's script sends it, the status polls, the result page (grading in the
  grading worker, quiz_room.py's way of taking the quiz);
- certificate: passing that quiz completes the course: the certificates
  worker issues, renders and stores the PDF; the volunteer downloads it.

Then the model (docs/capacity.md): the course's CPU per volunteer, volunteers
per core, what one 2-core server holds, and the processes and machines for
ten rooms of 311 finishing at once. With --room N, a room of N volunteers
finishes the course (the last quiz and the certificate) with arrivals spread
over --spread seconds, and its per-volunteer CPU is set beside the steps'.
Ten rooms at a tenth of their rate: --room 3110 --spread 100.

Throwaway PostgreSQL database on BENCH_DATABASE_URL's server (default
postgres://postgres@127.0.0.1:5432/test); Redis database 13 (BENCH_REDIS_URL),
emptied at the start and the end. Results: benchmarks/results/course_steps.json.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# quiz_room's phones read the port when it is imported.
os.environ.setdefault("BENCH_PORT", "8793")

from _support import BASE_DIR, percentile, production_env, stop_process  # noqa: E402
from quiz_room import (  # noqa: E402
    CSRF,
    Phone,
    Volunteer,
    WebConfig,
    prepare,
    start_process,
    take_quiz,
    wait_for,
)

BIN = Path(sys.executable).parent
PORT = int(os.environ["BENCH_PORT"])
CLOCK_TICK = os.sysconf("SC_CLK_TCK")
BARE_PATH = "/bench-bare/"
# The warm-up's throwaway volunteers' phone numbers start here, apart from the measured.
WARM_VOLUNTEERS = 90000
PASSWORD = "ชุมพร-2562-ok!"  # noqa: S105 (the bench volunteers' own, thrown away)
# The demo course (site/demo/course/course.json): what one volunteer goes through.
DEMO_LESSONS = 13
DEMO_QUIZZES = 4
DEMO_QUESTIONS = 8


# -- The application gunicorn loads: the site, plus the bare view ----------------

_application = None


def application(environ, start_response):
    """The site's WSGI application with one more URL, BARE_PATH, a view
    that does nothing: the cost of the middleware and the session alone."""
    global _application
    if _application is None:
        from django.http import HttpResponse
        from django.urls import path

        from npv_site.wsgi import application as site

        # Only now that npv_site.wsgi has set Django up.
        urls = importlib.import_module("npv_site.urls")

        # Before the first request resolves anything, so the resolver sees it.
        urls.urlpatterns.insert(0, path(BARE_PATH.strip("/") + "/", lambda r: HttpResponse("ok")))
        _application = site
    return _application(environ, start_response)


# -- CPU of processes, from /proc -------------------------------------------------


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def tree_cpu(root_pid: int) -> float:
    """CPU seconds of a process and its descendants, those that ended and
    were waited for included (gunicorn and Celery recycle their children)."""
    total, pending = 0, [root_pid]
    while pending:
        pid = pending.pop()
        try:
            fields = _stat(pid)
            total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
            pending += [
                int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            ]
        except (OSError, ValueError):
            continue
    return total / CLOCK_TICK


def pids_cpu(pids) -> dict[int, float]:
    result = {}
    for pid in pids:
        try:
            fields = _stat(pid)
            result[pid] = (int(fields[11]) + int(fields[12])) / CLOCK_TICK
        except (OSError, ValueError):
            continue
    return result


class Meter:
    """CPU used, between start() and stop(), by each kind of process: web
    (gunicorn), grading and certificates (Celery), database (the PostgreSQL
    backends serving the bench database) and broker (redis-server, which
    other work on the machine may share)."""

    def __init__(self, processes: dict[str, subprocess.Popen], database: str):
        self.processes = processes
        self.database = database
        self.redis_pid = _redis_pid()

    def _backends(self) -> dict[int, float]:
        import psycopg

        with psycopg.connect(os.environ["BENCH_ADMIN_URL"], autocommit=True) as admin:
            rows = admin.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
            ).fetchall()
        return pids_cpu(pid for (pid,) in rows)

    def sample(self) -> dict:
        return {
            **{name: tree_cpu(p.pid) for name, p in self.processes.items() if p is not None},
            "database": self._backends(),
            "broker": sum(pids_cpu([self.redis_pid]).values()) if self.redis_pid else 0.0,
        }

    def start(self) -> None:
        self.before = self.sample()

    def stop(self) -> dict[str, float]:
        after = self.sample()
        used = {}
        for name, value in after.items():
            if name == "database":
                # Backends that were already there count from their earlier value.
                used[name] = sum(v - self.before[name].get(pid, 0.0) for pid, v in value.items())
            else:
                used[name] = value - self.before[name]
        return used


def _redis_pid() -> int | None:
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if Path(proc, "comm").read_text().strip() == "redis-server":
                    return int(proc.name)
            except OSError:
                continue
    return None


# -- The course and the volunteers ------------------------------------------------


def build_course(lessons: int, questions: int) -> dict:
    """One course of one module (slugs as quiz_room.py expects them): its
    lessons, then its quiz; passing the quiz completes the course."""
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
    paragraph = "การดูแลอุปกรณ์อินเทอร์เน็ตหมู่บ้านให้พร้อมใช้งานอยู่เสมอ " * 30
    lesson_pages = [
        module.add_child(
            instance=LessonPage(
                title=f"บทเรียนที่ {n + 1}",
                slug=f"l{n + 1}",
                body=[("paragraph", f"<p>{paragraph}</p>")],
            )
        )
        for n in range(lessons)
    ]
    kinds = ["single", "multiple", "true_false"]
    for n in range(questions):
        kind = kinds[n % 3]
        question = QuizQuestion.objects.create(
            module=module,
            kind=kind,
            text=f"คำถามข้อที่ {n + 1} เกี่ยวกับการดูแลอุปกรณ์",
            points=1,
            multiple_scoring="partial",
            explanation="คำอธิบาย",
            sort_order=n,
        )
        texts = ["ถูก", "ผิด"] if kind == "true_false" else ["ก", "ข", "ค", "ง"]
        for i, text in enumerate(texts):
            QuizChoice.objects.create(
                question=question,
                text=text,
                sort_order=i,
                is_correct=i == 0 or (kind == "multiple" and i == 1),
            )
    return {
        "course_id": course.pk,
        "module_id": module.pk,
        "lessons": [(page.pk, page.url) for page in lesson_pages],
    }


def signed_in_room(size: int, prefix: str) -> list[dict[str, str]]:
    """Volunteers with a profile and a session, made directly (not measured)."""
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
    from django.utils import timezone

    from npv_site.accounts.models import VolunteerProfile

    User = get_user_model()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(username=f"{prefix}{n:05d}", password=unusable) for n in range(size)]
    )
    now = timezone.now()
    VolunteerProfile.objects.bulk_create(
        VolunteerProfile(
            user=user,
            title="นางสาว",
            first_name="กาญจนาภรณ์",
            last_name="ศรีสุวรรณ",
            phone=f"08{n:08d}",
            province="ชุมพร",
            district="เมืองชุมพร",
            subdistrict="หาดพันไกร",
            village_no=2,
            village_name="บ้านหาดกลาง",
            consented_at=now,
        )
        for n, user in enumerate(users)
    )
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    cookies = []
    for user in User.objects.filter(username__startswith=prefix).order_by("username"):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append({settings.SESSION_COOKIE_NAME: session.session_key})
    return cookies


# -- The steps, as a phone does them -----------------------------------------------


def expect(status: int, wanted: tuple[int, ...], what: str) -> None:
    if status not in wanted:
        raise RuntimeError(f"{what}: HTTP {status}")


def bare(phone: Phone) -> None:
    expect(phone.request("GET", BARE_PATH)[0], (200,), "bare view")


def sign_up(phone: Phone, n: int, name: str = "volunteer") -> None:
    """The short sign-up, then the profile its certificate prints (asked for on
    the profile page since the sign-up takes only the name): both are counted."""
    status, _, html = phone.request("GET", "/accounts/signup/")
    expect(status, (200,), "sign-up form")
    form = {
        "csrfmiddlewaretoken": CSRF.search(html).group(1),
        "first_name": "ธัญญ์ชนก",
        "last_name": "ณ ระนอง",
        "username": f"{name}{n:05d}",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "consent": "on",
    }
    status, headers, html = phone.request("POST", "/accounts/signup/", form)
    if status != 302:
        errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', html)[:3]
        raise RuntimeError(f"sign-up: HTTP {status} {errors}")
    expect(phone.request("GET", headers["Location"])[0], (200,), "page after sign-up")
    status, _, html = phone.request("GET", "/accounts/profile/")
    expect(status, (200,), "profile form")
    profile = {
        "csrfmiddlewaretoken": CSRF.search(html).group(1),
        "title": "นางสาว",
        "first_name": "ธัญญ์ชนก",
        "last_name": "ณ ระนอง",
        "phone": f"08{n:08d}",
        "province": "ชุมพร",
        "district": "เมืองชุมพร",
        "subdistrict": "หาดพันไกร",
        "village_no": "2",
        "village_name": "บ้านหาดกลาง",
    }
    status, _, html = phone.request("POST", "/accounts/profile/", profile)
    if status != 302:
        errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', html)[:3]
        raise RuntimeError(f"profile: HTTP {status} {errors}")


def read_lesson(phone: Phone, lesson_id: int, url: str) -> None:
    status, _, html = phone.request("GET", url)
    expect(status, (200,), "lesson page")
    match = CSRF.search(html)
    token = match.group(1) if match else phone.cookies.get("csrftoken", "")
    status, _, _ = phone.request(
        "POST", f"/learn/lessons/{lesson_id}/read/", {"csrfmiddlewaretoken": token}
    )
    expect(status, (302,), "mark read")


def quiz_pages(volunteers: list[Volunteer], module_id: int, concurrency: int) -> None:
    """quiz_room.py's pages before the submission: module page, start, attempt page."""
    in_pool(lambda v: prepare(v, module_id), volunteers, concurrency)


def quiz_submissions(volunteers: list[Volunteer], spread: float) -> None:
    """quiz_room.py's submission, polls and result page, arrivals spread
    evenly over `spread` seconds."""
    begin = time.monotonic() + 0.5
    step = spread / len(volunteers)
    threads = [
        threading.Thread(target=take_quiz, args=(v, begin + i * step), daemon=True)
        for i, v in enumerate(volunteers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    errors = sorted({v.error for v in volunteers if v.error})
    if errors:
        raise RuntimeError(f"quiz: {len([v for v in volunteers if v.error])} errors, {errors[:3]}")


def wait_for_certificates(user_ids: list[int], timeout: float) -> float:
    """Seconds until every one of these volunteers' PDFs is stored."""
    from certificates.models import Certificate

    begin = time.monotonic()
    while time.monotonic() - begin < timeout:
        done = Certificate.objects.filter(user_id__in=user_ids, current_version__pdf__gt="").count()
        if done >= len(user_ids):
            return time.monotonic() - begin
        time.sleep(0.5)
    raise RuntimeError(f"certificates: {done} of {len(user_ids)} after {timeout:.0f} s")


def download_certificate(phone: Phone, code: str) -> None:
    status, headers, _ = phone.request("GET", f"/certificates/download/{code}/")
    expect(status, (200,), "certificate download")


def in_pool(function, items, concurrency: int) -> None:
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in pool.map(function, items):
            pass


# -- The run ------------------------------------------------------------------


def measure(meter: Meter, label: str, count: int, requests: float, run) -> dict:
    meter.start()
    begin = time.monotonic()
    run()
    wall = time.monotonic() - begin
    used = meter.stop()
    per = {name: round(seconds / count * 1000, 2) for name, seconds in used.items()}
    app = sum(per.get(k, 0.0) for k in ("web", "grading", "certificates"))
    row = {
        "step": label,
        "count": count,
        "requests_each": requests,
        "wall_s": round(wall, 1),
        "ms": per,
        "app_ms": round(app, 2),
        "all_ms": round(app + per["database"] + per["broker"], 2),
    }
    print(f"  {label:<28} {count:>5} x  app {row['app_ms']:>7.2f} ms  {per}", flush=True)
    return row


def run_steps(arguments, env: dict, meter: Meter, course: dict) -> list[dict]:
    from certificates.models import Certificate

    n = arguments.volunteers
    phones = [Phone({}) for _ in range(n)]
    c = arguments.concurrency
    rows = []
    # Not measured: every gunicorn worker's first requests (imports, templates,
    # caches), which a long-running server has long paid.
    warm = Phone({})
    paths = ["/", "/accounts/signup/", *(url for _, url in course["lessons"]), BARE_PATH] * 8
    in_pool(lambda path: warm.request("GET", path), paths, c)
    # And the sign-up POST's first time in each worker (the password
    # validators' list of common passwords, the hashers, allauth's flows):
    # gets only left those in the sign-up step (12 volunteers over 5 workers).
    in_pool(lambda n: sign_up(Phone({}), WARM_VOLUNTEERS + n, "warmup"), range(16), c)
    rows.append(
        measure(
            meter,
            "sign-up",
            n,
            3,
            lambda: in_pool(lambda pair: sign_up(pair[1], pair[0]), list(enumerate(phones)), c),
        )
    )
    # After signing up, so that the floor is a signed-in request, as the steps are.
    rows.append(
        measure(
            meter,
            "bare (baseline)",
            n * 10,
            1,
            lambda: in_pool(bare, [p for p in phones for _ in range(10)], c),
        )
    )
    lessons = course["lessons"]
    rows.append(
        measure(
            meter,
            "lesson (view + read)",
            n * len(lessons),
            2,
            lambda: in_pool(lambda p: [read_lesson(p, pk, url) for pk, url in lessons], phones, c),
        )
    )
    volunteers = [Volunteer(p) for p in phones]
    # Worker CPU of the certificates, issued as the quizzes pass, is counted
    # under the certificate step below, not under the quiz.
    rows.append(
        measure(
            meter,
            "quiz-pages (module, start, attempt)",
            n,
            3,
            lambda: quiz_pages(volunteers, course["module_id"], c),
        )
    )
    quiz_row = measure(
        meter,
        "quiz-submit (submit, polls, grade, result)",
        n,
        0,
        lambda: quiz_submissions(volunteers, arguments.quiz_spread),
    )
    quiz_row["requests_each"] = round(2 + sum(v.polls for v in volunteers) / n, 1)
    cert_during_quiz = quiz_row["ms"].pop("certificates", 0.0)
    quiz_row["app_ms"] = round(quiz_row["app_ms"] - cert_during_quiz, 2)
    quiz_row["all_ms"] = round(quiz_row["all_ms"] - cert_during_quiz, 2)
    rows.append(quiz_row)
    from django.contrib.auth import get_user_model

    user_ids = list(
        get_user_model()
        .objects.filter(username__startswith="volunteer")
        .values_list("pk", flat=True)
    )
    codes = {}

    def certificates():
        wait_for_certificates(user_ids, timeout=600)
        codes.update(
            Certificate.objects.filter(user_id__in=user_ids).values_list("user__username", "code")
        )
        in_pool(
            lambda pair: download_certificate(pair[1], codes[f"volunteer{pair[0]:05d}"]),
            list(enumerate(phones)),
            c,
        )

    cert_row = measure(meter, "certificate (worker + download)", n, 1, certificates)
    cert_row["ms"]["certificates"] = round(
        cert_row["ms"].get("certificates", 0.0) + cert_during_quiz, 2
    )
    cert_row["app_ms"] = round(cert_row["app_ms"] + cert_during_quiz, 2)
    cert_row["all_ms"] = round(cert_row["all_ms"] + cert_during_quiz, 2)
    rows.append(cert_row)
    return rows


def run_room(arguments, meter: Meter, course: dict) -> dict:
    """A room of --room volunteers finishing at once: the last quiz and its
    certificate, arrivals over --spread seconds."""
    from django.contrib.auth import get_user_model
    from django.db.models import Max

    from courses.models import QuizAttempt

    cookies = signed_in_room(arguments.room, "finisher")
    volunteers = [Volunteer(Phone(c)) for c in cookies]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda v: prepare(v, course["module_id"]), volunteers))
    user_ids = list(
        get_user_model()
        .objects.filter(username__startswith="finisher")
        .values_list("pk", flat=True)
    )
    started = time.time()
    meter.start()
    begin = time.monotonic() + 1.0
    step = arguments.spread / len(volunteers)
    threads = [
        threading.Thread(target=take_quiz, args=(v, begin + i * step), daemon=True)
        for i, v in enumerate(volunteers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    graded_at = time.monotonic()
    certificates_s = wait_for_certificates(user_ids, timeout=3600)
    used = meter.stop()
    ok = [v for v in volunteers if not v.error]
    visible = sorted(v.visible_seconds for v in ok)
    last = QuizAttempt.objects.filter(
        graded_at__gte=datetime.fromtimestamp(started, UTC)
    ).aggregate(Max("graded_at"))["graded_at__max"]
    first = min(v.submitted_at for v in volunteers)
    per = {name: round(seconds / len(volunteers) * 1000, 2) for name, seconds in used.items()}
    return {
        "volunteers": len(volunteers),
        "spread_s": arguments.spread,
        "errors": len(volunteers) - len(ok),
        "error_examples": sorted({v.error for v in volunteers if v.error})[:3],
        "visible_p50_s": round(percentile(visible, 50), 2) if visible else None,
        "visible_p95_s": round(percentile(visible, 95), 2) if visible else None,
        "room_graded_s": round(last.timestamp() - first, 1) if last else None,
        "certificates_done_s": round(graded_at - begin + certificates_s, 1),
        "polls_each": round(sum(v.polls for v in volunteers) / len(volunteers), 1),
        "ms": per,
    }


# -- The model -----------------------------------------------------------------------


def capacity_model(
    rows: list[dict],
    lessons: int = DEMO_LESSONS,
    quizzes: int = DEMO_QUIZZES,
    rooms: int = 10,
    room_size: int = 311,
    arrival_s: float = 10.0,
    certificates_s: float = 300.0,
    busy: float = 0.6,
    cores_per_machine: int = 2,
) -> dict:
    """The capacity model of docs/capacity.md, from the measured steps.

    Sizing uses `busy`, the share of a core a process kind may be kept busy
    (the rest is headroom for bursts, the noisy neighbour and a lost machine
    being covered for); web and grading must keep up with the arrivals as
    they come, certificates only within `certificates_s`."""
    step = {row["step"].split(" ")[0]: row for row in rows}

    def ms(name, kind):
        return step[name]["ms"].get(kind, 0.0)

    web_course = (
        ms("sign-up", "web")
        + lessons * ms("lesson", "web")
        + quizzes * (ms("quiz-pages", "web") + ms("quiz-submit", "web"))
        + ms("certificate", "web")
    )
    grading_course = quizzes * ms("quiz-submit", "grading")
    cert_course = ms("certificate", "certificates")
    db_course = (
        ms("sign-up", "database")
        + lessons * ms("lesson", "database")
        + quizzes * (ms("quiz-pages", "database") + ms("quiz-submit", "database"))
        + ms("certificate", "database")
    )
    course_ms = web_course + grading_course + cert_course
    # The peak: a room finishing submits its last quiz (its pages were opened
    # over the minutes before), then downloads its certificates.
    finish_web = ms("quiz-submit", "web") + ms("certificate", "web")
    finish_grading = ms("quiz-submit", "grading")
    finishing = rooms * room_size
    rate = finishing / arrival_s
    web_cores = rate * finish_web / 1000 / busy
    grading_cores = rate * finish_grading / 1000 / busy
    cert_cores = finishing * cert_course / 1000 / certificates_s / busy
    # PostgreSQL: the quizzes as they arrive, the certificates over their window.
    db_cores = (
        (
            rate * ms("quiz-submit", "database")
            + finishing * ms("certificate", "database") / certificates_s
        )
        / 1000
        / busy
    )
    web_machines = math.ceil(web_cores / cores_per_machine)
    worker_machines = math.ceil((grading_cores + cert_cores) / cores_per_machine)
    return {
        "course_cpu_ms": {
            "web": round(web_course, 1),
            "grading": round(grading_course, 1),
            "certificates": round(cert_course, 1),
            "total_app": round(course_ms, 1),
            "database": round(db_course, 1),
        },
        "volunteers_per_core_hour": int(3600_000 * busy / course_ms),
        "two_core_server": {
            "volunteers_per_hour": int(2 * 3600_000 * busy / course_ms),
            "finishing_per_second": round(2 * 1000 * busy / (finish_web + finish_grading), 1),
            "room_of_311_finish_s": round(
                room_size * (finish_web + finish_grading) / 1000 / (2 * busy), 1
            ),
            "certificates_per_minute": int(2 * 60 * 1000 * busy / max(cert_course, 0.01)),
        },
        "ten_rooms": {
            "finishing": finishing,
            "arrival_s": arrival_s,
            "per_second": round(rate, 1),
            "certificates_within_s": certificates_s,
            "busy_share": busy,
            "web_cores": round(web_cores, 1),
            "grading_cores": round(grading_cores, 1),
            "certificate_cores": round(cert_cores, 1),
            "database_cores": round(db_cores, 1),
            "web_machines": web_machines,
            "worker_machines": worker_machines,
            "web_processes": web_machines * (2 * cores_per_machine + 1),
            "grading_processes": math.ceil(grading_cores) * 2,
            "certificate_processes": math.ceil(cert_cores),
        },
    }


def report(rows: list[dict], model: dict, room: dict | None, arguments, meta: dict) -> None:
    bare_ms = next(r for r in rows if r["step"].startswith("bare"))["app_ms"]
    print(
        f"\nCourse steps: {arguments.volunteers} volunteers, {meta['cores']} cores, "
        f"{meta['date']}, load average {meta['load_before']} before, {meta['load_after']} after"
    )
    header = (
        f"{'step':<32} {'req/vol':>7} {'web':>7} {'grading':>7} {'certs':>7} {'app ms':>7} "
        f"{'x bare':>7} {'db':>6} {'redis':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        m = r["ms"]
        print(
            f"{r['step']:<32} {r['requests_each']:>7} {m.get('web', 0):>7.2f} "
            f"{m.get('grading', 0):>7.2f} {m.get('certificates', 0):>7.2f} {r['app_ms']:>7.2f} "
            f"{r['app_ms'] / bare_ms:>7.1f} {m['database']:>6.2f} {m['broker']:>6.2f}"
        )
    print(
        "ms of CPU per volunteer (per request for bare, per lesson for lesson); app: gunicorn +"
        " Celery workers; x bare: app / the bare view's; db: PostgreSQL backends; redis:"
        " redis-server."
    )
    print("\nModel (demo course: 13 lessons, 4 quizzes):")
    print(json.dumps(model, indent=2, ensure_ascii=False))
    if room:
        print(f"\nRoom check: {room['volunteers']} finishing over {room['spread_s']:g} s")
        print(json.dumps(room, indent=2, ensure_ascii=False))
        step = {row["step"].split(" ")[0]: row for row in rows}
        expected = {
            "web": step["quiz-submit"]["ms"]["web"],
            "grading": step["quiz-submit"]["ms"]["grading"],
            "certificates": step["certificate"]["ms"]["certificates"],
        }
        for kind, value in expected.items():
            measured = room["ms"].get(kind, 0.0)
            print(
                f"  {kind:<13} model {value:7.2f} ms/vol   room {measured:7.2f} ms/vol   "
                f"ratio {measured / value if value else 0:.2f}"
            )


def markdown(results: dict) -> str:
    """docs/capacity.md's tables, from a run's results."""
    meta, steps, model, room = (results[k] for k in ("meta", "steps", "model", "room"))
    bare_ms = next(r for r in steps if r["step"].startswith("bare"))["app_ms"]
    lines = [
        f"Run of {meta['date']}, {meta['cores']} cores, load average {meta['load_before']} "
        f"before and {meta['load_after']} after; {results['arguments']['volunteers']} volunteers.",
        "",
        "| step | requests | web | grading | certificates | app | × bare | PostgreSQL | Redis |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in steps:
        m = r["ms"]
        lines.append(
            f"| {r['step']} | {r['requests_each']} | {m.get('web', 0):.1f} | "
            f"{m.get('grading', 0):.1f} | {m.get('certificates', 0):.1f} | {r['app_ms']:.1f} | "
            f"{r['app_ms'] / bare_ms:.1f} | {m['database']:.1f} | {m['broker']:.1f} |"
        )
    c, two, ten = model["course_cpu_ms"], model["two_core_server"], model["ten_rooms"]
    lines += [
        "",
        "| model | figure |",
        "|---|---:|",
        f"| CPU per volunteer, whole course (web / grading / certificates) | "
        f"{c['total_app']:.0f} ms ({c['web']:.0f} / {c['grading']:.0f} / {c['certificates']:.0f}) |",
        f"| PostgreSQL CPU per volunteer, whole course | {c['database']:.0f} ms |",
        f"| volunteers per core per hour, at {ten['busy_share']:.0%} busy | "
        f"{model['volunteers_per_core_hour']:,} |",
        f"| one 2-core server: volunteers per hour | {two['volunteers_per_hour']:,} |",
        f"| one 2-core server: volunteers finishing per second | {two['finishing_per_second']} |",
        f"| one 2-core server: a room of 311 finishing takes | {two['room_of_311_finish_s']} s |",
        f"| one 2-core server: certificates per minute | {two['certificates_per_minute']:,} |",
        f"| ten rooms: {ten['finishing']:,} finishing over {ten['arrival_s']:g} s "
        f"({ten['per_second']}/s) | web {ten['web_cores']} cores, grading "
        f"{ten['grading_cores']}, certificates {ten['certificate_cores']} (within "
        f"{ten['certificates_within_s']:g} s), PostgreSQL {ten['database_cores']} |",
        f"| ten rooms: machines of 2 cores | {ten['web_machines']} web + "
        f"{ten['worker_machines']} worker |",
        f"| ten rooms: processes | {ten['web_processes']} gunicorn, "
        f"{ten['grading_processes']} grading, {ten['certificate_processes']} certificates |",
    ]
    if room:
        lines += [
            "",
            f"Room check: {room['volunteers']:,} finishing over {room['spread_s']:g} s: "
            f"{room['errors']} errors, grade visible p50 {room['visible_p50_s']} s, p95 "
            f"{room['visible_p95_s']} s, all graded {room['room_graded_s']} s, all certificates "
            f"stored {room['certificates_done_s']} s after the first arrival.",
            "",
            "| ms per volunteer | model (steps) | room | room / model |",
            "|---|---:|---:|---:|",
        ]
        step = {r["step"].split(" ")[0]: r for r in steps}
        for kind, value in (
            ("web", step["quiz-submit"]["ms"]["web"]),
            ("grading", step["quiz-submit"]["ms"]["grading"]),
            ("certificates", step["certificate"]["ms"]["certificates"]),
            (
                "database",
                step["quiz-submit"]["ms"]["database"] + step["certificate"]["ms"]["database"],
            ),
        ):
            measured = room["ms"].get(kind, 0.0)
            ratio = measured / value if value else 0
            lines.append(f"| {kind} | {value:.1f} | {measured:.1f} | {ratio:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--volunteers", type=int, default=60, help="volunteers through the steps")
    parser.add_argument("--lessons", type=int, default=3, help="lessons of the bench module")
    parser.add_argument("--questions", type=int, default=DEMO_QUESTIONS)
    parser.add_argument("--concurrency", type=int, default=4, help="phones at once in a step")
    parser.add_argument(
        "--quiz-spread",
        type=float,
        default=None,
        help="seconds over which the quiz submissions arrive (default 0.2 s each)",
    )
    parser.add_argument("--room", type=int, default=0, help="then a room of N finishing")
    parser.add_argument("--spread", type=float, default=100.0, help="the room's arrivals (s)")
    parser.add_argument("--web", default=None, help="gunicorn CLASS:WORKERS[xTHREADS]")
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the tables of docs/capacity.md from the last results, without measuring",
    )
    arguments = parser.parse_args()
    results_file = BASE_DIR / "benchmarks" / "results" / "course_steps.json"
    if arguments.markdown:
        print(markdown(json.loads(results_file.read_text())))
        return
    if arguments.quiz_spread is None:
        arguments.quiz_spread = arguments.volunteers * 0.2

    admin_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    os.environ["BENCH_ADMIN_URL"] = admin_url
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    name = f"npv_steps_bench_{os.getpid()}"
    parts = urlsplit(admin_url)
    database_url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))

    import psycopg
    import redis

    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "load_before": round(os.getloadavg()[0], 1),
    }
    redis.Redis.from_url(redis_url).flushdb()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    folder = Path(tempfile.mkdtemp(prefix="npv-steps-bench-"))
    env = production_env(
        folder,
        PORT,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=redis_url,
        CACHE_URL=redis_url,
    )
    processes: dict[str, subprocess.Popen] = {}
    room = None
    try:
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            subprocess.run(
                [sys.executable, "manage.py", *command],
                cwd=BASE_DIR,
                env=env,
                check=True,
                stdout=subprocess.DEVNULL,
            )
        os.environ.update(env)
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        course = build_course(arguments.lessons, arguments.questions)
        processes["grading"] = start_worker(env, folder, "grading")
        processes["certificates"] = start_worker(env, folder, "certificates")
        web = WebConfig.parse(arguments.web) if arguments.web else None
        processes["web"] = start_web(env, folder, web)
        meter = Meter(processes, name)
        print("Steps:", flush=True)
        rows = run_steps(arguments, env, meter, course)
        if arguments.room:
            print(f"Room of {arguments.room} over {arguments.spread:g} s...", flush=True)
            room = run_room(arguments, meter, course)
    except BaseException:
        for log in ("gunicorn.log", "grading.log", "certificates.log"):
            if (folder / log).exists():
                print(f"--- {log} (end)\n" + (folder / log).read_text(errors="replace")[-3000:])
        raise
    finally:
        for process in processes.values():
            stop_process(process)
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(redis_url).flushdb()
        if not os.environ.get("BENCH_KEEP"):
            subprocess.run(["rm", "-rf", str(folder)], check=False)

    meta["load_after"] = round(os.getloadavg()[0], 1)
    model = capacity_model(rows)
    report(rows, model, room, arguments, meta)
    results_file.parent.mkdir(exist_ok=True)
    results_file.write_text(
        json.dumps(
            {
                "meta": meta,
                "arguments": vars(arguments),
                "steps": rows,
                "model": model,
                "room": room,
            },
            indent=2,
            ensure_ascii=False,
        )
    )


def procfile_command(name: str) -> list[str]:
    """A process's command from the Procfile, with its ${VAR:-default}s
    expanded, so the bench runs what a deployment runs."""
    for line in (BASE_DIR / "Procfile").read_text().splitlines():
        if line.startswith(f"{name}:"):
            command = line.split(":", 1)[1].strip()
            command = re.sub(
                r"\$\{(\w+):-([^}]*)\}", lambda m: os.environ.get(m.group(1), m.group(2)), command
            )
            words = command.split()
            return [str(BIN / words[0]), *words[1:]]
    raise KeyError(name)


def start_worker(env: dict, folder: Path, name: str) -> subprocess.Popen:
    log = folder / f"{name}.log"
    process = start_process(procfile_command(name), env, log)
    wait_for(lambda: " ready." in log.read_text(), f"celery {name} worker", timeout=90)
    return process


def start_web(env: dict, folder: Path, web: WebConfig | None) -> subprocess.Popen:
    command = procfile_command("web")
    # The same gunicorn and settings, with the bare view added (see application).
    command[-1] = "course_steps:application"
    process = start_process(
        [*command[:-1], "--pythonpath", str(BASE_DIR / "benchmarks"), command[-1]],
        {**env, **(web.env() if web else {})},
        folder / "gunicorn.log",
    )
    try:
        wait_for(lambda: Phone({}).request("GET", "/")[0] == 200, "gunicorn")
    except RuntimeError:
        stop_process(process)
        raise
    return process


if __name__ == "__main__":
    main()
