"""The command line among pipes, consoles and scripts: a clear refusal without a
terminal, a quiet end on a closed pipe, plain letters for a console that cannot show
"één", exit 130 on Ctrl+C, global options after the subcommand, and no destructive
step without a terminal to ask on unless --yes. Run as subprocesses, like a user would,
where the terminal, the pipe or the signal is the point."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from casebook import cli, terminal
from casebook.i18n import t
from tests.safetykit import canary_case, raw_bytes


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["CASEBOOK_HOME"] = str(tmp_path / "home")
    for name in ("CASEBOOK_DB", "CASEBOOK_LANG", "NO_COLOR", "PYTHONIOENCODING"):
        env.pop(name, None)
    env.update(extra)
    return env


def _casebook(tmp_path: Path, *args: str, env=None, **kw) -> subprocess.CompletedProcess:
    kw.setdefault("stdin", subprocess.DEVNULL)
    kw.setdefault("capture_output", True)
    return subprocess.run(
        [sys.executable, "-m", "casebook", *args],
        cwd=tmp_path,
        env=env or _env(tmp_path),
        timeout=120,
        **kw,
    )


# -- no terminal -------------------------------------------------------------------


@pytest.mark.parametrize("args", [[], ["--demo"]], ids=["default", "demo"])
def test_without_a_terminal_the_screens_refuse_at_once(tmp_path, args):
    started = time.monotonic()
    result = _casebook(tmp_path, *args)
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert result.stdout == b""  # not one escape code
    err = result.stderr.decode()
    assert "terminal" in err and "stdin" in err
    assert "\x1b" not in err
    assert elapsed < 1.0 + _python_start(tmp_path)  # the start of Python itself aside
    assert not (tmp_path / "home").exists()  # nothing made: no casebook, no folder


def _python_start(tmp_path: Path) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", "import casebook.cli"], cwd=tmp_path, check=True)
    return time.monotonic() - started


def test_output_to_a_file_is_no_terminal_either(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(terminal, "_is_terminal", lambda stream: stream is not sys.stdout)
    assert cli.main([]) == 2
    assert "stdout" in capsys.readouterr().err
    assert not (tmp_path / "home").exists()


class _Tty:
    def isatty(self) -> bool:
        return True


def test_missing_terminal_names_the_stream(monkeypatch):
    for name in ("stdin", "stdout", "stderr"):
        monkeypatch.setattr(sys, name, _Tty())
    assert terminal.missing_terminal() is None
    monkeypatch.setattr(sys, "stderr", None)  # pythonw.exe on Windows has none
    assert terminal.missing_terminal() == "stderr"


# -- a closed pipe ------------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["stats", "2026"], ["check"], ["--help"]], ids=["stats", "check", "help"]
)
def test_a_closed_pipe_ends_quietly(tmp_path, args):
    demo = tmp_path / "demo.sqlite3"
    made = _casebook(tmp_path, "demo-data", "--out", str(demo), "--cases", "20")
    assert made.returncode == 0, made.stderr
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader has gone (`| head -1` after its line)
    try:
        result = _casebook(
            tmp_path,
            "--db",
            str(demo),
            *args,
            stdout=write_end,
            stderr=subprocess.PIPE,
            capture_output=False,
        )
    finally:
        os.close(write_end)
    assert result.stderr == b""  # no report, no "Exception ignored"
    assert result.returncode == 0


def test_piped_into_head(tmp_path):
    demo = tmp_path / "demo.sqlite3"
    made = _casebook(tmp_path, "demo-data", "--out", str(demo), "--cases", "40")
    assert made.returncode == 0, made.stderr
    # The pipeline itself (whether the reader leaves before the last write is up to
    # the two processes; the closed pipe above is the case made certain).
    result = subprocess.run(
        f'"{sys.executable}" -m casebook --db "{demo}" stats 2026 --format json | head -1',
        shell=True,
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 1
    assert result.stderr == b""


# -- a console that cannot show every character -------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["erase", "--help"], ["--lang", "en", "--help"]])
def test_help_on_an_ascii_console(tmp_path, args):
    result = _casebook(tmp_path, *args, env=_env(tmp_path, PYTHONIOENCODING="ascii"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.isascii()
    usage = b"usage: casebook" if "en" in args else b"gebruik: casebook"
    assert usage in result.stdout


def test_ascii_console_gets_the_nearest_letters(tmp_path):
    result = _casebook(tmp_path, "--help", env=_env(tmp_path, PYTHONIOENCODING="ascii"))
    assert b"over een betrokkene" in result.stdout  # "één"


def test_an_error_on_an_ascii_console(tmp_path):
    result = _casebook(
        tmp_path,
        "--db",
        str(tmp_path / "geen-map" / "x.sqlite3"),
        "check",
        env=_env(tmp_path, PYTHONIOENCODING="ascii"),
    )
    assert result.returncode == 1
    assert result.stderr.isascii() and b"Traceback" not in result.stderr


def test_plain_letters():
    assert "".join(terminal.plain(c) for c in "één… ≥ 5 – Łódź €") == "een... >= 5 - Lodz EUR"
    assert terminal.plain("中") == "?"


# -- Ctrl+C --------------------------------------------------------------------------

_INTERRUPTIBLE = """
import sys
from casebook.cli import main
print("ready", flush=True)
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(os.name == "nt", reason="SIGINT to a child process")
def test_ctrl_c_exits_130(tmp_path):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _INTERRUPTIBLE,
            "demo-data",
            "--out",
            "big.sqlite3",
            "--cases",
            "20000",
        ],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline() == b"ready\n"
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert t("cli.interrupted").encode() in err
    assert b"Traceback" not in err


