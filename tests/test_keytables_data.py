"""`casebook check` checks the officer's keymap against the key tables shipped in
`data/keytables.json`, so the core never imports Textual: the file must be the screens'
own tables (regenerate it with `python -m screens.keytable` after changing BINDINGS)."""

from __future__ import annotations

import json
import subprocess
import sys

from casebook import keymap
from casebook.resources import data_root


def test_the_shipped_tables_are_the_screens_own():
    from screens import keytable

    shipped = json.loads((data_root() / keymap.TABLES_FILE).read_text("utf-8"))
    assert shipped == json.loads(json.dumps(keytable.as_data())), (
        "data/keytables.json is out of date: run python -m screens.keytable"
    )
    assert keymap.shipped_scopes() == keytable.scopes()


def test_check_reads_a_keymap_without_importing_textual(tmp_path):
    config = tmp_path / "config"
    config.mkdir()
    probe = f"""
import os, sys
os.environ["CASEBOOK_HOME"] = {str(tmp_path)!r}
from casebook import keymap
problems = keymap.check({{"today.triage": "d", "nonexistent.id": "x"}}, keymap.shipped_scopes())
print(len(problems.problems), "textual" in sys.modules, "screens" in sys.modules)
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["2", "False", "False"]
