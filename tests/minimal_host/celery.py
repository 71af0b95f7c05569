"""The host's Celery app, as Celery's Django guide lays it out; the settings run
tasks eagerly, so the plugins' tasks run in the test process."""

from celery import Celery

app = Celery("minimal_host")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
