"""One measured run of casebook's UI, headless, in its own process.

Run by bench/run.py as:

    python bench/ui_child.py MODE DB OUT_JSON [--today YYYY-MM-DD] [--case REF] [--query TEXT]

It starts casebook the way the `casebook` command does (`casebook.cli.main`), with
`App.run` made headless, and records in OUT_JSON moments (time.monotonic, comparable
with the parent's clock) and durations:

- today:  the moment the Today board has painted its data (`painted`); then `r` is
          pressed three times and each reload timed from the key to the repaint
          (`reload_ms`, the board's load time without the start-up around it);
- search: Today painted, F3 (Cases), `/`, then the query typed key by key; for each key
          the time from the key press to the list repainted with that key's result;
- case:   Today painted, then the case REF opened; the time until it has painted.

"Painted with data" means: the service call that reads the data has returned, the
screen method that shows it has run, and after that the app has rendered an update
of the screen (`App._display`, called with what the terminal would be sent; headless,
nothing is sent). The service functions are wrapped before the screens are imported,
so the screens call the wrappers; the wrappers only note when a call starts and ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from datetime import date

CALLS: list[dict] = []
_LOCK = threading.Lock()
SIZE = (120, 40)
TIMEOUT = 30.0
# The screen methods that put data on the screen, per screen class name.
SHOW_METHODS = {
    "TodayScreen": "_show_board",
    "CasesScreen": "_show",
    "CaseScreen": "show",
}


def _note(name: str, key, started: float) -> None:
    with _LOCK:
        CALLS.append({"name": name, "key": key, "start": started, "end": time.monotonic()})


def _probe(owner, name: str, key=lambda a, k: None, label: str | None = None) -> None:
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        started = time.monotonic()
        try:
            return original(*args, **kwargs)
        finally:
            _note(label or name, key(args, kwargs), started)

    wrapper.__wrapped__ = original
    setattr(owner, name, wrapper)


def _search_of(args, kwargs):
    flt = kwargs.get("flt", args[1] if len(args) > 1 else None)
    return (getattr(flt, "search", "") or "").strip().casefold()


def _case_of(args, kwargs):
    return kwargs.get("case_id", args[1] if len(args) > 1 else None)


def install_probes(mode: str = "today") -> None:
    from casebook.services import today

    _probe(today, "board")
    if mode == "today":
        return
    from casebook.services import cases

    _probe(cases, "list_cases", _search_of)
    _probe(cases, "count_cases", _search_of)
    _probe(cases, "case_detail", _case_of)


def install_screen_probes() -> None:
    """Wrap each screen's show method as its module is imported, so that the
    screens are still imported when the app imports them (their import time stays
    where it falls in a real run)."""
    import importlib.abc
    import importlib.machinery

    from textual.app import App

    modules = {
        "screens.today_screen": "TodayScreen",
        "screens.cases_screen": "CasesScreen",
        "screens.case_screen": "CaseScreen",
    }

    def patch(module) -> None:
        cls = getattr(module, modules[module.__name__], None)
        method = SHOW_METHODS.get(modules[module.__name__])
        if cls is not None and hasattr(cls, method):
            _probe(cls, method, label=f"show:{cls.__name__}")

    class AfterImport(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name not in modules:
                return None
            spec = importlib.machinery.PathFinder.find_spec(name, path)
            if spec is None or spec.loader is None:
                return spec
            exec_module = spec.loader.exec_module

            def run_then_patch(module):
                exec_module(module)
                patch(module)

            spec.loader.exec_module = run_then_patch
            return spec

    for name in modules:
        if name in sys.modules:
            patch(sys.modules[name])
    sys.meta_path.insert(0, AfterImport())

    original = App._display

    def display(self, screen, renderable):
        started = time.monotonic()
        result = original(self, screen, renderable)
        if renderable is not None:
            _note("display", type(screen).__name__, started)
        return result

    App._display = display


async def wait_call(name: str, since: float, key=None) -> dict | None:
    """Wait until a call of `name` (with `key`, when given) that began after `since`
    has returned."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with _LOCK:
            for call in CALLS:
                if (
                    call["name"] == name
                    and call["start"] >= since
                    and (key is None or call["key"] == key)
                ):
                    return call
        await asyncio.sleep(0.0005)
    return None


