"""Settings for `make run` on a laptop: debug on, embedded database and broker."""

from .base import *  # noqa: F403

DEBUG = True
# The embedded broker has no separate beat process: `make run` starts the worker with -B.
