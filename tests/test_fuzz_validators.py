"""Bad input: the service validators and the import, fuzzed with hypothesis.

Random and huge text, control characters, invalid dates, unknown codes, wrong types:
only a `CasebookError` (ValidationError, a refusal) may come out, and a refused call
writes nothing (every table's row count is unchanged)."""

from __future__ import annotations

import copy
import os
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from casebook.errors import CasebookError
from casebook.services import (
    closure,
    consent,
    contacts,
    directory,
    intake,
    persons,
    referrals,
    steps,
    trainings,
    triage,
)
from tests.servicekit import TODAY, new_case, row_counts

FUZZ = settings(
    max_examples=int(os.environ.get("CASEBOOK_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

CONTROL = "".join(chr(c) for c in range(0, 32)) + "\x7f\x9b\u202e\u200b\ufeff"
texts = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.text(alphabet=CONTROL + "ab[]/\\'\"%_", max_size=40),
    st.just("x" * 20_001),
    st.just("[b]markup[/b] \x1b[31mred\x1b[0m"),
    st.integers(),
    st.just(""),
)
dates = st.one_of(
    st.none(),
    st.just(""),
    st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)),
    st.sampled_from(["31-02-2026", "2026-13-01", "00-00-0000", "1-1-1", "yesterday", "29-02-2025"]),
    st.text(max_size=12),
    st.integers(),
)


def codes(*good: str):
    return st.one_of(
        st.sampled_from(good),
        st.none(),
        st.text(max_size=20),
        st.sampled_from(["", " ", "UNKNOWN_CODE", "phone", "\x00"]),
    )


numbers = st.one_of(st.none(), st.integers(), st.text(max_size=6), st.just(True))
flags = st.one_of(st.booleans(), st.none(), st.integers(-1, 2))


def attempt(cb, fn) -> None:
    """Run `fn(session)` in one transaction: either it is saved, or it raises a
    CasebookError and nothing at all was written."""
    before = row_counts(cb)
    try:
        with cb.write() as s:
            fn(s)
    except CasebookError:
        assert row_counts(cb) == before
    # anything else escapes and fails the test


@pytest.fixture
def case_id(cb):
    return new_case(cb)


@FUZZ
@given(
    received=dates,
    channel=codes("PHONE", "EMAIL"),
    role=codes("POL", "CIT"),
    anonymous=flags,
    contact=texts,
    observed=texts,
    indicators=st.lists(codes("GEN_HOUSING"), max_size=4),
    subject=codes("PERSON", "LOCATION"),
    title=texts,
    location=texts,
    person=st.tuples(codes("VICTIM"), codes("FEMALE"), numbers, numbers, codes("NL"), texts),
    existing=st.booleans(),
)
def test_intake(
    cb,
    case_id,
    received,
    channel,
    role,
    anonymous,
    contact,
    observed,
    indicators,
    subject,
    title,
    location,
    person,
    existing,
):
    p_role, gender, birth, age, nat, name = person
    data = intake.SignalInput(
        received_on=received,
        channel=channel,
        source_role=role,
        reporter_anonymous=anonymous,
        reporter_contact=contact,
        observed=observed,
        indicators=indicators,
        subject_type=subject,
        title=title,
        location=location,
        persons=[
            intake.PersonInput(
                role=p_role, gender=gender, birth_year=birth, age=age, nationality=nat, name=name
            )
        ],
    )
    attempt(
        cb,
        lambda s: intake.record_signal(s, data, case_id=case_id if existing else None, today=TODAY),
    )


@FUZZ
@given(
    urgency=codes("HIGH", "NORMAL"),
    types=st.lists(codes("LAB", "SEX"), max_size=3),
    sector=codes("AGRI"),
    route=codes("CARE", "ADVICE"),
    note=texts,
    step=st.tuples(codes("ENRICH"), dates, texts),
    version=st.one_of(st.none(), st.integers(-3, 5)),
)
def test_triage(cb, case_id, urgency, types, sector, route, note, step, version):
    data = triage.TriageInput(
        urgency=urgency,
        exploitation_types=types,
        sector=sector,
        route=route,
        route_note=note,
        steps=[steps.StepInput(step_type=step[0], due_on=step[1], description=step[2])],
    )
    attempt(cb, lambda s: triage.triage_case(s, case_id, data, expected_version=version))
    edit = triage.CaseEdit(title=note, location=step[2], subject_type=sector)
    attempt(cb, lambda s: triage.edit_case(s, case_id, edit, expected_version=version))


@FUZZ
@given(
    step_type=codes("ENRICH", "REPORT_POLICE"),
    due=dates,
    org=st.one_of(st.none(), st.integers(-5, 10**9)),
    text=texts,
    done=dates,
)
def test_steps(cb, case_id, step_type, due, org, text, done):
    data = steps.StepInput(step_type=step_type, due_on=due, organisation_id=org, description=text)
    attempt(cb, lambda s: steps.add_step(s, case_id, data))
    with cb.read() as s:
        ids = [
            st_.id
            for st_ in s.exec(
                select(steps.FollowUpStep).where(steps.FollowUpStep.status == "OPEN")
            ).all()
        ]
    if ids:
        attempt(cb, lambda s: steps.complete_step(s, ids[0], result=text, done_on=done))
        attempt(cb, lambda s: steps.reschedule_step(s, ids[-1], due))


