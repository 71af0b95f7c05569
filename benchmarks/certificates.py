"""Certificate benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/certificates.py [--room 311] [--renders 25]

Measured in one run, on a throwaway SQLite database, media folder and
embedded broker under a temporary folder (nothing of var/ is touched):

1. the median time to render one certificate, against the floor: a bare
   one-page WeasyPrint document in the same font, with the same reused font
   configuration and URL fetcher; where the certificate's time goes (HTML
   with the QR code, layout, drawing and writing the PDF); and, to show how
   much of it the amount of text alone costs, the certificate's twenty texts
   as plain paragraphs on a bare page;
2. the size of the PDF;
3. the time to issue and render a whole room of volunteers' certificates
   (311 by default) with two Celery worker processes;
   with, per certificate, where the workers' time goes (spans recorded in the
   workers by benchmarks/_certificate_spans.py: issuing, the claim, HTML and
   QR, WeasyPrint's layout and PDF, storing the file, SQL, the garbage
   collector, between tasks) and the ratio to 311 x the render's median / 2;
4. the median time to download a stored certificate through the download view;
5. (--scenario pass, or after 1-4) pass -> PDF downloadable: a room passing its
   last quiz spread over 10 s, over HTTP against gunicorn, a grading worker
   and a certificates worker on PostgreSQL (BENCH_DATABASE_URL's server) and
   Redis (BENCH_REDIS_URL, default database 12, flushed), each phone loading
   My learning every 0.5 s until its PDF downloads; p50/p95/max, and the steps
   (graded, issued, stored, seen) from the rows' own clocks.

BENCH_BROKER_URL=redis://127.0.0.1:6379/14 runs the room on Redis instead of
the embedded file-system broker.

Targets (issue 4): certificate within 1.5x the floor, under 100 KB, the room
in under a minute; (issue 16) the room within 1.3x its rendering time, pass -> PDF
downloadable p95 under 2 s.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from _support import BASE_DIR, percentile, production_env, stop_process

sys.path.insert(0, str(BASE_DIR))

BARE_HTML = """<!doctype html><html lang="th"><head><meta charset="utf-8"></head>
<body><p>เกียรติบัตร นางสาวกาญจนาภรณ์ ศรีสุวรรณ NPV-2562-000311</p></body></html>"""
BARE_CSS = """
@font-face { font-family: Sarabun; src: url(/static/certificates/fonts/sarabun/Sarabun-Regular.ttf); }
@page { size: A4 landscape; margin: 2cm; }
body { font-family: Sarabun; font-size: 24pt; }
"""


def _environment(folder: Path) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "npv_site.settings.base",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "NPV_VAR_DIR": str(folder),
        "MEDIA_ROOT": str(folder / "media"),
        "CELERY_BROKER_URL": os.environ.get("BENCH_BROKER_URL", "filesystem://"),
        "SITE_URL": "https://elearning.example.org",
        "PYTHONPATH": str(BASE_DIR),
    }


def _interleaved_medians(functions: dict, repeat: int, rounds: int = 5) -> dict:
    """Median wall-clock and CPU seconds of each function, measured in turns
    so that other work on a shared machine weighs on all of them alike; each
    turn is a run of calls after an unmeasured one, so that no function (the
    floor least of all) is measured with caches cooled by the others."""
    for function in functions.values():
        function()  # warm-up: imports, font loading, dictionary
    samples = {name: ([], []) for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            function()
            for _ in range(max(1, repeat // rounds)):
                wall, cpu = time.perf_counter(), time.process_time()
                function()
                samples[name][0].append(time.perf_counter() - wall)
                samples[name][1].append(time.process_time() - cpu)
    return {
        name: (statistics.median(wall), statistics.median(cpu))
        for name, (wall, cpu) in samples.items()
    }


def _plain_text_html(content) -> str:
    """The certificate's texts as plain paragraphs: what the amount of text
    alone costs WeasyPrint, without the design."""
    from django.utils.html import escape

    texts = [
        content.issuer_name, content.issuer_detail, content.title, content.statement,
        content.holder_name, content.holder_name_en, content.place, content.completion_text,
        content.course_title, content.closing_text, content.date_line,
        *(text for s in content.signatories for text in (f"({s.name})", s.position)),
        content.number, "ตรวจสอบเกียรติบัตร", content.code, content.verification_url,
    ]
    paragraphs = "".join(f"<p>{escape(text)}</p>" for text in texts if text)
    return f'<!doctype html><html lang="th"><body>{paragraphs}</body></html>'


def _median_seconds(function, repeat: int, clock=time.perf_counter) -> float:
    function()  # warm-up: imports, font loading, dictionary
    samples = []
    for _ in range(repeat):
        start = clock()
        function()
        samples.append(clock() - start)
    return statistics.median(samples)


def _setup_room(size: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from wagtail.models import Site

    from courses.models import CourseIndexPage, CoursePage, Enrolment, ModulePage
    from npv_site.accounts.models import VolunteerProfile

    home = Site.objects.get(is_default_site=True).root_page
    index = home.add_child(instance=CourseIndexPage(title="หลักสูตรทั้งหมด", slug="courses"))
    course = index.add_child(
        instance=CoursePage(title="การดูแลอินเทอร์เน็ตหมู่บ้านสำหรับเน็ตอาสาประชารัฐ", slug="course")
    )
    course.add_child(instance=ModulePage(title="บทเรียนหลักที่ 1", slug="module-1"))
    User = get_user_model()
    users = User.objects.bulk_create(User(username=f"room{i:03d}") for i in range(size))
    first_names = ["กาญจนาภรณ์", "น้ำทิพย์", "ฤๅษี", "สมชาย", "ปิยะพงษ์", "วิไลวรรณ"]
    last_names = ["ศรีสุวรรณ", "ญี่ปุ่นที่ดี", "ประชาธิปไตยรุ่งเรือง", "ใจกล้า", "ทองประเสริฐ"]
    VolunteerProfile.objects.bulk_create(
        VolunteerProfile(
            user=user,
            title="นาย" if i % 2 else "นางสาว",
            first_name=first_names[i % len(first_names)],
            last_name=last_names[i % len(last_names)],
            phone=f"08{i:08d}",
            province="ชุมพร",
            district="เมืองชุมพร",
            subdistrict="หาดพันไกร",
            village_no=2,
            village_name="บ้านหาดกลาง",
        )
        for i, user in enumerate(users)
    )
    now = timezone.now()
    Enrolment.objects.bulk_create(
        Enrolment(user=user, course=course, completed_at=now) for user in users
    )
    return course, users


def _start_worker(env: dict, name: str, folder: Path) -> subprocess.Popen:
    log = (folder / f"{name}.log").open("wb")
    env = {
        **env,
        "PYTHONPATH": os.pathsep.join([str(BASE_DIR), str(BASE_DIR / "benchmarks")]),
        "BENCH_SPANS_FILE": str(folder / "spans.jsonl"),
    }
    return subprocess.Popen(
        [
            # The site's app with timing spans around each step (_certificate_spans.py).
            str(Path(sys.executable).with_name("celery")), "-A", "_certificate_spans", "worker",
            "-Q", "certificates", "--concurrency", "1", "--pool", "prefork",
            "--hostname", f"{name}@%h", "--loglevel", "WARNING",
            "--without-mingle", "--without-gossip", "--without-heartbeat",
        ],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--room", type=int, default=311, help="certificates issued at once")
    parser.add_argument("--renders", type=int, default=25, help="renders per median")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument(
        "--scenario", choices=("all", "room", "pass"), default="all",
        help="room: render and room figures (SQLite); pass: pass -> PDF over HTTP",
    )
    parser.add_argument("--pass-room", type=int, default=311, help="volunteers passing")
    parser.add_argument("--spread", type=float, default=10.0, help="seconds the passes spread over")
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between My learning loads")
    parser.add_argument("--web", default="sync:5", help="gunicorn CLASS:WORKERS[xTHREADS]")
    parser.add_argument("--grading-concurrency", type=int, default=2)
    parser.add_argument("--certificate-concurrency", type=int, default=os.cpu_count() or 1)
    arguments = parser.parse_args()
    out = BASE_DIR / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    if arguments.scenario == "pass":
        result = run_pass_room(arguments)
        print_pass_room(result, arguments)
        (out / "certificates_pass_room.json").write_text(json.dumps(result, indent=2))
        return
    # Django is set up once per process: the pass room, on other settings, runs in one of its own.
    pass_command = [sys.executable, __file__, "--scenario", "pass", *(
        value
        for option in ("pass_room", "spread", "questions", "poll", "web",
                       "grading_concurrency", "certificate_concurrency")
        for value in (f"--{option.replace('_', '-')}", str(getattr(arguments, option)))
    )]
    pass_env = dict(os.environ)

    folder = Path(tempfile.mkdtemp(prefix="npv-bench-certificates-"))
    env = _environment(folder)
    os.environ.update(env)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=BASE_DIR, env=env, check=True,
        )
        import django

        django.setup()
        results = run(arguments, env, folder)
    finally:
        if not arguments.keep:
            shutil.rmtree(folder, ignore_errors=True)
    (out / "certificates.json").write_text(json.dumps(results, indent=2))
    if arguments.scenario == "all":
        subprocess.run(pass_command, cwd=BASE_DIR, env=pass_env, check=False)


def run(arguments, env: dict, folder: Path) -> dict:
    from django.core.management import call_command
    from django.test import RequestFactory

    from certificates import lifecycle, rendering, tasks
    from certificates.models import Certificate, CertificateNumberCounter, CertificateVersion

    call_command("load_demo_certificate_design", stdout=open(os.devnull, "w"))  # noqa: SIM115
    course, users = _setup_room(arguments.room)

    # 1-2. One certificate against the floor, in this process.
    certificate = lifecycle.issue_certificate(users[0].pk, course.pk)
    content = lifecycle.content_for(certificate.current_version)
    engine = rendering._get_engine()
    bare_css = engine.weasyprint.CSS(
        string=BARE_CSS, base_url=rendering.RENDER_ORIGIN + "/", url_fetcher=engine.fetcher,
        font_config=engine.font_config,
    )

    def page(html, css, *, write=True, **options):
        # The same garbage-collector treatment as a certificate render.
        with rendering._without_cyclic_gc():
            document = engine.weasyprint.HTML(
                string=html, base_url=rendering.RENDER_ORIGIN + "/", url_fetcher=engine.fetcher
            ).render(stylesheets=[css], font_config=engine.font_config, **options)
            return document.write_pdf() if write else document

    text_css = engine.weasyprint.CSS(
        string=BARE_CSS.replace("24pt", "12pt"), base_url=rendering.RENDER_ORIGIN + "/",
        url_fetcher=engine.fetcher, font_config=engine.font_config,
    )
    text_html = _plain_text_html(content)
    html = rendering.certificate_html(content)
    options = {"pdf_variant": rendering.PDF_VARIANT, "cache": engine.image_cache}
    # Wall-clock time, and CPU time, which other work on a shared machine disturbs less.
    medians = _interleaved_medians(
        {
            "floor": lambda: page(BARE_HTML, bare_css),
            "certificate": lambda: rendering.render_pdf(content),
            "without_pdfa": lambda: rendering.render_pdf(content, pdf_variant=None),
            "html": lambda: rendering.certificate_html(content),
            "qr": lambda: rendering.qr_data_uri(content.verification_url),
            "layout": lambda: page(html, engine.stylesheet, write=False, **options),
            "text_only": lambda: page(text_html, text_css),
        },
        arguments.renders,
    )
    floor, floor_cpu = medians["floor"]
    full, full_cpu = medians["certificate"]
    plain = medians["without_pdfa"][0]
    pdf = rendering.render_pdf(content)

    # 3. The room, issued by two worker processes.
    Certificate.objects.all().delete()
    CertificateNumberCounter.objects.all().delete()
    workers = [_start_worker(env, f"bench{i}", folder) for i in (1, 2)]
    try:
        time.sleep(8)  # both workers up and waiting on the queue
        start = time.perf_counter()
        for user in users:
            tasks.issue_certificate.delay(user.pk, course.pk)
        deadline = start + 600
        done = 0
        while time.perf_counter() < deadline:
            done = CertificateVersion.objects.exclude(pdf="").count()
            if done >= len(users):
                break
            time.sleep(0.2)
        room_seconds = time.perf_counter() - start
    finally:
        for worker in workers:
            stop_process(worker)
    serials = sorted(Certificate.objects.values_list("serial", flat=True))
    breakdown = _room_breakdown(folder / "spans.jsonl", room_seconds, workers=2)

    # 4. Downloading a stored certificate.
    from certificates.views import download as download_view

    holder = Certificate.objects.select_related("user").first()
    factory = RequestFactory()
    url = f"/certificates/download/{holder.display_code}/"

    def download():
        # The view itself (sign-in middleware left out): lookup, permission, streaming.
        request = factory.get(url)
        request.user = holder.user
        response = download_view(request, holder.display_code)
        assert response.status_code == 200
        return b"".join(response.streaming_content)

    download_seconds = _median_seconds(download, arguments.renders)

    results = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "broker": env["CELERY_BROKER_URL"].split("://")[0],
        "floor_render_ms": round(floor * 1000, 1),
        "certificate_render_ms": round(full * 1000, 1),
        "certificate_render_without_pdfa_ms": round(plain * 1000, 1),
        "ratio_to_floor": round(full / floor, 2),
        "floor_render_cpu_ms": round(floor_cpu * 1000, 1),
        "certificate_render_cpu_ms": round(full_cpu * 1000, 1),
        "ratio_to_floor_cpu": round(full_cpu / floor_cpu, 2),
        "certificate_html_cpu_ms": round(medians["html"][1] * 1000, 1),
        "qr_code_cpu_ms": round(medians["qr"][1] * 1000, 1),
        "layout_cpu_ms": round(medians["layout"][1] * 1000, 1),
        "drawing_and_pdf_cpu_ms": round(
            (full_cpu - medians["html"][1] - medians["layout"][1]) * 1000, 1
        ),
        "text_only_cpu_ms": round(medians["text_only"][1] * 1000, 1),
        "ratio_text_only_to_floor_cpu": round(medians["text_only"][1] / floor_cpu, 2),
        "pdf_kb": round(len(pdf) / 1024, 1),
        "room_size": len(users),
        "room_rendered": done,
        "room_seconds": round(room_seconds, 1),
        "room_serials_ok": serials == list(range(1, len(users) + 1)),
        "download_ms": round(download_seconds * 1000, 2),
        "room_render_seconds": round(len(users) * full / 2, 1),
        "room_ratio_to_rendering": round(room_seconds / (len(users) * full / 2), 2),
        "room_breakdown_ms_per_certificate": breakdown,
        # CPU, which other work on a shared machine disturbs less: a pool process's
        # CPU per task against the render's own.
        "room_task_cpu_ratio_to_render_cpu": round(
            breakdown.get("task CPU (this process)", 0) / (full_cpu * 1000), 2
        ),
    }
    print(f"Render, floor (bare page, same font):  {results['floor_render_ms']:8.1f} ms median")
    print(
        f"Render, certificate ({rendering.PDF_VARIANT}):        {results['certificate_render_ms']:8.1f} ms median"
        f"  = {results['ratio_to_floor']}x the floor (target 1.5x)"
    )
    print(
        f"Render, certificate without PDF/A:     "
        f"{results['certificate_render_without_pdfa_ms']:8.1f} ms median"
    )
    print(
        f"CPU time, floor / certificate:         {results['floor_render_cpu_ms']:8.1f} ms / "
        f"{results['certificate_render_cpu_ms']:.1f} ms = {results['ratio_to_floor_cpu']}x"
    )
    print(
        f"  of which HTML (template, Thai line breaks, QR code {results['qr_code_cpu_ms']} ms):"
        f" {results['certificate_html_cpu_ms']} ms, parsing, style and layout:"
        f" {results['layout_cpu_ms']} ms, drawing and writing the PDF:"
        f" {results['drawing_and_pdf_cpu_ms']} ms (CPU)"
    )
    print(
        f"The certificate's texts as plain paragraphs: {results['text_only_cpu_ms']:8.1f} ms CPU"
        f" = {results['ratio_text_only_to_floor_cpu']}x the floor"
    )
    print(f"PDF size:                              {results['pdf_kb']:8.1f} KB (target < 100 KB)")
    print(
        f"Room of {len(users)}, 2 worker processes:      {results['room_seconds']:8.1f} s "
        f"({done} rendered, numbers 1..{len(users)} without gaps: {results['room_serials_ok']})"
        " (target < 60 s)"
    )
    print(
        f"  rendering alone ({len(users)} x {results['certificate_render_ms']} ms / 2 workers):"
        f" {results['room_render_seconds']} s: the room took"
        f" {results['room_ratio_to_rendering']}x its rendering time (target 1.3x)"
    )
    print(
        f"  CPU: a pool process's CPU per task {breakdown.get('task CPU (this process)')} ms"
        f" = {results['room_task_cpu_ratio_to_render_cpu']}x the render's"
        f" {results['certificate_render_cpu_ms']} ms; load average {os.getloadavg()[0]:.1f}"
    )
    _print_breakdown(breakdown)
    print(f"Download of a stored certificate:      {results['download_ms']:8.2f} ms median")
    return results


def _room_breakdown(path: Path, room_seconds: float, workers: int) -> dict:
    """Per certificate, the mean milliseconds of each span the workers
    recorded, and the workers' time not in any task (start, idle at the end)."""
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    if not records:
        return {}
    totals: dict[str, float] = {}
    for record in records:
        for name, seconds in record["spans"].items():
            totals[name] = totals.get(name, 0.0) + seconds
        for name, count in record["counts"].items():
            totals[f"#{name}"] = totals.get(f"#{name}", 0.0) + count
    count = len(records)
    busy = totals.get("task (all)", 0.0) + totals.get("between tasks (broker, pool)", 0.0)
    totals["workers' time outside tasks (start, idle at the end)"] = max(
        0.0, room_seconds * workers - busy - totals.get("process start to first task", 0.0)
    )
    first = [r["spans"]["task (all)"] for r in records if r["n"] == 1]
    result = {
        name: round(value / count * (1 if name.startswith("#") else 1000), 2)
        for name, value in sorted(totals.items())
    }
    result["first task of a process (ms, mean)"] = round(statistics.mean(first) * 1000, 1)
    result["later tasks (ms, median)"] = round(
        statistics.median(r["spans"]["task (all)"] for r in records if r["n"] > 1) * 1000, 1
    )
    result["certificates"] = count
    return result


