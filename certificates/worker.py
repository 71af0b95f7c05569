"""A worker that consumes the certificates queue keeps its renderer warm.

Measured by benchmarks/certificates.py: importing WeasyPrint takes about 1.6 s
and the first render of a process another 0.4 s (the engine, fonts, Pango's
caches, the Thai word list), so a freshly forked pool process (each start, and
each recycling after --max-tasks-per-child) made its first volunteer wait two
seconds more. The parent imports WeasyPrint once, before the pool forks (a
plain Python import, no Pango state: fontconfig and Pango objects are still
made in each process, rendering._get_engine); each pool process then renders
one sample certificate before it takes a task, and freezes what it holds so
that the garbage collector's full passes skip the renderer's long-lived
objects. Workers of other queues (grading) are left as they are.
"""

from __future__ import annotations

import gc
import logging

from celery import signals

logger = logging.getLogger(__name__)

QUEUE = "certificates"
_warm = {"enabled": False}


def consumes_certificates(worker) -> bool:
    try:
        return QUEUE in worker.app.amqp.queues.consume_from
    except AttributeError:
        return False


@signals.worker_init.connect(dispatch_uid="certificates.worker.import_renderer")
def import_renderer(sender=None, **kwargs) -> None:
    if sender is None or not consumes_certificates(sender):
        return
    _warm["enabled"] = True
    try:
        import weasyprint  # noqa: F401
    except Exception:
        logger.exception("Could not import WeasyPrint ahead; the first render will")


@signals.worker_process_init.connect(dispatch_uid="certificates.worker.warm_renderer")
def warm_renderer(**kwargs) -> None:
    if not _warm["enabled"]:
        return
    from certificates.rendering import warm_up

    try:
        warm_up()
    except Exception:
        # A renderer that cannot warm up renders (or fails) on the first task instead.
        logger.exception("Could not warm up the certificate renderer")
    gc.collect()
    gc.freeze()
