"""Issue 14: no control character reaches the terminal from ANY subcommand's output —
stored text (the municipality, names, notes), paths that hold control characters (a
folder named with an escape sequence) and imported text — looped over every
subcommand `casebook --help` lists, standard output and standard error both."""

from __future__ import annotations

import json
import shutil

import pytest

from casebook.cli import COMMANDS, main
from casebook.db import open_casebook
from tests.servicekit import triaged_case
from tests.test_faults_terminal import HOSTILE, _no_control, _plant


def test_no_subcommand_prints_a_control_character(tmp_path, capsys):
    folder = tmp_path / ("cb" + HOSTILE)
    folder.mkdir()
    db = folder / "casebook.sqlite3"
    book = open_casebook(db)
    triaged_case(book)
    _plant(book, 1)
    with book.read() as s:
        from casebook.models import Case

        reference = s.get(Case, 1).reference
    book.close()
    out = tmp_path / ("out" + HOSTILE)
    out.mkdir()
    source = out / "source.sqlite3"
    shutil.copy(db, source)
    bad = out / "bad.json"
    bad.write_text(json.dumps({"format": "casebook-dump", "format_version": 1,
                               "cases": [{"reference": HOSTILE, HOSTILE: HOSTILE}]}))  # fmt: skip
    runs = {
        "demo-data": [["demo-data", "--out", str(out / "demo.sqlite3"), "--cases", "2"]],
        "import": [["import", str(bad)], ["import", str(out / ("missing" + HOSTILE))]],
        "dump": [["dump", "--out", str(out / "d.json")]],
        "stats": [
            ["stats", "2026"],
            ["stats", "2026", "--format", "csv"],
            ["stats", "2026", "--format", "json"],
            ["stats", "2026", "--format", "html"],
            ["stats", "2026", "--out", str(out / "s.md")],
        ],  # fmt: skip
        "backup": [["backup"], ["backup", "--out", str(out / "b.sqlite3")]],
        "restore": [["restore", str(source)]],
        "check": [["check"]],
        "purge": [["purge"]],
        "access": [["access", reference, "--person", "1", "--out", str(out / "a.md")]],
        "erase": [["erase", reference, "--person", "1"], ["erase", HOSTILE, "--person", "1"]],
        # on a plain casebook, with no terminal to ask a passphrase on: refusals in words
        "encrypt": [["encrypt", "--yes"]],
        "passphrase": [["passphrase"]],
        "recover": [["recover"]],
    }
    assert set(runs) == set(COMMANDS)  # a new subcommand needs its line here
    seen = []
    for name in COMMANDS:
        for argv in runs[name]:
            code = main(["--db", str(db), *argv])
            captured = capsys.readouterr()
            assert code in (0, 1), (argv, code, captured.err)
            assert "Traceback" not in captured.err, argv
            text = captured.out + captured.err
            _no_control(text.replace("\n", "").replace("\r", ""))
            seen.append(text)
    assert any("␛]0;owned␇" in text for text in seen)  # shown visibly, not dropped


@pytest.mark.xfail(
    strict=True,
    reason="known gap: text pasted into an Input is drawn as pasted until it is saved "
    "(Textual's Input has no public hook to show it differently from its value, and "
    "test_ui_injection requires pasted text to be stored unchanged)",
)
async def test_control_characters_pasted_into_a_field_never_reach_the_terminal(cb):
    """Typed (pasted: a terminal delivers a paste as any text) into the Settings
    screen's municipality, which the header and the terminal's title then show."""
    from casebook.services import settings as casebook_settings
    from tests.uikit import SIZE, make_app, paste, screen_text, settle

    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        field = app.screen.query_one("#municipality")
        await paste(pilot, field, HOSTILE)
        await settle(pilot)
        _no_control(screen_text(app))
        await pilot.press("ctrl+s")
        await settle(pilot)
        _no_control(app.title)
        _no_control(screen_text(app))
        await pilot.press("f2")
        await settle(pilot)
        _no_control(app.title)
        _no_control(screen_text(app))
    with cb.read() as s:
        stored = casebook_settings.get(s, "municipality")
    assert stored  # saved (as typed, or with the control characters shown visibly)
