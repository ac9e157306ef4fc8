"""The passphrase typed on a real terminal (a pty): masked, and never in the process's
arguments, its environment, its output, a file it leaves or a crash report."""

from __future__ import annotations

import os
import select
import sys
import time
from pathlib import Path

import pytest

from casebook import cipher
from tests.cryptkit import PASSPHRASE, _cheap_kdf, encrypted_demo  # noqa: F401

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="pty and /proc"),
]


def _read_until(fd: int, needle: bytes, seen: bytearray, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while needle not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return needle in seen
            if not chunk:
                break
            seen.extend(chunk)
    return needle in seen


def _proc(pid: int, name: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return b""


@pytest.mark.parametrize("crash", [False, True])
def test_the_passphrase_typed_on_a_terminal_is_never_seen(tmp_path, _demo_template, crash):
    import pty

    path, _code = encrypted_demo(_demo_template, tmp_path, canary=False)
    cipher.forget_all()
    env = dict(os.environ, CASEBOOK_LANG="en", CASEBOOK_HOME=str(tmp_path / "home"))
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    argv = [sys.executable, "-m", "casebook", "check", "--db", str(path)]
    if crash:  # an internal error after the unlock: the crash report is printed
        code = (
            "import sys; import casebook.integrity as i; "
            "i._run_checks = lambda c, r: (_ for _ in ()).throw(RuntimeError('boom')); "
            "from casebook.cli import main; sys.exit(main(sys.argv[1:]))"
        )
        argv = [sys.executable, "-c", code, "check", "--db", str(path)]
    pid, fd = pty.fork()
    if pid == 0:  # the child: its controlling terminal is the pty
        os.execve(sys.executable, argv, env)
    seen = bytearray()
    try:
        assert _read_until(fd, b"Passphrase for", seen), bytes(seen)
        os.write(fd, PASSPHRASE.encode() + b"\r")
        # while it derives the key and checks the file: its arguments and environment
        looked = []
        for _ in range(20):
            looked.append(_proc(pid, "cmdline") + _proc(pid, "environ"))
            time.sleep(0.02)
        _read_until(fd, b"\x00never", seen, timeout=30)  # to the end of its output
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    secret = PASSPHRASE.encode()
    assert any(looked) and not any(secret in chunk for chunk in looked)
    assert secret not in seen, "the passphrase was echoed"
    code = os.waitstatus_to_exitcode(status)
    if crash:
        assert b"internal error" in seen and b"RuntimeError" in seen  # the safe report
    else:
        assert code == 0, bytes(seen)
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert secret not in f.read_bytes(), f.name
