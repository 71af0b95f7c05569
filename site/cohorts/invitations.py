"""Cohort invitations: how an account the trainer may not see joins a cohort.

The rule (PDPA: a trainer sees personal data only of the volunteers of the
cohorts they train): an account joins a cohort only by its owner's choice,
by a site administrator's approval, or because the trainer adding it already
trains a cohort it is in. Everything else is an invitation, which only the
invited volunteer (or an administrator) can act on. Accepting makes the
membership and enrols in the cohort's courses, as an import does.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

import notifications
from npv_site.accounts.models import VolunteerProfile
from npv_site.cohorts.importing import enrol_users
from npv_site.cohorts.invitation_notices import forget_notices
from npv_site.cohorts.models import CohortInvitation, CohortMembership, TrainingCohort, Village
from npv_site.cohorts.models.villages import VillageSource
from npv_site.cohorts.notifications import INVITED


class InvitationClosed(Exception):
    """The invitation was answered already (another tab, an administrator)."""


def invite(cohort: TrainingCohort, user, invited_by) -> tuple[CohortInvitation | None, bool]:
    """Invite `user` to `cohort`, once: a second invitation of the same
    person to the same cohort is the first one. Returns (invitation, created);
    (None, False) when the user is a member already."""
    with transaction.atomic():
        if CohortMembership.objects.filter(cohort=cohort, user=user).exists():
            return None, False
        invitation, created = CohortInvitation.objects.get_or_create(
            cohort=cohort, user=user, defaults={"invited_by": invited_by}
        )
        if created:
            forget_notices([user.pk])
            notifications.notify(
                INVITED,
                [user.pk],
                key=f"cohort-invitation:{invitation.pk}",
                context={
                    "invitation_id": invitation.pk,
                    "cohort": cohort.name,
                    "invited_by": invited_by.get_full_name() if invited_by else "",
                },
            )
        return invitation, created


def _decide(invitation: CohortInvitation, status: str, by) -> CohortInvitation:
    now = timezone.now()
    with transaction.atomic():
        # Only a pending invitation is answered, and only once.
        if not CohortInvitation.objects.filter(
            pk=invitation.pk, status=CohortInvitation.Status.PENDING
        ).update(status=status, decided_at=now, decided_by=by):
            raise InvitationClosed
        invitation.refresh_from_db()
        forget_notices([invitation.user_id])
        if status in CohortInvitation.JOINED:
            _join(invitation)
    return invitation


def _profile_village(user) -> Village | None:
    # An invitation from the search has no roster row: the membership takes
    # the village of the profile, which the volunteer now lets the trainer see.
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is None:
        return None
    village, _created = Village.objects.get_or_create(
        province=profile.province,
        district=profile.district,
        subdistrict=profile.subdistrict,
        village_no=profile.village_no,
        defaults={"name": profile.village_name, "source": VillageSource.ROSTER},
    )
    return village


def _join(invitation: CohortInvitation) -> None:
    CohortMembership.objects.get_or_create(
        cohort=invitation.cohort,
        user=invitation.user,
        defaults={
            "village": invitation.village or _profile_village(invitation.user),
            "roster_phone": invitation.roster_phone,
            "roster_import": invitation.roster_import,
            "imported_by": invitation.invited_by,
        },
    )
    enrol_users(invitation.cohort, [invitation.user_id])


def accept_invitation(invitation: CohortInvitation, by) -> CohortInvitation:
    """The invited volunteer joins the cohort. Raises InvitationClosed."""
    return _decide(invitation, CohortInvitation.Status.ACCEPTED, by)


def decline_invitation(invitation: CohortInvitation, by) -> CohortInvitation:
    """The invited volunteer says no; the trainer still sees nothing of them."""
    return _decide(invitation, CohortInvitation.Status.DECLINED, by)


def approve_invitation(invitation: CohortInvitation, by) -> CohortInvitation:
    """A site administrator adds the volunteer on their behalf."""
    return _decide(invitation, CohortInvitation.Status.APPROVED, by)
