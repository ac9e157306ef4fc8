"""The Statistics screen, through the Pilot: choose a year, see the rounded figures,
export to a file, publish; and the same figures as `casebook stats`."""

from __future__ import annotations

import json
from datetime import date

from textual.app import App
from textual.widgets import DataTable, Input, Select, Static

from casebook import statistics, stats_export
from casebook.cli import main
from casebook.services import settings
from screens.statistics_screen import TOTAL_KEY, StatisticsScreen
from tests.test_statistics import build_golden

TODAY = date(2026, 11, 28)


class StatsTestApp(App):
    """A minimal App: a casebook, a fixed 'today', and the Statistics screen on top."""

    def __init__(self, casebook):
        super().__init__()
        self.casebook = casebook
        self.notes: list[str] = []  # every notification's message, in order

    def today(self) -> date:
        return TODAY

    def notify(self, message, *args, **kwargs) -> None:
        self.notes.append(str(message))
        super().notify(message, *args, **kwargs)

    def on_mount(self) -> None:
        self.push_screen(StatisticsScreen())


async def settle(app, pilot) -> None:
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()


def cell_text(table: DataTable, row: str, column: str) -> str:
    return str(table.get_cell(row, column))


async def test_choose_year_see_rounded_figures_and_export(cb, tmp_path):
    build_golden(cb)
    app = StatsTestApp(cb)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, StatisticsScreen)
        select = screen.query_one("#stats-year", Select)
        assert select.value == 2025  # the last complete year
        # choose 2024 with the keyboard: open the list, one down, Enter
        select.focus()
        await pilot.press("enter")
        await pilot.press("down")
        await pilot.press("enter")
        await settle(app, pilot)
        assert select.value == 2024
        assert screen.view["year"] == 2024
        figures = screen.query_one("#figures-cases", DataTable)
        assert cell_text(figures, "cases_opened", "count") in ("0", "5")  # one case in 2024
        # and back to 2025
        select.focus()
        await pilot.press("enter")
        await pilot.press("up")
        await pilot.press("enter")
        await settle(app, pilot)
        assert screen.view["year"] == 2025
        gender = screen.query_one("#table-victims_by_gender", DataTable)
        view_gender = next(t for t in screen.view["tables"] if t["id"] == "victims_by_gender")
        for cell in view_gender["cells"]:
            assert cell_text(gender, cell["code"], "count") == cell["display"]
            assert int(cell["display"]) % 5 == 0
        assert cell_text(gender, TOTAL_KEY, "count") == view_gender["total"]["display"]
        assert cell_text(gender, TOTAL_KEY, "count") in ("5", "10")  # 7 victims
        legend = str(screen.query_one("#stats-legend", Static).render())
        assert "veelvoud van 5" in legend and "Concept" in legend
        channels = screen.query_one("#table-signals_by_channel", DataTable)
        view_channels = next(t for t in screen.view["tables"] if t["id"] == "signals_by_channel")
        largest = max(c["value"] for c in view_channels["cells"])
        bar_width = screen.widths[1]
        assert bar_width > 30  # 120 columns leave room for long bars
        for cell in view_channels["cells"]:
            bar = cell_text(channels, cell["code"], "bar")
            assert bar == (
                "█" * round(cell["value"] / largest * bar_width) if cell["value"] else ""
            )
        # export as CSV to a chosen file
        await pilot.press("ctrl+e")
        await pilot.pause()
        modal = app.screen
        modal.query_one("#export-format", Select).value = "csv"
        await pilot.pause()
        target = tmp_path / "cijfers-2025.csv"
        field = modal.query_one("#export-path", Input)
        field.value = str(target)
        field.focus()
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.screen is screen
        assert target.exists()
        assert any("cijfers-2025.csv" in message for message in app.notes)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with cb.read() as s:
        expected = stats_export.to_csv(statistics.public(statistics.compute(s, 2025)))
    assert raw.decode("utf-8") == expected
    assert ";M;Man;" in expected and "<5" not in expected


async def test_export_suggests_a_new_name_and_refuses_existing_files(cb, tmp_path, monkeypatch):
    build_golden(cb)
    monkeypatch.chdir(tmp_path)
    import screens.statistics_screen as module

    monkeypatch.setattr(module, "default_folder", lambda: tmp_path)
    (tmp_path / "jaarcijfers-2025.md").write_text("bestaand")
    app = StatsTestApp(cb)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        field = app.screen.query_one("#export-path", Input)
        assert field.value == str(tmp_path / "jaarcijfers-2025-2.md")
        app.screen.query_one("#export-format", Select).value = "json"
        await pilot.pause()
        assert field.value == str(tmp_path / "jaarcijfers-2025-2.json")
        field.value = str(tmp_path / "jaarcijfers-2025.md")  # exists
        field.focus()
        await pilot.press("enter")
        await pilot.pause()
        error = app.screen.query_one("#export-error", Static)
        assert "bestaat al" in str(error.render())
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, StatisticsScreen)
    assert (tmp_path / "jaarcijfers-2025.md").read_text() == "bestaand"


