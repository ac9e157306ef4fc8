"""Today (*Vandaag*): the officer's triage board.

Six sections, each with its count in the heading: untriaged signals, overdue steps,
steps due this week, referrals awaiting a reply, deadlines within 14 days (and missed
ones, until handled), and open cases without a next step. A case with a victim under
18 carries the minor mark before its title. `j`/`k` and the arrows move (across
sections), Enter opens the case, and one key acts on the selected row: `t` triage, `d`
mark a step done, `a` add a step, `l` log a contact. The board is read in a worker and
refreshed after every action and whenever the screen comes back into view.

This is the first screen after start-up, so it is built to paint quickly: each section
is a `SectionTable` (drawn line by line, fixed column widths, no per-cell measuring),
the footer is rebuilt only when the keys it shows change, and what only an action needs
(the modals, the triage screen, the write services) is imported when it is used.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Header

from casebook import refdata
from casebook.dates import format_date
from casebook.errors import CasebookError
from casebook.i18n import t
from casebook.services.today import SECTIONS, TodayRow
from screens.widgets.focus import focus_now
from screens.widgets.footer import KeyFooter
from screens.widgets.forms import literal
from screens.widgets.sections import Column, SectionTable

STEP_SECTIONS = ("overdue", "due_week")
# Fixed column widths (cells); the title and the "what" column share what is left.
URGENCY_W, REF_W, DATE_W, WHAT_W = 9, 9, 10, 18
MISSED_EXTRA = 5
WIDE = 100  # from this many cells on, the "what" column takes a third of the spare room

WHAT_LISTS = {
    "untriaged": "signal_channels",
    "overdue": "step_types",
    "due_week": "step_types",
    "referrals": "shelter_types",
    "no_next_step": "phases",
}


def urgency_cell(code: str | None) -> Text:
    """Urgency as a symbol and a word, never as colour alone."""
    if not code:
        return Text("")
    return Text(t(f"ui.urgency.{code}"), style="bold" if code in ("ACUTE", "HIGH") else "")


def what_label(row: TodayRow) -> str:
    """The reference-data label of the row's code (step type, channel, …)."""
    if row.section == "deadlines":
        if row.missed and row.code:  # passed and still open: it stays until handled
            kind = t(f"case.deadline.kinds.{row.code}")  # the short name: it must fit
            return f"⚠ {t('casefile.deadline.missed')} · {kind}"
        return t(f"ui.deadline.{row.code}") if row.code else ""
    return refdata.label(WHAT_LISTS[row.section], row.code)


def title_cell(title: str, minor: bool) -> Text:
    """The case's title, after the minor mark when a victim is under 18."""
    text = literal(title)
    if minor:
        return Text.assemble((t("casefile.minor.mark"), "bold reverse"), " ", text)
    return text


def heading(section: str, count: int | None = None, shown: int | None = None) -> Text:
    """A section's heading with its count: 'Stappen over tijd (857, eerste 50 getoond)'."""
    label = t(f"today.section.{section}")
    if count is None:
        return Text(label)
    if shown is not None and count > shown:
        return Text(f"{label} {t('today.count_more', count=count, shown=shown)}")
    return Text(f"{label} {t('today.count', count=count)}")


