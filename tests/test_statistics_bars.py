"""The Statistics screen's bars scale to the terminal (issue 17): at 80 columns they
were cut off (12 drawn as 16 blocks and 23 as 17). In every table the largest count
fills the bar column, every other count a share of it, a larger count never gets a
shorter bar, and what is drawn is the whole bar: at 80×24, at 120×40, and after the
terminal is resized either way."""

from __future__ import annotations

import pytest
from textual.containers import VerticalScroll
from textual.widgets import DataTable

from screens.statistics_screen import (
    BAR_MAX,
    BAR_MIN,
    LABEL_MIN,
    LABEL_WIDTH,
    StatisticsScreen,
    bar_for,
    column_widths,
)
from tests.test_statistics import build_golden
from tests.test_statistics_screen import StatsTestApp, settle
from tests.uikit import screen_text


def bars(screen: StatisticsScreen, table: dict) -> list[tuple[int, int]]:
    widget = screen.query_one(f"#table-{table['id']}", DataTable)
    return [(c["value"], len(str(widget.get_cell(c["code"], "bar")))) for c in table["cells"]]


async def check_bars(app, pilot, screen: StatisticsScreen) -> int:
    """Every count table's bars, as data and as drawn; the number of bars drawn."""
    width = app.size.width
    label_width, bar_width = screen.widths
    assert BAR_MIN <= bar_width <= BAR_MAX
    body = screen.query_one("#stats-body", VerticalScroll)
    drawn = 0
    for table in screen.view["tables"]:
        if table["withheld"]:
            continue
        widget = screen.query_one(f"#table-{table['id']}", DataTable)
        assert widget.columns["bar"].width == bar_width
        assert widget.columns["label"].width == label_width
        lengths = bars(screen, table)
        largest = max(value for value, _ in lengths)
        for value, length in lengths:
            assert length <= bar_width
            assert (length == 0) == (value == 0)
            if value == largest and value > 0:
                assert length == bar_width
        for value, length in lengths:  # a larger count never a shorter bar
            assert all(length >= other for v, other in lengths if v < value), lengths
        # the table fits inside the body, the body inside the screen: nothing cut
        assert widget.virtual_size.width <= widget.size.width, table["id"]
        assert widget.region.right <= width
        # and on the screen itself: each row's bar drawn whole, beside its row
        body.scroll_to_widget(widget, animate=False, top=True)
        await pilot.pause()
        lines = screen_text(app).splitlines()
        top = widget.region.y + 1  # the header row first
        for i, (value, length) in enumerate(lengths):
            y = top + i
            if not 0 <= y < len(lines) or y >= widget.region.bottom:
                continue  # below the screen's edge: checked where it is visible
            assert lines[y].count("█") == length, (table["id"], value, lines[y])
            drawn += length > 0
    return drawn


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_bars_fit_and_follow_the_counts(cb, size):
    build_golden(cb)
    app = StatsTestApp(cb)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StatisticsScreen) and screen.view is not None
        assert await check_bars(app, pilot, screen) > 10
        if size == (80, 24):
            assert screen.widths == (LABEL_WIDTH, 16)
        else:
            assert screen.widths == (LABEL_WIDTH, 56)


async def test_bars_are_recomputed_when_the_terminal_is_resized(cb):
    build_golden(cb)
    app = StatsTestApp(cb)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        wide = screen.widths[1]
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert screen.widths[1] < wide
        assert await check_bars(app, pilot, screen) > 10
        await pilot.resize_terminal(60, 20)  # narrower still: the labels give way
        await settle(app, pilot)
        assert screen.widths[0] < LABEL_WIDTH and screen.widths[1] >= BAR_MIN
        assert await check_bars(app, pilot, screen) > 10
        await pilot.resize_terminal(120, 40)
        await settle(app, pilot)
        assert screen.widths[1] == wide
        assert await check_bars(app, pilot, screen) > 10


def test_bar_lengths_are_proportional_and_monotonic():
    for width in range(1, 90):
        for largest in (1, 5, 23, 100, 1235):
            lengths = [len(bar_for({"value": v}, largest, width)) for v in range(largest + 1)]
            assert lengths[0] == 0 and lengths[-1] == width
            assert lengths == sorted(lengths)
            assert all(1 <= n <= width for n in lengths[1:])


def test_column_widths_give_way_in_order():
    assert column_widths(80, reserved=4) == (LABEL_WIDTH, 16)
    assert column_widths(120, reserved=4) == (LABEL_WIDTH, 56)
    assert column_widths(400, reserved=4) == (LABEL_WIDTH, BAR_MAX)
    label, bar = column_widths(60, reserved=4)
    assert bar == BAR_MIN and LABEL_MIN <= label < LABEL_WIDTH
    assert column_widths(20, reserved=4) == (LABEL_MIN, 0)
    for width in range(0, 300):  # never wider than the screen, while there is room
        label, bar = column_widths(width, reserved=4)
        if bar:
            assert 4 + 6 + label + 6 + bar <= width
