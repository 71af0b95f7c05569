"""A learner's own data, gathered for download (PDPA / GDPR right of access).

Each app that keeps personal data registers a section in its AppConfig.ready(),
so the export grows with the apps instead of knowing about them: `courses` adds
"learning", `certificates` adds "certificates", and a host site adds its own
(Net Pracharat's adds the volunteer profile and the training cohorts).

Deletion needs no registry: deleting the user cascades to every row that
belongs to them, and an app that must do more first (certificates withdraws
the printed ones) connects to ``pre_delete`` for the user model.
"""

from collections.abc import Callable
from typing import Any

_sections: dict[str, Callable[[Any], Any]] = {}


def register_section(name: str, collect: Callable[[Any], Any]) -> None:
    """Add ``name`` to every download, filled by ``collect(user)``. Registering
    the same name again replaces the earlier one."""
    _sections[name] = collect


def account_section(user) -> dict:
    # Only what any Django user model has: a custom one may have no email,
    # date_joined or last_login.
    data = {"username": user.get_username()}
    email_field = user.get_email_field_name()
    if hasattr(user, email_field):
        data["email"] = getattr(user, email_field)
    for name in ("date_joined", "last_login"):
        if hasattr(user, name):
            value = getattr(user, name)
            data[name] = value.isoformat() if value else None
    return data


def collect_personal_data(user) -> dict:
    data = {"account": account_section(user)}
    for name, collect in _sections.items():
        data[name] = collect(user)
    return data
