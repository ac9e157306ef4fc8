"""Anonymised yearly statistics: the figures for one calendar year, and the disclosure
control that makes them fit to publish.

Everything is counted in grouped SQL aggregates on the stdlib `sqlite3` driver (no
SQLAlchemy on the `casebook stats` path; no table is loaded row by row). The result of
`compute()` holds the true counts together with the suppression marks; `public()`
turns it into the only view that ever leaves this module: hidden counts replaced by
their marker, labels in the current language. The exports (`stats_export`) and the
Statistics screen render `public()`, so they show the same numbers by construction.

The rules (see docs/statistics-format.md for the full reasoning):

* k comes from the casebook's settings (5 by default, never below 3).
* Primary suppression: a count from 1 to k−1 is shown as `<k`. Zero stays zero.
* Every table is one-dimensional and ships with its total. Tables that count the same
  population (signals by source group and by channel; victims by gender, age band and
  nationality group; …) share their total and are protected together.
* Secondary suppression: an attacker who knows the rules, k, the markers and the
  shared totals must not be able to work out any hidden count (nor a hidden total)
  exactly. Hidden cells are checked with exact interval reasoning; while one can be
  pinned down, the smallest visible non-zero cell of the table is hidden as well
  (marker `x`). If hiding every non-zero cell is not enough, the shared total is
  hidden (`x`) in all tables of the group; if even that is not enough (tiny groups),
  the table is withheld: every cell, zeros included, is shown as `x`.
* A median is shown only when it rests on at least k cases.
* No free text, no references, no names, no date finer than the year.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from casebook import refdata
from casebook.db import driver_reads
from casebook.i18n import catalogue, get_language, t

SCHEMA = "casebook-stats/1"

# Cell and total marks.
SHOWN = ""
PRIMARY = "primary"  # 1..k-1, shown as "<k"
SECONDARY = "secondary"  # hidden to protect another hidden count, shown as "x"
WITHHELD = "withheld"  # the whole table withheld (zeros too), shown as "x"

HIDDEN_MARKER = "x"
INF = 10**12

# Steps done, by group: code -> step types. Everything else counts as OTHER.
STEP_GROUPS: dict[str, tuple[str, ...]] = {
    "POLICE": ("REPORT_POL",),
    "NLA": ("REPORT_NLA",),
    "RIEC": ("REPORT_RIEC",),
    "COMENSHA": ("AANMELD_CM_REG", "AANMELD_CM_OPV"),
    "SHELTER": ("SHELTER_REQ",),
}

SECTIONS = ("signals", "cases", "victims", "referrals", "timeliness", "basisniveau")

POLICY_KEYS = ("policy_prostitution", "policy_meldroute", "policy_other")


def primary_marker(k: int) -> str:
    return f"<{k}"


# ---------------------------------------------------------------------------------------
# The internal model: true counts plus marks. Never exported as such.


@dataclass
class Cell:
    code: str
    value: int
    mark: str = SHOWN

    @property
    def hidden(self) -> bool:
        return self.mark != SHOWN


@dataclass
class Table:
    id: str
    section: str
    group: str  # tables of one group count the same population and share their total
    label_source: str  # reference list for the cell labels ("" = catalogue only)
    cells: list[Cell]
    total: int
    total_mark: str = SHOWN
    withheld: bool = False

    def cell(self, code: str) -> Cell:
        for c in self.cells:
            if c.code == code:
                return c
        raise KeyError(code)


@dataclass
class Figure:
    """A single count (no breakdown)."""

    id: str
    section: str
    value: int
    mark: str = SHOWN


@dataclass
class Median:
    id: str
    section: str
    n: int
    days: float | None  # None when n < k

    @property
    def published(self) -> bool:
        return self.days is not None


@dataclass
class Statistics:
    year: int
    k: int
    municipality: str
    officer: str
    policy: dict[str, str]
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    medians: list[Median] = field(default_factory=list)

    def table(self, table_id: str) -> Table:
        for tb in self.tables:
            if tb.id == table_id:
                return tb
        raise KeyError(table_id)

    def figure(self, figure_id: str) -> Figure:
        for fg in self.figures:
            if fg.id == figure_id:
                return fg
        raise KeyError(figure_id)

    def median(self, median_id: str) -> Median:
        for md in self.medians:
            if md.id == median_id:
                return md
        raise KeyError(median_id)


# ---------------------------------------------------------------------------------------
# Disclosure control


def _hidden_bounds(table: Table, cell: Cell, k: int) -> tuple[int, int]:
    """What someone who knows the rules can tell about a hidden cell on its own."""
    if table.withheld:
        return 0, INF
    if cell.mark == PRIMARY:
        return 1, k - 1
    # Secondary: at least k (else it would be primary), and at most the smallest
    # visible non-zero cell (secondary cells are the smallest ones).
    visible = [c.value for c in table.cells if not c.hidden and c.value > 0]
    return k, min(visible) if visible else INF


def _table_range(table: Table, k: int) -> tuple[int, int]:
    """The range of totals this table's published cells allow."""
    lo = hi = sum(c.value for c in table.cells if not c.hidden)
    for c in table.cells:
        if c.hidden:
            clo, chi = _hidden_bounds(table, c, k)
            lo += clo
            hi = min(INF, hi + chi)
    return lo, hi


