"""Settings of a minimal Wagtail host for the plugin set: Django's and Wagtail's
essentials, `courses`, `certificates`, `notifications` and the host's own app, nothing of the Net
Pracharat site (no npv_site, no home, no allauth). SQLite, Celery tasks run eagerly."""

import os
import secrets
import tempfile
from pathlib import Path

from tests.minimal_host import site_blocker

site_blocker.install()

HOST_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(tempfile.mkdtemp(prefix="minimal-host-"))

# A key of this test run only.
SECRET_KEY = secrets.token_urlsafe(50)
DEBUG = False
ALLOWED_HOSTS = ["testserver", "host.example"]

INSTALLED_APPS = [
    "tests.minimal_host.host",
    "courses",
    "certificates",
    "notifications",
    "wagtail.contrib.settings",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "tests.minimal_host.urls"
AUTH_USER_MODEL = "host.User"
LOGIN_URL = "/login/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HOST_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(VAR_DIR / "db.sqlite3"),
        "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "th"
TIME_ZONE = "Asia/Bangkok"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"

WAGTAIL_SITE_NAME = "Minimal host"
WAGTAILADMIN_BASE_URL = "http://host.example"

# The plugins' base-template contract (docs/plugins.md, "Templates and blocks"): their pages
# fill the blocks `title` and `content` of the base named in COURSES_BASE_TEMPLATE. This
# host's own base.html names its blocks `page_title`, `main` and `js`, so it names a bridge,
# host/plugin_base.html, that puts the plugins' blocks into its own.
COURSES_BASE_TEMPLATE = "host/plugin_base.html"

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The plugins' notifications with their defaults (e-mail, on the site) and no quiet
# hours, so that the journey's messages go whatever the hour of the run.
NOTIFICATIONS_QUIET_HOURS = None

CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = "memory://"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ROUTES = {
    "courses.tasks.*": {"queue": "grading"},
    "certificates.tasks.*": {"queue": "certificates"},
    "notifications.tasks.*": {"queue": "notifications"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-pending-work": {"task": "courses.tasks.sweep_pending_work", "schedule": 60},
}

# Set by .ci/run: a missing tool (poppler, say) fails the test instead of skipping it
# (tests/plugin_fixtures.py, skip_or_fail).
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"
