"""The one door from the UI into the core.

Every screen reads and writes the casebook through `read()` and `write()` here: the
work runs in a worker thread (never on the UI thread, so a locked casebook cannot
freeze the screen), and its outcome comes back on the UI thread by one error path:

- `done(result)` when it succeeded;
- a `ValidationError` to `invalid(error)` (a form puts it beside its fields), else in words;
- a `StaleEditError` to `stale(error)` (a form keeps what was typed), else in words;
- any other refusal, a `StorageError` included, to `failed(error)`, else in words
  (`App.show_error`), without ending the app; `failed` also takes the first two when
  they have no handler of their own.

A write can first ask a question (`question(session)` read in the same worker, e.g.
"no consent on record"); `ask(text)` is then called on the UI thread instead of
writing, and the caller writes again with `question=None` if the officer agrees.

A write whose worker is cancelled (Escape while it waits for the casebook's lock) is
rolled back, never committed later.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from typing import Any

from textual.worker import Worker, get_current_worker

from casebook.errors import CasebookError, StaleEditError, ValidationError


class Cancelled(Exception):
    """The worker was cancelled before its transaction committed: rolled back."""


class _Question:
    def __init__(self, text: str) -> None:
        self.text = text


def _casebook(node):
    return node.app.casebook


def read(
    node,
    fn: Callable[[Any], Any],
    done: Callable[[Any], None] | None = None,
    *,
    group: str = "door-read",
    failed: Callable[[CasebookError], None] | None = None,
) -> Worker:
    """Run `fn(session)` in a read transaction in a worker; `done(result)` on the UI thread."""
    app = node.app

    def job():
        with _casebook(node).read() as session:
            return fn(session)

    return _start(node, app, job, done, group, exclusive=True, failed=failed)


def read_here(casebook, fn: Callable[[Any], Any]):
    """Run `fn(session)` in a read transaction in the calling thread, for code that
    already runs off the UI thread in a thread of its own (the board read at start-up,
    the command palette's search); errors are the caller's."""
    with casebook.read() as session:
        return fn(session)


def read_now(node, fn: Callable[[Any], Any]):
    """Run `fn(session)` in a read transaction now, on the UI thread, for the few reads
    that decide where the very next key goes (a one-key action's check, a few ms): the
    keys typed meanwhile wait for it. A refusal is shown in words and None returned."""
    try:
        with _casebook(node).read() as session:
            return fn(session)
    except CasebookError as error:
        node.app.show_error(error)
        return None


def write(
    node,
    fn: Callable[[Any], Any],
    done: Callable[[Any], None] | None = None,
    *,
    group: str = "door-write",
    question: Callable[[Any], str | None] | None = None,
    ask: Callable[[str], None] | None = None,
    invalid: Callable[[ValidationError], None] | None = None,
    stale: Callable[[StaleEditError], None] | None = None,
    failed: Callable[[CasebookError], None] | None = None,
    finished: Callable[[], None] | None = None,
) -> Worker:
    """Run `fn(session)` in one write transaction in a worker; see the module's text."""
    app = node.app

    def job():
        worker = get_current_worker()
        casebook = _casebook(node)
        if question is not None:
            with casebook.read() as session:
                text = question(session)
            if text:
                return _Question(text)
        if worker.is_cancelled:
            raise Cancelled
        with casebook.write() as session:
            result = fn(session)
            if worker.is_cancelled:  # Escape while this waited: roll back
                raise Cancelled
        return result

    return _start(
        node,
        app,
        job,
        done,
        group,
        exclusive=False,  # a second write must never cancel (roll back) the first
        ask=ask,
        invalid=invalid,
        stale=stale,
        failed=failed,
        finished=finished,
    )


def _start(node, app, job, done, group, *, exclusive: bool, **handlers) -> Worker:
    def run() -> None:
        worker = get_current_worker()
        try:
            outcome, value = "done", job()
        except Cancelled:
            outcome, value = "cancelled", None
        except ValidationError as error:
            outcome, value = "invalid", error
        except StaleEditError as error:
            outcome, value = "stale", error
        except CasebookError as error:
            outcome, value = "failed", error
        if isinstance(value, _Question):
            outcome, value = "ask", value.text
        if exclusive and worker.is_cancelled:
            outcome = "cancelled"  # a newer read took its place: its result is dropped
        with contextlib.suppress(RuntimeError):  # the app is closing
            app.call_from_thread(_report, app, outcome, value, done, handlers)

    return node.run_worker(run, thread=True, exclusive=exclusive, group=group, exit_on_error=False)


async def _report(app, outcome: str, value, done, handlers: dict) -> None:
    # a handler may be a coroutine function (a screen's async _show): awaited here
    result = _handle(app, outcome, value, done, handlers)
    if inspect.isawaitable(result):
        await result


def _handle(app, outcome: str, value, done, handlers: dict):
    finished = handlers.get("finished")
    if finished is not None:
        finished()
    if outcome == "cancelled":
        return None
    if outcome == "done":
        return done(value) if done is not None else None
    if outcome == "ask" and handlers.get("ask") is not None:
        return handlers["ask"](value)
    handler = handlers.get(outcome) or handlers.get("failed")
    if handler is not None:
        return handler(value)
    return app.show_error(value)
