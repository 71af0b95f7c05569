from .claims import ClaimCode
from .cohorts import CohortMembership, Province, TrainingCohort
from .imports import RosterImport
from .villages import Village

__all__ = [
    "ClaimCode",
    "CohortMembership",
    "Province",
    "RosterImport",
    "TrainingCohort",
    "Village",
]
