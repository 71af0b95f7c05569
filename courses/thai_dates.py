"""Dates as Thai people write them: 28 มกราคม 2562, with the Buddhist-era year."""

import datetime

from django.utils import timezone

THAI_MONTHS = (
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
)
THAI_MONTHS_SHORT = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
BUDDHIST_ERA_OFFSET = 543


def buddhist_year(value: datetime.date) -> int:
    return value.year + BUDDHIST_ERA_OFFSET


def _local_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def thai_date(value, short: bool = False) -> str:
    """28 มกราคม 2562 (or 28 ม.ค. 2562 with short=True); aware datetimes are
    shown in the site's time zone, Asia/Bangkok."""
    if not value:
        return ""
    day = _local_date(value)
    months = THAI_MONTHS_SHORT if short else THAI_MONTHS
    return f"{day.day} {months[day.month - 1]} {buddhist_year(day)}"


def thai_datetime(value) -> str:
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{thai_date(local)} {local:%H:%M} น."
