"""One measured run of casebook's UI, headless, in its own process.

Run by bench/run.py as:

    python bench/ui_child.py MODE DB OUT_JSON [--today YYYY-MM-DD] [--case REF] [--query TEXT]

It starts casebook the way the `casebook` command does (`casebook.cli.main`), with
`App.run` made headless, and records in OUT_JSON the moments (time.monotonic) that
the parent compares with the moment it started the process:

- today:  the Today board has painted its data, then exits;
- search: Today painted, then F3 (Cases), `/` and the query typed key by key; for each
          key, the time from the key press to the list repainted with that key's result;
- case:   Today painted, then the case REF opened; the time until it has painted.

"Painted with data" is: the service call that reads the data has returned, the app
has processed every pending message, and one screen refresh has happened after that.
The service functions are wrapped before the screens are imported, so the screens
call the wrappers; the wrappers only note when a call starts and ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import threading
import time
from datetime import date

CALLS: list[dict] = []
_LOCK = threading.Lock()
SIZE = (120, 40)
TIMEOUT = 20.0


def _probe(module, name: str, key) -> None:
    original = getattr(module, name)

    def wrapper(*args, **kwargs):
        started = time.monotonic()
        result = original(*args, **kwargs)
        with _LOCK:
            CALLS.append(
                {"name": name, "key": key(args, kwargs), "start": started, "end": time.monotonic()}
            )
        return result

    wrapper.__wrapped__ = original
    setattr(module, name, wrapper)


def _search_of(args, kwargs):
    flt = kwargs.get("flt", args[1] if len(args) > 1 else None)
    return (getattr(flt, "search", "") or "").strip().lower()


def _case_of(args, kwargs):
    return kwargs.get("case_id", args[1] if len(args) > 1 else None)


def install_probes() -> None:
    from casebook.services import cases, today

    _probe(today, "board", lambda a, k: None)
    _probe(cases, "list_cases", _search_of)
    _probe(cases, "count_cases", _search_of)
    _probe(cases, "case_detail", _case_of)


async def wait_call(name: str, since: float, key=None, *, missing="any") -> dict | None:
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
        await asyncio.sleep(0.001)
    return None


async def painted(app, pilot) -> float:
    """Let the app process what is pending, then wait for one screen refresh."""
    await pilot.pause()
    done = asyncio.get_running_loop().create_future()
    app.screen.call_after_refresh(lambda: done.done() or done.set_result(time.monotonic()))
    return await asyncio.wait_for(done, TIMEOUT)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("today", "search", "case"))
    parser.add_argument("db")
    parser.add_argument("out")
    parser.add_argument("--today", default=None)
    parser.add_argument("--case", default=None)
    parser.add_argument("--query", default="quinma")
    opts = parser.parse_args()
    fixed_today = date.fromisoformat(opts.today) if opts.today else None
    result: dict = {"mode": opts.mode}

    install_probes()
    from screens.app import CasebookApp

    async def pilot_today(pilot) -> None:
        app = pilot.app
        call = await wait_call("board", 0.0)
        result["board_start"] = call["start"] if call else None
        result["painted"] = await painted(app, pilot)
        if opts.mode == "search":
            await _search(app, pilot)
        elif opts.mode == "case":
            await _open_case(app, pilot)
        result["alembic_loaded"] = "alembic" in sys.modules
        app.exit()

    async def _search(app, pilot) -> None:
        since = time.monotonic()
        await pilot.press("f3")
        first = await wait_call("list_cases", since)
        result["cases_screen"] = type(app.screen).__name__
        result["cases_painted"] = await painted(app, pilot) if first else None
        await pilot.press("slash")
        await pilot.pause()
        keys, typed = [], ""
        for ch in opts.query:
            typed += ch
            start = time.monotonic()
            await pilot.press(ch)
            call = await wait_call("list_cases", start, typed.strip().lower())
            end = await painted(app, pilot)
            keys.append((end - start) * 1000 if call else None)
        result["keys_ms"] = keys

    async def _open_case(app, pilot) -> None:
        from sqlmodel import select

        from casebook.models import Case

        with app.casebook.read() as session:
            case_id = session.exec(select(Case.id).where(Case.reference == opts.case)).one()
        start = time.monotonic()
        app.open_case(case_id)
        call = await wait_call("case_detail", start, case_id)
        end = await painted(app, pilot)
        result["case_screen"] = type(app.screen).__name__
        result["open_ms"] = (end - start) * 1000 if call else None

    original_run = CasebookApp.run

    def headless_run(self, *args, **kwargs):
        if fixed_today is not None:
            self._today = fixed_today
        return original_run(self, headless=True, size=SIZE, auto_pilot=pilot_today)

    CasebookApp.run = headless_run
    from casebook import cli

    code = cli.main(["--db", opts.db])
    result["exit_code"] = code
    result["exited"] = time.monotonic()
    with open(opts.out, "w") as fh:
        json.dump(result, fh)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
