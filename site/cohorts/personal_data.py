from npv_site.cohorts.models import CohortInvitation, CohortMembership


def cohorts_section(user) -> list[dict]:
    """The training cohorts a volunteer belongs to, for their data download."""
    return [
        {
            "cohort": membership.cohort.name,
            "start_date": membership.cohort.start_date,
            "end_date": membership.cohort.end_date,
            "imported_at": membership.imported_at,
        }
        for membership in CohortMembership.objects.filter(user=user).select_related("cohort")
    ]


def invitations_section(user) -> list[dict]:
    """The invitations to cohorts a volunteer received and how they answered."""
    return [
        {
            "cohort": invitation.cohort.name,
            "invited_at": invitation.created,
            "status": invitation.status,
            "decided_at": invitation.decided_at,
        }
        for invitation in CohortInvitation.objects.filter(user=user).select_related("cohort")
    ]
