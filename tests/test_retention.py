"""Retention (`casebook purge`), erasure and access requests."""

from __future__ import annotations

import json
import stat
import sys
from datetime import date

import pytest
from sqlmodel import SQLModel, select

from casebook import retention
from casebook.cli import main
from casebook.models import IDENTIFYING_FIELDS, Case, HistoryEntry, Person
from casebook.services import settings
from tests.safetykit import PREFIX, canary_case, integrity_ok, raw_bytes, sqlite_rows

TODAY = date(2026, 11, 28)
# Columns that may change when data are erased: the identifying ones, the lock
# versions, the erased flag and the timeline's old/new values.
MAY_CHANGE = {"version", "updated_at", "erased", "old", "new"}


def statistical_snapshot(db_path, *, exclude_history_events=()) -> dict:
    """Every row of every table with all non-identifying columns: what any statistic
    can be computed from. Identical before and after = every figure identical."""
    out = {}
    for name, table in SQLModel.metadata.tables.items():
        cols = [
            c.name
            for c in table.columns
            if c.name not in IDENTIFYING_FIELDS.get(name, ()) and c.name not in MAY_CHANGE
        ]
        where = ""
        if name == "history" and exclude_history_events:
            events = ",".join(f"'{e}'" for e in exclude_history_events)
            where = f" WHERE event NOT IN ({events})"
        sql = f'SELECT {", ".join(cols)} FROM "{name}"{where} ORDER BY 1, 2'
        out[name] = sqlite_rows(db_path, sql)
    return out


def yearly_figures(cb, years) -> dict:
    """The figures of each year as the statistics module computes them (the numbers
    of `casebook stats` and the Statistics screen)."""
    from casebook import statistics

    with cb.read() as s:
        return {year: repr(statistics.compute(s, year)) for year in years}


def set_retention(cb, years: int, mode: str = "strip") -> None:
    with cb.write() as s:
        settings.put(s, "retention_years", str(years))
        settings.put(s, "retention_mode", mode)


def test_purge_strip_keeps_figures_and_leaves_no_canary_in_the_file(demo_cb):
    old = canary_case(demo_cb, "old", closed=date(2019, 6, 1))
    young = canary_case(demo_cb, "young", received=date(2024, 3, 1), closed=date(2025, 6, 1))
    set_retention(demo_cb, 7)
    path = demo_cb.path
    years = range(2018, 2027)
    figures_before = yearly_figures(demo_cb, years)
    before = statistical_snapshot(path)

    with demo_cb.read() as s:
        due = retention.due_cases(s, today=TODAY)
    assert [d.reference for d in due] == [old["reference"]]

    result = retention.purge(demo_cb, today=TODAY)
    assert result.applied and result.clean and len(result.cases) == 1

    after = statistical_snapshot(path, exclude_history_events=(retention.STRIPPED_EVENT,))
    assert after == before
    assert yearly_figures(demo_cb, years) == figures_before
    assert integrity_ok(path)

    data = raw_bytes(path)
    for value in old["canaries"].values():
        assert value.encode() not in data, value
    # the young case is within its term and keeps everything
    for value in young["canaries"].values():
        if value.endswith("oldnameQ") or value.endswith("reopenQ"):
            continue  # present only in history, checked below
        assert value.encode() in data, value
    with demo_cb.read() as s:
        case = s.get(Case, old["case_id"])
        assert case.title == "" and case.status == "CLOSED"
        assert case.closure_outcome == "HANDOVER_ZC"
        person = s.get(Person, old["person_ids"][0])
        assert person.erased and person.name == "" and person.nationality == "RO"
        assert person.birth_year == 2001
        events = [
            h.event
            for h in s.exec(select(HistoryEntry).where(HistoryEntry.case_id == old["case_id"]))
        ]
        assert retention.STRIPPED_EVENT in events
        # nothing due any more
        assert retention.due_cases(s, today=TODAY) == []


