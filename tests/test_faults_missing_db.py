"""Issue 14: `--db` (or CASEBOOK_DB) naming a file that does not exist — a typo, a
volume not mounted — never silently starts a new, empty casebook: the officer is asked
on a terminal, and without one `--create` is needed."""

from __future__ import annotations

import argparse
import io
import json

import pytest

from casebook import cli
from casebook.cli import main
from casebook.errors import StorageError


@pytest.fixture
def dump(tmp_path):
    path = tmp_path / "dump.json"
    path.write_text(json.dumps({"format": "casebook-dump", "format_version": 1}))
    return path


def test_import_into_a_missing_db_needs_create(tmp_path, dump, capsys):
    typo = tmp_path / "casbeook.sqlite3"
    assert main(["--db", str(typo), "import", str(dump)]) == 1
    assert "--create" in capsys.readouterr().err
    assert not typo.exists()
    assert main(["--db", str(typo), "import", str(dump), "--create"]) == 0
    assert typo.exists()


def test_the_environment_variable_counts_as_naming_the_file(tmp_path, dump, monkeypatch):
    typo = tmp_path / "casbeook.sqlite3"
    monkeypatch.setenv("CASEBOOK_DB", str(typo))
    assert main(["import", str(dump)]) == 1
    assert not typo.exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "made"), [("n\n", False), ("\n", False), ("j\n", True)])
def test_on_a_terminal_the_officer_is_asked_and_no_is_the_default(
    tmp_path, monkeypatch, answer, made
):
    typo = tmp_path / "casbeook.sqlite3"
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    args = argparse.Namespace(db=str(typo), create=False)
    if made:
        cli.may_create(typo, str(typo), args)  # goes ahead
    else:
        with pytest.raises(StorageError) as err:
            cli.may_create(typo, str(typo), args)
        assert err.value.key == "faults2.missing_db.refused"


def test_the_default_place_is_made_unasked_on_first_use(tmp_path):
    cli.may_create(tmp_path / "new.sqlite3", None, argparse.Namespace(db=None, create=False))
