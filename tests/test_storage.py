"""Storage: a new file is made and migrated; anything casebook cannot use is refused and
left byte for byte as it was; the Alembic scripts and the models agree."""

from __future__ import annotations

import hashlib
import sqlite3
import stat
import sys
from pathlib import Path

import pytest
from sqlmodel import SQLModel, select

from casebook import db, paths, refdata, schema
from casebook.errors import StorageError
from casebook.models import Organisation

MIGRATIONS = Path(db.__file__).parent / "migrations"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sqlite_rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def alembic_revision(path: Path) -> str:
    return sqlite_rows(path, "SELECT version_num FROM alembic_version")[0][0]


def test_new_file_is_created_at_head_in_wal_with_foreign_keys(tmp_path):
    path = tmp_path / "new.sqlite3"
    assert not path.exists()
    with db.open_casebook(path) as cb:
        assert path.is_file()
        with cb.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.BUSY_TIMEOUT_MS
    assert alembic_revision(path) == schema.HEAD
    # WAL is a property of the file: a fresh connection sees it too
    assert sqlite_rows(path, "PRAGMA journal_mode") == [("wal",)]
    assert db.inspect_file(path) == db.FileState(True, schema.HEAD, True)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_new_file_is_owner_only(tmp_path):
    path = tmp_path / "sub" / "new.sqlite3"
    db.open_casebook(path, create_parents=True).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_missing_file_or_folder(tmp_path):
    with pytest.raises(StorageError) as info:
        db.open_casebook(tmp_path / "none.sqlite3", create=False)
    assert info.value.key == "storage.missing"
    with pytest.raises(StorageError) as info:
        db.open_casebook(tmp_path / "no" / "such" / "x.sqlite3")
    assert info.value.key == "storage.missing_folder"
    assert not (tmp_path / "no").exists()


def test_new_file_holds_every_table_and_the_seeded_organisations(cb):
    tables = {r[0] for r in sqlite_rows(cb.path, "SELECT name FROM sqlite_master")}
    assert set(SQLModel.metadata.tables) <= tables
    with cb.read() as s:
        codes = {o.code: o for o in s.exec(select(Organisation))}
    expected = refdata.ref("organisations")
    assert set(codes) == set(expected.codes())
    for item in expected:
        assert codes[item.code].name == item.nl
        assert codes[item.code].kind == item.get("kind", "other")
        assert codes[item.code].active is True


def test_reopening_does_not_seed_twice(tmp_path):
    path = tmp_path / "x.sqlite3"
    db.open_casebook(path).close()
    before = sqlite_rows(path, "SELECT count(*) FROM organisation")
    db.open_casebook(path).close()
    assert sqlite_rows(path, "SELECT count(*) FROM organisation") == before


def test_revisions_match_the_alembic_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(cfg)
    assert scripts.get_heads() == [schema.HEAD]
    walked = [rev.revision for rev in scripts.walk_revisions("base", "heads")]
    assert tuple(reversed(walked)) == schema.REVISIONS
    assert len(set(schema.REVISIONS)) == len(schema.REVISIONS)


