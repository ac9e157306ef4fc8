"""Cases: every case in a bounded, filtered, searchable table.

Filters (phase, status, exploitation type, year) and the search over reference, title,
location and persons run in SQL, in a worker; the table shows one page of
`page_size` rows with "n–m van total". `/` focuses the search, `]`/`[` (or PageDown on
the last row, PageUp on the first) turn the page, Enter opens the case.

The search runs on every key. A page is as many rows as the table shows (no scrolling
within a page, so no scrollbar to draw), and the table is a `SectionTable` (as on
Today): fixed column widths, drawn line by line, no cell measured and no layout pass
while the page keeps its height. A key costs the query and the repaint of what is on
screen.
"""

from __future__ import annotations

import re
from dataclasses import replace

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Header, Input, Select, Static

from casebook import refdata
from casebook.dates import format_date
from casebook.i18n import t
from casebook.services.cases import CaseFilter, CaseRow
from screens.today_screen import urgency_cell
from screens.widgets.focus import focus_now
from screens.widgets.footer import KeyFooter
from screens.widgets.forms import CodeSelect, literal
from screens.widgets.search_list import SEARCH_ACTIONS, SearchList
from screens.widgets.sections import Column, SectionTable

# Lines of the screen that are not rows of the table: header, filters, the search bar
# and its margin, the table's column header, footer.
CHROME_LINES = 6
MIN_PAGE = 5
# Characters that literal() would replace or that would break the line; text without
# them is shown as it is (the same result as literal(), without its per-character work).
_NOT_PLAIN = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def cell(value: str | None) -> Text:
    """User text as a one-line cell, literal (never markup); the table cuts it."""
    text = value or ""
    return literal(text) if _NOT_PLAIN.search(text) else Text(text)


def minor_title(title: str, minor: bool) -> Text:
    """The title cell, after the minor mark when a victim is under 18."""
    if not minor:
        return cell(title)
    return Text.assemble((t("casefile.minor.mark"), "bold reverse"), " ", cell(title))


class CaseList(SectionTable):
    """The page of cases: a section table without a heading line."""


