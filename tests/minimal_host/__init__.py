"""A minimal Wagtail host for the plugin set: its own home page, user model, base
template and Celery app, and none of the Net Pracharat site (docs/plugins.md).
Run on its own: `pytest --confcutdir=tests/minimal_host --ds=tests.minimal_host.settings
tests/minimal_host` (`make test` does)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