def test_purge_is_a_dry_run_by_default_and_lists_references_only(demo_cb, capsys):
    old = canary_case(demo_cb, "dry", closed=date(2019, 6, 1))
    set_retention(demo_cb, 7)
    path = demo_cb.path
    demo_cb.close()
    before = path.read_bytes()
    assert main(["--db", str(path), "purge", "--today", "28-11-2026"]) == 0
    out = capsys.readouterr().out
    assert old["reference"] in out
    assert PREFIX not in out
    assert path.read_bytes() == before

    assert main(["--db", str(path), "purge", "--apply", "--yes", "--today", "28-11-2026"]) == 0
    out = capsys.readouterr().out
    assert PREFIX not in out
    data = raw_bytes(path)
    assert PREFIX.encode() not in data
    # nor as a trigram in a full-text index's segments (the case search, when present)
    assert PREFIX[:3].lower().encode() not in data


def test_purge_delete_mode_removes_the_case_and_names_the_years(cb, capsys):
    old = canary_case(cb, "del", closed=date(2019, 6, 1))
    keep = canary_case(cb, "keep", received=date(2025, 1, 5), closed=None)
    set_retention(cb, 5, "delete")
    with cb.read() as s:
        counts_before = {
            t: s.exec(select(SQLModel.metadata.tables[t].c[0])).all()
            for t in ("case_file", "person")
        }
    result = retention.purge(cb, today=TODAY)
    assert [c.reference for c in result.cases] == [old["reference"]]
    assert result.years_changed == [2018, 2019]
    with cb.read() as s:
        assert s.get(Case, old["case_id"]) is None
        assert s.get(Case, keep["case_id"]) is not None
        assert len(s.exec(select(Person)).all()) == len(counts_before["person"]) - 1
    assert integrity_ok(cb.path)
    assert b"QZXCANARYdel" not in raw_bytes(cb.path)
    assert b"QZXCANARYkeep" in raw_bytes(cb.path)


def test_purge_refuses_an_unknown_mode(cb):
    with cb.write() as s:
        settings.put(s, "retention_mode", "shred")
    from casebook.errors import CasebookError

    with pytest.raises(CasebookError) as err:
        retention.purge(cb, today=TODAY)
    assert err.value.key == "safety.purge.bad_mode"


def test_open_cases_are_never_due(cb):
    canary_case(cb, "open", closed=None)
    set_retention(cb, 1)  # the shortest term the Settings screen accepts
    with cb.read() as s:
        assert retention.due_cases(s, today=TODAY) == []


def test_erase_person_removes_one_person_and_keeps_the_other(cb, capsys):
    info = canary_case(cb, "er", closed=None, keep="QZXKEEPMEQ")
    path = cb.path
    before = statistical_snapshot(path)
    cb.close()
    args = ["--db", str(path), "erase", info["reference"], "--person", "1"]
    assert main(args) == 0  # dry run
    assert PREFIX.encode() in raw_bytes(path)
    assert main([*args, "--apply", "--yes"]) == 0
    out = capsys.readouterr().out
    assert PREFIX not in out
    data = raw_bytes(path)
    c = info["canaries"]
    person_canaries = [
        c[k]
        for k in (
            "name",
            "oldname",
            "contact",
            "address",
            "notes",
            "refnote",
            "refnote2",
            "summary",
            "consentnote",
            "deadlinenote",
        )
    ]
    for value in person_canaries:
        assert value.encode() not in data, value
    assert b"QZXKEEPMEQ" in data  # the other person is untouched
    assert c["observed"].encode() in data  # case text is not the person's own record
    assert integrity_ok(path)
    after = statistical_snapshot(path, exclude_history_events=(retention.PERSON_ERASED_EVENT,))
    assert after == before
    rows = sqlite_rows(path, "SELECT event, old, new FROM history WHERE event = 'person.erased'")
    assert rows == [("person.erased", None, None)]


def test_erase_unknown_person_is_refused(cb, capsys):
    info = canary_case(cb, "np", closed=None)
    cb.close()
    assert main(["--db", str(cb.path), "erase", info["reference"], "--person", "7"]) == 1
    assert main(["--db", str(cb.path), "erase", "1999-9999", "--person", "1"]) == 1
    err = capsys.readouterr().err
    assert "7" in err and PREFIX not in err


