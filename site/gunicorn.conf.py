"""gunicorn settings for the web process (see Procfile and docs/deploying.md):

    gunicorn -c site/gunicorn.conf.py npv_site.wsgi

Sync workers behind nginx: nginx buffers the slow phone connections, so a
worker is busy only while Django works. Every value can be changed from the
environment without editing this file.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# Two per core plus one is gunicorn's own advice; the Celery workers on the
# same machine need cores too, so set WEB_CONCURRENCY there.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# sync by default; GUNICORN_WORKER_CLASS=gthread with GUNICORN_THREADS=4 lets one
# process take new requests while its other threads wait on the database
# (benchmarks/quiz_room.py --web compares the two).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# Longer than DATABASE_CONNECT_TIMEOUT, so a lost database answers 503 before
# gunicorn kills the worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A fresh worker now and then keeps a slow memory creep from adding up.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
# Uploads and requests come through nginx on this machine only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Not used here, and every instance on a machine would share its default path.
control_socket_disable = True
