"""Reset codes: how a volunteer without e-mail gets back into their account.

E-mail is optional here, so allauth's reset by e-mail leaves many volunteers
with no way back. Their cohort's trainer issues a reset code from the admin
instead (npv_site.cohorts.views.volunteers), reads it out or hands it over on
a printed slip, and the volunteer types their user name, the code and a new
password at /accounts/reset-code/. The code is made like a claim code (twelve
digits in three groups of four, Thai digits accepted) and treated with the
same care:

- One use. Using it marks it used; issuing another ends the unused one; and
  a password set by any other route (the volunteer remembered it and changed
  it, an e-mail reset, an administrator) ends it too: `end_codes_of` runs on
  the user model's post_save (apps.py). `use_code` marks the code used in the
  same locked transaction that sets the password, so two tabs cannot both.
- A short life: RESET_CODE_VALID_HOURS, 24 by default. A trainer issues one
  while the volunteer is in the room or on the phone; a day covers "I'll do
  it tonight" and little more.
- Tried with a user name. A code is looked up for the account named, never
  across all accounts, so a guess is a guess at one person's code: one in
  10^12. After RESET_CODE_WRONG_TRIES (5) wrong codes for an account its live
  code dies and the trainer must issue another; a guesser who knows a user
  name therefore has 5 chances in 10^12 per code issued. The page's own limits
  (npv_site.accounts.reset_code_limits) bound the tries per browser and per
  address, so that spraying many user names gains nothing either.
- Stored as a keyed hash (HMAC-SHA256 with the site's SECRET_KEY, salted with
  the account's id), never in clear: the trainer sees the code once, and
  nobody reading the table, a backup or the admin can use it. A plain sha256
  would not do against a leaked table: 10^12 codes are hashed in minutes; with
  the key the table alone teaches nothing. No slow hash is needed, because the
  tries are counted and the key is secret. Rotating SECRET_KEY ends every
  outstanding code, which at a day's life costs a trainer one reissue.
- Only for a volunteer who has a password (has claimed the account): an
  imported account without one is taken over with its claim code instead.
- Never for an account that can open the admin (a trainer, an editor, a
  superuser who is also in a cohort): a trainer must not be able to take
  over an account that sees more than their own; those reset by e-mail or
  through a site administrator.

What the volunteer is told never says whether the user name exists: a wrong
user name and a wrong code get the same message (reset_code_views).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from npv_site.accounts.models import PasswordResetCode
from npv_site.input_rules import THAI_DIGITS

CODE_LENGTH = 12
DEFAULT_VALID_HOURS = 24
DEFAULT_WRONG_TRIES = 5
# Longer input is not a code: not normalised, not looked up, not hashed.
MAX_TYPED_LENGTH = 40


def valid_hours() -> int:
    return getattr(settings, "RESET_CODE_VALID_HOURS", DEFAULT_VALID_HOURS)


def wrong_tries_allowed() -> int:
    return getattr(settings, "RESET_CODE_WRONG_TRIES", DEFAULT_WRONG_TRIES)


def normalise_code(raw: str) -> str:
    """The twelve digits of what was typed (spaces, dashes, Thai digits allowed);
    '' when it cannot be a code."""
    raw = raw or ""
    if len(raw) > MAX_TYPED_LENGTH:
        return ""
    digits = "".join(ch for ch in raw.translate(THAI_DIGITS) if ch in "0123456789")
    return digits if len(digits) == CODE_LENGTH else ""


def format_code(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def hash_code(user_id: int, code: str) -> str:
    return salted_hmac(
        "npv-password-reset-code", f"{user_id}:{code}", algorithm="sha256"
    ).hexdigest()


class NotResettable(Exception):
    """The account has no password of its own yet (its claim code is the way in)."""


@dataclass(frozen=True)
class IssuedCode:
    record: PasswordResetCode
    code: str  # in clear, for the one page that shows it

    @property
    def display_code(self) -> str:
        return format_code(self.code)


class AdminAccount(Exception):
    """The account can open the admin: no trainer may reset it."""


def can_issue_for(user) -> bool:
    """Cheap enough for every row of a list (no query); `issue_code` checks
    the admin access too."""
    return user.is_active and user.has_usable_password()


def opens_the_admin(user) -> bool:
    return user.is_staff or user.is_superuser or user.has_perm("wagtailadmin.access_admin")


def issue_code(user, issued_by) -> IssuedCode:
    """A new code for `user`; their older unused code ends."""
    if not can_issue_for(user):
        raise NotResettable
    if opens_the_admin(user):
        raise AdminAccount
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    now = timezone.now()
    with transaction.atomic():
        _live(user).update(expires_at=now)
        record = PasswordResetCode.objects.create(
            user=user,
            code_hash=hash_code(user.pk, code),
            issued_by=issued_by,
            created_at=now,
            expires_at=now + timedelta(hours=valid_hours()),
        )
    return IssuedCode(record, code)


def _live(user):
    return PasswordResetCode.objects.filter(
        user=user, used_at__isnull=True, expires_at__gt=timezone.now()
    )


def find_user(username: str):
    """The active account of that user name, or None."""
    username = (username or "").strip()
    if not username or len(username) > 150:
        return None
    model = get_user_model()
    return model._default_manager.filter(
        **{f"{model.USERNAME_FIELD}__iexact": username}, is_active=True
    ).first()


def check_code(user, raw_code: str) -> PasswordResetCode | None:
    """The live code of `user` if `raw_code` is it; a wrong code counts against
    the live code, which dies after `wrong_tries_allowed()` of them."""
    if user is None:
        return None
    record = _live(user).order_by("-created_at").first()
    if record is None:
        return None
    code = normalise_code(raw_code)
    if code and hmac.compare_digest(record.code_hash, hash_code(user.pk, code)):
        return record
    PasswordResetCode.objects.filter(pk=record.pk).update(wrong_tries=F("wrong_tries") + 1)
    PasswordResetCode.objects.filter(
        pk=record.pk, wrong_tries__gte=wrong_tries_allowed(), used_at__isnull=True
    ).update(expires_at=timezone.now())
    return None


class CodeNoLongerValid(Exception):
    pass


def use_code(record: PasswordResetCode, password: str):
    """Sets the new password and marks the code used; raises CodeNoLongerValid
    if it was used, ended or outlived meanwhile (two tabs, a password change)."""
    now = timezone.now()
    with transaction.atomic():
        user = type(record.user).objects.select_for_update().get(pk=record.user_id)
        if not PasswordResetCode.objects.filter(
            pk=record.pk, used_at__isnull=True, expires_at__gt=now
        ).update(used_at=now):
            raise CodeNoLongerValid
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def end_codes_of(user) -> int:
    """End the unused reset codes of an account whose password was just set;
    returns how many were ended. A code being used is marked used first, so
    it is not among them."""
    if not user.pk:
        return 0
    return _live(user).update(expires_at=timezone.now())
