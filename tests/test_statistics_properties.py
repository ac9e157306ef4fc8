"""Property tests of the yearly statistics on random casebooks (hypothesis).

Every free-text and identifying field holds a unique canary string. For every year
with data and every format: no canary, no case reference and no date finer than the
year appears; every count shown is a multiple of k; the attacker of
tests/test_statistics_attacker.py leaves every count at least k possible values; and
stock and flow add up in the data across the years, as that attacker assumes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import tempfile
import zipfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook import refdata, statistics, stats_export
from casebook.dates import frozen, local_to_utc
from casebook.db import open_casebook
from casebook.services import (
    closure,
    contacts,
    deadlines,
    intake,
    referrals,
    steps,
    trainings,
    triage,
)
from casebook.services import settings as casebook_settings
from tests.test_statistics_attacker import attack, read_export

TODAY = date(2026, 11, 28)
FIRST_DAY = date(2023, 1, 1)
SPAN = (TODAY - FIRST_DAY).days
CANARY = "QZKANARIE"
INF = 10**12


def codes(name: str) -> list[str]:
    return refdata.ref(name).codes()


persons = st.lists(
    st.fixed_dictionaries(
        {
            "role": st.sampled_from(codes("person_roles")),
            "gender": st.sampled_from(codes("genders")),
            "born": st.one_of(st.none(), st.integers(1950, 2026)),
            "age": st.one_of(st.none(), st.integers(0, 90)),
            "nationality": st.sampled_from(["NL", "RO", "PL", "NG", "SY", "XX", "BG", "UA"]),
        }
    ),
    max_size=3,
)

case_specs = st.fixed_dictionaries(
    {
        "day": st.integers(0, SPAN),
        "source": st.sampled_from(codes("source_roles")),
        "channel": st.sampled_from(codes("signal_channels")),
        "persons": persons,
        "extra_signals": st.lists(
            st.tuples(
                st.integers(0, 400),
                st.sampled_from(codes("source_roles")),
                st.sampled_from(codes("signal_channels")),
            ),
            max_size=2,
        ),
        "triage": st.one_of(
            st.none(),
            st.tuples(
                st.integers(0, 30),
                st.lists(st.sampled_from(codes("exploitation_types")), min_size=1, max_size=3),
                st.one_of(st.none(), st.sampled_from(codes("sectors"))),
                st.sampled_from(codes("routes")),
            ),
        ),
        "steps": st.lists(
            st.tuples(st.sampled_from(codes("step_types")), st.integers(0, 200)), max_size=4
        ),
        "referral": st.one_of(
            st.none(),
            st.tuples(
                st.sampled_from(codes("shelter_types")),
                st.integers(0, 100),
                st.sampled_from(["REQUESTED", "PLACED", "REFUSED", "WITHDRAWN", "ENDED"]),
                st.integers(0, 100),
            ),
        ),
        "close": st.one_of(
            st.none(),
            st.tuples(
                st.sampled_from(codes("closure_outcomes")),
                st.integers(0, 300),
                st.one_of(st.none(), st.integers(1, 300)),
            ),
        ),
    }
)

casebooks = st.fixed_dictionaries(
    {
        "k": st.sampled_from([3, 5, 7]),
        "cases": st.lists(case_specs, max_size=30),
        "trainings": st.lists(st.tuples(st.integers(0, SPAN), st.integers(0, 40)), max_size=4),
    }
)


class Canaries:
    def __init__(self) -> None:
        self.n = 0
        self.issued: list[str] = []

    def __call__(self, field: str) -> str:
        self.n += 1
        value = f"{CANARY}{field}{self.n:04d}"
        self.issued.append(value)
        return value


def day_of(offset: int) -> date:
    return min(TODAY, FIRST_DAY + timedelta(days=offset))


def later(day: date, days: int) -> date:
    return min(TODAY, day + timedelta(days=days))


def at(day: date):
    return frozen(local_to_utc(day, 11))


def build(folder: Path, spec: dict) -> tuple[Path, list[str], list[str]]:
    """A casebook from `spec`, through the services. Returns the path, the canaries
    and the case references."""
    canary = Canaries()
    path = folder / "random.sqlite3"
    cb = open_casebook(path)
    with cb.write() as s:
        casebook_settings.put(s, "stats_k", str(spec["k"]))
        casebook_settings.put(s, "municipality", "Proefgemeente")
    refs: list[str] = []
    for c in spec["cases"]:
        day = day_of(c["day"])
        with cb.write() as s:
            with at(day):
                people = [
                    intake.PersonInput(
                        role=p["role"],
                        gender=p["gender"],
                        birth_year=min(p["born"], day.year) if p["born"] else None,
                        age=p["age"],
                        nationality=p["nationality"],
                        name=canary("name"),
                        contact=canary("contact"),
                        address=canary("address"),
                        notes=canary("notes"),
                    )
                    for p in c["persons"]
                ]
                case, _ = intake.record_signal(
                    s,
                    intake.SignalInput(
                        received_on=day,
                        channel=c["channel"],
                        source_role=c["source"],
                        reporter_contact=canary("reporter"),
                        observed=canary("observed"),
                        subject_type="PERSON",
                        title=canary("title"),
                        location=canary("location"),
                        persons=people,
                    ),
                    today=TODAY,
                )
                refs.append(case.reference)
                contacts.log_contact(
                    s,
                    case.id,
                    contacts.ContactInput(
                        channel="PHONE", counterpart_role="SUBJECT", summary=canary("summary")
                    ),
                )
                deadlines.add_deadline(
                    s, case.id, "CALLBACK", later(day, 7), note=canary("deadline")
                )
            for offset, source, channel in c["extra_signals"]:
                when = later(day, offset)
                with at(when):
                    intake.record_signal(
                        s,
                        intake.SignalInput(
                            received_on=when,
                            channel=channel,
                            source_role=source,
                            reporter_contact=canary("reporter"),
                            observed=canary("observed"),
                        ),
                        case_id=case.id,
                        today=TODAY,
                    )
            if c["triage"]:
                offset, types, sector, route = c["triage"]
                with at(later(day, offset)):
                    triage.triage_case(
                        s,
                        case.id,
                        triage.TriageInput(
                            exploitation_types=types,
                            sector=sector,
                            route=route,
                            route_note=canary("route"),
                        ),
                    )
            for step_type, offset in c["steps"]:
                when = later(day, offset)
                with at(when):
                    step = steps.add_step(
                        s,
                        case.id,
                        steps.StepInput(step_type=step_type, description=canary("description")),
                    )
                    steps.complete_step(s, step.id, done_on=when, result=canary("result"))
            referral = None
            if c["referral"]:
                kind, offset, status, status_offset = c["referral"]
                requested = later(day, offset)
                with at(requested):
                    referral = referrals.request_referral(
                        s,
                        case.id,
                        referrals.ReferralInput(
                            shelter_type=kind, requested_on=requested, note=canary("note")
                        ),
                        today=TODAY,
                    )
                when = later(requested, status_offset)
                with at(when):
                    if status == "ENDED":
                        referrals.set_referral_status(s, referral.id, "PLACED", on=when)
                        referrals.set_referral_status(s, referral.id, "ENDED", on=when)
                    elif status != "REQUESTED":
                        referrals.set_referral_status(
                            s, referral.id, status, on=when, note=canary("note")
                        )
            if c["close"]:
                outcome, offset, reopen = c["close"]
                closed_on = later(day, offset)
                with at(closed_on):
                    if referral is not None:
                        referral = s.get(type(referral), referral.id)
                        if referral.status == "REQUESTED":
                            referrals.set_referral_status(
                                s,
                                referral.id,
                                "WITHDRAWN",
                                on=max(closed_on, referral.requested_on),
                            )
                        elif referral.status == "PLACED":
                            referrals.carry_referral(s, referral.id)
                    closure.close_case(
                        s, case.id, outcome=outcome, closed_on=closed_on, note=canary("closure")
                    )
                if reopen is not None:
                    with at(later(closed_on, reopen)):
                        closure.reopen_case(s, case.id, reason=canary("reason"))
    with cb.write() as s:
        for offset, participants in spec["trainings"]:
            trainings.add_training(
                s,
                trainings.TrainingInput(
                    held_on=day_of(offset),
                    audience=canary("audience"),
                    participants=participants,
                    provider=canary("provider"),
                    notes=canary("training"),
                ),
            )
    cb.close()
    return path, canary.issued, refs


# -- what an attacker can tell from a published view: the attacker of
# tests/test_statistics_attacker.py, on casebooks built through the services


def assert_nothing_recoverable(view: dict) -> None:
    """Every count keeps at least k possible values (the attacker's enumeration)."""
    k = view["disclosure"]["k"]
    results = attack([read_export(view)])
    for name, values in results.items():
        assert len(values) >= k, (name, sorted(values))


COUNT = re.compile(r"^(0|[1-9]\d*)$")
REFERENCE = re.compile(r"\b\d{4}-\d{3,}\b")
DATES = (
    re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"),
    re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}"),
    re.compile(r"\d{1,2}:\d{2}"),
)


