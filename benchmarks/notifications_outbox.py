"""Notifications outbox benchmark, LINE: prints figures, asserts nothing.

    flock /tmp/npv-bench.lock .venv/bin/python benchmarks/notifications_outbox.py \
        [--recipients 24700] [--workers 2]

An event to 24,700 volunteers who linked LINE (allauth's SocialAccount) and consented to the
privacy notice, so LINE is on for them by default, through the whole outbox: notify() writes
the event and one LINE and one on-site delivery per person (the LINE ones in batches of 500),
and two `celery worker` processes on the notifications queue send the batches by multicast
(with the friendship look-up before each recipient, as in production) to the local fake of
the Messaging API (tests/fake_line_api.py) in a process of its own, at LINE's rate limits.
Issue 21's targets: enqueued in under 5 s, delivered in under 5 minutes, nobody messaged twice.

Beside it, from the same run, the baseline: the LINE channel alone (LineChannel.send_many over
the same deliveries in chunks of 500, from this process, no outbox, no broker, no worker)
against a fresh fake; the outbox's cost is the ratio to it.

Printed: notify()'s time (enqueue), time until every LINE delivery is marked sent, messages a
second, 429s met, peak memory of this process and of the workers' pool processes (VmHWM), and
people messaged twice or missed, counted by the fake. PostgreSQL when DATABASE_URL says so
(a database of the script's own), Redis when CELERY_BROKER_URL says so (a private key prefix).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from benchmarks._support import run_in_test_database, use_own_test_database  # noqa: E402
from benchmarks.line_messages import memory_kb, serve_fake  # noqa: E402

LINE = "notifications.channels.line.LineChannel"
TOKEN = "fake-line-channel-token"  # noqa: S105 (the fake's)


def start_fake():
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve_fake, args=(child,))
    server.start()
    return server, parent, parent.recv()


def fake_report(server, pipe) -> dict:
    pipe.send("report")
    report = pipe.recv()
    server.join(10)
    return report


def make_volunteers(count: int) -> list[int]:
    from allauth.socialaccount.models import SocialAccount
    from django.contrib.auth import get_user_model

    from notifications.models import QuietHoursChoice
    from npv_site.accounts.models import PrivacyConsent
    from tests.fake_line_api import line_user_id

    User = get_user_model()
    tag = uuid.uuid4().hex[:6]
    users = User.objects.bulk_create(
        # "!": an unusable password, as a LINE-only sign-up has.
        [User(username=f"line{tag}{n}", email="", password="!") for n in range(count)],  # noqa: S106
        batch_size=2000,
    )
    SocialAccount.objects.bulk_create(
        [
            SocialAccount(user=user, provider="line", uid=line_user_id(n + 1), extra_data={})
            for n, user in enumerate(users)
        ],
        batch_size=2000,
    )
    PrivacyConsent.objects.bulk_create(
        [PrivacyConsent(user=user, notice_version="2026-11") for user in users], batch_size=2000
    )
    # Whatever the hour it runs at: nobody held for the quiet hours.
    QuietHoursChoice.objects.bulk_create(
        [QuietHoursChoice(user=user, allow_during_quiet_hours=True) for user in users],
        batch_size=2000,
    )
    return [user.pk for user in users]


def baseline(user_ids: list[int]) -> dict:
    """The channel alone: send_many per chunk of 500 from this process, retrying with the
    failed request's key after its Retry-After (as the outbox does)."""
    from django.contrib.auth import get_user_model

    from notifications.channels.base import TransientError
    from notifications.channels.line import LineChannel, multicast_batches
    from notifications.messages import Message

    message = Message("ข้อความจากวิทยากร", "พรุ่งนี้เริ่มอบรม", "https://e.example.org/", "เปิดดู", "x")

    class Item:
        def __init__(self, user):
            self.user, self.key, self.pk = user, uuid.uuid4(), user.pk

        def message(self):
            return message

    users = list(get_user_model().objects.filter(pk__in=user_ids).only("pk"))
    items = [Item(user) for user in users]
    server, pipe, url = start_fake()
    channel = LineChannel()
    retries = 0
    with settings_for(url):
        started = time.perf_counter()
        for _key, chunk in multicast_batches(items):
            pending, retry_key = chunk, None
            while pending:
                outcome = channel.send_many(pending, retry_key=retry_key)
                failed = [d for d in pending if isinstance(outcome[d.key], TransientError)]
                if failed:
                    error = outcome[failed[0].key]
                    retries += 1
                    retry_key = error.retry_key
                    time.sleep(error.retry_after if error.retry_after is not None else 0.5)
                pending = failed
        elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "report": fake_report(server, pipe), "retries": retries}


