from .claims import ClaimCode
from .cohorts import CohortMembership, Province, TrainingCohort
from .exports import ReportExport
from .imports import RosterImport
from .invitations import CohortInvitation
from .messages import CohortMessage
from .villages import Village

__all__ = [
    "ClaimCode",
    "CohortInvitation",
    "CohortMembership",
    "CohortMessage",
    "Province",
    "ReportExport",
    "RosterImport",
    "TrainingCohort",
    "Village",
]
