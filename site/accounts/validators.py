"""Checks on what volunteers type about themselves, with Thai messages.

The one phone rule and the one name rule of the site: sign-up, the profile
page, the admin (through the model) and the roster import all call these.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from npv_site.input_rules import THAI_DIGITS, describe_character, is_invisible, remove_invisible

THAI_PHONE = re.compile(r"^0\d{8,9}$")
# What may separate the digits of a phone number as people write it.
PHONE_SEPARATORS = frozenset(" -")


def normalise_phone(raw: str) -> str:
    """'081-234 5678', '+66 81 234 5678', '66812345678' and '๐๘๑๒๓๔๕๖๗๘' all
    become '0812345678'. Anything but digits, spaces, dashes and a leading +66
    is refused (ValidationError naming the character), never dropped: an "l"
    typed for a "1" must not quietly become a shorter number."""
    text = remove_invisible(raw or "").translate(THAI_DIGITS).replace("\xa0", " ").strip()
    body = text
    if body.startswith("+"):
        if not body[1:].lstrip(" -").startswith("66"):
            raise ValidationError(
                _("เบอร์โทรศัพท์ไม่ถูกต้อง ขึ้นต้นด้วย + ได้เฉพาะ +66 (ประเทศไทย)"), code="bad_phone"
            )
        body = body[1:]
    for character in body:
        if character not in PHONE_SEPARATORS and not ("0" <= character <= "9"):
            raise ValidationError(
                _(
                    "เบอร์โทรศัพท์ไม่ถูกต้อง มี %(character)s ซึ่งไม่ใช่ตัวเลข "
                    "ใช้ได้เฉพาะตัวเลข ช่องว่าง และขีด (-)"
                ),
                code="bad_phone_character",
                params={"character": describe_character(character)},
            )
    digits = "".join(ch for ch in body if ch not in PHONE_SEPARATORS)
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
_THAI_OR_ALLOWED = re.compile(r"[\u0E00-\u0E7F\s.\-]")


def validate_thai_name(value: str) -> None:
    """A Thai name: Thai letters, spaces, dots and dashes. Invisible characters
    are removed before this runs (`remove_invisible`); one that is still here
    is named, since "write it in Thai" would not help someone who did."""
    if THAI_LETTERS.match(value or ""):
        return
    invisible = next((ch for ch in value or "" if is_invisible(ch)), None)
    if invisible is not None:
        raise ValidationError(
            _("ชื่อมีอักขระที่มองไม่เห็น %(character)s ปนอยู่ กรุณาลบแล้วพิมพ์ชื่อใหม่"),
            code="invisible_character",
            params={"character": describe_character(invisible)},
        )
    other = next((ch for ch in value or "" if not _THAI_OR_ALLOWED.match(ch)), None)
    if other is None:
        raise ValidationError(_("กรุณากรอกชื่อเป็นภาษาไทย"), code="not_thai")
    raise ValidationError(
        _("กรุณากรอกชื่อเป็นภาษาไทย (%(character)s ไม่ใช่ตัวอักษรไทย)"),
        code="not_thai",
        params={"character": describe_character(other)},
    )
