"""System checks for the notifications app: what a host left out, one sentence each."""

from __future__ import annotations

from django.apps import apps
from django.core import checks
from django.utils.module_loading import import_string

from courses.checks import task_queue
from notifications import conf
from notifications.channels.base import Channel

SEND_TASK = "notifications.tasks.send_delivery"


@checks.register()
def check_notifications(app_configs=None, **kwargs):
    messages = []
    loaded = []
    if not apps.is_installed("courses"):
        messages.append(
            checks.Error(
                "The notifications app listens to the courses' signals: add 'courses' to "
                "INSTALLED_APPS.",
                id="notifications.E001",
            )
        )
    for path in conf.channel_paths():
        try:
            channel = import_string(path)
        except ImportError as error:
            messages.append(
                checks.Error(
                    f"NOTIFICATIONS_CHANNELS names {path!r}, which does not import: {error}.",
                    id="notifications.E002",
                )
            )
            continue
        if not (isinstance(channel, type) and issubclass(channel, Channel) and channel.name):
            messages.append(
                checks.Error(
                    f"NOTIFICATIONS_CHANNELS names {path!r}, which is not a "
                    "notifications.channels.base.Channel with a name.",
                    id="notifications.E002",
                )
            )
        else:
            loaded.append(channel)
    messages += _check_line(loaded)
    if not conf.base_url():
        messages.append(
            checks.Error(
                "Messages link back to the site: set WAGTAILADMIN_BASE_URL (or "
                "NOTIFICATIONS_BASE_URL).",
                id="notifications.E003",
            )
        )
    path = conf.consented_users()
    if path:
        try:
            import_string(path)
        except ImportError as error:
            messages.append(
                checks.Error(
                    f"NOTIFICATIONS_CONSENTED_USERS names {path!r}, which does not import: "
                    f"{error}.",
                    id="notifications.E004",
                )
            )
    queue = task_queue(SEND_TASK)
    if queue != "notifications":
        messages.append(
            checks.Warning(
                f"Notifications are sent on the Celery queue '{queue}', not 'notifications': "
                "add 'notifications.tasks.*': {'queue': 'notifications'} to CELERY_TASK_ROUTES "
                "so that a cohort's messages never delay quiz grading.",
                id="notifications.W001",
            )
        )
    return messages


def _check_line(channel_classes) -> list:
    """The LINE channel listed without what it needs reaches nobody: say so."""
    from notifications.channels.line import LineChannel, sdk_installed

    if not any(issubclass(channel, LineChannel) for channel in channel_classes):
        return []
    messages = []
    if not conf.line_setting("NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN"):
        messages.append(
            checks.Error(
                "NOTIFICATIONS_CHANNELS lists the LINE channel but "
                "NOTIFICATIONS_LINE_CHANNEL_ACCESS_TOKEN is empty: LINE would reach nobody. "
                "Set the Messaging API channel's access token, or leave the LINE channel out.",
                id="notifications.E005",
            )
        )
    if not sdk_installed():
        messages.append(
            checks.Error(
                "NOTIFICATIONS_CHANNELS lists the LINE channel but line-bot-sdk is not "
                "installed: install the plugin set with its 'line' extra "
                "(wagtail-npv-elearning[line]), or leave the LINE channel out.",
                id="notifications.E006",
            )
        )
    return messages
