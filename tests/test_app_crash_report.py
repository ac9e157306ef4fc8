"""The real `casebook` command, crashing: what it prints names where it happened in
casebook's own modules, and holds no case data, no home folder path and no user name.

`python -m casebook --db FILE` runs in a pseudo-terminal (as the officer starts it),
with HOME in a folder named after a distinctive user name, the casebook file and the
code it runs (a symlink to this project) under that home. A `sitecustomize` module,
also under that home, makes Today's board fail with the name of a person in a local
variable and in the exception's message. A run with CASEBOOK_DEBUG_TRACEBACKS=1
(Textual's own report) is the control: it does show them, so the test can fail.
"""

from __future__ import annotations

import os
import pty
import select
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from casebook.db import open_casebook
from tests.safetykit import PREFIX, canary_case

ROOT = Path(__file__).resolve().parent.parent
USER = "zoe.vdberg7q"

FAIL_THE_BOARD = """
    import os
    import sqlite3

    import casebook.services.today as today

    real_board = today.board

    def board(session, day=None):
        sections = real_board(session, day)
        with sqlite3.connect(os.environ["CRASH_TEST_DB"]) as db:
            name = db.execute("SELECT name FROM person WHERE name != ''").fetchone()[0]
        raise ValueError("no room on the board for " + name)

    today.board = board
"""


@pytest.fixture
def home(tmp_path, cb) -> tuple[Path, Path]:
    home = tmp_path / "home" / USER
    (home / "hooks").mkdir(parents=True)
    (home / "src").mkdir()
    (home / "src" / "casebook-src").symlink_to(ROOT, target_is_directory=True)
    (home / "hooks" / "sitecustomize.py").write_text(
        textwrap.dedent(FAIL_THE_BOARD), encoding="utf-8"
    )
    canary_case(cb, "crash", closed=None)
    cb.close()
    book = home / "Documenten" / "zaken.sqlite3"
    book.parent.mkdir()
    book.write_bytes(Path(cb.path).read_bytes())
    open_casebook(book).close()  # it opens, at the current revision
    return home, book


def run_in_terminal(home: Path, book: Path, debug: bool, timeout: float = 90) -> tuple[int, str]:
    """Run `python -m casebook --db BOOK` in a pseudo-terminal; its exit code and
    everything it wrote (the terminal and stderr)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CASEBOOK_", "TEXTUAL", "PYTHON"))
    }
    env.update(
        HOME=str(home),
        USER=USER,
        LOGNAME=USER,
        TERM="xterm-256color",
        CASEBOOK_HOME=str(home / ".casebook"),
        CASEBOOK_LANG="en",
        CRASH_TEST_DB=str(book),
        PYTHONPATH=os.pathsep.join([str(home / "hooks"), str(home / "src" / "casebook-src")]),
        PYTHONDONTWRITEBYTECODE="1",
    )
    if debug:
        env["CASEBOOK_DEBUG_TRACEBACKS"] = "1"
    main, child = pty.openpty()
    import fcntl
    import termios

    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 32, 100, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "casebook", "--db", str(book)],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        cwd=home,
        close_fds=True,
    )
    os.close(child)
    output = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(main, 65536)
                except OSError:  # the terminal closed: the program has ended
                    break
                if not chunk:
                    break
                output += chunk
            elif proc.poll() is not None:
                break
        else:
            pytest.fail("casebook did not stop after the forced crash")
        code = proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main)
    return code, output.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal needs POSIX")
def test_a_crash_names_casebook_code_but_no_case_data_home_or_user(home):
    home_path, book = home
    code, output = run_in_terminal(home_path, book, debug=False)
    assert code == 1, output[-3000:]
    report = output[output.find("Traceback") :]
    assert "Traceback" in output and "builtins.ValueError" in report, output[-3000:]
    # where it happened, in casebook's own modules (the paths shortened to the package)
    assert 'File "screens/today_screen.py"' in report, report
    assert "in read_board" in report, report
    assert 'File "sitecustomize.py"' in report, report
    # and nothing that identifies anyone
    assert PREFIX not in output, report
    assert str(home_path) not in output, report
    assert USER not in output, report


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal needs POSIX")
def test_the_control_textuals_own_report_would_show_them(home):
    home_path, book = home
    code, output = run_in_terminal(home_path, book, debug=True)
    assert code == 1, output[-3000:]
    flat = "".join(output.split())  # Textual's report wraps long paths over lines
    assert PREFIX in flat, output[-3000:]
    assert USER in flat, output[-3000:]
