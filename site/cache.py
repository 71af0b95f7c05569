"""A Redis cache that fails open.

The cache only makes pages faster: sessions are also in the database
(`cached_db`) and rate limits may lapse for a while. So when Redis is
unreachable every cache call returns what a miss would return, the page is
served from the database, and a warning is logged once per outage.

Two details keep this safe:

- After a failure the cache is left alone for `RETRY_AFTER` seconds, so an
  outage costs one connection timeout per few seconds, not one per call.
- A write that failed may have left an old value in Redis (a logout during
  the outage deletes the session row but not its cached copy). Such keys are
  remembered and deleted first when Redis answers again, before anything is
  read, so a session ended during the outage stays ended.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CACHE_ERRORS = (RedisError, OSError)
# Keys written during one outage that are remembered for deletion; past this
# the rest can only expire, and the log says so.
MAX_STALE_KEYS = 50_000
DELETE_BATCH = 1000


class FailOpenRedisCacheClient(RedisCacheClient):
    def __init__(self, servers, *, retry_after: float = 5.0, **options):
        # An unreachable host must cost a second, not a TCP timeout of minutes.
        options.setdefault("socket_connect_timeout", 1)
        options.setdefault("socket_timeout", 1)
        super().__init__(servers, **options)
        self.retry_after = retry_after
        self._down_until = 0.0
        self._in_outage = False
        self._stale_keys: set[str] = set()
        self._overflowed = False
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        # Django builds a new redis-py client for every cache call, and its
        # constructor reads dozens of options: a measurable part of a request
        # that touches the cache a few times (session, rate limit, page paths).
        # A client is thread-safe over its pool, so one per pool is kept.
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    # -- the guard every call goes through --------------------------------

    def _call(self, operation: Callable[..., Any], default: Any, written: Iterable[str] = (),
              *args):
        if time.monotonic() < self._down_until:
            self._remember_stale(written)
            return default
        try:
            self._forget_stale_keys()
            result = operation(*args)
        except CACHE_ERRORS as error:
            self._remember_stale(written)
            self._went_down(error)
            return default
        if self._in_outage:
            self._in_outage = self._overflowed = False
            logger.warning("Cache reachable again")
        return result

    def _went_down(self, error: Exception) -> None:
        self._down_until = time.monotonic() + self.retry_after
        if not self._in_outage:
            self._in_outage = True
            logger.warning(
                "Cache unreachable, serving without it (retrying every %s s): %s",
                self.retry_after,
                error,
            )

    def _remember_stale(self, keys: Iterable[str]) -> None:
        for key in keys:
            if len(self._stale_keys) >= MAX_STALE_KEYS:
                if not self._overflowed:
                    self._overflowed = True
                    logger.error(
                        "Over %d cache keys written during the outage; old copies of the "
                        "others may be served until they expire",
                        MAX_STALE_KEYS,
                    )
                return
            self._stale_keys.add(key)

    def _forget_stale_keys(self) -> None:
        """Delete the keys that failed writes may have left stale."""
        while self._stale_keys:
            batch = list(itertools.islice(self._stale_keys, DELETE_BATCH))
            super().delete_many(batch)
            self._stale_keys.difference_update(batch)

    # -- RedisCacheClient, guarded -------------------------------------------

    def add(self, key, value, timeout):
        return self._call(super().add, False, [key], key, value, timeout)

    def get(self, key, default):
        return self._call(super().get, default, (), key, default)

    def set(self, key, value, timeout):
        return self._call(super().set, None, [key], key, value, timeout)

    def touch(self, key, timeout):
        return self._call(super().touch, False, [key], key, timeout)

    def delete(self, key):
        return self._call(super().delete, False, [key], key)

    def get_many(self, keys):
        return self._call(super().get_many, {}, (), list(keys))

    def has_key(self, key):
        return self._call(super().has_key, False, (), key)

    def incr(self, key, delta):
        # A counter that cannot be read starts again: rate limits fail open.
        return self._call(super().incr, delta, [key], key, delta)

    def set_many(self, data, timeout):
        return self._call(super().set_many, None, list(data), data, timeout)

    def delete_many(self, keys):
        keys = list(keys)
        return self._call(super().delete_many, None, keys, keys)

    def clear(self):
        return self._call(super().clear, False)


class FailOpenRedisCache(RedisCache):
    """Django's Redis cache with every call guarded (see the module docstring).
    OPTIONS may set `retry_after` (seconds) besides redis-py's own options."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = FailOpenRedisCacheClient
