"""`casebook check`: is the file intact and does every stored value make sense?

Runs on a read-only connection (the stdlib driver, no SQLAlchemy): SQLite's integrity
check, the foreign-key check, the schema revision, and every stored code against the
reference data. The report holds counts per problem, never a record's contents.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from casebook import cipher, refdata, schema
from casebook.errors import StorageError

# (table, column) -> reference list name, or a tuple of allowed codes.
CODE_COLUMNS: dict[tuple[str, str], str | tuple[str, ...]] = {
    ("case_file", "phase"): "phases",
    ("case_file", "status"): "statuses",
    ("case_file", "urgency"): "urgencies",
    ("case_file", "sector"): "sectors",
    ("case_file", "route"): "routes",
    ("case_file", "closure_outcome"): "closure_outcomes",
    ("case_file", "subject_type"): "subject_types",
    ("case_exploitation", "code"): "exploitation_types",
    ("case_sector", "code"): "sectors",
    ("signal", "channel"): "signal_channels",
    ("signal", "source_role"): "source_roles",
    ("signal_indicator", "code"): "indicators",
    ("person", "role"): "person_roles",
    ("person", "gender"): "genders",
    ("person", "nationality"): "countries",
    ("person", "b8_status"): "b8_statuses",
    ("person", "guardian_relation"): "consent_givers",
    ("followup_step", "step_type"): "step_types",
    ("followup_step", "status"): ("OPEN", "DONE", "CANCELLED", "CARRIED"),
    ("referral", "shelter_type"): "shelter_types",
    ("referral", "status"): "referral_statuses",
    ("contact_moment", "channel"): "contact_channels",
    ("contact_moment", "counterpart_role"): "counterpart_roles",
    ("consent", "purpose"): "consent_purposes",
    ("consent", "method"): "consent_methods",
    ("consent", "given_by"): "consent_givers",
    ("deadline", "kind"): ("BEDENKTIJD", "AANGIFTE", "CALLBACK", "OTHER"),
}


@dataclass
class Problem:
    key: str  # catalogue key of the kind of problem
    count: int
    params: dict = field(default_factory=dict)

    def message(self) -> str:
        from casebook.i18n import t

        return t(self.key, count=self.count, **self.params)


@dataclass
class Report:
    path: Path
    revision: str | None = None
    tables: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # worth saying, not wrong

    @property
    def ok(self) -> bool:
        return not self.problems


def _allowed(spec: str | tuple[str, ...]) -> set[str]:
    if isinstance(spec, tuple):
        return set(spec)
    return set(refdata.ref(spec).codes())


def check_file(path: Path | str) -> Report:
    """Check the casebook at `path` without changing a byte of it.

    Raises `StorageError` when the file cannot be opened as a casebook at all (missing,
    not a database, newer schema); problems found inside an open file are reported."""
    from casebook.db import inspect_file

    path = Path(path)
    state = inspect_file(path)  # missing folder / not a database / unreadable → raises
    if not state.exists:
        raise StorageError("storage.missing", path=str(path))
    if state.revision is None:
        key = "storage.not_a_casebook" if state.has_tables else "storage.not_a_database"
        raise StorageError(key, path=str(path))
    if state.revision not in schema.REVISIONS:
        raise StorageError("storage.too_new", path=str(path))

    report = Report(path, revision=state.revision)
    if state.revision != schema.HEAD:
        report.notes.append(
            Problem("safety.check.needs_migration", 1, {"revision": state.revision})
        )
    try:
        from casebook.db import readonly_connect

        conn = readonly_connect(path)
    except cipher.DB_ERRORS as exc:
        raise _open_error(path, exc) from None
    try:
        _run_checks(conn, report)
    except cipher.DB_ERRORS as exc:
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in (5, 6):
            raise StorageError("safety.storage.busy", path=str(path)) from None
        report.problems.append(Problem("safety.check.unreadable", 1))
    finally:
        conn.close()
    wal = Path(f"{path}-wal")
    if wal.exists() and wal.stat().st_size > 0:
        from casebook.filemark import checked_wal_verdict

        verdict = checked_wal_verdict(path)
        if verdict.fits:
            report.notes.append(Problem("faults.check.wal_present", 1))
        else:
            report.problems.append(Problem(f"faults2.check.wal_{verdict.kind}", 1))
    return report


def _open_error(path: Path, exc: sqlite3.Error) -> StorageError:
    from casebook.db import storage_error

    err = storage_error(path, exc)
    if err.key.startswith("safety.storage."):
        return err
    return StorageError("storage.corrupt", path=str(path))


def _run_checks(conn: sqlite3.Connection, report: Report) -> None:
    rows = conn.execute("PRAGMA integrity_check(1000)").fetchall()
    if rows != [("ok",)]:
        report.problems.append(Problem("safety.check.integrity", len(rows)))
        # A damaged file: the other checks would read garbage; stop here.
        return

    from casebook.retention import vacuum_pending

    if vacuum_pending(conn):
        report.problems.append(Problem("faults.check.vacuum_pending", 1))
    fk: dict[str, int] = {}
    for table, *_ in conn.execute("PRAGMA foreign_key_check"):
        fk[table] = fk.get(table, 0) + 1
    for table, count in sorted(fk.items()):
        report.problems.append(Problem("safety.check.foreign_key", count, {"table": table}))

    tables = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    for table in sorted(tables):
        report.tables[table] = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]

    older = report.revision != schema.HEAD
    for (table, column), spec in CODE_COLUMNS.items():
        if older and not _has_column(conn, tables, table, column):
            continue  # comes with a later revision: made when the file is migrated
        if table not in tables:
            report.problems.append(Problem("safety.check.missing_table", 1, {"table": table}))
            continue
        allowed = _allowed(spec)
        unknown = 0
        for value, count in conn.execute(
            f'SELECT "{column}", COUNT(*) FROM "{table}" '
            f'WHERE "{column}" IS NOT NULL GROUP BY "{column}"'
        ):
            if value not in allowed:
                unknown += count
        if unknown:
            report.problems.append(
                Problem("safety.check.unknown_code", unknown, {"table": table, "column": column})
            )


def _has_column(conn: sqlite3.Connection, tables: set[str], table: str, column: str) -> bool:
    if table not in tables:
        return False
    return any(row[1] == column for row in conn.execute(f'PRAGMA table_info("{table}")'))


def format_report(report: Report) -> str:
    """The readable report: a summary line, then one line per problem."""
    from casebook.i18n import t

    lines = []
    if report.ok:
        records = sum(report.tables.values())
        lines.append(
            t("safety.check.ok", path=str(report.path), revision=report.revision, records=records)
        )
    else:
        lines.append(t("safety.check.failed", path=str(report.path), count=len(report.problems)))
        lines.extend(f"  - {p.message()}" for p in report.problems)
        if any(not p.key.startswith("faults2.check.wal_") for p in report.problems):
            # (a -wal that does not belong is set aside, not cured by a restore)
            lines.append(t("safety.check.advice"))
            lines.append(_newest_good_line(report.path))
    lines.extend(f"  - {p.message()}" for p in report.notes)
    return "\n".join(lines)


def _newest_good_line(path: Path) -> str:
    """Which backup to restore: the newest one that is intact (checked now)."""
    from casebook import backup, paths
    from casebook.i18n import t

    good = backup.newest_good_backup(path)
    if good is None:
        return t("faults.check.no_good_backup", path=str(paths.backups_dir(path)))
    return t("faults.check.newest_good", path=str(good))


def damage_warning(path: Path | str) -> str | None:
    """For the start of the UI, run in a worker once Today is up: None when SQLite's
    quick_check finds the casebook intact, else the warning in words, naming the newest
    good backup and how to put it back. quick_check reads every page (about 0.35 s warm,
    2.6 s cold on the decade demo casebook of 56 MB), so it never delays Today."""
    from casebook import backup, paths
    from casebook.i18n import t

    path = Path(path)
    if backup.quick_check(path):
        return None
    good = backup.newest_good_backup(path)
    if good is None:
        return t("faults.damaged.no_backup", path=str(path), folder=str(paths.backups_dir(path)))
    return t("faults.damaged.restore", path=str(path), backup=str(good))
