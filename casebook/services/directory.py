"""The partner directory (sociale kaart): seeded from `data/`, editable, searchable."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_
from sqlmodel import Session, select

from casebook.i18n import collation_key
from casebook.models import Organisation
from casebook.services.common import MAX_TEXT, Check, guarded

KINDS = (
    "coordination",
    "police",
    "inspection",
    "justice",
    "immigration",
    "care",
    "shelter",
    "youth",
    "ngo",
    "municipal",
    "legal",
    "return",
    "other",
)


@dataclass
class OrganisationInput:
    name: str = ""
    kind: str = "other"
    region: str = ""
    phone: str = ""
    email: str = ""
    notes: str = ""
    active: bool = True


def _check(data: OrganisationInput) -> dict:
    check = Check()
    values = {
        "name": check.text("name", data.name, required=True),
        "kind": data.kind if data.kind in KINDS else None,
        "region": check.text("region", data.region),
        "phone": check.text("phone", data.phone, max_len=100),
        "email": check.text("email", data.email),
        "notes": check.text("notes", data.notes, max_len=MAX_TEXT, multiline=True),
        "active": bool(data.active),
    }
    if values["kind"] is None:
        check.fail("kind", "error.unknown_code", code=str(data.kind)[:40])
    if values["email"] and "@" not in values["email"]:
        check.fail("email", "error.email")
    check.done()
    return values


def add_organisation(session: Session, data: OrganisationInput) -> Organisation:
    org = Organisation(**_check(data))
    session.add(org)
    session.flush()
    return org


def edit_organisation(
    session: Session, org_id: int, data: OrganisationInput, *, expected_version: int | None = None
) -> Organisation:
    values = _check(data)
    org = guarded(session, Organisation, org_id, expected_version)
    for key, value in values.items():
        setattr(org, key, value)
    session.add(org)
    return org


def search(session: Session, text: str = "", *, active_only: bool = False, limit: int = 200):
    stmt = select(Organisation)
    term = text.strip()
    if term:
        stmt = stmt.where(
            or_(
                Organisation.name.contains(term, autoescape=True),
                Organisation.region.contains(term, autoescape=True),
                Organisation.code.contains(term.upper(), autoescape=True),
            )
        )
    if active_only:
        stmt = stmt.where(Organisation.active.is_(True))
    found = session.exec(stmt.order_by(Organisation.name).limit(limit))
    # SQLite orders by code point (every capital before "de Regenboog"); the officer
    # reads a list ordered as in a dictionary
    return sorted(found, key=lambda org: collation_key(org.name))
