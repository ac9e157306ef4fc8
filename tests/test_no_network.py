"""casebook opens no network connection: every CLI command, and the UI, run with the
network switched off (any attempt to connect, bind, send or resolve a name raises and
is recorded, so an attempt that the code swallows still fails the test)."""

from __future__ import annotations

import importlib.util
import socket

import pytest

from casebook.cli import COMMANDS, main


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch):
    attempts: list[str] = []

    def refuse(name):
        def guard(*args, **kwargs):
            attempts.append(name)
            raise NetworkUsed(f"network use: {name}")

        return guard

    for name in ("connect", "connect_ex", "bind", "sendto", "sendmsg"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.{name}"))
    for name in (
        "create_connection",
        "create_server",
        "getaddrinfo",
        "gethostbyname",
        "gethostbyname_ex",
        "gethostbyaddr",
    ):
        monkeypatch.setattr(socket, name, refuse(name))
    yield attempts
    assert attempts == [], attempts


def test_the_guard_works(no_network):
    with pytest.raises(NetworkUsed):
        socket.create_connection(("example.org", 80))
    with pytest.raises(NetworkUsed):
        socket.socket().connect(("127.0.0.1", 9))
    no_network.clear()


def test_every_cli_command_works_offline(no_network, tmp_path, capsys, monkeypatch):
    db = tmp_path / "demo.sqlite3"
    ran = set()

    def run(*argv) -> str:
        code = main(list(argv))
        out = capsys.readouterr()
        assert code == 0, (argv, out.err[-500:])
        ran.add(next(a for a in argv if a in COMMANDS))
        return out.out

    run("demo-data", "--out", str(db), "--cases", "30", "--years", "2", "--today", "2026-11-28")
    run("--db", str(db), "check")
    run("--db", str(db), "stats", "2025", "--format", "json", "--out", str(tmp_path / "s.json"))
    run("--db", str(db), "dump", "--out", str(tmp_path / "dump.json"))
    run("--db", str(tmp_path / "copy.sqlite3"), "import", str(tmp_path / "dump.json"), "--create")
    run("--db", str(db), "backup", "--out", str(tmp_path / "b.sqlite3"))
    run("--db", str(db), "restore", str(tmp_path / "b.sqlite3"))
    run("--db", str(db), "purge", "--today", "2026-11-28")
    run("--db", str(db), "purge", "--apply", "--yes", "--today", "2026-11-28")
    ref = _a_reference_with_a_person(db)
    run("--db", str(db), "access", ref, "--person", "1", "--out", str(tmp_path / "a.json"))
    run("--db", str(db), "erase", ref, "--person", "1", "--apply", "--yes")
    _encryption_commands(run, db, monkeypatch)
    assert ran == set(COMMANDS), set(COMMANDS) - ran


def _encryption_commands(run, db, monkeypatch) -> None:
    import re

    from casebook import keys
    from tests.cryptkit import answer_prompts

    monkeypatch.setattr(keys, "SCRYPT_N", 2**10)  # cheap: the command, not scrypt, is tested
    monkeypatch.setattr(keys, "SCRYPT_P", 1)
    one, two = "een wachtwoord hier", "een ander wachtwoord"
    answer_prompts(monkeypatch, one, one)
    code = re.search(r"\d{6}(?:-\d{6}){7}", run("--db", str(db), "encrypt", "--yes")).group()
    answer_prompts(monkeypatch, one, two, two)
    run("--db", str(db), "passphrase")
    answer_prompts(monkeypatch, code, one, one)
    run("--db", str(db), "recover")


def _a_reference_with_a_person(db) -> str:
    from tests.safetykit import sqlite_rows

    return sqlite_rows(
        db,
        "SELECT reference FROM case_file WHERE id IN (SELECT case_id FROM person) "
        "ORDER BY id LIMIT 1",
    )[0][0]


# keys that open every top-level screen (and a case), with the module each needs
KEYS = (
    ("f3", "cases_screen"),
    ("enter", "case_screen"),
    ("escape", None),
    ("f4", "intake_screen"),
    ("escape", None),
    ("f6", "statistics_screen"),
    ("f7", "directory_screen"),
    ("f8", "trainings_screen"),
    ("f9", "settings_screen"),
    ("f1", "help_screen"),
    ("escape", None),
    ("f2", "today_screen"),
)


async def test_the_ui_works_offline(no_network, demo_cb):
    pytest.importorskip("screens.app")
    from pathlib import Path

    import screens.app
    from screens.app import CasebookApp

    class App(CasebookApp):
        CSS_PATH = str(Path(screens.app.__file__).with_name("app.tcss"))

    app = App(demo_cb)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        for key, module in KEYS:
            if module and importlib.util.find_spec(f"screens.{module}") is None:
                continue  # that screen is not built yet
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.is_running
    assert app.return_code in (None, 0)
