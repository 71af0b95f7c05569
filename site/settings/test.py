"""Settings for pytest. The database stays whatever DATABASE_URL says (SQLite by
default); a SQLite test database lives in a file so that a Celery worker process
started by the tests can share it."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, NOTIFICATIONS_CHANNELS, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# One test database per pytest process, so that runs side by side never share
# one; a Celery worker started by the tests is given the same name through
# NPV_TEST_DB. With SQLite it is a file (not memory) so the worker can open it.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _default_test_db = str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")
else:
    _default_test_db = f"test_npv_{os.getpid()}"
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("NPV_TEST_DB", _default_test_db)}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A Celery worker started by the tests writes its e-mails as files the tests read.
if os.environ.get("NPV_TEST_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["NPV_TEST_EMAIL_DIR"]
# Two channels of the tests (tests/notification_channels.py) beside the site's own;
# nobody gets them unless a test opts its users in.
NOTIFICATIONS_CHANNELS = [
    *NOTIFICATIONS_CHANNELS,
    "tests.notification_channels.RecordingChannel",
    "tests.notification_channels.IdempotentRecordingChannel",
]
# A Celery worker started by the tests sends LINE messages to the session's fake of the
# Messaging API (tests/fake_line_api.py, the fake_line_api fixture) when it is given one.
if os.environ.get("NPV_TEST_LINE_API_HOST"):
    NOTIFICATIONS_LINE_API_HOST = os.environ["NPV_TEST_LINE_API_HOST"]
    NOTIFICATIONS_LINE_TIMEOUT = (2, 5)
# Login throttling needs the request that `client.login()` does not pass;
# tests/test_security.py turns it on where it is the subject.
AXES_ENABLED = False
# Set by .ci/run: a missing service or browser fails the test instead of skipping it.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"
