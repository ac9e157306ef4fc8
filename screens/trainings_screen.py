"""The register of signalling trainings and awareness sessions (evidence for the
Basisniveau): add with `n`, edit the selected one with Enter or `e`."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from casebook.dates import format_date
from casebook.i18n import t
from screens.trainings_modal import TrainingModal
from screens.widgets.focus import focus_now
from screens.widgets.footer import KeyFooter
from screens.widgets.forms import literal


class TrainingsScreen(Screen):
    CSS_PATH = "trainings_screen.tcss"

    BINDINGS = [
        Binding("n", "add", "trainings.key.add", id="trainings.add"),
        Binding("e", "edit", "trainings.key.edit", id="trainings.edit"),
        Binding("escape", "back", "key.back", id="trainings.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, object] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(t("trainings.title")), classes="screen-title")
        yield Static("", id="trainings-count", classes="muted")
        table = DataTable(id="trainings-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(
            *(
                t(f"trainings.col.{c}")
                for c in ("held_on", "audience", "participants", "provider", "notes")
            )
        )
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        focus_now(self.query_one("#trainings-table", DataTable))
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        from casebook.services import trainings
        from screens import door

        door.read(self, trainings.list_trainings, self._show, group="trainings-load")

    def _show(self, found) -> None:
        table = self.query_one("#trainings-table", DataTable)
        keep = None
        if table.row_count and table.cursor_row >= 0:
            keep = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        table.clear()
        self.rows = {}
        for tr in found:
            key = str(tr.id)
            self.rows[key] = tr
            table.add_row(
                Text(format_date(tr.held_on)),
                literal(tr.audience, limit=40),
                Text(str(tr.participants)),
                literal(tr.provider, limit=30),
                literal(tr.notes, limit=40),
                key=key,
            )
        if keep in self.rows:
            table.move_cursor(row=table.get_row_index(keep), animate=False)
        total = sum(tr.participants for tr in found)
        self.query_one("#trainings-count", Static).update(
            Text(
                t(
                    "trainings.count",
                    trainings=t("count.trainings", count=len(found)),
                    participants=t("count.participants", count=total),
                )
            )
        )

    def selected(self):
        table = self.query_one("#trainings-table", DataTable)
        if not table.row_count or table.cursor_row < 0:
            return None
        return self.rows.get(table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value)

    def action_add(self) -> None:
        self.app.push_screen(TrainingModal(today=self.app.today()))

    def action_edit(self) -> None:
        training = self.selected()
        if training is not None:
            self.app.push_screen(TrainingModal(training))

    @on(DataTable.RowSelected, "#trainings-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_back(self) -> None:
        self.app.pop_screen()
