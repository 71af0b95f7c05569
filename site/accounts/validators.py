"""Checks on what volunteers type about themselves, with Thai messages."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

THAI_PHONE = re.compile(r"^0\d{8,9}$")


def normalise_phone(raw: str) -> str:
    """'081-234 5678', '+66 81 234 5678' and '66812345678' all become '0812345678'."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("66") and len(digits) in (10, 11):
        digits = "0" + digits[2:]
    return digits


def validate_thai_phone(value: str) -> None:
    if not THAI_PHONE.match(normalise_phone(value)):
        raise ValidationError(
            _("เบอร์โทรศัพท์ไม่ถูกต้อง ต้องขึ้นต้นด้วย 0 และมี 9 หรือ 10 หลัก เช่น 0812345678"),
            code="bad_phone",
        )


THAI_LETTERS = re.compile(r"^[\u0E00-\u0E7F\s.\-]+$")


def validate_thai_name(value: str) -> None:
    if not THAI_LETTERS.match(value or ""):
        raise ValidationError(
            _("กรุณากรอกชื่อเป็นภาษาไทย"),
            code="not_thai",
        )
