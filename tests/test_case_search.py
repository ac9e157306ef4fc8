"""The case search index (migration 0002): the trigram path finds what the plain row
scan finds, and the triggers keep it in step with every write."""

from __future__ import annotations

import sqlite3

import pytest
from sqlmodel import select

from casebook import refdata
from casebook.models import Case, Person
from casebook.services import cases
from casebook.services.cases import CaseFilter, count_cases, list_cases

SOURCE = refdata.ref("source_roles").codes()[0]


def _scan(session, term: str) -> set[int]:
    """What the search must find, by reading every row in Python."""
    term = term.strip().casefold()
    found = set()
    for case in session.exec(select(Case)):
        texts = [case.reference, case.title, case.location]
        texts += [p.name for p in session.exec(select(Person).where(Person.case_id == case.id))]
        if any(term in (t or "").casefold() for t in texts):
            found.add(case.id)
    return found


@pytest.mark.parametrize(
    "term", ["Voorbeeld", "voorb", "2025-00", "NAGEL", "studio", "Testmans", "ana", "zzzq"]
)
def test_index_finds_what_a_scan_finds(demo_cb, term):
    with demo_cb.read() as session:
        expected = _scan(session, term)
        rows = list_cases(session, CaseFilter(search=term), limit=10_000)
        assert {r.id for r in rows} == expected
        assert count_cases(session, CaseFilter(search=term)) == len(expected)


def test_short_terms_still_scan(demo_cb):
    with demo_cb.read() as session:
        for term in ("a", "Vo", "20"):
            expected = _scan(session, term)
            assert count_cases(session, CaseFilter(search=term)) == len(expected)


def _indexed(cb, case_id: int) -> tuple | None:
    conn = sqlite3.connect(cb.path)
    try:
        return conn.execute(
            "SELECT reference, title, location, names FROM case_search WHERE rowid = ?",
            (case_id,),
        ).fetchone()
    finally:
        conn.close()


def test_triggers_follow_writes(cb):
    from casebook.services import intake
    from casebook.services.triage import CaseEdit, edit_case

    with cb.write() as session:
        case, _ = intake.record_signal(
            session,
            intake.SignalInput(
                channel="PHONE",
                source_role=SOURCE,
                title="Kwekerij achter de dijk",
                persons=[intake.PersonInput(name="Quintijn Zorbel")],
            ),
        )
        case_id = case.id
    ref, title, _, names = _indexed(cb, case_id)
    assert title == "Kwekerij achter de dijk" and "Quintijn Zorbel" in names
    with cb.read() as session:
        assert [r.id for r in list_cases(session, CaseFilter(search="zorbel"))] == [case_id]

    with cb.write() as session:
        edit_case(session, case_id, CaseEdit(title="Loods aan de haven"))
        person = session.exec(select(Person).where(Person.case_id == case_id)).one()
        person.name = ""
        session.add(person)
    _, title, _, names = _indexed(cb, case_id)
    assert title == "Loods aan de haven"
    assert names == ""
    with cb.read() as session:
        assert list_cases(session, CaseFilter(search="zorbel")) == []
        assert count_cases(session, CaseFilter(search="haven")) == 1

    with cb.write() as session:
        session.delete(session.get(Case, case_id))
    assert _indexed(cb, case_id) is None


def test_rebuild_after_erasure_drops_old_tokens(cb):
    from casebook.services import intake

    with cb.write() as session:
        case, _ = intake.record_signal(
            session,
            intake.SignalInput(
                channel="PHONE",
                source_role=SOURCE,
                title="Melding",
                persons=[intake.PersonInput(name="Vlapmaar")],
            ),
        )
        person = session.exec(select(Person).where(Person.case_id == case.id)).one()
        person.name = ""
        session.add(person)
    with cb.write() as session:
        cases.rebuild_search_index(session)
    conn = sqlite3.connect(cb.path)
    try:
        blobs = b"".join(
            row[0] or b"" for row in conn.execute("SELECT block FROM case_search_data")
        )
    finally:
        conn.close()
    assert b"vla" not in blobs.lower() and b"maa" not in blobs.lower()
