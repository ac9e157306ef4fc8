"""`casebook encrypt` killed at random moments (SIGKILL, 20 times) leaves the intact
plaintext casebook or the intact encrypted one, never neither."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

from casebook import cipher, encryption, keys
from casebook.db import readonly_uri
from tests.cryptkit import PASSPHRASE, _cheap_kdf  # noqa: F401

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="SIGKILL and fork need POSIX"),
]
KILLS = 20
RNG = random.Random(20261202)


def _counts(conn) -> dict[str, int]:
    return encryption._counts(conn)


def _encrypt_in_child(path: Path, steps: Path) -> int:
    """Fork a child that encrypts `path`, appending each step it reaches to `steps`."""
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115
            fd = os.open(steps, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)

            def reached(name: str) -> None:
                os.write(fd, f"{name} {time.monotonic()}\n".encode())

            encryption.encrypt_in_place(path, PASSPHRASE, after_step=reached)
            code = 0
        finally:
            os._exit(code)
    return pid


def _state(path: Path, expected: dict[str, int]) -> str:
    """'plain' or 'encrypted', after checking that one opens whole; fails otherwise."""
    if path.read_bytes()[:16] == cipher.SQLITE_MAGIC:
        conn = cipher.connect(path, uri=readonly_uri(path), key=None)
        kind = "plain"
    else:
        cipher.forget_all()
        cipher.unlock_with_passphrase(path, PASSPHRASE)
        conn = cipher.connect(path, uri=readonly_uri(path))
        kind = "encrypted"
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert _counts(conn) == expected
    finally:
        conn.close()
    return kind


def test_encrypt_killed_at_random_moments(tmp_path, _demo_template):
    path = tmp_path / "casebook.sqlite3"
    conn = cipher.connect(_demo_template, key=None)
    expected = _counts(conn)
    conn.close()

    steps = tmp_path.parent / f"{tmp_path.name}-steps"

    def fresh() -> None:
        for p in tmp_path.iterdir():
            if p.is_file():
                p.unlink()
        steps.unlink(missing_ok=True)
        shutil.copy(_demo_template, path)

    fresh()
    start = time.monotonic()
    os.waitpid(_encrypt_in_child(path, steps), 0)
    end = time.monotonic()
    assert _state(path, expected) == "encrypted"
    # The moments each step was reached in a full run: a kill falls at a random moment
    # within one of the windows between them, in turn, so the short windows around
    # the rename get their kills as the long copy does.
    marks = [0.0] + [float(line.split()[1]) - start for line in steps.read_text().splitlines()]
    windows = list(zip(marks, [*marks[1:], end - start], strict=True))
    seen = {"plain": 0, "encrypted": 0}
    last_steps: set[str] = set()
    kills = 0
    while kills < KILLS:
        fresh()
        pid = _encrypt_in_child(path, steps)
        low, high = windows[kills % len(windows)]
        time.sleep(RNG.uniform(low, high))
        done, _ = os.waitpid(pid, os.WNOHANG)
        if not done:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            kills += 1
            reached = steps.read_text().splitlines() if steps.exists() else []
            last_steps.add(reached[-1].split()[0] if reached else "start")
        seen[_state(path, expected)] += 1
        # a killed run's leftovers never look like a casebook or a key file of one
        assert not keys.sidecar_path(path).exists() or cipher.has_key_file(path)
    # the random moments fell in different steps of the job
    assert seen["plain"] and len(last_steps) >= 3, (seen, last_steps)
    print(f"kills after step: {sorted(last_steps)}; outcomes {seen}")
    # a later run finishes the job over whatever a killed one left
    with contextlib.suppress(Exception):
        fresh()
    encryption.encrypt_in_place(path, PASSPHRASE)
    assert _state(path, expected) == "encrypted"
