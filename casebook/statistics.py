"""Anonymised yearly statistics: the figures for one calendar year, and the disclosure
control that makes them fit to publish.

Everything is counted in grouped SQL aggregates on the stdlib `sqlite3` driver (no
SQLAlchemy on the `casebook stats` path; no table is loaded row by row). The result of
`compute()` holds the true counts together with their published roundings; `public()`
turns it into the only view that ever leaves this module: the roundings alone, labels
in the current language. The exports (`stats_export`) and the Statistics screen render
`public()`, so they show the same numbers by construction.

The rules (see docs/statistics-format.md for the threat model and the reasoning):

* k comes from the casebook's settings (5 by default, never below 3); it is the base.
* Controlled random rounding: *every* count is published as a multiple of k next to
  it, the direction drawn with the casebook's secret key; tables add up to their
  total, tables of one population share one total, and signals ≥ cases signalled ≥
  cases opened holds in what is published. So nothing about what is published depends
  on a hidden value but through the rounding, and each count keeps at least k
  possible values, however the published figures are combined.
* A published year is fixed (casebook.services.publications): its export repeats it; a
  correction is rounded so that it never moves against the count's own change.
* Small years: categories merge into their groups (docs §3); medians are bands.
* No free text, no references, no names, no date finer than the year.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import random
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from casebook import refdata
from casebook.db import driver_reads
from casebook.i18n import catalogue, get_language, t

SCHEMA = "casebook-stats/2"

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
    value: int  # the true count: never leaves this module
    shown: int | None = None  # the published rounding


@dataclass
class Table:
    id: str
    section: str
    group: str  # tables of one group count the same population and share their total
    label_source: str  # reference list for the cell labels ("" = catalogue only)
    cells: list[Cell]
    total: int
    shown_total: int | None = None
    note: str = ""  # why the categories were merged or the table withheld (catalogue key)
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
    shown: int | None = None


@dataclass
class Median:
    id: str
    section: str
    n: int
    days: float | None  # None when there are no cases
    band: str | None = None  # the published band; None = not shown

    @property
    def published(self) -> bool:
        return self.band is not None


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
    method: str = ""
    key: bytes = field(default=b"", repr=False)
    publication: dict | None = None  # the stored publication this view repeats
    previous_open: int | None = None  # open at the end of the year before, as published
    setting_k: int | None = None  # the casebook's k when it differs from a publication's
    stock_flow_linked: bool = False

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
# Disclosure control: controlled random rounding to base k (docs/statistics-format.md §4)
#
# Every count, small or large, zero or not, is published as a multiple of the base b = k:
# one of the two multiples next to it (a multiple of b stays as it is). Which of the two
# is chosen at random, with the casebook's own secret key (setting `stats_key`, made by
# migration 0003) as the only source of chance, so that an export of the same data is
# the same every time. The roundings are *controlled*: every table adds up to its
# published total, tables about the same population share one published total, and the
# chain signals ≥ cases signalled ≥ cases opened holds in the published figures as it
# holds in the data. Nothing about the pattern depends on the hidden values except
# through the rounding itself, and every combination of roundings that meets these
# rules can come out, so a reader who knows the method and the base learns no more than
# "the count lies strictly between p − b and p + b".

METHOD = "controlled-random-rounding/1"
KEY_SETTING = "stats_key"

# Group totals that must stay ordered in the published figures, as in the data
# (each signalled case has a signal in the year; each case opened in the year was
# opened by a signal in the year). Largest first.
CHAIN = ("group:signals", "group:cases_signalled", "figure:cases_opened")
# Stock and flow: open at the end of the year = open at the end of the year before
# (as published) + opened − closed + reopened, in the data and in what is published.
STOCK_FLOW = (
    "figure:cases_opened",
    "group:cases_closed",
    "figure:cases_reopened",
    "group:cases_open_at_year_end",
)
LINKED = tuple(dict.fromkeys(CHAIN + STOCK_FLOW))


def rounding_choices(value: int, base: int) -> tuple[int, ...]:
    """The multiples of `base` a count may be published as: itself when it is one,
    else the multiple below and the one above."""
    low = value // base * base
    return (low,) if value == low else (low, low + base)


def _stream(key: bytes, *parts) -> random.Random:
    label = "/".join(str(p) for p in (METHOD, *parts)).encode()
    return random.Random(hmac.new(key, label, hashlib.sha256).digest())


class _Options:
    """The roundings each count may take. A first publication: the two multiples
    next to the count. A correction (`previous`: the published roundings and the
    counts they rounded, by count id): besides, a rounding never moves against the
    count's own change, and stays put when the count did not change, so that the
    two publications side by side tell no more than each does alone."""

    def __init__(self, base: int, previous: dict | None = None) -> None:
        self.base = base
        self.previous = previous

    def __call__(self, count_id: str, value: int, *, loose: bool = False) -> list[int]:
        plain = list(rounding_choices(value, self.base))
        if loose or not self.previous or count_id not in self.previous["shown"]:
            return plain
        old_shown = self.previous["shown"][count_id]
        change = value - self.previous["true"].get(count_id, value)
        kept = [
            c
            for c in plain
            if (change > 0 and c >= old_shown)
            or (change < 0 and c <= old_shown)
            or (change == 0 and c == old_shown)
        ]
        return kept or plain


def _pick(rng: random.Random, value: int, base: int, options: list[int]) -> int:
    """One of `options` (roundings of `value`): the multiple above with the chance
    residue/base (unbiased) when both are allowed."""
    if len(options) == 1:
        return options[0]
    low, high = options
    return high if rng.random() < (value - low) / base else low


def _round_to_total(
    rng: random.Random, values: list[int], options: list[list[int]], total: int, base: int
) -> list[int]:
    """Round each value to one of its options so that they add up to `total`:
    exactly as many values take their higher option as the total needs, drawn at random
    with a chance that grows with their remainder (every such choice can come out)."""
    out = [min(o) for o in options]
    ups = (total - sum(out)) // base
    rest = [i for i, o in enumerate(options) if len(o) == 2]
    if not 0 <= ups <= len(rest) or sum(out) + ups * base != total:
        raise ValueError("the total is no rounding of the sum of the cells")

    def weight(i: int) -> float:
        return (values[i] % base or base) / base

    # Efraimidis–Spirakis: weighted sampling without replacement.
    order = sorted(rest, key=lambda i: rng.random() ** (1 / weight(i)), reverse=True)
    for i in order[:ups]:
        out[i] += base
    return out


def count_ids(stats: Statistics) -> dict[str, int]:
    """Every count of `stats` by its id (`table.code`, `group:NAME` for a shared
    total, `figure:ID`), with its true value."""
    out: dict[str, int] = {}
    for tb in stats.tables:
        out[f"group:{tb.group}"] = tb.total
        for c in tb.cells:
            out[f"{tb.id}.{c.code}"] = c.value
    for fig in stats.figures:
        out[f"figure:{fig.id}"] = fig.value
    return out


def shown_ids(stats: Statistics) -> dict[str, int]:
    """The published roundings by count id (see count_ids)."""
    out: dict[str, int] = {}
    for tb in stats.tables:
        out[f"group:{tb.group}"] = tb.shown_total
        for c in tb.cells:
            out[f"{tb.id}.{c.code}"] = c.shown
    for fig in stats.figures:
        out[f"figure:{fig.id}"] = fig.shown
    return out


# Categories fitted to the size of the year: in a year whose published total is below
# SMALL_YEAR × k, these tables show groups of categories instead (docs §3). The
# decision rests on the published (rounded) total alone, so it tells nothing more.
SMALL_YEAR = 10
SHELTER_GROUPS = {  # neutral groups: none of them encodes gender, age or nationality
    "COSM": "SPECIALISED",
    "OMM": "SPECIALISED",
    "NLA_BED": "SPECIALISED",
    "VO": "SHELTER",
    "MO_MAN": "SHELTER",
    "MO": "SHELTER",
    "NOODBED": "SHELTER",
    "BO_NIDOS": "CARE",
    "JEUGD_SPEC": "CARE",
    "JEUGD": "CARE",
    "AMB": "CARE",
    "GGZ": "CARE",
    "NETWERK": "OTHER",
    "TERUGKEER": "OTHER",
    "GEEN": "OTHER",
}


def _merges() -> dict[str, tuple[dict[str, str], str]]:
    return {
        "cases_by_sector": (_ref_map("sectors", "group"), "stats.note.merged_sectors"),
        "referrals_by_type": (SHELTER_GROUPS, "stats.note.merged_shelters"),
    }


def _merge(table: Table, mapping: dict[str, str], note: str) -> None:
    merged: dict[str, int] = {}
    for c in table.cells:
        group = mapping.get(c.code, "UNKNOWN")
        merged[group] = merged.get(group, 0) + c.value
    table.cells = [Cell(code, n) for code, n in merged.items()]
    table.label_source = ""
    table.note = note


def protect(stats: Statistics, key: bytes, previous: dict | None = None) -> Statistics:
    """Round every count of `stats` (see above) with the secret `key`; `previous`
    (a correction) holds the publication corrected: {"shown": …, "true": …, "version"}."""
    base = stats.k
    options = _Options(base, previous)
    salt = f"v{previous['version'] + 1}" if previous else "v1"
    groups: dict[str, list[Table]] = {}
    for tb in stats.tables:
        groups.setdefault(tb.group, []).append(tb)
    for tables in groups.values():
        if any(tb.total != tables[0].total for tb in tables):
            raise ValueError("tables of one group must share their total")

    def cell_options(tb: Table, loose: bool) -> list[list[int]]:
        return [options(f"{tb.id}.{c.code}", c.value, loose=loose) for c in tb.cells]

    def total_options(name: str) -> tuple[list[int], bool]:
        """The roundings the group's total may take (each table able to add up to
        it), and whether the correction rule had to be let go."""
        value = _chain_value(stats, groups, name)
        for loose in (False, True):
            opts = options(name, value, loose=loose)
            for tb in groups.get(name.removeprefix("group:"), []):
                cells = cell_options(tb, loose)
                low, high = sum(min(o) for o in cells), sum(max(o) for o in cells)
                opts = [o for o in opts if low <= o <= high]
            if opts:
                return opts, loose
        return list(rounding_choices(value, base)), True

    totals: dict[str, tuple[int, bool]] = {}
    linked = [n for n in LINKED if _chain_value(stats, groups, n) is not None]
    choices = [total_options(n) for n in linked]
    values = [_chain_value(stats, groups, n) for n in linked]

    def chain_holds(combo: dict[str, int]) -> bool:
        present = [combo[n] for n in CHAIN if n in combo]
        return all(a >= b for a, b in itertools.pairwise(present))

    def stock_holds(combo: dict[str, int]) -> bool:
        if stats.previous_open is None or not set(STOCK_FLOW) <= set(combo):
            return True
        opened, closed, reopened, open_end = (combo[n] for n in STOCK_FLOW)
        return open_end == stats.previous_open + opened - closed + reopened

    combos = [
        dict(zip(linked, c, strict=True)) for c in itertools.product(*(o for o, _ in choices))
    ]
    valid = [c for c in combos if chain_holds(c) and stock_holds(c)]
    stats.stock_flow_linked = bool(valid) and stats.previous_open is not None
    if not valid:  # the data break the identity (a case erased since): the chain only
        valid = [c for c in combos if chain_holds(c)] or combos

    def weight(combo: dict[str, int]) -> float:
        w = 1.0
        for n, v in zip(linked, values, strict=True):
            low = v // base * base
            if v != low:
                w *= (v - low) / base if combo[n] > low else 1 - (v - low) / base
        return w

    rng = _stream(key, stats.year, salt, "linked")
    picked = rng.choices(valid, weights=[weight(c) for c in valid])[0]
    for n, (_, loose) in zip(linked, choices, strict=True):
        totals[n] = (picked[n], loose)
    merges = _merges()
    for name, tables in groups.items():
        gid = f"group:{name}"
        total_now = totals[gid][0] if gid in totals else None
        for tb in tables:
            if tb.id in merges and (total_now is None or total_now < SMALL_YEAR * base):
                if total_now is None:  # decide on the published total: round it first
                    opts, loose = total_options(gid)
                    value = tables[0].total
                    totals[gid] = (
                        _pick(_stream(key, stats.year, salt, gid), value, base, opts),
                        loose,
                    )
                    total_now = totals[gid][0]
                if total_now < SMALL_YEAR * base:
                    _merge(tb, *merges[tb.id])
        if gid not in totals:
            opts, loose = total_options(gid)
            totals[gid] = (
                _pick(_stream(key, stats.year, salt, gid), tables[0].total, base, opts),
                loose,
            )
        total, loose = totals[gid]
        for tb in tables:
            tb.shown_total = total
            opts = cell_options(tb, loose)
            if not sum(min(o) for o in opts) <= total <= sum(max(o) for o in opts):
                opts = cell_options(tb, True)  # merged since: the plain roundings
            rounded = _round_to_total(
                _stream(key, stats.year, salt, "table", tb.id),
                [c.value for c in tb.cells],
                opts,
                total,
                base,
            )
            for c, shown in zip(tb.cells, rounded, strict=True):
                c.shown = shown
    for fig in stats.figures:
        fid = f"figure:{fig.id}"
        if fid in totals:
            fig.shown = totals[fid][0]
        else:
            fig.shown = _pick(
                _stream(key, stats.year, salt, fid), fig.value, base, options(fid, fig.value)
            )
    _band_medians(stats)
    stats.method = METHOD
    return stats


def _chain_value(stats: Statistics, groups: dict[str, list[Table]], name: str) -> int | None:
    if name.startswith("figure:"):
        for fig in stats.figures:
            if f"figure:{fig.id}" == name:
                return fig.value
        return None
    tables = groups.get(name.removeprefix("group:"))
    return tables[0].total if tables else None


# Median bands in days (lower bounds); the last is open-ended.
MEDIAN_BANDS = (0, 8, 15, 31, 61, 91, 181)


def median_band(days: float) -> str:
    """The band a median falls in, as a text label ("8–14", "181+"): never a number a
    spreadsheet could read as one (an en dash, not a hyphen)."""
    for low, high in zip(MEDIAN_BANDS, MEDIAN_BANDS[1:], strict=False):
        if days < high:
            return f"{low}–{high - 1}"
    return f"{MEDIAN_BANDS[-1]}+"


def _band_medians(stats: Statistics) -> None:
    """A median is shown, as a band, only when it rests on at least k cases and the
    published number of cases opened is at least 2k (so whether it is shown tells
    nothing the published figures do not)."""
    opened = next((f.shown for f in stats.figures if f.id == "cases_opened"), 0) or 0
    for md in stats.medians:
        md.band = (
            median_band(md.days)
            if md.days is not None and md.n >= stats.k and opened >= 2 * stats.k
            else None
        )


def new_key() -> str:
    """A fresh secret for the rounding (hex text, as the setting stores it)."""
    import secrets

    return secrets.token_hex(32)


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
        publication = load_publication(conn, year)
        before = load_publication(conn, year - 1)
    if before is not None:
        stats.previous_open = before["shown"].get("group:cases_open_at_year_end")
    if publication is not None and protect_figures:
        return repeat_publication(stats, publication)
    if protect_figures:
        protect(stats, stats.key)
    return stats


def load_publication(conn: sqlite3.Connection, year: int) -> dict | None:
    """The latest publication of `year` (a correction replaces what it corrects)."""
    row = conn.execute(
        "SELECT p.id, p.version, p.k, p.method, p.language, p.figures,"
        " (SELECT c.version FROM publication AS c WHERE c.id = p.corrects_id)"
        " FROM publication AS p WHERE p.year = ? ORDER BY p.version DESC LIMIT 1",
        (year,),
    ).fetchone()
    if row is None:
        return None
    import json

    stored = json.loads(row[5])
    return {
        "id": row[0],
        "version": row[1],
        "k": row[2],
        "method": row[3],
        "language": row[4],
        "status": "correction" if row[6] is not None else "published",
        "corrects": row[6],
        "view": stored["view"],
        "shown": stored["shown"],
        "true": stored["true"],
    }


def repeat_publication(stats: Statistics, publication: dict) -> Statistics:
    """`stats` carrying a stored publication: its k, method and figures, not the
    counts of today (public() gives the stored view)."""
    stats.publication = publication
    stats.setting_k = stats.k
    stats.k = publication["k"]
    stats.method = publication["method"]
    shown = publication["shown"]
    for tb in stats.tables:
        tb.shown_total = shown.get(f"group:{tb.group}")
        for c in tb.cells:
            c.shown = shown.get(f"{tb.id}.{c.code}")
    for fg in stats.figures:
        fg.shown = shown.get(f"figure:{fg.id}")
    return stats


def _compute(conn: sqlite3.Connection, year: int) -> Statistics:
    values = dict(conn.execute("SELECT key, value FROM setting"))
    try:
        k = int(values.get("stats_k", DEFAULT_K))
    except ValueError:
        k = DEFAULT_K
    secret = values.get(KEY_SETTING, "")
    if not secret:  # migration 0003 makes one; never round with a key anyone could know
        raise ValueError("the casebook has no statistics key")
    stats = Statistics(
        year=year,
        k=max(MIN_K, k),
        municipality=values.get("municipality", ""),
        officer=values.get("officer", ""),
        policy={key: values.get(key, "") for key in POLICY_KEYS},
        key=secret.encode(),
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


# A duplicate merged into another case (casebook.services.merge) is not a case of its
# own: everything it held now belongs to the other one, so it is counted nowhere.
_NOT_MERGED = "merged_into IS NULL"

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


def _closed_at(end: str, cutoff: str) -> str:
    """_CLOSED_BY_YEAR_END for another year end (named parameters `end`, `cutoff`)."""
    return _CLOSED_BY_YEAR_END.replace(":end", f":{end}").replace(":cutoff", f":{cutoff}")


def _count_cases(conn, stats: Statistics, start: str, end: str) -> None:
    year = stats.year
    params = {"start": start, "end": end, "cutoff": _stored_moment(year_end_cutoff(year))}
    (opened,) = conn.execute(
        f"SELECT count(*) FROM case_file WHERE opened_on BETWEEN :start AND :end AND {_NOT_MERGED}",
        params,
    ).fetchone()
    stats.figures.append(Figure("cases_opened", "cases", int(opened)))

    # Cases signalled in the year, with their sector and exploitation codes (one row
    # per code; one row with NULL when the case has none).
    rows = conn.execute(
        "SELECT c.id, c.sector, e.code FROM case_file AS c"
        " LEFT JOIN case_exploitation AS e ON e.case_id = c.id"
        f" WHERE c.id IN ({_SIGNALLED}) AND c.{_NOT_MERGED}",
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
    # Closed and reopened by the state at the two year ends, so that open at the end
    # = open at the end of the year before + opened − closed + reopened, exactly.
    params |= {
        "prev_end": date(year - 1, 12, 31).isoformat(),
        "prev_cutoff": _stored_moment(year_end_cutoff(year - 1)),
    }
    closed_before = _closed_at("prev_end", "prev_cutoff")
    (reopened,) = conn.execute(
        f"SELECT count(*) FROM case_file AS c WHERE c.opened_on <= :prev_end"
        f" AND c.{_NOT_MERGED} AND {closed_before} AND NOT {_CLOSED_BY_YEAR_END}",
        params,
    ).fetchone()
    stats.figures.append(Figure("cases_reopened", "cases", int(reopened)))
    counts = _collapse(
        conn.execute(
            "SELECT c.closure_outcome, count(*) FROM case_file AS c"
            f" WHERE c.opened_on <= :end AND c.{_NOT_MERGED} AND {_CLOSED_BY_YEAR_END}"
            f" AND (c.opened_on >= :start OR NOT {closed_before})"
            " GROUP BY c.closure_outcome",
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
            f" WHERE c.opened_on <= :end AND c.{_NOT_MERGED}"
            f" AND NOT {_CLOSED_BY_YEAR_END} GROUP BY p",
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
    if n == 0:
        return Median(median_id, "timeliness", n, None)
    # SQLite's order: NULL first (a day count cannot be NULL here, but never raise)
    ordered = sorted(values, key=lambda v: (v is not None, v or 0))
    middle = ordered[(n - 1) // 2 : (n - 1) // 2 + 2 - n % 2]
    nums = [float(v or 0) for v in middle]
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
                 FROM case_file AS c WHERE c.opened_on BETWEEN ? AND ?
                   AND c.merged_into IS NULL)""",
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
    source = table.label_source if isinstance(table, Table) else table.get("source", "")
    for key in (f"stats.code.{table_id}.{code}", f"stats.code.any.{code}"):
        if key in catalogue():
            return t(key)
    if source:
        return refdata.label(source, code)
    return code


