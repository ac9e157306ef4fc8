"""The `casebook` command line.

With no subcommand it opens the UI; subcommands do the jobs that need no screen.
Exit codes: 0 done, 1 refused with a reason, 2 usage. Only the UI path imports
Textual, and `--help` imports neither Textual nor SQLAlchemy: each subcommand's module
imports what it needs inside its `run`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from casebook import __version__, cli_text, i18n
from casebook.i18n import t

# name -> module in casebook.commands with `add_arguments(parser)` and `run(args) -> int`
COMMANDS: dict[str, str] = {
    "demo-data": "demo_data",
    "import": "import_cmd",
    "dump": "dump",
    "stats": "stats",
    "backup": "backup",
    "restore": "restore",
    "check": "check",
    "purge": "purge",
    "access": "access",
    "erase": "erase",
    "encrypt": "encrypt",
    "passphrase": "passphrase",
    "recover": "recover",
}


# argparse in the interface language; usage errors exit 2
_Parser = cli_text.Parser


def _early_language(argv: Sequence[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _global_options(parser: argparse.ArgumentParser, default=None) -> None:
    """`--db` and `--lang`: before the subcommand or after it ("options for all")."""
    parser.add_argument("--db", metavar="PATH", default=default, help=t("cli.opt.db"))
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=default, help=t("cli.opt.lang"))


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser. Given `argv` that names no subcommand and asks no help, the
    subcommands are left out: opening the UI need not import and translate them."""
    parser = _Parser(prog="casebook", description=t("cli.description"))
    parser.add_argument(
        "--version",
        action="version",
        version=f"casebook {__version__}",
        help=t("argparse.version"),
    )
    _global_options(parser)
    parser.add_argument("--demo", action="store_true", help=t("cli.opt.demo"))
    parser.add_argument("--encrypt", action="store_true", help=t("crypt.opt.encrypt"))
    parser.add_argument("--create", action="store_true", help=t("faults2.opt.create"))
    if argv is not None and not _needs_subcommands(argv):
        parser.set_defaults(command=None)
        return parser
    # Given after the subcommand, a global option wins; not given there, the value from
    # before the subcommand stays (SUPPRESS: the subcommand sets no default of its own).
    common = _Parser(add_help=False)
    _global_options(common, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(
        dest="command", metavar=t("argparse.metavar.command"), parser_class=_Parser
    )
    for name, module in COMMANDS.items():
        mod = importlib.import_module(f"casebook.commands.{module}")
        cmd = sub.add_parser(
            name,
            parents=[common],
            help=t(f"cli.cmd.{module}"),
            description=t(f"cli.cmd.{module}"),
        )
        mod.add_arguments(cmd)
        cmd.set_defaults(run=mod.run)
    return parser


def _needs_subcommands(argv: Sequence[str]) -> bool:
    """True when `argv` asks for help or has a positional word (a subcommand, or a
    mistake that argparse should name) beside the global options."""
    takes_value = {"--db", "--lang"}
    previous = ""
    for arg in argv:
        if arg in ("-h", "--help") or (not arg.startswith("-") and previous not in takes_value):
            return True
        previous = arg
    return False


def setup_language(flag: str | None) -> str:
    """Flag > environment > preferences file > Dutch."""
    lang = i18n.normalise_language(flag) or i18n.language_from_env()
    if lang is None:
        from casebook import preferences

        lang = preferences.load().language
    return i18n.set_language(lang)


def main(argv: Sequence[str] | None = None) -> int:
    """Run casebook; the exit code. A closed pipe ends it quietly with 0 and Ctrl+C
    with 130 (128 + SIGINT), as shell tools do."""
    from casebook import terminal
    from casebook.safety import install_safe_excepthook

    # An unexpected error prints where it happened, never values or messages.
    install_safe_excepthook()
    terminal.tame_stdio()
    try:
        try:
            return _main(argv)
        finally:
            # Output to a pipe is buffered: a reader that went away shows here, not
            # in the interpreter's last flush (which would print a report of it).
            if sys.stdout is not None:  # pythonw.exe has none
                sys.stdout.flush()
    except BrokenPipeError:
        terminal.silence_closed_pipe()
        return 0
    except KeyboardInterrupt:
        with contextlib.suppress(OSError, ValueError):
            print(t("cli.interrupted"), file=sys.stderr)
        return 130
    except OSError as exc:  # the last flush of the output failed (a full disk, /dev/full)
        return _io_refusal(exc)


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    setup_language(_early_language(argv))
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from casebook.errors import CasebookError

    try:
        if args.command is None:
            return _run_ui(args)
        restore = _visible_output()
        try:
            return _run_unlocked(args)
        finally:
            restore()
    except CasebookError as exc:
        from casebook.text import printable

        print(printable(t("cli.error", message=exc.message()), multiline=True), file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # main() ends quietly
    except OSError as exc:  # a read-only folder, a full disk, an unreadable file
        return _io_refusal(exc)
    except Exception as exc:
        driver = _driver_refusal(exc, args)
        if driver is None:
            raise
        print(t("cli.error", message=driver.message()), file=sys.stderr)
        return 1


# errno -> the words for it (the OS's own text is in the OS's language, often English)
_ERRNO_WORDS = {
    "ENOSPC": "faults2.errno.ENOSPC",
    "EDQUOT": "faults2.errno.ENOSPC",
    "EFBIG": "faults2.errno.EFBIG",
    "EACCES": "faults2.errno.EACCES",
    "EPERM": "faults2.errno.EACCES",
    "EROFS": "faults2.errno.EROFS",
    "ENOENT": "faults2.errno.ENOENT",
    "EIO": "faults2.errno.EIO",
}


def _io_refusal(exc: OSError) -> int:
    """An I/O error as a message and exit 1: what went wrong in words, and the file
    it concerned when the OS names one; output still waiting for a full device is
    dropped, so that the interpreter's last flush does not fail again."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    key = _ERRNO_WORDS.get(name)
    reason = t(key) if key else (exc.strerror or type(exc).__name__)
    where = ""
    if exc.filename is not None:
        where = t("faults2.io_where", path=os.fsdecode(exc.filename))
    else:
        reason = f"{t('faults2.io_output')}: {reason}"
    _drop_pending_output()
    with contextlib.suppress(OSError, ValueError):
        print(
            t("cli.error", message=t("faults2.io_error", reason=reason, where=where)),
            file=sys.stderr,
        )
        sys.stderr.flush()
    return 1


def _drop_pending_output() -> None:
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        with contextlib.suppress(AttributeError, ValueError, OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            os.close(devnull)
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()


def _driver_refusal(exc: Exception, args: argparse.Namespace):
    """A database driver error that reached the top (sqlite3 or SQLAlchemy's wrapper)
    as the StorageError it means (locked, read-only, damaged…), or None."""
    sqlite3 = sys.modules.get("sqlite3")
    sqlcipher = sys.modules.get("sqlcipher3.dbapi2")  # an encrypted casebook's driver
    sa_exc = sys.modules.get("sqlalchemy.exc")
    driver = (
        (sqlite3 is not None and isinstance(exc, sqlite3.Error))
        or (sqlcipher is not None and isinstance(exc, sqlcipher.Error))
        or (sa_exc is not None and isinstance(exc, sa_exc.DBAPIError))
    )
    if not driver:
        return None
    from casebook import paths
    from casebook.db import storage_error

    return storage_error(paths.resolve_db_path(getattr(args, "db", None)), exc)


def _run_unlocked(args: argparse.Namespace) -> int:
    """Run the subcommand; an encrypted file it reaches before its key is unlocked
    (`cipher.Locked`, raised before anything is written) asks the passphrase, masked,
    and the command starts again."""
    from casebook.errors import CasebookError

    for _ in range(20):  # a casebook, a backup and a dump may each need theirs
        try:
            return args.run(args)
        except CasebookError as exc:
            if exc.key != "crypt.locked":
                raise
            from casebook.commands import _secret

            _secret.unlock(exc)
    return args.run(args)


def _visible_output():
    """What a subcommand prints may quote stored or imported text: no control character
    from it reaches the terminal (casebook.text.VisibleStream)."""
    from casebook.text import VisibleStream

    saved = {name: getattr(sys, name) for name in ("stdout", "stderr")}
    for name, stream in saved.items():
        if stream is not None and not isinstance(stream, VisibleStream):
            setattr(sys, name, VisibleStream(stream))

    def restore() -> None:
        for name, stream in saved.items():
            if isinstance(getattr(sys, name), VisibleStream):
                setattr(sys, name, stream)

    return restore


def _run_ui(args: argparse.Namespace) -> int:
    import gc

    from casebook import terminal

    missing = terminal.missing_terminal()
    if missing is not None:  # before anything is opened, made or drawn
        print(t("cli.error", message=t("cli.no_terminal", stream=missing)), file=sys.stderr)
        return 2
    terminal.prepare_for_screens()

    # Start-up makes tens of thousands of long-lived objects (Textual, SQLAlchemy);
    # collecting them mid-import is wasted time. The App freezes them and re-enables
    # collection when it runs; an error before that re-enables it below.
    gc.disable()
    try:
        return _open_and_run(args)
    finally:
        gc.enable()


def _open_and_run(args: argparse.Namespace) -> int:
    from casebook import paths
    from casebook.db import open_casebook

    folder = None
    if args.demo:
        import tempfile
        from pathlib import Path

        from casebook.demo import generate

        folder = Path(tempfile.mkdtemp(prefix="casebook-demo-"))
        paths.restrict(folder, directory=True)
        db_path = folder / "demo.sqlite3"
        cb = open_casebook(db_path)
        with cb.write() as session:
            generate(session)
    else:
        explicit = args.db or os.environ.get(paths.ENV_DB)
        db_path = paths.resolve_db_path(args.db)
        may_create(db_path, explicit, args)
        from casebook import cipher

        if args.encrypt or cipher.is_locked(db_path):  # a plain start imports no more
            from screens.unlock_screen import before_open

            if not before_open(db_path, encrypt=args.encrypt):  # the passphrase, asked
                return 1
        cb = open_casebook(db_path, create_parents=not explicit)
    warnings = [] if args.demo else _daily_backup(cb)
    if not args.demo:
        warnings[:0] = _location_warnings(db_path)
    from screens.app import CasebookApp

    app = CasebookApp(cb, demo=args.demo, warnings=warnings)
    try:
        app.run()
    finally:
        cb.close()
        if folder is not None:  # the demo casebook lives only as long as the session
            import shutil

            shutil.rmtree(folder, ignore_errors=True)
    return app.return_code or 0


def _daily_backup(cb) -> list[str]:
    """Make the first backup of the day; a failure is a warning, never a stop."""
    from casebook import backup
    from casebook.errors import StorageError
    from casebook.services import settings

    warnings: list[str] = []
    try:
        backup.ensure_daily_backup(cb.path)
    except StorageError as exc:
        warnings.append(exc.message())
    with cb.read() as session:
        warn_days = settings.get_int(session, "backup_warn_days")
    message = backup.backup_warning(cb.path, warn_days)
    if message:
        warnings.append(message)
    return warnings


def _location_warnings(path) -> list[str]:
    from casebook import paths

    message = paths.location_warning(path)
    return [message] if message else []


def may_create(path, explicit, args: argparse.Namespace) -> None:
    """A file named by --db or CASEBOOK_DB that does not exist is made only when the
    officer says so (asked on a terminal, or --create): a typo, or a volume that is
    not mounted, must not silently start a new, empty casebook."""
    if not explicit or path.exists() or getattr(args, "create", False):
        return
    from casebook import keys

    if getattr(args, "encrypt", False) or keys.sidecar_path(path).exists():
        return  # asked for: a new encrypted casebook (--encrypt, or `casebook encrypt`)
    from casebook.errors import StorageError

    if sys.stdin is not None and sys.stdin.isatty():
        from casebook.commands._confirm import confirm

        if confirm(t("faults2.missing_db.question", path=str(path))):
            return
    raise StorageError("faults2.missing_db.refused", path=str(path))


def open_from_args(args: argparse.Namespace, *, readonly: bool = False, create: bool = False):
    """Open the casebook a subcommand works on (`--db`, `CASEBOOK_DB` or the default)."""
    from casebook import paths
    from casebook.db import open_casebook

    explicit = args.db or os.environ.get(paths.ENV_DB)
    path = paths.resolve_db_path(args.db)
    for message in _location_warnings(path):
        print(t("cli.error", message=message), file=sys.stderr)
    if create:
        may_create(path, explicit, args)
    return open_casebook(path, create=create, create_parents=not explicit, readonly=readonly)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