def _print_breakdown(breakdown: dict) -> None:
    if not breakdown:
        return
    print(
        "  where a worker's time goes, per certificate (ms, mean over the room; indented"
        " spans are part of the one above):"
    )
    layout = [
        ("task (all)", 0),
        ("task CPU (this process)", 1),
        ("issue (all)", 1),
        ("issue: design snapshot", 2),
        ("issue: holder", 2),
        ("issue: serial (locked)", 2),
        ("render_version (all)", 1),
        ("render: content", 2),
        ("render_pdf (all)", 2),
        ("render: HTML + QR", 3),
        ("render: engine (first use: import, fonts, CSS)", 3),
        ("render: WeasyPrint layout", 3),
        ("render: glyph texts, shared images", 3),
        ("render: WeasyPrint drawing + PDF", 3),
        ("render: storing the PDF file", 2),
        ("sql (all queries)", 1),
        ("#queries", 1),
        ("gc", 1),
        ("between tasks (broker, pool)", 0),
        ("process start to first task", 0),
        ("workers' time outside tasks (start, idle at the end)", 0),
        ("first task of a process (ms, mean)", 0),
        ("later tasks (ms, median)", 0),
    ]
    for name, depth in layout:
        if name in breakdown:
            print(f"    {'  ' * depth}{name:<{60 - 2 * depth}} {breakdown[name]:8.2f}")


