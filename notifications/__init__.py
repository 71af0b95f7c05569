"""Notifications for the plugin set: an outbox of events and their deliveries
per person and channel (e-mail, on the site, and what a host adds)."""


def notify(kind, user_ids, *, key, context=None):
    """Notify `user_ids` of an event of `kind`, once per `key`
    (notifications.outbox.notify)."""
    from notifications.outbox import notify as _notify

    return _notify(kind, user_ids, key=key, context=context)