@FUZZ
@given(
    channel=codes("PHONE"),
    role=codes("SUBJECT"),
    summary=texts,
    person=st.one_of(st.none(), st.integers(-1, 10**6)),
    on=dates,
    time=st.one_of(st.just(""), st.text(max_size=6), st.sampled_from(["25:00", "12:61", "9:5"])),
)
def test_contacts(cb, case_id, channel, role, summary, person, on, time):
    data = contacts.ContactInput(
        channel=channel,
        counterpart_role=role,
        summary=summary,
        person_id=person,
        on=on if isinstance(on, str) else "",
        time=time,
    )
    attempt(cb, lambda s: contacts.log_contact(s, case_id, data))


@FUZZ
@given(
    shelter=codes("MO", "COSM"),
    person=st.one_of(st.none(), st.integers(-1, 10**6)),
    requested=dates,
    reply=dates,
    note=texts,
    status=codes("PLACED", "REFUSED"),
)
def test_referrals(cb, case_id, shelter, person, requested, reply, note, status):
    data = referrals.ReferralInput(
        shelter_type=shelter,
        person_id=person,
        requested_on=requested,
        reply_due_on=reply,
        note=note,
    )
    attempt(cb, lambda s: referrals.request_referral(s, case_id, data, today=TODAY))
    with cb.read() as s:
        ids = [r.id for r in s.exec(select(referrals.Referral)).all()]
    if ids:
        attempt(cb, lambda s: referrals.set_referral_status(s, ids[0], status, on=reply, note=note))


@FUZZ
@given(
    role=codes("VICTIM"),
    birth=numbers,
    age=numbers,
    name=texts,
    purpose=codes("COMENSHA_REG", "SHARE_PARTNER"),
    method=codes("WRITTEN"),
    recorded=dates,
    outcome=codes("HANDOVER_ZC"),
    closed=dates,
)
def test_persons_consent_closure(
    cb, case_id, role, birth, age, name, purpose, method, recorded, outcome, closed
):
    data = intake.PersonInput(role=role, birth_year=birth, age=age, name=name, notes=name)
    attempt(cb, lambda s: persons.add_person(s, case_id, data))
    with cb.read() as s:
        pid = s.exec(select(intake.Person)).first().id
    c = consent.ConsentInput(purpose=purpose, method=method, recorded_on=recorded, note=name)
    attempt(cb, lambda s: consent.record_consent(s, pid, c))
    attempt(cb, lambda s: closure.close_case(s, case_id, outcome=outcome, closed_on=closed))


@FUZZ
@given(held=dates, audience=texts, participants=numbers, provider=texts, notes=texts)
def test_trainings(cb, held, audience, participants, provider, notes):
    data = trainings.TrainingInput(
        held_on=held,
        audience=audience,
        participants=participants,
        provider=provider,
        notes=notes,
    )
    attempt(cb, lambda s: trainings.add_training(s, data))


@FUZZ
@given(
    name=texts,
    kind=codes("police", "care"),
    region=texts,
    phone=texts,
    email=st.one_of(texts, st.emails()),
    active=flags,
)
def test_directory(cb, name, kind, region, phone, email, active):
    data = directory.OrganisationInput(
        name=name, kind=kind, region=region, phone=phone, email=email, notes=region, active=active
    )
    attempt(cb, lambda s: directory.add_organisation(s, data))


# -- the import ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_dump(tmp_path_factory):
    """A dump of a small casebook: the starting point the fuzzer damages."""
    from casebook.db import open_casebook
    from casebook.transfer import dump_data
    from tests.safetykit import canary_case

    book = open_casebook(tmp_path_factory.mktemp("dump") / "src.sqlite3")
    try:
        canary_case(book, "imp", closed=date(2019, 6, 1))
        with book.read() as s:
            return dump_data(s)
    finally:
        book.close()


def _leaves(data, path=()):
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _leaves(v, (*path, i))
    else:
        yield path


junk = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.text(alphabet=CONTROL, max_size=10),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.just("x" * 30_000),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@FUZZ
@given(data=st.data())
def test_import_all_or_nothing(cb, valid_dump, data):
    from casebook.transfer import import_data

    doc = copy.deepcopy(valid_dump)
    leaves = list(_leaves(doc))
    for _ in range(data.draw(st.integers(1, 4))):
        path = data.draw(st.sampled_from(leaves))
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = data.draw(junk)
    before = row_counts(cb)
    try:
        import_data(cb, doc)
    except CasebookError:
        assert row_counts(cb) == before
