"""Background work of the cohorts app: the roster import (queue "default")."""

import logging

from celery import shared_task

from npv_site.cohorts.importing import run_roster_import

logger = logging.getLogger(__name__)


# A national roster takes seconds; the limits only stop a run that hangs.
# Tasks are named explicitly: queued messages and the beat schedule name them, and the
# names must outlive a move of this module.
@shared_task(name="courses.cohorts.tasks.import_roster", soft_time_limit=300, time_limit=330)
def import_roster(roster_import_id: int) -> None:
    run_roster_import(roster_import_id)


def send_roster_import(roster_import_id: int) -> bool:
    """Publish the task; call through transaction.on_commit. A broker that is
    down leaves the import queued: the progress page offers to send it again."""
    try:
        import_roster.delay(roster_import_id)
    except Exception:
        logger.exception("Could not send roster import %s to the broker", roster_import_id)
        return False
    return True


@shared_task(name="courses.cohorts.tasks.build_report_export", soft_time_limit=300, time_limit=330)
def build_report_export(export_id: int) -> None:
    from npv_site.cohorts.exports import run_report_export

    run_report_export(export_id)


def send_report_export(export_id: int) -> bool:
    """Publish the XLSX task; call through transaction.on_commit. A broker that
    is down leaves the export queued: its page offers to send it again."""
    try:
        build_report_export.delay(export_id)
    except Exception:
        logger.exception("Could not send report export %s to the broker", export_id)
        return False
    return True
