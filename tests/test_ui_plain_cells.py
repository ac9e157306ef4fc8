"""PlainCells draws one-line Text cells itself (the case screen's table); the result
must be what DataTable draws, with and without the cursor, for styled, cut and wide
text."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widgets import DataTable

from screens.widgets.plain_cells import PlainCells

ROWS = [
    (
        Text("x" * 200, style="bold"),
        Text("a[b]c é 漢字漢字漢字" * 5),
        Text(""),
        Text("ok", style="italic red"),
        Text("!"),
        Text.assemble(("ab", "red"), "cd", ("ef", "bold")),
    ),
    (
        Text("2026-0001"),
        Text("[bold]not markup[/]"),
        Text("Intake"),
        Text("Open"),
        Text("Hoog", style="bold"),
        Text("28-11-2026"),
    ),
]


class PlainTable(PlainCells, DataTable):
    pass


class TableApp(App):
    def compose(self) -> ComposeResult:
        yield PlainTable(cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one(PlainTable)
        for width, label in zip((9, 20, 0, 8, 6, 10), "abcdef", strict=True):
            table.add_column(label, width=width or None)
        for number, row in enumerate(ROWS):
            table.add_row(*row, key=str(number))


def simplified(lines):
    return [list(Strip(list(line)).simplify()) for line in lines]


async def test_cells_are_drawn_as_datatable_draws_them():
    app = TableApp()
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PlainTable)
        compared = 0
        for row in range(table.row_count):
            for column in range(len(table.columns)):
                width = table.ordered_columns[column].get_render_width(table)
                for cursor in (False, True):
                    for hover in (False, True):
                        style = table.rich_style
                        table._cell_render_cache.clear()
                        ours = table._render_cell(row, column, style, width, cursor, hover)
                        table._cell_render_cache.clear()
                        theirs = DataTable._render_cell(
                            table, row, column, style, width, cursor, hover
                        )
                        assert simplified(ours) == simplified(theirs), (row, column)
                        compared += 1
        assert compared == len(ROWS) * 6 * 4
        # the auto-width column was measured as DataTable measures it
        assert table.ordered_columns[2].content_width == max(len("c"), len("Intake"))
