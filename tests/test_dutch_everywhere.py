"""Every word the officer sees in Dutch is Dutch (issue 16): a walk through every screen
and pop-up of the demo casebook, read from the screen as the officer sees it.

Each word on the screen must come from the Dutch catalogue, a Dutch reference label, or
the officer's data (the text stored in the casebook, reference codes left out). And no
word may be one that only English has: the English catalogue, Textual's own texts (its
bindings' descriptions, its palette, its themes' names) and argparse's, less every word
that Dutch uses too. A word cut short ("Verwijz…", or at the screen's edge) must begin
a known word.

`casebook --help`, every subcommand's help and the usage errors are held to the same;
the names typed on the command line (the commands, `--force`) are names, not prose.
"""

from __future__ import annotations

import bisect
import inspect
import re
import sqlite3
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import textual.widgets
from textual.app import App
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import ModalScreen, Screen

from casebook import cli_text, i18n, refdata
from casebook.i18n import t
from tests.uikit import palette_answered, screen_text, settle, wait_until

ROOT = Path(__file__).resolve().parent.parent
WORD = re.compile(r"[^\W\d_]+")
PLACEHOLDER = re.compile(r"\{[^}]*\}")
INPUT_EDGE = re.compile(r" {0,2}[▎▼]")  # the end of an input, of a dropdown's value
OPTION = re.compile(r"(?<![\w-])--?[A-Za-z][\w-]*")
# Names of keys as Textual draws them (`esc`, `^p`, `tab`): the keyboard's, not English.
KEY_NAMES = {"esc", "escape", "tab", "shift", "ctrl", "enter", "space", "pageup", "pagedown"}
# Texts of Textual's that are not a binding's description (command.py, app.py, select)
TEXTUAL_TEXTS = (
    "No matches found",
    "Search for commands…",
    "Search for themes…",
    "Press ctrl+q to quit the app",
    "Do you want to quit?",
    "Select",
    "Change theme",
    "Quit the application as soon as possible",
    "Show help for the focused widget and a summary of available keys",
    "Hide the keys and widget help panel",
    "Maximize the focused widget",
    "Minimize the widget and restore to normal size",
    "Save an SVG screenshot of the current screen",
)
ARGPARSE_TEXTS = (
    "usage: ",
    "show this help message and exit",
    "show program's version number and exit",
    "error",
    *cli_text.ERRORS,
    *cli_text.SECTIONS,
    *cli_text.EXPECTED_N[:2],
)


def words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(PLACEHOLDER.sub(" ", text)) if len(w) > 1}


@cache
def dutch_words() -> frozenset[str]:
    found: set[str] = set()
    for entry in i18n.catalogue().values():
        found |= words(entry["nl"])
    for name in refdata.list_names():
        for item in refdata.ref(name):
            found |= words(item.nl)
    return frozenset(found | KEY_NAMES | {"casebook"})


def textual_texts() -> set[str]:
    """Textual's English: every binding description of its widgets, screens and App,
    its system commands, its palette's texts and its themes' code names."""
    texts = set(TEXTUAL_TEXTS)
    classes = [App, Screen, CommandPalette]
    classes += [c for _, c in inspect.getmembers(textual.widgets, inspect.isclass)]
    for cls in classes:
        for binding in Binding.make_bindings(getattr(cls, "BINDINGS", [])):
            texts.add(binding.description or "")
    texts |= {name.replace("-", " ") for name in App().available_themes}
    return texts


@cache
def english_only() -> frozenset[str]:
    english: set[str] = set()
    for entry in i18n.catalogue().values():
        english |= words(entry["en"])
    for name in refdata.list_names():
        for item in refdata.ref(name):
            english |= words(item.en)
    for text in (*textual_texts(), *ARGPARSE_TEXTS):
        english |= words(text)
    return frozenset(english - dutch_words())


def data_words(db_path: Path) -> set[str]:
    """Every word of the text stored in the casebook (names, titles, notes…), except
    the reference codes it stores (PLACED is a code, not the officer's text)."""
    codes = {item.code for name in refdata.list_names() for item in refdata.ref(name)}
    found: set[str] = set()
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            if table.startswith(("sqlite_", "alembic", "case_search")):
                continue
            for row in db.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if isinstance(value, str) and value not in codes:
                        found |= {w.casefold() for w in WORD.findall(value) if w not in codes}
    return found