def assert_count(shown: str, k: int) -> None:
    assert COUNT.match(shown), shown
    assert int(shown) % k == 0, shown


def document_members(data: bytes) -> dict[str, str]:
    """The text of every member of an ODT archive, by name (`odt:content.xml`...); the
    archive itself says no date (one fixed time stamp on every member)."""
    from casebook.stats_odt import FIXED_TIME

    members = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            assert info.date_time == FIXED_TIME, info.filename
            members[f"odt:{info.filename}"] = archive.read(info).decode("utf-8")
    assert "odt:content.xml" in members and "odt:meta.xml" in members
    return members


def check_exports(view: dict, issued: list[str], refs: list[str]) -> None:
    k = view["disclosure"]["k"]
    texts = {
        fmt: stats_export.render(view, fmt)
        for fmt in stats_export.FORMATS
        if fmt not in stats_export.BINARY_FORMATS
    }
    # the office document: every member of its archive (content, styles, meta...)
    texts |= document_members(stats_export.render_bytes(view, "odt"))
    assert set(texts) > set(stats_export.FORMATS) - stats_export.BINARY_FORMATS
    for fmt, text in texts.items():
        assert CANARY not in text, fmt
        for ref in refs:
            assert ref not in text, (fmt, ref)
        assert not REFERENCE.search(text), (fmt, REFERENCE.search(text))
        for pattern in DATES:
            assert not pattern.search(text), (fmt, pattern.search(text))
    # JSON: every count
    data = json.loads(texts["json"])
    for tb in data["tables"]:
        for c in [*tb["cells"], tb["total"]]:
            assert_count(c["display"], k)
            assert c["display"] == str(c["value"])
    for fig in data["figures"]:
        assert_count(fig["display"], k)
    for med in data["medians"]:
        assert (med["band"] is None) == (med["suppressed"] == "too_few")
        assert "days" not in med  # only the band
    assert_nothing_recoverable(data)
    # CSV: every count row
    rows = list(csv.reader(io.StringIO(texts["csv"].lstrip("\ufeff")), delimiter=";"))
    table_ids = {tb["id"] for tb in data["tables"]}
    figure_ids = {fig["id"] for fig in data["figures"]}
    counted = 0
    for row in rows[1:]:
        assert len(row) == 6
        if (row[1] in table_ids and row[3] != "NOTE") or row[1] in figure_ids:
            assert_count(row[5], k)
            counted += 1
    assert counted == sum(len(tb["cells"]) + 1 for tb in data["tables"]) + len(figure_ids)
    # Markdown: every count column of the count tables
    md_rows = 0
    for line in texts["md"].splitlines():
        if line.startswith("| ") and not line.startswith(("| Categorie", "| Kengetal")):
            label, shown = [p.strip().strip("*") for p in line.strip("|").split("|")]
            if any(label == m["title"] for m in data["medians"]):
                continue
            assert_count(shown.replace("\\", ""), k)
            md_rows += 1
    assert md_rows >= counted  # the source-group table appears twice (Basisniveau)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(spec=casebooks)