def test_access_export_json_and_markdown(cb, tmp_path, capsys):
    info = canary_case(cb, "acc", closed=None, keep="QZXKEEPMEQ")
    cb.close()
    out_json = tmp_path / "access.json"
    out_md = tmp_path / "access.md"
    for out in (out_json, out_md):
        args = ["--db", str(cb.path), "access", info["reference"], "--person", "1"]
        assert main([*args, "--out", str(out)]) == 0
    data = json.loads(out_json.read_text(encoding="utf-8"))
    c = info["canaries"]
    assert data["person"]["name"] == c["name"]
    assert data["consents"][0]["note"] == c["consentnote"]
    assert data["contacts"][0]["summary"] == c["summary"]
    assert c["refnote"] in data["referrals"][0]["note"]
    assert data["deadlines"][0]["note"] == c["deadlinenote"]
    assert data["signals_of_the_case"][0]["observed"] == c["observed"]
    assert data["signals_of_the_case"][0]["indicators"] == ["GEN_HOUSING"]
    assert any(h["old"] == c["oldname"] for h in data["timeline"])
    text = out_json.read_text(encoding="utf-8")
    assert c["reporter"] not in text  # someone else's data
    assert "QZXKEEPMEQ" not in text  # the other person
    md = out_md.read_text(encoding="utf-8")
    assert c["name"] in md and "QZXKEEPMEQ" not in md and c["reporter"] not in md
    if sys.platform != "win32":
        for out in (out_json, out_md):
            assert stat.S_IMODE(out.stat().st_mode) == 0o600
    # never overwrites
    args = ["--db", str(cb.path), "access", info["reference"], "--person", "1"]
    before = out_json.read_bytes()
    assert main([*args, "--out", str(out_json)]) == 1
    assert out_json.read_bytes() == before
    assert PREFIX not in capsys.readouterr().out


def test_stripped_case_refuses_a_stale_edit_from_an_open_window(cb):
    info = canary_case(cb, "st", closed=date(2019, 6, 1))
    set_retention(cb, 1)
    with cb.read() as s:
        version = s.get(Person, info["person_ids"][0]).version
    retention.purge(cb, today=TODAY)
    from casebook.errors import StaleEditError
    from casebook.services import intake, persons

    with pytest.raises(StaleEditError), cb.write() as s:
        persons.edit_person(
            s,
            info["person_ids"][0],
            intake.PersonInput(role="VICTIM", name="back again"),
            expected_version=version,
        )


def test_erase_person_reaches_a_contact_moved_off_them(cb, capsys):
    """A contact moment about the person, corrected since to be about no one: what it
    said about them, kept in the timeline's old values, goes too; the access export
    lists it."""
    from casebook.services import contacts
    from tests.servicekit import new_case, persons_of

    case_id = new_case(cb)
    person_id = persons_of(cb, case_id)[0].id
    canary = PREFIX + "MOVEDCONTACT"
    with cb.write() as s:
        moment = contacts.log_contact(
            s,
            case_id,
            contacts.ContactInput(
                channel="PHONE", counterpart_role="SUBJECT", summary=canary, person_id=person_id
            ),
        )
        moment_id = moment.id
    with cb.write() as s:
        contacts.edit_contact(
            s,
            moment_id,
            contacts.ContactInput(
                channel="PHONE", counterpart_role="SUBJECT", summary="Gesprek over huisvesting"
            ),
        )
    with cb.read() as s:
        reference = s.get(Case, case_id).reference
        export = retention.access_export(s, reference, 1)
    assert moment_id in [c["id"] for c in export.data["contacts"]]
    path = cb.path
    cb.close()
    assert canary.encode() in raw_bytes(path)
    assert main(["--db", str(path), "erase", reference, "--person", "1", "--apply", "--yes"]) == 0
    assert PREFIX not in capsys.readouterr().out
    assert canary.encode() not in raw_bytes(path)
    assert integrity_ok(path)
