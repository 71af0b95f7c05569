"""LINE messages benchmark: prints figures, asserts nothing.

    flock /tmp/npv-bench.lock .venv/bin/python benchmarks/line_messages.py [--recipients 24700] [--threads 8]

A cohort message to 24,700 volunteers sent through the LINE channel
(notifications/channels/line.py) to the local fake of the Messaging API
(tests/fake_line_api.py), which runs in a process of its own with LINE's rate limits (push
2,000 and multicast 200 requests a second; over them a 429 with Retry-After: 1, which the
sender honours by waiting and sending the same delivery again, as the outbox does).

This is the channel alone, called from a thread pool standing in for the workers: the full
version, enqueued into the notifications outbox and delivered by two Celery workers (issue 21's
benchmark: enqueued in under 5 s, delivered in under 5 minutes, no one messaged twice), is
benchmarks/notifications_outbox.py.

Modes, each against a fresh fake:
- baseline: the same pushes as bare HTTP (urllib3, a JSON body made once, no SDK, no
  channel), so the SDK's and the channel's cost is the ratio to it;
- push: LineChannel.send per delivery, the friendship check off (one request each);
- push+check: the same with the friendship check on (a profile look-up before each push);
- multicast: LineChannel.send_many over all deliveries (chunks of 500), check off;
- multicast+check: the same with the check on.

Printed per mode: total time, messages a second, 429s met, the sender's peak memory (VmHWM)
and its growth, and duplicates (people who got the message more than once: must be 0) and
people missed (must be 0), both counted by the fake.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def serve_fake(connection) -> None:
    from tests.fake_line_api import FakeLineAPI

    fake = FakeLineAPI().start()
    connection.send(fake.url)
    connection.recv()  # "report"
    counts = fake.delivered_counts()
    connection.send(
        {
            "people": len(counts),
            "messages": sum(counts.values()),
            "duplicates": sum(n - 1 for n in counts.values() if n > 1),
            "statuses": dict(fake.statuses),
        }
    )
    fake.stop()


def memory_kb(field_name: str) -> int:
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith(field_name + ":"):
            return int(row.split()[1])
    return 0


@dataclass
class Message:
    subject: str = "ข้อความจากวิทยากร"
    text: str = "พรุ่งนี้เริ่มอบรมโมดูลที่ 2 เวลา 9 โมงเช้า ที่ศาลาประชาคม"
    url: str = "https://elearning.example.org/learn/my-learning/"
    button_label: str = "เปิดหลักสูตร"
    kind: str = "cohort_message"


MESSAGE = Message()


@dataclass
class Delivery:
    user: SimpleNamespace
    key: uuid.UUID = field(default_factory=uuid.uuid4)
    channel: str = "line"
    event: SimpleNamespace = field(default_factory=lambda: SimpleNamespace(kind="cohort_message"))

    def message(self) -> Message:
        return MESSAGE


def line_id_of(user) -> str:
    return user.line_id


def deliveries(count: int) -> list[Delivery]:
    from tests.fake_line_api import line_user_id

    return [Delivery(SimpleNamespace(pk=n + 1, line_id=line_user_id(n + 1))) for n in range(count)]


def run_push(items, threads: int, counter) -> None:
    from notifications.channels.base import TransientError
    from notifications.channels.line import LineChannel

    channel = LineChannel()

    def one(delivery):
        while True:
            try:
                channel.send(delivery)
                return
            except TransientError as error:
                counter["retries"] += 1
                time.sleep(error.retry_after if error.retry_after is not None else 0.5)

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, items, chunksize=64))


def run_multicast(items, threads: int, counter) -> None:
    from notifications.channels.base import TransientError
    from notifications.channels.line import LineChannel, multicast_batches

    channel = LineChannel()

    def one(chunk):
        pending, retry_key = chunk, None
        while pending:
            outcome = channel.send_many(pending, retry_key=retry_key)
            failed = [d for d in pending if isinstance(outcome[d.key], TransientError)]
            if failed:
                # Retried as the outbox does: the failed request's deliveries with its key.
                error = outcome[failed[0].key]
                counter["retries"] += 1
                retry_key = getattr(error, "retry_key", None)
                time.sleep(error.retry_after if error.retry_after is not None else 0.5)
            pending = failed

    # One chunk per call, as an outbox task would take one batch.
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, [chunk for _key, chunk in multicast_batches(items)]))


def run_baseline(items, threads: int, counter, url: str, token: str) -> None:
    import urllib3

    pool = urllib3.PoolManager(maxsize=threads)
    body_of = {}

    def one(delivery):
        body = body_of.get(delivery.user.line_id) or json.dumps(
            {"to": delivery.user.line_id, "messages": [{"type": "text", "text": MESSAGE.text}]}
        ).encode()
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "X-Line-Retry-Key": str(delivery.key),
        }
        while True:
            response = pool.request("POST", url + "/v2/bot/message/push", body=body, headers=headers)
            if response.status in (200, 409):
                return
            counter["retries"] += 1
            time.sleep(float(response.headers.get("Retry-After") or 0.5))

    with ThreadPoolExecutor(threads) as pool_:
        list(pool_.map(one, items, chunksize=64))


def measure(mode: str, recipients: int, threads: int) -> dict:
    from django.test import override_settings

    from notifications import line_quota
    from notifications.channels import line
    from tests.fake_line_api import FakeLineAPI

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve_fake, args=(child,))
    server.start()
    url = parent.recv()
    token = FakeLineAPI.token
    items = deliveries(recipients)
    counter = {"retries": 0}
    check = mode.endswith("+check")
    line._api_client.cache_clear()
    rss_before = memory_kb("VmRSS")
    with override_settings(
        NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN=token,
        NOTIFICATIONS_LINE_API_HOST=url,
        NOTIFICATIONS_LINE_USER_ID="benchmarks.line_messages.line_id_of",
        NOTIFICATIONS_LINE_CHECK_FRIENDSHIP=check,
    ):
        line_quota.forget_quota()
        started = time.perf_counter()
        if mode == "baseline":
            run_baseline(items, threads, counter, url, token)
        elif mode.startswith("push"):
            run_push(items, threads, counter)
        else:
            run_multicast(items, threads, counter)
        elapsed = time.perf_counter() - started
    parent.send("report")
    report = parent.recv()
    server.join(10)
    return {
        "mode": mode,
        "seconds": elapsed,
        "per_second": report["messages"] / elapsed if elapsed else 0,
        "retries": counter["retries"],
        "s429": report["statuses"].get(429, 0),
        "peak_mb": memory_kb("VmHWM") / 1024,
        "growth_mb": (memory_kb("VmRSS") - rss_before) / 1024,
        "people": report["people"],
        "missed": recipients - report["people"],
        "duplicates": report["duplicates"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=24_700)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument(
        "--modes", default="baseline,push,push+check,multicast,multicast+check"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npv_site.settings.test")
    import django

    django.setup()
    # The SDK's models import on first use: before the clock starts.
    import linebot.v3.messaging  # noqa: F401

    print(
        f"LINE cohort message to {args.recipients:,} recipients, {args.threads} sender threads, "
        f"fake at push 2,000/s, multicast 200/s ({os.cpu_count()} cores)"
    )
    header = f"{'mode':<16}{'time s':>9}{'msg/s':>9}{'x base':>8}{'429s':>7}{'peak MB':>9}{'grew MB':>9}{'missed':>8}{'dupes':>7}"
    print(header)
    baseline = None
    for mode in args.modes.split(","):
        row = measure(mode, args.recipients, args.threads)
        if mode == "baseline":
            baseline = row["seconds"]
        ratio = f"{row['seconds'] / baseline:.2f}" if baseline else "-"
        print(
            f"{row['mode']:<16}{row['seconds']:>9.2f}{row['per_second']:>9.0f}{ratio:>8}"
            f"{row['s429']:>7}{row['peak_mb']:>9.1f}{row['growth_mb']:>9.1f}"
            f"{row['missed']:>8}{row['duplicates']:>7}",
            flush=True,
        )


if __name__ == "__main__":
    main()
