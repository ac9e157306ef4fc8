"""Snapshots of the case screen (every tab) and the closure dialog, in Dutch and in
English, on the demo casebook with 'today' frozen at 28-11-2026. Case 2026-0053 is
open and has something in every section."""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from casebook import i18n
from casebook.models import Case
from tests.caseui import case_app, settle, still

REFERENCE = "2026-0053"
TABS = ["signals", "persons", "steps", "referrals", "contacts", "consent", "deadlines", "timeline"]


@pytest.fixture
def fixed_zone(monkeypatch):
    """Times are shown in local time: pin the zone so the snapshots match anywhere."""
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def demo_case_id(book) -> int:
    with book.read() as s:
        return s.exec(select(Case.id).where(Case.reference == REFERENCE)).one()


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("tab", TABS)
def test_case_screen_tab(snap_compare, demo_cb, fixed_zone, language, tab):
    i18n.set_language(language)
    app = case_app(demo_cb, demo_case_id(demo_cb))

    async def open_tab(pilot):
        await settle(pilot)
        await pilot.press(str(TABS.index(tab) + 1))
        await still(pilot)

    assert snap_compare(app, terminal_size=(100, 32), run_before=open_tab)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_closure_dialog(snap_compare, demo_cb, fixed_zone, language):
    i18n.set_language(language)
    app = case_app(demo_cb, demo_case_id(demo_cb))

    async def open_closure(pilot):
        await settle(pilot)
        await pilot.press("f10")
        await still(pilot)

    assert snap_compare(app, terminal_size=(100, 32), run_before=open_closure)
