"""Channels for the tests only (named in npv_site.settings.test and the minimal
host's settings): they record each send in a folder that the test process and
the Celery worker share (NPV_TEST_CHANNEL_DIR), and behave as a file there says
for a user: fail transiently (with a Retry-After) or permanently, or kill the
worker's pool process in the middle of a send. Off by default for everyone:
a test opts its users in."""

from __future__ import annotations

import json
import os
import signal
import tempfile
import time
from pathlib import Path

from notifications.channels.base import Channel, PermanentError, TransientError

ENV_DIR = "NPV_TEST_CHANNEL_DIR"
_fallback = Path(tempfile.gettempdir()) / f"npv-test-channel-{os.getpid()}"


def channel_dir() -> Path:
    folder = Path(os.environ.get(ENV_DIR) or _fallback)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def behave(user_id: int, **behaviour) -> None:
    """What the channels do for this user: fail="transient"|"permanent",
    retry_after=seconds, times=how many sends fail; or crash=True (the pool
    process kills itself mid-send, once)."""
    (channel_dir() / f"behaviour-{user_id}.json").write_text(json.dumps(behaviour))


def sends(channel_name: str | None = None) -> list[dict]:
    log = channel_dir() / "sends.jsonl"
    if not log.exists():
        return []
    rows = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [row for row in rows if channel_name is None or row["channel"] == channel_name]


def reset() -> None:
    for path in channel_dir().glob("*"):
        path.unlink()


class RecordingChannel(Channel):
    name = "test"
    label = "test channel"
    idempotent = False

    def reaches(self, user) -> bool:
        return True

    def send(self, delivery) -> None:
        folder = channel_dir()
        message = delivery.message()
        earlier = [row for row in sends(self.name) if row["key"] == str(delivery.key)]
        row = {
            "channel": self.name,
            "key": str(delivery.key),
            "delivery": delivery.pk,
            "user": delivery.user_id,
            "kind": delivery.event.kind,
            "subject": message.subject,
            "url": message.url,
            "at": time.time(),
            "pid": os.getpid(),
        }
        with (folder / "sends.jsonl").open("a") as log:
            log.write(json.dumps(row) + "\n")
        path = folder / f"behaviour-{delivery.user_id}.json"
        behaviour = json.loads(path.read_text()) if path.exists() else {}
        if behaviour.get("crash") and not earlier and os.environ.get("NPV_TEST_WORKER_CONTROL_DIR"):
            # As a worker that dies mid-send: the message may have left.
            os.kill(os.getpid(), signal.SIGKILL)
        if behaviour.get("fail") and len(earlier) < behaviour.get("times", 1_000):
            if behaviour["fail"] == "permanent":
                raise PermanentError("refused by the test channel")
            raise TransientError("busy (test channel)", retry_after=behaviour.get("retry_after"))


class IdempotentRecordingChannel(RecordingChannel):
    """As LINE's push with X-Line-Retry-Key: a resend with the same key is one message."""

    name = "test_idempotent"
    label = "idempotent test channel"
    idempotent = True
