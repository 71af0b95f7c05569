"""Workers on another host: a demonstration, not a test (root only).

    flock /tmp/npv-bench.lock .venv/bin/python benchmarks/workers_elsewhere.py [--volunteers 311]

Shows that the grading and certificates workers of the Procfile run on a
machine other than the web's, sharing only PostgreSQL, the broker (Redis)
and the media folder. The other machine is a network namespace with a host
name of its own, joined to this one by a veth pair:

    this host  10.77.0.1  (npv-host)  <-- veth -->  (npv-ns)  10.77.0.2  "worker-2"

For the run, PostgreSQL also listens on 10.77.0.1 and lets 10.77.0.0/24 in
(trust, for the bench database only), and Redis binds 10.77.0.1 too. Inside
the namespace, a grading worker and the only certificates worker run the
Procfile's commands against 10.77.0.1; the same filesystem path stands for
the shared media (NFS or a bucket in real life). On this host, gunicorn and
a second grading worker. A room of volunteers takes the quiz over HTTP (as
quiz_room.py's phones do); passing completes the course, so each volunteer's
certificate is rendered in the namespace and downloaded from this host's web.

Printed: what each worker did (tasks from its log), the addresses PostgreSQL
saw, and the certificates served. Everything is put back afterwards, on
failure too: PostgreSQL's listen_addresses and pg_hba.conf (and a restart),
Redis's bind, the namespace and the veth pair.

Throwaway PostgreSQL database (BENCH_DATABASE_URL's server, default
postgres://postgres@127.0.0.1:5432/test); Redis database 13 (BENCH_REDIS_URL),
emptied at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("BENCH_PORT", "8794")

from _support import BASE_DIR, production_env, stop_process  # noqa: E402
from course_steps import (  # noqa: E402
    PORT,
    build_course,
    procfile_command,
    signed_in_room,
    start_web,
    wait_for_certificates,
)
from quiz_room import Phone, Volunteer, prepare, take_quiz, wait_for  # noqa: E402

NAMESPACE = "npv-remote"
HOST_LINK, NS_LINK = "npv-host", "npv-ns"
HOST_ADDRESS, NS_ADDRESS, SUBNET = "10.77.0.1", "10.77.0.2", "10.77.0.0/24"
REMOTE_HOSTNAME = "worker-2"
HBA_MARK = "# benchmarks/workers_elsewhere.py"


def sh(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, capture_output=True, text=True)


class Undo:
    """What was changed, put back in reverse order, each step whatever the
    others did."""

    def __init__(self):
        self.steps: list[tuple[str, callable]] = []

    def push(self, what: str, step) -> None:
        self.steps.append((what, step))

    def run(self) -> None:
        while self.steps:
            what, step = self.steps.pop()
            try:
                step()
                print(f"  restored: {what}")
            except Exception as error:  # keep restoring the rest
                print(f"  could not restore {what}: {error}")


# -- The other host ---------------------------------------------------------------


def make_namespace(undo: Undo) -> None:
    sh("ip", "netns", "del", NAMESPACE, check=False)  # a leftover of an interrupted run
    sh("ip", "link", "del", HOST_LINK, check=False)
    sh("ip", "netns", "add", NAMESPACE)
    undo.push(f"network namespace {NAMESPACE} deleted", lambda: sh("ip", "netns", "del", NAMESPACE))
    sh("ip", "link", "add", HOST_LINK, "type", "veth", "peer", "name", NS_LINK)
    undo.push(f"veth {HOST_LINK} deleted", lambda: sh("ip", "link", "del", HOST_LINK, check=False))
    sh("ip", "link", "set", NS_LINK, "netns", NAMESPACE)
    sh("ip", "addr", "add", f"{HOST_ADDRESS}/24", "dev", HOST_LINK)
    sh("ip", "link", "set", HOST_LINK, "up")
    inside = ("ip", "netns", "exec", NAMESPACE)
    sh(*inside, "ip", "addr", "add", f"{NS_ADDRESS}/24", "dev", NS_LINK)
    sh(*inside, "ip", "link", "set", NS_LINK, "up")
    sh(*inside, "ip", "link", "set", "lo", "up")


def pg_cluster() -> tuple[str, str]:
    version, cluster = sh("pg_lsclusters", "-h").stdout.split()[:2]
    return version, cluster


def restart_postgres() -> None:
    version, cluster = pg_cluster()
    sh("pg_ctlcluster", "--skip-systemctl-redirect", version, cluster, "restart", "-m", "fast")


def wait_for_postgres(admin_url: str) -> None:
    import psycopg

    end = time.monotonic() + 60
    while True:
        try:
            psycopg.connect(admin_url).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > end:
                raise
            time.sleep(0.5)


def open_postgres(admin_url: str, database: str, undo: Undo) -> None:
    """PostgreSQL listening on HOST_ADDRESS as well, and letting the
    namespace's subnet into the bench database only."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        listen = admin.execute("SHOW listen_addresses").fetchone()[0]
        hba_file = Path(admin.execute("SHOW hba_file").fetchone()[0])
        auto = Path(admin.execute("SHOW data_directory").fetchone()[0]) / "postgresql.auto.conf"
        was_set = "listen_addresses" in auto.read_text()
        hba_before = hba_file.read_text()

        def put_back():
            hba_file.write_text(hba_before)
            with psycopg.connect(admin_url, autocommit=True) as again:
                if was_set:
                    again.execute(f"ALTER SYSTEM SET listen_addresses = '{listen}'")
                else:
                    again.execute("ALTER SYSTEM RESET listen_addresses")
            restart_postgres()
            wait_for_postgres(admin_url)

        undo.push(f"PostgreSQL listen_addresses = {listen!r}, {hba_file} as it was", put_back)
        addresses = ",".join(dict.fromkeys([*listen.split(","), HOST_ADDRESS]))
        admin.execute(f"ALTER SYSTEM SET listen_addresses = '{addresses}'")
    hba_file.write_text(
        hba_before.rstrip("\n") + f"\nhost {database} all {SUBNET} trust {HBA_MARK}\n"
    )
    restart_postgres()
    wait_for_postgres(admin_url)


