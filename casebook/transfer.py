"""The full dump and the JSON import: one layout, written by `casebook dump` and read
by `casebook import` (documented in docs/import-format.md).

The dump holds everything in the casebook, personal data included. The import checks
the whole file before it writes anything; on any problem nothing is written and every
problem is listed with where it is. Records keep their order, and references between
them are positions in the file, so a dump imported into an empty casebook dumps the same
again. Rows are written with SQLAlchemy Core bulk inserts in one transaction.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from casebook import paths, refdata, schema
from casebook.dates import today as local_today
from casebook.dates import utcnow
from casebook.errors import CasebookError, FieldError
from casebook.i18n import t
from casebook.models import DEADLINE_KINDS, STEP_STATUSES
from casebook.services.common import MAX_LINE, MAX_TEXT
from casebook.services.directory import KINDS as ORG_KINDS
from casebook.text import has_surrogates, strip_controls

FORMAT = "casebook-dump"
FORMAT_VERSION = 1

# A reference exactly as casebook makes them (services.intake.next_reference): four
# ASCII digits of the year, a hyphen, the number padded to four digits. Matched whole
# (fullmatch): "2026-0001\n" is not "2026-0001".
REFERENCE = re.compile(r"([0-9]{4})-([0-9]{4,6})", re.ASCII)
MAX_PROBLEM_LINES = 50  # problems printed; the rest are counted
MAX_PATH = 120  # characters of a field's path (keys come from the file) in a message
TOP_KEYS = (
    "format",
    "format_version",
    "schema",
    "casebook_version",
    "exported_at",
    "settings",
    "organisations",
    "trainings",
    "publications",
    "cases",
)
_MISSING = object()


# --------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Spec:
    """One field of the layout: its JSON name, column, kind and rules."""

    name: str
    kind: str  # code, codes, choice, text, raw, date, datetime, bool, int, ref
    required: bool = False
    default: Any = None
    ref_list: str = ""  # code/codes: reference list; ref: persons, referrals, organisations
    choices: tuple[str, ...] = ()
    max_len: int = MAX_LINE
    multiline: bool = False
    low: int = 0
    high: int = 0
    column: str = ""

    @property
    def col(self) -> str:
        return self.column or self.name


def _text(name: str, max_len: int = MAX_LINE, *, multiline: bool = False, required=False) -> Spec:
    return Spec(name, "text", default="", max_len=max_len, multiline=multiline, required=required)


def _stamp(name: str = "created_at") -> Spec:
    return Spec(name, "datetime", default=_MISSING)


_VERSION = Spec("version", "int", default=1, low=1, high=10**9)

CASE = (
    Spec("reference", "raw", required=True, max_len=16),
    Spec("subject_type", "code", required=True, ref_list="subject_types"),
    _text("title"),
    _text("location", 500),
    Spec("phase", "code", required=True, ref_list="phases"),
    Spec("status", "code", required=True, ref_list="statuses"),
    Spec("urgency", "code", ref_list="urgencies"),
    Spec("sector", "code", ref_list="sectors"),
    Spec("route", "code", ref_list="routes"),
    _text("route_note", MAX_TEXT, multiline=True),
    Spec("opened_on", "date", required=True),
    Spec("triaged_at", "datetime"),
    Spec("closed_on", "date"),
    Spec("closure_outcome", "code", ref_list="closure_outcomes"),
    _text("closure_note", MAX_TEXT, multiline=True),
    Spec("merged_into", "raw", max_len=16),
    _stamp("created_at"),
    _stamp("updated_at"),
    _VERSION,
)
SIGNAL = (
    Spec("received_on", "date", required=True),
    Spec("channel", "code", required=True, ref_list="signal_channels"),
    Spec("source_role", "code", required=True, ref_list="source_roles"),
    Spec("reporter_anonymous", "bool", default=False),
    _text("reporter_contact", 500),
    _text("observed", MAX_TEXT, multiline=True),
    Spec("triaged_at", "datetime"),
    _stamp(),
)
PERSON = (
    Spec("role", "code", required=True, ref_list="person_roles"),
    Spec("gender", "code", default="UNKNOWN", ref_list="genders"),
    Spec("birth_year", "int", low=1900, high=2999),
    Spec("age", "int", low=0, high=120),
    Spec("nationality", "code", default="XX", ref_list="countries"),
    Spec("b8_status", "code", ref_list="b8_statuses"),
    Spec("guardian_relation", "code", ref_list="consent_givers"),
    _text("name"),
    _text("contact", 500),
    _text("address", 500),
    _text("guardian_name"),
    _text("notes", MAX_TEXT, multiline=True),
    Spec("erased", "bool", default=False),
    _stamp(),
    _VERSION,
)
STEP = (
    Spec("step_type", "code", required=True, ref_list="step_types"),
    Spec("organisation", "ref", ref_list="organisations", column="organisation_id"),
    Spec("referral", "ref", ref_list="referrals", column="referral_id"),
    _text("description", MAX_TEXT, multiline=True),
    Spec("due_on", "date"),
    Spec("status", "choice", default="OPEN", choices=STEP_STATUSES),
    Spec("done_on", "date"),
    _text("result", MAX_TEXT, multiline=True),
    _stamp(),
    _VERSION,
)
REFERRAL = (
    Spec("person", "ref", ref_list="persons", column="person_id"),
    Spec("shelter_type", "code", required=True, ref_list="shelter_types"),
    Spec("organisation", "ref", ref_list="organisations", column="organisation_id"),
    Spec("status", "code", default="REQUESTED", ref_list="referral_statuses"),
    Spec("requested_on", "date", required=True),
    Spec("reply_due_on", "date"),
    Spec("placed_on", "date"),
    Spec("refused_on", "date"),
    Spec("ended_on", "date"),
    Spec("withdrawn_on", "date"),
    Spec("carried_by_partner", "bool", default=False),
    _text("note", MAX_TEXT, multiline=True),
    _stamp(),
    _VERSION,
)
CONTACT = (
    Spec("person", "ref", ref_list="persons", column="person_id"),
    Spec("at", "datetime", required=True),
    Spec("channel", "code", required=True, ref_list="contact_channels"),
    Spec("via_interpreter", "bool", default=False),
    Spec("counterpart_role", "code", required=True, ref_list="counterpart_roles"),
    _text("summary", MAX_TEXT, multiline=True),
    _stamp(),
    _VERSION,
)
CONSENT = (
    Spec("person", "ref", required=True, ref_list="persons", column="person_id"),
    Spec("purpose", "code", required=True, ref_list="consent_purposes"),
    Spec("organisation", "ref", ref_list="organisations", column="organisation_id"),
    Spec("given", "bool", required=True),
    Spec("recorded_on", "date", required=True),
    Spec("method", "code", required=True, ref_list="consent_methods"),
    Spec("given_by", "code", default="PERSON", ref_list="consent_givers"),
    _text("note", MAX_TEXT, multiline=True),
    _stamp(),
)
DEADLINE = (
    Spec("person", "ref", ref_list="persons", column="person_id"),
    Spec("kind", "choice", required=True, choices=DEADLINE_KINDS),
    Spec("starts_on", "date"),
    Spec("due_on", "date", required=True),
    Spec("done", "bool", default=False),
    _text("note", MAX_TEXT, multiline=True),
    _stamp(),
)
HISTORY = (
    Spec("at", "datetime", required=True),
    Spec("event", "raw", required=True, max_len=40),
    Spec("entity", "raw", default="case", max_len=24),
    Spec("item", "int", low=0, high=10**9, column="entity_id"),
    Spec("field", "raw", max_len=40, column="field_name"),
    Spec("old", "raw", max_len=10**6),
    Spec("new", "raw", max_len=10**6),
)
ORGANISATION = (
    Spec("code", "raw", max_len=24),
    _text("name", required=True),
    Spec("kind", "choice", default="other", choices=ORG_KINDS),
    _text("region"),
    _text("phone", 100),
    _text("email"),
    _text("notes", MAX_TEXT, multiline=True),
    Spec("active", "bool", default=True),
    _VERSION,
)
TRAINING = (
    Spec("held_on", "date", required=True),
    _text("audience", required=True),
    Spec("participants", "int", default=0, low=0, high=100_000),
    _text("provider"),
    _text("notes", MAX_TEXT, multiline=True),
    _VERSION,
)
# A year's figures as published (the statistics' fixed record): carried whole, so that
# a moved casebook exports a published year exactly as it was published. `corrects` is
# the position, in this list, of the publication a correction replaces.
PUBLICATION = (
    Spec("year", "int", required=True, low=1900, high=2999),
    Spec("version", "int", default=1, low=1, high=1000),
    Spec("k", "int", required=True, low=3, high=1000),
    Spec("method", "raw", required=True, max_len=64),
    Spec("language", "choice", default="nl", choices=("nl", "en")),
    Spec("figures", "raw", required=True, max_len=10**7),
    Spec("corrects", "int", low=0, high=10**6, column="corrects_id"),
    Spec("published_at", "datetime", required=True),
)

# name in the case -> (specs, model name, history entity name)
CASE_LISTS: dict[str, tuple[tuple[Spec, ...], str, str | None]] = {
    "signals": (SIGNAL, "Signal", "signal"),
    "persons": (PERSON, "Person", "person"),
    "steps": (STEP, "FollowUpStep", "step"),
    "referrals": (REFERRAL, "Referral", "referral"),
    "contacts": (CONTACT, "ContactMoment", "contact"),
    "consents": (CONSENT, "Consent", None),
    "deadlines": (DEADLINE, "Deadline", "deadline"),
    "history": (HISTORY, "HistoryEntry", None),
}
HISTORY_ENTITIES = {name: key for key, (_, _, name) in CASE_LISTS.items() if name}
CASE_KEYS = {s.name for s in CASE} | {"exploitation_types", "other_sectors"} | set(CASE_LISTS)
SIGNAL_KEYS = {s.name for s in SIGNAL} | {"indicators"}


# --------------------------------------------------------------------------- dump


def _iso_dt(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    v = value.astimezone(UTC)
    # Formatted by hand: strftime writes year 1 as "1", which import would refuse.
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}Z"


def valid_reference(ref: str) -> tuple[int, int] | None:
    """(year, number) when `ref` is a reference exactly as casebook writes it."""
    match = REFERENCE.fullmatch(ref)
    if match is None:
        return None
    year, seq = int(match.group(1)), int(match.group(2))
    if not 1900 <= year <= 2999 or seq < 1 or ref != f"{year}-{seq:04d}":
        return None
    return year, seq


def _show(value: Any, limit: int = 40) -> str:
    """A short, harmless excerpt of a value from the file for a message: control
    characters shown visibly, never more than `limit` characters, and no str() of
    something that could be huge or deep."""
    from casebook.text import one_line

    if isinstance(value, str):
        return one_line(value[: limit + 1], limit)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        if value.bit_length() > 128:
            return "…"
        return one_line(str(value), limit)
    if isinstance(value, float):
        return one_line(repr(value), limit)
    return type(value).__name__


def _encode(spec: Spec, value: Any, refs: Callable[[str, Any], int | None]) -> Any:
    if spec.kind == "date":
        return value.isoformat() if value is not None else None
    if spec.kind == "datetime":
        return _iso_dt(value)
    if spec.kind == "ref":
        return refs(spec.ref_list, value)
    if spec.kind == "bool":
        return bool(value)
    return value


def _encode_row(specs: Iterable[Spec], row, refs) -> dict:
    return {s.name: _encode(s, getattr(row, s.col), refs) for s in specs}


def dump_data(session, *, exported_at: datetime | None = None) -> dict:
    """Everything in the casebook as the JSON-ready layout."""
    from sqlalchemy import select

    from casebook import models as m

    def rows(model, order=None):
        table = model.__table__
        stmt = select(table).order_by(*(order or [table.c.id]))
        return session.execute(stmt).all()

    orgs = rows(m.Organisation)
    org_pos = {row.id: i for i, row in enumerate(orgs)}
    cases = rows(m.Case)
    by_case: dict[str, dict[int, list]] = {}
    for key, (_, model_name, _) in CASE_LISTS.items():
        if key == "consents":
            continue
        grouped: dict[int, list] = defaultdict(list)
        for row in rows(getattr(m, model_name)):
            grouped[row.case_id].append(row)
        by_case[key] = grouped
    person_case = {p.id: cid for cid, people in by_case["persons"].items() for p in people}
    consents: dict[int, list] = defaultdict(list)
    for row in rows(m.Consent):
        consents[person_case.get(row.person_id)].append(row)
    by_case["consents"] = consents
    exploitation: dict[int, list[str]] = defaultdict(list)
    for row in rows(m.CaseExploitation, _cols(m.CaseExploitation, "case_id", "code")):
        exploitation[row.case_id].append(row.code)
    sectors: dict[int, list[str]] = defaultdict(list)
    for row in rows(m.CaseSector, _cols(m.CaseSector, "case_id", "code")):
        sectors[row.case_id].append(row.code)
    indicators: dict[int, list[str]] = defaultdict(list)
    for row in rows(m.SignalIndicator, _cols(m.SignalIndicator, "signal_id", "code")):
        indicators[row.signal_id].append(row.code)

    out_cases = []
    for case in cases:
        lists = {key: by_case[key].get(case.id, []) for key in CASE_LISTS}
        positions = {
            key: {row.id: i for i, row in enumerate(lists[key])}
            for key in ("signals", "persons", "steps", "referrals", "contacts", "deadlines")
        }

        def refs(list_name, value, positions=positions):
            if value is None:
                return None
            if list_name == "organisations":
                return org_pos.get(value)
            return positions[list_name].get(value)

        item = _encode_row(CASE, case, refs)
        item["exploitation_types"] = exploitation.get(case.id, [])
        item["other_sectors"] = sectors.get(case.id, [])
        for key, (specs, _, _) in CASE_LISTS.items():
            encoded = []
            for row in lists[key]:
                obj = _encode_row(specs, row, refs)
                if key == "signals":
                    obj["indicators"] = indicators.get(row.id, [])
                elif key == "history":
                    obj["item"] = _history_item(row, case.id, positions)
                encoded.append(obj)
            item[key] = encoded
        out_cases.append(item)

    from casebook.services.settings import VERSION_KEY

    settings = {
        row.key: row.value
        for row in rows(m.Setting, [m.Setting.__table__.c.key])
        if row.key != VERSION_KEY and not row.key.startswith("_")
    }
    from casebook import __version__

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema": schema.HEAD,
        "casebook_version": __version__,
        "exported_at": _iso_dt(exported_at or utcnow()),
        "settings": settings,
        "organisations": [_encode_row(ORGANISATION, row, None) for row in orgs],
        "trainings": [_encode_row(TRAINING, row, None) for row in rows(m.Training)],
        "publications": _dump_publications(rows(m.Publication)),
        "cases": out_cases,
    }


def _dump_publications(publications) -> list[dict]:
    position = {row.id: i for i, row in enumerate(publications)}
    out = []
    for row in publications:
        item = _encode_row(PUBLICATION, row, None)
        item["corrects"] = position.get(row.corrects_id)
        out.append(item)
    return out


def _cols(model, *names: str) -> list:
    return [model.__table__.c[name] for name in names]


def _history_item(row, case_id: int, positions: dict[str, dict[int, int]]) -> int | None:
    if row.entity_id is None:
        return None
    if row.entity == "case":
        return 0 if row.entity_id == case_id else None
    key = HISTORY_ENTITIES.get(row.entity)
    return positions[key].get(row.entity_id) if key else None


@dataclass
class DumpResult:
    path: Path
    cases: int


def write_dump(cb, out: Path) -> DumpResult:
    """Write the dump to `out`, a new owner-only file; refuses an existing file."""
    out = Path(out)
    if out.exists():
        raise CasebookError("cli.exists", path=str(out))
    with cb.read() as session:
        data = dump_data(session)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise CasebookError("cli.exists", path=str(out)) from None
    except OSError as exc:
        raise CasebookError(
            "storage.cannot_write", path=str(out), reason=exc.strerror or ""
        ) from None
    paths.restrict(out)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
    except BaseException:
        out.unlink(missing_ok=True)
        raise
    return DumpResult(out, len(data["cases"]))


# --------------------------------------------------------------------------- import


@dataclass
class Problem:
    """One thing wrong in an import file: where (`case`, number and reference) and
    which field, with a catalogue key."""

    field: str
    error: FieldError
    case_no: int | None = None
    reference: str | None = None

    def where(self) -> str:
        if self.case_no is None:
            return ""
        if self.reference:
            return t("transfer.where.case_ref", n=self.case_no, reference=self.reference)
        return t("transfer.where.case", n=self.case_no)

    def render(self) -> str:
        from casebook.text import one_line

        parts = [p for p in (self.where(), self.field) if p]
        # Everything from the file shown harmlessly: no control character reaches the
        # terminal, and no line is longer than a screen or two.
        return one_line(": ".join([*parts, self.error.message()]), 400)


class ImportRefused(CasebookError):
    """The import file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("transfer.refused", count=len(problems))
        self.problems = problems

    def lines(self, limit: int = MAX_PROBLEM_LINES) -> list[str]:
        """The problems as lines to print: at most `limit`, then how many more."""
        shown = [p.render() for p in self.problems[:limit]]
        if len(self.problems) > limit:
            shown.append(t("faults.import.more", count=len(self.problems) - limit))
        return shown


