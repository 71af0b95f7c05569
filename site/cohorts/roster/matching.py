"""Checking a roster as a whole: rows repeated in the file, volunteers who
already exist, the village register and the cohort's provinces.

Who "already exists"
--------------------
A village volunteer is identified by their **normalised phone number together
with their village** (province, district, sub-district and village number).
E-mail is optional and not unique, and full names repeat (the national roster
has a thousand repeated names), so neither identifies anyone. A row matches a
volunteer when the same phone and village are found

* in a cohort membership (the phone and village as a roster first gave them,
  so the match survives the volunteer editing their profile), or
* in a volunteer profile (an account made by sign-up or an earlier import).

A match already in this cohort changes nothing. A match already in another
cohort the importer trains joins this cohort with the account it has (the
trainer sees that person already). Any other match is *invited*
(CohortInvitation): the owner of the account accepts or declines, and until
then the trainer learns nothing about them. A row that matches two accounts
is an error, for an administrator to sort out, never a guess.

What the preview may say (PDPA)
-------------------------------
A trainer sees personal data only of the volunteers of the cohorts they
train. So no message here ever quotes a name, phone, e-mail or address that
the file itself did not hold: a row may say that it matches an account, and
whether that person is in this cohort or invited to it, never who it is.
Otherwise one upload of the public village register, then discarded, would
list every volunteer in the country.

The same phone in a *different* village is a different volunteer (a shared
family phone, or a typing slip): the row gets an account of its own and a
warning the trainer sees in the preview, in the file and against the
database alike (against the database without saying whose it is). Two rows
for the same village in one file are errors (one volunteer per village); a
row repeating an earlier row's phone and village is an error on the repeat.
A repeated full name alone is not flagged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from npv_site.accounts.models import VolunteerProfile
from npv_site.cohorts.roster.reading import ParsedRoster
from npv_site.cohorts.roster.rows import Identity, RosterRow, RowStatus, validate_row
from npv_site.cohorts.roster.text import VillageKey, village_key_of


@dataclass
class RosterCheck:
    parsed: ParsedRoster
    rows: list[RosterRow]

    def count(self, status: RowStatus) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def error_count(self) -> int:
        return self.count(RowStatus.ERROR)

    @property
    def good_count(self) -> int:
        return len(self.rows) - self.error_count

    @property
    def warning_count(self) -> int:
        return sum(1 for row in self.rows if row.warnings)

    @property
    def rows_with_problems(self) -> list[RosterRow]:
        return [row for row in self.rows if row.errors or row.warnings]


def check_roster(parsed: ParsedRoster, cohort, importer=None) -> RosterCheck:
    """Every row with its status (new, existing, already in the cohort,
    invited, error) and its problems. `importer` is the user whose cohorts
    decide which matches may join at once; without one, only this cohort's.
    Reads the database, writes nothing."""
    rows = [validate_row(raw) for raw in parsed.rows]
    _flag_duplicates_in_file(rows)
    _match_existing(rows, cohort, importer)
    _flag_register_and_scope(rows, cohort)
    for row in rows:
        if row.errors:
            row.status, row.user_id = RowStatus.ERROR, None
    return RosterCheck(parsed=parsed, rows=rows)


def _lines(rows: list[RosterRow]) -> str:
    return ", ".join(str(row.line) for row in rows)


def _flag_duplicates_in_file(rows: list[RosterRow]) -> None:
    by_identity: dict[Identity, list[RosterRow]] = defaultdict(list)
    for row in rows:
        if row.identity:
            by_identity[row.identity].append(row)
    repeats = set()
    for group in by_identity.values():
        for repeat in group[1:]:
            repeats.add(id(repeat))
            repeat.errors.append(
                _("ซ้ำกับแถวที่ %(line)s (เบอร์โทรและหมู่บ้านเดียวกัน)") % {"line": group[0].line}
            )

    by_village: dict[VillageKey, list[RosterRow]] = defaultdict(list)
    by_phone: dict[str, list[RosterRow]] = defaultdict(list)
    for row in rows:
        if id(row) in repeats:
            continue
        if row.village_key:
            by_village[row.village_key].append(row)
        if row.phone:
            by_phone[row.phone].append(row)
    for group in by_village.values():
        if len(group) < 2:
            continue
        for row in group:
            others = [other for other in group if other is not row]
            row.errors.append(
                _("หมู่บ้านนี้ซ้ำกับแถวที่ %(lines)s ในไฟล์เดียวกัน (หนึ่งหมู่บ้านมีเน็ตอาสาหนึ่งคน)")
                % {"lines": _lines(others)}
            )
    for group in by_phone.values():
        villages = {row.village_key for row in group}
        if len(group) < 2 or len(villages) < 2:
            continue
        for row in group:
            others = [other for other in group if other is not row]
            row.warnings.append(
                _(
                    "เบอร์โทรนี้ซ้ำกับแถวที่ %(lines)s ซึ่งเป็นคนละหมู่บ้าน "
                    "ระบบจะถือเป็นคนละคนและสร้างบัญชีแยกกัน โปรดตรวจว่าเบอร์ถูกต้อง"
                )
                % {"lines": _lines(others)}
            )


def _chunks(items: list, size: int = 900):
    # SQLite builds older than 3.32 allow 999 parameters per query.
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Profile:
    user_id: int
    phone: str
    village_key: VillageKey
    name: tuple[str, str]


def _profiles(**filters) -> list[_Profile]:
    fields = (
        "user_id",
        "phone",
        "province",
        "district",
        "subdistrict",
        "village_no",
        "first_name",
        "last_name",
    )
    return [
        _Profile(
            user_id,
            phone,
            village_key_of(province, district, subdistrict, village_no),
            (first, last),
        )
        for user_id, phone, province, district, subdistrict, village_no, first, last in (
            VolunteerProfile.objects.filter(**filters).values_list(*fields)
        )
    ]


def _visible_to(importer, user_ids: set[int]) -> set[int]:
    """Those of `user_ids` already in a cohort the importer trains."""
    from npv_site.cohorts.models import CohortMembership

    if importer is None or not user_ids:
        return set()
    visible: set[int] = set()
    for chunk in _chunks(sorted(user_ids)):
        visible.update(
            CohortMembership.objects.filter(
                cohort__trainers=importer, user_id__in=chunk
            ).values_list("user_id", flat=True)
        )
    return visible


def _match_existing(rows: list[RosterRow], cohort, importer) -> None:
    from npv_site.cohorts.models import CohortMembership

    candidates = [row for row in rows if row.identity]
    if not candidates:
        return
    phones = sorted({row.phone for row in candidates})
    provinces = sorted({row.province for row in candidates})

    by_identity: dict[Identity, set[int]] = defaultdict(set)
    for chunk in _chunks(phones):
        memberships = CohortMembership.objects.filter(
            roster_phone__in=chunk, village__isnull=False
        ).values_list(
            "user_id",
            "roster_phone",
            "village__province",
            "village__district",
            "village__subdistrict",
            "village__village_no",
        )
        for user_id, phone, *village in memberships:
            by_identity[(phone, village_key_of(*village))].add(user_id)

    profiles_by_phone: dict[str, list[_Profile]] = defaultdict(list)
    profile_of_user: dict[int, _Profile] = {}
    for chunk in _chunks(phones):
        for profile in _profiles(phone__in=chunk):
            profiles_by_phone[profile.phone].append(profile)
            by_identity[(profile.phone, profile.village_key)].add(profile.user_id)
            profile_of_user[profile.user_id] = profile
    # Only which villages have someone, never who: see "What the preview may say".
    phones_by_village: dict[VillageKey, set[str]] = defaultdict(set)
    for province, district, subdistrict, number, phone in VolunteerProfile.objects.filter(
        province__in=provinces
    ).values_list("province", "district", "subdistrict", "village_no", "phone"):
        phones_by_village[village_key_of(province, district, subdistrict, number)].add(phone)

    matched = {
        next(iter(users))
        for row in candidates
        if len(users := by_identity.get(row.identity, set())) == 1
    }
    members = set(cohort.memberships.values_list("user_id", flat=True)) if cohort.pk else set()
    # All of the cohort's invitations: no longer a list than its roster.
    invited = set(cohort.invitations.values_list("user_id", flat=True)) if cohort.pk else set()
    visible = _visible_to(importer, matched - members - invited)
    for row in candidates:
        users = by_identity.get(row.identity, set())
        if len(users) > 1:
            row.errors.append(_("ตรงกับบัญชีเดิมมากกว่าหนึ่งบัญชี ให้ผู้ดูแลระบบตรวจสอบก่อนนำเข้า"))
            continue
        if users:
            row.user_id = next(iter(users))
            if row.user_id in members:
                row.status = RowStatus.MEMBER
            elif row.user_id in invited:
                row.status = RowStatus.INVITED
            elif row.user_id in visible:
                row.status = RowStatus.EXISTING
            else:
                # Nothing more is said of an account the trainer may not see,
                # not even whether the name in the file is right.
                row.status = RowStatus.INVITE
                continue
            profile = profile_of_user.get(row.user_id)
            if profile and profile.name != (row.first_name, row.last_name):
                row.warnings.append(_("ชื่อในไฟล์ไม่ตรงกับชื่อในบัญชีเดิม จะใช้บัญชีและชื่อเดิม"))
            continue
        row.status = RowStatus.NEW
        if any(profile.village_key != row.village_key for profile in profiles_by_phone[row.phone]):
            row.warnings.append(
                _(
                    "เบอร์โทรนี้มีในบัญชีของเน็ตอาสาหมู่บ้านอื่นอยู่แล้ว "
                    "ระบบจะถือเป็นคนละคนและสร้างบัญชีใหม่ โปรดตรวจว่าเบอร์ถูกต้อง"
                )
            )
        if phones_by_village.get(row.village_key, set()) - {row.phone}:
            row.warnings.append(
                _(
                    "หมู่บ้านนี้มีบัญชีเน็ตอาสาอีกคนในระบบแล้ว (เบอร์โทรต่างกัน) "
                    "หากเป็นคนเดียวกันที่เปลี่ยนเบอร์ โปรดใช้เบอร์เดิมในไฟล์"
                )
            )


def _flag_register_and_scope(rows: list[RosterRow], cohort) -> None:
    from npv_site.cohorts.models import Village

    provinces = sorted({row.province for row in rows if row.village_key})
    register = {
        village_key_of(province, district, subdistrict, number): name
        for province, district, subdistrict, number, name in Village.objects.filter(
            province__in=provinces
        ).values_list("province", "district", "subdistrict", "village_no", "name")
    }
    served = set(cohort.provinces.values_list("name", flat=True)) if cohort.pk else set()
    for row in rows:
        if not row.village_key:
            continue
        name = register.get(row.village_key)
        if name is not None and name != row.village:
            row.warnings.append(
                _("ทะเบียนหมู่บ้านบันทึกหมู่ที่ %(no)s นี้ชื่อ “%(name)s”") % {"no": row.village_no, "name": name}
            )
        if served and row.province not in served:
            row.warnings.append(
                _("จังหวัด%(province)sไม่อยู่ในจังหวัดที่รุ่นนี้ดูแล") % {"province": row.province}
            )
