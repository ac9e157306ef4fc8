"""Any folder name the file system allows: the path reaches SQLite as a path, never
pasted into a URL that is decoded again. Each casebook opens the file it names, read-
write and read-only (as `access`, `stats` and `check` do), and nothing is made
anywhere else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from casebook.cli import main
from casebook.db import open_casebook
from tests.safetykit import canary_case

NAMES = [
    "a%41b",  # SQLAlchemy would decode %41 to A: another file, in a folder "aAb"
    "x#y",  # a URI fragment: the read-only URI would end at #
    "q?mode=rw",  # a URI query
    "with space",
    "café ünïcode",
    "50%",
]
if os.name != "nt":
    NAMES.append("new\nline")


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", NAMES, ids=[repr(n) for n in NAMES])
def test_a_casebook_in_any_folder_opens_the_file_it_names(tmp_path, name, capsys):
    decoded = tmp_path / name.replace("%41", "A")
    if decoded.name != name:
        decoded.mkdir()  # where a decoded URL would put its file
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "casebook.sqlite3"
    book = open_casebook(path)
    info = canary_case(book, "path")
    book.close()
    assert path.is_file()
    made = _files(tmp_path)
    assert all(folder in p.parents for p in made), made

    ro = open_casebook(path, create=False, readonly=True)
    try:
        with ro.read() as session:
            from casebook.models import Case

            assert session.get(Case, info["case_id"]).reference == info["reference"]
    finally:
        ro.close()

    out = tmp_path / "export.json"
    args = ["--db", str(path)]
    assert main([*args, "access", info["reference"], "--person", "1", "--out", str(out)]) == 0
    assert info["reference"] in out.read_text(encoding="utf-8")
    assert main([*args, "check"]) == 0
    assert main([*args, "stats", "2019", "--format", "json"]) == 0
    capsys.readouterr()
    out.unlink()
    assert _files(tmp_path) - made <= {p for p in _files(folder)}
    if decoded.name != name:
        assert not any(decoded.iterdir())


@pytest.mark.skipif(os.name == "nt", reason="a colon in a file name")
def test_a_file_named_like_memory_is_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    book = open_casebook(Path(":memory:"))
    book.close()
    assert (tmp_path / ":memory:").is_file()
