"""The core of issue 15 part A: deadlines as obligations (closing, reminders, missed,
cancelled), the B8 warning for a Dutch national, minors (the Python rule and its SQL
twin agree), the exploitation types the indicators point to, the reply step of each
referral type, a placement date never in the future, the location corrected, the new
codes known to `casebook check`, and the policy texts stored and shown in the memo."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from casebook import refdata
from casebook.errors import CasebookError, ValidationError
from casebook.models import FollowUpStep, Person
from casebook.services import (
    cases,
    closure,
    deadlines,
    intake,
    minors,
    referrals,
    suggest,
    today,
)
from casebook.services import settings as casebook_settings
from casebook.services.location import set_location
from tests import servicekit as kit

TODAY = kit.TODAY


def reminders(cb, case_id) -> list[date]:
    return sorted(st_.due_on for st_ in kit.steps_of(cb, case_id) if st_.step_type == "DEADLINE")


# -- deadlines ------------------------------------------------------------------------


def test_every_kind_has_a_reminder_rule():
    from casebook.models import DEADLINE_KINDS

    assert set(deadlines.REMINDERS) == set(DEADLINE_KINDS)
    assert set(today.PROMISES) == set(DEADLINE_KINDS)  # every kind stays when missed


def test_an_aangifte_date_gets_a_reminder_step_a_week_before(cb):
    case_id = kit.triaged_case(cb)
    with cb.write() as s:
        deadlines.add_deadline(s, case_id, "AANGIFTE", TODAY + timedelta(days=20))
        deadlines.add_deadline(s, case_id, "AANGIFTE", TODAY + timedelta(days=3))
        deadlines.add_deadline(s, case_id, "AANGIFTE", TODAY - timedelta(days=1))  # passed
        deadlines.add_deadline(s, case_id, "CALLBACK", TODAY + timedelta(days=20))
        deadlines.add_deadline(s, case_id, "OTHER", TODAY + timedelta(days=20))
    # a week before; at the latest today; none for a date already passed; none for a
    # call-back or another date (they are on Today from 14 days before)
    assert reminders(cb, case_id) == [TODAY, TODAY + timedelta(days=13)]


def test_open_deadlines_block_closing_and_are_settled_like_steps(cb):
    case_id = kit.triaged_case(cb)
    with cb.write() as s:
        bt = deadlines.set_bedenktijd(s, case_id, TODAY).id
        aangifte = deadlines.add_deadline(s, case_id, "AANGIFTE", TODAY + timedelta(days=30)).id
        for step_ in s.exec(select(FollowUpStep).where(FollowUpStep.case_id == case_id)):
            step_.status = "DONE"  # the reminders: not what this test is about
            s.add(step_)
    with cb.read() as s:
        assert closure.open_items(s, case_id).deadlines == 2
        assert [d.id for d in closure.open_deadlines(s, case_id)] == [aangifte, bt]
    with pytest.raises(CasebookError) as info, cb.write() as s:
        closure.close_case(s, case_id, outcome="NO_TH")
    assert info.value.params == {"steps": 0, "referrals": 0, "deadlines": 2}
    with cb.write() as s:
        items = closure.open_deadlines(s, case_id)
        with pytest.raises(CasebookError) as carry:
            closure.settle_item(s, items[0], "carry")
        assert carry.value.key == "error.deadline_carry"
        closure.settle_item(s, items[0], "done")
        closure.settle_item(s, items[1], "cancel", note="geen bedenktijd nodig")
    with cb.read() as s:
        assert closure.open_items(s, case_id).any is False
    with cb.write() as s:
        closure.close_case(s, case_id, outcome="NO_TH")
    entries = [(h.event, h.new) for h in kit.history(cb, case_id) if h.entity == "deadline"]
    assert ("deadline.cancelled", "geen bedenktijd nodig") in entries
    with pytest.raises(CasebookError), cb.write() as s:
        deadlines.cancel_deadline(s, bt)  # handled already (and the case is closed)


def test_missed_deadlines_stay_on_today_until_handled(cb):
    case_id = kit.triaged_case(cb)
    with cb.write() as s:
        passed = deadlines.add_deadline(s, case_id, "AANGIFTE", TODAY - timedelta(days=1)).id
    with cb.read() as s:
        (row,) = today.deadlines_near(s, TODAY).rows
    assert (row.entity_id, row.missed) == (passed, True)
    with cb.read() as s:  # a day earlier it was not missed yet
        (row,) = today.deadlines_near(s, TODAY - timedelta(days=2)).rows
    assert row.missed is False
    with cb.write() as s:
        deadlines.cancel_deadline(s, passed)
    with cb.read() as s:
        assert today.deadlines_near(s, TODAY).rows == []


@pytest.mark.parametrize(
    ("nationality", "asked"), [("NL", True), ("RO", False), ("NG", False), ("XX", False)]
)
def test_bedenktijd_and_b8_warn_for_a_dutch_national(cb, nationality, asked):
    case_id = kit.new_case(
        cb, persons=[intake.PersonInput(role="VICTIM", name="Daan", nationality=nationality)]
    )
    person = kit.persons_of(cb, case_id)[0].id
    with cb.read() as s:
        bedenktijd = deadlines.b8_warning(s, person, bedenktijd=True, b8=None)
        b8 = deadlines.b8_warning(s, person, bedenktijd=False, b8="APPLIED")
        neither = deadlines.b8_warning(s, person, bedenktijd=False, b8="NONE")
        nobody = deadlines.b8_warning(s, None, bedenktijd=True, b8="APPLIED")
    assert (bedenktijd is not None, b8 is not None) == (asked, asked)
    assert neither is None and nobody is None
    if asked:
        assert "Nederland" in bedenktijd
    # a warning, not a refusal: the core still records it
    with cb.write() as s:
        deadlines.set_bedenktijd(s, case_id, TODAY, person_id=person)


# -- minors ---------------------------------------------------------------------------


def person(**kw) -> Person:
    return Person(case_id=1, role=kw.pop("role", "VICTIM"), **kw)


def test_minor_from_birth_year_or_age_on_the_one_clock():
    opened = date(2025, 3, 1)
    assert minors.is_minor(person(birth_year=2010), opened, TODAY)  # 16
    assert not minors.is_minor(person(birth_year=2008), opened, TODAY)  # 18
    assert minors.is_minor(person(age=16), opened, TODAY)  # 16 + 1 year since the signal
    assert not minors.is_minor(person(age=17), opened, TODAY)  # 17 then, 18 now
    assert not minors.is_minor(person(age=15, role="PERPETRATOR"), opened, TODAY)
    assert not minors.is_minor(person(), opened, TODAY)  # unknown age
    assert not minors.is_minor(person(birth_year=2010, erased=True), opened, TODAY)


def test_mismatch_with_the_minor_indicator():
    opened = TODAY
    young, adult = person(birth_year=2010), person(age=30)
    assert minors.check_case([young], ["SEX_RUN"], opened, TODAY).mismatch == "not_ticked"
    assert minors.check_case([young], ["MIN_U18"], opened, TODAY).mismatch is None
    assert minors.check_case([adult], ["MIN_U18"], opened, TODAY).mismatch == "not_minor"
    assert minors.check_case([person()], ["MIN_U18"], opened, TODAY).mismatch is None
    assert minors.check_case([adult], {1: ["GEN_ID"]}, opened, TODAY) == minors.MinorCheck(
        False, None
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=st.lists(
        st.tuples(
            st.sampled_from(["VICTIM", "OTHER"]),
            st.one_of(st.none(), st.integers(1990, 2026)),
            st.one_of(st.none(), st.integers(0, 40)),
        ),
        min_size=1,
        max_size=3,
    ),
    opened_year=st.integers(2020, 2026),
)
def test_the_sql_rule_is_the_python_rule(cb, people, opened_year):
    """Today and the case list flag minors in SQL; the case file in Python: the same."""
    opened = date(opened_year, 6, 1)
    with cb.write() as s:
        case, _ = intake.record_signal(
            s,
            kit.signal(
                received_on=opened,
                persons=[
                    intake.PersonInput(role=role, birth_year=by, age=age)
                    for role, by, age in people
                ],
            ),
            today=TODAY,
        )
        s.flush()
        rows = s.exec(select(Person).where(Person.case_id == case.id)).all()
        expected = minors.case_is_minor(rows, opened, TODAY)
        listed = {r.id: r.minor for r in cases.list_cases(s, limit=100_000)}
        (board,) = [r for r in today.untriaged(s, TODAY).rows if r.case_id == case.id]
    assert listed[case.id] == expected
    assert bool(board.minor) == expected


# -- triage, referrals, location --------------------------------------------------------


def test_indicators_point_to_exploitation_types():
    assert suggest.exploitation_from_indicators(["GEN_HOUSING", "LAB_RECRUIT"]) == ["LAB"]
    assert suggest.exploitation_from_indicators(["SEX_OLDER", "CRIM_DRUGS", "MIN_U18"]) == [
        "SEX",
        "CRIM",
    ]
    assert suggest.exploitation_from_indicators(["GEN_ID", "MIN_AMV"]) == []
    assert suggest.exploitation_from_indicators(["NOT_A_CODE"]) == []


def test_reference_data_cross_references():
    steps = set(refdata.ref("step_types").codes())
    for item in refdata.ref("shelter_types"):
        assert item.get("reply_step") in steps, item.code  # each type has its reply step
    kinds = {i.get("reply_step") for i in refdata.ref("shelter_types")}
    assert len(kinds) > 2  # not all "Opvang aanvragen"
    types = set(refdata.ref("exploitation_types").codes())
    for item in refdata.ref("indicator_groups"):
        assert item.get("exploitation") in types | {None}, item.code
    assert "SCHOOL" in refdata.ref("counterpart_roles")


def test_reply_step_follows_the_shelter_type_and_an_unknown_one_falls_back():
    assert referrals.reply_step_type("JEUGD_SPEC") == "YOUTH_REQ"
    assert referrals.reply_step_type("COSM") == "AANMELD_CM_OPV"
    assert referrals.reply_step_type("VO") == "SHELTER_REQ"


def test_a_placement_date_cannot_lie_in_the_future(cb):
    case_id = kit.triaged_case(cb)
    with cb.write() as s:
        ref = referrals.request_referral(
            s,
            case_id,
            referrals.ReferralInput(shelter_type="VO", requested_on=TODAY - timedelta(days=5)),
            today=TODAY,
        )
    with pytest.raises(ValidationError) as info, cb.write() as s:
        referrals.set_referral_status(s, ref.id, "PLACED", on=TODAY + timedelta(days=1))
    assert [(e.field, e.key) for e in info.value.errors] == [("on", "error.future_date")]
    with cb.write() as s:
        placed = referrals.set_referral_status(s, ref.id, "PLACED", on=TODAY)
        version = placed.version
    with pytest.raises(ValidationError) as info, cb.write() as s:
        referrals.correct_referral(
            s,
            ref.id,
            referrals.ReferralCorrection(
                status="PLACED",
                requested_on=TODAY - timedelta(days=5),
                placed_on=TODAY + timedelta(days=2),
            ),
            expected_version=version,
        )
    assert [(e.field, e.key) for e in info.value.errors] == [("placed_on", "error.future_date")]


def test_the_location_is_corrected_and_a_location_case_keeps_one(cb):
    case_id = kit.new_case(cb, subject_type="LOCATION", location="Populierenlaan 3, Beekveld")
    version = kit.get_case(cb, case_id).version
    with pytest.raises(ValidationError), cb.write() as s:
        set_location(s, case_id, "  ", expected_version=version)
    with cb.write() as s:
        set_location(s, case_id, "Populierenlaan 5, Beekveld", expected_version=version)
    assert kit.get_case(cb, case_id).location == "Populierenlaan 5, Beekveld"
    changed = [h for h in kit.history(cb, case_id) if h.field_name == "location"]
    assert [(h.old, h.new) for h in changed] == [
        ("Populierenlaan 3, Beekveld", "Populierenlaan 5, Beekveld")
    ]
    with cb.read() as s:  # the search finds the new address
        found = cases.list_cases(s, cases.CaseFilter(search="populierenlaan 5"))
    assert [r.id for r in found] == [case_id]


# -- casebook check, the memo -----------------------------------------------------------


def test_check_knows_the_new_codes(cb):
    from casebook import integrity
    from casebook.services import contacts

    case_id = kit.triaged_case(cb)
    with cb.write() as s:
        referrals.request_referral(
            s, case_id, referrals.ReferralInput(shelter_type="JEUGD"), today=TODAY
        )
        contacts.log_contact(
            s, case_id, contacts.ContactInput(channel="PHONE", counterpart_role="SCHOOL")
        )
    cb.close()
    report = integrity.check_file(cb.path)
    assert report.ok, report.problems


def test_policy_texts_are_stored_and_printed_in_the_memo(cb):
    from casebook import statistics, stats_export

    with cb.write() as s:
        values = casebook_settings.get_all(s)
        values["policy_prostitution"] = (
            "Vergunningplicht voor seksbedrijven.\nGeen raamprostitutie."
        )
        values["policy_meldroute"] = "Meldroute via het Zorg- en Veiligheidshuis."
        casebook_settings.save(s, values, casebook_settings.version(s))
    with cb.read() as s:
        view = statistics.public(statistics.compute(s, 2026))
    memo = stats_export.to_markdown(view)
    assert "> Vergunningplicht voor seksbedrijven." in memo
    assert "> Geen raamprostitutie." in memo
    assert "Meldroute via het Zorg- en Veiligheidshuis." in memo
    assert memo.count("(niet ingevuld)") == 1  # only "other policy" is left empty
    html = stats_export.render(view, "html")  # the memo as a document says the same
    assert "Vergunningplicht voor seksbedrijven." in html
    assert "Meldroute via het Zorg- en Veiligheidshuis." in html