def dialog_regions(screen):
    """Where a pop-up draws: its widgets (the dialog, its footer), each on its own,
    inside any container that fills the screen."""
    node = screen
    while True:
        shown = [child for child in node.children if child.display]
        if not shown:
            return []
        if len(shown) == 1 and shown[0].region.size == screen.size and shown[0].children:
            node = shown[0]
            continue
        return [child.region for child in shown]


class Reader:
    """Reads the screen and says what on it is not Dutch."""

    def __init__(self, db_path: Path):
        allowed = set(dutch_words() | (data_words(db_path) - english_only()))
        self.allowed = allowed
        self.sorted = sorted(allowed)
        self.problems: list[str] = []
        self.erase: list[str] = []  # the officer's own text shown whole (a folder)

    def _known_start(self, part: str) -> bool:
        at = bisect.bisect_left(self.sorted, part)
        return at < len(self.sorted) and self.sorted[at].startswith(part)

    def check_text(self, where: str, text: str, width: int | None = None) -> None:
        for mine in self.erase:
            text = text.replace(mine, " " * len(mine))
        for number, line in enumerate(text.splitlines()):
            for match in WORD.finditer(line):
                word = match.group().casefold()
                if len(word) < 2:
                    continue
                after = line[match.end() :]
                cut = (
                    after[:1] in ("…", ".")
                    or (width is not None and match.end() >= width - 3)
                    or INPUT_EDGE.match(after) is not None  # an input crops what it holds
                )
                if cut and self._known_start(word):
                    continue
                kind = "English" if word in english_only() else "unknown"
                if kind == "English" or word not in self.allowed:
                    self.problems.append(
                        f"{where}, line {number}: {kind} {match.group()!r} in {line.strip()!r}"
                    )

    def check(self, app, where: str) -> None:
        """The screen's text; of a pop-up, only the pop-up (what shows of the screen
        behind it, cut by its edges, was read when that screen was)."""
        text, width = screen_text(app), app.size[0]
        screen = app.screen
        where = f"{where} ({type(screen).__name__})"
        regions = dialog_regions(screen) if isinstance(screen, ModalScreen) else []
        if not any(region.area for region in regions):
            # a screen, or a pop-up whose widgets do not say where they are (Textual's
            # palette): all of it
            self.check_text(where, text, width)
            return
        lines = text.splitlines()
        for region in regions:
            part = [line[region.x : region.right] for line in lines[region.y : region.bottom]]
            self.check_text(where, "\n".join(part), region.width)


# -- the walk -------------------------------------------------------------------------


def _case_with_placed_step(db_path: Path) -> int:
    """A case one of whose steps was settled by a referral's reply ("PLACED")."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT s.case_id FROM followup_step s JOIN case_file c ON c.id = s.case_id"
            " WHERE s.result = 'PLACED' AND s.referral_id IS NOT NULL AND c.status != 'CLOSED'"
            " AND EXISTS (SELECT 1 FROM followup_step o WHERE o.case_id = c.id"
            " AND o.status = 'OPEN') ORDER BY s.case_id LIMIT 1"
        ).fetchone()
    assert row, "the demo casebook has an open case with a step settled by a placement"
    return row[0]


def _case_with_waiting_referral(db_path: Path) -> int:
    """An open case with a referral still waiting for its answer (`u` records it)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT r.case_id FROM referral r JOIN case_file c ON c.id = r.case_id"
            " WHERE r.status = 'REQUESTED' AND c.status != 'CLOSED' ORDER BY r.case_id LIMIT 1"
        ).fetchone()
    assert row, "the demo casebook has an open case with a waiting referral"
    return row[0]


