"""Anonymised yearly statistics: the figures for one calendar year, and the disclosure
control that makes them fit to publish.

Everything is counted in SQL aggregates (no table is loaded row by row). The result of
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

from dataclasses import dataclass, field
from datetime import date

from casebook import refdata
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


def _collapse(column, mapping: dict[str, str], default: str):
    """SQL CASE mapping codes to their export group; unknown codes to `default`."""
    from sqlalchemy import case, literal

    groups: dict[str, list[str]] = {}
    for code, group in mapping.items():
        groups.setdefault(group, []).append(code)
    whens = [(column.in_(codes), literal(group)) for group, codes in groups.items()]
    return case(*whens, else_=literal(default))


def _ref_map(list_name: str, key: str | None = None) -> dict[str, str]:
    return {
        item.code: (item.get(key) if key else item.code) or item.code
        for item in refdata.ref(list_name)
    }


def _count_by(conn, key, stmt_where) -> dict[str, int]:
    from sqlalchemy import func, select

    stmt = stmt_where(select(key.label("k"), func.count().label("n"))).group_by(key)
    return {row.k: int(row.n) for row in conn.execute(stmt)}


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


def compute(session, year: int, *, protect_figures: bool = True) -> Statistics:
    """The figures for `year`, with disclosure control applied."""
    from casebook.services import settings

    values = settings.get_all(session)
    stats = Statistics(
        year=year,
        k=settings.stats_k(session),
        municipality=values.get("municipality", ""),
        officer=values.get("officer", ""),
        policy={key: values.get(key, "") for key in POLICY_KEYS},
    )
    conn = session.connection()
    _count_signals(conn, stats)
    _count_cases(conn, stats)
    _count_victims(conn, stats)
    _count_referrals_and_steps(conn, stats)
    _count_medians(conn, stats)
    _count_trainings(conn, stats)
    if protect_figures:
        protect(stats)
    return stats


def _count_signals(conn, stats: Statistics) -> None:
    from casebook.models import Signal

    start, end = year_bounds(stats.year)
    in_year = Signal.received_on.between(start, end)
    group = _collapse(Signal.source_role, _ref_map("source_roles", "group"), "ONBEKEND")
    counts = _count_by(conn, group, lambda s: s.where(in_year))
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
    channel = _collapse(Signal.channel, _ref_map("signal_channels"), "UNKNOWN")
    counts = _count_by(conn, channel, lambda s: s.where(in_year))
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


def _signalled(year: int):
    """Cases with at least one signal received in the year (through the index on
    `received_on`, not a scan of every case)."""
    from sqlalchemy import select

    from casebook.models import Case, Signal

    start, end = year_bounds(year)
    return Case.id.in_(select(Signal.case_id).where(Signal.received_on.between(start, end)))


def closed_by_year_end(year: int):
    """SQL condition: the case was closed at the end of `year`.

    A case counts as closed at the year end when its closing date lies in or before the
    year and it was not reopened before the year ended. The history table (append-only)
    records every change of `closed_on`; the current value covers cases without
    history (imported ones)."""
    from sqlalchemy import and_, exists, func, or_, select
    from sqlalchemy.orm import aliased

    from casebook.models import Case, HistoryEntry

    _, end = year_bounds(year)
    cutoff = year_end_cutoff(year)
    closing = aliased(HistoryEntry)
    reopening = aliased(HistoryEntry)
    # the last reopening before the year ended (0 if none) ...
    last_reopened = (
        select(func.coalesce(func.max(reopening.id), 0))
        .where(
            reopening.case_id == Case.id,
            reopening.event == "field.changed",
            reopening.field_name == "closed_on",
            reopening.new.is_(None),
            reopening.at < cutoff,
        )
        .scalar_subquery()
    )
    # ... and a closing after it, dated in or before the year
    closed_then = exists(
        select(closing.id).where(
            closing.case_id == Case.id,
            closing.event == "field.changed",
            closing.field_name == "closed_on",
            closing.new.is_not(None),
            closing.new <= end.isoformat(),
            closing.id > last_reopened,
        )
    )
    return or_(and_(Case.closed_on.is_not(None), Case.closed_on <= end), closed_then)


def phase_at_year_end(year: int):
    """SQL expression: the case's phase at the end of `year`, rebuilt from the history
    (the last phase change before the year ended; else the phase before the first
    change after it; else the current phase)."""
    from sqlalchemy import func, select

    from casebook.models import Case, HistoryEntry

    cutoff = year_end_cutoff(year)

    before = (
        select(HistoryEntry.new)
        .where(
            HistoryEntry.case_id == Case.id,
            HistoryEntry.event == "field.changed",
            HistoryEntry.field_name == "phase",
            HistoryEntry.at < cutoff,
        )
        .order_by(HistoryEntry.at.desc(), HistoryEntry.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    after = (
        select(HistoryEntry.old)
        .where(
            HistoryEntry.case_id == Case.id,
            HistoryEntry.event == "field.changed",
            HistoryEntry.field_name == "phase",
            HistoryEntry.at >= cutoff,
        )
        .order_by(HistoryEntry.at.asc(), HistoryEntry.id.asc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(before, after, Case.phase)


def _count_cases(conn, stats: Statistics) -> None:
    from sqlalchemy import case, distinct, func, literal, select

    from casebook.models import Case, CaseExploitation

    year = stats.year
    start, end = year_bounds(year)
    opened = conn.execute(
        select(func.count()).select_from(Case).where(Case.opened_on.between(start, end))
    ).scalar_one()
    stats.figures.append(Figure("cases_opened", "cases", int(opened)))

    signalled = _signalled(year)
    # Exploitation types, collapsed; a case with more than one known form counts once,
    # as MULTI; a case with none (not triaged yet) as UNK.
    form = _collapse(CaseExploitation.code, _ref_map("exploitation_types", "stats"), "UNK")
    known = case((form != "UNK", form))
    per_case = (
        select(
            Case.id.label("cid"),
            func.count(distinct(known)).label("n"),
            func.max(known).label("g"),
        )
        .select_from(Case)
        .outerjoin(CaseExploitation, CaseExploitation.case_id == Case.id)
        .where(signalled)
        .group_by(Case.id)
        .subquery()
    )
    category = case(
        (per_case.c.n == 0, literal("UNK")),
        (per_case.c.n > 1, literal("MULTI")),
        else_=per_case.c.g,
    )
    counts = {
        row.k: int(row.n)
        for row in conn.execute(
            select(category.label("k"), func.count().label("n")).group_by(category)
        )
    }
    forms = list(dict.fromkeys(_ref_map("exploitation_types", "stats").values()))
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
    sector = _collapse(Case.sector, _ref_map("sectors"), "UNK")
    counts = _count_by(conn, sector, lambda s: s.where(signalled))
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
    outcome = _collapse(Case.closure_outcome, _ref_map("closure_outcomes"), "UNKNOWN")
    counts = _count_by(conn, outcome, lambda s: s.where(Case.closed_on.between(start, end)))
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
    phase = _collapse(phase_at_year_end(year), _ref_map("phases"), "UNKNOWN")
    counts = _count_by(
        conn,
        phase,
        lambda s: s.where(Case.opened_on <= end, ~closed_by_year_end(year)),
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


def _count_victims(conn, stats: Statistics) -> None:
    from sqlalchemy import Integer, case, cast, func, literal, select

    from casebook.models import Case, Person, Signal

    start, end = year_bounds(stats.year)

    def where(s):
        return (
            s.select_from(Person)
            .join(Case, Case.id == Person.case_id)
            .where(Person.role == "VICTIM", Case.opened_on.between(start, end))
        )

    gender = _collapse(Person.gender, _ref_map("genders", "stats"), "X")
    stats.tables.append(
        _table(
            "victims_by_gender",
            "victims",
            "victims",
            _count_by(conn, gender, where),
            ["M", "F", "X"],
        )
    )
    first_signal = (
        select(func.min(Signal.received_on)).where(Signal.case_id == Case.id).scalar_subquery()
    )
    signal_year = cast(func.substr(func.coalesce(first_signal, Case.opened_on), 1, 4), Integer)
    age = case(
        (Person.birth_year.is_not(None), signal_year - Person.birth_year),
        else_=Person.age,
    )
    band = case(
        (age.is_(None), literal("UNK")),
        (age < 0, literal("UNK")),
        (age < 18, literal("U18")),
        (age <= 22, literal("A18_22")),
        else_=literal("A23"),
    )
    stats.tables.append(
        _table(
            "victims_by_age_band",
            "victims",
            "victims",
            _count_by(conn, band, where),
            refdata.ref("age_bands").codes(),
            "age_bands",
        )
    )
    nationality = _collapse(Person.nationality, _ref_map("countries", "group"), "UNK")
    stats.tables.append(
        _table(
            "victims_by_nationality_group",
            "victims",
            "victims",
            _count_by(conn, nationality, where),
            refdata.ref("nationality_groups").codes(),
            "nationality_groups",
        )
    )


def referral_status_at_year_end(year: int):
    """SQL expression: a referral's status at the end of `year`, from its dates (the
    current status where the date that goes with it is missing)."""
    from sqlalchemy import and_, case, literal

    from casebook.models import Referral

    _, end = year_bounds(year)
    steps = (
        ("ENDED", Referral.ended_on),
        ("WITHDRAWN", Referral.withdrawn_on),
        ("REFUSED", Referral.refused_on),
        ("PLACED", Referral.placed_on),
    )
    whens = [(and_(col.is_not(None), col <= end), literal(code)) for code, col in steps]
    whens += [(and_(Referral.status == code, col.is_(None)), literal(code)) for code, col in steps]
    return case(*whens, else_=literal("REQUESTED"))


def _count_referrals_and_steps(conn, stats: Statistics) -> None:
    from casebook.models import STEP_DONE, FollowUpStep, Referral

    start, end = year_bounds(stats.year)

    def requested(s):
        return s.where(Referral.requested_on.between(start, end))

    kind = _collapse(Referral.shelter_type, _ref_map("shelter_types"), "UNKNOWN")
    stats.tables.append(
        _table(
            "referrals_by_type",
            "referrals",
            "referrals",
            _count_by(conn, kind, requested),
            refdata.ref("shelter_types").codes(),
            "shelter_types",
        )
    )
    status = _collapse(
        referral_status_at_year_end(stats.year), _ref_map("referral_statuses"), "UNKNOWN"
    )
    stats.tables.append(
        _table(
            "referrals_by_status",
            "referrals",
            "referrals",
            _count_by(conn, status, requested),
            refdata.ref("referral_statuses").codes(),
            "referral_statuses",
        )
    )
    mapping = {code: group for group, codes in STEP_GROUPS.items() for code in codes}
    group = _collapse(FollowUpStep.step_type, mapping, "OTHER")
    counts = _count_by(
        conn,
        group,
        lambda s: s.where(
            FollowUpStep.status == STEP_DONE, FollowUpStep.done_on.between(start, end)
        ),
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


def _median(conn, days, where, k: int, median_id: str) -> Median:
    from sqlalchemy import func, select

    sub = where(select(days.label("d"))).subquery()
    n = int(conn.execute(select(func.count()).select_from(sub)).scalar_one())
    if n < k:
        return Median(median_id, "timeliness", n, None)
    rows = conn.execute(
        select(sub.c.d).order_by(sub.c.d).limit(2 - n % 2).offset((n - 1) // 2)
    ).scalars()
    values = [float(v) for v in rows]
    return Median(median_id, "timeliness", n, sum(values) / len(values))


def _count_medians(conn, stats: Statistics) -> None:
    from sqlalchemy import Integer, cast, func, select

    from casebook.models import STEP_DONE, Case, FollowUpStep

    start, end = year_bounds(stats.year)
    opened = Case.opened_on.between(start, end)
    to_triage = cast(
        func.julianday(func.date(Case.triaged_at, "localtime")) - func.julianday(Case.opened_on),
        Integer,
    )
    stats.medians.append(
        _median(
            conn,
            to_triage,
            lambda s: s.where(opened, Case.triaged_at.is_not(None)),
            stats.k,
            "days_signal_to_triage",
        )
    )
    first_step = (
        select(func.min(FollowUpStep.done_on))
        .where(FollowUpStep.case_id == Case.id, FollowUpStep.status == STEP_DONE)
        .scalar_subquery()
    )
    to_step = cast(func.julianday(first_step) - func.julianday(Case.opened_on), Integer)
    stats.medians.append(
        _median(
            conn,
            to_step,
            lambda s: s.where(opened, first_step.is_not(None)),
            stats.k,
            "days_signal_to_first_step",
        )
    )


def _count_trainings(conn, stats: Statistics) -> None:
    from sqlalchemy import func, select

    from casebook.models import Training

    start, end = year_bounds(stats.year)
    count, participants = conn.execute(
        select(func.count(), func.coalesce(func.sum(Training.participants), 0)).where(
            Training.held_on.between(start, end)
        )
    ).one()
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
