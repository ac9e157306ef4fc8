"""Keystrokes for a realistic intake plus triage of a labour-exploitation signal, typed
as the officer does (every key counted), on an empty casebook with 'today' 28-11-2026.

    python bench/keystrokes.py            # the way dates are typed with casebook.date_input
    python bench/keystrokes.py --full     # every date typed out in full (dd-mm-jjjj)

`--full` also runs on a casebook before dates in a few keys (run it with that version's
code first on the path). The script checks what was saved, so a count is only printed
for a run that recorded the whole signal and triage as meant.

The signal: a phone call from a labour inspector, three days ago, about temporary
workers sleeping in a warehouse; the triage: normal urgency, logistics, care route,
labour exploitation, a report to the Labour Inspectorate in two days and a case
meeting on Friday.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

TODAY = "2026-11-28"


class Counted:
    """Presses keys through the Pilot and counts them."""

    def __init__(self, pilot):
        self.pilot = pilot
        self.count = 0

    async def keys(self, *keys: str) -> None:
        for key in keys:
            self.count += 1
            await self.pilot.press(key)
        await self.pilot.pause()
        await self.pilot.app.workers.wait_for_complete()
        await self.pilot.pause()

    async def text(self, text: str) -> None:
        await self.keys(*["space" if c == " " else c for c in text])

    async def choose(self, search: str) -> None:
        """Open the focused dropdown, type to search, pick."""
        await self.keys("enter")
        await self.text(search)
        await self.keys("enter")


def focused(app) -> str:
    return getattr(app.focused, "id", None) or type(app.focused).__name__


async def script(app, full: bool) -> int:
    async with app.run_test(size=(120, 40)) as pilot:
        k = Counted(pilot)
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        # -- intake ---------------------------------------------------------------------
        await k.keys("ctrl+n")
        assert focused(app) == "channel", focused(app)
        await k.choose("Tel")
        await k.keys("shift+tab")  # back to the date received
        assert focused(app) == "received-on", focused(app)
        await k.text("25-11-2026" if full else "-3")
        await k.keys("tab", "tab")  # over the channel to the source
        assert focused(app) == "source-role", focused(app)
        await k.choose("Ned")
        await k.keys("tab", "tab")  # over "anonymous" to the reporter's contact
        assert focused(app) == "reporter-contact", focused(app)
        await k.text("inspecteur 0612345678")
        await k.keys("tab", "tab")  # the subject stays "a person"
        assert focused(app) == "title", focused(app)
        await k.text("Uitzendkrachten slapen in loods")
        await k.keys("tab")
        assert focused(app) == "location", focused(app)
        await k.text("Industrieweg 5")
        await k.keys("tab")
        assert focused(app) == "observed", focused(app)
        await k.text("Twaalf uur per dag, paspoorten bij de baas")
        await k.keys("ctrl+s")
        assert type(app.screen).__name__ == "TodayScreen", type(app.screen).__name__
        # -- triage ---------------------------------------------------------------------
        await k.keys("t")
        assert type(app.screen).__name__ == "TriageScreen", type(app.screen).__name__
        assert focused(app) == "urgency", focused(app)  # normal urgency stays
        await k.keys("tab")
        assert focused(app) == "sector", focused(app)
        await k.choose("Verv")
        await k.keys("tab")
        assert focused(app) == "route", focused(app)
        await k.choose("Zorg")
        await k.keys("tab")
        assert focused(app) == "exploitation", focused(app)
        await k.keys("down", "space")  # labour exploitation, the second
        await k.keys("tab", "tab")  # over the route note to the first step row
        assert focused(app) == "s0-type", focused(app)
        await k.choose("Melding A")
        await k.keys("tab")
        assert focused(app) == "s0-due", focused(app)
        if full:
            await k.text("30-11-2026")
        # else: the usual two days of a report to the Labour Inspectorate are filled in
        await k.keys("tab")
        assert focused(app) == "s0-desc", focused(app)
        await k.text("Melden bij NLA")
        await k.keys("tab")
        assert focused(app) == "s1-type", focused(app)
        await k.choose("Casus")
        await k.keys("tab")
        if full:
            await k.text("04-12-2026")
        else:
            await k.text("vr")  # over the usual week: Friday
        await k.keys("ctrl+s")
        assert type(app.screen).__name__ == "TodayScreen", type(app.screen).__name__
        return k.count


def check_saved(path: Path) -> None:
    from sqlmodel import select

    from casebook.db import open_casebook
    from casebook.models import Case, FollowUpStep, Signal

    book = open_casebook(path)
    try:
        with book.read() as s:
            [case] = s.exec(select(Case)).all()
            [signal] = s.exec(select(Signal)).all()
            steps = s.exec(select(FollowUpStep).order_by(FollowUpStep.id)).all()
            got = (
                signal.received_on,
                signal.channel,
                case.sector,
                case.route,
                [(st.step_type, st.due_on) for st in steps],
            )
    finally:
        book.close()
    want = (
        date(2026, 11, 25),
        "PHONE",
        "LOG",
        "CARE",
        [("REPORT_NLA", date(2026, 11, 30)), ("CASE_MEETING", date(2026, 12, 4))],
    )
    assert got == want, got


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="type every date in full")
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="casebook-keys-"))
    os.environ["CASEBOOK_HOME"] = str(home)
    os.environ["CASEBOOK_NOW"] = TODAY
    os.environ.pop("CASEBOOK_DB", None)
    from casebook.db import open_casebook
    from screens.app import CasebookApp

    path = home / "casebook.sqlite3"
    book = open_casebook(path)
    try:
        count = asyncio.run(script(CasebookApp(book), args.full))
    finally:
        book.close()
    check_saved(path)
    way = "dates typed in full" if args.full else "dates in a few keys"
    print(f"intake + triage of a labour-exploitation signal, {way}: {count} keystrokes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
