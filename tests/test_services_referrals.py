"""Referrals: requested, then placed/refused/withdrawn, placed then ended; contact moments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from casebook.dates import frozen, local_to_utc, to_local
from casebook.errors import CasebookError, ValidationError
from casebook.models import ContactMoment, Referral
from casebook.services import closure, contacts, referrals
from tests.servicekit import (
    TODAY,
    events,
    get_case,
    history,
    new_case,
    organisation_id,
    persons_of,
    row_counts,
    steps_of,
    triaged_case,
)


def request(cb, case_id, shelter="MO", **kw):
    values = dict(requested_on=TODAY, reply_due_on=date(2026, 12, 2))
    values.update(kw)
    with cb.write() as s:
        return referrals.request_referral(
            s, case_id, referrals.ReferralInput(shelter_type=shelter, **values), today=TODAY
        ).id


def move(cb, referral_id, status, on=TODAY, **kw):
    with cb.write() as s:
        return referrals.set_referral_status(s, referral_id, status, on=on, **kw)


def referral(cb, referral_id) -> Referral:
    with cb.read() as s:
        return s.get(Referral, referral_id)


@pytest.mark.parametrize(
    ("shelter", "step_type"),
    [
        ("COSM", "AANMELD_CM_OPV"),
        ("OMM", "AANMELD_CM_OPV"),
        ("NLA_BED", "AANMELD_CM_OPV"),
        ("MO", "SHELTER_REQ"),
        ("NOODBED", "SHELTER_REQ"),
        # each referral type's reply step is of its own kind (shelter_types.toml)
        ("JEUGD", "YOUTH_REQ"),
        ("BO_NIDOS", "YOUTH_REQ"),
        ("GGZ", "CARE_REQ"),
        ("TERUGKEER", "RETURN_IOM"),
        ("NETWERK", "REFERRAL_FOLLOW"),
    ],
)
def test_request_creates_referral_and_waiting_step(cb, shelter, step_type):
    case_id = triaged_case(cb)
    person = persons_of(cb, case_id)[0].id
    org = organisation_id(cb, "COMENSHA")
    ref_id = request(cb, case_id, shelter, person_id=person, organisation_id=org)
    ref = referral(cb, ref_id)
    assert (ref.status, ref.shelter_type, ref.person_id, ref.organisation_id) == (
        "REQUESTED",
        shelter,
        person,
        org,
    )
    assert (ref.requested_on, ref.reply_due_on) == (TODAY, date(2026, 12, 2))
    waiting = [st for st in steps_of(cb, case_id) if st.referral_id == ref_id]
    assert [(st.step_type, st.due_on, st.status, st.organisation_id) for st in waiting] == [
        (step_type, date(2026, 12, 2), "OPEN", org)
    ]
    assert events(cb, case_id)[-2:] == ["referral.requested", "step.added"]


def test_request_validation_writes_nothing(cb):
    case_id = triaged_case(cb)
    other_case = triaged_case(cb)
    stranger = persons_of(cb, other_case)[0].id
    counts = row_counts(cb)
    with pytest.raises(ValidationError) as info, cb.write() as s:
        referrals.request_referral(
            s,
            case_id,
            referrals.ReferralInput(
                shelter_type="HOTEL",
                person_id=stranger,
                requested_on="10-11-2026",
                reply_due_on="09-11-2026",
            ),
        )
    assert {e.field: e.key for e in info.value.errors} == {
        "shelter_type": "error.unknown_code",
        "person_id": "error.unknown_person",
        "reply_due_on": "error.before_start",
    }
    assert row_counts(cb) == counts


def test_request_with_unknown_organisation_is_a_validation_error(cb):
    case_id = triaged_case(cb)
    counts = row_counts(cb)
    with pytest.raises(ValidationError) as info, cb.write() as s:
        referrals.request_referral(
            s, case_id, referrals.ReferralInput(shelter_type="MO", organisation_id=424242)
        )
    assert {e.field: e.key for e in info.value.errors} == {
        "organisation_id": "error.unknown_organisation"
    }
    assert row_counts(cb) == counts


def test_requested_placed_ended(cb):
    case_id = triaged_case(cb)
    assert get_case(cb, case_id).phase == "REFERRAL"
    ref_id = request(cb, case_id)
    move(cb, ref_id, "PLACED", on="28-11-2026")
    ref = referral(cb, ref_id)
    assert (ref.status, ref.placed_on) == ("PLACED", date(2026, 11, 28))
    # leaving REQUESTED completes the step that waited for the reply
    (waiting,) = [st for st in steps_of(cb, case_id) if st.referral_id == ref_id]
    assert (waiting.status, waiting.done_on, waiting.result) == (
        "DONE",
        date(2026, 11, 28),
        "PLACED",
    )
    # a placement moves the case on from referral to follow-up
    assert get_case(cb, case_id).phase == "FOLLOWUP"
    move(cb, ref_id, "ENDED", on=date(2027, 2, 1))
    ref = referral(cb, ref_id)
    assert (ref.status, ref.ended_on) == ("ENDED", date(2027, 2, 1))
    assert get_case(cb, case_id).phase == "FOLLOWUP"

    entries = [h for h in history(cb, case_id) if h.entity == "referral"]
    assert [(h.event, h.old, h.new) for h in entries] == [
        ("referral.requested", None, "MO"),
        ("referral.placed", "REQUESTED", "PLACED"),
        ("referral.ended", "PLACED", "ENDED"),
    ]
    assert events(cb, case_id)[-4:] == [
        "referral.placed",
        "step.done",
        "field.changed",
        "referral.ended",
    ]


@pytest.mark.parametrize("end", ["REFUSED", "WITHDRAWN"])
def test_requested_refused_or_withdrawn(cb, end):
    case_id = triaged_case(cb)
    ref_id = request(cb, case_id)
    move(cb, ref_id, end, note="geen plek")
    ref = referral(cb, ref_id)
    assert ref.status == end
    assert getattr(ref, {"REFUSED": "refused_on", "WITHDRAWN": "withdrawn_on"}[end]) == TODAY
    assert ref.note == "geen plek"
    (waiting,) = [st for st in steps_of(cb, case_id) if st.referral_id == ref_id]
    assert (waiting.status, waiting.result) == ("DONE", end)
    assert get_case(cb, case_id).phase == "REFERRAL"  # nothing placed: still referring


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ((), "ENDED"),
        ((), "REQUESTED"),
        (("PLACED",), "PLACED"),
        (("PLACED",), "REFUSED"),
        (("PLACED",), "REQUESTED"),
        (("REFUSED",), "PLACED"),
        (("REFUSED",), "WITHDRAWN"),
        (("WITHDRAWN",), "PLACED"),
        (("PLACED", "ENDED"), "PLACED"),
        (("PLACED", "ENDED"), "WITHDRAWN"),
    ],
)
def test_illegal_transitions_are_refused(cb, path, illegal):
    case_id = triaged_case(cb)
    ref_id = request(cb, case_id)
    for status in path:
        move(cb, ref_id, status)
    before = referral(cb, ref_id).model_dump()
    counts = row_counts(cb)
    with pytest.raises(CasebookError) as info:
        move(cb, ref_id, illegal)
    assert info.value.key == "error.referral_transition"
    assert referral(cb, ref_id).model_dump() == before
    assert row_counts(cb) == counts


def test_status_date_before_request_is_refused(cb):
    case_id = triaged_case(cb)
    ref_id = request(cb, case_id)
    with pytest.raises(ValidationError) as info:
        move(cb, ref_id, "PLACED", on=TODAY - timedelta(days=1))
    assert [e.field for e in info.value.errors] == ["on"]
    assert referral(cb, ref_id).status == "REQUESTED"


def test_unknown_status_is_refused(cb):
    case_id = triaged_case(cb)
    ref_id = request(cb, case_id)
    with pytest.raises(ValidationError):
        move(cb, ref_id, "LOST")


def test_request_on_closed_case_is_refused(cb):
    case_id = triaged_case(cb)
    with cb.write() as s:
        closure.close_case(s, case_id, outcome="NO_TH", closed_on=TODAY)
    with pytest.raises(CasebookError) as info:
        request(cb, case_id)
    assert info.value.key == "error.case_closed"


def test_placement_history_per_person(cb):
    case_id = triaged_case(cb)
    other = triaged_case(cb)
    person = persons_of(cb, case_id)[0].id
    first = request(cb, case_id, "NOODBED", person_id=person, requested_on=date(2026, 11, 20))
    move(cb, first, "PLACED", on=date(2026, 11, 20))
    move(cb, first, "ENDED", on=date(2026, 11, 25))
    second = request(cb, case_id, "COSM", person_id=person, requested_on=date(2026, 11, 25))
    request(cb, case_id, "MO")  # no person
    request(cb, other, "MO", person_id=persons_of(cb, other)[0].id)
    with cb.read() as s:
        got = referrals.placement_history(s, person)
    assert [(r.id, r.shelter_type, r.status) for r in got] == [
        (first, "NOODBED", "ENDED"),
        (second, "COSM", "REQUESTED"),
    ]


def test_carry_referral_records_history(cb):
    case_id = triaged_case(cb)
    ref_id = request(cb, case_id)
    move(cb, ref_id, "PLACED")
    with cb.write() as s:
        referrals.carry_referral(s, ref_id)
    assert referral(cb, ref_id).carried_by_partner is True
    last = history(cb, case_id)[-1]
    assert (last.event, last.entity, last.field_name, last.old, last.new) == (
        "field.changed",
        "referral",
        "carried_by_partner",
        "0",
        "1",
    )


def test_only_a_placed_referral_can_be_carried(cb):
    case_id = triaged_case(cb)
    ref_id = request(cb, case_id)
    with pytest.raises(CasebookError), cb.write() as s:
        referrals.carry_referral(s, ref_id)
    assert referral(cb, ref_id).carried_by_partner is False


# --- contact moments -------------------------------------------------------


def contacts_of(cb, case_id):
    with cb.read() as s:
        return list(s.exec(select(ContactMoment).where(ContactMoment.case_id == case_id)))


def test_contact_logged_now_by_default(cb):
    case_id = new_case(cb)
    now = datetime(2026, 11, 28, 10, 15, tzinfo=UTC)
    with frozen(now), cb.write() as s:
        contacts.log_contact(
            s,
            case_id,
            contacts.ContactInput(channel="PHONE", counterpart_role="POLICE", summary="gebeld"),
        )
    (moment,) = contacts_of(cb, case_id)
    assert moment.at == now
    assert (moment.channel, moment.counterpart_role, moment.summary) == (
        "PHONE",
        "POLICE",
        "gebeld",
    )
    assert events(cb, case_id)[-1] == "contact.logged"


def test_contact_from_typed_date_and_time(cb):
    case_id = new_case(cb)
    person = persons_of(cb, case_id)[0].id
    with cb.write() as s:
        contacts.log_contact(
            s,
            case_id,
            contacts.ContactInput(
                channel="F2F",
                counterpart_role="SUBJECT",
                person_id=person,
                via_interpreter=True,
                on="26-11-2026",
                time="14:05",
            ),
        )
    (moment,) = contacts_of(cb, case_id)
    assert moment.at == local_to_utc(date(2026, 11, 26), 14, 5)
    local = to_local(moment.at)
    assert (local.date(), local.hour, local.minute) == (date(2026, 11, 26), 14, 5)
    assert moment.person_id == person and moment.via_interpreter is True


@pytest.mark.parametrize("bad", ["25:00", "12:60", "1205", "noon", "12:5"])
def test_contact_with_bad_time_is_refused(cb, bad):
    case_id = new_case(cb)
    counts = row_counts(cb)
    with pytest.raises(ValidationError) as info, cb.write() as s:
        contacts.log_contact(
            s,
            case_id,
            contacts.ContactInput(
                channel="PHONE", counterpart_role="POLICE", on="26-11-2026", time=bad
            ),
        )
    assert {e.field: e.key for e in info.value.errors} == {"time": "error.time"}
    assert row_counts(cb) == counts


def test_contact_validation_names_fields(cb):
    case_id = new_case(cb)
    with pytest.raises(ValidationError) as info, cb.write() as s:
        contacts.log_contact(
            s,
            case_id,
            contacts.ContactInput(channel="PIGEON", counterpart_role="", on="32-11-2026"),
        )
    assert {e.field: e.key for e in info.value.errors} == {
        "channel": "error.unknown_code",
        "counterpart_role": "error.required",
        "on": "error.date",
    }


def test_contact_on_a_future_day_is_refused(cb):
    case_id = new_case(cb)
    counts = row_counts(cb)
    with frozen(local_to_utc(date(2026, 11, 28), 11, 0)):
        for on, time in (("29-11-2026", ""), ("29-11-2026", "00:05"), ("05-12-2026", "10:00")):
            with pytest.raises(ValidationError) as info, cb.write() as s:
                contacts.log_contact(
                    s,
                    case_id,
                    contacts.ContactInput(
                        channel="PHONE", counterpart_role="POLICE", on=on, time=time
                    ),
                )
            assert {e.field: e.key for e in info.value.errors} == {"on": "error.future_date"}
        assert row_counts(cb) == counts
        # earlier today, and today at a later hour (a call being logged as it ends), are fine
        for time in ("08:00", "11:30"):
            with cb.write() as s:
                contacts.log_contact(
                    s,
                    case_id,
                    contacts.ContactInput(
                        channel="PHONE", counterpart_role="POLICE", on="28-11-2026", time=time
                    ),
                )


# Every transition, tried from every state: allowed exactly when listed here.
PATH_TO = {
    "REQUESTED": (),
    "PLACED": ("PLACED",),
    "REFUSED": ("REFUSED",),
    "WITHDRAWN": ("WITHDRAWN",),
    "ENDED": ("PLACED", "ENDED"),
}
ALLOWED = {
    ("REQUESTED", "PLACED"),
    ("REQUESTED", "REFUSED"),
    ("REQUESTED", "WITHDRAWN"),
    ("PLACED", "ENDED"),
    ("PLACED", "WITHDRAWN"),  # the person leaves before the placement properly ends
}


def test_transition_table_is_exactly_the_allowed_one(cb):
    case_id = triaged_case(cb)
    outcome = {}
    for start, path in PATH_TO.items():
        for target in PATH_TO:
            ref_id = request(cb, case_id)
            for status in path:
                move(cb, ref_id, status)
            try:
                move(cb, ref_id, target)
            except CasebookError as exc:
                assert exc.key == "error.referral_transition"
                assert referral(cb, ref_id).status == start
                outcome[(start, target)] = False
            else:
                assert referral(cb, ref_id).status == target
                outcome[(start, target)] = True
    assert {pair for pair, ok in outcome.items() if ok} == ALLOWED
    assert len(outcome) == 25


def logged_contact(cb, case_id, **kw) -> ContactMoment:
    values = dict(channel="PHONE", counterpart_role="POLICE", summary="gebeld", on="26-11-2026")
    values.update(kw)
    with cb.write() as s:
        contact = contacts.log_contact(s, case_id, contacts.ContactInput(**values))
        s.flush()
        s.refresh(contact)
        return contact


def test_a_contact_is_corrected_and_each_change_is_in_the_timeline(cb):
    case_id = new_case(cb)
    person = persons_of(cb, case_id)[0].id
    moment = logged_contact(cb, case_id, time="09:30")
    with cb.write() as s:
        contacts.edit_contact(
            s,
            moment.id,
            contacts.ContactInput(
                channel="F2F",
                counterpart_role="POLICE",
                summary="gesprek op kantoor",
                person_id=person,
                via_interpreter=True,
            ),
            expected_version=moment.version,
        )
    (fixed,) = contacts_of(cb, case_id)
    assert (fixed.channel, fixed.summary, fixed.person_id, fixed.via_interpreter) == (
        "F2F",
        "gesprek op kantoor",
        person,
        True,
    )
    # no date and time typed: the moment stays when it was
    assert fixed.at == moment.at == local_to_utc(date(2026, 11, 26), 9, 30)
    assert fixed.version == moment.version + 1
    changed = {(h.field_name, h.old, h.new) for h in history(cb, case_id) if h.entity == "contact"}
    assert ("channel", "PHONE", "F2F") in changed
    assert ("summary", "gebeld", "gesprek op kantoor") in changed
    # a typed date moves it
    with cb.write() as s:
        contacts.edit_contact(
            s,
            moment.id,
            contacts.ContactInput(
                channel="F2F", counterpart_role="POLICE", on="25-11-2026", time="16:00"
            ),
        )
    assert contacts_of(cb, case_id)[0].at == local_to_utc(date(2026, 11, 25), 16, 0)


def test_a_contact_correction_is_refused_whole(cb):
    case_id = new_case(cb)
    moment = logged_contact(cb, case_id)
    before = row_counts(cb)
    tomorrow = (TODAY + timedelta(days=1)).strftime("%d-%m-%Y")
    with pytest.raises(ValidationError) as info, cb.write() as s:
        contacts.edit_contact(
            s,
            moment.id,
            contacts.ContactInput(channel="PIGEON", counterpart_role="POLICE", on=tomorrow),
        )
    assert {"channel", "on"} <= set(info.value.by_field())
    # another window changed it meanwhile
    with cb.write() as s:
        contacts.edit_contact(
            s,
            moment.id,
            contacts.ContactInput(channel="EMAIL", counterpart_role="POLICE", summary="gebeld"),
        )
    with pytest.raises(CasebookError) as info, cb.write() as s:
        contacts.edit_contact(
            s,
            moment.id,
            contacts.ContactInput(channel="PHONE", counterpart_role="POLICE", summary="x"),
            expected_version=moment.version,
        )
    assert info.value.key == "error.stale_edit"
    (kept,) = contacts_of(cb, case_id)
    assert (kept.channel, kept.summary) == ("EMAIL", "gebeld")
    assert row_counts(cb)["contact_moment"] == before["contact_moment"]
    # and a closed case is not changed
    with cb.write() as s:
        closure.close_case(s, case_id, outcome="NO_TH", closed_on=TODAY)
    with pytest.raises(CasebookError) as info, cb.write() as s:
        contacts.edit_contact(
            s, moment.id, contacts.ContactInput(channel="PHONE", counterpart_role="POLICE")
        )
    assert info.value.key == "error.case_closed"


def test_a_contact_saved_unchanged_writes_nothing(cb):
    case_id = new_case(cb)
    moment = logged_contact(cb, case_id, summary="regel een\nregel twee")
    version = get_case(cb, case_id).version
    entries = len(history(cb, case_id))
    with cb.write() as s:
        contacts.edit_contact(
            s,
            moment.id,
            contacts.ContactInput(
                channel="PHONE", counterpart_role="POLICE", summary="regel een\nregel twee"
            ),
            expected_version=moment.version,
        )
    (same,) = contacts_of(cb, case_id)
    assert (same.version, same.summary, same.at) == (moment.version, moment.summary, moment.at)
    assert get_case(cb, case_id).version == version
    assert len(history(cb, case_id)) == entries
