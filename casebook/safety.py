"""Crash reports without personal data.

A normal Python traceback prints the exception's message, and Textual's crash report
(rich's Traceback with show_locals=True) also prints every local variable of every
frame: the case being edited, the person's name, the text typed. Both can carry
personal data to the terminal, a screenshot or a support e-mail.

`crash_report(exc)` renders what a developer needs (exception type, file, line and
function of every frame) and nothing typed by the officer: no exception message (it
may quote a value), no locals, no source lines. Messages of `CasebookError` are kept:
they come from the catalogue and carry no personal data by design.

Use:
- command line: `install_safe_excepthook()` at start (sys.excepthook and
  threading.excepthook);
- Textual App (`screens.app.CasebookApp`): Textual's own exit output is kept out of
  the terminal and, after a crash, `crash_report` is printed once the app has stopped.
"""

from __future__ import annotations

import os
import sys
import threading
import traceback
from types import TracebackType

ENV_DEBUG = "CASEBOOK_DEBUG_TRACEBACKS"  # "1": full tracebacks, for developers only


def _frames(tb: TracebackType | None) -> list[str]:
    lines = []
    for frame in traceback.extract_tb(tb):
        lines.append(f'  File "{_short(frame.filename)}", line {frame.lineno}, in {frame.name}')
    return lines


def _short(filename: str) -> str:
    """Paths inside the installed packages, shortened; other paths reduced to the file
    name (a user's home folder path holds their user name)."""
    norm = filename.replace("\\", "/")
    for marker in ("/site-packages/", "/casebook/", "/screens/"):
        if marker in norm:
            tail = norm.split(marker, 1)[1]
            return marker.strip("/") + "/" + tail if marker != "/site-packages/" else tail
    return os.path.basename(norm)


def describe(exc: BaseException) -> str:
    """One line naming the exception without its (possibly personal) message."""
    from casebook.errors import CasebookError

    name = f"{type(exc).__module__}.{type(exc).__qualname__}"
    if isinstance(exc, CasebookError):
        return f"{name}: {exc.message()}"
    return name


def crash_report(exc: BaseException) -> str:
    """A traceback safe to show or send: frames and exception types only."""
    from casebook.i18n import t

    lines = [t("safety.crash.title"), "", "Traceback (most recent call last):"]
    chain: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    for i, item in enumerate(reversed(chain)):
        if i:
            lines.append("")
            lines.append("During handling of the above exception, another exception occurred:")
            lines.append("")
        lines.extend(_frames(item.__traceback__))
        lines.append(describe(item))
    lines.append("")
    lines.append(t("safety.crash.advice"))
    return "\n".join(lines)


def debug_tracebacks() -> bool:
    """Full tracebacks asked for (developers only)."""
    return os.environ.get(ENV_DEBUG) == "1"


def _excepthook(exc_type, exc, tb) -> None:
    if issubclass(exc_type, KeyboardInterrupt) or debug_tracebacks():
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc is None:
        exc = exc_type()
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    print(crash_report(exc), file=sys.stderr)


def _thread_excepthook(args) -> None:
    if args.exc_type is SystemExit:
        return
    _excepthook(args.exc_type, args.exc_value, args.exc_traceback)


def install_safe_excepthook() -> None:
    """Replace the interpreter's and threads' exception hooks with `crash_report`."""
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook
