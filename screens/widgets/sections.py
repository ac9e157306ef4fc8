"""One section of the Today board, drawn line by line: a heading with its count, a
header line and a window of rows that follows the cursor. The case list uses it too,
without the heading line.

Why not a DataTable: the board shows six short lists at once, and six DataTables cost
about half a second to compose and lay out (every cell measured on idle). A section
knows its column widths, so it draws only the lines in view (Textual's Line API) and
its height is known as soon as its rows are set — nothing waits for an idle moment.

The section renders and tells its screen what happened; the screen decides what that
means for a case. When the cursor runs into either end, the section calls its `on_edge`
callback at once (the board moves on to the next section before the next key is
handled, however fast the keys come), or posts `Edge` if it has none; it posts
`Highlighted` when the cursor moves and `Selected` when a row is clicked a second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

PADDING = 1  # cells on either side of every column
# Every segment carries a style, if only the empty one: Textual's monochrome filter
# (NO_COLOR, TERM=dumb) reads the colours of each segment's style and fails on None.
PLAIN = Style()


@dataclass(frozen=True)
class Column:
    label: Text
    width: int  # cells; 0 = takes what the fixed columns leave ("flex")
    share: int = 1  # of the flexible width, when there is more than one flex column


def fit(text: str, width: int) -> str:
    """`text` cut (with an ellipsis) or padded to exactly `width` cells."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


class SectionTable(Widget, can_focus=True):
    """A heading (unless it is None), a header line and a window of `window` rows
    keyed by strings."""

    COMPONENT_CLASSES = {
        "section--heading",
        "section--position",
        "section--header",
        "section--empty",
        "section--cursor",
    }

    DEFAULT_CSS = """
    SectionTable {
        height: auto;
        & > .section--heading { text-style: bold; color: $text-accent; }
        & > .section--position { color: $text-muted; }
        & > .section--header { text-style: bold; background: $panel; }
        & > .section--empty { color: $text-muted; }
        & > .section--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
        }
        &:focus > .section--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    BINDINGS = [
        Binding("j", "cursor_down", "ui.key.down", id="table.down", show=False),
        Binding("k", "cursor_up", "ui.key.up", id="table.up", show=False),
        Binding("down", "cursor_down", "ui.key.down", show=False),
        Binding("up", "cursor_up", "ui.key.up", show=False),
        Binding("pagedown", "page_down", "ui.key.down", show=False),
        Binding("pageup", "page_up", "ui.key.up", show=False),
        Binding("home,ctrl+home", "first", "ui.key.up", show=False),
        Binding("end,ctrl+end", "last", "ui.key.down", show=False),
    ]

    class Edge(Message):
        """The cursor tried to move past the first (-1) or last (+1) row."""

        def __init__(self, table: SectionTable, direction: int):
            super().__init__()
            self.table = table
            self.direction = direction

        @property
        def control(self) -> SectionTable:
            return self.table

    class Highlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, table: SectionTable):
            super().__init__()
            self.table = table

        @property
        def control(self) -> SectionTable:
            return self.table

    class Selected(Message):
        """The row under the cursor was chosen with the mouse."""

        def __init__(self, table: SectionTable):
            super().__init__()
            self.table = table

        @property
        def control(self) -> SectionTable:
            return self.table

    def __init__(
        self,
        heading: Text | None,
        empty: Text,
        *,
        window: int = 8,
        on_edge: Callable[[SectionTable, int], None] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self._on_edge = on_edge
        self._heading = heading
        self._position = Text()
        self._empty = empty
        self._columns: list[Column] = []
        self._keys: list[str] = []
        self._cells: list[list[Text]] = []
        self._index: dict[str, int] = {}
        self._window = max(1, window)
        self._offset = 0
        self.cursor_row = 0

    # -- data -----------------------------------------------------------------------

    def set_rows(
        self,
        heading: Text | None,
        columns: list[Column],
        rows: list[tuple[str, list[Text]]],
        *,
        keep: str | None = None,
        row: int = 0,
        empty: Text | None = None,
    ) -> None:
        """Show `rows` (key, cells) under `heading`; the cursor stays on the row keyed
        `keep` if it is still there, else on row number `row` (kept within the rows).
        `empty`, if given, is what to say when there are no rows. The layout is redone
        only when the number of lines changes."""
        lines = self._lines()
        self._heading = heading
        if empty is not None:
            self._empty = empty
        self._columns = columns
        self._keys = [key for key, _ in rows]
        self._cells = [cells for _, cells in rows]
        self._index = {key: i for i, key in enumerate(self._keys)}
        if keep is not None and keep in self._index:
            row = self._index[keep]
        self._offset = 0
        self.cursor_row = 0
        self._place_cursor(row)
        self.refresh(layout=self._lines() != lines)

    def set_columns(self, columns: list[Column]) -> None:
        """New column widths or labels for the same rows."""
        if columns != self._columns:
            self._columns = columns
            self.refresh()

    @property
    def row_count(self) -> int:
        return len(self._keys)

    @property
    def rows(self) -> dict[str, int]:
        """Row keys and their numbers."""
        return self._index

    def get_row_at(self, row: int) -> list[Text]:
        return self._cells[row]

    def get_row_index(self, key: str) -> int:
        return self._index[key]

    @property
    def current_key(self) -> str | None:
        """The key of the row under the cursor (None when there are no rows)."""
        return self._keys[self.cursor_row] if self._keys else None

    @property
    def window(self) -> int:
        return self._window

    @window.setter
    def window(self, rows: int) -> None:
        rows = max(1, rows)
        if rows != self._window:
            self._window = rows
            self._place_cursor(self.cursor_row)
            self.refresh(layout=True)

    # -- the cursor -----------------------------------------------------------------

    def move_cursor(self, *, row: int) -> None:
        if self._place_cursor(row):
            self.post_message(self.Highlighted(self))
        self.refresh()

    def _place_cursor(self, row: int) -> bool:
        """Put the cursor on `row` (within the rows) and the window around it;
        True if the cursor moved."""
        row = max(0, min(row, len(self._keys) - 1))
        moved = row != self.cursor_row
        self.cursor_row = row
        if row < self._offset:
            self._offset = row
        elif row >= self._offset + self._window:
            self._offset = row - self._window + 1
        self._offset = max(0, min(self._offset, max(0, len(self._keys) - self._window)))
        self._position = self._position_text()
        return moved

    def _step(self, rows: int) -> None:
        target = self.cursor_row + rows
        if not self._keys or target < 0 and self.cursor_row == 0:
            self._edge(-1 if rows < 0 else +1)
        elif target >= len(self._keys) and self.cursor_row == len(self._keys) - 1:
            self._edge(+1)
        else:
            self.move_cursor(row=target)

    def _edge(self, direction: int) -> None:
        if self._on_edge is not None:
            self._on_edge(self, direction)
        else:
            self.post_message(self.Edge(self, direction))

    def action_cursor_down(self) -> None:
        self._step(+1)

    def action_cursor_up(self) -> None:
        self._step(-1)

    def action_page_down(self) -> None:
        self._step(+self._window)

    def action_page_up(self) -> None:
        self._step(-self._window)

    def action_first(self) -> None:
        self.move_cursor(row=0)

    def action_last(self) -> None:
        self.move_cursor(row=len(self._keys) - 1)

    def on_click(self, event: events.Click) -> None:
        above = self._top + 1  # the heading and the header line
        row = self._offset + event.y - above
        if (
            not self._keys
            or event.y < above
            or row >= min(len(self._keys), self._offset + self._window)
        ):
            return
        if row == self.cursor_row:
            self.post_message(self.Selected(self))
        else:
            self.move_cursor(row=row)

    def on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self.refresh()

    # -- drawing ----------------------------------------------------------------------

    def _position_text(self) -> Text:
        if len(self._keys) <= self._window:
            return Text()
        first, last = self._offset + 1, min(len(self._keys), self._offset + self._window)
        arrows = ("↑" if first > 1 else " ") + ("↓" if last < len(self._keys) else " ")
        return Text(f"{first}–{last}/{len(self._keys)} {arrows}")

    @property
    def _top(self) -> int:
        """Lines above the header line: the heading's, if there is one."""
        return 0 if self._heading is None else 1

    def _lines(self) -> int:
        if not self._keys:
            return self._top + 1  # "nothing"
        return self._top + 1 + min(len(self._keys), self._window)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return self._lines()

    def widths(self, width: int) -> list[int]:
        """Each column's width in cells at a total `width`: fixed columns as given,
        the flexible ones share the rest (never less than 8 cells)."""
        fixed = sum(c.width for c in self._columns) + 2 * PADDING * len(self._columns)
        flex = [c for c in self._columns if not c.width]
        spare = max(8 * len(flex), width - fixed)
        shares = sum(c.share for c in flex) or 1
        out, left = [], spare
        for column in self._columns:
            if column.width:
                out.append(column.width)
            elif column is flex[-1]:
                out.append(left)
            else:
                part = spare * column.share // shares
                out.append(part)
                left -= part
        return out

    def _cells_strip(self, cells: list[Text], widths: list[int], style: Style | None) -> Strip:
        pad = " " * PADDING
        segments = []
        for text, width in zip(cells, widths, strict=False):
            cell_style = text.style
            if isinstance(cell_style, str):
                cell_style = Style.parse(cell_style) if cell_style else None
            segments.append(Segment(pad + fit(text.plain, width) + pad, cell_style or PLAIN))
        strip = Strip(segments)
        return strip.apply_style(style) if style else strip

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        style = self.get_component_rich_style
        if self._heading is None:
            y += 1  # no heading line: the header is the first line
        elif y == 0:
            position = self._position
            room = max(0, width - cell_len(position.plain) - 1)
            heading = (
                fit(self._heading.plain, room)
                if cell_len(self._heading.plain) > room
                else self._heading.plain
            )
            segments = [Segment(heading, style("section--heading"))]
            if position.plain:
                gap = max(1, width - cell_len(heading) - cell_len(position.plain))
                segments += [
                    Segment(" " * gap, PLAIN),
                    Segment(position.plain, style("section--position")),
                ]
            return Strip(segments).adjust_cell_length(width, PLAIN)
        if not self._keys:
            if y == 1:
                text = " " * (PADDING + 1) + self._empty.plain
                return Strip([Segment(fit(text, width), style("section--empty"))])
            return Strip.blank(width, PLAIN)
        widths = self.widths(width)
        if y == 1:
            header = style("section--header")
            labels = [column.label for column in self._columns]
            return self._cells_strip(labels, widths, header).adjust_cell_length(width, header)
        row = self._offset + y - 2
        if row >= len(self._keys) or y - 2 >= self._window:
            return Strip.blank(width, PLAIN)
        if row == self.cursor_row:
            cursor = style("section--cursor")
            return self._cells_strip(self._cells[row], widths, cursor).adjust_cell_length(
                width, cursor
            )
        return self._cells_strip(self._cells[row], widths, None).adjust_cell_length(width, PLAIN)