async def shown(service: str, since: float, key=None, *, screen: str) -> float | None:
    """When the data read by `service` (a call begun after `since`) was on screen."""
    call = await wait_call(service, since, key)
    if call is None:
        return None
    show = await wait_call(f"show:{screen}", call["end"])
    if show is None:
        return None
    paint = await wait_call("display", show["end"])
    return paint["end"] if paint else None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("today", "search", "case"))
    parser.add_argument("db")
    parser.add_argument("out")
    parser.add_argument("--today", default=None)
    parser.add_argument("--case", default=None)
    parser.add_argument("--query", default="quinma")
    opts = parser.parse_args()
    if opts.today:
        # the one clock, for the whole child process (the casebook was made for that day)
        os.environ["CASEBOOK_NOW"] = date.fromisoformat(opts.today).isoformat()
    result: dict = {"mode": opts.mode}

    install_probes(opts.mode)
    from screens.app import CasebookApp

    install_screen_probes()

    async def pilot_today(pilot) -> None:
        app = pilot.app
        try:
            result["painted"] = await shown("board", 0.0, screen="TodayScreen")
            call = await wait_call("board", 0.0)
            result["board_ms"] = (call["end"] - call["start"]) * 1000 if call else None
            await pilot.pause()
            if opts.mode == "today":
                await _reload(app, pilot)
            elif opts.mode == "search":
                await _search(app, pilot)
            elif opts.mode == "case":
                await _open_case(app, pilot)
            result["alembic_loaded"] = "alembic" in sys.modules
        finally:
            app.exit()

    async def _reload(app, pilot) -> None:
        times = []
        for _ in range(3):
            start = time.monotonic()
            await pilot.press("r")
            end = await shown("board", start, screen="TodayScreen")
            times.append((end - start) * 1000 if end else None)
            await pilot.pause()
        result["reload_ms"] = times

    async def _search(app, pilot) -> None:
        start = time.monotonic()
        await pilot.press("f3")
        result["cases_painted_ms"] = _ms(
            await shown("list_cases", start, screen="CasesScreen"), start
        )
        await pilot.press("slash")
        await pilot.pause()
        keys, queries, typed = [], [], ""
        for ch in opts.query:
            typed += ch
            start = time.monotonic()
            await pilot.press(ch)
            end = await shown("list_cases", start, typed.strip().casefold(), screen="CasesScreen")
            keys.append(_ms(end, start))
            queries.append(_spent(("list_cases", "count_cases"), start, typed.strip().casefold()))
            await pilot.pause()
        result["keys_ms"] = keys
        result["key_queries_ms"] = queries  # the core's share: the two queries of each key

    async def _open_case(app, pilot) -> None:
        from sqlmodel import select

        from casebook.models import Case

        with app.casebook.read() as session:
            case_id = session.exec(select(Case.id).where(Case.reference == opts.case)).one()
        start = time.monotonic()
        app.open_case(case_id)
        end = await shown("case_detail", start, case_id, screen="CaseScreen")
        result["open_ms"] = _ms(end, start)
        result["case_detail_ms"] = _spent(("case_detail",), start, case_id)
        result["case_show_ms"] = _spent(("show:CaseScreen",), start)

    original_run = CasebookApp.run

    def headless_run(self, *args, **kwargs):
        return original_run(self, headless=True, size=SIZE, auto_pilot=pilot_today)

    CasebookApp.run = headless_run
    from casebook import cli, terminal

    # headless, with stdin at /dev/null: the screens' "a terminal is needed" check
    # (which stops a real start without one) does not apply to a headless run
    terminal.missing_terminal = lambda: None

    code = cli.main(["--db", opts.db])
    result["exit_code"] = code
    result["exited"] = time.monotonic()
    with open(opts.out, "w") as fh:
        json.dump(result, fh)
    return 0


def _spent(names: tuple[str, ...], since: float, key=None) -> float:
    """Milliseconds spent in the calls `names` (with `key`) begun after `since`."""
    with _LOCK:
        return sum(
            (c["end"] - c["start"]) * 1000
            for c in CALLS
            if c["name"] in names and c["start"] >= since and (key is None or c["key"] == key)
        )


def _ms(end: float | None, start: float) -> float | None:
    return (end - start) * 1000 if end is not None else None


if __name__ == "__main__":
    raise SystemExit(main())
