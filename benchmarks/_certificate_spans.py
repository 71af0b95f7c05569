"""The Celery app of the certificates benchmark's workers: the site's own app,
with timing spans around the steps of a certificate task, written one JSON
line per task to $BENCH_SPANS_FILE (benchmarks/certificates.py adds them up).

    celery -A _certificate_spans worker -Q certificates ...

Only wraps; the code that runs is the site's. Spans nest (SQL runs inside
"issue" and "render claim"), so the report says which add up.
"""

from __future__ import annotations

import gc
import json
import os
import time
from contextlib import contextmanager
from functools import wraps

from celery import signals

from npv_site.celery import app  # noqa: F401  (celery -A finds it here)

SPANS: dict[str, float] = {}
COUNTS: dict[str, int] = {}
_state = {"task_start": 0.0, "cpu_start": 0.0, "last_end": None, "gc_start": 0.0, "tasks": 0}
_patched = set()


@contextmanager
def span(name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        SPANS[name] = SPANS.get(name, 0.0) + time.perf_counter() - start


def _timed(name: str, function):
    @wraps(function)
    def wrapper(*args, **kwargs):
        with span(name):
            return function(*args, **kwargs)

    return wrapper


def _sql(execute, sql, params, many, context):
    start = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        SPANS["sql (all queries)"] = SPANS.get("sql (all queries)", 0.0) + time.perf_counter() - start
        COUNTS["queries"] = COUNTS.get("queries", 0) + 1


def _on_gc(phase, info):
    if phase == "start":
        _state["gc_start"] = time.perf_counter()
    else:
        SPANS["gc"] = SPANS.get("gc", 0.0) + time.perf_counter() - _state["gc_start"]


def _patch_weasyprint() -> None:
    """WeasyPrint is imported on first use: patch it once it is."""
    if "weasyprint" in _patched:
        return
    import weasyprint

    weasyprint.HTML.render = _timed("render: WeasyPrint layout", weasyprint.HTML.render)
    weasyprint.Document.write_pdf = _timed(
        "render: WeasyPrint drawing + PDF", weasyprint.Document.write_pdf
    )
    _patched.add("weasyprint")


@signals.worker_process_init.connect
def _install(**kwargs):
    from certificates import lifecycle, models, rendering, weasyprint_internals

    _state["process_started"] = time.perf_counter()
    lifecycle.issue_certificate = _timed("issue (all)", lifecycle.issue_certificate)
    lifecycle.design_snapshot = _timed("issue: design snapshot", lifecycle.design_snapshot)
    lifecycle.holder_snapshot = _timed("issue: holder", lifecycle.holder_snapshot)
    lifecycle.allocate_serial = _timed("issue: serial (locked)", lifecycle.allocate_serial)
    lifecycle.render_version = _timed("render_version (all)", lifecycle.render_version)
    lifecycle.content_for = _timed("render: content", lifecycle.content_for)
    original_render_pdf = lifecycle.render_pdf

    def render_pdf(*args, **kwargs):
        with span("render_pdf (all)"):
            return original_render_pdf(*args, **kwargs)

    lifecycle.render_pdf = render_pdf
    rendering.certificate_html = _timed("render: HTML + QR", rendering.certificate_html)
    original_engine = rendering._get_engine

    def get_engine():
        with span("render: engine (first use: import, fonts, CSS)"):
            engine = original_engine()
        _patch_weasyprint()
        return engine

    rendering._get_engine = get_engine
    for name in ("reuse_shared_image_streams", "map_glyph_texts"):
        setattr(
            weasyprint_internals,
            name,
            _timed("render: glyph texts, shared images", getattr(weasyprint_internals, name)),
        )
    original_storage = lifecycle.certificate_storage

    class TimedStorage:
        def __init__(self, storage):
            self._storage = storage

        def save(self, *args, **kwargs):
            with span("render: storing the PDF file"):
                return self._storage.save(*args, **kwargs)

        def __getattr__(self, name):
            return getattr(self._storage, name)

    lifecycle.certificate_storage = lambda: TimedStorage(original_storage())
    del models
    gc.callbacks.append(_on_gc)


@signals.task_prerun.connect
def _task_started(task=None, **kwargs):
    from django.db import connection

    now = time.perf_counter()
    if _state["last_end"] is not None:
        SPANS["between tasks (broker, pool)"] = now - _state["last_end"]
    else:
        SPANS["process start to first task"] = now - _state.get("process_started", now)
    _state["task_start"] = now
    _state["cpu_start"] = time.process_time()
    _state["sql_wrapper"] = connection.execute_wrapper(_sql)
    _state["sql_wrapper"].__enter__()


@signals.task_postrun.connect
def _task_finished(task=None, **kwargs):
    now = time.perf_counter()
    _state["sql_wrapper"].__exit__(None, None, None)
    SPANS["task (all)"] = now - _state["task_start"]
    SPANS["task CPU (this process)"] = time.process_time() - _state["cpu_start"]
    _state["tasks"] += 1
    record = {
        "pid": os.getpid(),
        "task": task.name if task else "",
        "n": _state["tasks"],
        "end": time.time(),
        "spans": SPANS.copy(),
        "counts": COUNTS.copy(),
    }
    SPANS.clear()
    COUNTS.clear()
    with open(os.environ["BENCH_SPANS_FILE"], "a") as out:
        out.write(json.dumps(record) + "\n")
    _state["last_end"] = time.perf_counter()
