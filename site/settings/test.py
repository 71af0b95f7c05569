"""Settings for pytest. The database stays whatever DATABASE_URL says (SQLite by
default); a SQLite test database lives in a file so that a Celery worker process
started by the tests can share it."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("NPV_TEST_DB", str(VAR_DIR / "test-db.sqlite3")),
    }
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Set by .ci/run: a missing service or browser fails the test instead of skipping it.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"
