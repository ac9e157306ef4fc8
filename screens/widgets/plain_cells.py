"""DataTable cells of one line of Text, drawn and measured without Rich's generic
renderable machinery.

DataTable renders every cell through Rich (Padding inside Styled, then line splitting
and cropping) and measures every new cell through a Console; for a table of plain
one-line Text cells that is most of the cost of showing a page. `PlainCells`, mixed
in before DataTable, produces the same segments directly and measures such a cell by
its length; any other cell (another renderable, several lines, a tab, a row label,
auto-height rows) goes the usual way. tests/test_ui_cases.py compares both.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.render import measure

# Characters on which str.splitlines() breaks a line, and the tab.
_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\t")


def _one_line(text: str) -> bool:
    return _BREAKS.isdisjoint(text)


class PlainCells:
    """Mixed in before DataTable: one-line Text cells drawn and measured directly."""

    def _update_dimensions(self, new_rows) -> None:
        """Measure the new rows' cells for the auto-width columns (a one-line Text by
        its length, as Rich measures it), then let DataTable work out the size."""
        auto = [(i, c) for i, c in enumerate(self.ordered_columns) if c.auto_width]
        if auto:
            rows = []
            for row_key in new_rows:
                row_index = self._row_locations.get(row_key)
                if row_index is None:
                    continue
                row = self.rows[row_key]
                if row.label is not None or row.auto_height:
                    return super()._update_dimensions(new_rows)
                rows.append(row_index)
            console = self.app.console
            for row_index in rows:
                _, cells = self._get_row_renderables(row_index)
                for i, column in auto:
                    content = cells[i] if i < len(cells) else ""
                    if type(content) is Text and _one_line(content.plain):
                        width = cell_len(content.plain)
                    else:
                        width = measure(console, content, 1)
                    if width > column.content_width:
                        column.content_width = width
        return super()._update_dimensions(())

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ):
        if row_index < 0 or column_index < 0:  # the header and row labels
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        row_key = self._row_locations.get_key(row_index)
        column_key = self._column_locations.get_key(column_index)
        cache_key = (
            row_key,
            column_key,
            base_style,
            cursor,
            hover,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        cache = self._cell_render_cache
        if cache_key in cache:
            return cache[cache_key]
        row = self.rows[row_key]
        content = self._data[row_key].get(column_key)
        pad = self.cell_padding
        inner = width - 2 * pad
        if (
            row.height != 1
            or row.auto_height
            or type(content) is not Text
            or inner < 1
            or not _one_line(content.plain)
        ):
            return super()._render_cell(row_index, column_index, base_style, width, cursor, hover)
        component_style, post_style = self._get_styles_to_render_cell(
            False,
            False,
            row_index < self.fixed_rows or column_index < self.fixed_columns,
            hover,
            cursor,
            self.show_cursor,
            self._show_hover_cursor,
            self.cursor_foreground_priority == "css",
            self.cursor_background_priority == "css",
        )
        console = self.app.console
        # Rich's Styled puts pre_style under and post_style over each segment; the
        # padding and fill have no style of their own.
        pre = base_style + Style.from_meta({"row": row_index, "column": column_index})
        pre = pre + console.get_style(component_style)
        post = console.get_style(post_style)
        plain_style = pre + post
        text = content
        if text.cell_len > inner:
            text = text.copy()
            text.truncate(inner, overflow=text.overflow or "fold")
        fill = " " * max(0, inner - text.cell_len)
        margin = " " * pad
        if text.spans:
            joined = Text()  # as Rich renders a Text: its own style becomes a span
            joined.append_text(text)
            line = [Segment(margin, plain_style)]
            line.extend(
                Segment(part, (pre + style) + post if style else plain_style)
                for part, style, _ in joined.render(console, end="")
            )
            line.append(Segment(fill + margin, plain_style))
        elif text.style:
            style = (pre + console.get_style(text.style)) + post
            line = [
                Segment(margin, plain_style),
                Segment(text.plain, style),
                Segment(fill + margin, plain_style),
            ]
        else:
            line = [Segment(margin + text.plain + fill + margin, plain_style)]
        cache[cache_key] = [line]
        return cache[cache_key]