def test_keyboard_interrupt_anywhere_in_main_is_130(monkeypatch, capsys):
    def interrupted(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "setup_language", interrupted)
    assert cli.main(["check"]) == 130
    assert t("cli.interrupted") in capsys.readouterr().err


# -- global options anywhere ---------------------------------------------------------


@pytest.fixture
def demo_file(tmp_path) -> Path:
    path = tmp_path / "elsewhere" / "demo.sqlite3"
    path.parent.mkdir()
    assert (
        cli.main(["demo-data", "--out", str(path), "--cases", "30", "--today", "2026-11-28"]) == 0
    )
    return path


def test_global_options_after_the_subcommand(demo_file, capsys):
    capsys.readouterr()
    assert cli.main(["stats", "2026", "--db", str(demo_file), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "2026" in out
    assert cli.main(["check", "--db", str(demo_file)]) == 0
    assert cli.main(["--db", str(demo_file), "check"]) == 0  # before it, as ever


def test_after_the_subcommand_wins(demo_file, tmp_path, capsys):
    missing = tmp_path / "missing.sqlite3"
    assert cli.main(["--db", str(missing), "check", "--db", str(demo_file)]) == 0
    assert cli.main(["--db", str(demo_file), "check", "--db", str(missing)]) == 1
    assert not missing.exists()


def test_lang_after_the_subcommand_is_checked(tmp_path):
    result = _casebook(tmp_path, "check", "--lang", "fr")
    assert result.returncode == 2
    assert b"gebruik:" in result.stderr


def test_subcommand_help_lists_the_global_options(tmp_path):
    result = _casebook(tmp_path, "stats", "--help")
    assert result.returncode == 0
    assert b"--db" in result.stdout and b"--lang" in result.stdout


# -- no destructive step unasked -----------------------------------------------------


def test_erase_without_a_terminal_refuses_unless_yes(demo_cb, tmp_path):
    info = canary_case(demo_cb, "gone")
    path = demo_cb.path
    demo_cb.close()
    before = raw_bytes(path)
    args = ["--db", str(path), "erase", info["reference"], "--person", "1", "--apply"]
    result = _casebook(tmp_path, *args)
    assert result.returncode == 1
    assert t("safety.no_terminal_to_ask").encode() in result.stderr
    assert raw_bytes(path) == before
    result = _casebook(tmp_path, *args, "--yes")
    assert result.returncode == 0, result.stderr
    assert raw_bytes(path) != before


def test_purge_without_a_terminal_refuses_unless_yes(demo_cb, tmp_path):
    from casebook.services import settings

    canary_case(demo_cb, "old", closed=date(2019, 6, 1))
    with demo_cb.write() as s:
        settings.put(s, "retention_years", "7")
    path = demo_cb.path
    demo_cb.close()
    before = raw_bytes(path)
    args = ["--db", str(path), "purge", "--apply", "--today", "2026-11-28"]
    result = _casebook(tmp_path, *args)
    assert result.returncode == 1
    assert t("safety.no_terminal_to_ask").encode() in result.stderr
    assert raw_bytes(path) == before
    assert _casebook(tmp_path, *args, "--yes").returncode == 0
    assert raw_bytes(path) != before
