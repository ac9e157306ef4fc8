"""Shared fixtures: every test runs against real SQLite files in its own tmp_path,
with CASEBOOK_HOME pointing all of casebook's folders there."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from casebook import i18n

DEMO_TODAY = date(2026, 11, 28)
DEMO_SEED = 1


@pytest.fixture(scope="session", autouse=True)
def _one_clock():
    """The whole suite runs on one day, 28-11-2026 at 10:00 local time, whatever the
    machine's clock says: the core's one clock (casebook.clock) reads CASEBOOK_NOW, and
    so do the commands the tests start in subprocesses. A test that needs another
    moment uses `casebook.clock.frozen(...)`."""
    import os

    from casebook import clock

    previous = os.environ.get(clock.ENV_NOW)
    os.environ[clock.ENV_NOW] = DEMO_TODAY.isoformat()
    yield
    if previous is None:
        os.environ.pop(clock.ENV_NOW, None)
    else:
        os.environ[clock.ENV_NOW] = previous


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBOOK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CASEBOOK_DB", raising=False)
    monkeypatch.delenv("CASEBOOK_LANG", raising=False)
    i18n.set_language("nl")
    yield
    i18n.set_language("nl")


@pytest.fixture(scope="session")
def _empty_template(tmp_path_factory) -> Path:
    """A new casebook, migrated once per test process (Alembic's run costs ~150 ms;
    a copy of its result, ~5 ms)."""
    from casebook.db import open_casebook

    path = tmp_path_factory.mktemp("empty") / "empty.sqlite3"
    open_casebook(path).close()
    return path


@pytest.fixture
def cb(tmp_path, _empty_template):
    """A new, empty casebook (a copy of one made by open_casebook)."""
    from casebook.db import open_casebook

    path = tmp_path / "casebook.sqlite3"
    shutil.copy(_empty_template, path)
    book = open_casebook(path)
    yield book
    book.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory) -> Path:
    from casebook.db import open_casebook
    from casebook.demo import generate

    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    book = open_casebook(path)
    with book.write() as session:
        generate(session, seed=DEMO_SEED, today=DEMO_TODAY)
    book.close()
    return path


@pytest.fixture
def demo_cb(tmp_path, _demo_template):
    """A copy of the fixed-seed demo casebook (150 cases, 'today' = 28-11-2026)."""
    from casebook.db import open_casebook

    path = tmp_path / "demo.sqlite3"
    shutil.copy(_demo_template, path)
    book = open_casebook(path)
    yield book
    book.close()