async def _walk_referral_outcome(pilot, reader: Reader, case_id: int, seen: set[str]) -> None:
    """The referral-outcome form, on the row of a referral still waiting."""
    from screens.case_screen import CaseScreen

    app = pilot.app
    app.open_case(case_id)
    await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.data)
    case = app.screen
    await _press(pilot, "4")
    table = case.query_one("#case-table")
    for row in range(table.row_count):
        table.move_cursor(row=row)
        await settle(pilot)
        if any(b.binding.key == "u" and b.enabled for b in case.active_bindings.values()):
            await _visit(pilot, reader, "case, referral outcome", ("u",), seen)
            break
    await _press(pilot, "escape")


async def _press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _visit(pilot, reader: Reader, where: str, keys: tuple[str, ...], seen: set[str]):
    """Press `keys`, read the screen that opens, its help, and go back with Escape."""
    app = pilot.app
    below = app.screen
    await _press(pilot, *keys)
    assert app.screen is not below, f"{where}: {keys} opened nothing"
    seen.add(type(app.screen).__name__)
    reader.check(app, where)
    await _press(pilot, "escape")
    await wait_until(pilot, lambda: app.screen is below)
    assert app.screen is below, f"{where}: Escape did not go back"


async def _open_dropdown(pilot, reader: Reader, where: str) -> None:
    """Open the focused form's first dropdown: the footer shows Textual's own key."""
    from textual.widgets import Select

    app = pilot.app
    select = app.screen.query(Select).first()
    select.focus()
    await _press(pilot, "enter")
    assert select.expanded, f"{where}: the dropdown did not open"
    # what the open dropdown adds: its list, and its key in the footer (the screen
    # around it was read already; the list cuts through its words)
    from screens.widgets.footer import KeyFooter

    footer = app.screen.query_one(KeyFooter).render().plain  # the list may cover it
    reader.check_text(f"{where}, dropdown open, footer", footer, app.size[0])
    lines = screen_text(app).splitlines()
    region = app.screen.query_one("SelectOverlay").region
    shown = "\n".join(line[region.x : region.right] for line in lines[region.y : region.bottom])
    reader.check_text(f"{where}, dropdown open, list", shown, region.width)
    await _press(pilot, "escape")


async def _walk_case(pilot, reader: Reader, case_id: int, seen: set[str]) -> None:
    from screens.case_screen import CaseScreen

    app = pilot.app
    app.open_case(case_id)
    await wait_until(pilot, lambda: isinstance(app.screen, CaseScreen) and app.screen.data)
    case = app.screen
    seen.add("CaseScreen")
    table = case.query_one("#case-table")
    for number in range(1, 9):
        await _press(pilot, str(number))
        reader.check(app, f"case, section {number}")
        # and every row of the section, also those scrolled out of view
        rows = [
            " · ".join(str(getattr(c, "plain", c)) for c in table.get_row_at(i))
            for i in range(table.row_count)
        ]
        reader.check_text(f"case, section {number}, every row", "\n".join(rows))
        await _visit(pilot, reader, f"help of section {number}", ("f1",), seen)
    # every pop-up of the case file, from the section where its key works
    for section, key in (
        ("1", "i"),
        ("1", "enter"),
        ("1", "e"),
        ("2", "p"),
        ("2", "e"),
        ("3", "s"),
        ("3", "d"),
        ("3", "x"),
        ("3", "r"),
        ("3", "a"),
        ("3", "e"),
        ("3", "e on a settled step"),
        ("4", "v"),
        ("4", "u"),
        ("4", "e"),
        ("5", "c"),
        ("5", "enter"),
        ("6", "o"),
        ("6", "e"),
        ("7", "b"),
        ("3", "f10"),
    ):
        await _press(pilot, section)
        if app.screen is not case:
            continue
        if key == "e on a settled step":  # the last row: settled steps come last
            table = case.query_one("#case-table")
            table.move_cursor(row=table.row_count - 1)
            await settle(pilot)
            key = "e"
        enabled = {b.binding.key for b in case.active_bindings.values() if b.enabled}
        if key not in enabled and key not in ("enter",):
            continue
        if (
            key in ("enter", "e", "d", "x", "r", "a", "u")
            and not case.query_one("#case-table").row_count
        ):
            continue  # nothing in this section of this case to open
        await _visit(pilot, reader, f"case, section {section}, key {key}", (key,), seen)
    await _press(pilot, "escape")