@dataclass
class ImportResult:
    counts: dict[str, int] = field(default_factory=dict)


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, key: str, case: tuple | None = None, **params) -> None:
        from casebook.text import one_line

        no, ref = case or (None, None)
        if len(path) > MAX_PATH or not path.isprintable():
            path = one_line(path[: MAX_PATH + 1], MAX_PATH)
        self.items.append(Problem(path, FieldError(path, key, params), no, ref))


@cache
def _allowed(specs: tuple[Spec, ...], extra: tuple[str, ...]) -> frozenset[str]:
    return frozenset(s.name for s in specs) | frozenset(extra)


def read_file(path: Path) -> Any:
    """Parse the import file; a file that is not JSON is refused with where it broke."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CasebookError("storage.missing", path=str(path)) from None
    except OSError as exc:
        raise CasebookError(
            "storage.unreadable", path=str(path), reason=exc.strerror or ""
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([_file_problem("transfer.error.encoding")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [_file_problem("transfer.error.json", line=exc.lineno, column=exc.colno)]
        ) from None
    except RecursionError:
        raise ImportRefused([_file_problem("faults.import.too_deep")]) from None
    except ValueError:  # an integer beyond Python's digit limit (4,300 digits)
        raise ImportRefused([_file_problem("faults.import.number_too_long")]) from None


def _file_problem(key: str, **params) -> Problem:
    return Problem("", FieldError("", key, params))


class _Validator:
    """Checks the whole file against the layout and the target casebook and turns it
    into rows. Every problem is collected; nothing is raised half-way."""

    def __init__(
        self,
        data: dict,
        *,
        existing_refs: set[str],
        existing_org_codes: set[str],
        published: set[tuple[int, int]] | None = None,
    ):
        self.data = data
        self.problems = _Problems()
        self.existing_refs = existing_refs
        self.existing_org_codes = existing_org_codes
        self.published = published or set()  # (year, version) already in the casebook
        self.this_year = local_today().year
        self.org_codes: dict[str, int] = {}
        self.n_orgs = 0
        self._codes: dict[str, frozenset[str]] = {}

    # one value ---------------------------------------------------------------

    def value(self, spec: Spec, obj: dict, path: str, case, counts: dict[str, int]):
        raw = obj.get(spec.name, _MISSING)
        kind = spec.kind
        if raw is _MISSING or raw is None or (raw == "" and kind not in ("text", "raw")):
            if spec.required:
                self.problems.add(path + spec.name, "error.required", case)
                return None
            return utcnow() if spec.default is _MISSING else spec.default
        # Fast paths for well-formed values (a decade's dump holds a million of them);
        # anything unusual goes through the services' own checks.
        if kind == "code":
            if isinstance(raw, str) and raw in self._known(spec.ref_list):
                return raw
            if not isinstance(raw, str):
                self.problems.add(path + spec.name, "transfer.error.type_text", case)
                return None
        elif kind == "text":
            if (
                isinstance(raw, str)
                and len(raw) <= spec.max_len
                and "\r" not in raw
                and "\x00" not in raw
                and (spec.multiline or "\n" not in raw)
                and raw == raw.strip()
                and (raw or not spec.required)
                and not has_surrogates(raw)
            ):
                return raw
        elif kind == "date":
            if isinstance(raw, str) and len(raw) == 10 and raw[4] == "-":
                try:
                    day = date.fromisoformat(raw)
                except ValueError:
                    day = None
                if day is not None and 1900 <= day.year <= 2999:
                    return day
        elif kind == "datetime":
            return self._datetime(raw, path + spec.name, case)
        elif kind == "choice":
            if isinstance(raw, str) and raw in spec.choices:
                return raw
            self.problems.add(path + spec.name, "error.unknown_code", case, code=_show(raw))
            return None
        elif kind == "raw":
            if not isinstance(raw, str):
                self.problems.add(path + spec.name, "transfer.error.type_text", case)
                return None
            if spec.required and not raw.strip():
                self.problems.add(path + spec.name, "error.required", case)
                return None
            if len(raw) > spec.max_len:
                self.problems.add(path + spec.name, "error.too_long", case, max=spec.max_len)
                return None
            if has_surrogates(raw):
                self.problems.add(path + spec.name, "faults.import.bad_text", case)
                return None
            if spec.max_len < 10**6 and spec.name != "reference" and strip_controls(raw) != raw:
                # a code or a field name, never typed: control characters refused
                self.problems.add(path + spec.name, "faults.import.bad_text", case)
                return None
            return raw
        elif kind == "bool":
            if isinstance(raw, bool):
                return raw
            self.problems.add(path + spec.name, "transfer.error.type_bool", case)
            return spec.default
        elif kind == "int":
            high = self.this_year if spec.name == "birth_year" else spec.high
            if isinstance(raw, bool) or not isinstance(raw, int):
                self.problems.add(path + spec.name, "transfer.error.type_int", case)
                return None
            if spec.low <= raw <= high:
                return raw
        elif kind == "ref":
            return self._ref(spec, raw, path + spec.name, case, counts)
        return self._slow(spec, raw, path + spec.name, case)

    def _slow(self, spec: Spec, raw, where: str, case):
        """The services' checks (casebook.services.common.Check) for one value."""
        from casebook.services.common import Check

        check = Check()
        if spec.kind == "code":
            result = check.code(spec.name, spec.ref_list, raw)
        elif spec.kind == "text":
            result = check.text(
                spec.name,
                raw,
                max_len=spec.max_len,
                multiline=spec.multiline,
                required=spec.required,
            )
        elif spec.kind == "date":
            result = check.date(spec.name, raw)
        elif spec.kind == "int":
            high = self.this_year if spec.name == "birth_year" else spec.high
            result = check.integer(spec.name, raw, low=spec.low, high=high)
        else:  # pragma: no cover - a spec typo
            raise AssertionError(spec.kind)
        for err in check.errors:
            self.problems.add(where, err.key, case, **err.params)
        return result

    def _known(self, list_name: str) -> frozenset[str]:
        known = self._codes.get(list_name)
        if known is None:
            known = self._codes[list_name] = frozenset(refdata.ref(list_name).codes())
        return known

    def _datetime(self, raw, where: str, case) -> datetime | None:
        if isinstance(raw, str) and len(raw) <= 64:
            try:
                value = datetime.fromisoformat(raw.strip())
            except ValueError:
                value = None
            if value is not None and value.tzinfo is not None:
                try:
                    moment = value.astimezone(UTC)
                except OverflowError:  # year 1 or 9999 moved across midnight
                    moment = None
                if moment is None or not 1900 <= moment.year <= 2999:
                    self.problems.add(where, "faults.import.moment_range", case)
                    return None
                return moment
        self.problems.add(where, "transfer.error.datetime", case)
        return None

    def _ref(self, spec: Spec, raw, where: str, case, counts: dict[str, int]):
        if spec.ref_list == "organisations" and isinstance(raw, str):
            if raw in self.org_codes:
                return ("file", self.org_codes[raw])
            if raw in self.existing_org_codes:
                return ("code", raw)
            self.problems.add(where, "error.unknown_organisation", case)
            return None
        size = self.n_orgs if spec.ref_list == "organisations" else counts.get(spec.ref_list, 0)
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw < size:
            key = {
                "organisations": "error.unknown_organisation",
                "persons": "error.unknown_person",
            }.get(spec.ref_list, "transfer.error.unknown_item")
            self.problems.add(where, key, case, index=_show(raw, 20))
            return None
        return ("file", raw) if spec.ref_list == "organisations" else raw

    def record(self, specs, obj, path: str, case, counts=None, extra=()) -> dict | None:
        if not isinstance(obj, dict):
            self.problems.add(path.rstrip("."), "transfer.error.type_object", case)
            return None
        allowed = _allowed(specs, extra)
        for key in obj:
            if key not in allowed:
                self.problems.add(f"{path}{key}", "transfer.error.unknown_field", case)
        return {s.col: self.value(s, obj, path, case, counts or {}) for s in specs}

    def array(self, obj: dict, key: str, path: str, case) -> list:
        value = obj.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.problems.add(f"{path}{key}", "transfer.error.type_list", case)
            return []
        return value

    def codes(self, values: list, list_name: str, where: str, case) -> list[str]:
        known = self._known(list_name)
        out: list[str] = []
        for value in values:
            if not isinstance(value, str) or value not in known:
                self.problems.add(where, "error.unknown_code", case, code=_show(value))
            elif value not in out:
                out.append(value)
        return out

    # the whole file ------------------------------------------------------------

    def run(self) -> dict:
        data = self.data
        for key in data:
            if key not in TOP_KEYS:
                self.problems.add(key, "transfer.error.unknown_field")
        settings = self.settings(data.get("settings"))
        organisations = []
        raw_orgs = self.array(data, "organisations", "", None)
        self.n_orgs = len(raw_orgs)
        for i, obj in enumerate(raw_orgs):
            row = self.record(ORGANISATION, obj, f"organisations[{i}].", None)
            if row is None:
                continue
            code = row["code"] = row["code"] or None
            if code:
                if code in self.org_codes:
                    self.problems.add(f"organisations[{i}].code", "transfer.error.duplicate")
                self.org_codes[code] = i
            organisations.append(row)
        trainings = [
            self.record(TRAINING, obj, f"trainings[{i}].", None)
            for i, obj in enumerate(self.array(data, "trainings", "", None))
        ]
        publications = self.publications(self.array(data, "publications", "", None))
        cases = []
        seen: set[str] = set()
        for i, obj in enumerate(self.array(data, "cases", "", None)):
            cases.append(self.case(i + 1, obj, seen))
        return {
            "settings": settings,
            "organisations": organisations,
            "trainings": trainings,
            "publications": publications,
            "cases": cases,
        }

    def publications(self, raw: list) -> list[dict]:
        """The published years: each (year, version) once, not one this casebook has
        published already, its figures JSON, a correction pointing at an earlier
        publication of its year."""
        out: list[dict | None] = []  # by position in the file (corrects points there)
        seen: set[tuple[int, int]] = set()
        for i, obj in enumerate(raw):
            path = f"publications[{i}]."
            row = self.record(PUBLICATION, obj, path, None)
            out.append(row)
            if row is None:
                continue
            key = (row["year"], row["version"])
            if None not in key:
                if key in seen:
                    self.problems.add(f"{path}version", "transfer.error.duplicate")
                elif key in self.published:
                    self.problems.add(f"{path}version", "transfer.error.already_published")
                seen.add(key)
            try:
                json.loads(row["figures"] or "")
            except (TypeError, ValueError, RecursionError):
                self.problems.add(f"{path}figures", "transfer.error.publication_figures")
            corrects = row["corrects_id"]
            if corrects is not None:
                target = out[corrects] if corrects < i else None
                if target is None or target["year"] != row["year"]:
                    self.problems.add(f"{path}corrects", "transfer.error.publication_corrects")
        return [row for row in out if row is not None]

    def settings(self, value) -> dict[str, str]:
        """The file's settings, checked as the Settings screen checks them (a retention
        term of "-5" or a mode "DELETE" is refused, not stored)."""
        from casebook.errors import ValidationError
        from casebook.services.settings import DEFAULTS, check_values

        if value is None:
            return {}
        if not isinstance(value, dict):
            self.problems.add("settings", "transfer.error.type_object")
            return {}
        out = {}
        for key, item in value.items():
            if key not in DEFAULTS:
                self.problems.add(f"settings.{key}", "transfer.error.unknown_field")
            elif not isinstance(item, str):
                self.problems.add(f"settings.{key}", "transfer.error.type_text")
            else:
                out[key] = item
        try:
            return check_values(out, partial=True)
        except ValidationError as exc:
            for err in exc.errors:
                self.problems.add(f"settings.{err.field}", err.key, None, **err.params)
            return {}

    def case(self, number: int, obj, seen: set[str]) -> dict | None:
        reference = obj.get("reference") if isinstance(obj, dict) else None
        ref_text = reference if isinstance(reference, str) else None
        where = (number, ref_text[:16] if ref_text else None)
        if not isinstance(obj, dict):
            self.problems.add("", "transfer.error.type_object", where)
            return None
        for key in obj:
            if key not in CASE_KEYS:
                self.problems.add(key, "transfer.error.unknown_field", where)
        row = {s.col: self.value(s, obj, "", where, {}) for s in CASE}
        ref = row["reference"]
        if ref is not None:
            parts = valid_reference(ref)
            if parts is None:
                self.problems.add("reference", "faults.import.reference_format", where)
            elif ref in seen:
                self.problems.add("reference", "transfer.error.duplicate", where)
            elif ref in self.existing_refs:
                self.problems.add("reference", "transfer.error.reference_exists", where)
            else:
                row["ref_year"], row["ref_seq"] = parts
            seen.add(ref)
        if row["status"] == "CLOSED":
            for name in ("closed_on", "closure_outcome"):
                if row[name] is None and obj.get(name) in (None, ""):
                    self.problems.add(name, "error.required", where)
        expl = self.array(obj, "exploitation_types", "", where)
        out = {
            "case": row,
            "exploitation_types": self.codes(
                expl, "exploitation_types", "exploitation_types", where
            ),
            "other_sectors": self.codes(
                self.array(obj, "other_sectors", "", where), "sectors", "other_sectors", where
            ),
        }
        raw_lists = {key: self.array(obj, key, "", where) for key in CASE_LISTS}
        counts = {key: len(value) for key, value in raw_lists.items()}
        for key, (specs, _, _) in CASE_LISTS.items():
            items = []
            for i, item in enumerate(raw_lists[key]):
                path = f"{key}[{i}]."
                extra = ("indicators",) if key == "signals" else ()
                rec = self.record(specs, item, path, where, counts, extra)
                if rec is None:
                    continue
                if key == "signals":
                    rec["_indicators"] = self.codes(
                        self.array(item, "indicators", path, where),
                        "indicators",
                        f"{path}indicators",
                        where,
                    )
                elif key == "history":
                    self.history_item(rec, counts, path, where)
                items.append(rec)
            out[key] = items
        return out

    def history_item(self, rec: dict, counts: dict[str, int], path: str, where) -> None:
        index = rec["entity_id"]
        if index is None:
            return
        entity = rec["entity"] or "case"
        size = 1 if entity == "case" else counts.get(HISTORY_ENTITIES.get(entity, ""), 0)
        if index >= size:
            self.problems.add(f"{path}item", "transfer.error.unknown_item", where, index=index)
            rec["entity_id"] = None


