"""The partner directory (sociale kaart): every organisation, searchable with `/`;
add with `n`, edit the selected one with Enter or `e`. Steps and referrals pick from it."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Input, Static

from casebook.i18n import t
from screens.directory_modal import OrganisationModal, kind_label
from screens.widgets.focus import focus_now
from screens.widgets.footer import KeyFooter
from screens.widgets.forms import literal
from screens.widgets.search_list import ROW_KEYS, SEARCH_ACTIONS, SearchList


class DirectoryScreen(SearchList, Screen):
    CSS_PATH = "directory_screen.tcss"
    SEARCH = "#directory-search"
    LIST = "#directory-table"
    HOLD_KEYS = ROW_KEYS | {"e"}

    BINDINGS = [
        Binding("slash", "search", "directory.key.search", id="directory.search", priority=True),
        Binding(
            "enter,down",
            "to_list",
            "key.to_list",
            id="directory.to_list",
            show=False,
            priority=True,
        ),
        Binding("n", "add", "directory.key.add", id="directory.add"),
        Binding("e", "edit", "directory.key.edit", id="directory.edit"),
        Binding("escape", "back", "key.back", id="directory.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, object] = {}
        self._shown_term: str | None = None  # the search the rows on screen are for

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(t("directory.title")), classes="screen-title")
        yield Input(placeholder=t("directory.search_placeholder"), id="directory-search")
        table = DataTable(id="directory-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(
            *(
                t(f"directory.col.{c}")
                for c in ("name", "kind", "region", "phone", "email", "active")
            )
        )
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        focus_now(self.query_one("#directory-table", DataTable))
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="directory-load")
    def load(self) -> None:
        from casebook.services import directory

        term = self.query_one("#directory-search", Input).value
        with self.app.casebook.read() as session:
            found = directory.search(session, term)
        self.app.call_from_thread(self._show, term, found)

    def result_pending(self) -> bool:
        return self._shown_term != self.query_one("#directory-search", Input).value

    def _show(self, term: str, organisations) -> None:
        if not self.is_attached:
            return
        self._shown_term = term
        table = self.query_one("#directory-table", DataTable)
        keep = None
        if table.row_count and table.cursor_row >= 0:
            keep = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        table.clear()
        self.rows = {}
        for org in organisations:
            key = str(org.id)
            self.rows[key] = org
            table.add_row(
                literal(org.name, limit=50),
                Text(kind_label(org.kind)),
                literal(org.region, limit=24),
                literal(org.phone, limit=20),
                literal(org.email, limit=30),
                Text("✓" if org.active else "✗ " + t("directory.inactive")),
                key=key,
            )
        if keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        if not self.list_pending():
            self.release_held_keys()

    @on(Input.Changed, "#directory-search")
    def _search_changed(self) -> None:
        self.load()

    def selected(self):
        table = self.query_one("#directory-table", DataTable)
        if not table.row_count or table.cursor_row < 0:
            return None
        return self.rows.get(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def check_action(self, action: str, parameters) -> bool | None:
        if action in SEARCH_ACTIONS:
            return self.search_key_allowed(action)
        return True

    def action_add(self) -> None:
        self.app.push_screen(OrganisationModal())

    def action_edit(self) -> None:
        org = self.selected()
        if org is not None:
            self.app.push_screen(OrganisationModal(org))

    @on(DataTable.RowSelected, "#directory-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_back(self) -> None:
        search = self.query_one("#directory-search", Input)
        if search.has_focus and search.value:
            search.value = ""
            return
        self.app.pop_screen()
