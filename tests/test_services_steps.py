"""Follow-up steps: add, complete with a result, cancel, carry, reschedule, next step."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook.dates import frozen, local_to_utc
from casebook.errors import CasebookError, StaleEditError, ValidationError
from casebook.services import closure, steps
from tests.servicekit import (
    TODAY,
    events,
    get_case,
    history,
    organisation_id,
    row_counts,
    step,
    steps_of,
    triaged_case,
)


def add(cb, case_id, *args, **kw):
    with cb.write() as s:
        return steps.add_step(s, case_id, step(*args, **kw)).id


def one(cb, case_id, step_id):
    return next(st for st in steps_of(cb, case_id) if st.id == step_id)


def test_add_step_with_partner_and_history(cb):
    case_id = triaged_case(cb)
    zc = organisation_id(cb, "ZORGCO")
    version = get_case(cb, case_id).version
    step_id = add(cb, case_id, "CONSULT_ZC", "01-12-2026", organisation_id=zc, description="bel")
    st = one(cb, case_id, step_id)
    assert (st.step_type, st.due_on, st.organisation_id, st.description, st.status) == (
        "CONSULT_ZC",
        date(2026, 12, 1),
        zc,
        "bel",
        "OPEN",
    )
    assert get_case(cb, case_id).version == version + 1
    last = history(cb, case_id)[-1]
    assert (last.event, last.entity, last.entity_id, last.new) == (
        "step.added",
        "step",
        step_id,
        "CONSULT_ZC",
    )


def test_add_step_validation(cb):
    case_id = triaged_case(cb)
    counts = row_counts(cb)
    with pytest.raises(ValidationError) as info, cb.write() as s:
        steps.add_step(s, case_id, step("NOPE", "2026-02-30", organisation_id=99999))
    assert {e.field: e.key for e in info.value.errors} == {
        "step_type": "error.unknown_code",
        "due_on": "error.date",
        "organisation_id": "error.unknown_organisation",
    }
    assert row_counts(cb) == counts


def test_complete_with_result(cb):
    case_id = triaged_case(cb)
    step_id = add(cb, case_id, "ENRICH", date(2026, 12, 1))
    with cb.write() as s:
        steps.complete_step(s, step_id, result="BRP bekeken", done_on="27-11-2026")
    st = one(cb, case_id, step_id)
    assert (st.status, st.done_on, st.result) == ("DONE", date(2026, 11, 27), "BRP bekeken")
    assert events(cb, case_id)[-1] == "step.done"


def test_complete_defaults_to_today(cb):
    case_id = triaged_case(cb)
    step_id = add(cb, case_id, "ENRICH")
    with frozen(local_to_utc(date(2026, 11, 28), 12)), cb.write() as s:
        steps.complete_step(s, step_id)
    assert one(cb, case_id, step_id).done_on == date(2026, 11, 28)


def test_cancel_and_carry(cb):
    case_id = triaged_case(cb)
    a = add(cb, case_id, "ENRICH")
    b = add(cb, case_id, "REPORT_POL")
    with cb.write() as s:
        steps.cancel_step(s, a, reason="niet meer nodig")
        steps.carry_step(s, b, note="politie pakt het op")
    assert (one(cb, case_id, a).status, one(cb, case_id, a).result) == (
        "CANCELLED",
        "niet meer nodig",
    )
    assert (one(cb, case_id, b).status, one(cb, case_id, b).result) == (
        "CARRIED",
        "politie pakt het op",
    )
    assert events(cb, case_id)[-2:] == ["step.cancelled", "step.carried"]
    with cb.read() as s:
        assert steps.open_step_count(s, case_id) == 0


def test_reschedule_records_old_and_new(cb):
    case_id = triaged_case(cb)
    step_id = add(cb, case_id, "ENRICH", date(2026, 12, 1))
    with cb.write() as s:
        steps.reschedule_step(s, step_id, "15-12-2026")
    assert one(cb, case_id, step_id).due_on == date(2026, 12, 15)
    last = history(cb, case_id)[-1]
    assert (last.event, last.field_name, last.old, last.new) == (
        "step.rescheduled",
        "due_on",
        "2026-12-01",
        "2026-12-15",
    )
    with pytest.raises(ValidationError) as info, cb.write() as s:
        steps.reschedule_step(s, step_id, "")
    assert [e.field for e in info.value.errors] == ["due_on"]


@pytest.mark.parametrize("first", ["complete", "cancel", "carry"])
@pytest.mark.parametrize("then", ["complete", "cancel", "carry", "reschedule"])
def test_non_open_step_is_refused(cb, first, then):
    case_id = triaged_case(cb)
    step_id = add(cb, case_id, "ENRICH", date(2026, 12, 1))
    actions = {
        "complete": lambda s: steps.complete_step(s, step_id, result="klaar"),
        "cancel": lambda s: steps.cancel_step(s, step_id),
        "carry": lambda s: steps.carry_step(s, step_id),
        "reschedule": lambda s: steps.reschedule_step(s, step_id, date(2026, 12, 9)),
    }
    with cb.write() as s:
        actions[first](s)
    before = one(cb, case_id, step_id).model_dump()
    counts = row_counts(cb)
    with pytest.raises(CasebookError) as info, cb.write() as s:
        actions[then](s)
    assert info.value.key == "error.step_not_open"
    assert one(cb, case_id, step_id).model_dump() == before
    assert row_counts(cb) == counts


def test_stale_step_edit_is_refused(cb):
    case_id = triaged_case(cb)
    step_id = add(cb, case_id, "ENRICH", date(2026, 12, 1))
    version = one(cb, case_id, step_id).version
    with cb.write() as s:
        steps.reschedule_step(s, step_id, date(2026, 12, 2), expected_version=version)
    with pytest.raises(StaleEditError), cb.write() as s:
        steps.complete_step(s, step_id, expected_version=version)
    assert one(cb, case_id, step_id).status == "OPEN"


def test_add_step_to_closed_case_is_refused(cb):
    case_id = triaged_case(cb)
    with cb.write() as s:
        closure.close_case(s, case_id, outcome="NO_TH", closed_on=TODAY)
    with pytest.raises(CasebookError) as info, cb.write() as s:
        steps.add_step(s, case_id, step("ENRICH"))
    assert info.value.key == "error.case_closed"
    assert steps_of(cb, case_id) == []


def test_next_step_is_earliest_open_undated_last(cb):
    case_id = triaged_case(cb)
    with cb.read() as s:
        assert steps.next_step(s, case_id) is None
    undated = add(cb, case_id, "ADMIN")
    with cb.read() as s:
        assert steps.next_step(s, case_id).id == undated
    late = add(cb, case_id, "EVAL", date(2027, 1, 10))
    early = add(cb, case_id, "ENRICH", date(2026, 12, 3))
    same_day = add(cb, case_id, "LEGAL", date(2026, 12, 3))
    earliest_done = add(cb, case_id, "FEEDBACK", date(2026, 11, 1))
    with cb.write() as s:
        steps.complete_step(s, earliest_done)
    order = []
    for _ in range(4):
        with cb.read() as s:
            nxt = steps.next_step(s, case_id)
        order.append(nxt.id)
        with cb.write() as s:
            steps.complete_step(s, nxt.id)
    assert order == [early, same_day, late, undated]
    with cb.read() as s:
        assert steps.next_step(s, case_id) is None


def test_edit_step_records_changed_fields(cb):
    case_id = triaged_case(cb)
    step_id = add(cb, case_id, "ENRICH", date(2026, 12, 1), description="oud")
    with cb.write() as s:
        steps.edit_step(s, step_id, step("ENRICH", date(2026, 12, 1), description="nieuw"))
    last = history(cb, case_id)[-1]
    assert (last.event, last.entity, last.field_name, last.old, last.new) == (
        "field.changed",
        "step",
        "description",
        "oud",
        "nieuw",
    )


OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "complete", "cancel", "carry", "reschedule"]),
        st.integers(0, 5),  # which step (by position), for the operations on one
        st.one_of(st.none(), st.integers(-10, 10)),  # due date offset from TODAY
    ),
    max_size=12,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(ops=OPS)
def test_any_sequence_of_step_operations_keeps_the_books_straight(cb, ops):
    """Whatever the order: refusals change nothing, every accepted operation leaves one
    history entry, and next_step/open_step_count agree with the steps themselves."""
    case_id = triaged_case(cb)
    ids: list[int] = []
    accepted = 0
    for op, which, offset in ops:
        due = None if offset is None else TODAY + timedelta(days=offset)
        before = len(history(cb, case_id))
        try:
            with cb.write() as s:
                if op == "add":
                    ids.append(steps.add_step(s, case_id, step("ENRICH", due)).id)
                elif not ids:
                    continue
                else:
                    target = ids[which % len(ids)]
                    if op == "complete":
                        steps.complete_step(s, target, done_on=TODAY)
                    elif op == "cancel":
                        steps.cancel_step(s, target)
                    elif op == "carry":
                        steps.carry_step(s, target)
                    else:
                        steps.reschedule_step(s, target, due or TODAY)
        except CasebookError as exc:
            assert exc.key == "error.step_not_open"
            assert len(history(cb, case_id)) == before
        else:
            accepted += 1
            assert len(history(cb, case_id)) == before + 1
    all_steps = steps_of(cb, case_id)
    open_ = [x for x in all_steps if x.status == "OPEN"]
    with cb.read() as s:
        assert steps.open_step_count(s, case_id) == len(open_)
        nxt = steps.next_step(s, case_id)
    if open_:
        first = min(open_, key=lambda x: (x.due_on is None, x.due_on or TODAY, x.id))
        assert nxt.id == first.id
    else:
        assert nxt is None
    for x in all_steps:
        assert (x.done_on is None) == (x.status == "OPEN")
