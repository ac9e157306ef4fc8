"""The command line from the outside: help without heavy imports, exit codes, and a
deterministic, complete demo casebook. Run as subprocesses, like a user would."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from casebook import refdata

HEAVY = ("textual", "sqlalchemy", "sqlmodel", "alembic")


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CASEBOOK_HOME"] = str(tmp_path / "home")
    env.pop("CASEBOOK_DB", None)
    env.pop("CASEBOOK_LANG", None)
    return env


def _run(args: list[str], tmp_path: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        **kw,
    )


def _console_script() -> str:
    here = Path(sys.executable).parent / ("casebook.exe" if os.name == "nt" else "casebook")
    found = str(here) if here.exists() else shutil.which("casebook")
    assert found, "the casebook console script is not installed"
    return found


@pytest.mark.slow
def test_python_m_casebook_help(tmp_path):
    result = _run([sys.executable, "-m", "casebook", "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "demo-data" in result.stdout and "import" in result.stdout


@pytest.mark.slow
def test_console_script_help(tmp_path):
    result = _run([_console_script(), "--help"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "gebruik: casebook" in result.stdout  # argparse's words in Dutch too


_PROBE = """
import json, sys
from casebook.cli import main
try:
    main({argv!r})
except SystemExit as exc:
    code = exc.code
else:
    code = None
print(json.dumps({{"code": code, "modules": sorted(sys.modules)}}))
"""


def _probe(tmp_path: Path, argv: list[str]) -> dict:
    result = _run([sys.executable, "-c", _PROBE.format(argv=argv)], tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["demo-data", "--help"], ["import", "--help"], ["dump", "--help"]],
    ids=["top", "demo-data", "import", "dump"],
)
def test_help_imports_neither_textual_nor_sqlalchemy(tmp_path, argv):
    probe = _probe(tmp_path, argv)
    assert probe["code"] == 0
    modules = probe["modules"]
    assert "casebook.cli" in modules  # the probe did run the CLI
    for name in HEAVY:
        assert name not in modules, f"{name} imported by casebook {' '.join(argv)}"
        assert not any(m.startswith(name + ".") for m in modules), name


@pytest.mark.parametrize(
    "argv",
    [["--no-such-flag"], ["no-such-command"], ["demo-data"], ["--lang", "fr", "--help"]],
    ids=["flag", "command", "missing-option", "bad-language"],
)
def test_usage_errors_exit_2(tmp_path, argv):
    result = _run([sys.executable, "-m", "casebook", *argv], tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "gebruik:" in result.stderr


def test_refusal_exits_1(tmp_path):
    (tmp_path / "taken.sqlite3").write_text("already here", encoding="utf-8")
    result = _run(
        [sys.executable, "-m", "casebook", "demo-data", "--out", "taken.sqlite3"], tmp_path
    )
    assert result.returncode == 1
    assert "bestaat al" in result.stderr
    assert (tmp_path / "taken.sqlite3").read_text(encoding="utf-8") == "already here"


# --------------------------------------------------------------------- demo-data


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory) -> tuple[Path, Path]:
    """The same demo casebook made twice, by the console script, in two folders."""
    made = []
    for name in ("one", "two"):
        folder = tmp_path_factory.mktemp(name)
        result = _run(
            [_console_script(), "demo-data", "--out", "x", "--seed", "1", "--today", "2026-11-28"],
            folder,
        )
        assert result.returncode == 0, result.stderr
        made.append(folder / "x")
    return made[0], made[1]


def _dump_sql(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def test_demo_data_is_deterministic(demo_files):
    first, second = demo_files
    one, two = _dump_sql(first), _dump_sql(second)
    assert len(one) > 1000
    assert one == two


def test_demo_data_is_a_sound_database(demo_files):
    conn = sqlite3.connect(demo_files[0])
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("table", "column", "ref_list"),
    [
        ("case_file", "phase", "phases"),
        ("case_file", "status", "statuses"),
        ("case_file", "closure_outcome", "closure_outcomes"),
        ("referral", "shelter_type", "shelter_types"),
        ("referral", "status", "referral_statuses"),
        ("followup_step", "step_type", "step_types"),
    ],
)
def test_demo_data_holds_every_code(demo_files, table, column, ref_list):
    conn = sqlite3.connect(demo_files[0])
    try:
        found = {
            row[0]
            for row in conn.execute(f"SELECT DISTINCT {column} FROM {table}")
            if row[0] is not None
        }
    finally:
        conn.close()
    expected = set(refdata.ref(ref_list).codes())
    assert expected - found == set(), f"missing from the demo: {sorted(expected - found)}"
    assert found - expected == set(), f"unknown codes in the demo: {sorted(found - expected)}"