def import_data(cb, data: Any) -> ImportResult:
    """Validate the whole of `data` and, when all is well, write it in one transaction.
    Raises ImportRefused (nothing written) with every problem found."""
    problems = _header_problems(data)
    if problems:
        raise ImportRefused(problems)
    from sqlalchemy import func, select

    from casebook import models as m

    with cb.write() as session:
        existing_refs = set(session.execute(select(m.Case.reference)).scalars())
        orgs_before = session.execute(select(m.Organisation.__table__)).all()
        published = set(session.execute(select(m.Publication.year, m.Publication.version)).all())
        validator = _Validator(
            data,
            existing_refs=existing_refs,
            existing_org_codes={o.code for o in orgs_before if o.code},
            published={(year, version) for year, version in published},
        )
        parsed = validator.run()
        if validator.problems.items:
            raise ImportRefused(validator.problems.items)
        fresh = session.execute(select(func.count()).select_from(m.Case)).scalar() == 0
        writer = _Writer(session)
        org_ids = writer.organisations(parsed["organisations"], orgs_before, fresh)
        writer.settings(parsed["settings"], fresh)
        writer.trainings(parsed["trainings"])
        writer.publications(parsed["publications"])
        writer.cases(parsed["cases"], org_ids)
        return ImportResult(writer.counts)


