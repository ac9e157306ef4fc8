"""What a new casebook starts with: the partner directory seeded from `data/`."""

from __future__ import annotations

from sqlmodel import Session

from casebook import refdata
from casebook.models import Organisation


def seed_new_casebook(session: Session) -> None:
    for item in refdata.ref("organisations"):
        session.add(Organisation(code=item.code, name=item.nl, kind=item.get("kind", "other")))
