"""Real Celery worker for integration tests: request the `celery_worker` fixture (one `celery -A npv_site worker` process per session on grading,certificates,notifications,default; waits after each test until the tasks sent have finished) in a test marked `@pytest.mark.django_db(transaction=True, serialized_rollback=True)`; `start_celery_worker(queues=..., concurrency=...)` starts another for one test; `.hold(task, *args, point="start"|"render")`, `.deliveries(task)`, `.results(task)`, `.pool_pids()`, `.media_root` (the worker's MEDIA_ROOT) help fault tests."""  # noqa: E501

# This module is also imported *inside* the worker process (`--include
# tests.celery_worker`): the hooks at the bottom then apply the session's
# private broker options, write the ready file, log each delivery and honour
# holds. In the pytest process it only defines fixtures.

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
ALL_QUEUES = ("grading", "certificates", "notifications", "default")
READY_TIMEOUT = 90

ENV_READY_FILE = "NPV_TEST_WORKER_READY_FILE"
ENV_CONTROL_DIR = "NPV_TEST_WORKER_CONTROL_DIR"
ENV_BROKER_OPTIONS = "NPV_TEST_BROKER_OPTIONS"


# Where a held task waits in the pool process: before its body runs, or
# inside the certificate render (the version claimed, no PDF stored yet).
HOLD_POINTS = ("start", "render")


def _hold_key(task_name: str, args, point: str = "start") -> str:
    raw = json.dumps([task_name, list(args)], default=str)
    key = hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]
    return key if point == "start" else f"{point}-{key}"


def _log_event(control_dir: Path, **event) -> None:
    line = json.dumps(event, default=str) + "\n"
    # One short append per event: whole lines even with several writers.
    with (control_dir / "task-events.jsonl").open("a") as log:
        log.write(line)


def _connect_event_log(control_dir: Path):
    """Record every task this process sends, by task id."""
    from celery.signals import after_task_publish

    def published(sender=None, headers=None, **kwargs):
        task_id = (headers or {}).get("id")
        if task_id:
            _log_event(control_dir, event="published", id=task_id, task=sender)

    after_task_publish.connect(published, weak=False)
    return published


def unfinished_tasks(control_dir: Path) -> list[str]:
    """Tasks sent that no pool process has finished (a "published" event may be
    written after the worker already ran the task, so order is not used)."""
    log = control_dir / "task-events.jsonl"
    if not log.exists():
        return []
    published: dict[str, str] = {}
    finished: set[str] = set()
    for line in log.read_text().splitlines():
        if line.strip():
            event = json.loads(line)
            if event["event"] == "published":
                published[event["id"]] = event.get("task")
            elif event["event"] == "finished":
                finished.add(event["id"])
    return [f"{task}[{task_id}]" for task_id, task in published.items() if task_id not in finished]


# --------------------------------------------------------------------------
# Test-process side
# --------------------------------------------------------------------------


