"""Statistics (*Jaarcijfers*): the year's anonymised figures, as the export has them.

Choose a year (the years that have data; the last complete one first), read the
tables with a plain-text bar per count (as long as the screen allows: the widths
follow the terminal's), and export them (`ctrl+e`) as Markdown, CSV, JSON, HTML or
an OpenDocument text. The screen renders `casebook.statistics.public()`, the very view the exports
render, so only the published roundings reach the screen and the numbers are the same
as `casebook stats` (for a published year: the publication itself). Counting runs in
a worker thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Select, Static

from casebook.i18n import t
from screens.widgets.footer import KeyFooter

LABEL_WIDTH = 48  # the longest category label fits; longer titles are cut
LABEL_MIN = 24  # what a label keeps on a narrow screen before the bars give way
COUNT_WIDTH = 6
BAR_MIN = 8  # the bars' column at its narrowest (a narrower screen shrinks the labels)
BAR_MAX = 72  # and at its widest: longer bars read no better on a very wide screen
TOTAL_KEY = "__total__"


def column_widths(width: int, *, reserved: int, padding: int = 1) -> tuple[int, int]:
    """(label, bar) widths for a table `width` cells wide, less `reserved` (the body's
    padding and its scrollbar): three columns, each with `padding` cells either side,
    the counts' column fixed. The labels keep LABEL_WIDTH while the bars get at least
    BAR_MIN; below that the labels shrink (not under LABEL_MIN) before the bars do."""
    room = max(0, width - reserved - 3 * 2 * padding - COUNT_WIDTH)
    label = LABEL_WIDTH
    if room - label < BAR_MIN:
        label = max(LABEL_MIN, room - BAR_MIN)
    return label, max(0, min(BAR_MAX, room - label))


def bar_for(cell: dict, largest: int, width: int) -> Text:
    """A horizontal bar proportional to a published (rounded) count: the table's
    largest count fills `width`; any other count a share of it (at least one block), so
    a larger count never gets a shorter bar, and no bar is longer than `width`."""
    value = cell["value"] or 0
    if value <= 0 or largest <= 0 or width <= 0:
        return Text("")
    return Text("█" * max(1, round(min(value, largest) / largest * width)))


class StatisticsScreen(Screen):
    CSS_PATH = "statistics_screen.tcss"

    BINDINGS = [
        Binding("ctrl+e,e", "export", "stats.key.export", id="stats.export"),
        Binding("p", "publish", "stats.key.publish", id="stats.publish"),
        Binding("r", "reload", "stats.key.refresh", id="stats.refresh", show=False),
        Binding("escape", "back", "stats.key.back", id="stats.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: dict | None = None  # the published view on screen (statistics.public)
        self.year: int | None = None
        self.widths: tuple[int, int] = (LABEL_WIDTH, BAR_MIN)  # (label, bar) columns
        # every table on screen and how to fill it again at new widths
        self._tables: list[tuple[DataTable, Callable[[DataTable], None]]] = []

    # -- layout ---------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="stats-bar"):
            yield Label(Text(t("stats.screen.year")), id="stats-year-label")
            yield Select([], id="stats-year", allow_blank=True, prompt=t("stats.screen.year"))
            yield Static(Text(""), id="stats-legend")
        yield VerticalScroll(id="stats-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = t("stats.screen.title")
        self._show_message(t("stats.screen.loading"))
        self._load_years(self._today())

    def _today(self) -> date:
        today = getattr(self.app, "today", None)
        if callable(today):
            return today()
        from casebook.dates import today as local_today

        return local_today()

    # -- data -----------------------------------------------------------------------

    def _load_years(self, today: date) -> None:
        from casebook import statistics
        from screens import door

        door.read(
            self,
            statistics.years_with_data,
            lambda years: self._set_years(years, statistics.default_year(years, today)),
            group="stats-years",
        )

    def _set_years(self, years: list[int], default: int) -> None:
        if not self.is_attached:
            return
        if default not in years:
            years = sorted({*years, default}, reverse=True)
        select = self.query_one("#stats-year", Select)
        select.set_options([(str(y), y) for y in years])
        select.value = default
        if select.value == default and self.year != default:
            self._load(default)

    @on(Select.Changed, "#stats-year")
    def _year_chosen(self, event: Select.Changed) -> None:
        if isinstance(event.value, int) and event.value != self.year:
            self._load(event.value)

    def _load(self, year: int) -> None:
        self.year = year
        self._count(year)

    def _count(self, year: int) -> None:
        from casebook import statistics
        from screens import door

        door.read(
            self,
            lambda session: statistics.public(statistics.compute(session, year)),
            self._show,
            group="stats",
        )

    def action_reload(self) -> None:
        if self.year is not None:
            self._count(self.year)

    def action_back(self) -> None:
        # Back to the screen below (Today); never to the App's empty default screen.
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()

    # -- showing --------------------------------------------------------------------

    def _show_message(self, message: str) -> None:
        body = self.query_one("#stats-body", VerticalScroll)
        body.remove_children()
        body.mount(Static(Text(message), classes="stats-empty"))

    async def _show(self, view: dict) -> None:
        if not self.is_attached or view["year"] != self.year:
            return
        self.view = view
        disclosure = view["disclosure"]
        self.query_one("#stats-legend", Static).update(
            Text(
                t(
                    "stats.screen.rounded_legend",
                    k=disclosure["k"],
                    status=view["publication"]["text"],
                )
            )
        )
        body = self.query_one("#stats-body", VerticalScroll)
        await body.remove_children()
        self._tables = []
        self.widths = self._widths(self.size.width)
        widgets = []
        for section in view["sections"]:
            sid = section["id"]
            widgets.append(Static(Text(section["title"]), classes="section-head"))
            figures = [f for f in view["figures"] if f["section"] == sid]
            if figures:
                widgets.append(self._figure_table(f"figures-{sid}", figures))
            for table in view["tables"]:
                if table["section"] == sid:
                    widgets.append(Static(Text(table["title"]), classes="table-head"))
                    if table["note"]:
                        widgets.append(Static(Text(table["note"]), classes="setting-text"))
                    if not table["withheld"]:
                        widgets.append(self._count_table(table))
            medians = [m for m in view["medians"] if m["section"] == sid]
            if medians:
                widgets.append(self._median_table(medians))
            if sid == "basisniveau":
                widgets.extend(self._settings_widgets(view["basisniveau"]["settings"]))
        await body.mount_all(widgets)

    # -- tables and their widths ----------------------------------------------------

    def _widths(self, width: int) -> tuple[int, int]:
        """The label and bar widths for a screen `width` wide: less the body's padding
        and its scrollbar (reserved even while the body fits: the bars must not change
        when it starts to scroll)."""
        reserved = 0
        for body in self.query("#stats-body"):  # none yet before the screen is composed
            padding = body.styles.padding
            reserved = padding.left + padding.right + body.styles.scrollbar_size_vertical
        return column_widths(width, reserved=reserved)

    def on_resize(self, event: events.Resize) -> None:
        widths = self._widths(event.size.width)
        if widths == self.widths:
            return
        self.widths = widths
        for widget, fill in self._tables:
            widget.clear(columns=True)
            fill(widget)

    def _new_table(self, widget_id: str, fill: Callable[[DataTable], None]) -> DataTable:
        table = DataTable(id=widget_id, classes="stats-table", show_cursor=False)
        table.can_focus = False
        fill(table)
        # As tall as its rows: a DataTable stops at its parent's height by default
        # (max-height 100%), and a long table would then scroll inside the page with
        # its own scrollbar over the bars (and no key to scroll it: it takes no focus).
        table.styles.max_height = table.row_count + 1  # and the header row
        self._tables.append((table, fill))
        return table

    def _count_table(self, table: dict) -> DataTable:
        return self._new_table(f"table-{table['id']}", partial(self._fill_count, table))

    def _fill_count(self, table: dict, widget: DataTable) -> None:
        label_width, bar_width = self.widths
        widget.add_column(Text(t("stats.md.category")), width=label_width, key="label")
        widget.add_column(Text(t("stats.md.count")), width=COUNT_WIDTH, key="count")
        widget.add_column(Text(""), width=bar_width, key="bar")
        largest = max((c["value"] for c in table["cells"]), default=0)
        for cell in table["cells"]:
            widget.add_row(
                Text(cell["label"]),
                Text(cell["display"], justify="right"),
                bar_for(cell, largest, bar_width),
                key=cell["code"],
            )
        total = table["total"]
        widget.add_row(
            Text(total["label"], style="bold"),
            Text(total["display"], style="bold", justify="right"),
            Text(""),
            key=TOTAL_KEY,
        )

    def _figure_table(self, widget_id: str, figures: list[dict]) -> DataTable:
        return self._new_table(widget_id, partial(self._fill_figures, figures))

    def _fill_figures(self, figures: list[dict], widget: DataTable) -> None:
        widget.add_column(Text(t("stats.md.figure")), width=self.widths[0], key="label")
        widget.add_column(Text(t("stats.md.count")), width=COUNT_WIDTH, key="count")
        for fig in figures:
            widget.add_row(Text(fig["title"]), Text(fig["display"], justify="right"), key=fig["id"])

    def _median_table(self, medians: list[dict]) -> DataTable:
        return self._new_table("medians", partial(self._fill_medians, medians))

    def _fill_medians(self, medians: list[dict], widget: DataTable) -> None:
        widget.add_column(Text(t("stats.md.figure")), width=self.widths[0], key="label")
        widget.add_column(Text(t("stats.md.days")), key="count")
        for med in medians:
            widget.add_row(Text(med["title"]), Text(med["display"]), key=med["id"])

    def _settings_widgets(self, items: list[dict]) -> list[Static]:
        widgets = []
        for item in items:
            if item["key"] == "municipality":
                continue
            widgets.append(Static(Text(item["label"]), classes="table-head"))
            text = item["text"] or t("stats.setting.empty")
            widgets.append(Static(Text(text), classes="setting-text"))  # literal, never markup
        return widgets

    # -- export ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("export", "publish") and self.view is None:
            return None
        return True

    # -- publishing -----------------------------------------------------------------

    def action_publish(self) -> None:
        """Publish the year on screen (after a yes): its figures are fixed from then on.
        A correction is issued with `casebook stats YEAR --correct`."""
        if self.view is None:
            return
        view = self.view
        if view["publication"]["status"] != "draft":
            self.notify(
                t("stats.screen.already_published", year=view["year"]),
                severity="warning",
                markup=False,
            )
            return
        from screens.widgets.confirm import ConfirmModal

        self.app.push_screen(
            ConfirmModal(
                t("stats.screen.publish_confirm", year=view["year"], k=view["disclosure"]["k"])
            ),
            lambda yes: self._publish(view["year"]) if yes else None,
        )

    def _publish(self, year: int) -> None:
        from casebook.services import publications
        from screens import door

        def published(row_facts) -> None:
            version, k = row_facts
            self.notify(t("stats.cli.published", year=year, version=version, k=k), markup=False)
            self.action_reload()

        def publish(session):
            row = publications.publish(session, year)
            return row.version, row.k

        door.write(self, publish, published, group="stats-publish")

    def action_export(self) -> None:
        if self.view is None:
            return
        from screens.statistics_export_modal import StatisticsExportModal

        view = self.view
        self.app.push_screen(
            StatisticsExportModal(view["year"], default_folder()),
            lambda result: self._export(view, result),
        )

    def _export(self, view: dict, result: tuple[str, Path] | None) -> None:
        if result is None:
            return
        fmt, path = result
        self._write(view, fmt, path)

    @work(thread=True, exclusive=True, group="stats-export")
    def _write(self, view: dict, fmt: str, path: Path) -> None:
        from casebook import stats_export

        try:
            stats_export.write(view, fmt, path)
        except FileExistsError:
            self.app.call_from_thread(
                self.notify, t("stats.export.exists"), severity="error", markup=False
            )
            return
        except OSError as exc:
            message = t("stats.export.failed", reason=exc.strerror or type(exc).__name__)
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, t("stats.export.done", name=path.name), markup=False)


def default_folder() -> Path:
    """The user's documents folder if there is one, else the current folder."""
    try:
        from platformdirs import user_documents_path

        folder = user_documents_path()
        if folder.is_dir():
            return folder
    except Exception:  # pragma: no cover - platformdirs could not tell
        pass
    return Path.cwd()