def _total_info(total: int, mark: str, k: int) -> tuple[int, int]:
    if mark == PRIMARY:
        return 1, k - 1
    if mark == SECONDARY:
        return k, INF
    return total, total


def group_total_range(tables: list[Table], k: int) -> tuple[int, int]:
    """The totals consistent with everything published for a group of tables."""
    lo, hi = _total_info(tables[0].total, tables[0].total_mark, k)
    for tb in tables:
        tlo, thi = _table_range(tb, k)
        lo, hi = max(lo, tlo), min(hi, thi)
    return lo, hi


def cell_range(table: Table, cell: Cell, total_range: tuple[int, int], k: int) -> tuple[int, int]:
    """The exact set of values (an interval) a hidden cell can take, given the group's
    total range and the other cells of its table."""
    clo, chi = _hidden_bounds(table, cell, k)
    visible = sum(c.value for c in table.cells if not c.hidden)
    others_lo = others_hi = 0
    for c in table.cells:
        if c.hidden and c is not cell:
            olo, ohi = _hidden_bounds(table, c, k)
            others_lo += olo
            others_hi = min(INF, others_hi + ohi)
    lo = max(clo, total_range[0] - visible - others_hi)
    hi = min(chi, total_range[1] - visible - others_lo)
    return lo, hi


def _problem(tables: list[Table], k: int) -> tuple[str, Table | None] | None:
    rng = group_total_range(tables, k)
    if tables[0].total_mark != SHOWN and rng[0] >= rng[1]:
        return "total", None
    for tb in tables:
        for c in tb.cells:
            if c.hidden:
                lo, hi = cell_range(tb, c, rng, k)
                if lo >= hi:
                    return "cell", tb
    return None


def protect_group(tables: list[Table], k: int) -> None:
    """Apply primary and secondary suppression to tables that share one total."""
    total = tables[0].total
    if any(tb.total != total for tb in tables):
        raise ValueError("tables of one group must share their total")
    total_mark = PRIMARY if 0 < total < k else SHOWN
    while True:
        for tb in tables:
            tb.total_mark = total_mark
            tb.withheld = False
            for c in tb.cells:
                c.mark = PRIMARY if 0 < c.value < k else SHOWN
        restart = False
        while not restart:
            found = _problem(tables, k)
            if found is None:
                for tb in tables:
                    if tb.withheld:
                        for c in tb.cells:
                            c.mark = WITHHELD
                return
            kind, table = found
            if kind == "total":
                # the table that pins the total down most narrowly
                table = min(tables, key=lambda tb: _table_range(tb, k)[1] - _table_range(tb, k)[0])
            candidates = [c for c in table.cells if not c.hidden and c.value > 0]
            if candidates and not table.withheld:
                min(candidates, key=lambda c: c.value).mark = SECONDARY
            elif total_mark == SHOWN:
                total_mark = SECONDARY  # hide the shared total, start again
                restart = True
            elif not table.withheld:
                table.withheld = True
            else:  # pragma: no cover - a withheld cell always ranges over 0..total
                raise AssertionError("disclosure control did not converge")


def protect_figure(fig: Figure, k: int) -> None:
    fig.mark = PRIMARY if 0 < fig.value < k else SHOWN