class Hold:
    """A task held in the worker's pool process just before its body runs."""

    def __init__(self, control_dir: Path, task_name: str, args, point: str = "start"):
        if point not in HOLD_POINTS:
            raise ValueError(f"hold point must be one of {HOLD_POINTS}")
        key = _hold_key(task_name, args, point)
        self.hold_file = control_dir / f"hold-{key}"
        self.reached_file = control_dir / f"reached-{key}"
        self.description = f"{task_name}{tuple(args)} at {point}"

    def wait_until_reached(self, timeout: float = 30) -> int:
        """Wait until a pool process is held on the task; return that process's pid."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.reached_file.exists():
                text = self.reached_file.read_text().strip()
                if text:
                    return int(text)
            time.sleep(0.05)
        raise AssertionError(f"No worker picked up {self.description} within {timeout} s")

    def release(self) -> None:
        self.hold_file.unlink(missing_ok=True)


class CeleryWorker:
    """One `celery -A npv_site worker` process and what tests can ask of it."""

    def __init__(
        self, *, queues, concurrency, env, control_dir: Path, run_dir: Path, name: str, args=()
    ):
        self.queues = tuple(queues)
        # More `celery worker` options (benchmarks/worker_loss.py: embedded beat).
        self.args = tuple(args)
        self.concurrency = concurrency
        self.control_dir = control_dir
        self.run_dir = run_dir
        self.name = name
        self.ready_file = run_dir / f"ready-{name}"
        self.log_file = run_dir / f"{name}.log"
        self.media_root = Path(env["MEDIA_ROOT"])
        self._env = env
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {**self._env, ENV_READY_FILE: str(self.ready_file)}
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "npv_site",
            "worker",
            "--include",
            "tests.celery_worker",
            "-Q",
            ",".join(self.queues),
            "--concurrency",
            str(self.concurrency),
            "--pool",
            "prefork",
            "--hostname",
            f"{self.name}@%h",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            *self.args,
        ]
        self._log = self.log_file.open("ab")
        # A session of its own, so that teardown can kill the pool processes too.
        self.process = subprocess.Popen(
            command,
            cwd=BASE_DIR,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.ready_file.exists():
                return True
            if self.process.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def log(self) -> str:
        return self.log_file.read_text(errors="replace") if self.log_file.exists() else ""

    def pool_pids(self) -> list[int]:
        """The prefork pool processes (children of the worker's main process).
        Every thread's list counts: a pool process started again after one
        died may have been forked by another thread than the main one."""
        pids: list[int] = []
        for children in Path(f"/proc/{self.process.pid}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                pids += [int(pid) for pid in children.read_text().split()]
        return sorted(set(pids))

    def hold(
        self, task_name: str, *args, point: str = "start"
    ) -> contextlib.AbstractContextManager[Hold]:
        """Hold the next delivery of `task_name(*args)` until the block ends
        (shared by every worker of this session): before its body runs, or
        with point="render" inside its certificate render, after the render
        claim and before the PDF is stored."""

        @contextlib.contextmanager
        def holding():
            held = Hold(self.control_dir, task_name, args, point)
            held.reached_file.unlink(missing_ok=True)
            held.hold_file.touch()
            try:
                yield held
            finally:
                held.release()

        return holding()

    def deliveries(self, task_name: str) -> list[tuple]:
        """Arguments of every delivery of `task_name` to a pool process, in order
        (redeliveries included), across this session's workers."""
        log = self.control_dir / "deliveries.jsonl"
        if not log.exists():
            return []
        rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        return [tuple(row["args"]) for row in rows if row["task"] == task_name]

    def results(self, task_name: str) -> list[tuple[tuple, object]]:
        """(arguments, return value) of every run of `task_name` that finished
        in a pool process, in order, across this session's workers."""
        log = self.control_dir / "results.jsonl"
        if not log.exists():
            return []
        rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
        return [(tuple(row["args"]), row["retval"]) for row in rows if row["task"] == task_name]

    def abandon(self, task_id: str) -> None:
        """Count as finished a task that died with a killed worker and that
        no broker will give back during the session (wait_idle stops waiting)."""
        _log_event(self.control_dir, event="finished", id=task_id, state="LOST")

    def wait_idle(self, timeout: float = 60) -> bool:
        """Wait until every task this session sent (from the tests or from a
        worker) has finished running; a task retried later counts as finished."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not unfinished_tasks(self.control_dir):
                return True
            time.sleep(0.1)
        left = unfinished_tasks(self.control_dir)
        warnings.warn(f"Celery tasks unfinished after {timeout} s: {left}", stacklevel=2)
        return False

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            self._close_log()
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        # Pool processes left behind by a killed main process.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self._close_log()

    def _close_log(self) -> None:
        log = getattr(self, "_log", None)
        if log is not None and not log.closed:
            log.close()


def _database_url_for(settings_dict: dict) -> str:
    """DATABASE_URL that points a worker at the live test database."""
    name = settings_dict["NAME"]
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(name).resolve()}"
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _broker_reachable(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("", "filesystem", "memory"):
        return True
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2
        ):
            return True
    except OSError:
        return False


def reset_producer_pools(app) -> None:
    """Drop pooled broker connections, e.g. after changing the broker options:
    connections made before would still use the old ones."""
    from kombu import pools

    # kombu keeps its pools in a process-wide registry; reset() empties it.
    pools.reset()
    app._pool = None
    amqp = app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture(scope="session", autouse=True)
def celery_test_broker(tmp_path_factory):
    """Every message this test session sends goes to a broker of its own: a
    private folder (embedded broker) or a private key prefix (Redis). Never
    the developer's var/broker, nor another test run's queues."""
    from npv_site.celery import app

    url = app.conf.broker_url or "filesystem://"
    base = tmp_path_factory.mktemp("celery")
    if url.startswith("filesystem://"):
        folder = base / "broker"
        options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
        }
        for key in ("data_folder_in", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    else:
        options = {
            **(app.conf.broker_transport_options or {}),
            "global_keyprefix": f"npvtest-{os.getpid()}-{uuid.uuid4().hex[:8]}:",
        }
    app.conf.broker_transport_options = options
    reset_producer_pools(app)
    control_dir = base / "control"
    control_dir.mkdir()
    published = _connect_event_log(control_dir)
    yield {"url": url, "options": options, "dir": base, "control_dir": control_dir}
    from celery.signals import after_task_publish

    after_task_publish.disconnect(published)
    reset_producer_pools(app)
    if options.get("global_keyprefix"):
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=2)
            keys = list(client.scan_iter(match=options["global_keyprefix"] + "*"))
            if keys:
                client.delete(*keys)


@pytest.fixture(scope="session")
def line_api_server():
    """The session's fake of LINE's Messaging API (tests/fake_line_api.py): the workers
    send LINE messages to it (npv_site.settings.test reads NPV_TEST_LINE_API_HOST);
    the fake_line_api fixture gives a test a clean one."""
    from tests.fake_line_api import FakeLineAPI

    with FakeLineAPI() as fake:
        yield fake


@pytest.fixture(scope="session")
def start_celery_worker_session(
    celery_test_broker, django_db_setup, tmp_path_factory, line_api_server
):
    """Factory for workers that live until the end of the session."""
    from django.db import connection

    from tests.plugin_fixtures import skip_or_fail

    if not _broker_reachable(celery_test_broker["url"]):
        skip_or_fail(f"Celery broker {celery_test_broker['url']} is not reachable")

    settings_dict = connection.settings_dict
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        import sqlite3

        # Both processes write the file: WAL lets one read while the other writes.
        with contextlib.closing(sqlite3.connect(settings_dict["NAME"])) as db:
            mode = db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        assert mode == "wal", f"test database not in WAL mode: {mode}"

    run_dir = Path(tempfile.mkdtemp(prefix="npv-worker-", dir=celery_test_broker["dir"]))
    control_dir = celery_test_broker["control_dir"]
    media_root = run_dir / "media"
    media_root.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "npv_site.settings.test",
        "NPV_TEST_DB": settings_dict["NAME"],
        "DATABASE_URL": _database_url_for(settings_dict),
        "CELERY_BROKER_URL": celery_test_broker["url"],
        "MEDIA_ROOT": str(media_root),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(BASE_DIR), os.environ.get("PYTHONPATH")])),
        "PYTHONUNBUFFERED": "1",
        ENV_CONTROL_DIR: str(control_dir),
        # What the worker's test channels and e-mails leave for the tests to read
        # (tests/notification_channels.py; the notification_outbox fixture).
        "NPV_TEST_CHANNEL_DIR": str(control_dir / "channel"),
        "NPV_TEST_EMAIL_DIR": str(control_dir / "mail"),
        # LINE on, sending to the session's fake (the LINE channel reaches only people with
        # a LINE link, so the other tests' deliveries are as before).
        "LINE_MESSAGING_CHANNEL_ACCESS_TOKEN": line_api_server.token,
        "NPV_TEST_LINE_API_HOST": line_api_server.url,
        ENV_BROKER_OPTIONS: json.dumps(celery_test_broker["options"]),
    }
    workers: list[CeleryWorker] = []

    def start(queues=ALL_QUEUES, concurrency: int = 2) -> CeleryWorker:
        worker = CeleryWorker(
            queues=queues,
            concurrency=concurrency,
            env=env,
            control_dir=control_dir,
            run_dir=run_dir,
            name=f"test{len(workers) + 1}-{os.getpid()}",
        )
        workers.append(worker)
        worker.start()
        if not worker.wait_ready():
            worker.stop()
            skip_or_fail(f"Celery worker did not start:\n{worker.log()[-3000:]}")
        return worker

    start.workers = workers
    yield start
    for worker in workers:
        worker.stop()
    if not os.environ.get("NPV_TEST_KEEP_WORKER_DIR"):
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def celery_worker_process(start_celery_worker_session) -> CeleryWorker:
    """The session's worker on every queue (started once)."""
    return start_celery_worker_session()


@pytest.fixture
def celery_worker(celery_worker_process) -> CeleryWorker:
    """A worker on every queue, shared by the whole session. After each test
    it waits until every task sent has finished, so that no task is still
    writing while the test database is flushed."""
    yield celery_worker_process
    celery_worker_process.wait_idle()


@pytest.fixture
def start_celery_worker(start_celery_worker_session):
    """Start extra workers (queues=..., concurrency=...) that stop when the test ends."""
    started: list[CeleryWorker] = []

    def start(queues=ALL_QUEUES, concurrency: int = 1) -> CeleryWorker:
        worker = start_celery_worker_session(queues=queues, concurrency=concurrency)
        started.append(worker)
        return worker

    yield start
    if started:
        started[0].wait_idle()
    for worker in started:
        worker.stop()


# --------------------------------------------------------------------------
# Worker-process side: active only in a worker started by the fixtures above.
# --------------------------------------------------------------------------


def _wait_while_held(control_dir: Path, key: str) -> None:
    hold_file = control_dir / f"hold-{key}"
    if hold_file.exists():
        (control_dir / f"reached-{key}").write_text(str(os.getpid()))
        end = time.monotonic() + 120
        while hold_file.exists() and time.monotonic() < end:
            time.sleep(0.05)


def _hold_renders(control_dir: Path, running: dict) -> None:
    """Make the pool process's certificate renders honour "render" holds."""
    from certificates import lifecycle

    real_render_pdf = lifecycle.render_pdf
    if getattr(real_render_pdf, "honours_holds", False):
        return

    def render_pdf(*args, **kwargs):
        if running.get("task"):
            _wait_while_held(control_dir, _hold_key(*running["task"], point="render"))
        return real_render_pdf(*args, **kwargs)

    render_pdf.honours_holds = True
    lifecycle.render_pdf = render_pdf


def _install_worker_hooks() -> None:
    from celery.signals import task_postrun, task_prerun, worker_ready

    from npv_site.celery import app

    options = os.environ.get(ENV_BROKER_OPTIONS)
    if options:
        app.conf.broker_transport_options = json.loads(options)
    control_dir = Path(os.environ[ENV_CONTROL_DIR])
    ready_file = Path(os.environ[ENV_READY_FILE])

    @worker_ready.connect(weak=False)
    def _ready(**kwargs):
        ready_file.write_text(str(os.getpid()))

    _connect_event_log(control_dir)
    # The task the pool process is running, for holds inside it.
    running: dict = {}

    @task_prerun.connect(weak=False)
    def _delivered(task_id=None, task=None, args=None, **kwargs):
        _log_event(control_dir, event="started", id=task_id, task=task.name, pid=os.getpid())
        args = list(args or ())
        line = json.dumps({"task": task.name, "args": args, "pid": os.getpid()}, default=str)
        with (control_dir / "deliveries.jsonl").open("a") as log:
            log.write(line + "\n")
        running["task"] = (task.name, args)
        _hold_renders(control_dir, running)
        _wait_while_held(control_dir, _hold_key(task.name, args))

    @task_postrun.connect(weak=False)
    def _finished(task_id=None, task=None, args=None, retval=None, state=None, **kwargs):
        running.pop("task", None)
        _log_event(control_dir, event="finished", id=task_id, task=task.name, state=state)
        if state != "SUCCESS":
            return
        line = json.dumps(
            {"task": task.name, "args": list(args or ()), "retval": retval}, default=str
        )
        with (control_dir / "results.jsonl").open("a") as log:
            log.write(line + "\n")


if os.environ.get(ENV_CONTROL_DIR) and os.environ.get(ENV_READY_FILE):
    _install_worker_hooks()
