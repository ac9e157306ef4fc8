"""Missed promises and passed legal dates stay on the Today board until handled;
closed-case persons cannot be edited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from casebook.errors import CasebookError
from casebook.services import closure, deadlines, persons, today
from casebook.services.intake import PersonInput
from tests.servicekit import TODAY, new_case


def _deadline_ids(cb) -> list[int]:
    with cb.read() as s:
        return [row.entity_id for row in today.deadlines_near(s, TODAY).rows]


def test_missed_callback_stays_until_marked_done(cb):
    start = TODAY - timedelta(days=40)
    case_id = new_case(cb, today=start, received_on=start)
    with cb.write() as s:
        missed = deadlines.add_deadline(s, case_id, "CALLBACK", TODAY - timedelta(days=3)).id
        later = deadlines.add_deadline(s, case_id, "CALLBACK", TODAY + timedelta(days=30)).id
        # a bedenktijd that ended last week and was not handled: missed, shown too
        ended = deadlines.set_bedenktijd(
            s, case_id, TODAY - timedelta(days=80), end=TODAY - timedelta(days=7)
        ).id
    assert _deadline_ids(cb) == [ended, missed]
    assert later not in _deadline_ids(cb)
    with cb.write() as s:
        deadlines.mark_done(s, missed)
        deadlines.mark_done(s, ended)
    assert _deadline_ids(cb) == []


def test_person_of_a_closed_case_cannot_be_edited(cb):
    case_id = new_case(
        cb,
        persons=[PersonInput(role="VICTIM", name="Ana")],
        today=date(2026, 1, 5),
        received_on=date(2026, 1, 5),
    )
    with cb.write() as s:
        closure.close_case(s, case_id, outcome="NO_TH", closed_on=date(2026, 2, 1))
    from casebook.services.cases import case_detail

    with cb.read() as s:
        person = case_detail(s, case_id).persons[0]
    with pytest.raises(CasebookError) as err, cb.write() as s:
        persons.edit_person(s, person.id, PersonInput(role="VICTIM", name="Bea"))
    assert err.value.key == "error.case_closed"
    with cb.read() as s:
        assert case_detail(s, case_id).persons[0].name == "Ana"
