"""Migration 0005 and what it brought into the dump and the check: a casebook made by
revision 0003, with data, is migrated (its consent counted as the person's own, its
persons without a guardian, its search index still working); the new fields go out in
a dump and come back in on import; `casebook check` knows the new codes."""

from __future__ import annotations

import copy
import sqlite3

from sqlmodel import select

from casebook import db, integrity, schema
from casebook.models import Case, CaseSector, Consent, Person
from casebook.services import case_details, consent, intake, merge, persons
from casebook.services.cases import CaseFilter, list_cases
from casebook.transfer import dump_data, import_data
from tests import servicekit as kit
from tests.test_storage import alembic_revision, make_at_revision, sqlite_rows

ROWS_AT_0003 = [
    "INSERT INTO case_file (id, reference, ref_year, ref_seq, subject_type, title, location,"
    " phase, status, route_note, opened_on, closure_note, created_at, updated_at, version,"
    " sector) VALUES (1, '2025-0007', 2025, 7, 'PERSON', 'Oude kwekerij', '', 'INTAKE', 'NEW',"
    " '', '2025-03-01', '', '2025-03-01T09:00:00+00:00', '2025-03-01T09:00:00+00:00', 1,"
    " 'AGRI')",
    "INSERT INTO person (id, case_id, role, gender, nationality, name, contact, address, notes,"
    " erased, created_at, version) VALUES (1, 1, 'VICTIM', 'FEMALE', 'RO', 'Ilona Fictief', '',"
    " '', '', 0, '2025-03-01T09:00:00+00:00', 1)",
    "INSERT INTO consent (id, person_id, purpose, given, recorded_on, method, note, created_at)"
    " VALUES (1, 1, 'COMENSHA_REG', 1, '2025-03-02', 'WRITTEN', '',"
    " '2025-03-02T09:00:00+00:00')",
]


def test_a_0003_casebook_with_data_is_migrated(tmp_path):
    # (the lead may chain 0005 after another revision: the file is made at 0003 anyway)
    assert schema.REVISIONS.index("0003") < schema.REVISIONS.index("0005")
    path = tmp_path / "old.sqlite3"
    make_at_revision(path, "0003")
    conn = sqlite3.connect(path)
    for sql in ROWS_AT_0003:
        conn.execute(sql)
    conn.commit()
    conn.close()
    with db.open_casebook(path) as cb:
        with cb.read() as s:
            person = s.get(Person, 1)
            assert (person.guardian_relation, person.guardian_name) == (None, "")
            assert s.get(Consent, 1).given_by == "PERSON"
            assert s.get(Case, 1).merged_into is None
            assert list(s.exec(select(CaseSector))) == []
            # the search index's triggers were made again: a name still finds its case
            assert [r.reference for r in list_cases(s, CaseFilter(search="ilona"))] == ["2025-0007"]
        with cb.write() as s:  # and they follow new writes
            persons.edit_person(
                s,
                1,
                intake.PersonInput(
                    role="VICTIM", name="Ilona Anders", guardian_relation="GUARDIAN"
                ),
            )
            case_details.set_other_sectors(s, 1, ["LOG"], primary="AGRI")
        with cb.read() as s:
            assert [r.reference for r in list_cases(s, CaseFilter(search="anders"))] == [
                "2025-0007"
            ]
            assert list_cases(s, CaseFilter(search="ilona fictief")) == []
    assert alembic_revision(path) == schema.HEAD
    triggers = sqlite_rows(path, "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    assert len(triggers) == 6
    assert sqlite_rows(path, "PRAGMA foreign_key_check") == []
    # deleting the case takes its sectors along (ON DELETE CASCADE)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    for table in ("history", "consent", "person", "signal"):
        conn.execute(f"DELETE FROM {table}")
    conn.execute("DELETE FROM case_file")
    conn.commit()
    conn.close()
    assert sqlite_rows(path, "SELECT count(*) FROM case_sector") == [(0,)]


def test_the_downgrade_returns_to_the_revision_before_and_up_again(tmp_path):
    from alembic import command
    from alembic.config import Config

    from tests.test_storage import MIGRATIONS

    path = tmp_path / "down.sqlite3"
    before = schema.REVISIONS[schema.REVISIONS.index("0005") - 1]
    make_at_revision(path, "0005")
    engine = db.make_engine(path)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, before)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    engine.dispose()
    assert alembic_revision(path) == schema.HEAD
    assert len(sqlite_rows(path, "SELECT name FROM sqlite_master WHERE type = 'trigger'")) == 6