async def _walk(pilot, reader: Reader, case_id: int) -> set[str]:
    app = pilot.app
    seen: set[str] = set()
    await wait_until(pilot, lambda: getattr(app.screen, "loaded", False))
    today = app.screen
    seen.add(type(today).__name__)
    reader.check(app, "Today")
    await _visit(pilot, reader, "help of Today", ("f1",), seen)
    # the palette: nothing found, and the theme picker
    await _press(pilot, "ctrl+p")
    assert isinstance(app.screen, CommandPalette)
    await _press(pilot, *"qqzzxx")
    await palette_answered(pilot)
    await wait_until(pilot, lambda: t("commands.no_matches") in screen_text(app))
    reader.check(app, "palette, nothing found")
    await _press(pilot, "escape")
    app.search_themes()
    await settle(pilot)
    assert isinstance(app.screen, CommandPalette)
    await palette_answered(pilot)
    reader.check(app, "palette, themes")
    await _press(pilot, "escape")
    for keys, name in (
        (("f3",), "Cases"),
        (("ctrl+n",), "Intake"),
        (("t",), "Triage"),
        (("f6",), "Statistics"),
        (("f7",), "Directory"),
        (("f8",), "Trainings"),
        (("f9",), "Settings"),
    ):
        await wait_until(pilot, lambda: app.screen is today)
        await _press(pilot, *keys)
        assert app.screen is not today, name
        screen = app.screen
        seen.add(type(screen).__name__)
        reader.check(app, name)
        await _visit(pilot, reader, f"help of {name}", ("f1",), seen)
        if name in ("Intake", "Triage", "Settings"):
            await _open_dropdown(pilot, reader, name)
        for key in {"Directory": ("n", "e"), "Trainings": ("n", "e"), "Statistics": ("e",)}.get(
            name, ()
        ):
            await _visit(pilot, reader, f"{name}, key {key}", (key,), seen)
        await _press(pilot, "escape")
        if app.screen is not today:
            await _press(pilot, "f2")
    await wait_until(pilot, lambda: type(app.screen).__name__ == "TodayScreen")
    # Today's quick forms, on a step's row (`d` acts on a step)
    from screens.today_screen import STEP_SECTIONS

    for _ in range(40):
        row = app.screen.selected()
        if row is not None and row.section in STEP_SECTIONS:
            break
        await _press(pilot, "j")
    for key in ("d", "a", "l"):
        await _visit(pilot, reader, f"Today, key {key}", (key,), seen)
    await _walk_case(pilot, reader, case_id, seen)
    await _walk_referral_outcome(
        pilot, reader, _case_with_waiting_referral(app.casebook.path), seen
    )
    return seen


EXPECTED = {
    "TodayScreen",
    "HelpScreen",
    "CasesScreen",
    "IntakeScreen",
    "TriageScreen",
    "StatisticsScreen",
    "StatisticsExportModal",
    "DirectoryScreen",
    "OrganisationModal",
    "TrainingsScreen",
    "TrainingModal",
    "SettingsScreen",
    "CaseScreen",
    "StepDoneModal",
    "AddStepModal",
    "ContactModal",
    "SignalModal",
    "TextModal",
    "PersonModal",
    "StepModal",
    "StepSettleModal",
    "RescheduleModal",
    "StepCorrectModal",
    "ReferralModal",
    "ReferralStatusModal",
    "ConsentModal",
    "DeadlineModal",
    "ClosureModal",
}


@pytest.mark.slow
@pytest.mark.parametrize("size", [(100, 32), (80, 24)], ids=["100x32", "80x24"])
async def test_every_screen_and_pop_up_speaks_dutch(demo_cb, size):
    from screens.app import CasebookApp

    i18n.set_language("nl")
    reader = Reader(demo_cb.path)
    # typed into the palette, and the folder an export is proposed in: the officer's own
    reader.allowed.add("qqzzxx")
    reader.erase += [str(Path.cwd()), str(Path.home())]
    case_id = _case_with_placed_step(demo_cb.path)
    app = CasebookApp(demo_cb, demo=True)
    async with app.run_test(size=size) as pilot:
        seen = await _walk(pilot, reader, case_id)
    assert seen >= EXPECTED, sorted(EXPECTED - seen)
    assert not reader.problems, "\n".join(reader.problems)


