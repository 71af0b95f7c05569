# The host's Celery app as Celery's Django guide (and docs/plugins.md) lays it out;
# copied to <host project>/celery.py.
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hostsite.settings.dev")

app = Celery("hostsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