def _filled(cb) -> tuple[int, int]:
    ana = [intake.PersonInput(role="VICTIM", name="Ana", birth_year=2011)]
    right = kit.triaged_case(cb, persons=ana)
    dup = kit.new_case(cb)
    with cb.write() as s:
        person = s.exec(select(Person).where(Person.case_id == right)).one()
        persons.edit_person(
            s,
            person.id,
            intake.PersonInput(
                role="VICTIM",
                name="Ana",
                birth_year=2011,
                guardian_relation="PARENT",
                guardian_name="Moeder van Ana",
            ),
        )
        consent.record_consent(
            s,
            person.id,
            consent.ConsentInput(purpose="COMENSHA_REG", method="WRITTEN", given_by="PARENT"),
        )
        case_details.set_other_sectors(s, right, ["LOG", "UITZEND"], primary="AGRI")
    with cb.write() as s:
        merge.merge_cases(s, dup, right)
    return right, dup


def test_the_new_fields_go_out_in_a_dump_and_come_back_in(cb, tmp_path):
    _filled(cb)
    with cb.read() as s:
        data = dump_data(s)
    right, dup = data["cases"]
    assert right["other_sectors"] == ["LOG", "UITZEND"]
    assert dup["merged_into"] == right["reference"] and right["merged_into"] is None
    person = next(p for p in right["persons"] if p["name"] == "Ana")
    assert (person["guardian_relation"], person["guardian_name"]) == ("PARENT", "Moeder van Ana")
    assert right["consents"][0]["given_by"] == "PARENT"

    with db.open_casebook(tmp_path / "other.sqlite3") as other:
        import_data(other, copy.deepcopy(data))
        with other.read() as s:
            again = dump_data(s)
    for key in ("exported_at",):
        data.pop(key), again.pop(key)
    assert again["cases"] == data["cases"]


def test_an_older_dump_without_the_new_fields_imports_with_their_defaults(cb):
    from tests.test_transfer import _minimal

    data = _minimal()
    data["cases"][0]["persons"] = [{"role": "VICTIM", "name": "Ana"}]
    data["cases"][0]["consents"] = [
        {"person": 0, "purpose": "COMENSHA_REG", "given": True, "recorded_on": "2025-03-02",
         "method": "WRITTEN"}
    ]  # fmt: skip
    import_data(cb, data)
    with cb.read() as s:
        assert s.exec(select(Consent.given_by)).one() == "PERSON"
        assert s.exec(select(Person.guardian_relation)).one() is None
        assert s.exec(select(Case.merged_into)).one() is None


def test_an_unknown_sector_or_signer_in_a_file_is_refused(cb):
    from casebook.transfer import ImportRefused
    from tests.test_transfer import _minimal

    data = _minimal()
    data["cases"][0]["other_sectors"] = ["MARS"]
    data["cases"][0]["persons"] = [{"role": "VICTIM", "guardian_relation": "BUURMAN"}]
    try:
        import_data(cb, data)
    except ImportRefused as refused:
        fields = {p.field for p in refused.problems}
    else:
        raise AssertionError("imported")
    assert {"other_sectors", "persons[0].guardian_relation"} <= fields


def test_check_finds_unknown_new_codes(cb):
    _filled(cb)
    cb.close()
    for table, column in (
        ("case_sector", "code"),
        ("person", "guardian_relation"),
        ("consent", "given_by"),
    ):
        assert (table, column) in integrity.CODE_COLUMNS
    conn = sqlite3.connect(cb.path)
    conn.execute("UPDATE consent SET given_by = 'NEIGHBOUR'")
    conn.commit()
    conn.close()
    report = integrity.check_file(cb.path)
    keys = [(p.key, p.params.get("table"), p.params.get("column")) for p in report.problems]
    assert ("safety.check.unknown_code", "consent", "given_by") in keys


def test_check_of_a_0003_file_is_clean_about_what_0005_brings(tmp_path):
    # a file not yet migrated (a migration killed halfway is rolled back to this) has
    # no case_sector table and no guardian or given_by column: not a problem
    path = tmp_path / "old.sqlite3"
    make_at_revision(path, "0003")
    report = integrity.check_file(path)
    assert report.problems == []
    assert [p.key for p in report.notes] == ["safety.check.needs_migration"]