def test_the_reader_finds_textual_and_argparse_english_and_codes(demo_cb):
    """The check itself: what leaked before issue 16 is found."""
    i18n.set_language("nl")
    reader = Reader(demo_cb.path)
    for leak in (
        "esc Dismiss menu",
        "No matches found",
        "usage: casebook stats",
        "the following arguments are required: JAAR",
        "show this help message and exit",
        "Resultaat: PLACED",
        "textual-dark",
    ):
        reader.problems.clear()
        reader.check_text("sample", leak)
        assert reader.problems, leak
    reader.problems.clear()
    reader.check_text("sample", "esc Menu sluiten · Niets gevonden · Geplaatst · Verwijz…")
    assert not reader.problems, reader.problems


# -- the command line ---------------------------------------------------------------------


def _cli(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, CASEBOOK_HOME=str(tmp_path / "home"), CASEBOOK_LANG="nl")
    env.pop("CASEBOOK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "casebook", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


@pytest.mark.slow
def test_the_command_line_speaks_dutch(tmp_path, demo_cb):
    from casebook.cli import COMMANDS

    reader = Reader(demo_cb.path)
    runs = [("--help",), *((name, "--help") for name in COMMANDS)]
    errors = [
        ("stats",),
        ("stats", "twintig"),
        ("nonsense",),
        ("--lang", "fr"),
        ("--no-such-option",),
        ("demo-data",),
        ("demo-data", "--out", "x.sqlite3", "--cases", "veel"),
        ("stats", "2025", "--format"),
        ("stats", "2025", "--publish", "--correct"),
        ("access", "2026-0001"),
    ]
    for args in runs + errors:
        result = _cli(*args, tmp_path=tmp_path)
        assert result.returncode == (0 if args in runs else 2), (args, result.stderr)
        output = result.stdout + result.stderr
        # what the officer typed is theirs, not the program's English; so are the names
        # the officer types: the commands and options (`--force`, `dump`), not prose
        for name in (*args, *COMMANDS, "casebook"):
            output = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", output)
        output = OPTION.sub(" ", output)
        reader.check_text(" ".join(args), output)
    assert not reader.problems, "\n".join(reader.problems)


def test_no_message_hedges_its_plural():
    """'dag(en)', 'case(s)', 'probleem/problemen': a counted noun has its own two forms."""
    hedged = re.compile(r"\w\((en|s|sen|pen|es)\)|probleem/problemen")
    found = [
        (key, lang)
        for key, entry in i18n.catalogue().items()
        for lang in ("nl", "en")
        if "{" in entry[lang] and hedged.search(entry[lang])
    ]
    assert not found, found


def test_a_plural_message_has_both_forms():
    messages = i18n.catalogue()
    plural = [key.removesuffix(".one") for key in messages if key.endswith(".one")]
    assert "case.due.in_days" in plural
    for stem in plural:
        one, other = messages[f"{stem}.one"], messages.get(f"{stem}.other")
        assert other is not None, stem
        for lang in ("nl", "en"):
            assert set(PLACEHOLDER.findall(one[lang])) == set(PLACEHOLDER.findall(other[lang]))


def test_argparse_errors_are_translated_and_keep_their_values():
    i18n.set_language("nl")
    assert cli_text.translate_error("the following arguments are required: YEAR") == (
        "dit ontbreekt nog: YEAR"
    )
    assert cli_text.translate_error(
        "argument --lang: invalid choice: 'fr' (choose from 'nl', 'en')"
    ) == ("--lang: ongeldige keuze: 'fr' (kies uit 'nl', 'en')")
    assert cli_text.translate_error("argument --person: invalid int value: 'x'") == (
        "--person: ongeldig geheel getal: 'x'"
    )
    assert cli_text.translate_error("expected 2 arguments") == "hier horen 2 waarden achter"
    assert cli_text.translate_error("something argparse says one day") == (
        "something argparse says one day"
    )
    i18n.set_language("en")
    assert cli_text.translate_error("unrecognized arguments: --x") == (
        "unrecognized arguments: --x"
    )
