"""Closing (outcome required, open work settled first), reopening, and the history that
every change leaves behind."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from casebook.dates import frozen
from casebook.errors import CasebookError, StaleEditError, ValidationError
from casebook.i18n import set_language
from casebook.services import (
    closure,
    consent,
    contacts,
    deadlines,
    intake,
    referrals,
    steps,
    triage,
)
from casebook.services.cases import timeline
from tests.servicekit import (
    TODAY,
    events,
    get_case,
    history,
    new_case,
    persons_of,
    row_counts,
    step,
    steps_of,
    triaged_case,
)


def close(cb, case_id, **kw):
    values = dict(outcome="REG_CARE", closed_on=TODAY)
    values.update(kw)
    with cb.write() as s:
        return closure.close_case(s, case_id, **values)


def request(cb, case_id, shelter="MO"):
    with cb.write() as s:
        return referrals.request_referral(
            s, case_id, referrals.ReferralInput(shelter_type=shelter), today=TODAY
        ).id


def test_outcome_is_required_and_checked(cb):
    case_id = triaged_case(cb)
    for outcome, key in (("", "error.required"), ("HAPPY", "error.unknown_code")):
        with pytest.raises(ValidationError) as info:
            close(cb, case_id, outcome=outcome)
        assert {e.field: e.key for e in info.value.errors} == {"outcome": key}
    assert get_case(cb, case_id).status == "OPEN"


def test_closed_on_before_opening_is_refused(cb):
    case_id = triaged_case(cb)
    with pytest.raises(ValidationError) as info:
        close(cb, case_id, closed_on="27-11-2026")
    assert {e.field: e.key for e in info.value.errors} == {"closed_on": "error.before_start"}


def test_close_sets_outcome_phase_status_and_history(cb):
    case_id = triaged_case(cb)
    close(cb, case_id, outcome="NO_TH", note="geen mensenhandel")
    case = get_case(cb, case_id)
    assert (case.status, case.phase, case.closure_outcome, case.closed_on, case.closure_note) == (
        "CLOSED",
        "CLOSURE",
        "NO_TH",
        TODAY,
        "geen mensenhandel",
    )
    tail = history(cb, case_id)[-6:]
    assert [(h.event, h.field_name, h.old, h.new) for h in tail] == [
        ("field.changed", "closure_outcome", None, "NO_TH"),
        ("field.changed", "closure_note", "", "geen mensenhandel"),
        ("field.changed", "closed_on", None, "2026-11-28"),
        ("field.changed", "phase", "REFERRAL", "CLOSURE"),
        ("field.changed", "status", "OPEN", "CLOSED"),
        ("case.closed", None, None, "NO_TH"),
    ]


def test_closing_twice_is_refused(cb):
    case_id = triaged_case(cb)
    close(cb, case_id)
    with pytest.raises(CasebookError) as info:
        close(cb, case_id)
    assert info.value.key == "error.case_closed"


def test_open_work_blocks_closing_until_settled(cb):
    case_id = triaged_case(
        cb, steps=[step("ENRICH"), step("CONSULT_ZC"), step("REPORT_POL"), step("EVAL")]
    )
    enrich, consult, report, evaluate = (st.id for st in steps_of(cb, case_id))
    placed = request(cb, case_id, "MO")
    waiting = request(cb, case_id, "NOODBED")
    with cb.write() as s:
        referrals.set_referral_status(s, placed, "PLACED", on=TODAY)
    # open: 4 steps + the step waiting for the NOODBED reply; 2 running referrals
    counts = row_counts(cb)
    set_language("en")
    with pytest.raises(CasebookError) as info:
        close(cb, case_id)
    assert info.value.key == "error.close_open_items"
    assert info.value.params == {"steps": 5, "referrals": 2, "deadlines": 0}
    assert str(info.value) == (
        "Settle first — open steps: 5, running referrals: 2, open deadlines: 0"
    )
    set_language("nl")
    assert "open stappen: 5, lopende verwijzingen: 2, open termijnen: 0" in str(info.value)
    assert row_counts(cb) == counts
    assert get_case(cb, case_id).status == "OPEN"

    with cb.write() as s:
        steps.complete_step(s, enrich, result="klaar")
        steps.cancel_step(s, consult, reason="niet nodig")
        steps.carry_step(s, report, note="politie")
        referrals.set_referral_status(s, waiting, "WITHDRAWN", on=TODAY)  # completes its step
    with pytest.raises(CasebookError) as info:
        close(cb, case_id)
    assert info.value.params == {"steps": 1, "referrals": 1, "deadlines": 0}
    with cb.write() as s:
        steps.complete_step(s, evaluate)
    with pytest.raises(CasebookError) as info:
        close(cb, case_id)
    assert info.value.params == {"steps": 0, "referrals": 1, "deadlines": 0}
    with cb.write() as s:
        referrals.carry_referral(s, placed)
    close(cb, case_id)
    assert get_case(cb, case_id).status == "CLOSED"


def test_ended_refused_and_withdrawn_referrals_do_not_block(cb):
    case_id = triaged_case(cb)
    ended, refused, withdrawn = request(cb, case_id), request(cb, case_id), request(cb, case_id)
    with cb.write() as s:
        referrals.set_referral_status(s, ended, "PLACED", on=TODAY)
        referrals.set_referral_status(s, ended, "ENDED", on=TODAY)
        referrals.set_referral_status(s, refused, "REFUSED", on=TODAY)
        referrals.set_referral_status(s, withdrawn, "WITHDRAWN", on=TODAY)
    with cb.read() as s:
        items = closure.open_items(s, case_id)
    assert (items.steps, items.referrals, items.any) == (0, 0, False)
    close(cb, case_id)


def test_stale_close_is_refused(cb):
    case_id = triaged_case(cb)
    version = get_case(cb, case_id).version
    with cb.write() as s:
        triage.set_status(s, case_id, "ON_HOLD")
    with pytest.raises(StaleEditError):
        close(cb, case_id, expected_version=version)
    assert get_case(cb, case_id).status == "ON_HOLD"


def test_reopen_needs_a_reason(cb):
    case_id = triaged_case(cb)
    close(cb, case_id)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as info, cb.write() as s:
            closure.reopen_case(s, case_id, reason=reason)
        assert {e.field: e.key for e in info.value.errors} == {"reason": "error.required"}
    assert get_case(cb, case_id).status == "CLOSED"


def test_reopen_sets_reopened_followup_and_clears_closure(cb):
    case_id = triaged_case(cb)
    close(cb, case_id, outcome="LOST")
    with cb.write() as s:
        closure.reopen_case(s, case_id, reason="Nieuwe melding van de politie")
    case = get_case(cb, case_id)
    assert (case.status, case.phase, case.closed_on, case.closure_outcome) == (
        "REOPENED",
        "FOLLOWUP",
        None,
        None,
    )
    tail = history(cb, case_id)[-5:]
    assert [(h.event, h.field_name, h.old, h.new) for h in tail] == [
        ("field.changed", "closed_on", "2026-11-28", None),
        ("field.changed", "closure_outcome", "LOST", None),
        ("field.changed", "phase", "CLOSURE", "FOLLOWUP"),
        ("field.changed", "status", "CLOSED", "REOPENED"),
        ("case.reopened", None, None, "Nieuwe melding van de politie"),
    ]
    # a reopened case takes work again, and can be closed again
    with cb.write() as s:
        steps.add_step(s, case_id, step("EVAL", date(2026, 12, 10)))
    with pytest.raises(CasebookError):
        close(cb, case_id)


def test_reopen_of_open_case_is_refused(cb):
    case_id = triaged_case(cb)
    with pytest.raises(CasebookError) as info, cb.write() as s:
        closure.reopen_case(s, case_id, reason="waarom")
    assert info.value.key == "error.case_not_closed"


# --- history over a whole life ---------------------------------------------


def test_history_follows_a_case_from_signal_to_reopen(cb):
    """Every service call leaves its entries, in the order the calls were made."""
    moments = iter(datetime(2026, 11, d, 9, tzinfo=UTC) for d in range(1, 29))

    def at():
        return frozen(next(moments))

    with at(), cb.write() as s:
        case, _ = intake.record_signal(
            s,
            intake.SignalInput(
                received_on=date(2026, 11, 1),
                channel="PHONE",
                source_role="POL",
                title="Kwekerij",
                persons=[intake.PersonInput(role="VICTIM", name="X")],
            ),
            today=TODAY,
        )
        case_id = case.id
    person = persons_of(cb, case_id)[0].id
    with at(), cb.write() as s:
        triage.triage_case(
            s,
            case_id,
            triage.TriageInput(urgency="HIGH", exploitation_types=["CRIM"], route="CARE"),
        )
    with at(), cb.write() as s:
        step_id = steps.add_step(s, case_id, step("ENRICH", date(2026, 11, 10))).id
    with at(), cb.write() as s:
        steps.reschedule_step(s, step_id, date(2026, 11, 12))
    with at(), cb.write() as s:
        steps.complete_step(s, step_id, result="ok", done_on=date(2026, 11, 5))
    with at(), cb.write() as s:
        contacts.log_contact(
            s, case_id, contacts.ContactInput(channel="PHONE", counterpart_role="SUBJECT")
        )
    with at(), cb.write() as s:
        consent.record_consent(
            s, person, consent.ConsentInput(purpose="COMENSHA_SHELTER", method="WRITTEN")
        )
    with at(), cb.write() as s:
        ref_id = referrals.request_referral(
            s, case_id, referrals.ReferralInput(shelter_type="COSM", person_id=person)
        ).id
    with at(), cb.write() as s:
        referrals.set_referral_status(s, ref_id, "PLACED", on=date(2026, 11, 9))
    with at(), cb.write() as s:
        deadlines.set_bedenktijd(s, case_id, date(2026, 11, 9), person_id=person)
    with at(), cb.write() as s:
        callback = deadlines.add_deadline(s, case_id, "CALLBACK", date(2026, 11, 20)).id
    with at(), cb.write() as s:
        referrals.carry_referral(s, ref_id)
    # open deadlines hold the case open like steps: settled from the closing dialog
    with at(), cb.write() as s:
        for item in closure.open_deadlines(s, case_id):
            how = "done" if item.id == callback else "cancel"
            closure.settle_item(s, item, how, note="bedenktijd niet meer nodig")
    with at(), cb.write() as s:
        reminder = next(st for st in steps_of(cb, case_id) if st.status == "OPEN")
        steps.cancel_step(s, reminder.id)
    with at(), cb.write() as s:
        closure.close_case(s, case_id, outcome="PLACED", closed_on=date(2026, 11, 14))
    with at(), cb.write() as s:
        closure.reopen_case(s, case_id, reason="terug")

    with cb.read() as s:
        entries = timeline(s, case_id)
    assert [(e.event, e.field_name) for e in entries] == [
        ("case.opened", None),
        ("signal.added", None),
        ("person.added", None),
        ("field.changed", "urgency"),
        ("field.changed", "route"),
        ("field.changed", "exploitation_types"),
        ("field.changed", "phase"),
        ("field.changed", "status"),
        ("case.triaged", None),
        ("step.added", None),
        ("step.rescheduled", "due_on"),
        ("step.done", None),
        ("contact.logged", None),
        ("consent.given", None),
        ("referral.requested", None),
        ("step.added", None),
        ("referral.placed", "status"),
        ("step.done", None),
        ("field.changed", "phase"),
        ("deadline.bedenktijd", None),
        ("field.changed", "b8_status"),
        ("step.added", None),
        ("deadline.callback", None),
        ("field.changed", "carried_by_partner"),
        ("field.changed", "done"),  # the call-back done (it falls due first)
        ("deadline.cancelled", None),  # the bedenktijd cancelled
        ("step.cancelled", None),
        ("field.changed", "closure_outcome"),
        ("field.changed", "closed_on"),
        ("field.changed", "phase"),
        ("field.changed", "status"),
        ("case.closed", None),
        ("field.changed", "closed_on"),
        ("field.changed", "closure_outcome"),
        ("field.changed", "phase"),
        ("field.changed", "status"),
        ("case.reopened", None),
    ]
    # timestamps never go backwards, and the ids agree with the timeline order
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert [e.id for e in entries] == sorted(e.id for e in entries)
    assert events(cb, case_id) == [e.event for e in entries]
    phases = [(e.old, e.new) for e in entries if e.field_name == "phase"]
    assert phases == [
        ("INTAKE", "REFERRAL"),
        ("REFERRAL", "FOLLOWUP"),
        ("FOLLOWUP", "CLOSURE"),
        ("CLOSURE", "FOLLOWUP"),
    ]


def test_a_refused_change_leaves_no_history(cb):
    case_id = new_case(cb)
    before = history(cb, case_id)
    with pytest.raises(ValidationError), cb.write() as s:
        triage.triage_case(s, case_id, triage.TriageInput(route="CARE", exploitation_types=[]))
    assert history(cb, case_id) == before
