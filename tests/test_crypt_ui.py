"""The unlock screen (Dutch and English) and the whole route on an encrypted casebook,
intake to statistics, through the real App and the Pilot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Input

from casebook import cipher, encryption, i18n
from casebook.db import open_casebook
from screens.app import CasebookApp
from screens.statistics_screen import StatisticsScreen
from screens.unlock_screen import UnlockApp
from tests.cryptkit import PASSPHRASE, _cheap_kdf, raw_files  # noqa: F401
from tests.test_e2e_case import test_one_case_from_intake_to_closure
from tests.test_ui_intake import test_person_based_signal_is_recorded_as_entered
from tests.uikit import SIZE, screen_text, settle, type_text, wait_until

WORDS = {
    "nl": ("Casebook ontgrendelen", "opent dit casebook niet"),
    "en": ("Unlock the casebook", "does not open this casebook"),
}


@pytest.fixture
def locked_path(tmp_path, _empty_template):
    path = tmp_path / "casebook.sqlite3"
    shutil.copy(_empty_template, path)
    encryption.encrypt_in_place(path, PASSPHRASE)
    cipher.forget_all()
    return path


@pytest.mark.parametrize("lang", ["nl", "en"])
async def test_the_unlock_screen_refuses_then_opens(locked_path, lang):
    i18n.set_language(lang)
    title, wrong = WORDS[lang]
    before = raw_files(locked_path.parent)
    app = UnlockApp(locked_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert title in screen_text(app)
        field = app.screen.query_one(Input)
        assert field.password and field.has_focus  # masked, and ready to type
        await type_text(pilot, "niet het goede wachtwoord")
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: wrong in screen_text(app))
        assert "niet het goede" not in screen_text(app)
        assert field.value == "" and field.disabled  # a wait before the next try
        assert cipher.is_locked(locked_path)
        assert raw_files(locked_path.parent) == before  # refused: nothing written
        assert await wait_until(pilot, lambda: not field.disabled, timeout=5)
        # a second wrong one waits longer: growing, never a lock-out
        await type_text(pilot, "nog steeds fout")
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: "1 s" in screen_text(app))
        assert await wait_until(pilot, lambda: not field.disabled, timeout=5)
        await type_text(pilot, PASSPHRASE)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: app.return_value is True)
    assert not cipher.is_locked(locked_path)


async def test_escape_leaves_it_locked(locked_path):
    app = UnlockApp(locked_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
    assert app.return_value is False and cipher.is_locked(locked_path)


async def test_the_whole_route_on_an_encrypted_casebook(locked_path):
    cipher.unlock_with_passphrase(locked_path, PASSPHRASE)
    cb = open_casebook(locked_path)
    try:
        await test_one_case_from_intake_to_closure(cb)  # intake, triage, ... closure
        app = CasebookApp(cb)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("f6")
            assert await wait_until(pilot, lambda: isinstance(app.screen, StatisticsScreen))
            assert await wait_until(pilot, lambda: "2026" in screen_text(app), timeout=10)
    finally:
        cb.close()
    data = locked_path.read_bytes()
    assert b"Mila Fictief" not in data and b"Uitzendkrachten" not in data
    assert data[:16] != cipher.SQLITE_MAGIC


async def test_the_intake_screen_on_an_encrypted_casebook(locked_path):
    cipher.unlock_with_passphrase(locked_path, PASSPHRASE)
    cb = open_casebook(locked_path)
    try:
        await test_person_based_signal_is_recorded_as_entered(cb)  # typed in the form
    finally:
        cb.close()
    wal = Path(f"{locked_path}-wal")
    data = locked_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert b"nagelstudio" not in data and b"Geen paspoort" not in data


class _Store:
    """Stands in for the operating system's credential store (keyring's API)."""

    def __init__(self):
        self.saved: dict[tuple[str, str], str] = {}

    def get_password(self, service, name):
        return self.saved.get((service, name))

    def set_password(self, service, name, value):
        self.saved[(service, name)] = value


@pytest.mark.parametrize("tick", [False, True])
async def test_remember_on_this_computer_is_off_unless_ticked(locked_path, monkeypatch, tick):
    from textual.widgets import Checkbox

    import screens.unlock_screen as unlock

    store = _Store()
    monkeypatch.setattr(unlock, "_keyring", lambda: store)
    app = UnlockApp(locked_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        box = app.screen.query_one("#unlock-remember", Checkbox)
        assert box.value is False  # off by default
        if tick:
            box.value = True
        app.screen.query_one(Input).focus()
        await type_text(pilot, PASSPHRASE)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: app.return_value is True)
    assert bool(store.saved) is tick
    assert PASSPHRASE not in "".join(store.saved.values())  # the key, never the passphrase
    cipher.forget_all()
    assert unlock.remembered(locked_path) is tick
    assert cipher.is_locked(locked_path) is not tick