def protect(stats: Statistics) -> Statistics:
    groups: dict[str, list[Table]] = {}
    for tb in stats.tables:
        groups.setdefault(tb.group, []).append(tb)
    for tables in groups.values():
        protect_group(tables, stats.k)
    for fig in stats.figures:
        protect_figure(fig, stats.k)
    return stats


# ---------------------------------------------------------------------------------------
# Counting (SQL)


def _ref_map(list_name: str, key: str | None = None) -> dict[str, str]:
    return {
        item.code: (item.get(key) if key else item.code) or item.code
        for item in refdata.ref(list_name)
    }


def _collapse(counts, mapping: dict[str, str], default: str) -> dict[str, int]:
    """Counts per stored code -> counts per export group; unknown codes (and NULL) to
    `default`. `counts` is an iterable of (code, n)."""
    out: dict[str, int] = {}
    for code, n in counts:
        group = mapping.get(code, default) if code is not None else default
        out[group] = out.get(group, 0) + int(n)
    return out


def _table(
    table_id: str,
    section: str,
    group: str,
    counts: dict[str, int],
    codes: list[str],
    label_source: str = "",
    extra: tuple[str, ...] = ("UNKNOWN",),
) -> Table:
    cells = [Cell(code, counts.get(code, 0)) for code in codes]
    for code in extra:  # codes this version does not know: only when there are any
        if code not in codes and counts.get(code):
            cells.append(Cell(code, counts[code]))
    unknown = set(counts) - set(codes) - set(extra)
    if unknown:  # cannot happen with _collapse, but never lose a count
        raise ValueError(f"uncategorised codes in {table_id}")
    return Table(table_id, section, group, label_source, cells, sum(counts.values()))


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def year_end_cutoff(year: int):
    """The first moment of the next year, local time, as aware UTC."""
    from casebook.dates import local_to_utc

    return local_to_utc(date(year + 1, 1, 1))


