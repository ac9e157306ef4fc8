"""The core stays light: the CLI, the services and the demo never pull in Textual;
`--help` does not even load SQLAlchemy; opening an up-to-date casebook skips Alembic.

Each check runs in a fresh interpreter, so nothing this test process imported counts.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import casebook

REPO = Path(casebook.__file__).resolve().parent.parent


HEAVY = ("textual", "sqlalchemy", "sqlmodel", "alembic")
REPORT = f"""
import json, sys
print(json.dumps({{name: name in sys.modules for name in {HEAVY!r}}}))
"""


def run_python(code: str, *args: str) -> dict:
    """Run `code` in a fresh interpreter, then report which heavy packages it loaded
    (one JSON object on the last line)."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code) + REPORT, *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_core_imports_and_help_leave_textual_out():
    result = run_python(
        """
        import contextlib, importlib, io, pkgutil
        import casebook.cli, casebook.demo, casebook.db
        import casebook.services
        names = [m.name for m in pkgutil.iter_modules(casebook.services.__path__)]
        for name in names:
            importlib.import_module(f"casebook.services.{name}")
        assert len(names) >= 10, names
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            try:
                casebook.cli.main(["--help"])
            except SystemExit as exc:
                assert exc.code == 0, exc.code
        assert "demo-data" in out.getvalue()
        """
    )
    assert result["textual"] is False
    assert result["sqlalchemy"] is True  # the services did load: the check is real


def test_every_core_module_leaves_textual_out():
    result = run_python(
        """
        import importlib, pkgutil
        import casebook
        # Alembic's env.py runs a migration when imported; __main__ starts the app
        skipped = ("casebook.migrations", "casebook.__main__")
        for mod in pkgutil.walk_packages(casebook.__path__, "casebook."):
            if not mod.name.startswith(skipped):
                importlib.import_module(mod.name)
        """
    )
    assert result["textual"] is False


def test_help_does_not_load_sqlalchemy():
    result = run_python(
        """
        import contextlib, io
        import casebook.cli
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                casebook.cli.main(["--help"])
            except SystemExit as exc:
                assert exc.code == 0, exc.code
        """
    )
    assert result == {name: False for name in HEAVY}


def test_every_subcommand_help_leaves_textual_and_sqlalchemy_out():
    result = run_python(
        """
        import contextlib, io
        import casebook.cli
        codes = {}
        for name in casebook.cli.COMMANDS:
            with contextlib.redirect_stdout(io.StringIO()):
                try:
                    casebook.cli.main([name, "--help"])
                except SystemExit as exc:
                    codes[name] = exc.code
        assert codes == {name: 0 for name in casebook.cli.COMMANDS}, codes
        """
    )
    assert result == {name: False for name in HEAVY}


@pytest.mark.slow
def test_console_script_help_exits_zero():
    script = shutil.which("casebook", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the casebook console script is not installed next to this Python")
    proc = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert "casebook" in proc.stdout and "demo-data" in proc.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "casebook", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.slow
def test_opening_an_up_to_date_casebook_does_not_import_alembic(tmp_path):
    path = tmp_path / "book.sqlite3"
    created = run_python(
        """
        import sys
        from casebook.db import open_casebook
        open_casebook(sys.argv[1]).close()
        """,
        str(path),
    )
    assert created["alembic"] is True  # making the file did run the migration
    assert path.exists()
    reopened = run_python(
        """
        import sys
        from sqlmodel import select
        from casebook.db import open_casebook
        from casebook.models import Organisation
        from casebook.services import today
        cb = open_casebook(sys.argv[1])
        with cb.read() as s:
            assert s.exec(select(Organisation)).first() is not None
            today.board(s)
        with cb.write() as s:
            s.add(Organisation(name="Nieuw"))
        cb.close()
        """,
        str(path),
    )
    assert reopened["alembic"] is False
    assert reopened["sqlalchemy"] is True and reopened["textual"] is False
