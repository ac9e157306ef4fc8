"""`casebook check`: integrity, foreign keys, schema version and stored codes."""

from __future__ import annotations

import sqlite3

from casebook import integrity, schema
from casebook.cli import main
from tests.safetykit import PREFIX, canary, canary_case


def _raw(path, *statements) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def test_a_sound_casebook_passes(demo_cb, capsys):
    demo_cb.close()
    before = demo_cb.path.read_bytes()
    assert main(["--db", str(demo_cb.path), "check"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok:")
    assert demo_cb.path.read_bytes() == before
    report = integrity.check_file(demo_cb.path)
    assert report.ok and report.revision == schema.HEAD and report.tables["case_file"] == 150


def test_every_code_column_is_checked(cb):
    """Each code column in the list is really compared with its reference data."""
    canary_case(cb, "codes", closed=None)
    cb.close()
    for table, column in integrity.CODE_COLUMNS:
        count = _count(cb.path, table)
        assert count, table  # the canary case fills every table with a code column
        conn = sqlite3.connect(cb.path)
        conn.execute(f'UPDATE "{table}" SET "{column}" = ?', (canary("code"),))
        conn.commit()
        conn.close()
        report = integrity.check_file(cb.path)
        keys = [(p.key, p.params.get("table"), p.params.get("column")) for p in report.problems]
        assert ("safety.check.unknown_code", table, column) in keys, (table, column)
        _restore_code(cb.path, table, column)


def _count(path, table) -> int:
    conn = sqlite3.connect(path)
    n = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    conn.close()
    return n


def _restore_code(path, table, column) -> None:
    from casebook import refdata

    spec = integrity.CODE_COLUMNS[(table, column)]
    good = spec[0] if isinstance(spec, tuple) else refdata.ref(spec).codes()[0]
    conn = sqlite3.connect(path)
    try:
        conn.execute(f'UPDATE "{table}" SET "{column}" = ?', (good,))
        conn.commit()
    except sqlite3.IntegrityError:  # a primary-key code column with several rows
        conn.rollback()
        conn.execute(f'DELETE FROM "{table}" WHERE "{column}" = ?', (canary("code"),))
        conn.commit()
    conn.close()


def test_problems_are_counted_and_reported_without_personal_data(demo_cb, capsys):
    demo_cb.close()
    path = demo_cb.path
    secret = canary("value")
    _raw(
        path,
        f"UPDATE person SET nationality = '{secret[:2]}' WHERE id IN (1, 2, 3)",
        f"UPDATE person SET gender = '{secret}' WHERE id = 4",
        "UPDATE case_file SET phase = 'BOGUS' WHERE id = 1",
        "INSERT INTO signal_indicator (signal_id, code) VALUES (1, 'NOPE')",
        "INSERT INTO signal (case_id, received_on, channel, source_role, reporter_anonymous,"
        " reporter_contact, observed, created_at)"
        f" VALUES (999999, '2026-01-01', 'PHONE', 'POL', 0, '{secret}', '{secret}',"
        " '2026-01-01T00:00:00+00:00')",
    )
    before = path.read_bytes()
    assert main(["--db", str(path), "check"]) == 1
    out = capsys.readouterr().out
    assert PREFIX not in out
    assert "person" in out and "nationality" in out and "gender" in out
    report = integrity.check_file(path)
    found = {
        (p.key, p.params.get("table"), p.params.get("column")): p.count for p in report.problems
    }
    assert found[("safety.check.unknown_code", "person", "nationality")] == 3
    assert found[("safety.check.unknown_code", "person", "gender")] == 1
    assert found[("safety.check.unknown_code", "case_file", "phase")] == 1
    assert found[("safety.check.unknown_code", "signal_indicator", "code")] == 1
    assert found[("safety.check.foreign_key", "signal", None)] == 1
    assert path.read_bytes() == before


def test_a_damaged_file_fails_the_check(cb, capsys):
    canary_case(cb, "dmg", closed=None)
    cb.close()
    data = bytearray(cb.path.read_bytes())
    for i in range(4096 * 3, len(data), 11):
        data[i] ^= 0x5A
    cb.path.write_bytes(bytes(data))
    assert main(["--db", str(cb.path), "check"]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert PREFIX not in captured.out + captured.err
    assert captured.out or captured.err
