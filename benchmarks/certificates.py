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
4. the median time to download a stored certificate through the download view.

BENCH_BROKER_URL=redis://127.0.0.1:6379/14 runs the room on Redis instead of
the embedded file-system broker.

Targets (issue 4): certificate within 1.5x the floor, under 100 KB, the room
in under a minute.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _support import BASE_DIR, stop_process

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
    return subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")), "-A", "npv_site", "worker",
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
    arguments = parser.parse_args()

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
    out = BASE_DIR / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "certificates.json").write_text(json.dumps(results, indent=2))


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
    print(f"Download of a stored certificate:      {results['download_ms']:8.2f} ms median")
    return results


if __name__ == "__main__":
    main()
