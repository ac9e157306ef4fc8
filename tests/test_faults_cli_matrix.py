"""Issue 14: every I/O error is a message and exit 1, never "internal error".

One loop over every subcommand that `casebook --help` lists, under four faults: the
casebook locked by another program, its folder (and the output folder) read-only,
standard output on a full device (/dev/full), and standard output a pipe whose
reader has gone. Each command runs in a forked child (the real `main`, a fresh
process), and its exit code and standard error are checked: 0 or 1 as the fault
allows, a message in words, never the crash report or a traceback, and a locked file
is "locked … try again", never "damaged".

The read-only case needs an unprivileged user (root ignores file modes): run as
root, it is skipped here and run as `nobody` by tests/test_faults_as_nobody.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path

import pytest

from casebook.cli import COMMANDS
from casebook.db import open_casebook
from casebook.i18n import t
from tests.safetykit import canary_case

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(os, "fork"), reason="fork needs POSIX"),
]

FAULTS = (
    "locked",
    "read_only_folder",
    "unreadable_input",
    "full_disk",
    "full_output",
    "closed_pipe",
)
# as root these prove nothing (root reads and writes whatever the modes say)
NEEDS_MODES = ("read_only_folder", "unreadable_input")
FULL_DISK_BYTES = 48 * 1024  # RLIMIT_FSIZE: no file grows past it (EFBIG, as a full disk)


def _fork(
    argv: list[str], err: Path, stdout_fd: int | None, busy_ms: int = 300, fsize: int = 0
) -> int:
    pid = os.fork()
    if pid == 0:
        code = 70
        try:
            if fsize:
                import resource

                # Python ignores SIGXFSZ: a write past the limit fails with EFBIG
                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
            fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(fd, 2)
            if stdout_fd is not None:
                os.dup2(stdout_fd, 1)
            sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", closefd=False)  # noqa: SIM115
            sys.stdin = open(os.devnull)  # noqa: SIM115
            import casebook.db

            casebook.db.BUSY_TIMEOUT_MS = busy_ms
            from casebook.cli import main

            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except BaseException as exc:  # what the excepthook would print
            from casebook.safety import crash_report

            with contextlib.suppress(Exception):
                sys.stderr.write(crash_report(exc))
            code = 70
        finally:
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def _every_command(db: Path, folder: Path, out: Path, n: int) -> list[list[str]]:
    """One run of each subcommand (the dry and the applying one of purge and erase)."""
    ref = "2018-0001"
    runs = {
        "demo-data": [["demo-data", "--out", str(out / f"demo{n}.sqlite3"), "--cases", "2"]],
        "import": [["import", str(folder / "small.json")]],
        "dump": [["dump", "--out", str(out / f"d{n}.json")]],
        "stats": [["stats", "2019"], ["stats", "2019", "--out", str(out / f"s{n}.csv")]],
        "backup": [["backup"], ["backup", "--out", str(out / f"b{n}.sqlite3")]],
        "restore": [["restore", str(folder / "source.sqlite3")]],
        "check": [["check"]],
        "purge": [["purge"], ["purge", "--apply", "--yes"]],
        "access": [["access", ref, "--person", "1", "--out", str(out / f"a{n}.json")]],
        "erase": [
            ["erase", ref, "--person", "1"],
            ["erase", ref, "--person", "1", "--apply", "--yes"],
        ],
        # stdin is /dev/null: no passphrase can be asked, each ends in words
        "encrypt": [["encrypt", "--yes"]],
        "passphrase": [["passphrase"]],
        "recover": [["recover"]],
    }
    assert set(runs) == set(COMMANDS)  # a new subcommand needs its line here
    return [["--db", str(db), *argv] for name in COMMANDS for argv in runs[name]]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("matrix-template") / "casebook.sqlite3"
    book = open_casebook(path)
    for i in range(3):
        canary_case(book, f"m{i}")
    book.close()
    return path


def _setup(tmp_path: Path, template: Path) -> tuple[Path, Path, Path]:
    folder = tmp_path / "job"
    (folder / "cb").mkdir(parents=True)
    (folder / "out").mkdir()
    db = folder / "cb" / "casebook.sqlite3"
    shutil.copy(template, db)
    shutil.copy(template, folder / "source.sqlite3")
    (folder / "small.json").write_text(
        json.dumps(
            {
                "format": "casebook-dump",
                "format_version": 1,
                "cases": [
                    {
                        "reference": "2025-0999",
                        "subject_type": "PERSON",
                        "phase": "INTAKE",
                        "status": "NEW",
                        "opened_on": "2025-03-01",
                    }
                ],
            }
        )
    )
    return folder, db, folder / "out"


def test_the_help_lists_every_subcommand_looped_over(capsys):
    from casebook.cli import main

    with pytest.raises(SystemExit):
        main(["--help"])
    shown = capsys.readouterr().out
    for name in COMMANDS:
        assert name in shown


@pytest.mark.parametrize("fault", FAULTS)
def test_every_command_under_a_fault_ends_in_words(tmp_path, template, fault):
    if fault in NEEDS_MODES and os.geteuid() == 0:
        pytest.skip("root ignores file modes: tests/test_faults_as_nobody.py runs this")
    folder, db, out = _setup(tmp_path, template)
    holder = None
    stdout_fd = None
    if fault == "locked":
        holder = sqlite3.connect(db, isolation_level=None)
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("INSERT OR REPLACE INTO setting VALUES ('x', 'y')")
    elif fault == "read_only_folder":
        for f in (db.parent, out):
            f.chmod(0o555)
    elif fault == "unreadable_input":
        for f in (folder / "small.json", folder / "source.sqlite3"):
            f.chmod(0)
    elif fault == "full_output":
        stdout_fd = os.open("/dev/full", os.O_WRONLY)
    failures = []
    try:
        for n, argv in enumerate(_every_command(db, folder, out, 0)):
            pipe = None
            if fault == "closed_pipe":
                pipe = os.pipe()
                os.close(pipe[0])  # the reader has gone (`| head -1` after its line)
                stdout_fd = pipe[1]
            err = tmp_path / f"err-{n}"
            code = _fork(argv, err, stdout_fd, fsize=FULL_DISK_BYTES * (fault == "full_disk"))
            if pipe is not None:
                os.close(pipe[1])
            text = err.read_text(errors="replace")
            bad = (
                code not in (0, 1)
                or t("safety.crash.title") in text
                or "Traceback" in text
                or "Exception ignored" in text
            )
            if fault == "locked" and ("beschadigd" in text or "damaged" in text):
                bad = True
            if code == 1 and not text.strip():
                bad = True  # a refusal says why
            if fault == "full_output" and code == 0 and "--out" not in argv:
                bad = True  # the output was lost: that is no success
            if fault == "unreadable_input" and argv[2] in ("import", "restore") and code != 1:
                bad = True
            if bad:
                failures.append((argv[2:], code, text[-400:]))
    finally:
        if holder is not None:
            holder.execute("ROLLBACK")
            holder.close()
        if fault == "read_only_folder":
            for f in (db.parent, out):
                f.chmod(0o755)
        if fault == "full_output":
            os.close(stdout_fd)
    assert not failures, failures
