"""Checking one row of a roster on its own: every problem in Thai."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from npv_site.accounts.models import NameTitle
from npv_site.accounts.validators import normalise_phone, validate_thai_name, validate_thai_phone
from npv_site.cohorts.roster.reading import RawRow
from npv_site.cohorts.roster.text import (
    DISTRICT_PREFIX,
    SUBDISTRICT_PREFIX,
    THAI_DIGITS,
    VILLAGE_NO_PREFIX,
    VillageKey,
    clean_place,
    clean_province,
    clean_text,
)

TITLE_ALIASES = {
    "นาย": NameTitle.MR,
    "นาง": NameTitle.MRS,
    "นางสาว": NameTitle.MISS,
    "น.ส.": NameTitle.MISS,
    "น.ส": NameTitle.MISS,
    "นส.": NameTitle.MISS,
    "นส": NameTitle.MISS,
}

Identity = tuple[str, VillageKey]


class RowStatus(StrEnum):
    ERROR = "error"
    NEW = "new"
    EXISTING = "existing"
    MEMBER = "member"
    # A match outside the importer's cohorts: invited, never added at once.
    INVITE = "invite"
    INVITED = "invited"

    @property
    def label(self) -> str:
        return {
            RowStatus.ERROR: _("ไม่นำเข้า"),
            RowStatus.NEW: _("สร้างบัญชีใหม่"),
            RowStatus.EXISTING: _("มีบัญชีแล้ว เพิ่มเข้ารุ่นนี้"),
            RowStatus.MEMBER: _("อยู่ในรุ่นนี้แล้ว ไม่เปลี่ยนแปลง"),
            RowStatus.INVITE: _("ตรงกับบัญชีที่มีอยู่แล้ว: จะส่งคำเชิญให้เจ้าของบัญชียืนยัน"),
            RowStatus.INVITED: _("ส่งคำเชิญเจ้าของบัญชีไปแล้ว ไม่ส่งซ้ำ"),
        }[self]


@dataclass
class RosterRow:
    line: int
    raw: dict[str, str]
    title: str = ""
    title_other: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    province: str = ""
    district: str = ""
    subdistrict: str = ""
    village_no: int | None = None
    village: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    status: RowStatus = RowStatus.NEW
    user_id: int | None = None  # the matched account, for every status but NEW and ERROR

    @property
    def village_key(self) -> VillageKey | None:
        if self.province and self.district and self.subdistrict and self.village_no:
            return (self.province, self.district, self.subdistrict, self.village_no)
        return None

    @property
    def identity(self) -> Identity | None:
        key = self.village_key
        # `phone` is only set once it is valid.
        return (self.phone, key) if key and self.phone else None

    @property
    def is_good(self) -> bool:
        return not self.errors

    @property
    def display_title(self) -> str:
        return self.title_other if self.title == NameTitle.OTHER else self.title

    @property
    def full_name(self) -> str:
        return f"{self.display_title}{self.first_name} {self.last_name}".strip()


# Looked up lazily: translating these for every row of a national roster
# would cost seconds, and most rows need none of them.
_NAME_FIELDS = (
    ("first_name", gettext_lazy("ไม่มีชื่อ"), gettext_lazy("ชื่อ")),
    ("last_name", gettext_lazy("ไม่มีนามสกุล"), gettext_lazy("นามสกุล")),
)
_PLACE_FIELDS = (
    ("district", DISTRICT_PREFIX, gettext_lazy("ไม่มีอำเภอ"), gettext_lazy("อำเภอ")),
    ("subdistrict", SUBDISTRICT_PREFIX, gettext_lazy("ไม่มีตำบล"), gettext_lazy("ตำบล")),
)
_TITLE_LABEL = gettext_lazy("คำนำหน้าชื่อ")
_VILLAGE_LABEL = gettext_lazy("ชื่อหมู่บ้าน")


def _check_length(row: RosterRow, value: str, limit: int, label) -> None:
    if len(value) > limit:
        row.errors.append(_("%(field)s ยาวเกิน %(limit)s ตัวอักษร") % {"field": label, "limit": limit})


def validate_row(raw: RawRow) -> RosterRow:
    """Clean one row's cells and list what is wrong with them, in Thai."""
    values = {column: clean_text(value) for column, value in raw.values.items()}
    row = RosterRow(line=raw.line, raw=values)
    if raw.extra_cells:
        row.errors.append(_("แถวนี้มีข้อมูลเกินจำนวนคอลัมน์ของหัวตาราง"))
    if raw.missing_cells:
        row.errors.append(_("แถวนี้มีช่องไม่ครบตามหัวตาราง"))

    title = values.get("title", "")
    if not title:
        row.errors.append(_("ไม่มีคำนำหน้าชื่อ"))
    elif title in TITLE_ALIASES:
        row.title = TITLE_ALIASES[title]
    else:
        row.title, row.title_other = NameTitle.OTHER, title
        _check_length(row, title, 60, _TITLE_LABEL)

    for column, missing, label in _NAME_FIELDS:
        value = values.get(column, "")
        setattr(row, column, value)
        if not value:
            row.errors.append(str(missing))
            continue
        try:
            validate_thai_name(value)
        except ValidationError:
            row.errors.append(
                _("%(field)s “%(value)s” ต้องเป็นภาษาไทย") % {"field": label, "value": value}
            )
        _check_length(row, value, 100, label)

    _check_phone(row, values.get("phone", ""))

    email = values.get("email", "")
    if email:
        try:
            validate_email(email)
            row.email = email.lower()
        except ValidationError:
            row.warnings.append(_("อีเมล “%(value)s” ไม่ถูกต้อง จะไม่บันทึกอีเมลนี้") % {"value": email})

    province_text = values.get("province", "")
    if not province_text:
        row.errors.append(_("ไม่มีจังหวัด"))
    else:
        province = clean_province(province_text)
        if province is None:
            row.errors.append(_("ไม่รู้จักจังหวัด “%(value)s”") % {"value": province_text})
        else:
            row.province = province

    for column, prefix, missing, label in _PLACE_FIELDS:
        value = clean_place(values.get(column, ""), prefix)
        setattr(row, column, value)
        if not value:
            row.errors.append(str(missing))
        _check_length(row, value, 100, label)

    number_text = VILLAGE_NO_PREFIX.sub("", values.get("village_no", "").translate(THAI_DIGITS))
    if not number_text:
        row.errors.append(_("ไม่มีหมู่ที่"))
    # ASCII digits only ("²".isdigit() is true, and int("²") fails), and
    # few of them (int() refuses a string of more than 4,300 digits).
    elif not (
        number_text.isascii()
        and number_text.isdigit()
        and len(number_text) <= 4
        and 1 <= int(number_text) <= 99
    ):
        row.errors.append(
            _("หมู่ที่ต้องเป็นตัวเลข 1 ถึง 99 ไม่ใช่ “%(value)s”") % {"value": values["village_no"]}
        )
    else:
        row.village_no = int(number_text)

    row.village = values.get("village", "")
    if not row.village:
        row.errors.append(_("ไม่มีชื่อหมู่บ้าน"))
    _check_length(row, row.village, 150, _VILLAGE_LABEL)
    return row


def _check_phone(row: RosterRow, text: str) -> None:
    if not text:
        row.errors.append(_("ไม่มีเบอร์โทรศัพท์"))
        return
    try:
        phone = normalise_phone(text)
    except ValidationError as error:
        row.errors.append(
            _("เบอร์โทร “%(value)s”: %(problem)s") % {"value": text, "problem": error.messages[0]}
        )
        return
    if len(phone) == 9 and phone[0] in "689":
        # Excel drops the leading zero of a mobile number typed as a number.
        phone = "0" + phone
        row.warnings.append(
            _("เบอร์โทร “%(value)s” ไม่มีเลข 0 ข้างหน้า (Excel มักตัดทิ้ง) จะบันทึกเป็น %(phone)s")
            % {"value": text, "phone": phone}
        )
    try:
        validate_thai_phone(phone)
    except ValidationError as error:
        row.errors.append(
            _("เบอร์โทร “%(value)s”: %(problem)s") % {"value": text, "problem": error.messages[0]}
        )
        return
    row.phone = phone