class settings_for:  # noqa: N801 (a context manager read as a phrase)
    def __init__(self, url: str):
        from django.test import override_settings

        from notifications.channels import line

        line._api_client.cache_clear()
        self.override = override_settings(
            NOTIFICATIONS_CHANNELS=[
                "notifications.channels.email.EmailChannel",
                "notifications.channels.site.SiteChannel",
                LINE,
            ],
            NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN=TOKEN,
            NOTIFICATIONS_LINE_API_HOST=url,
        )

    def __enter__(self):
        self.override.enable()

    def __exit__(self, *exc):
        self.override.disable()


def outbox(user_ids: list[int], db_name: str, workers: int) -> dict:
    from django.db import connection

    from notifications import notify
    from notifications.models import Delivery
    from npv_site.celery import app
    from tests.celery_worker import (
        ENV_BROKER_OPTIONS,
        ENV_CONTROL_DIR,
        CeleryWorker,
        _database_url_for,
        reset_producer_pools,
    )

    folder = Path(tempfile.mkdtemp(prefix="npv-bench-outbox-"))
    control_dir = folder / "control"
    control_dir.mkdir()
    url = app.conf.broker_url or "filesystem://"
    prefix = f"npvbench-{uuid.uuid4().hex[:8]}:"
    if url.startswith("filesystem://"):
        queue = folder / "broker"
        options = {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "control_folder": str(folder / "broker-control"),
            "store_processed": False,
            "polling_interval": 0.05,
        }
        for key in ("data_folder_in", "control_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    else:
        options = {"socket_connect_timeout": 2, "global_keyprefix": prefix}
    app.conf.broker_transport_options = options
    reset_producer_pools(app)
    server, pipe, fake_url = start_fake()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "npv_site.settings.test",
        "NPV_TEST_DB": db_name,
        "DATABASE_URL": _database_url_for(connection.settings_dict),
        "CELERY_BROKER_URL": url,
        "MEDIA_ROOT": str(folder / "media"),
        "PYTHONPATH": str(BASE_DIR),
        "PYTHONUNBUFFERED": "1",
        "LINE_MESSAGING_CHANNEL_ACCESS_TOKEN": TOKEN,
        "NPV_TEST_LINE_API_HOST": fake_url,
        ENV_CONTROL_DIR: str(control_dir),
        ENV_BROKER_OPTIONS: json.dumps(options),
    }
    started_workers = []
    try:
        for number in range(workers):
            worker = CeleryWorker(
                queues=("notifications",),
                concurrency=1,
                env=env,
                control_dir=control_dir,
                run_dir=folder,
                name=f"bench{number}-{os.getpid()}",
            )
            worker.start()
            if not worker.wait_ready():
                raise RuntimeError(f"worker did not start:\n{worker.log()[-2000:]}")
            started_workers.append(worker)
        with settings_for(fake_url):
            rss_before = memory_kb("VmRSS")
            started = time.perf_counter()
            event = notify(
                "cohorts.message",
                user_ids,
                key=f"bench-{uuid.uuid4()}",
                context={"text": "พรุ่งนี้เริ่มอบรมโมดูลที่ 2 เวลา 9 โมงเช้า"},
            )
            enqueued = time.perf_counter() - started
            notify_growth = (memory_kb("VmRSS") - rss_before) / 1024
            line_rows = Delivery.objects.filter(event=event, channel="line")
            total = line_rows.count()
            limit = started + 600
            while time.perf_counter() < limit:
                if not line_rows.exclude(status__in=("sent", "failed")).exists():
                    break
                time.sleep(0.25)
            delivered = time.perf_counter() - started
            sent = line_rows.filter(status="sent").count()
            failed = line_rows.filter(status="failed").count()
            batches = line_rows.values("batch_key").distinct().count()
        pool_peaks = []
        for worker in started_workers:
            for pid in worker.pool_pids():
                with contextlib.suppress(OSError, StopIteration):
                    pool_peaks.append(
                        int(
                            next(
                                row.split()[1]
                                for row in Path(f"/proc/{pid}/status").read_text().splitlines()
                                if row.startswith("VmHWM:")
                            )
                        )
                        / 1024
                    )
    finally:
        for worker in started_workers:
            worker.stop()
        report = fake_report(server, pipe)
        if options.get("global_keyprefix"):
            import redis

            client = redis.Redis.from_url(url)
            keys = list(client.scan_iter(match=prefix + "*"))
            if keys:
                client.delete(*keys)
    return {
        "enqueue_seconds": enqueued,
        "seconds": delivered,
        "rows": total,
        "sent": sent,
        "failed": failed,
        "batches": batches,
        "notify_growth_mb": notify_growth,
        "pool_peak_mb": max(pool_peaks) if pool_peaks else 0,
        "report": report,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=24_700)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    use_own_test_database("notifications_outbox")
    import django

    django.setup()
    import linebot.v3.messaging  # noqa: F401  (the SDK's models: before any clock starts)

    def run(db_name: str) -> None:
        from django.db import connection

        made = time.perf_counter()
        user_ids = make_volunteers(args.recipients)
        print(
            f"LINE event to {args.recipients:,} volunteers with LINE linked "
            f"(made in {time.perf_counter() - made:.1f} s), {args.workers} notifications "
            f"workers x 1 process, fake at push 2,000/s, multicast 200/s, friendship look-up on, "
            f"{connection.vendor}, broker {os.environ.get('CELERY_BROKER_URL', 'filesystem://')}, "
            f"{os.cpu_count()} cores"
        )
        base = baseline(user_ids)
        row = outbox(user_ids, db_name, args.workers)
        print(
            f"{'mode':<26}{'enqueue s':>10}{'deliver s':>10}{'msg/s':>8}{'x base':>8}"
            f"{'429s':>6}{'peak MB':>9}{'missed':>8}{'dupes':>7}"
        )
        for name, item, enqueue, peak in (
            ("baseline: channel alone", base, None, memory_kb("VmHWM") / 1024),
            ("outbox + workers", row, row["enqueue_seconds"], row["pool_peak_mb"]),
        ):
            report = item["report"]
            print(
                f"{name:<26}{'-' if enqueue is None else f'{enqueue:.2f}':>10}"
                f"{item['seconds']:>10.1f}{report['messages'] / item['seconds']:>8.0f}"
                f"{item['seconds'] / base['seconds']:>8.2f}{report['statuses'].get(429, 0):>6}"
                f"{peak:>9.1f}{args.recipients - report['people']:>8}"
                f"{report['duplicates']:>7}",
                flush=True,
            )
        print(
            f"outbox: {row['rows']:,} LINE deliveries in {row['batches']} batches, "
            f"{row['sent']:,} sent, {row['failed']:,} failed; notify() grew this process by "
            f"{row['notify_growth_mb']:.1f} MB (peak {memory_kb('VmHWM') / 1024:.1f} MB, the "
            f"baseline's included); pool processes' peak {row['pool_peak_mb']:.1f} MB"
        )
        load = os.getloadavg()
        print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    run_in_test_database(run)


if __name__ == "__main__":
    main()