async def test_screen_shows_the_figures_of_the_cli(cb, tmp_path):
    """The numbers on the screen equal `casebook stats --format json` for the same year."""
    build_golden(cb)
    with cb.write() as s:
        settings.put(s, "policy_other", "[bold]niet vet[/bold] en [/] geen opmaak")
    out = tmp_path / "cli.json"
    assert main(["--db", str(cb.path), "stats", "2025", "--format", "json", "--out", str(out)]) == 0
    exported = json.loads(out.read_text(encoding="utf-8"))
    app = StatsTestApp(cb)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert screen.view["year"] == 2025
        compared = 0
        for table in exported["tables"]:
            widget = screen.query_one(f"#table-{table['id']}", DataTable)
            for cell in table["cells"]:
                assert cell_text(widget, cell["code"], "count") == cell["display"]
                assert cell_text(widget, cell["code"], "label") == cell["label"]
                compared += 1
            assert cell_text(widget, TOTAL_KEY, "count") == table["total"]["display"]
        for fig in exported["figures"]:
            widget = screen.query_one(f"#figures-{fig['section']}", DataTable)
            assert cell_text(widget, fig["id"], "count") == fig["display"]
        medians = screen.query_one("#medians", DataTable)
        for med in exported["medians"]:
            assert cell_text(medians, med["id"], "count") == med["display"]
        assert compared > 50
        # the officer's policy text is shown literally, not as markup
        texts = [str(w.render()) for w in screen.query(".setting-text").results(Static)]
        assert "[bold]niet vet[/bold] en [/] geen opmaak" in texts


async def test_publish_on_the_screen_fixes_the_year(cb, tmp_path):
    """'p' asks, then publishes the year on screen; the legend says it is published, the
    figures stay the same, and 'p' again says to issue a correction instead."""
    build_golden(cb)
    app = StatsTestApp(cb)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        before = screen.view
        assert before["publication"]["status"] == "draft"
        await pilot.press("p")
        await pilot.pause()
        assert "2025" in str(app.screen.query_one(Static).render())
        await pilot.press("n")  # no: nothing published
        await settle(app, pilot)
        assert app.screen is screen and screen.view["publication"]["status"] == "draft"
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("j")
        await settle(app, pilot)
        assert screen.view["publication"]["status"] == "published"
        assert [t["total"] for t in screen.view["tables"]] == [t["total"] for t in before["tables"]]
        legend = str(screen.query_one("#stats-legend", Static).render())
        assert "Gepubliceerd (versie 1)" in legend
        await pilot.press("p")
        await settle(app, pilot)
        assert any("--correct" in message for message in app.notes)
    out = tmp_path / "cli.json"
    assert main(["--db", str(cb.path), "stats", "2025", "--format", "json", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["tables"] == screen.view["tables"]


async def test_the_screen_shows_no_canary_reference_or_date(tmp_path):
    """The screen passes the same content checks as the exports: a casebook with a
    canary in every free-text and identifying field, every year on screen."""
    from casebook.db import open_casebook
    from tests.test_statistics_properties import CANARY, DATES, REFERENCE, build

    spec = {
        "k": 3,
        "cases": [
            {
                "day": 700 + 40 * i,
                "source": "POL",
                "channel": "PHONE",
                "persons": [
                    {
                        "role": "VICTIM",
                        "gender": "MALE",
                        "born": 2009,
                        "age": None,
                        "nationality": "NG",
                    },
                ],  # fmt: skip
                "extra_signals": [],
                "triage": (3, ["LAB"], "BEAUTY", "CARE"),
                "steps": [("REPORT_POL", 10)],
                "referral": ("MO_MAN", 5, "PLACED", 3),
                "close": ("NO_TH", 60, None),
            }
            for i in range(4)
        ],
        "trainings": [(800, 12)],
    }
    path, issued, refs = build(tmp_path, spec)
    cb = open_casebook(path)
    try:
        app = StatsTestApp(cb)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            screen = app.screen
            select = screen.query_one("#stats-year", Select)
            with cb.read() as s:
                years = statistics.years_with_data(s)
            seen = 0
            for year in years:
                select.value = year
                await settle(app, pilot)
                assert screen.view["year"] == year
                texts = [str(w.render()) for w in screen.query(Static).results(Static)]
                for table in screen.query(DataTable).results(DataTable):
                    for row in table.rows:
                        texts += [str(c) for c in table.get_row(row)]
                text = "\n".join(texts)
                assert CANARY not in text
                assert not any(ref in text for ref in refs)
                assert not REFERENCE.search(text)
                for pattern in DATES:
                    assert not pattern.search(text), pattern.search(text)
                seen += len(texts)
            assert seen > 100
    finally:
        cb.close()
