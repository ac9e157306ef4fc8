"""The keymap is checked before it is applied: an unknown binding id, a remap without
a key, or a key two bindings on one screen would share is said (once in the UI, and by
`casebook check`) and left out; the rest is applied."""

from __future__ import annotations

from casebook import paths
from casebook.cli import main
from casebook.keymap import Bound, check, key_names
from screens.keytable import checked
from tests.uikit import SIZE, make_app, record_notices, settle

TABLES = {
    "board": [
        Bound("app.help", "f1,question_mark", "key.help"),
        Bound("board.triage", "t", "today.key.triage"),
        Bound("board.done", "d", "today.key.done"),
        Bound("board.close", "f10", "case.key.close"),
        Bound("board.reopen", "f10", "case.key.reopen"),  # shared on purpose
        Bound(None, "tab"),  # not remappable, but its key is taken
    ],
    "list": [Bound("app.help", "f1,question_mark", "key.help"), Bound("list.next", "n")],
}


def test_key_names_are_textuals():
    assert key_names("?, ctrl+t,/,d") == ("question_mark", "ctrl+t", "slash", "d")
    assert key_names(" , ") == ()


def test_unknown_id_and_empty_remap_are_refused():
    result = check({"nonexistent.id": "x", "board.triage": " "}, TABLES)
    assert result.applied == {}
    assert sorted(result.problems) == [
        'Toetsenkaart: "board.triage" noemt geen toets; niet toegepast',
        'Toetsenkaart: onbekende toets-id "nonexistent.id"; niet toegepast',
    ]


def test_a_key_another_binding_on_the_screen_has_is_refused():
    result = check({"board.triage": "d", "list.next": "x"}, TABLES)
    assert result.applied == {"list.next": "x"}
    [problem] = result.problems
    assert '"board.triage" = d niet toegepast' in problem and "Stap klaar" in problem
    # the App's keys are on every screen; a key without an id counts too
    assert check({"list.next": "?"}, TABLES).applied == {}
    assert check({"board.done": "tab"}, TABLES).applied == {}


def test_keys_the_tables_share_themselves_are_no_conflict():
    assert check({"board.close": "f10,ctrl+w"}, TABLES).applied == {"board.close": "f10,ctrl+w"}


def test_swapping_two_keys_is_allowed_and_a_refusal_frees_nothing():
    assert check({"board.triage": "d", "board.done": "t"}, TABLES).applied == {
        "board.triage": "d",
        "board.done": "t",
    }
    # `board.done` may not take tab, so it keeps d, and `board.triage` may then not take d
    result = check({"board.triage": "d", "board.done": "tab"}, TABLES)
    assert result.applied == {} and len(result.problems) == 2


def test_the_real_tables():
    result = checked({"today.triage": "d", "nonexistent.id": "x", "today.search": "ctrl+f"})
    assert result.applied == {"today.search": "ctrl+f"}
    assert len(result.problems) == 2
    # every id a test or the README gives as an example is known
    assert checked({"today.triage": "ctrl+t", "case.done": "ctrl+d"}).problems == []


def write_keymap(lines: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"[keymap]\n{lines}\n", encoding="utf-8")


async def test_the_app_says_it_once_and_keeps_its_keys(cb):
    write_keymap('"today.triage" = "d"\n"nonexistent.id" = "x"\n"today.reload" = "ctrl+r"')
    app = make_app(cb)
    shown = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keymap_notes = [m for m, _ in shown if m.startswith("Toetsenkaart")]
        assert len(keymap_notes) == 2, shown
        bindings = app.screen.active_bindings
        assert bindings["d"].binding.id == "today.done"  # "Stap klaar" stays on d
        assert bindings["t"].binding.id == "today.triage"
        assert bindings["ctrl+r"].binding.id == "today.reload"  # the sound remap is applied
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        assert len([m for m, _ in shown if m.startswith("Toetsenkaart")]) == 2  # once


def test_casebook_check_reports_the_keymap(cb, capsys):
    cb.close()
    write_keymap('"today.triage" = "d"')
    assert main(["--db", str(cb.path), "check"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("ok:")
    assert '"today.triage" = d niet toegepast' in out
    write_keymap('"today.triage" = "ctrl+t"')
    assert main(["--db", str(cb.path), "check"]) == 0
    assert "Toetsenkaart in orde; aangepast: 1" in capsys.readouterr().out
