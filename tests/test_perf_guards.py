"""Guards for the cheap paths (issue 7): what each path leaves in `sys.modules`.

Each check runs in a fresh interpreter, because a module imported once by any test
stays imported for the rest of the session. These are not timings: they fail when a
path starts importing something it should not, which is what makes it slow.

- `casebook --help` imports neither Textual nor SQLAlchemy;
- `casebook stats YEAR` imports neither Textual nor SQLAlchemy/SQLModel (it reads
  with the stdlib sqlite3 driver);
- a normal start on an up-to-date casebook (open_casebook, then building the App)
  does not import Alembic: migrations are checked with the stdlib driver first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("textual", "sqlalchemy", "sqlmodel", "alembic")


def loaded_after(code: str, tmp_path: Path) -> dict[str, bool]:
    """Run `code` in a fresh interpreter and report which heavy modules it loaded."""
    probe = (
        "import sys, json\n"
        f"{code}\n"
        f"print('MODULES=' + json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))\n"
    )
    env = dict(os.environ)
    env["CASEBOOK_HOME"] = str(tmp_path / "home")
    env.pop("CASEBOOK_DB", None)
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("MODULES=")]
    assert lines, f"probe failed (exit {result.returncode}): {result.stderr[-2000:]}"
    return json.loads(lines[-1].removeprefix("MODULES="))


def run_cli(args: list[str]) -> str:
    """Code that runs `casebook ARGS` as the console script does, keeping the exit code."""
    return (
        "from casebook import cli\n"
        "try:\n"
        f"    code = cli.main({args!r})\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "print('EXIT=' + str(code))\n"
    )


@pytest.fixture(scope="module")
def uptodate_casebook(tmp_path_factory) -> Path:
    """A small casebook at the current schema revision, with a few cases."""
    from casebook.db import open_casebook
    from casebook.demo import generate
    from tests.conftest import DEMO_TODAY

    path = tmp_path_factory.mktemp("perf") / "casebook.sqlite3"
    book = open_casebook(path)
    with book.write() as session:
        generate(session, cases=12, years=1, seed=3, today=DEMO_TODAY)
    book.close()
    return path


def test_help_imports_neither_textual_nor_sqlalchemy(tmp_path):
    mods = loaded_after(run_cli(["--help"]), tmp_path)
    assert mods["textual"] is False
    assert mods["sqlalchemy"] is False
    assert mods["sqlmodel"] is False


def test_subcommand_help_stays_light_too(tmp_path):
    mods = loaded_after(run_cli(["stats", "--help"]), tmp_path)
    assert mods["textual"] is False
    assert mods["sqlalchemy"] is False


def test_stats_leaves_textual_out(tmp_path, uptodate_casebook):
    code = run_cli(["--db", str(uptodate_casebook), "stats", "2026"])
    # the probe really ran the export: it exits 0 having rendered the figures
    code += "assert code == 0, code\nassert 'casebook.stats_export' in sys.modules\n"
    mods = loaded_after(code, tmp_path)
    assert mods["textual"] is False
    assert mods["alembic"] is False
    # it reads with the stdlib driver: no SQLAlchemy or SQLModel either
    assert mods["sqlalchemy"] is False
    assert mods["sqlmodel"] is False


@pytest.mark.slow
def test_stats_really_ran(tmp_path, uptodate_casebook):
    env = dict(os.environ, CASEBOOK_HOME=str(tmp_path / "home"))
    result = subprocess.run(
        [sys.executable, "-m", "casebook", "--db", str(uptodate_casebook), "stats", "2026"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip()


def test_normal_start_leaves_alembic_out(tmp_path, uptodate_casebook):
    code = (
        "from casebook.db import open_casebook\n"
        f"cb = open_casebook({str(uptodate_casebook)!r})\n"
        "with cb.read() as session:\n"
        "    from casebook.services.today import board\n"
        "    board(session)\n"
        "cb.close()\n"
    )
    mods = loaded_after(code, tmp_path)
    assert mods["alembic"] is False
    assert mods["sqlalchemy"] is True  # it did open the file and read the board


def test_building_the_app_leaves_alembic_out(tmp_path, uptodate_casebook):
    code = (
        "from casebook.db import open_casebook\n"
        f"cb = open_casebook({str(uptodate_casebook)!r})\n"
        "from screens.app import CasebookApp\n"
        "app = CasebookApp(cb)\n"
        "cb.close()\n"
    )
    mods = loaded_after(code, tmp_path)
    assert mods["alembic"] is False
    assert mods["textual"] is True


@pytest.mark.slow
def test_the_guard_sees_a_migration(tmp_path):
    """The probe can fail: creating a new casebook does run Alembic."""
    code = (
        "from casebook.db import open_casebook\n"
        f"open_casebook({str(tmp_path / 'new.sqlite3')!r}).close()\n"
    )
    assert loaded_after(code, tmp_path)["alembic"] is True
