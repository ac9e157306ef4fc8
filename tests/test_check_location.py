"""Issue 17: `casebook check` on a casebook in a synced folder says the file is intact
and that the folder is not safe for it (the screens and the other commands warn too)."""

from __future__ import annotations

import shutil

import pytest

from casebook import paths
from casebook.cli import main
from casebook.i18n import t


@pytest.fixture
def cb_path_in(tmp_path, _empty_template):
    """A new casebook file in a folder of the given name under tmp_path."""

    def make(folder: str):
        path = tmp_path / folder / "casebook.sqlite3"
        path.parent.mkdir()
        shutil.copy(_empty_template, path)
        return path

    return make


def test_check_warns_about_a_synced_folder(cb_path_in, capsys):
    db = cb_path_in("OneDrive - Gemeente")
    assert main(["--db", str(db), "check"]) == 0
    out, err = capsys.readouterr()
    assert t("paths.warn.synced", path=str(db), service="OneDrive") in err
    assert str(db) in out  # the report itself is still given


def test_check_in_a_local_folder_warns_of_nothing(cb_path_in, capsys, monkeypatch):
    monkeypatch.setattr(paths, "_linux_mounts", lambda: "")
    db = cb_path_in("lokaal")
    assert main(["--db", str(db), "check"]) == 0
    assert capsys.readouterr().err == ""
