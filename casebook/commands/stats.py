"""`casebook stats YEAR`: the anonymised yearly statistics as Markdown, CSV, JSON, HTML
or an OpenDocument text (ODT, binary: to a file or a pipe, never to a terminal).

Opens the casebook read-only with the stdlib sqlite3 driver: never imports Textual,
nor SQLAlchemy/SQLModel (see casebook.db.open_readonly_connection). `--publish` and
`--correct` first record the publication (through the services, so with SQLModel)
and then export it like any other run.
"""

from __future__ import annotations

import argparse

from casebook.i18n import t
from casebook.stats_export import BINARY_FORMATS, FORMATS


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t("stats.cli.bad_year", value=text[:20])) from None
    if not 1900 <= year <= 2999:
        raise argparse.ArgumentTypeError(t("stats.cli.bad_year", value=text[:20]))
    return year


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("year", type=_year, metavar="YEAR", help=t("stats.cli.year"))
    p.add_argument("--format", choices=FORMATS, default="md", help=t("stats.cli.format"))
    p.add_argument("--out", metavar="FILE", help=t("stats.cli.out"))
    p.add_argument("--force", action="store_true", help=t("stats.cli.force"))
    what = p.add_mutually_exclusive_group()
    what.add_argument("--publish", action="store_true", help=t("stats.cli.publish"))
    what.add_argument("--correct", action="store_true", help=t("stats.cli.correct"))


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from casebook import cipher, paths, statistics, stats_export
    from casebook.db import open_readonly_connection, storage_error
    from casebook.errors import CasebookError

    # The stdlib driver on a read-only connection: no SQLAlchemy, SQLModel or models
    # import on this path (the figures are grouped SQL aggregates).
    path = paths.resolve_db_path(args.db)
    out = Path(args.out) if args.out is not None else None
    if out is None and args.format in BINARY_FORMATS and _is_terminal(sys.stdout):
        # a document's bytes would garble the terminal: ask for a file instead
        raise CasebookError("stats.cli.binary_needs_out", format=args.format)
    if out is not None and out.exists() and out.resolve() == Path(path).resolve():
        raise CasebookError("stats.cli.is_casebook", path=str(out))
    if args.publish or args.correct:
        _publish(path, args)  # writes the publication, then exports it as below
    conn = open_readonly_connection(path)
    try:
        stats = statistics.compute(conn, args.year)
    except cipher.DB_ERRORS as exc:
        raise storage_error(path, exc) from None
    finally:
        conn.close()
    if stats.setting_k is not None and stats.setting_k != stats.k:
        print(
            t("stats.cli.published_k_kept", year=args.year, published=stats.k, k=stats.setting_k),
            file=sys.stderr,
        )
    view = statistics.public(stats)
    if out is None:
        if args.format == "json":
            from casebook.text import json_visible

            # the same data, with DEL and C1 written as \u escapes
            data = json_visible(stats_export.render(view, "json")).encode("utf-8")
        else:
            data = stats_export.render_bytes(view, args.format)
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        stats_export.write(view, args.format, out, overwrite=args.force)
    except FileExistsError:
        raise CasebookError("cli.exists", path=str(out)) from None
    except OSError as exc:
        raise CasebookError(
            "storage.cannot_write", path=str(out), reason=exc.strerror or ""
        ) from None
    print(t("stats.cli.written", year=args.year, path=str(out)))
    return 0


def _is_terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):  # a replaced or closed stream
        return False


def _publish(path, args: argparse.Namespace) -> None:
    """Record the publication (or the correction) of args.year in the casebook."""
    import sys

    from casebook.db import open_casebook
    from casebook.errors import CasebookError
    from casebook.services import publications

    cb = open_casebook(path, create=False)
    try:
        with cb.write() as session:
            if args.publish:
                row = publications.publish(session, args.year)
            else:
                row = publications.correct(session, args.year)
                if row is None:
                    raise CasebookError("stats.cli.no_change", year=args.year)
            message = t("stats.cli.published", year=args.year, version=row.version, k=row.k)
    finally:
        cb.close()
    print(message, file=sys.stderr)
