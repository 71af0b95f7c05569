# What docs/plugins.md tells a Wagtail developer to add to a site made with
# `wagtail start`; tests/test_outside_host.py appends it to the host's settings/base.py.
# (No imports of the Net Pracharat site: this runs where the site does not exist.)
import os as _os

INSTALLED_APPS = list(INSTALLED_APPS)  # noqa: F821
INSTALLED_APPS.insert(INSTALLED_APPS.index("base") + 1, "courses")
INSTALLED_APPS.insert(INSTALLED_APPS.index("courses") + 1, "certificates")
if "wagtail.contrib.settings" not in INSTALLED_APPS:
    INSTALLED_APPS.insert(INSTALLED_APPS.index("wagtail"), "wagtail.contrib.settings")

LANGUAGE_CODE = "th"
TIME_ZONE = "Asia/Bangkok"
WAGTAILADMIN_BASE_URL = _os.environ["OUTSIDE_HOST_BASE_URL"]
MEDIA_ROOT = _os.path.join(BASE_DIR, "media")  # noqa: F821

# Two processes (this site and its Celery worker) share the SQLite file.
DATABASES["default"]["OPTIONS"] = {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}  # noqa: F821

_BROKER = _os.path.join(BASE_DIR, "broker")  # noqa: F821
CELERY_BROKER_URL = "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": _os.path.join(_BROKER, "queue"),
    "data_folder_out": _os.path.join(_BROKER, "queue"),
    "control_folder": _os.path.join(_BROKER, "control"),
    "store_processed": False,
    "polling_interval": 0.05,
}
for _folder in ("queue", "control"):
    _os.makedirs(_os.path.join(_BROKER, _folder), exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_ROUTES = {
    "courses.tasks.*": {"queue": "grading"},
    "certificates.tasks.*": {"queue": "certificates"},
}
CELERY_BEAT_SCHEDULE = {
    "sweep-pending-work": {"task": "courses.tasks.sweep_pending_work", "schedule": 60},
}