def test_migrated_file_matches_the_models(cb):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with cb.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "compare_server_default": True,
                "include_name": schema.is_modelled,  # the FTS5 search index (0002)
            },
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_empty_file_is_migrated(tmp_path):
    path = tmp_path / "empty.sqlite3"
    path.touch()
    assert db.inspect_file(path) == db.FileState(True, None, False)
    with db.open_casebook(path) as cb, cb.read() as s:
        assert len(s.exec(select(Organisation)).all()) == len(refdata.ref("organisations"))
    assert alembic_revision(path) == schema.HEAD
    # a fresh file needs no backup: there was nothing to lose
    assert not paths.backups_dir(path).exists()


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "newer.sqlite3"
    db.open_casebook(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = digest(path)
    for kwargs in ({}, {"readonly": True}):
        with pytest.raises(StorageError) as info:
            db.open_casebook(path, **kwargs)
        assert info.value.key == "storage.too_new"
        assert str(path) in str(info.value)
    assert digest(path) == before
    assert alembic_revision(path) == "9999"
    assert not paths.backups_dir(path).exists()


@pytest.mark.parametrize(
    "content",
    [b"Dit is een notitie, geen database.\n", b"x", b"SQLite format 2\x00" + b"\x00" * 100],
)
def test_text_file_is_refused_untouched(tmp_path, content):
    path = tmp_path / "notes.txt"
    path.write_bytes(content)
    with pytest.raises(StorageError) as info:
        db.open_casebook(path)
    assert info.value.key == "storage.not_a_database"
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_other_database_is_refused_untouched(tmp_path):
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE klant (id INTEGER PRIMARY KEY, naam TEXT)")
    conn.execute("INSERT INTO klant (naam) VALUES ('x')")
    conn.commit()
    conn.close()
    before = digest(path)
    with pytest.raises(StorageError) as info:
        db.open_casebook(path)
    assert info.value.key == "storage.not_a_casebook"
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.sqlite3"]


def test_corrupt_database_is_refused_untouched(tmp_path):
    path = tmp_path / "broken.sqlite3"
    db.open_casebook(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # overwrite the schema page
    path.write_bytes(bytes(data))
    before = digest(path)
    with pytest.raises(StorageError) as info:
        db.open_casebook(path)
    assert info.value.key in ("storage.corrupt", "storage.not_a_database")
    assert digest(path) == before


def make_at_revision(path: Path, revision: str) -> None:
    """A casebook file as an older casebook made it: migrated only up to `revision`."""
    from alembic import command
    from alembic.config import Config

    engine = db.make_engine(path)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    engine.dispose()


@pytest.mark.skipif(len(schema.REVISIONS) < 2, reason="needs an older revision")
def test_older_revision_is_backed_up_then_migrated(tmp_path):
    path = tmp_path / "old.sqlite3"
    older = schema.REVISIONS[-2]
    make_at_revision(path, older)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO case_file (reference, ref_year, ref_seq, subject_type, title, location,"
        " phase, status, route_note, opened_on, closure_note, created_at, updated_at, version)"
        " VALUES ('2025-0007', 2025, 7, 'PERSON', 'Oude kwekerij', '', 'INTAKE', 'NEW', '',"
        " '2025-03-01', '', '2025-03-01T09:00:00+00:00', '2025-03-01T09:00:00+00:00', 1)"
    )
    conn.commit()
    conn.close()
    assert db.inspect_file(path).revision == older

    with db.open_casebook(path) as cb:
        from casebook.services.cases import CaseFilter, list_cases

        with cb.read() as s:
            assert [r.reference for r in list_cases(s)] == ["2025-0007"]
            assert [r.reference for r in list_cases(s, CaseFilter(search="kwekerij"))] == [
                "2025-0007"
            ]
    assert alembic_revision(path) == schema.HEAD
    (backup,) = paths.backups_dir(path).iterdir()
    assert backup.name.startswith(f"pre-migration-{older}-")
    assert alembic_revision(backup) == older
    assert sqlite_rows(backup, "SELECT reference, title FROM case_file") == [
        ("2025-0007", "Oude kwekerij")
    ]
    assert sqlite_rows(backup, "PRAGMA integrity_check") == [("ok",)]
    if sys.platform != "win32":
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600


def test_backup_is_taken_before_alembic_runs(tmp_path, monkeypatch):
    """A revision Alembic cannot migrate from (pretend '0000' is known): the copy is
    already there when the migration fails."""
    path = tmp_path / "old.sqlite3"
    db.open_casebook(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0000'")
    conn.commit()
    conn.close()
    monkeypatch.setattr(schema, "REVISIONS", ("0000", *schema.REVISIONS))
    with pytest.raises(StorageError):  # Alembic does not know 0000
        db.open_casebook(path)
    (backup,) = paths.backups_dir(path).iterdir()
    assert backup.name.startswith("pre-migration-0000-")
    assert alembic_revision(backup) == "0000"
    assert sqlite_rows(backup, "SELECT count(*) FROM organisation") == sqlite_rows(
        path, "SELECT count(*) FROM organisation"
    )
    assert sqlite_rows(backup, "PRAGMA integrity_check") == [("ok",)]


def test_readonly_open_reads_but_never_writes(tmp_path):
    path = tmp_path / "ro.sqlite3"
    db.open_casebook(path).close()
    with db.open_casebook(path, readonly=True) as cb:
        with cb.read() as s:
            assert s.exec(select(Organisation)).first() is not None
        with pytest.raises(StorageError), cb.write() as s:
            s.add(Organisation(name="Nieuw"))
    assert sqlite_rows(path, "SELECT count(*) FROM organisation WHERE name = 'Nieuw'") == [(0,)]


def test_readonly_open_of_a_fresh_file_is_refused(tmp_path):
    path = tmp_path / "empty.sqlite3"
    path.touch()
    with pytest.raises(StorageError) as info:
        db.open_casebook(path, readonly=True)
    assert info.value.key == "storage.needs_migration"
    assert path.read_bytes() == b""


def test_write_is_all_or_nothing(cb):
    with pytest.raises(RuntimeError), cb.write() as s:
        s.add(Organisation(name="Half"))
        s.flush()
        raise RuntimeError("stop")
    with cb.read() as s:
        assert s.exec(select(Organisation).where(Organisation.name == "Half")).first() is None
