"""Claim codes: how a volunteer takes over the account a trainer imported.

A code is twelve digits, shown as three groups of four ("4821 0937 5562"):
easy to read out over the phone and to type on a phone's number pad, and
with 10^12 possibilities unguessable at the rate the claim page allows
wrong tries. It works once, until it expires; a trainer can issue a new one
for a volunteer who has not claimed their account yet.

A code is only a way to set the first password. Once the account has a
usable password, by whatever route (the claim itself, allauth's password
reset, an administrator, a login provider, a script), the code is dead: that
is checked each time a code is used, and `expire_codes_of` (connected to the
user model's post_save in apps.py) also ends the unused code, so that the
trainer's list and the claim sheet stop offering it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from courses import conf
from npv_site.accounts.models import PRIVACY_NOTICE_VERSION, VolunteerProfile
from npv_site.cohorts.models import ClaimCode
from npv_site.cohorts.roster import THAI_DIGITS
from npv_site.cohorts.unique import unused_random_values

CODE_LENGTH = 12
DEFAULT_VALID_DAYS = 180


def claim_code_valid_days() -> int:
    return getattr(settings, "CLAIM_CODE_VALID_DAYS", DEFAULT_VALID_DAYS)


def normalise_code(raw: str) -> str:
    """What the volunteer typed, as stored: spaces, dashes and Thai digits allowed."""
    return "".join(ch for ch in (raw or "").translate(THAI_DIGITS) if ch.isdigit())


def format_code(code: str) -> str:
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def claim_url(code: str) -> str:
    """The absolute link printed on the slip (courses.conf.base_url)."""
    return conf.base_url() + reverse("claim_account", args=[code])


def claim_start_url() -> str:
    """Where a volunteer types the code in; printed on the slip."""
    return conf.base_url() + reverse("claim_start")


def new_codes(count: int) -> list[str]:
    """`count` fresh codes, unique among themselves and in the database."""
    codes = unused_random_values(
        count,
        lambda: f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}",
        ClaimCode.objects.all(),
        "code",
    )
    return list(codes)


class AlreadyClaimed(Exception):
    pass


def new_claim_code_rows(user_ids: list[int]) -> list[dict]:
    """Claim-code rows for newly imported accounts, for a bulk insert."""
    now = timezone.now()
    expires_at = now + timedelta(days=claim_code_valid_days())
    return [
        {"user_id": user_id, "code": code, "created_at": now, "expires_at": expires_at}
        for user_id, code in zip(user_ids, new_codes(len(user_ids)), strict=True)
    ]


def issue_new_code(user) -> ClaimCode:
    """Replace a lost or expired code of a volunteer who has not claimed the
    account yet (an account with a password of its own is not reissued)."""
    if (
        user.has_usable_password()
        or ClaimCode.objects.filter(user=user, claimed_at__isnull=False).exists()
    ):
        raise AlreadyClaimed
    claim, _created = ClaimCode.objects.update_or_create(
        user=user,
        defaults={
            "code": new_codes(1)[0],
            "created_at": timezone.now(),
            "expires_at": timezone.now() + timedelta(days=claim_code_valid_days()),
        },
    )
    return claim


class ClaimState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    # The account has a password of its own; the code must not replace it.
    OWNED = "owned"


@dataclass
class ClaimLookup:
    state: ClaimState
    claim: ClaimCode | None = None


def find_claim(raw_code: str) -> ClaimLookup:
    code = normalise_code(raw_code)
    if len(code) != CODE_LENGTH:
        return ClaimLookup(ClaimState.UNKNOWN)
    claim = ClaimCode.objects.select_related("user").filter(code=code).first()
    if claim is None:
        return ClaimLookup(ClaimState.UNKNOWN)
    if claim.is_claimed:
        return ClaimLookup(ClaimState.USED, claim)
    # An account whose owner set a password another way (a reset by e-mail)
    # is theirs: the printed code must not take it over.
    if claim.user.has_usable_password():
        return ClaimLookup(ClaimState.OWNED, claim)
    if claim.is_expired:
        return ClaimLookup(ClaimState.EXPIRED, claim)
    return ClaimLookup(ClaimState.VALID, claim)


def claim_account(
    claim: ClaimCode,
    *,
    username: str,
    password: str,
    title: str,
    title_other: str,
    first_name: str,
    last_name: str,
):
    """Hand the account over to the volunteer: their user name and password,
    their name as they confirmed it, and their PDPA consent, which an imported
    profile does not have yet. Raises AlreadyClaimed if the code was used
    meanwhile (two tabs, two people), or the account has a password by now."""
    now = timezone.now()
    with transaction.atomic():
        # Locked and read again: a password reset may have finished since the
        # page was shown, and the code must not overwrite that password.
        user = type(claim.user).objects.select_for_update().get(pk=claim.user_id)
        if user.has_usable_password():
            raise AlreadyClaimed
        if not ClaimCode.objects.filter(pk=claim.pk, claimed_at__isnull=True).update(
            claimed_at=now
        ):
            raise AlreadyClaimed
        user.username = username
        user.first_name, user.last_name = first_name, last_name
        user.set_password(password)
        user.save(update_fields=["username", "first_name", "last_name", "password"])
        VolunteerProfile.objects.filter(user=user).update(
            title=title,
            title_other=title_other,
            first_name=first_name,
            last_name=last_name,
            consented_at=now,
            privacy_notice_version=PRIVACY_NOTICE_VERSION,
        )
    return user


def expire_codes_of(user) -> int:
    """End the unused claim code of an account that has a password now (the
    trainer's list shows it expired and the claim sheet leaves it out);
    returns how many were ended. The row stays, so that the claim page can
    still tell its holder that the account has a password."""
    if not user.pk or not user.has_usable_password():
        return 0
    now = timezone.now()
    return ClaimCode.objects.filter(
        user=user, claimed_at__isnull=True, expires_at__gt=now
    ).update(expires_at=now)
