"""Duplicates put right: a signal moved to the case it belongs to, a duplicate case
merged into the right one.

Each is one write transaction, guarded by the versions of both cases as the officer
read them (`expected_*_version`: another window's change refuses it), and each leaves
an entry in both timelines. A merged case keeps its own case-level timeline (opened,
closed, phase changes), is closed as a duplicate with `merged_into` naming the case it
went into, and holds nothing else: its signals, persons (with their consent), steps,
referrals, contact moments and deadlines, with their timeline entries, now belong to
the other case. The statistics leave merged cases out, so the signal counts once.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from casebook.dates import today as local_today
from casebook.errors import CasebookError, NotFoundError
from casebook.models import Case, CaseExploitation, CaseSector, HistoryEntry, Signal
from casebook.services.common import MAX_TEXT, Check, change, ensure_open, record, touch_case

# Tables with a `case_id` that are not moved row by row: the case's own code lists
# are united instead, and the history moves by entity (see `merge_cases`).
_NOT_MOVED = {"case_file", "case_exploitation", "case_sector", "history"}

# history entities whose entries follow their record into the other case
_MOVED_ENTITIES = ("signal", "person", "step", "referral", "contact", "deadline", "consent")


def _case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    return case


def move_signal(
    session: Session,
    signal_id: int,
    target_case_id: int,
    *,
    expected_source_version: int | None = None,
    expected_target_version: int | None = None,
) -> Signal:
    """Move one signal (with its indicators) to another open case. A case's last
    signal is not moved: the case would be left without one (merge it instead)."""
    signal = session.get(Signal, signal_id)
    if signal is None:
        raise NotFoundError("signal")
    source = _case(session, signal.case_id)
    target = _case(session, target_case_id)
    if source.id == target.id:
        raise CasebookError("merge.same_case", reference=target.reference)
    ensure_open(source)
    ensure_open(target)
    count = session.exec(
        select(sa.func.count()).select_from(Signal).where(Signal.case_id == source.id)
    ).one()
    if count <= 1:
        raise CasebookError("merge.last_signal", reference=source.reference)
    touch_case(session, source.id, expected_source_version)
    touch_case(session, target.id, expected_target_version)
    signal.case_id = target.id
    session.add(signal)
    record(
        session,
        source.id,
        "signal.moved_out",
        entity="signal",
        entity_id=signal.id,
        new=target.reference,
    )
    record(
        session,
        target.id,
        "signal.moved_in",
        entity="signal",
        entity_id=signal.id,
        old=source.reference,
    )
    session.flush()
    return signal


def _case_tables() -> list[sa.Table]:
    """Every table whose rows belong to a case through `case_id` (and are moved)."""
    out = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name in _NOT_MOVED or "case_id" not in table.c:
            continue
        if any(fk.column.table.name == "case_file" for fk in table.c.case_id.foreign_keys):
            out.append(table)
    return out


def merge_cases(
    session: Session,
    duplicate_id: int,
    target_id: int,
    *,
    note: str = "",
    expected_duplicate_version: int | None = None,
    expected_target_version: int | None = None,
    today: date | None = None,
) -> Case:
    """Merge the duplicate case into the target (an open case): see the module's text.
    The target keeps its own title, urgency and primary sector (or takes the
    duplicate's when it has none); exploitation types and sectors are united."""
    check = Check()
    note = check.text("note", note, max_len=MAX_TEXT, multiline=True)
    check.done()
    today = today or local_today()
    duplicate = _case(session, duplicate_id)
    target = _case(session, target_id)
    if duplicate.id == target.id:
        raise CasebookError("merge.same_case", reference=target.reference)
    if duplicate.merged_into:
        raise CasebookError(
            "merge.already_merged", reference=duplicate.reference, target=duplicate.merged_into
        )
    ensure_open(target)
    duplicate = touch_case(session, duplicate.id, expected_duplicate_version)
    target = touch_case(session, target.id, expected_target_version)

    for table in _case_tables():
        session.execute(
            sa.update(table).where(table.c.case_id == duplicate.id).values(case_id=target.id)
        )
    session.execute(
        sa.update(HistoryEntry)
        .where(HistoryEntry.case_id == duplicate.id, HistoryEntry.entity.in_(_MOVED_ENTITIES))
        .values(case_id=target.id)
    )
    _unite_codes(session, duplicate, target)

    record(session, target.id, "case.merged_in", old=duplicate.reference, new=note or None)
    if duplicate.status != "CLOSED":
        change(session, duplicate.id, duplicate, "closure_outcome", "DUPLICATE")
        change(session, duplicate.id, duplicate, "closed_on", max(today, duplicate.opened_on))
        change(session, duplicate.id, duplicate, "phase", "CLOSURE")
        change(session, duplicate.id, duplicate, "status", "CLOSED")
    change(session, duplicate.id, duplicate, "merged_into", target.reference)
    record(session, duplicate.id, "case.merged", new=target.reference)
    session.add(duplicate)
    session.add(target)
    session.flush()
    session.expire_all()
    return session.get(Case, target.id)


def _unite_codes(session: Session, duplicate: Case, target: Case) -> None:
    """The duplicate's exploitation types and sectors join the target's (each change
    in the target's timeline); the duplicate keeps none."""
    from casebook.services.case_details import other_sectors, set_other_sectors
    from casebook.services.triage import exploitation_codes, set_exploitation_types

    types = exploitation_codes(session, target.id)
    extra = [c for c in exploitation_codes(session, duplicate.id) if c not in types]
    if extra:
        set_exploitation_types(session, target.id, sorted(types + extra))
    their_sectors = [duplicate.sector, *other_sectors(session, duplicate.id)]
    for model in (CaseExploitation, CaseSector):
        session.execute(sa.delete(model).where(model.case_id == duplicate.id))
    session.flush()
    if target.sector is None and duplicate.sector is not None:
        change(session, target.id, target, "sector", duplicate.sector)
    ours = other_sectors(session, target.id)
    wanted = list(ours)
    for code in their_sectors:
        if code and code != target.sector and code not in wanted:
            wanted.append(code)
    if wanted != ours:
        set_other_sectors(session, target.id, wanted, primary=target.sector)