def _stored_moment(moment: datetime) -> str:
    """An aware datetime as the casebook stores it (models.UTCDateTime): ISO text in
    UTC, to the second."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


# Stored settings the statistics read. The defaults mirror casebook.services.settings
# (which needs SQLModel); a test keeps the two the same.
DEFAULT_K = 5
MIN_K = 3
STEP_DONE = "DONE"  # models.STEP_DONE


def compute(source, year: int, *, protect_figures: bool = True) -> Statistics:
    """The figures for `year`, with disclosure control applied.

    `source` is a stdlib `sqlite3.Connection` (the `stats` command: no SQLAlchemy
    import at all) or a SQLModel Session (the screen). Every figure is a grouped SQL
    aggregate over the stdlib connection; the mapping of stored codes to the groups
    published happens on those few counts in Python."""
    with driver_reads(source) as conn:  # one consistent snapshot for every query
        stats = _compute(conn, year)
    if protect_figures:
        protect(stats)
    return stats


def _compute(conn: sqlite3.Connection, year: int) -> Statistics:
    values = dict(conn.execute("SELECT key, value FROM setting"))
    try:
        k = int(values.get("stats_k", DEFAULT_K))
    except ValueError:
        k = DEFAULT_K
    stats = Statistics(
        year=year,
        k=max(MIN_K, k),
        municipality=values.get("municipality", ""),
        officer=values.get("officer", ""),
        policy={key: values.get(key, "") for key in POLICY_KEYS},
    )
    start, end = (d.isoformat() for d in year_bounds(year))
    _count_signals(conn, stats, start, end)
    _count_cases(conn, stats, start, end)
    _count_victims(conn, stats, start, end)
    _count_referrals_and_steps(conn, stats, start, end)
    _count_medians(conn, stats, start, end)
    _count_trainings(conn, stats, start, end)
    return stats


def _count_signals(conn, stats: Statistics, start: str, end: str) -> None:
    rows = conn.execute(
        "SELECT source_role, channel, count(*) FROM signal"
        " WHERE received_on BETWEEN ? AND ? GROUP BY source_role, channel",
        (start, end),
    ).fetchall()
    counts = _collapse(((r[0], r[2]) for r in rows), _ref_map("source_roles", "group"), "ONBEKEND")
    stats.tables.append(
        _table(
            "signals_by_source_group",
            "signals",
            "signals",
            counts,
            refdata.ref("source_groups").codes(),
            "source_groups",
        )
    )
    counts = _collapse(((r[1], r[2]) for r in rows), _ref_map("signal_channels"), "UNKNOWN")
    stats.tables.append(
        _table(
            "signals_by_channel",
            "signals",
            "signals",
            counts,
            refdata.ref("signal_channels").codes(),
            "signal_channels",
        )
    )


# Cases with at least one signal received in the year (through the index on
# `received_on`, not a scan of every case).
_SIGNALLED = "SELECT case_id FROM signal WHERE received_on BETWEEN :start AND :end"

# The case was closed at the end of the year: its closing date lies in or before the
# year and it was not reopened before the year ended. The history table (append-only)
# records every change of `closed_on`; the current value covers cases without history
# (imported ones). Reads `c` (case_file), :end (last day) and :cutoff (the first
# moment of the next year, stored form).
_CLOSED_BY_YEAR_END = """(
    (c.closed_on IS NOT NULL AND c.closed_on <= :end)
    OR EXISTS (
        SELECT 1 FROM history AS closing
        WHERE closing.case_id = c.id AND closing.event = 'field.changed'
          AND closing.field_name = 'closed_on' AND closing.new IS NOT NULL
          AND closing.new <= :end
          AND closing.id > (
            SELECT coalesce(max(reopening.id), 0) FROM history AS reopening
            WHERE reopening.case_id = c.id AND reopening.event = 'field.changed'
              AND reopening.field_name = 'closed_on' AND reopening.new IS NULL
              AND reopening.at < :cutoff)))"""

# The case's phase at the end of the year, rebuilt from the history (the last phase
# change before the year ended; else the phase before the first change after it; else
# the current phase).
_PHASE_AT_YEAR_END = """coalesce(
    (SELECT h.new FROM history AS h
     WHERE h.case_id = c.id AND h.event = 'field.changed' AND h.field_name = 'phase'
       AND h.at < :cutoff ORDER BY h.at DESC, h.id DESC LIMIT 1),
    (SELECT h.old FROM history AS h
     WHERE h.case_id = c.id AND h.event = 'field.changed' AND h.field_name = 'phase'
       AND h.at >= :cutoff ORDER BY h.at ASC, h.id ASC LIMIT 1),
    c.phase)"""


def _count_cases(conn, stats: Statistics, start: str, end: str) -> None:
    year = stats.year
    params = {"start": start, "end": end, "cutoff": _stored_moment(year_end_cutoff(year))}
    (opened,) = conn.execute(
        "SELECT count(*) FROM case_file WHERE opened_on BETWEEN :start AND :end", params
    ).fetchone()
    stats.figures.append(Figure("cases_opened", "cases", int(opened)))

    # Cases signalled in the year, with their sector and exploitation codes (one row
    # per code; one row with NULL when the case has none).
    rows = conn.execute(
        "SELECT c.id, c.sector, e.code FROM case_file AS c"
        " LEFT JOIN case_exploitation AS e ON e.case_id = c.id"
        f" WHERE c.id IN ({_SIGNALLED})",
        params,
    ).fetchall()
    form_of = _ref_map("exploitation_types", "stats")
    sectors: dict[int, str | None] = {}
    forms_of_case: dict[int, set[str]] = {}
    for cid, sector, code in rows:
        sectors[cid] = sector
        known = forms_of_case.setdefault(cid, set())
        if code is not None:
            form = form_of.get(code, "UNK")
            if form != "UNK":
                known.add(form)
    # Exploitation types, collapsed; a case with more than one known form counts once,
    # as MULTI; a case with none (not triaged yet) as UNK.
    counts: dict[str, int] = {}
    for known in forms_of_case.values():
        category = "UNK" if not known else "MULTI" if len(known) > 1 else next(iter(known))
        counts[category] = counts.get(category, 0) + 1
    forms = list(dict.fromkeys(form_of.values()))
    stats.tables.append(
        _table(
            "cases_by_exploitation",
            "cases",
            "cases_signalled",
            counts,
            forms + ["MULTI"],
            "exploitation_types",
        )
    )
    counts = _collapse(((s, 1) for s in sectors.values()), _ref_map("sectors"), "UNK")
    stats.tables.append(
        _table(
            "cases_by_sector",
            "cases",
            "cases_signalled",
            counts,
            refdata.ref("sectors").codes(),
            "sectors",
        )
    )
    counts = _collapse(
        conn.execute(
            "SELECT closure_outcome, count(*) FROM case_file"
            " WHERE closed_on BETWEEN :start AND :end GROUP BY closure_outcome",
            params,
        ),
        _ref_map("closure_outcomes"),
        "UNKNOWN",
    )
    stats.tables.append(
        _table(
            "cases_closed_by_outcome",
            "cases",
            "cases_closed",
            counts,
            refdata.ref("closure_outcomes").codes(),
            "closure_outcomes",
        )
    )
    counts = _collapse(
        conn.execute(
            f"SELECT {_PHASE_AT_YEAR_END} AS p, count(*) FROM case_file AS c"
            f" WHERE c.opened_on <= :end AND NOT {_CLOSED_BY_YEAR_END} GROUP BY p",
            params,
        ),
        _ref_map("phases"),
        "UNKNOWN",
    )
    stats.tables.append(
        _table(
            "cases_open_at_year_end_by_phase",
            "cases",
            "cases_open_at_year_end",
            counts,
            refdata.ref("phases").codes(),
            "phases",
        )
    )


def _age_band(age) -> str:
    if age is None or age < 0:
        return "UNK"
    if age < 18:
        return "U18"
    if age <= 22:
        return "A18_22"
    return "A23"


def _count_victims(conn, stats: Statistics, start: str, end: str) -> None:
    # Age at the case's first signal (else its opening) from the birth year; else the
    # age recorded at the signal.
    rows = conn.execute(
        """SELECT p.gender, p.nationality,
                  CASE WHEN p.birth_year IS NOT NULL THEN
                      CAST(substr(coalesce(
                          (SELECT min(s.received_on) FROM signal AS s WHERE s.case_id = c.id),
                          c.opened_on), 1, 4) AS INTEGER) - p.birth_year
                  ELSE p.age END AS age_at_signal,
                  count(*)
           FROM person AS p JOIN case_file AS c ON c.id = p.case_id
           WHERE p.role = 'VICTIM' AND c.opened_on BETWEEN ? AND ?
           GROUP BY p.gender, p.nationality, age_at_signal""",
        (start, end),
    ).fetchall()
    stats.tables.append(
        _table(
            "victims_by_gender",
            "victims",
            "victims",
            _collapse(((r[0], r[3]) for r in rows), _ref_map("genders", "stats"), "X"),
            ["M", "F", "X"],
        )
    )
    bands: dict[str, int] = {}
    for r in rows:
        band = _age_band(r[2])
        bands[band] = bands.get(band, 0) + int(r[3])
    stats.tables.append(
        _table(
            "victims_by_age_band",
            "victims",
            "victims",
            bands,
            refdata.ref("age_bands").codes(),
            "age_bands",
        )
    )
    stats.tables.append(
        _table(
            "victims_by_nationality_group",
            "victims",
            "victims",
            _collapse(((r[1], r[3]) for r in rows), _ref_map("countries", "group"), "UNK"),
            refdata.ref("nationality_groups").codes(),
            "nationality_groups",
        )
    )


# A referral's status at the end of the year, from its dates (the current status where
# the date that goes with it is missing).
_REFERRAL_STATUS_AT_YEAR_END = """CASE
    WHEN ended_on IS NOT NULL AND ended_on <= :end THEN 'ENDED'
    WHEN withdrawn_on IS NOT NULL AND withdrawn_on <= :end THEN 'WITHDRAWN'
    WHEN refused_on IS NOT NULL AND refused_on <= :end THEN 'REFUSED'
    WHEN placed_on IS NOT NULL AND placed_on <= :end THEN 'PLACED'
    WHEN status = 'ENDED' AND ended_on IS NULL THEN 'ENDED'
    WHEN status = 'WITHDRAWN' AND withdrawn_on IS NULL THEN 'WITHDRAWN'
    WHEN status = 'REFUSED' AND refused_on IS NULL THEN 'REFUSED'
    WHEN status = 'PLACED' AND placed_on IS NULL THEN 'PLACED'
    ELSE 'REQUESTED' END"""


def _count_referrals_and_steps(conn, stats: Statistics, start: str, end: str) -> None:
    params = {"start": start, "end": end}
    rows = conn.execute(
        f"SELECT shelter_type, {_REFERRAL_STATUS_AT_YEAR_END} AS st, count(*) FROM referral"
        " WHERE requested_on BETWEEN :start AND :end GROUP BY shelter_type, st",
        params,
    ).fetchall()
    stats.tables.append(
        _table(
            "referrals_by_type",
            "referrals",
            "referrals",
            _collapse(((r[0], r[2]) for r in rows), _ref_map("shelter_types"), "UNKNOWN"),
            refdata.ref("shelter_types").codes(),
            "shelter_types",
        )
    )
    stats.tables.append(
        _table(
            "referrals_by_status",
            "referrals",
            "referrals",
            _collapse(((r[1], r[2]) for r in rows), _ref_map("referral_statuses"), "UNKNOWN"),
            refdata.ref("referral_statuses").codes(),
            "referral_statuses",
        )
    )
    mapping = {code: group for group, codes in STEP_GROUPS.items() for code in codes}
    counts = _collapse(
        conn.execute(
            "SELECT step_type, count(*) FROM followup_step WHERE status = :done"
            " AND done_on BETWEEN :start AND :end GROUP BY step_type",
            params | {"done": STEP_DONE},
        ),
        mapping,
        "OTHER",
    )
    stats.tables.append(
        _table(
            "steps_done_by_type",
            "referrals",
            "steps_done",
            counts,
            [*STEP_GROUPS, "OTHER"],
        )
    )


def _median(values: list, k: int, median_id: str) -> Median:
    n = len(values)
    if n < k:
        return Median(median_id, "timeliness", n, None)
    # SQLite's order: NULL first (a day count cannot be NULL here, but never raise)
    ordered = sorted(values, key=lambda v: (v is not None, v or 0))
    middle = ordered[(n - 1) // 2 : (n - 1) // 2 + 2 - n % 2]
    nums = [float(v) for v in middle]
    return Median(median_id, "timeliness", n, sum(nums) / len(nums))


def _count_medians(conn, stats: Statistics, start: str, end: str) -> None:
    # Per case opened in the year: days from the signal (opening) to triage (the local
    # date of triage) and to the first step done.
    # The first step per case through the index on followup_step.case_id: the cost
    # follows the year's cases, not the whole history of steps.
    rows = conn.execute(
        """SELECT triaged_at IS NOT NULL,
                  CAST(julianday(date(triaged_at, 'localtime'))
                       - julianday(opened_on) AS INTEGER),
                  first_step IS NOT NULL,
                  CAST(julianday(first_step) - julianday(opened_on) AS INTEGER)
           FROM (SELECT c.triaged_at, c.opened_on,
                        (SELECT min(f.done_on) FROM followup_step AS f
                         WHERE f.case_id = c.id AND f.status = ?) AS first_step
                 FROM case_file AS c WHERE c.opened_on BETWEEN ? AND ?)""",
        (STEP_DONE, start, end),
    ).fetchall()
    stats.medians.append(_median([r[1] for r in rows if r[0]], stats.k, "days_signal_to_triage"))
    stats.medians.append(
        _median([r[3] for r in rows if r[2]], stats.k, "days_signal_to_first_step")
    )


def _count_trainings(conn, stats: Statistics, start: str, end: str) -> None:
    count, participants = conn.execute(
        "SELECT count(*), coalesce(sum(participants), 0) FROM training"
        " WHERE held_on BETWEEN ? AND ?",
        (start, end),
    ).fetchone()
    stats.figures.append(Figure("trainings", "basisniveau", int(count)))
    stats.figures.append(Figure("training_participants", "basisniveau", int(participants)))


def years_with_data(session) -> list[int]:
    """Calendar years in which anything was counted, newest first."""
    from sqlalchemy import Integer, cast, func, select, union

    from casebook.models import Case, FollowUpStep, Referral, Signal, Training

    parts = [
        select(cast(func.substr(col, 1, 4), Integer).label("y")).where(col.is_not(None)).distinct()
        for col in (
            Signal.received_on,
            Case.opened_on,
            Case.closed_on,
            Referral.requested_on,
            FollowUpStep.done_on,
            Training.held_on,
        )
    ]
    stmt = union(*parts)
    years = {int(row[0]) for row in session.connection().execute(stmt) if row[0]}
    return sorted(years, reverse=True)


def default_year(years: list[int], today: date) -> int:
    """The last complete year with data; else the newest year with data."""
    complete = [y for y in years if y < today.year]
    if complete:
        return max(complete)
    if years:
        return max(years)
    return today.year - 1


# ---------------------------------------------------------------------------------------
# The public view: what the exports and the screen show.


def _msg(key: str, **params) -> str:
    return t(key, **params)


def cell_label(table: Table | dict, code: str) -> str:
    table_id = table.id if isinstance(table, Table) else table["id"]
    source = table.label_source if isinstance(table, Table) else ""
    for key in (f"stats.code.{table_id}.{code}", f"stats.code.any.{code}"):
        if key in catalogue():
            return t(key)
    if source:
        return refdata.label(source, code)
    return code


def display(value: int, mark: str, k: int) -> str:
    if mark == PRIMARY:
        return primary_marker(k)
    if mark in (SECONDARY, WITHHELD):
        return HIDDEN_MARKER
    return str(value)


def _public_count(value: int, mark: str, k: int) -> dict:
    return {
        "value": None if mark else value,
        "display": display(value, mark, k),
        "suppressed": mark or None,
    }


def format_days(days: float) -> str:
    text = f"{days:.1f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if get_language() == "nl" else text


def rules(k: int) -> list[str]:
    """The rules the export applied, in the current language."""
    return [
        _msg("stats.rule.k", k=k),
        _msg("stats.rule.primary", k=k, marker=primary_marker(k)),
        _msg("stats.rule.zero"),
        _msg("stats.rule.secondary", marker=HIDDEN_MARKER),
        _msg("stats.rule.total", marker=HIDDEN_MARKER),
        _msg("stats.rule.withheld", marker=HIDDEN_MARKER),
        _msg("stats.rule.one_dimensional"),
        _msg("stats.rule.median", k=k),
        _msg("stats.rule.content"),
        _msg("stats.rule.linked"),
    ]


def public(stats: Statistics) -> dict:
    """The published view of `stats`: a JSON-ready dict (schema in
    docs/statistics-format.md). Hidden counts carry no value, only their marker."""
    if any(c.hidden is False and 0 < c.value < stats.k for tb in stats.tables for c in tb.cells):
        raise ValueError("statistics not protected")  # compute(..., protect_figures=False)
    k = stats.k
    tables = []
    for tb in stats.tables:
        tables.append(
            {
                "id": tb.id,
                "section": tb.section,
                "group": tb.group,
                "title": _msg(f"stats.table.{tb.id}"),
                "withheld": tb.withheld,
                "cells": [
                    {"code": c.code, "label": cell_label(tb, c.code)}
                    | _public_count(c.value, c.mark, k)
                    for c in tb.cells
                ],
                "total": {"label": _msg("stats.total")} | _public_count(tb.total, tb.total_mark, k),
            }
        )
    figures = [
        {
            "id": fg.id,
            "section": fg.section,
            "title": _msg(f"stats.figure.{fg.id}"),
        }
        | _public_count(fg.value, fg.mark, k)
        for fg in stats.figures
    ]
    medians = [
        {
            "id": md.id,
            "section": md.section,
            "title": _msg(f"stats.median.{md.id}"),
            "days": md.days,
            "display": format_days(md.days) if md.published else _msg("stats.median.too_few", k=k),
            "suppressed": None if md.published else "too_few",
        }
        for md in stats.medians
    ]
    settings_items = [
        {
            "key": "municipality",
            "label": _msg("stats.setting.municipality"),
            "text": stats.municipality,
        },
    ]
    if stats.officer:
        settings_items.append(
            {"key": "officer", "label": _msg("stats.setting.officer"), "text": stats.officer}
        )
    for key in POLICY_KEYS:
        settings_items.append(
            {"key": key, "label": _msg(f"stats.setting.{key}"), "text": stats.policy.get(key, "")}
        )
    return {
        "schema": SCHEMA,
        "year": stats.year,
        "language": get_language(),
        "title": _msg("stats.title", year=stats.year),
        "municipality": stats.municipality,
        "sections": [{"id": s, "title": _msg(f"stats.section.{s}")} for s in SECTIONS],
        "figures": figures,
        "tables": tables,
        "medians": medians,
        "basisniveau": {
            "title": _msg("stats.section.basisniveau"),
            "signals_table": "signals_by_source_group",
            "figures": ["trainings", "training_participants"],
            "settings": settings_items,
        },
        "disclosure": {
            "title": _msg("stats.section.disclosure"),
            "k": k,
            "primary_marker": primary_marker(k),
            "hidden_marker": HIDDEN_MARKER,
            "rules": rules(k),
        },
    }
