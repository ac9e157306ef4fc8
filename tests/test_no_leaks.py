"""No personal data in crash output, error messages or file names.

A crash is forced while a case full of canary strings is loaded, in the core (the
command line's exception hook) and in the real App (Textual's crash report prints
local variables by default). The output must hold no canary. Each test also shows
that without the guard the canary would be printed, so the test can fail."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from casebook.errors import StorageError
from casebook.safety import crash_report, install_safe_excepthook
from tests.safetykit import PREFIX, canary_case

ROOT = Path(__file__).resolve().parent.parent


def run_python(
    code: str, tmp_path: Path, timeout: int = 60, debug: bool = False
) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        CASEBOOK_HOME=str(tmp_path / "home"),
        TERM="dumb",
        COLUMNS="100",
    )
    env.pop("CASEBOOK_DEBUG_TRACEBACKS", None)
    if debug:  # Textual's own crash report, as a developer may ask for
        env["CASEBOOK_DEBUG_TRACEBACKS"] = "1"
    script = tmp_path / "crash_script.py"
    script.write_text(textwrap.dedent(code), encoding="utf-8")
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=tmp_path,
    )


@pytest.fixture
def canary_book(cb):
    info = canary_case(cb, "leak", closed=None)
    cb.close()
    return cb.path, info


CORE_CRASH = """
    import sys
    {hook}
    from casebook.db import open_casebook
    from casebook.services.cases import case_detail

    def handle(detail):
        name = detail.persons[0].name
        notes = detail.persons[0].notes
        raise ValueError("cannot handle " + name + " " + notes)

    cb = open_casebook({path!r})
    with cb.read() as s:
        detail = case_detail(s, {case_id})
    handle(detail)
"""


@pytest.mark.parametrize("guarded", [True, False])
def test_core_crash_prints_no_case_data(canary_book, tmp_path, guarded):
    path, info = canary_book
    hook = "from casebook.safety import install_safe_excepthook; install_safe_excepthook()"
    code = CORE_CRASH.format(hook=hook if guarded else "", path=str(path), case_id=info["case_id"])
    proc = run_python(code, tmp_path)
    assert proc.returncode == 1
    output = proc.stdout + proc.stderr
    assert "ValueError" in output
    if guarded:
        assert PREFIX not in output
        assert "handle" in output  # where it happened is still reported
    else:
        assert PREFIX in output  # the control: an ordinary traceback leaks


APP_CRASH = """
    import sys
    from datetime import date
    from casebook.db import open_casebook
    from screens.app import CasebookApp

    import screens.app
    from pathlib import Path

    class Crashing(CasebookApp):
        CSS_PATH = str(Path(screens.app.__file__).with_name("app.tcss"))

        def on_mount(self):
            super().on_mount()
            self.open_case({case_id})
            self.set_timer(0.5, self.crash)

        def crash(self):
            from casebook.services.cases import case_detail
            with self.casebook.read() as s:
                detail = case_detail(s, {case_id})
            person = detail.persons[0]
            name = person.name
            raise ValueError("cannot handle " + name)

    cb = open_casebook({path!r})
    app = Crashing(cb)
    app.run(headless=True, size=(100, 32))
    cb.close()
    sys.exit(app.return_code or 0)
"""


@pytest.mark.parametrize("guarded", [True, False])
def test_app_crash_prints_no_case_data(canary_book, tmp_path, guarded):
    pytest.importorskip("screens.app")
    path, info = canary_book
    code = APP_CRASH.format(path=str(path), case_id=info["case_id"])
    proc = run_python(code, tmp_path, timeout=120, debug=not guarded)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output[-2000:]
    assert "ValueError" in output
    if guarded:
        assert PREFIX not in output, output[-3000:]
    else:
        assert PREFIX in output  # Textual's own report shows the locals


def test_crash_report_drops_messages_and_locals_but_keeps_catalogue_errors():
    from casebook.errors import CasebookError

    secret = PREFIX + "secret"

    def inner(value):
        local_copy = value  # noqa: F841  (a local that a rich traceback would show)
        raise KeyError(value)

    try:
        try:
            inner(secret)
        except KeyError as exc:
            raise CasebookError("error.not_found", what="case") from exc
    except CasebookError as exc:
        report = crash_report(exc)
    assert secret not in report
    assert "KeyError" in report and "inner" in report
    assert "CasebookError" in report
    from casebook.i18n import t

    assert t("error.not_found", what="case") in report


def test_excepthook_is_installed_for_threads_too(capsys):
    import sys as _sys
    import threading

    old_hook, old_thread_hook = _sys.excepthook, threading.excepthook
    try:
        install_safe_excepthook()

        def boom():
            raise RuntimeError(PREFIX + "thread")

        th = threading.Thread(target=boom)
        th.start()
        th.join()
    finally:
        _sys.excepthook, threading.excepthook = old_hook, old_thread_hook
    err = capsys.readouterr().err
    assert "RuntimeError" in err and PREFIX not in err


def test_database_errors_never_repeat_the_values(cb):
    """SQLAlchemy puts a failed statement's parameters into its message; casebook's
    engine hides them and turns driver errors into a StorageError."""
    from casebook.models import Case

    info = canary_case(cb, "dup", closed=None)
    with pytest.raises(StorageError) as err, cb.write() as s:
        s.add(
            Case(
                reference=info["reference"],  # duplicate: the insert fails
                ref_year=2018,
                ref_seq=999,
                subject_type="PERSON",
                title=PREFIX + "dup-title",
                phase="INTAKE",
                status="NEW",
                opened_on=info_date(),
            )
        )
        s.flush()
    assert PREFIX not in err.value.message()
    assert PREFIX not in str(err.value)
    assert PREFIX not in crash_report(err.value)
    context = err.value.__context__
    assert context is not None and PREFIX not in str(context)


def info_date():
    from datetime import date

    return date(2018, 3, 1)


def test_backup_and_export_file_names_hold_no_case_data(cb, tmp_path):
    from casebook import backup, paths

    canary_case(cb, "fname", closed=None)
    backup.ensure_daily_backup(cb.path)
    backup.manual_backup(cb.path)
    names = " ".join(p.name for p in paths.backups_dir(cb.path).iterdir())
    assert PREFIX not in names and "2018-0001" not in names
