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


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBOOK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("CASEBOOK_DB", raising=False)
    monkeypatch.delenv("CASEBOOK_LANG", raising=False)
    i18n.set_language("nl")
    yield
    i18n.set_language("nl")


@pytest.fixture
def cb(tmp_path):
    """A new, empty casebook."""
    from casebook.db import open_casebook

    book = open_casebook(tmp_path / "casebook.sqlite3")
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