def _header_problems(data: Any) -> list[Problem]:
    if not isinstance(data, dict):
        return [_file_problem("transfer.error.not_a_dump")]
    if data.get("format") != FORMAT:
        return [
            Problem("format", FieldError("format", "transfer.error.format", {"format": FORMAT}))
        ]
    version = data.get("format_version")
    if isinstance(version, bool) or version != FORMAT_VERSION:
        return [
            Problem(
                "format_version",
                FieldError(
                    "format_version",
                    "transfer.error.format_version",
                    {"version": _show(version, 20), "supported": FORMAT_VERSION},
                ),
            )
        ]
    made_by = data.get("schema")
    if made_by is not None and made_by not in schema.REVISIONS:
        return [Problem("schema", FieldError("schema", "transfer.error.schema", {}))]
    return []


class _Writer:
    """Bulk inserts with ids given in file order, after the highest id in use."""

    def __init__(self, session):
        self.session = session
        self.counts: dict[str, int] = defaultdict(int)

    def next_id(self, model) -> int:
        from sqlalchemy import func, select

        current = self.session.execute(select(func.max(model.__table__.c.id))).scalar()
        return (current or 0) + 1

    def insert(self, model, rows: list[dict]) -> None:
        from sqlalchemy import insert

        if rows:
            self.session.execute(insert(model.__table__), rows)

    def organisations(self, file_orgs: list[dict], before, fresh: bool) -> dict:
        """Map each file organisation (by position) to its id in the casebook.

        Into a casebook without cases the file's directory replaces the seed: the
        file's organisations come first, in file order, followed by those of the
        casebook the file does not hold (matched by code). Otherwise file
        organisations are matched by code (or, without a code, by exact name) and the
        rest are added."""
        from sqlalchemy import delete

        from casebook import models as m

        ids: dict[tuple[str, Any], int] = {}
        if fresh:
            file_codes = {o["code"] for o in file_orgs if o["code"]}
            file_names = {o["name"] for o in file_orgs if not o["code"]}
            kept = [
                {c: getattr(o, c) for c in o._fields}
                for o in before
                if (o.code and o.code not in file_codes)
                or (not o.code and o.name not in file_names)
            ]
            self.session.execute(delete(m.Organisation))
            rows = []
            for i, org in enumerate([*file_orgs, *kept], start=1):
                row = dict(org)
                row["id"] = i
                rows.append(row)
            self.insert(m.Organisation, rows)
            for i, _ in enumerate(file_orgs):
                ids[("file", i)] = i + 1
            self.counts["organisations"] = len(file_orgs)
            final = rows
        else:
            by_code = {o.code: o.id for o in before if o.code}
            by_name = {o.name: o.id for o in before if not o.code}
            start = self.next_id(m.Organisation)
            rows = []
            for i, org in enumerate(file_orgs):
                match = by_code.get(org["code"]) if org["code"] else by_name.get(org["name"])
                if match is None:
                    match = start + len(rows)
                    rows.append({**org, "id": match})
                    if org["code"]:
                        by_code[org["code"]] = match
                    else:
                        by_name[org["name"]] = match
                ids[("file", i)] = match
            self.insert(m.Organisation, rows)
            self.counts["organisations"] = len(rows)
            final = [{"id": o.id, "code": o.code} for o in before] + rows
        for row in final:
            if row.get("code"):
                ids[("code", row["code"])] = row["id"]
        return ids

    def settings(self, values: dict[str, str], fresh: bool) -> None:
        """Settings fill what the casebook has not set; a casebook without cases takes
        the file's settings as they are."""
        from sqlalchemy import select

        from casebook import models as m

        present = set(self.session.execute(select(m.Setting.key)).scalars())
        rows, updates = [], []
        for key, value in values.items():
            if key not in present:
                rows.append({"key": key, "value": value})
            elif fresh:
                updates.append((key, value))
        self.insert(m.Setting, rows)
        for key, value in updates:
            row = self.session.get(m.Setting, key)
            row.value = value
        self.counts["settings"] = len(rows) + len(updates)
        if rows or updates:
            from casebook.services.settings import bump_version

            # A Settings screen open in another window must not put its values back.
            bump_version(self.session)

    def trainings(self, trainings: list[dict]) -> None:
        from casebook import models as m

        start = self.next_id(m.Training)
        rows = [{**row, "id": start + i} for i, row in enumerate(trainings)]
        self.insert(m.Training, rows)
        self.counts["trainings"] = len(rows)

    def publications(self, publications: list[dict]) -> None:
        from casebook import models as m

        start = self.next_id(m.Publication)
        # `corrects` is a position in the file's list; ids follow the same order. (An
        # invalid record never gets here: the whole import is refused first.)
        rows = [
            {
                **row,
                "id": start + i,
                "corrects_id": None if row["corrects_id"] is None else start + row["corrects_id"],
            }
            for i, row in enumerate(publications)
        ]
        self.insert(m.Publication, rows)
        self.counts["publications"] = len(rows)

    def cases(self, cases: list[dict], org_ids: dict) -> None:
        from casebook import models as m

        models = {key: getattr(m, name) for key, (_, name, _) in CASE_LISTS.items()}
        next_ids = {key: self.next_id(model) for key, model in models.items()}
        case_id = self.next_id(m.Case)
        out: dict[str, list[dict]] = defaultdict(list)
        for case in cases:
            row = dict(case["case"])
            row["id"] = case_id
            out["case"].append(row)
            out["exploitation"].extend(
                {"case_id": case_id, "code": code} for code in case["exploitation_types"]
            )
            out["sector"].extend(
                {"case_id": case_id, "code": code}
                for code in dict.fromkeys(case["other_sectors"])
                if code != row.get("sector")
            )
            ids: dict[str, list[int]] = {}
            for key in CASE_LISTS:
                first = next_ids[key]
                ids[key] = [first + i for i in range(len(case[key]))]
                next_ids[key] = first + len(case[key])

            def org(value):
                return None if value is None else org_ids[value]

            for key in CASE_LISTS:
                for rec, new_id in zip(case[key], ids[key], strict=True):
                    row = dict(rec)
                    row["id"] = new_id
                    if key != "consents":
                        row["case_id"] = case_id
                    if "organisation_id" in row:
                        row["organisation_id"] = org(row["organisation_id"])
                    if "person_id" in row and row["person_id"] is not None:
                        row["person_id"] = ids["persons"][row["person_id"]]
                    if "referral_id" in row and row["referral_id"] is not None:
                        row["referral_id"] = ids["referrals"][row["referral_id"]]
                    if key == "signals":
                        out["indicator"].extend(
                            {"signal_id": new_id, "code": code} for code in row.pop("_indicators")
                        )
                    elif key == "history" and row["entity_id"] is not None:
                        entity = row["entity"] or "case"
                        row["entity_id"] = (
                            case_id
                            if entity == "case"
                            else ids[HISTORY_ENTITIES[entity]][row["entity_id"]]
                        )
                    out[key].append(row)
            case_id += 1
        self.insert(m.Case, out["case"])
        self.insert(m.CaseExploitation, out["exploitation"])
        self.insert(m.CaseSector, out["sector"])
        for key in (
            "persons",
            "signals",
            "referrals",
            "steps",
            "contacts",
            "consents",
            "deadlines",
            "history",
        ):
            if key == "signals":
                self.insert(m.Signal, out["signals"])
                self.insert(m.SignalIndicator, out["indicator"])
                continue
            self.insert(models[key], out[key])
        self.counts["cases"] = len(out["case"])
        for key in CASE_LISTS:
            self.counts[key] = len(out[key])


def import_file(cb, path: Path) -> ImportResult:
    return import_data(cb, read_file(path))
