"""Notifications for the plugin set: an outbox of events and their deliveries
per person and channel (e-mail, on the site, and what a host adds)."""


def notify(kind, user_ids, *, key, context=None):
    """Notify `user_ids` of an event of `kind`, once per `key`
    (notifications.outbox.notify)."""
    from notifications.outbox import notify as _notify

    return _notify(kind, user_ids, key=key, context=context)


def reach(user_ids):
    """channel name → how many of `user_ids` an event would reach there
    (notifications.reach.reach: the outbox's own rules)."""
    from notifications.reach import reach as _reach

    return _reach(user_ids)
