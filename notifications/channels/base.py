"""What a channel is: the e-mail, on-site and (a site's option) LINE channels
implement this, and the outbox calls nothing else of them."""

from __future__ import annotations


class TransientError(Exception):
    """Try again later: after `retry_after` seconds (a 429's Retry-After), or
    with the outbox's exponential backoff when None."""

    def __init__(self, message: str = "", retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after
        # Set by a channel's send_many: the retry key of the request that failed and
        # the keys of its deliveries (retry those together with that key, never apart).
        self.retry_key: str | None = None
        self.batch: list[str] = []


class PermanentError(Exception):
    """Give up: the delivery failed (an address refused, a link gone)."""


class Channel:
    name: str = ""  # "email", "site", "line"
    label: str = ""  # Thai, e.g. "อีเมล"
    # True when resending the same delivery.key can never make a second message
    # (the remote side deduplicates by it): a send cut short by a crash is then
    # sent again; otherwise it is marked failed, "may have been sent".
    idempotent: bool = False
    # Held during the quiet hours (the on-site list never is: nobody is woken by it).
    held_in_quiet_hours: bool = True
    # Sent by the worker; False: the row itself is the message, sent when written.
    needs_sending: bool = True
    # > 0: the channel sends one message to many people in a request of at most this
    # many (LINE's multicast), through send_many; the outbox then sends the deliveries of
    # one event together instead of one by one.
    batch_size: int = 0

    def reaches(self, user) -> bool:
        """Whether there is an address (or a link) for this user; the opt-in is
        checked by the outbox, not here."""
        raise NotImplementedError

    def reachable(self, users) -> set:
        """The ids of the users this channel reaches, for many at once: a channel
        whose address lives in another table overrides this with one query."""
        return {user.pk for user in users if self.reaches(user)}

    def on_by_default(self, user, *, consented: bool) -> bool:
        """Whether a person who never chose gets this channel. `consented`: the
        host says they consented to messages (NOTIFICATIONS_CONSENTED_USERS)."""
        return False

    def send(self, delivery) -> None:
        """Send one delivery (delivery.message() is its text); raises
        TransientError or PermanentError."""
        raise NotImplementedError

    def send_many(self, deliveries, retry_key: str | None = None) -> dict:
        """Send one message to all of `deliveries` (at most batch_size) in one
        request, `retry_key` identifying the request across retries; returns
        {delivery.key: None when sent, else the TransientError / PermanentError}."""
        raise NotImplementedError

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"
