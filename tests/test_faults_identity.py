"""Issue 14, part 4: the casebook file deleted, moved or replaced under a running
window is noticed before the next save, which is refused; a cancelled save is never
applied, even when the lock it waited for clears afterwards."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from casebook.db import open_casebook
from casebook.errors import SaveCancelled, StorageError
from casebook.services import settings as casebook_settings
from tests.servicekit import new_case


def _remove_with_side_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def test_a_deleted_casebook_refuses_the_next_save(cb):
    new_case(cb)
    _remove_with_side_files(cb.path)
    with pytest.raises(StorageError) as err:
        new_case(cb)
    assert err.value.key == "faults.file.gone"


def test_a_moved_casebook_refuses_the_next_save(cb, tmp_path):
    new_case(cb)
    moved = tmp_path / "elsewhere.sqlite3"
    os.rename(cb.path, moved)
    with pytest.raises(StorageError) as err:
        new_case(cb)
    assert err.value.key == "faults.file.gone"


def test_a_replaced_casebook_refuses_the_next_save(cb, tmp_path):
    new_case(cb)
    other = open_casebook(tmp_path / "other.sqlite3")
    other.close()
    os.replace(other.path, cb.path)
    with pytest.raises(StorageError) as err:
        new_case(cb)
    assert err.value.key == "faults.file.replaced"


def test_a_cancelled_save_is_not_applied(cb):
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(SaveCancelled), cb.write(cancel=cancel) as s:
        casebook_settings.put(s, "municipality", "Gemeente X")
    with cb.read() as s:
        assert casebook_settings.get(s, "municipality") == ""


def test_a_save_cancelled_while_waiting_for_a_lock_is_not_applied_when_it_clears(cb):
    holder = sqlite3.connect(cb.path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another window is writing
    cancel = threading.Event()

    def other_window() -> None:
        # plain sleeps, not threading.Timer: a timed Event.wait never returns under
        # libfaketime, and the suite must run with the machine's clock moved
        time.sleep(0.3)
        cancel.set()  # the officer presses Escape
        time.sleep(0.5)
        holder.execute("COMMIT")  # then the lock clears

    releaser = threading.Thread(target=other_window)
    releaser.start()
    with pytest.raises(SaveCancelled), cb.write(cancel=cancel) as s:
        casebook_settings.put(s, "municipality", "Gemeente X")
    releaser.join()
    holder.close()
    with cb.read() as s:
        assert casebook_settings.get(s, "municipality") == ""


async def test_the_ui_refuses_a_save_into_a_deleted_casebook_and_keeps_the_typing(cb):
    from tests.uikit import SIZE, make_app, record_notices, settle, type_text

    app = make_app(cb)
    notices = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        _remove_with_side_files(cb.path)
        field = app.screen.query_one("#municipality")
        field.focus()
        await type_text(pilot, "Gemeente Zuidhaven")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert field.value == "Gemeente Zuidhaven"
    shown = [m for m, _ in notices]
    assert any("verwijderd of verplaatst" in m for m in shown), shown
    from casebook.i18n import t

    assert t("settings.saved") not in shown  # nothing reported saved
