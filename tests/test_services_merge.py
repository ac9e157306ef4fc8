"""Duplicates put right (casebook.services.merge): a signal moved to another case, a
duplicate case merged into the right one, with the history kept and the signal counted
once in the statistics; and the duplicate question's own services (similar cases,
closed ones included; a signal attached, reopening a closed case)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from casebook import statistics
from casebook.errors import CasebookError, StaleEditError
from casebook.models import (
    Case,
    Consent,
    ContactMoment,
    Deadline,
    FollowUpStep,
    Person,
    Referral,
    Signal,
)
from casebook.services import closure, consent, contacts, deadlines, intake, merge, referrals
from casebook.services.case_details import other_sectors
from tests.servicekit import TODAY, events, get_case, history, new_case, signal, triaged_case


def signals_of(cb, case_id: int) -> list[int]:
    with cb.read() as s:
        return list(s.exec(select(Signal.id).where(Signal.case_id == case_id).order_by(Signal.id)))


def add_signal(cb, case_id: int, **kw) -> int:
    with cb.write() as s:
        _, sig = intake.record_signal(s, signal(**kw), case_id=case_id, today=TODAY)
        return sig.id


def stats(cb):
    with cb.read() as s:
        return statistics.compute(s, TODAY.year, protect_figures=False)


# -- moving a signal ------------------------------------------------------------------


def test_a_signal_moves_with_its_indicators_and_both_timelines_say_so(cb):
    source = new_case(cb, title="Woning Populierenlaan")
    target = new_case(cb, title="Uitzendbureau")
    moved = add_signal(cb, source, indicators=["GEN_HOUSING", "GEN_ID"])
    with cb.read() as s:
        v_source, v_target = s.get(Case, source).version, s.get(Case, target).version
    with cb.write() as s:
        merge.move_signal(
            s,
            moved,
            target,
            expected_source_version=v_source,
            expected_target_version=v_target,
        )
    assert moved in signals_of(cb, target) and moved not in signals_of(cb, source)
    from casebook.models import SignalIndicator

    with cb.read() as s:
        codes = sorted(
            s.exec(select(SignalIndicator.code).where(SignalIndicator.signal_id == moved))
        )
    assert codes == ["GEN_HOUSING", "GEN_ID"]
    out = [h for h in history(cb, source) if h.event == "signal.moved_out"]
    into = [h for h in history(cb, target) if h.event == "signal.moved_in"]
    assert [(h.entity_id, h.new) for h in out] == [(moved, get_case(cb, target).reference)]
    assert [(h.entity_id, h.old) for h in into] == [(moved, get_case(cb, source).reference)]
    # the source keeps its own record of the signal's arrival
    assert "signal.added" in events(cb, source)


def test_moving_refuses_a_stale_case_the_same_case_and_the_last_signal(cb):
    source = new_case(cb)
    target = new_case(cb)
    first = signals_of(cb, source)[0]
    with pytest.raises(CasebookError) as last, cb.write() as s:
        merge.move_signal(s, first, target)
    assert last.value.key == "merge.last_signal"
    second = add_signal(cb, source)
    with pytest.raises(CasebookError) as same, cb.write() as s:
        merge.move_signal(s, second, source)
    assert same.value.key == "merge.same_case"
    with pytest.raises(StaleEditError), cb.write() as s:
        merge.move_signal(s, second, target, expected_target_version=0)
    assert second in signals_of(cb, source)  # nothing written


# -- merging a duplicate --------------------------------------------------------------


def _full_duplicate(cb) -> tuple[int, int]:
    """A right case and a duplicate holding one of everything."""
    right = triaged_case(cb, title="Ana, hotel")
    dup = new_case(
        cb,
        title="Ana, hotel (dubbel)",
        persons=[intake.PersonInput(role="VICTIM", name="Ana V.", nationality="NG")],
    )
    with cb.write() as s:
        from casebook.services import triage

        triage.triage_case(
            s,
            dup,
            triage.TriageInput(
                urgency="HIGH", exploitation_types=["SEX"], sector="SEX_ESC", route="CARE"
            ),
        )
        person = s.exec(select(Person).where(Person.case_id == dup)).one()
        consent.record_consent(
            s, person.id, consent.ConsentInput(purpose="COMENSHA_REG", method="WRITTEN")
        )
        referrals.request_referral(
            s, dup, referrals.ReferralInput(shelter_type="COSM", person_id=person.id), today=TODAY
        )
        contacts.log_contact(
            s,
            dup,
            contacts.ContactInput(channel="PHONE", counterpart_role="POLICE", summary="gebeld"),
        )
        deadlines.add_deadline(s, dup, "CALLBACK", TODAY.replace(day=30))
    return right, dup


def test_merging_moves_everything_and_keeps_the_history(cb):
    right, dup = _full_duplicate(cb)
    dup_ref = get_case(cb, dup).reference
    right_ref = get_case(cb, right).reference
    moved_entities = sorted(
        (h.entity, h.entity_id, h.event) for h in history(cb, dup) if h.entity != "case"
    )
    with cb.read() as s:
        held = {
            model.__name__: sorted(s.exec(select(model.id).where(model.case_id == dup)))
            for model in (Signal, Person, FollowUpStep, Referral, ContactMoment, Deadline)
        }
    assert all(held.values()), held
    with cb.write() as s:
        merge.merge_cases(
            s,
            dup,
            right,
            note="dubbel aangemaakt",
            expected_duplicate_version=get_case(cb, dup).version,
            expected_target_version=get_case(cb, right).version,
        )
    with cb.read() as s:
        for model in (Signal, Person, FollowUpStep, Referral, ContactMoment, Deadline):
            now = set(s.exec(select(model.id).where(model.case_id == right)))
            assert now >= set(held[model.__name__]), model.__name__
            assert not list(s.exec(select(model.id).where(model.case_id == dup)))
        consents = list(s.exec(select(Consent)))
        assert {s.get(Person, c.person_id).case_id for c in consents} == {right}
    merged = get_case(cb, dup)
    assert (merged.status, merged.phase, merged.closure_outcome, merged.merged_into) == (
        "CLOSED",
        "CLOSURE",
        "DUPLICATE",
        right_ref,
    )
    # the items' own timeline entries followed them; the duplicate's case-level story stays
    now_right = sorted(
        (h.entity, h.entity_id, h.event) for h in history(cb, right) if h.entity != "case"
    )
    assert set(moved_entities) <= set(now_right)
    assert {"case.opened", "case.triaged", "case.merged"} <= set(events(cb, dup))
    merged_in = [h for h in history(cb, right) if h.event == "case.merged_in"]
    assert [(h.old, h.new) for h in merged_in] == [(dup_ref, "dubbel aangemaakt")]
    # codes united: the duplicate's exploitation type and sector join the right case
    from casebook.services.triage import exploitation_codes

    with cb.read() as s:
        assert exploitation_codes(s, right) == ["LAB", "SEX"]
        assert get_case(cb, right).sector == "AGRI"
        assert other_sectors(s, right) == ["SEX_ESC"]
        assert exploitation_codes(s, dup) == []


def test_a_merged_signal_counts_once_and_the_duplicate_case_not_at_all(cb):
    right, dup = _full_duplicate(cb)
    before = stats(cb)
    assert before.figure("cases_opened").value == 2
    with cb.write() as s:
        merge.merge_cases(s, dup, right)
    after = stats(cb)
    assert after.figure("cases_opened").value == 1
    assert (
        after.table("signals_by_source_group").total
        == before.table("signals_by_source_group").total
        == 2
    )
    assert after.table("cases_by_sector").total == 1
    assert after.table("cases_by_exploitation").total == 1
    closed = after.table("cases_closed_by_outcome")
    assert closed.cell("DUPLICATE").value == 0
    # the persons counted once: in the right case
    assert after.table("victims_by_gender").total == before.table("victims_by_gender").total == 2


def test_merging_refuses_stale_versions_itself_a_closed_target_and_twice(cb):
    right, dup = _full_duplicate(cb)
    with pytest.raises(StaleEditError), cb.write() as s:
        merge.merge_cases(s, dup, right, expected_target_version=0)
    assert get_case(cb, dup).merged_into is None
    with pytest.raises(CasebookError) as same, cb.write() as s:
        merge.merge_cases(s, dup, dup)
    assert same.value.key == "merge.same_case"
    with cb.write() as s:
        merge.merge_cases(s, dup, right)
    with pytest.raises(CasebookError) as twice, cb.write() as s:
        merge.merge_cases(s, dup, right)
    assert twice.value.key == "merge.already_merged"
    third = new_case(cb)
    with cb.write() as s:
        closure.close_case(s, third, outcome="NO_TH")
    with pytest.raises(CasebookError) as closed, cb.write() as s:
        merge.merge_cases(s, right, third)
    assert closed.value.key == "error.case_closed"


def test_a_duplicate_already_closed_as_dubbel_can_still_be_merged(cb):
    right = new_case(cb)
    dup = new_case(cb)
    with cb.write() as s:
        closure.close_case(s, dup, outcome="DUPLICATE")
    with cb.write() as s:
        merge.merge_cases(s, dup, right)
    assert len(signals_of(cb, right)) == 2
    assert stats(cb).figure("cases_opened").value == 1


# -- the duplicate question's services -------------------------------------------------


def test_similar_cases_include_closed_ones_after_the_open_ones(cb):
    ana = [intake.PersonInput(role="VICTIM", name="Ana Voorbeeld")]
    closed = new_case(cb, persons=ana, title="eerder")
    with cb.write() as s:
        closure.close_case(s, closed, outcome="PLACED")
    open_one = new_case(cb, persons=ana, title="nu")
    with cb.read() as s:
        found = intake.find_similar(s, names=["ana voorbeeld"])
    assert [(c.case_id, c.closed) for c in found] == [(open_one, False), (closed, True)]
    # a merged case is never offered
    other = new_case(cb, persons=ana)
    with cb.write() as s:
        merge.merge_cases(s, other, open_one)
    with cb.read() as s:
        assert other not in [c.case_id for c in intake.find_similar(s, names=["Ana Voorbeeld"])]


def test_attaching_to_a_closed_case_reopens_it_in_the_same_transaction(cb):
    ana = [intake.PersonInput(role="VICTIM", name="Ana Voorbeeld")]
    case_id = new_case(cb, persons=ana)
    with cb.write() as s:
        closure.close_case(s, case_id, outcome="PLACED")
    version = get_case(cb, case_id).version
    data = signal(persons=[intake.PersonInput(role="VICTIM", name="ana voorbeeld")])
    # no reason: a closed case is not reopened
    with pytest.raises(CasebookError), cb.write() as s:
        intake.attach_signal(s, data, case_id, today=TODAY)
    with cb.write() as s:
        case, sig, skipped = intake.attach_signal(
            s, data, case_id, reopen_reason="Weer gezien", expected_version=version, today=TODAY
        )
    assert skipped == 1  # she is in the case already: not added twice
    case = get_case(cb, case_id)
    assert case.status == "REOPENED" and case.closed_on is None
    assert len(signals_of(cb, case_id)) == 2
    with cb.read() as s:
        assert len(list(s.exec(select(Person).where(Person.case_id == case_id)))) == 1
    assert "case.reopened" in events(cb, case_id)
    with pytest.raises(StaleEditError), cb.write() as s:
        intake.attach_signal(s, data, case_id, expected_version=version, today=TODAY)
