"""Today (*Vandaag*): the officer's triage board.

Six sections, each with its count in the heading: untriaged signals, overdue steps,
steps due this week, referrals awaiting a reply, deadlines within 14 days, and open
cases without a next step. `j`/`k` and the arrows move (across sections), Enter opens
the case, and one key acts on the selected row: `t` triage, `d` mark a step done, `a`
add a step, `l` log a contact. The board is read in a worker and refreshed after every
action and whenever the screen comes back into view.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from casebook import refdata
from casebook.dates import format_date
from casebook.errors import CasebookError
from casebook.i18n import t
from casebook.services.today import SECTIONS, Section, TodayRow
from screens.localize import Localized
from screens.widgets.forms import literal
from screens.widgets.quick_modals import AddStepModal, ContactModal, StepDoneModal
from screens.widgets.tables import RowTable

STEP_SECTIONS = ("overdue", "due_week")
# Fixed column widths (cells); the title takes what is left and grows with the window.
URGENCY_W, REF_W, DATE_W, WHAT_W = 9, 9, 10, 18
TITLE_MIN = 16


def urgency_cell(code: str | None) -> Text:
    """Urgency as a symbol and a word, never as colour alone."""
    if not code:
        return Text("")
    return Text(t(f"ui.urgency.{code}"), style="bold" if code in ("ACUTE", "HIGH") else "")


def what_label(row: TodayRow) -> str:
    """The reference-data label of the row's code (step type, channel, …)."""
    lists = {
        "untriaged": "signal_channels",
        "overdue": "step_types",
        "due_week": "step_types",
        "referrals": "shelter_types",
        "no_next_step": "phases",
    }
    if row.section == "deadlines":
        return t(f"ui.deadline.{row.code}") if row.code else ""
    return refdata.label(lists[row.section], row.code)


