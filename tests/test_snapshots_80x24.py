"""Snapshots at 80x24, the smallest supported terminal (issue 16), in Dutch: the case
file's steps section (its status column in view, the section bar on one line) and the
intake form. Today at 80x24 is in test_snapshots_daily."""

from __future__ import annotations

from casebook import i18n
from tests.caseui import case_app, settle, still
from tests.test_snapshots_case import demo_case_id, fixed_zone  # noqa: F401 (a fixture)
from tests.test_snapshots_daily import demo_app, steady

SIZE = (80, 24)


def test_case_steps_80x24(snap_compare, demo_cb, fixed_zone):  # noqa: F811
    i18n.set_language("nl")
    app = case_app(demo_cb, demo_case_id(demo_cb))

    async def open_steps(pilot):
        await settle(pilot)
        await pilot.press("3")
        await still(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=open_steps)


def test_intake_80x24(snap_compare, demo_cb):
    app = demo_app(demo_cb, "nl")
    assert snap_compare(app, terminal_size=SIZE, run_before=steady(("ctrl+n",)))