def _public_count(shown: int | None) -> dict:
    if shown is None:
        raise ValueError("statistics not protected")  # compute(..., protect_figures=False)
    return {"value": shown, "display": str(shown)}


def rules(k: int) -> list[str]:
    """The rules the export applied, in the current language."""
    return [
        _msg("stats.rule.k", k=k),
        _msg("stats.rule.rounded", k=k),
        _msg("stats.rule.controlled"),
        _msg("stats.rule.range", k=k, below=k - 1),
        _msg("stats.rule.merged"),
        _msg("stats.rule.one_dimensional"),
        _msg("stats.rule.median_band", k=k, twice=2 * k),
        _msg("stats.rule.content"),
        _msg("stats.rule.fixed"),
    ]


def publish_view(stats: Statistics, key: bytes, previous: dict | None = None) -> dict:
    """The export of true figures `stats` (unprotected): every count rounded with
    `key` (categories fitted to the size of the year), then the public view. `previous` (a
    correction) is the publication corrected (see protect). This is the one function
    between true counts and anything published."""
    protect(stats, key, previous)
    return public(stats)


def public(stats: Statistics) -> dict:
    """The published view of `stats`: a JSON-ready dict (schema in
    docs/statistics-format.md). Only the rounded counts are in it. For a published
    year: the publication as stored (labels in another language where asked)."""
    if stats.publication is not None and "view" in stats.publication:
        return _stored_view(stats.publication)
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
                "note": _msg(tb.note) if tb.note else "",
                "source": tb.label_source,
                "cells": []
                if tb.withheld
                else [
                    {"code": c.code, "label": cell_label(tb, c.code)} | _public_count(c.shown)
                    for c in tb.cells
                ],
                "total": {"label": _msg("stats.total")} | _public_count(tb.shown_total),
            }
        )
    figures = [
        {
            "id": fg.id,
            "section": fg.section,
            "title": _msg(f"stats.figure.{fg.id}"),
        }
        | _public_count(fg.shown)
        for fg in stats.figures
    ]
    medians = [
        {
            "id": md.id,
            "section": md.section,
            "title": _msg(f"stats.median.{md.id}"),
            "band": md.band,
            "display": md.band if md.published else _msg("stats.median.too_few_band", k=k),
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
    pub = stats.publication or {}
    return {
        "schema": SCHEMA,
        "year": stats.year,
        "language": get_language(),
        "title": _msg("stats.title", year=stats.year),
        "municipality": stats.municipality,
        "publication": {
            "status": pub.get("status", "draft"),
            "version": pub.get("version", 0),
            "corrects": pub.get("corrects"),
            "text": publication_text(pub),
        },
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
            "base": k,
            "method": stats.method or METHOD,
            "rules": rules(k),
        },
    }


def _stored_view(publication: dict) -> dict:
    """A stored publication's view: as it was published in its language (byte for
    byte the same export), with today's catalogue labels in another one."""
    import copy

    view = copy.deepcopy(publication["view"])
    if view["language"] == get_language():
        return view
    view["language"] = get_language()
    view["title"] = _msg("stats.title", year=view["year"])
    view["publication"]["text"] = publication_text(view["publication"])
    view["sections"] = [
        {"id": s["id"], "title": _msg(f"stats.section.{s['id']}")} for s in view["sections"]
    ]
    for tb in view["tables"]:
        tb["title"] = _msg(f"stats.table.{tb['id']}")
        for c in tb["cells"]:
            c["label"] = cell_label(tb, c["code"])
        tb["total"]["label"] = _msg("stats.total")
    for fg in view["figures"]:
        fg["title"] = _msg(f"stats.figure.{fg['id']}")
    for md in view["medians"]:
        md["title"] = _msg(f"stats.median.{md['id']}")
        if not md["band"]:
            md["display"] = _msg("stats.median.too_few_band")
    basis = view["basisniveau"]
    basis["title"] = _msg("stats.section.basisniveau")
    for item in basis["settings"]:
        item["label"] = _msg(f"stats.setting.{item['key']}")
    k = view["disclosure"]["k"]
    view["disclosure"]["title"] = _msg("stats.section.disclosure")
    view["disclosure"]["rules"] = rules(k)
    return view


def publication_text(pub: dict) -> str:
    status = pub.get("status", "draft")
    if status == "draft":
        return _msg("stats.publication.draft")
    if status == "correction":
        return _msg(
            "stats.publication.correction", version=pub["version"], corrects=pub["corrects"]
        )
    return _msg("stats.publication.published", version=pub["version"])
