"""Helpers for the Pilot tests of the daily screens: start the app on a casebook with
'today' frozen, wait for workers, read what the screen shows, type and choose as the
officer does."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import date

from rich.cells import cell_len
from textual import events
from textual.widgets import DataTable, Select

from screens.app import CasebookApp

TODAY = date(2026, 11, 28)
SIZE = (100, 32)


def make_app(cb) -> CasebookApp:
    return CasebookApp(cb)


async def workers_done(app) -> None:
    """Wait until the app's workers have finished. A read superseded by a newer one of
    its group (screens.door reads are exclusive) ends cancelled: finished too, not a
    failure (Textual's wait raises WorkerCancelled for it)."""
    from textual.worker import WorkerCancelled

    for _ in range(50):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            await asyncio.sleep(0.01)  # let the manager let go of the cancelled one


async def settle(pilot, rounds: int = 2) -> None:
    """Let messages, timers and workers finish."""
    for _ in range(rounds):
        await pilot.pause()
        await workers_done(pilot.app)
        await pilot.pause()


async def settle_search(pilot) -> None:
    """Let a search typed key by key finish (each key starts one; the last one counts)."""
    await settle(pilot, rounds=3)


_SVG_TEXT = re.compile(
    r'<text [^>]*?x="([0-9.]+)"[^>]*?textLength="([0-9.]+)"[^>]*?'
    r'clip-path="url\(#[^)]*?-line-(\d+)\)"[^>]*>(.*?)</text>'
)


def screen_text(app) -> str:
    """The text of the whole terminal as the officer sees it (no colours), read from
    Textual's public screenshot (an SVG: each run of text at its column and line)."""
    svg = app.export_screenshot()
    width, height = app.size
    runs: dict[int, list[tuple[int, str]]] = {}
    for x, length, line, raw in _SVG_TEXT.findall(svg):
        text = html.unescape(raw).replace("\xa0", " ")
        char_width = float(length) / len(text)
        runs.setdefault(int(line), []).append((round(float(x) / char_width), text))
    lines = []
    for y in range(height):
        out, column = "", 0
        for x, text in sorted(runs.get(y, [])):
            out += " " * max(0, x - column) + text
            column = x + cell_len(text)
        lines.append(out + " " * max(0, width - column))
    return "\n".join(lines)


def record_notices(app) -> list:
    """The notifications `app` shows from now on, as (message, severity) pairs,
    recorded through the public `App.notify`."""
    shown: list[tuple[str, str]] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        shown.append((str(message), kwargs.get("severity", "information")))
        return notify(message, *args, **kwargs)

    app.notify = recording
    return shown


def table_rows(table: DataTable) -> list[list[str]]:
    return [[cell.plain for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def type_text(pilot, text: str) -> None:
    """Type printable text key by key into the focused widget."""
    await pilot.press(*list(text))


async def paste(pilot, widget, text: str) -> None:
    """Paste `text` into `widget` (what a terminal delivers for a paste: any text)."""
    widget.focus()
    await pilot.pause()
    # as a terminal does: the App receives the paste and forwards it to the focus
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def choose(pilot, select: Select, search: str) -> None:
    """Open a Select with Enter, type to search, Enter to pick."""
    select.focus()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    await type_text(pilot, search)
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def burst(app, *keys: str) -> None:
    """Keys as a terminal delivers a fast typist's burst: all queued before the app
    handles the first (Pilot.press waits for the app between keys)."""
    for key in keys:
        character = key if len(key) == 1 else {"slash": "/", "enter": "\r", "space": " "}.get(key)
        app.post_message(events.Key(key, character))


async def wait_until(pilot, condition, timeout: float = 5.0) -> bool:
    """Let the app run until `condition()` holds (or `timeout` seconds have passed);
    for chains of workers and messages whose length a fixed number of pauses misses."""
    waited = 0.0
    while not condition() and waited < timeout:
        await pilot.pause(0.02)
        waited += 0.02
    await settle(pilot)
    return bool(condition())


async def palette_answered(pilot, timeout: float = 10.0) -> None:
    """Wait until the command palette shows its answer to all that was typed: its search
    done and hits listed, or Textual's own 'no matches' line (which it adds half a
    second after a search that found nothing). Hits of a half-typed word do not count."""
    import asyncio

    from textual.command import CommandList

    app = pilot.app
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        await workers_done(app)  # the palette searches in a worker
        await pilot.pause()
        found = app.screen.query(CommandList)
        if found and found.first().option_count > 0 and not app.workers:
            return
        assert loop.time() < deadline, "the palette gave no answer"
        await pilot.pause(0.05)
