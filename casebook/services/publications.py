"""Publishing a year's statistics, and correcting a publication (issue 12).

A publication is fixed: it stores the published view (rounded counts only) with its
k and method, and every later export of that year repeats it (byte for byte in the
language it was published in). A correction is a new version of the year, marked as
one, rounded so that it never moves against a count's own change
(statistics.protect with `previous`), and pointing at the version it replaces.

Rules:
* a year is published once; after that only corrections;
* k cannot be lowered for a published year: a correction with the setting below the
  publication's k is refused (a correction keeps the publication's k);
* years are published in order: a year before the newest published year cannot be
  published any more (its open cases at the year end would no longer fit the
  published year after it). A year whose year before is unpublished is published
  without the stock/flow link.
* the figures stored beside the view ("true") are the counts the rounding started
  from: aggregates, never leaving the casebook, needed to round a correction jointly.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from casebook import statistics
from casebook.dates import utcnow
from casebook.db import driver_reads
from casebook.errors import CasebookError
from casebook.i18n import get_language
from casebook.models import Publication


def published(session: Session, year: int) -> dict | None:
    with driver_reads(session) as conn:
        return statistics.load_publication(conn, year)


def publish(session: Session, year: int) -> Publication:
    """Publish `year` (refused when it has been published already)."""
    with driver_reads(session) as conn:
        current = statistics.load_publication(conn, year)
        newest = conn.execute("SELECT max(year) FROM publication").fetchone()[0]
    if current is not None:
        raise CasebookError("stats.cli.already_published", year=year, version=current["version"])
    if newest is not None and year < newest:
        raise CasebookError("stats.publish.out_of_order", year=year, newest=newest)
    stats = statistics.compute(session, year, protect_figures=False)
    view = statistics.publish_view(stats, stats.key)
    return _store(session, stats, view, version=1, corrects=None)


def correct(session: Session, year: int) -> Publication | None:
    """Issue a correction of published `year`: None when it would change nothing."""
    current = published(session, year)
    if current is None:
        raise CasebookError("stats.cli.not_published", year=year)
    stats = statistics.compute(session, year, protect_figures=False)
    if stats.k < current["k"]:
        raise CasebookError("stats.cli.k_lowered", year=year, published=current["k"], k=stats.k)
    stats.k = current["k"]  # a correction keeps the publication's base
    previous = {"shown": current["shown"], "true": current["true"], "version": current["version"]}
    stats.publication = {
        "status": "correction",
        "version": current["version"] + 1,
        "corrects": current["version"],
    }
    view = statistics.publish_view(stats, stats.key, previous)
    if statistics.shown_ids(stats) == current["shown"]:
        return None
    return _store(session, stats, view, version=current["version"] + 1, corrects=current["id"])


def _store(
    session: Session, stats: statistics.Statistics, view: dict, *, version: int, corrects
) -> Publication:
    view = dict(view)
    view["publication"] = dict(view["publication"])
    view["publication"].update(
        status="correction" if corrects else "published",
        version=version,
        corrects=version - 1 if corrects else None,
    )
    view["publication"]["text"] = statistics.publication_text(view["publication"])
    row = Publication(
        year=stats.year,
        version=version,
        k=stats.k,
        method=stats.method,
        language=get_language(),
        figures=json.dumps(
            {
                "view": view,
                "shown": statistics.shown_ids(stats),
                "true": statistics.count_ids(stats),
            },
            ensure_ascii=False,
            sort_keys=True,
        ),
        corrects_id=corrects,
        published_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row
