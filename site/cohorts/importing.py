"""Writing a checked roster: every good row in one transaction, or nothing.

Each new volunteer gets a user account with no usable password, a volunteer
profile (without PDPA consent: the claim page asks for it), a claim code, a
membership of the cohort and an enrolment in the cohort's courses. A
volunteer who already exists (see npv_site.cohorts.roster) keeps the account
they have: one already in a cohort the importer trains is added to the
cohort; anyone else gets an invitation to accept or decline
(npv_site.cohorts.invitations). Rows already in the cohort or already invited
change nothing, so importing the same file again writes nothing.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from courses.models import Enrolment
from npv_site.accounts.models import VolunteerProfile
from npv_site.cohorts.claims import new_claim_code_rows
from npv_site.cohorts.invitation_notices import forget_notices
from npv_site.cohorts.models import (
    ClaimCode,
    CohortInvitation,
    CohortMembership,
    RosterImport,
    TrainingCohort,
    Village,
)
from npv_site.cohorts.models.villages import VillageSource
from npv_site.cohorts.notifications import INVITED
from npv_site.cohorts.roster import (
    RosterCheck,
    RosterFileError,
    RosterRow,
    RowStatus,
    VillageKey,
    check_roster,
    read_roster,
)
from npv_site.cohorts.unique import unused_random_values

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# A run still "running" after this long died with its worker: a redelivered
# task may start it again (the write is one transaction, so nothing of the
# dead run was kept).
STALE_AFTER = timedelta(minutes=10)
# Uploads never confirmed are dropped after a day, with the personal data in them.
UPLOAD_KEPT_FOR = timedelta(days=1)
# Any constant: the key of the PostgreSQL advisory lock that serialises imports.
IMPORT_LOCK_KEY = 7_402_019


@dataclass
class ImportOutcome:
    created: int = 0
    linked: int = 0
    invited: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: bool = False


def import_roster(
    content: bytes,
    file_name: str,
    cohort: TrainingCohort,
    *,
    mode: str,
    imported_by=None,
    roster_import: RosterImport | None = None,
) -> tuple[RosterCheck, ImportOutcome]:
    """Read, check and write a roster in one transaction. With mode
    ALL_OR_NOTHING a single bad row writes nothing; with GOOD_ROWS the bad rows
    are skipped. Raises RosterFileError for a file that is not a roster."""
    parsed = read_roster(content, file_name)
    with transaction.atomic():
        _serialise_imports()
        # Checked again inside the transaction: the preview may be stale, and
        # two imports at once must not both create the same volunteer.
        check = check_roster(parsed, cohort, imported_by)
        outcome = write_roster(
            check, cohort, mode=mode, imported_by=imported_by, roster_import=roster_import
        )
    return check, outcome


def _serialise_imports() -> None:
    # SQLite takes the write lock when the transaction begins (IMMEDIATE mode
    # in settings); PostgreSQL needs an explicit lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


def write_roster(
    check: RosterCheck,
    cohort: TrainingCohort,
    *,
    mode: str,
    imported_by=None,
    roster_import: RosterImport | None = None,
) -> ImportOutcome:
    """Write the good rows of a check. Call inside a transaction."""
    outcome = ImportOutcome(
        skipped=check.error_count,
        unchanged=check.count(RowStatus.MEMBER) + check.count(RowStatus.INVITED),
    )
    if mode == RosterImport.Mode.ALL_OR_NOTHING and check.error_count:
        outcome.rejected = True
        return outcome
    new_rows = [row for row in check.rows if row.status == RowStatus.NEW]
    existing_rows = [row for row in check.rows if row.status == RowStatus.EXISTING]
    invite_rows = [row for row in check.rows if row.status == RowStatus.INVITE]
    if not new_rows and not existing_rows and not invite_rows:
        return outcome

    village_ids = _ensure_villages(new_rows + existing_rows + invite_rows)
    outcome.invited = _invite(cohort, invite_rows, village_ids, imported_by, roster_import)
    new_user_ids = _create_volunteers(new_rows)
    for row, user_id in zip(new_rows, new_user_ids, strict=True):
        row.user_id = user_id
    # Two rows can lead to one existing account; it joins the cohort once.
    joining = {row.user_id: row for row in [*existing_rows, *new_rows]}
    now = timezone.now()
    insert_rows(
        CohortMembership,
        [
            {
                "cohort_id": cohort.pk,
                "user_id": user_id,
                "village_id": village_ids[row.village_key],
                "roster_phone": row.phone,
                "roster_import_id": roster_import.pk if roster_import else None,
                "imported_by_id": imported_by.pk if imported_by else None,
                "imported_at": now,
            }
            for user_id, row in joining.items()
        ],
    )
    course_ids = list(cohort.courses.values_list("pk", flat=True))
    # New accounts have no enrolment yet: a plain insert. Existing ones may.
    insert_rows(
        Enrolment,
        [
            {"user_id": user_id, "course_id": course_id, "enrolled_at": now}
            for user_id in new_user_ids
            for course_id in course_ids
        ],
    )
    enrol_users(cohort, [row.user_id for row in existing_rows])
    outcome.created, outcome.linked = len(new_rows), len({row.user_id for row in existing_rows})
    return outcome


def _invite(
    cohort: TrainingCohort,
    rows: list[RosterRow],
    village_ids: dict[VillageKey, int],
    imported_by,
    roster_import: RosterImport | None,
) -> int:
    """Invitations for the rows that match an account outside the importer's
    cohorts (check_roster left out those already invited)."""
    inviting = {row.user_id: row for row in rows}
    now = timezone.now()
    CohortInvitation.objects.bulk_create(
        [
            CohortInvitation(
                cohort=cohort,
                user_id=user_id,
                invited_by=imported_by,
                created=now,
                village_id=village_ids[row.village_key],
                roster_phone=row.phone,
                roster_import=roster_import,
            )
            for user_id, row in inviting.items()
        ],
        batch_size=BATCH_SIZE,
    )
    forget_notices(inviting)
    if inviting:
        # One event for the import's invitations: each links to the invitations
        # on My learning.
        notifications.notify(
            INVITED,
            list(inviting),
            key=f"cohort-invitations:{cohort.pk}:{roster_import.pk if roster_import else now.isoformat()}",
            context={
                "cohort": cohort.name,
                "invited_by": imported_by.get_full_name() if imported_by else "",
            },
        )
    return len(inviting)


def insert_rows(model, rows: list[dict]) -> None:
    """Insert many rows: COPY on PostgreSQL, one prepared statement on SQLite.
    bulk_create() builds a model instance and compiles every value in Python,
    which took most of a minute for a national roster; this takes a second or
    two. Fields a row leaves out get their model default, so a field added to
    the model later does not break the import. Like bulk_create(), it sends
    no signals."""
    if not rows:
        return
    ops = connection.ops
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    given = rows[0].keys()
    now = timezone.now()

    def default(field):
        # auto_now(_add) fields have no default; bulk_create fills them in pre_save().
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            return now
        return field.get_default()

    constants = {
        field.attname: field.get_db_prep_save(default(field), connection)
        for field in fields
        if field.attname not in given
    }
    datetime_columns = {
        field.attname for field in fields if field.get_internal_type() == "DateTimeField"
    }
    adapted: dict = {}

    def value(row: dict, attname: str):
        if attname not in row:
            return constants[attname]
        raw = row[attname]
        if attname in datetime_columns and raw is not None:
            if id(raw) not in adapted:
                adapted[id(raw)] = ops.adapt_datetimefield_value(raw)
            return adapted[id(raw)]
        return raw

    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(field.column) for field in fields)
    values = [tuple(value(row, field.attname) for field in fields) for row in rows]
    # Only names from the model's own metadata go into the statements; values
    # are parameters or COPY data.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: psycopg streams the rows without composing any SQL.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # noqa: S608
                values,
            )


def _village_ids(provinces) -> dict[VillageKey, int]:
    return {
        (province, district, subdistrict, number): pk
        for pk, province, district, subdistrict, number in Village.objects.filter(
            province__in=provinces
        ).values_list("pk", "province", "district", "subdistrict", "village_no")
    }


def _ensure_villages(rows: list[RosterRow]) -> dict[VillageKey, int]:
    """The register's id of every row's village, adding the villages it lacks."""
    names = {row.village_key: row.village for row in rows}
    provinces = sorted({key[0] for key in names})
    ids = _village_ids(provinces)
    now = timezone.now()
    missing = [
        {
            "province": province,
            "district": district,
            "subdistrict": subdistrict,
            "village_no": number,
            "name": name,
            "source": VillageSource.ROSTER.value,
            "created_at": now,
        }
        for (province, district, subdistrict, number), name in names.items()
        if (province, district, subdistrict, number) not in ids
    ]
    if missing:
        insert_rows(Village, missing)
        ids = _village_ids(provinces)
    return ids


def _new_usernames(count: int) -> list[str]:
    # Placeholders until the volunteer chooses a user name on the claim page.
    names = unused_random_values(
        count, lambda: f"vol-{secrets.token_hex(5)}", get_user_model().objects.all(), "username"
    )
    return sorted(names)


def _create_volunteers(rows: list[RosterRow]) -> list[int]:
    """Accounts, profiles and claim codes for new volunteers; their user ids."""
    if not rows:
        return []
    User = get_user_model()
    now = timezone.now()
    usernames = _new_usernames(len(rows))
    insert_rows(
        User,
        [
            {
                "username": username,
                "first_name": row.first_name,
                "last_name": row.last_name,
                "email": row.email,
                # Unusable (what make_password(None) makes, without hashing
                # 24,700 random strings) until the volunteer claims the account.
                "password": UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
                "date_joined": now,
            }
            for row, username in zip(rows, usernames, strict=True)
        ],
    )
    ids_by_username = {}
    for start in range(0, len(usernames), 900):
        ids_by_username.update(
            User.objects.filter(username__in=usernames[start : start + 900]).values_list(
                "username", "pk"
            )
        )
    user_ids = [ids_by_username[username] for username in usernames]
    insert_rows(
        VolunteerProfile,
        [
            {
                "user_id": user_id,
                "title": row.title,
                "title_other": row.title_other,
                "first_name": row.first_name,
                "last_name": row.last_name,
                "phone": row.phone,
                "province": row.province,
                "district": row.district,
                "subdistrict": row.subdistrict,
                "village_no": row.village_no,
                "village_name": row.village,
                "consented_at": None,
            }
            for row, user_id in zip(rows, user_ids, strict=True)
        ],
    )
    insert_rows(ClaimCode, new_claim_code_rows(user_ids))
    return user_ids


def enrol_users(cohort: TrainingCohort, user_ids: list[int]) -> None:
    """courses.progress.enrol() for many volunteers at once: the unique
    constraint on (user, course) makes it get-or-create, as enrol() is."""
    course_ids = list(cohort.courses.values_list("pk", flat=True))
    if not course_ids or not user_ids:
        return
    Enrolment.objects.bulk_create(
        [
            Enrolment(user_id=user_id, course_id=course_id)
            for user_id in user_ids
            for course_id in course_ids
        ],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )


def enrol_cohort(cohort: TrainingCohort) -> None:
    """Enrol every volunteer of the cohort in its courses (after the trainer
    adds a course to a cohort that already has volunteers)."""
    enrol_users(cohort, list(cohort.memberships.values_list("user_id", flat=True)))


# --------------------------------------------------------------------------
# The import as background work, recorded in a RosterImport row
# --------------------------------------------------------------------------


def queue_roster_import(roster_import_id: int, mode: str) -> bool:
    """Mark an upload confirmed. The caller sends the task after commit.
    Returns False when the import is already queued, running or done."""
    return bool(
        RosterImport.objects.filter(
            pk=roster_import_id,
            status__in=[
                RosterImport.Status.UPLOADED,
                RosterImport.Status.REJECTED,
                RosterImport.Status.FAILED,
            ],
        ).update(
            status=RosterImport.Status.QUEUED, mode=mode, confirmed_at=timezone.now(), message=""
        )
    )


def run_roster_import(roster_import_id: int) -> RosterImport | None:
    """Run a confirmed import (the Celery task's body). Safe to call twice:
    only a queued import, or one whose worker died, is started."""
    now = timezone.now()
    started = (
        RosterImport.objects.filter(pk=roster_import_id)
        .filter(
            Q(status=RosterImport.Status.QUEUED)
            | Q(status=RosterImport.Status.RUNNING, started_at__lt=now - STALE_AFTER)
        )
        .update(status=RosterImport.Status.RUNNING, started_at=now, finished_at=None, message="")
    )
    if not started:
        return None
    roster_import = RosterImport.objects.select_related("cohort", "uploaded_by").get(
        pk=roster_import_id
    )
    try:
        with transaction.atomic():
            check, outcome = import_roster(
                bytes(roster_import.content),
                roster_import.file_name,
                roster_import.cohort,
                mode=roster_import.mode,
                imported_by=roster_import.uploaded_by,
                roster_import=roster_import,
            )
            # Recorded in the same transaction as the rows it describes.
            _record_outcome(roster_import, check, outcome)
    except RosterFileError as error:
        _record_failure(roster_import, str(error))
    except Exception:
        logger.exception("Roster import %s failed", roster_import_id)
        _record_failure(
            roster_import,
            _("เกิดข้อผิดพลาดระหว่างนำเข้า ไม่มีข้อมูลใดถูกบันทึก กรุณาลองใหม่หรือแจ้งผู้ดูแลระบบ"),
        )
    return roster_import


def _record_outcome(
    roster_import: RosterImport, check: RosterCheck, outcome: ImportOutcome
) -> None:
    roster_import.row_count = len(check.rows)
    roster_import.created_count = outcome.created
    roster_import.linked_count = outcome.linked
    roster_import.invited_count = outcome.invited
    roster_import.unchanged_count = outcome.unchanged
    roster_import.skipped_count = outcome.skipped
    roster_import.finished_at = timezone.now()
    if outcome.rejected:
        roster_import.status = RosterImport.Status.REJECTED
        roster_import.message = _(
            "ไม่ได้นำเข้าแถวใดเลย เพราะมีแถวที่ผิด %(count)s แถว และเลือกนำเข้าเมื่อทุกแถวถูกต้องเท่านั้น"
        ) % {"count": outcome.skipped}
    else:
        roster_import.status = RosterImport.Status.DONE
        # The file's personal data is no longer needed once it is imported.
        roster_import.content = b""
    roster_import.save()


def _record_failure(roster_import: RosterImport, message: str) -> None:
    RosterImport.objects.filter(pk=roster_import.pk).update(
        status=RosterImport.Status.FAILED, message=message, finished_at=timezone.now()
    )
    roster_import.status, roster_import.message = RosterImport.Status.FAILED, message


def discard_stale_uploads() -> None:
    """Drop uploads nobody confirmed, and the file kept by imports that ended
    without writing, once they are a day old."""
    cutoff = timezone.now() - UPLOAD_KEPT_FOR
    RosterImport.objects.filter(
        status=RosterImport.Status.UPLOADED, uploaded_at__lt=cutoff
    ).delete()
    RosterImport.objects.filter(
        status__in=[RosterImport.Status.REJECTED, RosterImport.Status.FAILED],
        uploaded_at__lt=cutoff,
    ).exclude(content=b"").update(content=b"")
