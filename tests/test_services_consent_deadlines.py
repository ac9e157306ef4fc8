"""Consent per person and purpose; deadlines (bedenktijd, call-back) and B8 status."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from casebook.errors import CasebookError, ValidationError
from casebook.models import Deadline
from casebook.services import closure, consent, deadlines, intake
from tests.servicekit import (
    TODAY,
    events,
    history,
    new_case,
    organisation_id,
    persons_of,
    row_counts,
    steps_of,
    triaged_case,
)


def give(cb, person_id, purpose="COMENSHA_REG", given=True, on=TODAY, **kw):
    with cb.write() as s:
        return consent.record_consent(
            s,
            person_id,
            consent.ConsentInput(
                purpose=purpose, given=given, recorded_on=on, method="VERBAL", **kw
            ),
        )


def state(cb, person_id):
    with cb.read() as s:
        return {key: c.given for key, c in consent.current(s, person_id).items()}


def missing(cb, case_id, code, person_id=None):
    with cb.read() as s:
        return consent.missing_consent(s, case_id, code, person_id)


# --- consent ---------------------------------------------------------------


def test_given_then_withdrawn_is_withdrawn(cb):
    case_id = new_case(cb)
    person = persons_of(cb, case_id)[0].id
    give(cb, person, "COMENSHA_REG", on=date(2026, 11, 1))
    assert state(cb, person) == {("COMENSHA_REG", None): True}
    give(cb, person, "COMENSHA_REG", given=False, on=date(2026, 11, 20))
    assert state(cb, person) == {("COMENSHA_REG", None): False}
    with cb.read() as s:
        assert consent.has_consent(s, person, ("COMENSHA_REG",)) is False
    assert events(cb, case_id)[-2:] == ["consent.given", "consent.withdrawn"]
    assert [(h.entity, h.entity_id, h.new) for h in history(cb, case_id)[-2:]] == [
        ("person", person, "COMENSHA_REG"),
        ("person", person, "COMENSHA_REG"),
    ]


def test_withdrawal_on_the_same_day_counts(cb):
    case_id = new_case(cb)
    person = persons_of(cb, case_id)[0].id
    give(cb, person, "COMENSHA_SHELTER")
    give(cb, person, "COMENSHA_SHELTER", given=False)
    assert state(cb, person) == {("COMENSHA_SHELTER", None): False}


def test_purposes_are_independent(cb):
    case_id = new_case(cb)
    person = persons_of(cb, case_id)[0].id
    give(cb, person, "COMENSHA_REG")
    give(cb, person, "COMENSHA_SHELTER", given=False)
    assert state(cb, person) == {
        ("COMENSHA_REG", None): True,
        ("COMENSHA_SHELTER", None): False,
    }


def test_missing_consent_for_comensha_step(cb):
    case_id = triaged_case(cb)
    victim = persons_of(cb, case_id)[0].id
    assert missing(cb, case_id, "AANMELD_CM_REG") is True
    assert missing(cb, case_id, "AANMELD_CM_OPV") is True
    assert missing(cb, case_id, "COSM", victim) is True
    assert missing(cb, case_id, "ENRICH") is False  # needs no consent
    give(cb, victim, "COMENSHA_REG")
    assert missing(cb, case_id, "AANMELD_CM_REG") is False
    assert missing(cb, case_id, "AANMELD_CM_OPV") is True  # shelter needs its own consent
    give(cb, victim, "COMENSHA_SHELTER")
    assert missing(cb, case_id, "AANMELD_CM_OPV") is False
    assert missing(cb, case_id, "COSM", victim) is False
    give(cb, victim, "COMENSHA_SHELTER", given=False)
    assert missing(cb, case_id, "AANMELD_CM_OPV") is True


def test_missing_consent_looks_at_victims_of_the_case_only(cb):
    case_id = new_case(
        cb,
        persons=[
            intake.PersonInput(role="VICTIM", name="Slachtoffer"),
            intake.PersonInput(role="PERPETRATOR", name="Dader"),
        ],
    )
    other_case = new_case(cb)
    _, perpetrator = (p.id for p in persons_of(cb, case_id))
    give(cb, perpetrator, "COMENSHA_REG")  # not a victim: does not count
    give(cb, persons_of(cb, other_case)[0].id, "COMENSHA_REG")  # another case
    assert missing(cb, case_id, "AANMELD_CM_REG") is True


def test_share_partner_needs_an_organisation(cb):
    case_id = new_case(cb)
    person = persons_of(cb, case_id)[0].id
    counts = row_counts(cb)
    with pytest.raises(ValidationError) as info:
        give(cb, person, "SHARE_PARTNER")
    assert {e.field: e.key for e in info.value.errors} == {"organisation_id": "error.required"}
    with pytest.raises(ValidationError) as info:
        give(cb, person, "SHARE_PARTNER", organisation_id=987654)
    assert {e.field: e.key for e in info.value.errors} == {
        "organisation_id": "error.unknown_organisation"
    }
    assert row_counts(cb) == counts
    police = organisation_id(cb, "POL_AVIM")
    zc = organisation_id(cb, "ZORGCO")
    give(cb, person, "SHARE_PARTNER", organisation_id=police)
    give(cb, person, "SHARE_PARTNER", organisation_id=zc, given=False)
    assert state(cb, person) == {("SHARE_PARTNER", police): True, ("SHARE_PARTNER", zc): False}


def test_consent_validation(cb):
    case_id = new_case(cb)
    person = persons_of(cb, case_id)[0].id
    with pytest.raises(ValidationError) as info, cb.write() as s:
        consent.record_consent(
            s, person, consent.ConsentInput(purpose="ALL", method="", recorded_on="1-13-2026")
        )
    assert {e.field: e.key for e in info.value.errors} == {
        "purpose": "error.unknown_code",
        "method": "error.required",
        "recorded_on": "error.date",
    }


# --- deadlines -------------------------------------------------------------


def deadlines_of(cb, case_id):
    with cb.read() as s:
        return list(s.exec(select(Deadline).where(Deadline.case_id == case_id)))


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2026, 11, 28), date(2027, 2, 28)),
        (date(2026, 11, 30), date(2027, 2, 28)),  # no 30 February
        (date(2027, 11, 30), date(2028, 2, 29)),  # leap year
        (date(2026, 10, 31), date(2027, 1, 31)),
        (date(2026, 12, 31), date(2027, 3, 31)),
        (date(2026, 3, 31), date(2026, 6, 30)),
    ],
)
def test_bedenktijd_ends_three_months_after_start(cb, start, end):
    case_id = triaged_case(cb)
    person = persons_of(cb, case_id)[0].id
    with cb.write() as s:
        deadline = deadlines.set_bedenktijd(s, case_id, start, person_id=person)
        assert (deadline.kind, deadline.starts_on, deadline.due_on) == ("BEDENKTIJD", start, end)
    reminder = steps_of(cb, case_id)[-1]
    assert (reminder.step_type, reminder.due_on, reminder.status) == (
        "DEADLINE",
        end - timedelta(days=14),
        "OPEN",
    )
    assert persons_of(cb, case_id)[0].b8_status == "BEDENKTIJD"
    entries = history(cb, case_id)
    bt = next(h for h in entries if h.event == "deadline.bedenktijd")
    assert (bt.old, bt.new) == (start.isoformat(), end.isoformat())
    b8 = next(h for h in entries if h.field_name == "b8_status")
    assert (b8.entity, b8.entity_id, b8.old, b8.new) == ("person", person, None, "BEDENKTIJD")
    assert events(cb, case_id)[-3:] == ["deadline.bedenktijd", "field.changed", "step.added"]


def test_bedenktijd_shorter_end_allowed_longer_refused(cb):
    case_id = triaged_case(cb)
    with cb.write() as s:
        d = deadlines.set_bedenktijd(s, case_id, "01-11-2026", end="15-01-2027")
        assert d.due_on == date(2027, 1, 15)
    counts = row_counts(cb)
    with pytest.raises(ValidationError) as info, cb.write() as s:
        deadlines.set_bedenktijd(s, case_id, "01-11-2026", end="02-02-2027")
    assert {e.field: e.key for e in info.value.errors} == {"due_on": "error.bedenktijd_too_long"}
    with pytest.raises(ValidationError) as info, cb.write() as s:
        deadlines.set_bedenktijd(s, case_id, "01-11-2026", end="31-10-2026")
    assert {e.field: e.key for e in info.value.errors} == {"due_on": "error.before_start"}
    with pytest.raises(ValidationError) as info, cb.write() as s:
        deadlines.set_bedenktijd(s, case_id, "")
    assert {e.field: e.key for e in info.value.errors} == {"starts_on": "error.required"}
    assert row_counts(cb) == counts
    # exactly three months is allowed
    with cb.write() as s:
        assert deadlines.set_bedenktijd(s, case_id, "01-11-2026", end="01-02-2027").due_on == date(
            2027, 2, 1
        )


def test_bedenktijd_person_must_belong_to_case(cb):
    case_id = triaged_case(cb)
    stranger = persons_of(cb, triaged_case(cb))[0].id
    with pytest.raises(ValidationError) as info, cb.write() as s:
        deadlines.set_bedenktijd(s, case_id, TODAY, person_id=stranger)
    assert {e.field: e.key for e in info.value.errors} == {"person_id": "error.unknown_person"}
    assert persons_of(cb, case_id)[0].b8_status is None


def test_bedenktijd_on_closed_case_is_refused(cb):
    case_id = triaged_case(cb)
    with cb.write() as s:
        closure.close_case(s, case_id, outcome="NO_TH", closed_on=TODAY)
    with pytest.raises(CasebookError) as info, cb.write() as s:
        deadlines.set_bedenktijd(s, case_id, TODAY)
    assert info.value.key == "error.case_closed"
    assert deadlines_of(cb, case_id) == []


def test_add_deadline_callback(cb):
    case_id = triaged_case(cb)
    with cb.write() as s:
        d = deadlines.add_deadline(s, case_id, "CALLBACK", "02-12-2026", note="terugbellen")
        d_id = d.id
    (row,) = deadlines_of(cb, case_id)
    assert (row.kind, row.due_on, row.note, row.done, row.starts_on) == (
        "CALLBACK",
        date(2026, 12, 2),
        "terugbellen",
        False,
        None,
    )
    last = history(cb, case_id)[-1]
    assert (last.event, last.entity_id, last.new) == ("deadline.callback", d_id, "2026-12-02")
    with cb.write() as s:
        deadlines.mark_done(s, d_id)
    assert deadlines_of(cb, case_id)[0].done is True
    assert (history(cb, case_id)[-1].field_name, history(cb, case_id)[-1].new) == ("done", "1")


@pytest.mark.parametrize("kind", ["BEDENKTIJD", "PARTY", ""])
def test_add_deadline_refuses_other_kinds(cb, kind):
    case_id = triaged_case(cb)
    with pytest.raises(ValidationError) as info, cb.write() as s:
        deadlines.add_deadline(s, case_id, kind, "02-12-2026")
    assert [e.field for e in info.value.errors] == ["kind"]


def test_set_b8_status_validates_and_records(cb):
    case_id = triaged_case(cb)
    person = persons_of(cb, case_id)[0].id
    with pytest.raises(ValidationError) as info, cb.write() as s:
        deadlines.set_b8_status(s, person, "MAYBE")
    assert [e.field for e in info.value.errors] == ["b8_status"]
    with cb.write() as s:
        deadlines.set_b8_status(s, person, "APPLIED")
    assert persons_of(cb, case_id)[0].b8_status == "APPLIED"
    last = history(cb, case_id)[-1]
    assert (last.event, last.field_name, last.old, last.new) == (
        "field.changed",
        "b8_status",
        None,
        "APPLIED",
    )
