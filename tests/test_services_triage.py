"""Triage: urgency, exploitation types, sector, route and first steps in one save."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from casebook.errors import CasebookError, StaleEditError, ValidationError
from casebook.models import Signal
from casebook.services import closure, intake, triage
from tests.servicekit import (
    TODAY,
    events,
    get_case,
    history,
    new_case,
    row_counts,
    step,
    steps_of,
)

NOW = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def triage_input(**overrides) -> triage.TriageInput:
    values = dict(
        urgency="HIGH",
        exploitation_types=["LAB", "CRIM"],
        sector="AGRI",
        route="CARE",
        route_note="Zorgroute via zorgcoördinator",
        steps=[step("CONSULT_ZC", date(2026, 12, 1)), step("ENRICH", "05-12-2026")],
    )
    values.update(overrides)
    return triage.TriageInput(**values)


def signals_of(cb, case_id):
    with cb.read() as s:
        return list(s.exec(select(Signal).where(Signal.case_id == case_id).order_by(Signal.id)))


def test_triage_sets_everything_and_moves_the_case_on(cb):
    case_id = new_case(cb)
    with cb.write() as s:
        intake.record_signal(
            s, intake.SignalInput(channel="EMAIL", source_role="ZORGCO"), case_id=case_id
        )
    assert all(sig.triaged_at is None for sig in signals_of(cb, case_id))
    version = get_case(cb, case_id).version

    with cb.write() as s:
        triage.triage_case(s, case_id, triage_input(), expected_version=version, now=NOW)
        assert triage.exploitation_codes(s, case_id) == ["CRIM", "LAB"]

    case = get_case(cb, case_id)
    assert (case.urgency, case.sector, case.route) == ("HIGH", "AGRI", "CARE")
    assert case.route_note == "Zorgroute via zorgcoördinator"
    assert (case.phase, case.status) == ("REFERRAL", "OPEN")
    assert case.triaged_at == NOW
    assert [sig.triaged_at for sig in signals_of(cb, case_id)] == [NOW, NOW]
    steps = steps_of(cb, case_id)
    assert [(st.step_type, st.due_on, st.status) for st in steps] == [
        ("CONSULT_ZC", date(2026, 12, 1), "OPEN"),
        ("ENRICH", date(2026, 12, 5), "OPEN"),
    ]


@pytest.mark.parametrize(("route", "phase"), [("ADVICE", "FOLLOWUP"), ("NONE", "FOLLOWUP")])
def test_route_without_referral_goes_to_followup(cb, route, phase):
    case_id = new_case(cb)
    with cb.write() as s:
        triage.triage_case(s, case_id, triage_input(route=route, steps=[]))
    assert (get_case(cb, case_id).phase, get_case(cb, case_id).status) == (phase, "OPEN")


def test_triage_history_records_old_and_new(cb):
    case_id = new_case(cb)
    with cb.write() as s:
        triage.triage_case(s, case_id, triage_input(steps=[step("ENRICH")]), now=NOW)
    entries = [h for h in history(cb, case_id) if h.event == "field.changed"]
    changed = {h.field_name: (h.old, h.new) for h in entries}
    assert changed == {
        "urgency": (None, "HIGH"),
        "sector": (None, "AGRI"),
        "route": (None, "CARE"),
        "route_note": ("", "Zorgroute via zorgcoördinator"),
        "exploitation_types": ("", "CRIM,LAB"),
        "phase": ("INTAKE", "REFERRAL"),
        "status": ("NEW", "OPEN"),
    }
    assert events(cb, case_id)[-3:] == ["field.changed", "case.triaged", "step.added"]


def test_retriage_records_only_what_changed_and_keeps_phase(cb):
    case_id = new_case(cb)
    with cb.write() as s:
        triage.triage_case(s, case_id, triage_input(steps=[]), now=NOW)
    before = len(history(cb, case_id))
    with cb.write() as s:
        triage.triage_case(
            s, case_id, triage_input(urgency="ACUTE", steps=[]), now=datetime.now(UTC)
        )
    new = history(cb, case_id)[before:]
    assert [(h.event, h.field_name, h.old, h.new) for h in new] == [
        ("field.changed", "urgency", "HIGH", "ACUTE"),
        ("case.triaged", None, None, "CARE"),
    ]
    case = get_case(cb, case_id)
    assert case.phase == "REFERRAL" and case.triaged_at == NOW


def test_stale_expected_version_raises_and_writes_nothing(cb):
    case_id = new_case(cb)
    version = get_case(cb, case_id).version
    with cb.write() as s:  # another window saves first
        intake.record_signal(
            s, intake.SignalInput(channel="EMAIL", source_role="ZORGCO"), case_id=case_id
        )
    counts = row_counts(cb)
    before = get_case(cb, case_id)
    with pytest.raises(StaleEditError), cb.write() as s:
        triage.triage_case(s, case_id, triage_input(), expected_version=version)
    assert row_counts(cb) == counts
    after = get_case(cb, case_id)
    assert after.model_dump() == before.model_dump()
    assert all(sig.triaged_at is None for sig in signals_of(cb, case_id))


def test_triage_validation_names_fields_and_writes_nothing(cb):
    case_id = new_case(cb)
    counts = row_counts(cb)
    data = triage_input(
        urgency="PANIC",
        exploitation_types=[],
        sector="MOON",
        route="",
        steps=[step("ENRICH"), step("FLY", "99-99-2026")],
    )
    with pytest.raises(ValidationError) as info, cb.write() as s:
        triage.triage_case(s, case_id, data)
    assert {e.field: e.key for e in info.value.errors} == {
        "urgency": "error.unknown_code",
        "exploitation_types": "error.required",
        "sector": "error.unknown_code",
        "route": "error.required",
        "steps.1.step_type": "error.unknown_code",
        "steps.1.due_on": "error.date",
    }
    assert row_counts(cb) == counts


def test_triage_of_closed_case_is_refused(cb):
    case_id = new_case(cb)
    with cb.write() as s:
        closure.close_case(s, case_id, outcome="NO_TH", closed_on=TODAY)
    with pytest.raises(CasebookError) as info, cb.write() as s:
        triage.triage_case(s, case_id, triage_input())
    assert info.value.key == "error.case_closed"


def test_set_phase_and_status_refuse_closing_by_the_back_door(cb):
    case_id = new_case(cb)
    with pytest.raises(CasebookError) as info, cb.write() as s:
        triage.set_phase(s, case_id, "CLOSURE")
    assert info.value.key == "error.use_close"
    with pytest.raises(CasebookError) as info, cb.write() as s:
        triage.set_status(s, case_id, "CLOSED")
    assert info.value.key == "error.use_close"
    with cb.write() as s:
        triage.set_status(s, case_id, "WAIT_INFO")
        triage.set_phase(s, case_id, "TRIAGE")
    case = get_case(cb, case_id)
    assert (case.phase, case.status) == ("TRIAGE", "WAIT_INFO")
    assert [(h.field_name, h.old, h.new) for h in history(cb, case_id)[-2:]] == [
        ("status", "NEW", "WAIT_INFO"),
        ("phase", "INTAKE", "TRIAGE"),
    ]


def test_edit_case_on_closed_case_is_refused_and_writes_nothing(cb):
    case_id = new_case(cb)
    with cb.write() as s:
        closure.close_case(s, case_id, outcome="NO_TH", closed_on=TODAY)
    before = get_case(cb, case_id)
    with pytest.raises(CasebookError) as info, cb.write() as s:
        triage.edit_case(s, case_id, triage.CaseEdit(title="Nieuw"))
    assert info.value.key == "error.case_closed"
    assert get_case(cb, case_id).model_dump() == before.model_dump()