def test_random_casebooks_publish_nothing_identifying(spec):
    folder = Path(tempfile.mkdtemp(prefix="casebook-stats-"))
    try:
        path, issued, refs = build(folder, spec)
        cb = open_casebook(path, readonly=True)
        try:
            with cb.read() as s:
                years = statistics.years_with_data(s) or [2025]
                for year in years:
                    stats = statistics.compute(s, year)
                    # the totals are true counts (nothing lost by the categories)
                    for tb in stats.tables:
                        assert tb.total == sum(c.value for c in tb.cells)
                    check_exports(statistics.public(stats), issued, refs)
                # stock and flow add up in the data, as the attacker assumes
                for year in range(min(years), max(years) + 1):
                    now = statistics.compute(s, year, protect_figures=False)
                    before = statistics.compute(s, year - 1, protect_figures=False)
                    open_end = now.table("cases_open_at_year_end_by_phase").total
                    assert open_end == (
                        before.table("cases_open_at_year_end_by_phase").total
                        + now.figure("cases_opened").value
                        - now.table("cases_closed_by_outcome").total
                        + now.figure("cases_reopened").value
                    ), year
                    # and the chain: signals >= cases signalled >= cases opened
                    assert (
                        now.table("signals_by_channel").total
                        >= now.table("cases_by_sector").total
                        >= now.figure("cases_opened").value
                    )
        finally:
            cb.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_checker_catches_a_recoverable_cell():
    """The checker is not vacuous: a table whose roundings do not add up gives counts
    away (total 10 from cells 0 and 0: the true total is 6..8, so each cell is 2..4)."""
    view = {
        "year": 2025,
        "disclosure": {"k": 5, "base": 5, "method": statistics.METHOD},
        "figures": [],
        "tables": [
            {
                "id": "t",
                "group": "g",
                "total": {"value": 10},
                "cells": [{"code": "a", "value": 0}, {"code": "b", "value": 0}],
            }
        ],
    }
    try:
        assert_nothing_recoverable(view)
    except AssertionError:
        return
    raise AssertionError("the checker missed a recoverable cell")
