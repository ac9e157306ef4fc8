"""Row tables for lists of records: `j`/`k` as well as the arrows, and a message when
the cursor tries to leave the table at either end (the board moves on to the next
section, the case list turns the page)."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from screens.localize import Localized


class RowTable(Localized, DataTable):
    """A DataTable with a row cursor, keyed by database ids, that tells its screen when
    the cursor runs into an edge (`RowTable.Edge`, direction +1 or -1)."""

    BINDINGS = [
        Binding("j", "cursor_down", "ui.key.down", id="table.down", show=False),
        Binding("k", "cursor_up", "ui.key.up", id="table.up", show=False),
    ]

    class Edge(Message):
        """The cursor tried to move past the first (-1) or last (+1) row."""

        def __init__(self, table: RowTable, direction: int):
            super().__init__()
            self.table = table
            self.direction = direction

        @property
        def control(self) -> RowTable:
            return self.table

    def __init__(self, **kwargs):
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", False)
        super().__init__(**kwargs)

    def action_cursor_down(self) -> None:
        if self.row_count == 0 or self.cursor_row >= self.row_count - 1:
            self.post_message(self.Edge(self, +1))
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.row_count == 0 or self.cursor_row <= 0:
            self.post_message(self.Edge(self, -1))
            return
        super().action_cursor_up()

    def action_page_down(self) -> None:
        if self.row_count == 0 or self.cursor_row >= self.row_count - 1:
            self.post_message(self.Edge(self, +1))
            return
        super().action_page_down()

    def action_page_up(self) -> None:
        if self.row_count == 0 or self.cursor_row <= 0:
            self.post_message(self.Edge(self, -1))
            return
        super().action_page_up()

    @property
    def current_key(self) -> str | None:
        """The key of the row under the cursor (None when the table is empty)."""
        if self.row_count == 0:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key((self.cursor_row, 0))
        except Exception:  # cursor outside the rows (table just cleared)
            return None
        return row_key.value
