"""Worker-loss benchmark: prints figures, asserts nothing.

    .venv/bin/python benchmarks/worker_loss.py [--brokers filesystem,redis,redis-short,rabbitmq]
        [--sweep-interval 60] [--sweep-after 120]

How long a certificate takes to come back when its whole certificate worker
is killed (SIGKILL to its main process; billiard's parent death signal takes
the pool process with it) in the middle of rendering it, with each broker:

- filesystem: the embedded broker (kombu's file-system transport);
- redis: Redis with kombu's default visibility timeout (1 hour);
- redis-short: Redis with `visibility_timeout` 30 s, to show Redis's own
  redelivery at work;
- rabbitmq: RabbitMQ (a private virtual host, made with rabbitmqctl and
  removed afterwards).

Per broker: a grading worker with beat embedded (`-B`, the periodic sweep
every --sweep-interval seconds) runs all along; a certificates worker takes
the certificate task, is held inside the render (the render claimed, nothing
stored: tests/celery_worker.py's "render" hold) and killed; a fresh
certificates worker is started at once, as systemd would restart it. Printed:
seconds from the kill until the PDF is stored, when the fresh worker was
ready, and whether the certificate came from the broker redelivering the
killed task (same task id) or from the sweep.

The defaults are the production settings (SWEEP_INTERVAL_SECONDS 60,
CERTIFICATE_SWEEP_AFTER_SECONDS 120), so a sweep recovery takes 2-3 minutes
and the whole run about ten; --sweep-interval 5 --sweep-after 20 shows the
same mechanisms in about two. Everything runs under a temporary folder
(SQLite database, media, embedded broker, beat schedule); Redis runs use
BENCH_REDIS_URL (default redis://127.0.0.1:6379/0) under a private key
prefix, deleted at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

ISSUE_TASK = "certificates.tasks.issue_certificate"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
# No user in the URL: kombu logs in as RabbitMQ's default guest user.
AMQP_SERVER = os.environ.get("BENCH_AMQP_SERVER", "amqp://127.0.0.1:5672")
SHORT_VISIBILITY_TIMEOUT = 30


def _rabbitmqctl(*args: str) -> bool:
    try:
        subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=60)  # noqa: S603, S607
    except (OSError, subprocess.SubprocessError):
        return False
    return True


@contextlib.contextmanager
def broker(name: str, folder: Path):
    """(broker URL, transport options for the workers) of a private broker."""
    if name == "filesystem":
        queue = folder / "broker" / "queue"
        options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(folder / "broker" / "control"),
            "store_processed": False,
            "polling_interval": 0.05,
        }
        for key in ("data_folder_in", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
        yield "filesystem://", options
    elif name in ("redis", "redis-short"):
        prefix = f"npvbench-{uuid.uuid4().hex[:8]}:"
        options = {"socket_connect_timeout": 2, "global_keyprefix": prefix}
        if name == "redis-short":
            # Scan for messages past their visibility timeout every 5 s, not 100 s.
            options |= {
                "visibility_timeout": SHORT_VISIBILITY_TIMEOUT,
                "unacked_restore_interval": 5,
                "unacked_restore_throttle": 1,
            }
        try:
            yield REDIS_URL, options
        finally:
            import redis

            client = redis.Redis.from_url(REDIS_URL)
            keys = list(client.scan_iter(match=prefix + "*"))
            if keys:
                client.delete(*keys)
    elif name == "rabbitmq":
        vhost = f"npv-bench-{uuid.uuid4().hex[:8]}"
        private = _rabbitmqctl("add_vhost", vhost) and _rabbitmqctl(
            "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"
        )
        if not private:
            print("  (rabbitmqctl unavailable: using the default virtual host)")
        try:
            yield f"{AMQP_SERVER}/{vhost if private else ''}", {"socket_connect_timeout": 2}
        finally:
            if private:
                _rabbitmqctl("delete_vhost", vhost)
    else:
        raise SystemExit(f"unknown broker {name!r}")


def _settings_environment(folder: Path, arguments) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "npv_site.settings.base",
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "NPV_VAR_DIR": str(folder),
        "MEDIA_ROOT": str(folder / "media"),
        "SITE_URL": "https://elearning.example.org",
        "SWEEP_INTERVAL_SECONDS": str(arguments.sweep_interval),
        "CERTIFICATE_SWEEP_AFTER_SECONDS": str(arguments.sweep_after),
        "PYTHONPATH": str(BASE_DIR),
        "PYTHONUNBUFFERED": "1",
    }


def _completed_volunteer(course, number: int):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from courses.models import Enrolment
    from npv_site.accounts.models import VolunteerProfile

    user = get_user_model().objects.create(username=f"lost{number}-{uuid.uuid4().hex[:6]}")
    VolunteerProfile.objects.create(
        user=user,
        title="นางสาว",
        first_name="กาญจนาภรณ์",
        last_name="ศรีสุวรรณ",
        phone=f"0812345{number:03d}",
        province="ชุมพร",
        district="เมืองชุมพร",
        subdistrict="หาดพันไกร",
        village_no=2,
        village_name="บ้านหาดกลาง",
    )
    Enrolment.objects.create(user=user, course=course, completed_at=timezone.now())
    return user


def _course():
    from wagtail.models import Site

    from courses.models import CourseIndexPage, CoursePage, ModulePage

    home = Site.objects.get(is_default_site=True).root_page
    index = home.add_child(instance=CourseIndexPage(title="หลักสูตรทั้งหมด", slug="courses"))
    course = index.add_child(
        instance=CoursePage(title="การดูแลอินเทอร์เน็ตหมู่บ้านสำหรับเน็ตอาสาประชารัฐ", slug="course")
    )
    course.add_child(instance=ModulePage(title="บทเรียนหลักที่ 1", slug="module-1"))
    return course


def _finished_ids(control_dir: Path) -> set[str]:
    log = control_dir / "task-events.jsonl"
    if not log.exists():
        return set()
    events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return {e["id"] for e in events if e["event"] == "finished" and e.get("state") == "SUCCESS"}


def run_one(name: str, number: int, course, arguments, folder: Path) -> dict:
    from certificates import tasks
    from certificates.models import CertificateVersion
    from npv_site.celery import app
    from tests.celery_worker import ENV_BROKER_OPTIONS, ENV_CONTROL_DIR, CeleryWorker

    run_dir = folder / f"run-{name}"
    control_dir = run_dir / "control"
    control_dir.mkdir(parents=True)
    with broker(name, run_dir) as (url, options):
        env = {
            **_settings_environment(folder, arguments),
            "CELERY_BROKER_URL": url,
            ENV_CONTROL_DIR: str(control_dir),
            ENV_BROKER_OPTIONS: json.dumps(options),
        }
        app.conf.broker_url = url
        app.conf.broker_write_url = url
        app.conf.broker_read_url = url
        app.conf.broker_transport_options = options
        from tests.celery_worker import reset_producer_pools

        reset_producer_pools(app)

        def worker(label: str, queues, args=()) -> CeleryWorker:
            started = CeleryWorker(
                queues=queues,
                concurrency=1,
                env=env,
                control_dir=control_dir,
                run_dir=run_dir,
                name=f"{label}-{name}",
                args=args,
            )
            started.start()
            if not started.wait_ready():
                raise RuntimeError(f"worker {label} did not start:\n{started.log()[-2000:]}")
            return started

        schedule = str(run_dir / "celerybeat-schedule")
        grading = worker("grading", ("grading", "default"), ("-B", "-s", schedule))
        doomed = worker("certificates", ("certificates",))
        fresh = None
        try:
            user = _completed_volunteer(course, number)
            with doomed.hold(ISSUE_TASK, user.pk, course.pk, point="render") as held:
                killed_id = tasks.issue_certificate.delay(user.pk, course.pk).id
                held.wait_until_reached(timeout=60)
                os.kill(doomed.process.pid, signal.SIGKILL)
                killed_at = time.monotonic()
                doomed.process.wait(timeout=10)
            fresh = worker("certificates-fresh", ("certificates",))
            ready = time.monotonic() - killed_at

            version = CertificateVersion.objects.get(certificate__user=user)
            limit = arguments.sweep_after + 3 * arguments.sweep_interval + 60
            recovered = None
            while time.monotonic() - killed_at < limit:
                version.refresh_from_db()
                if version.pdf:
                    recovered = time.monotonic() - killed_at
                    break
                time.sleep(0.2)
            time.sleep(1)  # the finishing task's event
            by = "not recovered"
            if recovered is not None:
                by = "redelivery" if killed_id in _finished_ids(control_dir) else "sweep"
        finally:
            for process in (grading, doomed, fresh):
                if process is not None:
                    process.stop()
    return {
        "broker": name,
        "recovered_seconds": None if recovered is None else round(recovered, 1),
        "fresh_worker_ready_seconds": round(ready, 1),
        "by": by,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", default="filesystem,redis,redis-short,rabbitmq")
    parser.add_argument("--sweep-interval", type=int, default=60, help="SWEEP_INTERVAL_SECONDS")
    parser.add_argument(
        "--sweep-after", type=int, default=120, help="CERTIFICATE_SWEEP_AFTER_SECONDS"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    arguments = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="npv-bench-worker-loss-"))
    env = _settings_environment(folder, arguments)
    os.environ.update(env)
    rows = []
    try:
        subprocess.run(  # noqa: S603
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            check=True,
        )
        import django

        django.setup()
        course = _course()
        print(
            f"Whole certificates worker killed mid-render; sweep every {arguments.sweep_interval} s,"
            f" certificates swept after {arguments.sweep_after} s"
        )
        print(f"{'broker':<13} {'kill → PDF stored':>18} {'fresh worker ready':>19}  recovered by")
        for number, name in enumerate(arguments.brokers.split(","), start=1):
            row = run_one(name, number, course, arguments, folder)
            rows.append(row)
            seconds = row["recovered_seconds"]
            shown = "—" if seconds is None else f"{seconds:.1f} s"
            print(
                f"{name:<13} {shown:>18} {row['fresh_worker_ready_seconds']:>17.1f} s  {row['by']}",
                flush=True,
            )
    finally:
        if not arguments.keep:
            shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    results = {
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "sweep_interval_seconds": arguments.sweep_interval,
        "certificate_sweep_after_seconds": arguments.sweep_after,
        "redis_short_visibility_timeout": SHORT_VISIBILITY_TIMEOUT,
        "load_average": [round(x, 2) for x in load],
        "runs": rows,
    }
    if (arguments.sweep_interval, arguments.sweep_after) == (60, 120):
        # Only the production settings' figures are kept (docs/deploying.md quotes them).
        out = BASE_DIR / "benchmarks" / "results"
        out.mkdir(exist_ok=True)
        (out / "worker_loss.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