class TodayScreen(Localized, Screen):
    CSS_PATH = "today_screen.tcss"

    BINDINGS = [
        Binding("enter", "open", "today.key.open", id="today.open"),
        Binding("t", "triage", "today.key.triage", id="today.triage"),
        Binding("d", "done", "today.key.done", id="today.done"),
        Binding("a", "add_step", "today.key.add_step", id="today.add_step"),
        Binding("l", "contact", "today.key.contact", id="today.contact"),
        Binding("r", "reload", "today.key.reload", id="today.reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, TodayRow] = {}
        self._sections: list[Section] = []
        self._current: str = SECTIONS[0]

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="board"):
            for name in SECTIONS:
                yield Static(
                    Text(t(f"today.section.{name}")), id=f"head-{name}", classes="section-head"
                )
                yield RowTable(id=f"table-{name}", classes="section-table")
                yield Static(Text(t("today.empty")), id=f"empty-{name}", classes="section-empty")
        yield Footer()

    def on_mount(self) -> None:
        for name in SECTIONS:
            table = self.query_one(f"#table-{name}", RowTable)
            table.display = False
        self._size_tables()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def on_resize(self) -> None:
        self._size_tables()
        if self._sections:
            self._show_board(self._sections)

    def _size_tables(self) -> None:
        # Each section shows a window of rows; the board scrolls to the focused one.
        rows = max(4, min(14, (self.app.size.height - 16) // 2))
        for table in self.query(RowTable):
            table.styles.max_height = rows + 1

    def _title_width(self) -> tuple[int, int]:
        # padding, the board's and the table's scrollbars, 2 cells of padding per column
        spare = max(0, self.app.size.width - 6 - (URGENCY_W + REF_W + DATE_W + WHAT_W) - 10)
        title = max(TITLE_MIN, spare * 2 // 3 if self.app.size.width > 100 else spare)
        what = WHAT_W + (spare - title if self.app.size.width > 100 else 0)
        return title, max(WHAT_W, what)

    # -- data -----------------------------------------------------------------------

    def refresh_data(self) -> None:
        """Read the board again (in a worker) and show it."""
        self._load(self.app.today())

    @work(thread=True, exclusive=True, group="today")
    def _load(self, today: date) -> None:
        from casebook.services.today import board

        with self.app.casebook.read() as session:
            sections = board(session, today)
        self.app.call_from_thread(self._show_board, sections)

    def _show_board(self, sections: list[Section]) -> None:
        if not self.is_attached:
            return
        self._sections = sections
        focused = self.focused if isinstance(self.focused, RowTable) else None
        keep_key = focused.current_key if focused else None
        keep_row = focused.cursor_row if focused else 0
        title_w, what_w = self._title_width()
        self._rows = {}
        for section in sections:
            head = self.query_one(f"#head-{section.name}", Static)
            label = t(f"today.section.{section.name}")
            if section.count > len(section.rows):
                counted = t("today.count_more", count=section.count, shown=len(section.rows))
            else:
                counted = t("today.count", count=section.count)
            head.update(Text(f"{label} {counted}"))
            table = self.query_one(f"#table-{section.name}", RowTable)
            table.clear(columns=True)
            table.add_column(Text(t("today.col.urgency")), width=URGENCY_W, key="urgency")
            table.add_column(Text(t("today.col.reference")), width=REF_W, key="reference")
            table.add_column(Text(t("today.col.title")), width=title_w, key="title")
            table.add_column(Text(t(f"today.col.what.{section.name}")), width=what_w, key="what")
            table.add_column(Text(t(f"today.col.date.{section.name}")), width=DATE_W, key="on")
            for row in section.rows:
                key = f"{section.name}:{row.entity_id}"
                self._rows[key] = row
                table.add_row(
                    urgency_cell(row.urgency),
                    literal(row.reference),
                    literal(row.title, limit=title_w),
                    literal(what_label(row), limit=what_w),
                    Text(format_date(row.on)),
                    key=key,
                )
            table.display = bool(section.rows)
            self.query_one(f"#empty-{section.name}", Static).display = not section.rows
        self._restore_focus(focused, keep_key, keep_row)
        self.refresh_bindings()

    def _restore_focus(self, focused: RowTable | None, key: str | None, row: int) -> None:
        tables = [t_ for t_ in self.query(RowTable) if t_.row_count]
        if not tables:
            return
        target = focused if focused is not None and focused.row_count else None
        if target is None:
            target = next((t_ for t_ in tables if t_.id == f"table-{self._current}"), tables[0])
            row = 0
        if key is not None and key in target.rows:
            row = target.get_row_index(key)
        target.move_cursor(row=min(row, target.row_count - 1))
        if self.app.screen is self and not isinstance(self.focused, RowTable):
            target.focus()

    # -- moving ---------------------------------------------------------------------

    @on(RowTable.Edge)
    def _next_section(self, event: RowTable.Edge) -> None:
        tables = [t_ for t_ in self.query(RowTable) if t_.row_count]
        if event.table not in tables:
            return
        index = tables.index(event.table) + event.direction
        if 0 <= index < len(tables):
            target = tables[index]
            target.move_cursor(row=0 if event.direction > 0 else target.row_count - 1)
            target.focus()

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, RowTable) and event.widget.id:
            self._current = event.widget.id.removeprefix("table-")
            self.refresh_bindings()

    @on(RowTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    @on(RowTable.RowSelected)
    def _selected(self, event: RowTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def selected(self) -> TodayRow | None:
        """The row under the cursor of the section last focused."""
        table = self.query_one(f"#table-{self._current}", RowTable)
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
            return
        from screens.triage_screen import TriageScreen

        self.app.push_screen(TriageScreen(row.case_id))

    def action_done(self) -> None:
        row = self.selected()
        if row is None or row.section not in STEP_SECTIONS:
            self.notify(t("today.not_a_step"), severity="warning")
            return
        step_id = row.entity_id

        def save(values: dict) -> None:
            from casebook.services.steps import complete_step

            with self.app.casebook.write() as session:
                complete_step(session, step_id, result=values["result"], done_on=values["done_on"])

        self.app.push_screen(
            StepDoneModal(self._row_context(row), save, today=self.app.today()), self._after
        )

    def action_add_step(self) -> None:
        row = self.selected()
        if row is None:
            return
        case_id = row.case_id

        def save(data) -> None:
            from casebook.services.steps import add_step

            with self.app.casebook.write() as session:
                add_step(session, case_id, data)

        self.app.push_screen(AddStepModal(self._row_context(row), save), self._after)

    def action_contact(self) -> None:
        row = self.selected()
        if row is None:
            return
        case_id = row.case_id

        def save(data) -> None:
            from casebook.services.contacts import log_contact

            with self.app.casebook.write() as session:
                log_contact(session, case_id, data)

        self.app.push_screen(ContactModal(self._row_context(row), save), self._after)

    def _after(self, saved: bool | None) -> None:
        if saved:
            self.notify(t("today.saved"))
        self.refresh_data()

    def action_reload(self) -> None:
        self.refresh_data()

    def show_error(self, error: CasebookError) -> None:
        self.app.show_error(error)
