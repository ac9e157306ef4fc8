"""Every terminal: the screens draw in monochrome (NO_COLOR, TERM=dumb)."""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time

import pytest

from casebook import terminal
from casebook.i18n import t

if os.name != "nt":
    import fcntl
    import pty
    import struct
    import termios
from tests.uikit import SIZE, make_app, screen_text, settle


async def test_today_draws_with_no_color(demo_cb, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.no_color
        text = screen_text(app)
        assert t("today.section.untriaged") in text
        assert t("today.section.overdue") in text
        await pilot.press("j", "j", "f3")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
    assert app.return_code in (None, 0)


# -- the real thing in a pseudo-terminal -----------------------------------------------

_ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|.)")


def _run_in_pty(env: dict[str, str], until: bytes, timeout: float = 90.0) -> tuple[int, bytes]:
    """Start `casebook --demo` in a pseudo-terminal of 120x40, read what it draws until
    `until` shows (escape codes removed), then press Ctrl+Q; its exit code and text."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "casebook", "--demo"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        close_fds=True,
        start_new_session=True,
    )
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + timeout
    quit_sent = False
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            text = _ESCAPES.sub(b"", seen)
            if not quit_sent and until in text:
                time.sleep(0.5)
                os.write(master, b"\x11")  # Ctrl+Q
                quit_sent = True
            if proc.poll() is not None and not ready:
                break
        code = proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert quit_sent, _ESCAPES.sub(b"", seen)[-2000:]
    return code, _ESCAPES.sub(b"", seen)


@pytest.mark.skipif(os.name == "nt", reason="a POSIX pseudo-terminal")
@pytest.mark.parametrize(
    "extra", [{"NO_COLOR": "1"}, {"TERM": "dumb"}], ids=["NO_COLOR", "TERM=dumb"]
)
def test_the_screens_draw_today_in_a_monochrome_terminal(tmp_path, extra):
    env = dict(os.environ)
    env["CASEBOOK_HOME"] = str(tmp_path / "home")
    env.pop("CASEBOOK_DB", None)
    env.pop("CASEBOOK_LANG", None)
    env.pop("NO_COLOR", None)
    env["TERM"] = "xterm-256color"
    env.update(extra)
    heading = t("today.section.overdue").encode()
    code, text = _run_in_pty(env, heading)
    assert code == 0, text[-2000:]
    assert b"Traceback" not in text and b"interne fout" not in text


def test_a_dumb_terminal_gets_no_colours_and_no_animations():
    env = {"TERM": "dumb"}
    terminal.prepare_for_screens(env)
    assert env == {"TERM": "dumb", "NO_COLOR": "1", "TEXTUAL_ANIMATIONS": "none"}
    env = {"TERM": "dumb", "TEXTUAL_ANIMATIONS": "basic"}
    terminal.prepare_for_screens(env)
    assert env["TEXTUAL_ANIMATIONS"] == "basic"  # an explicit choice stays
    env = {"TERM": "xterm-256color"}
    terminal.prepare_for_screens(env)
    assert env == {"TERM": "xterm-256color"}