# -- Pass -> PDF downloadable, over HTTP, while a room passes its last quiz ------------


CODE_LINK = re.compile(r'href="(/[^"]*certificates/download/([0-9A-Z-]+)/)"')


def _wait_for_pdf(volunteer, my_learning_url: str, poll: float, deadline: float) -> None:
    """After the grade is on the page, the volunteer opens My learning every
    `poll` seconds until the download link is there, then downloads the PDF."""
    phone = volunteer.phone
    volunteer.pdf_polls = 0
    while time.monotonic() < deadline:
        time.sleep(poll)
        volunteer.pdf_polls += 1
        status, _, html = phone.request("GET", my_learning_url)
        match = CODE_LINK.search(html) if status == 200 else None
        if match is None:
            continue
        status, headers, body = phone.request("GET", match.group(1))
        if status == 200 and headers.get("Content-Type") == "application/pdf":
            volunteer.pdf_at = time.time()
            return
    volunteer.error = volunteer.error or "no PDF before the deadline"


def _last_quiz_room(volunteers: int, questions: int):
    """quiz_room's room, without its second module: passing the quiz completes
    the course, so each pass issues a certificate. Volunteers have profiles."""
    import quiz_room
    from django.contrib.auth import get_user_model
    from wagtail.models import Page

    from courses.models import ModulePage
    from npv_site.accounts.models import VolunteerProfile

    module_id, cookies = quiz_room.build_room(volunteers, questions)
    second = ModulePage.objects.get(slug="m2")
    Page.objects.get(pk=second.pk).delete()
    users = list(get_user_model().objects.filter(username__startswith="room").order_by("username"))
    VolunteerProfile.objects.bulk_create(
        VolunteerProfile(
            user=user, title="นางสาว", first_name="กาญจนาภรณ์", last_name=f"ศรีสุวรรณ{i}",
            phone=f"08{i:08d}", province="ชุมพร", district="เมืองชุมพร", subdistrict="หาดพันไกร",
            village_no=2, village_name="บ้านหาดกลาง",
        )
        for i, user in enumerate(users)
    )
    return module_id, cookies, [user.pk for user in users]