def open_redis(redis_url: str, undo: Undo) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    bind = client.config_get("bind")["bind"]
    protected = client.config_get("protected-mode")["protected-mode"]
    undo.push(
        f"Redis bind {bind!r}", lambda: redis.Redis.from_url(redis_url).config_set("bind", bind)
    )
    client.config_set("bind", f"{bind} {HOST_ADDRESS}")
    # Protected mode, with no password set, answers only loopback clients; the
    # bind above still keeps Redis to this host and the veth.
    undo.push(
        f"Redis protected-mode {protected}",
        lambda: redis.Redis.from_url(redis_url).config_set("protected-mode", protected),
    )
    client.config_set("protected-mode", "no")


# -- The workers ------------------------------------------------------------------


def remote_command(command: list[str]) -> list[str]:
    """A command run on the other host: in the namespace, with a host name
    of its own (so Celery's %h names its workers apart)."""
    inner = " ".join(f"'{word}'" for word in command)
    return [
        "ip",
        "netns",
        "exec",
        NAMESPACE,
        "unshare",
        "--uts",
        "sh",
        "-c",
        f"hostname {REMOTE_HOSTNAME} && exec {inner}",
    ]


def start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=BASE_DIR,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def ready(log: Path) -> bool:
    return " ready." in log.read_text(errors="replace")


TASK_DONE = re.compile(r"Task ([\w.]+)\[[\w-]+\] succeeded")


def tasks_done(log: Path) -> Counter:
    return Counter(TASK_DONE.findall(log.read_text(errors="replace")))


