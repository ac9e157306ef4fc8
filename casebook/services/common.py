"""Shared pieces of the services: input checking, history, guarded updates."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session

from casebook import refdata
from casebook.dates import parse_date, utcnow
from casebook.errors import FieldError, NotFoundError, StaleEditError, ValidationError
from casebook.models import Case, HistoryEntry

MAX_LINE = 200
MAX_TEXT = 20_000


class Check:
    """Collects field errors, so that every wrong field is reported at once."""

    def __init__(self, prefix: str = ""):
        self.prefix = prefix
        self.errors: list[FieldError] = []

    def fail(self, field: str, key: str, **params: object) -> None:
        self.errors.append(FieldError(f"{self.prefix}{field}", key, params))

    def code(self, field: str, list_name: str, value: str | None, *, required: bool = True):
        if value in (None, ""):
            if required:
                self.fail(field, "error.required")
            return None
        if value not in refdata.ref(list_name):
            self.fail(field, "error.unknown_code", code=str(value)[:40])
            return None
        return value

    def codes(self, field: str, list_name: str, values) -> list[str]:
        out: list[str] = []
        known = refdata.ref(list_name)
        for value in values or ():
            if value not in known:
                self.fail(field, "error.unknown_code", code=str(value)[:40])
            elif value not in out:
                out.append(value)
        return out

    def text(
        self,
        field: str,
        value: str | None,
        *,
        max_len: int = MAX_LINE,
        required: bool = False,
        multiline: bool = False,
    ) -> str:
        from casebook.text import clean, has_surrogates

        if value is not None and not isinstance(value, str):
            self.fail(field, "error.not_text")
            return ""
        if value and has_surrogates(value):
            self.fail(field, "error.not_text")
            return ""
        # Other control characters (an escape pasted or imported) are stored as typed
        # and shown visibly wherever the text is shown (casebook.text.printable).
        result = clean(value, multiline=multiline)
        if required and not result:
            self.fail(field, "error.required")
        if len(result) > max_len:
            self.fail(field, "error.too_long", max=max_len)
        if "\x00" in result:
            self.fail(field, "error.nul_char")
        return result

    def date(self, field: str, value, *, required: bool = True) -> date | None:
        if value in (None, ""):
            if required:
                self.fail(field, "error.required")
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if not isinstance(value, str):
            self.fail(field, "error.date")
            return None
        try:
            return parse_date(value)
        except ValueError:
            self.fail(field, "error.date")
            return None

    def integer(
        self, field: str, value, *, low: int, high: int, required: bool = False
    ) -> int | None:
        if value in (None, ""):
            if required:
                self.fail(field, "error.required")
            return None
        try:
            number = int(str(value).strip()) if not isinstance(value, int) else value
        except ValueError:
            self.fail(field, "error.number")
            return None
        if isinstance(value, bool) or not low <= number <= high:
            self.fail(field, "error.range", low=low, high=high)
            return None
        return number

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def record(
    session: Session,
    case_id: int,
    event: str,
    *,
    entity: str = "case",
    entity_id: int | None = None,
    field: str | None = None,
    old: object = None,
    new: object = None,
    at: datetime | None = None,
) -> None:
    """Append one entry to the case's history (its timeline)."""
    session.add(
        HistoryEntry(
            case_id=case_id,
            at=at or utcnow(),
            event=event,
            entity=entity,
            entity_id=entity_id,
            field_name=field,
            old=_as_text(old),
            new=_as_text(new),
        )
    )


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return str(value)


def guarded(session: Session, model, obj_id: int, expected_version: int | None):
    """Bump the record's version, refusing if another window changed it since it was
    read (`expected_version`). Returns the fresh record, loaded after the bump."""
    stmt = update(model).where(model.id == obj_id)
    if expected_version is not None:
        stmt = stmt.where(model.version == expected_version)
    result = session.execute(stmt.values(version=model.version + 1))
    if result.rowcount == 0:
        if session.get(model, obj_id) is None:
            raise NotFoundError(model.__tablename__)
        raise StaleEditError()
    return session.get(model, obj_id, populate_existing=True)


def touch_case(session: Session, case_id: int, expected_version: int | None = None) -> Case:
    """Every change to a case's contents bumps the case's version and updated_at."""
    case = guarded(session, Case, case_id, expected_version)
    case.updated_at = utcnow()
    session.add(case)
    return case


def change(session: Session, case_id: int, obj, field: str, value, entity: str = "case") -> bool:
    """Set `obj.field = value`, recording old→new in the history when it differs."""
    old = getattr(obj, field)
    if old == value:
        return False
    setattr(obj, field, value)
    record(
        session,
        case_id,
        "field.changed",
        entity=entity,
        entity_id=obj.id,
        field=field,
        old=old,
        new=value,
    )
    return True


def ensure_open(case: Case) -> None:
    from casebook.errors import CasebookError

    if case.status == "CLOSED":
        raise CasebookError("error.case_closed", reference=case.reference)