def run_pass_room(arguments) -> dict:
    """A room passing its last quiz spread over `--spread` seconds, against
    gunicorn (production settings), a grading worker and a certificates
    worker as the Procfile runs them, on PostgreSQL and Redis; each phone then
    waits for its PDF as a volunteer would."""
    import psycopg
    import quiz_room
    import redis

    admin_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    name = f"npv_certificate_bench_{os.getpid()}"
    parts = urlsplit(admin_url)
    database_url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    redis.Redis.from_url(redis_url).flushdb()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    folder = Path(tempfile.mkdtemp(prefix="npv-bench-pass-room-"))
    env = production_env(
        folder, quiz_room.PORT, DATABASE_URL=database_url, CELERY_BROKER_URL=redis_url,
        CACHE_URL=redis_url,
    )
    processes: list[subprocess.Popen] = []
    try:
        for command in (
            ["migrate", "--noinput"], ["collectstatic", "--noinput"],
            ["load_demo_certificate_design"],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True,
                stdout=subprocess.DEVNULL,
            )
        os.environ.update(env)
        import django

        django.setup()
        from django.urls import reverse

        from certificates.models import Certificate
        from courses.models import QuizAttempt

        module_id, cookies, user_ids = _last_quiz_room(arguments.pass_room, arguments.questions)
        log = folder / "workers.log"
        bin_dir = Path(sys.executable).parent
        # As the Procfile runs them (grading, certificates).
        processes.append(quiz_room.start_process(
            [
                str(bin_dir / "celery"), "-A", "npv_site", "worker", "-Q", "grading,default",
                "-n", "grading@%h", "--concurrency", str(arguments.grading_concurrency),
                "--loglevel", "WARNING", "--without-mingle", "--without-gossip",
                "--without-heartbeat",
            ],
            env, log,
        ))
        processes.append(quiz_room.start_process(
            [
                str(bin_dir / "celery"), "-A", "npv_site", "worker", "-Q", "certificates",
                "-n", "certificates@%h", "--concurrency", str(arguments.certificate_concurrency),
                "--max-tasks-per-child", "50", "--max-memory-per-child", "512000",
                "--loglevel", "WARNING", "--without-mingle", "--without-gossip",
                "--without-heartbeat",
            ],
            env, log,
        ))
        web = quiz_room.start_gunicorn(
            env, folder, "npv_site.wsgi", quiz_room.WebConfig.parse(arguments.web)
        )
        processes.append(web)
        time.sleep(8)  # the workers up and their pool processes warm
        my_learning = reverse("courses:my_learning")
        volunteers = [quiz_room.Volunteer(quiz_room.Phone(c)) for c in cookies]
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda v: quiz_room.prepare(v, module_id), volunteers))
        begin = time.monotonic() + 1.0
        deadline = begin + arguments.spread + 300
        step = arguments.spread / len(volunteers)

        def volunteer_run(volunteer, start_at):
            quiz_room.take_quiz(volunteer, start_at)
            if not volunteer.error:
                _wait_for_pdf(volunteer, my_learning, arguments.poll, deadline)

        threads = [
            threading.Thread(target=volunteer_run, args=(v, begin + i * step), daemon=True)
            for i, v in enumerate(volunteers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        load = os.getloadavg()[0]

        # Where the time goes, from the rows' own clocks (one machine, one clock).
        graded = dict(
            QuizAttempt.objects.filter(user_id__in=user_ids).values_list("user_id", "graded_at")
        )
        certificates = {
            c.user_id: c
            for c in Certificate.objects.filter(user_id__in=user_ids).select_related(
                "current_version"
            )
        }
        seen, stored, spans = [], [], {k: [] for k in ("graded", "issued", "rendered", "seen")}
        for user_id, volunteer in zip(user_ids, volunteers, strict=True):
            certificate = certificates.get(user_id)
            if volunteer.error or certificate is None or not certificate.current_version.rendered_at:
                continue
            submitted = volunteer.submitted_at
            marks = (
                graded[user_id].timestamp(),
                certificate.issued_at.timestamp(),
                certificate.current_version.rendered_at.timestamp(),
                volunteer.pdf_at,
            )
            seen.append(volunteer.pdf_at - submitted)
            stored.append(marks[2] - submitted)
            previous = submitted
            for key, mark in zip(spans, marks, strict=True):
                spans[key].append(mark - previous)
                previous = mark
    finally:
        for process in processes:
            stop_process(process)
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        redis.Redis.from_url(redis_url).flushdb()
        shutil.rmtree(folder, ignore_errors=True)

    def figures(values):
        if not values:
            return None
        return {
            "p50_s": round(statistics.median(values), 2),
            "p95_s": round(percentile(values, 95), 2),
            "max_s": round(max(values), 2),
        }

    return {
        "volunteers": len(volunteers),
        "spread_s": arguments.spread,
        "errors": sum(1 for v in volunteers if v.error),
        "error_examples": sorted({v.error for v in volunteers if v.error})[:3],
        "pdf_stored": figures(stored),
        "pdf_downloaded_by_the_phone": figures(seen),
        "steps_median_s": {k: round(statistics.median(v), 3) for k, v in spans.items() if v},
        "steps_p95_s": {k: round(percentile(v, 95), 3) for k, v in spans.items() if v},
        "my_learning_polls": sum(getattr(v, "pdf_polls", 0) for v in volunteers),
        "load_average_end": round(load, 1),
    }


def print_pass_room(result: dict, arguments) -> None:
    print(
        f"Pass -> PDF, {result['volunteers']} volunteers passing their last quiz over"
        f" {result['spread_s']:g} s (gunicorn {arguments.web}, grading concurrency"
        f" {arguments.grading_concurrency}, certificates concurrency"
        f" {arguments.certificate_concurrency}, PostgreSQL + Redis; errors {result['errors']})"
    )
    for example in result["error_examples"]:
        print(f"    error: {example}")
    for label, key in (
        ("PDF stored (row's clock)", "pdf_stored"),
        (f"PDF downloaded by the phone (My learning every {arguments.poll:g} s)",
         "pdf_downloaded_by_the_phone"),
    ):
        f = result[key]
        if f:
            print(
                f"  {label:<58} p50 {f['p50_s']:5.2f} s  p95 {f['p95_s']:5.2f} s"
                f"  max {f['max_s']:5.2f} s (target p95 < 2 s)"
            )
    steps = {
        "graded": "submission -> graded",
        "issued": "graded -> certificate issued",
        "rendered": "issued -> PDF stored",
        "seen": "stored -> the phone has it",
    }
    for key, label in steps.items():
        if key in result["steps_median_s"]:
            print(
                f"    {label:<40} median {result['steps_median_s'][key]:6.3f} s"
                f"  p95 {result['steps_p95_s'][key]:6.3f} s"
            )
    print(
        f"  My learning polls: {result['my_learning_polls']};"
        f" load average at the end {result['load_average_end']}"
    )


if __name__ == "__main__":
    main()