def columns(section: str, width: int) -> list[Column]:
    """The columns of a section at a board `width`: fixed widths, the title flexible."""
    # deadlines: room for "⚠ gemist · Terugbellen" beside the kind
    what = WHAT_W + (MISSED_EXTRA if section == "deadlines" else 0)
    if width >= WIDE:
        spare = width - (URGENCY_W + REF_W + DATE_W + WHAT_W) - 10
        what = max(what, WHAT_W + max(0, spare // 3))
    return [
        Column(Text(t("today.col.urgency")), URGENCY_W),
        Column(Text(t("today.col.reference")), REF_W),
        Column(Text(t("today.col.title")), 0),
        Column(Text(t(f"today.col.what.{section}")), what),
        Column(Text(t(f"today.col.date.{section}")), DATE_W),
    ]


def cells(row: TodayRow) -> list[Text]:
    """A row's cells; what the officer typed (reference, title) stays literal."""
    return [
        urgency_cell(row.urgency),
        literal(row.reference),
        title_cell(row.title, row.minor),
        literal(what_label(row)),
        Text(format_date(row.on)),
    ]


@dataclass
class SectionView:
    """A section as the screen shows it: its heading and its rows' cells."""

    name: str
    heading: Text
    rows: list[tuple[str, list[Text]]]  # (row key, cells)


@dataclass
class BoardView:
    sections: list[SectionView]
    rows: dict[str, TodayRow]  # row key -> the row it shows


def read_board(casebook, today: date) -> BoardView:
    """Read the board and make its cells: everything but touching widgets, so that
    it can run in a thread."""
    from casebook.services.today import board
    from screens import door

    sections = door.read_here(casebook, lambda session: board(session, today))
    views, rows = [], {}
    for section in sections:
        shown = []
        for row in section.rows:
            key = f"{section.name}:{row.entity_id}"
            rows[key] = row
            shown.append((key, cells(row)))
        views.append(
            SectionView(
                section.name, heading(section.name, section.count, len(section.rows)), shown
            )
        )
    return BoardView(views, rows)


# How long the first showing of Today waits for the board being read at start-up
# before it paints the screen and lets the board follow (a slow disk, a huge file).
STARTUP_WAIT = 0.5


class BoardRead:
    """The board read once, in a thread of its own started at once. The app starts
    one before the first screen exists, so that at start-up the board is read (and
    SQLite works, without the GIL) while Textual sets up the terminal and the screen."""

    def __init__(self, casebook, today: date) -> None:
        self.today = today
        self._future: Future[BoardView] = Future()
        threading.Thread(
            target=self._read, args=(casebook,), name="today-board", daemon=True
        ).start()

    def _read(self, casebook) -> None:
        try:
            self._future.set_result(read_board(casebook, self.today))
        except BaseException as error:  # handed to whoever waits for the result
            self._future.set_exception(error)

    def result(self, timeout: float | None = None) -> BoardView | None:
        """The board (None if it is not read within `timeout` seconds)."""
        try:
            return self._future.result(timeout)
        except TimeoutError:
            return None


class TodayScreen(Screen):
    # Not a CSS_PATH: Textual re-parses the whole stylesheet and restyles every widget
    # when a screen with a CSS file is first shown, a cost on the way to the first
    # paint. DEFAULT_CSS is parsed on its own, once.
    DEFAULT_CSS = """
    TodayScreen SectionTable {
        margin: 1 1 0 1;
    }
    """

    # The keys that open a form are priority keys: the App runs them as it reads them,
    # so what is typed right after waits for the form (screens.form_base) instead of
    # reaching the board. (The board has no field to type letters into.)
    BINDINGS = [
        Binding("enter", "open", "today.key.open", id="today.open", show=False),
        Binding("t", "triage", "today.key.triage", id="today.triage", priority=True),
        Binding("d", "done", "today.key.done", id="today.done", priority=True),
        Binding("a", "add_step", "today.key.add_step", id="today.add_step", priority=True),
        Binding("l", "contact", "today.key.contact", id="today.contact", priority=True),
        Binding("r", "reload", "today.key.reload", id="today.reload", show=False),
        # priority: the App opens the case list as it reads `/`, so what is typed
        # right after it goes to the list's search (see CasesScreen.on_key)
        Binding(
            "slash", "search", "today.key.search", id="today.search", show=False, priority=True
        ),
    ]

    def __init__(self, first: BoardRead | None = None) -> None:
        super().__init__()
        self._first = first  # the board already being read, for the first showing
        self._rows: dict[str, TodayRow] = {}
        self._current: str = SECTIONS[0]
        self._actions: tuple[bool, bool] | None = None  # what the footer last showed
        self.loaded = False
        self._want: str | None = None  # a row to put the cursor on when it shows up
        self._shown_once = False
        """True once the board has shown data read from the casebook (tests wait on it)."""

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        window = self._window()
        # The board scrolls, not the screen, so header and footer keep the full width;
        # not focusable itself, so the first section has the focus from the start.
        with VerticalScroll(id="board", can_focus=False):
            for name in SECTIONS:
                yield SectionTable(
                    heading(name),
                    Text(t("today.empty")),
                    window=window,
                    on_edge=self._next_section,
                    id=f"table-{name}",
                )
        yield KeyFooter()

    def on_mount(self) -> None:
        # At start-up the board is already being read (the app began before this
        # screen existed). Waiting for it here, briefly, means the board is laid out
        # and painted once, with its data, rather than empty first and again after.
        first = self._first
        if first is not None and first.today == self.app.today():
            view = first.result(timeout=STARTUP_WAIT)
            if view is not None:
                self._first = None
                self._show_board(view)
        self.app.today_is_up()

    def on_screen_resume(self) -> None:
        if self.loaded and not self._shown_once:
            self._shown_once = True  # shown in on_mount, just now: no need to read again
            return
        self._shown_once = True
        self.refresh_data()

    def on_resize(self) -> None:
        window, width = self._window(), self._board_width()
        for table in self.query(SectionTable):
            table.window = window
            table.set_columns(columns(table.id.removeprefix("table-"), width))

    def _window(self) -> int:
        # Each section shows a window of rows; the board scrolls to the focused one.
        return max(4, min(14, (self.app.size.height - 16) // 2))

    def _board_width(self) -> int:
        return self.size.width - 4  # the sections' margins and the board's scrollbar

    def _tables(self) -> list[SectionTable]:
        return list(self.query(SectionTable))

    # -- data -----------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Read the board again (in a worker) and show it."""
        first, self._first = self._first, None
        today = self.app.today()
        self._load(today, first if first is not None and first.today == today else None)

    @work(thread=True, exclusive=True, group="today")
    def _load(self, today: date, first: BoardRead | None = None) -> None:
        view = first.result() if first is not None else read_board(self.app.casebook, today)
        self.app.call_from_thread(self._show_board, view)

    def show_signal(self, signal_id: int) -> None:
        """After an intake: the cursor goes to the new signal once the board has it."""
        self._want = f"untriaged:{signal_id}"

    def _show_board(self, view: BoardView) -> None:
        if not self.is_attached:
            return
        focused = self.focused if isinstance(self.focused, SectionTable) else None
        keep_key = focused.current_key if focused else None
        keep_row = focused.cursor_row if focused else 0
        want, self._want = self._want, None
        if want is not None and want in view.rows:
            section = want.split(":", 1)[0]
            focused = self.query_one(f"#table-{section}", SectionTable)
            keep_key, keep_row = want, 0
            self._current = section
        width = self._board_width()
        self._rows = view.rows
        for section in view.sections:
            table = self.query_one(f"#table-{section.name}", SectionTable)
            table.set_rows(
                section.heading,
                columns(section.name, width),
                section.rows,
                keep=keep_key if table is focused else None,
                row=keep_row if table is focused else 0,
            )
        self._restore_focus(focused)
        if want is not None and want in view.rows and self.app.screen is self:
            self.set_focus(focused)
        self.loaded = True
        self._sync_footer()

    def _restore_focus(self, focused: SectionTable | None) -> None:
        if focused is not None and focused.row_count:
            return
        tables = [table for table in self._tables() if table.row_count]
        if not tables:
            return
        target = next((t_ for t_ in tables if t_.id == f"table-{self._current}"), tables[0])
        if self.app.screen is self:
            focus_now(target)
        else:
            self._current = target.id.removeprefix("table-")

    # -- moving ---------------------------------------------------------------------

    def _next_section(self, table: SectionTable, direction: int) -> None:
        """The cursor ran into an end of `table`: on to the next section with rows."""
        tables = [t_ for t_ in self._tables() if t_.row_count]
        if table not in tables:
            return
        index = tables.index(table) + direction
        if 0 <= index < len(tables):
            target = tables[index]
            target.move_cursor(row=0 if direction > 0 else target.row_count - 1)
            self._current = target.id.removeprefix("table-")
            # At once (not Widget.focus(), which waits its turn behind keys already
            # typed): the next key goes to the section the cursor is in.
            self.set_focus(target)

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, SectionTable) and event.widget.id:
            self._current = event.widget.id.removeprefix("table-")
            self._sync_footer()

    @on(SectionTable.Highlighted)
    def _highlighted(self) -> None:
        self._sync_footer()

    @on(SectionTable.Selected)
    def _selected(self, event: SectionTable.Selected) -> None:
        event.stop()
        self.action_open()

    def _sync_footer(self) -> None:
        """Ask the footer to look again only when the set of usable keys changed."""
        row = self.selected()
        actions = (row is not None, row is not None and row.section in STEP_SECTIONS)
        if actions != self._actions:
            self._actions = actions
            self.refresh_bindings()

    def selected(self) -> TodayRow | None:
        """The row under the cursor of the section last focused."""
        try:
            table = self.query_one(f"#table-{self._current}", SectionTable)
        except NoMatches:  # not composed yet
            return None
        key = table.current_key
        return self._rows.get(key) if key else None

    def check_action(self, action: str, parameters) -> bool | None:
        if action in ("open", "triage", "add_step", "contact"):
            return self.selected() is not None or None
        if action == "done":
            row = self.selected()
            return (row is not None and row.section in STEP_SECTIONS) or None
        return True

    # -- acting on the selected row -------------------------------------------------

    def _row_context(self, row: TodayRow) -> Text:
        return Text.assemble(literal(row.reference), " · ", literal(row.title, limit=60))

    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.open_case(row.case_id)

    def action_triage(self) -> None:
        row = self.selected()
        if row is None:
            self._cannot(t("today.no_row"))
            return
        from casebook.services.triage import needs_triage
        from screens import door

        # read at once (a few ms), so the keys typed next go to the triage form
        waiting = door.read_now(self, lambda session: needs_triage(session, row.case_id))
        if waiting is None:
            return
        if not waiting:
            # its triage form would overwrite a decision already taken
            self._cannot(t("today.already_triaged", reference=row.reference))
            return
        from screens.triage_screen import TriageScreen

        self.app.push_screen(TriageScreen(row.case_id))

    def action_done(self) -> None:
        row = self.selected()
        if row is None or row.section not in STEP_SECTIONS:
            self._cannot(t("today.not_a_step"))
            return
        from screens.widgets.quick_modals import StepDoneModal

        # the step itself is named, not only its case: `d` acts on that one step
        step = Text.assemble(
            self._row_context(row),
            "\n",
            (t("today.done_step", step=what_label(row), due=format_date(row.on)), "bold"),
        )
        self.app.push_screen(
            StepDoneModal(step, row.entity_id, today=self.app.today()), self._after
        )

    def action_add_step(self) -> None:
        row = self.selected()
        if row is None:
            self._cannot(t("today.no_row"))
            return
        from screens.widgets.quick_modals import AddStepModal

        self.app.push_screen(AddStepModal(self._row_context(row), row.case_id), self._after)

    def action_contact(self) -> None:
        row = self.selected()
        if row is None:
            self._cannot(t("today.no_row"))
            return
        from screens.widgets.quick_modals import ContactModal

        self.app.push_screen(ContactModal(self._row_context(row), row.case_id), self._after)

    def on_key(self, event) -> None:
        from screens.widgets.notice import refuse_unavailable_key

        refuse_unavailable_key(self, event)

    def why_unavailable(self, action: str) -> str | None:
        if action == "done" and self.selected() is not None:
            return t("today.not_a_step")
        return t("today.no_row")

    def _cannot(self, message: str) -> None:
        """An action that cannot act here says so, and the notice takes the keys typed
        next (they must not run as commands on the board)."""
        from screens.widgets.notice import NoticeModal

        self.app.push_screen(NoticeModal(message))

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.notify(t("today.saved"))
        self.refresh_data()

    def action_search(self) -> None:
        """`/`: search all cases (the case list, its search field focused)."""
        self.app.action_cases(search=True)

    def action_reload(self) -> None:
        self.refresh_data()

    def show_error(self, error: CasebookError) -> None:
        self.app.show_error(error)
