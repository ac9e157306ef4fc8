"""Starting the UI from the command line: the day's first backup is made before the
screens open, and a failure to make it reaches the officer as a warning."""

from __future__ import annotations

import pytest

import screens.app
from casebook import cli, paths, terminal
from casebook.errors import StorageError


@pytest.fixture(autouse=True)
def _in_a_terminal(monkeypatch):
    """As in a terminal: the UI entry point goes on to open the casebook."""
    monkeypatch.setattr(terminal, "missing_terminal", lambda: None)


class FakeApp:
    """Stands in for the Textual App: records what the CLI hands it."""

    made: list[FakeApp] = []

    def __init__(self, casebook, *, demo=False, warnings=None):
        self.casebook, self.demo, self.warnings = casebook, demo, warnings
        self.return_code = 0
        FakeApp.made.append(self)

    def run(self):
        pass


def test_first_start_of_the_day_makes_a_backup(tmp_path, monkeypatch):
    monkeypatch.setattr(screens.app, "CasebookApp", FakeApp)
    FakeApp.made.clear()
    db = tmp_path / "cb.sqlite3"
    assert cli.main(["--db", str(db), "--create"]) == 0  # creates the casebook
    assert cli.main(["--db", str(db)]) == 0
    backups = sorted(p.name for p in paths.backups_dir(db).glob("daily-*.sqlite3"))
    assert len(backups) == 1
    assert FakeApp.made[-1].warnings == []


def test_a_failed_backup_is_a_warning_not_a_stop(tmp_path, monkeypatch):
    monkeypatch.setattr(screens.app, "CasebookApp", FakeApp)
    FakeApp.made.clear()

    def refuse(path, **kwargs):
        raise StorageError("safety.backup.failed", path=str(path), reason="disk full")

    import casebook.backup

    monkeypatch.setattr(casebook.backup, "ensure_daily_backup", refuse)
    db = tmp_path / "cb.sqlite3"
    assert cli.main(["--db", str(db), "--create"]) == 0
    warnings = FakeApp.made[-1].warnings
    assert warnings and any("disk full" in w for w in warnings)


def test_demo_makes_no_backup_and_never_touches_the_default_casebook(monkeypatch):
    monkeypatch.setattr(screens.app, "CasebookApp", FakeApp)
    FakeApp.made.clear()
    assert cli.main(["--demo"]) == 0
    app = FakeApp.made[-1]
    assert app.demo and app.warnings == []
    assert not paths.default_db_path().exists()
    assert not paths.backups_dir(app.casebook.path).exists()
    assert not app.casebook.path.parent.exists()  # the demo folder is cleaned up
