from courses.cohorts.models import CohortMembership


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
