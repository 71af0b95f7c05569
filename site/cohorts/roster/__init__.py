"""Reading and checking a volunteer roster (CSV or XLSX) before anything is written.

`read_roster()` (reading.py) turns the uploaded bytes into rows, or refuses the
whole file with a Thai message (`RosterFileError`): too big, not CSV/XLSX, no
header, missing or extra columns. `validate_row()` (rows.py) lists what is
wrong with one row; `check_roster()` (matching.py) gives every row a status
(new, existing, already in the cohort, to invite, invited, error) and its
problems in Thai, and documents who "already exists" and what the preview may
say of them. Nothing here writes to the database.
"""

from npv_site.cohorts.roster.matching import RosterCheck, check_roster
from npv_site.cohorts.roster.reading import (
    ROSTER_COLUMNS,
    VILLAGE_COLUMNS,
    ParsedRoster,
    RawRow,
    RosterFileError,
    max_rows,
    max_upload_bytes,
    read_roster,
)
from npv_site.cohorts.roster.rows import RosterRow, RowStatus, validate_row
from npv_site.cohorts.roster.text import (
    THAI_DIGITS,
    VillageKey,
    clean_province,
    village_key_of,
)

__all__ = [
    "ROSTER_COLUMNS",
    "THAI_DIGITS",
    "VILLAGE_COLUMNS",
    "ParsedRoster",
    "RawRow",
    "RosterCheck",
    "RosterFileError",
    "RosterRow",
    "RowStatus",
    "VillageKey",
    "check_roster",
    "clean_province",
    "max_rows",
    "max_upload_bytes",
    "read_roster",
    "validate_row",
    "village_key_of",
]