def drive_room(volunteers: int, module_id: int, spread: float) -> list[Volunteer]:
    room = [Volunteer(Phone(cookies)) for cookies in signed_in_room(volunteers, "room")]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda v: prepare(v, module_id), room))
    begin = time.monotonic() + 0.5
    threads = [
        threading.Thread(target=take_quiz, args=(v, begin + i * spread / len(room)), daemon=True)
        for i, v in enumerate(room)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return room


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--volunteers", type=int, default=311)
    parser.add_argument("--spread", type=float, default=20.0, help="seconds of arrivals")
    arguments = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit(
            "workers_elsewhere.py makes a network namespace and changes PostgreSQL's "
            "and Redis's configuration: run it as root."
        )

    admin_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ["BENCH_ADMIN_URL"] = admin_url
    name = f"npv_remote_bench_{os.getpid()}"
    parts = urlsplit(admin_url)
    database_url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    redis_parts = urlsplit(redis_url)

    def at(url_parts, address: str, path: str) -> str:
        netloc = url_parts.netloc.replace(url_parts.hostname, address)
        return urlunsplit((url_parts.scheme, netloc, path, "", ""))

    remote_database_url = at(parts, HOST_ADDRESS, f"/{name}")
    remote_redis_url = at(redis_parts, HOST_ADDRESS, redis_parts.path)

    import psycopg
    import redis

    folder = Path(tempfile.mkdtemp(prefix="npv-remote-bench-"))
    shared_media = folder / "shared-media"
    env = production_env(
        folder,
        PORT,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=redis_url,
        CACHE_URL=redis_url,
        MEDIA_ROOT=str(shared_media),
    )
    # The other host: its own var folder, the same media, services over the veth.
    remote_env = {
        **env,
        "DATABASE_URL": remote_database_url,
        "CELERY_BROKER_URL": remote_redis_url,
        "CACHE_URL": remote_redis_url,
        "NPV_VAR_DIR": str(folder / "remote-var"),
    }
    undo = Undo()
    processes: list[subprocess.Popen] = []
    logs = {
        "host grading": folder / "host-grading.log",
        "worker-2 grading": folder / "remote-grading.log",
        "worker-2 certificates": folder / "remote-certificates.log",
    }
    summary = {}
    try:
        redis.Redis.from_url(redis_url).flushdb()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        undo.push(f"database {name} dropped", lambda: drop_database(admin_url, name))
        print(f"Other host: namespace {NAMESPACE}, {NS_ADDRESS} -> {HOST_ADDRESS}")
        make_namespace(undo)
        open_redis(redis_url, undo)
        open_postgres(admin_url, name, undo)
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
        course = build_course(lessons=1, questions=8)

        processes.append(start(procfile_command("grading"), env, logs["host grading"]))
        processes.append(
            start(remote_command(procfile_command("grading")), remote_env, logs["worker-2 grading"])
        )
        processes.append(
            start(
                remote_command(procfile_command("certificates")),
                remote_env,
                logs["worker-2 certificates"],
            )
        )
        for what, log in logs.items():
            wait_for(lambda log=log: ready(log), f"{what} worker", timeout=120)
        processes.append(start_web(env, folder, None))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            clients = admin.execute(
                "SELECT host(client_addr), count(*) FROM pg_stat_activity WHERE datname = %s "
                "GROUP BY 1 ORDER BY 1",
                [name],
            ).fetchall()
        print(f"PostgreSQL connections to {name} by address: {clients}")

        print(f"{arguments.volunteers} volunteers take the quiz over {arguments.spread:g} s...")
        begin = time.monotonic()
        room = drive_room(arguments.volunteers, course["module_id"], arguments.spread)
        errors = [v.error for v in room if v.error]
        graded = time.monotonic() - begin
        from django.contrib.auth import get_user_model

        user_ids = list(
            get_user_model()
            .objects.filter(username__startswith="room")
            .values_list("pk", flat=True)
        )
        stored = wait_for_certificates(user_ids, timeout=900)
        summary["room"] = (
            f"{len(room)} volunteers, {len(errors)} errors {sorted(set(errors))[:2]}; "
            f"graded and seen in {graded:.1f} s, all certificates stored "
            f"{stored:.1f} s later"
        )
        summary["served"] = serve_certificates(room, user_ids, shared_media)
        with psycopg.connect(admin_url, autocommit=True) as admin:
            summary["PostgreSQL connections by client address, after the room"] = dict(
                admin.execute(
                    "SELECT host(client_addr), count(*) FROM pg_stat_activity "
                    "WHERE datname = %s GROUP BY 1 ORDER BY 1",
                    [name],
                ).fetchall()
            )
        time.sleep(2)  # the last "succeeded" lines reach the logs
        for what, log in logs.items():
            summary[what] = dict(tasks_done(log))
        summary["hosts in the logs"] = sorted(
            set(
                re.findall(
                    r"(?:grading|certificates)@([\w.-]+) ready",
                    "".join(log.read_text(errors="replace") for log in logs.values()),
                )
            )
        )
    except BaseException:
        for what, log in logs.items():
            if log.exists():
                print(f"--- {what} log (end)\n" + log.read_text(errors="replace")[-2500:])
        raise
    finally:
        for process in processes:
            stop_process(process)
        from django.db import connections

        connections.close_all()
        print("Putting back:")
        undo.run()
        redis.Redis.from_url(redis_url).flushdb()
        left = sh("ip", "netns", "list").stdout.split()
        print(f"  namespaces left: {left or 'none'}")
        if not os.environ.get("BENCH_KEEP"):
            subprocess.run(["rm", "-rf", str(folder)], check=False)

    print("\nWhat each worker did:")
    for key, value in summary.items():
        print(f"  {key}: {value}")


def drop_database(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def serve_certificates(room: list[Volunteer], user_ids: list[int], media: Path) -> str:
    """Each volunteer downloads the certificate, rendered on the other host,
    from this host's web."""
    from django.conf import settings
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.cached_db import SessionStore

    from certificates.models import Certificate

    codes = dict(Certificate.objects.filter(user_id__in=user_ids).values_list("user_id", "code"))
    files = list(media.glob("certificates/pdf/*/*.pdf"))
    ok = 0
    for volunteer in room:
        # The phone's session says whose certificate it asks for.
        key = volunteer.phone.cookies.get(settings.SESSION_COOKIE_NAME)
        user_id = int(SessionStore(session_key=key).get(SESSION_KEY))
        status, _, body = volunteer.phone.request(
            "GET", f"/certificates/download/{codes[user_id]}/"
        )
        if status == 200 and body.startswith("%PDF"):
            ok += 1
    return (
        f"{ok} of {len(room)} certificates downloaded as PDFs from this host's web; "
        f"{len(files)} PDF files in the shared media folder"
    )


if __name__ == "__main__":
    main()