class CasesScreen(SearchList, Screen):
    CSS_PATH = "cases_screen.tcss"
    SEARCH = "#search"
    LIST = "#cases"

    BINDINGS = [
        Binding("slash", "search", "cases.key.search", id="cases.search", priority=True),
        Binding(
            "enter,down",
            "to_list",
            "key.to_list",
            id="cases.to_list",
            show=False,
            priority=True,
        ),
        Binding("enter", "open", "today.key.open", id="cases.open", show=False),
        Binding("right_square_bracket", "page(1)", "cases.key.next", id="cases.next"),
        Binding("left_square_bracket", "page(-1)", "cases.key.previous", id="cases.previous"),
        Binding("escape", "back", "key.back", id="cases.back"),
    ]

    def __init__(self, *, search: bool = False) -> None:
        super().__init__()
        self._start_in_search = search
        self.case_filter = CaseFilter()
        self._shown_filter: CaseFilter | None = None  # the filter of the rows on screen
        self.page_offset = 0
        self.total_count = 0
        self._keys: tuple | None = None  # the paging keys on offer, as last shown

    def compose(self) -> ComposeResult:
        from casebook.services.cases import years
        from screens import door

        year_list = door.read_now(self, years) or []
        yield Header()
        with Horizontal(id="filters"):
            yield CodeSelect("phases", id="f-phase", compact=True, prompt=t("cases.all_phases"))
            yield CodeSelect(
                "statuses", id="f-status", compact=True, prompt=t("cases.all_statuses")
            )
            yield CodeSelect(
                "exploitation_types", id="f-type", compact=True, prompt=t("cases.all_types")
            )
            yield Select(
                [(Text(str(y)), y) for y in year_list],
                id="f-year",
                prompt=t("cases.all_years"),
                compact=True,
            )
        with Horizontal(id="searchbar"):
            yield Input(placeholder=t("cases.search_placeholder"), id="search", compact=True)
            yield Static("", id="count")
        yield CaseList(
            None, Text(t("cases.empty")), window=self.page_size, on_edge=self._edge, id="cases"
        )
        yield KeyFooter()

    def on_mount(self) -> None:
        focus_now(self.query_one("#search" if self._start_in_search else "#cases"))

    def on_screen_resume(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        self.query_one("#cases", CaseList).window = self.page_size
        self.reload()

    def _columns(self) -> list[Column]:
        label = 14 if self.app.size.width >= 100 else 11
        return [
            Column(Text(t("today.col.reference")), 9),
            Column(Text(t("today.col.title")), 0),
            Column(Text(t("cases.col.phase")), label),
            Column(Text(t("cases.col.status")), label),
            Column(Text(t("today.col.urgency")), 9),
            Column(Text(t("cases.col.opened")), 10),
        ]

    @property
    def page_size(self) -> int:
        """Rows on a page: as many as the table shows at this terminal height."""
        return max(MIN_PAGE, self.app.size.height - CHROME_LINES)

    # -- data -----------------------------------------------------------------------

    def reload(self) -> None:
        self._load(self.case_filter, self.page_offset, self.page_size)

    def _load(self, flt: CaseFilter, offset: int, size: int) -> None:
        from casebook.services.cases import count_cases, list_cases
        from screens import door

        def read(session):
            total = count_cases(session, flt)
            first = max(0, (total - 1) // size * size) if offset >= total and total else offset
            return first, total, list_cases(session, flt, limit=size, offset=first)

        door.read(self, read, lambda found: self._show(flt, *found), group="cases")

    def _show(self, flt: CaseFilter, offset: int, total: int, rows: list[CaseRow]) -> None:
        if not self.is_attached or flt != self.case_filter:
            return
        self.page_offset, self.total_count = offset, total
        table = self.query_one("#cases", CaseList)
        # the cursor stays on its case when the same list is read again; a new search or
        # filter starts at the top
        keep = table.current_key if flt == self._shown_filter else None
        self._shown_filter = flt
        table.set_rows(
            None,
            self._columns(),
            [
                (
                    str(row.id),
                    [
                        cell(row.reference),
                        minor_title(row.title, row.minor),
                        Text(refdata.label("phases", row.phase)),
                        Text(refdata.label("statuses", row.status)),
                        urgency_cell(row.urgency),
                        Text(format_date(row.opened_on)),
                    ],
                )
                for row in rows
            ],
            keep=keep,
            empty=Text(t("cases.empty" if flt != CaseFilter() else "cases.none_yet")),
        )
        if total:
            count = t("cases.count", first=offset + 1, last=offset + len(rows), total=total)
        else:
            count = t("cases.count_none")
        self.query_one("#count", Static).update(Text(count), layout=False)
        keys = (self.check_action("page", (1,)), self.check_action("page", (-1,)))
        if keys != self._keys:  # redraw the footer only when the paging keys change
            self._keys = keys
            self.refresh_bindings()
        if not self.list_pending():
            self.release_held_keys()

    def result_pending(self) -> bool:
        return self._shown_filter != self.case_filter

    def search_typed(self, text: str) -> None:
        self._search(text)

    # -- filters and search ---------------------------------------------------------

    @on(Select.Changed)
    def _filter_changed(self, event: Select.Changed) -> None:
        value = None if event.value is Select.NULL else event.value
        field = {
            "f-phase": "phase",
            "f-status": "status",
            "f-type": "exploitation",
            "f-year": "year",
        }
        name = field.get(event.select.id or "")
        if name is None:
            return
        self.case_filter = replace(self.case_filter, **{name: value})
        self.page_offset = 0
        self.reload()

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        # Every key searches at once: the worker is exclusive (a newer search cancels
        # the one waiting) and _show drops a result whose filter is no longer current.
        self._search(event.value)

    def _search(self, text: str) -> None:
        flt = replace(self.case_filter, search=text.strip())
        if flt == self.case_filter:
            return  # already searched (the field's own Changed, or TypingDone)
        self.case_filter = flt
        self.page_offset = 0
        self.reload()

    # -- paging and opening ---------------------------------------------------------

    def check_action(self, action: str, parameters) -> bool | None:
        if action in SEARCH_ACTIONS:
            return self.search_key_allowed(action)
        if action == "page":
            step = parameters[0] if parameters else 1
            if step > 0:
                return self.page_offset + self.page_size < self.total_count or None
            return self.page_offset > 0 or None
        return True

    def action_page(self, step: int) -> None:
        offset = max(0, self.page_offset + step * self.page_size)
        if offset < self.total_count and offset != self.page_offset:
            self.page_offset = offset
            self.reload()

    def _edge(self, table: SectionTable, direction: int) -> None:
        """The cursor ran into the first or last row: turn the page (or, on the first
        row of the first page, go up to the search)."""
        if direction > 0 and self.page_offset + self.page_size < self.total_count:
            self.action_page(1)
        elif direction < 0 and self.page_offset > 0:
            self.action_page(-1)
        elif direction < 0:
            focus_now(self.query_one("#search", Input))

    @on(SectionTable.Selected, "#cases")
    def _selected(self, event: SectionTable.Selected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        key = self.query_one("#cases", CaseList).current_key
        if key is not None:
            self.app.open_case(int(key))

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if search.has_focus and search.value:
            search.value = ""
            return
        self.app.action_today()
