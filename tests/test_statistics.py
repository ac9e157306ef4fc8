"""Yearly statistics: a golden casebook whose figures are stated by hand, checked in
every export format; the disclosure-control algorithm against brute force; the CLI."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import subprocess
import sys
from datetime import date

import pytest

from casebook import statistics, stats_export
from casebook.dates import frozen, local_to_utc
from casebook.services import closure, intake, referrals, settings, steps, trainings, triage
from casebook.statistics import PRIMARY, SECONDARY, Cell, Table

TODAY = date(2026, 11, 28)
YEAR = 2025


def at(day: date, hour: int = 10):
    return frozen(local_to_utc(day, hour))


def _open(cb, day: date, *, source: str, channel: str, persons=()) -> int:
    with at(day), cb.write() as s:
        case, _ = intake.record_signal(
            s,
            intake.SignalInput(
                received_on=day,
                channel=channel,
                source_role=source,
                title="Casus titel",
                observed="Waarneming",
                persons=list(persons),
            ),
            today=TODAY,
        )
        return case.id


def _triage(cb, case_id: int, day: date, types, sector, route="CARE") -> None:
    with at(day), cb.write() as s:
        triage.triage_case(
            s,
            case_id,
            triage.TriageInput(exploitation_types=types, sector=sector, route=route),
        )


def _step_done(cb, case_id: int, step_type: str, day: date) -> None:
    with at(day), cb.write() as s:
        step = steps.add_step(s, case_id, steps.StepInput(step_type=step_type))
        steps.complete_step(s, step.id, done_on=day, result="Resultaat")


def victim(gender: str, nationality: str, birth_year=None, age=None) -> intake.PersonInput:
    return intake.PersonInput(
        role="VICTIM",
        gender=gender,
        nationality=nationality,
        birth_year=birth_year,
        age=age,
        name="Naam",
    )


def build_golden(cb) -> dict[str, int]:
    """The golden casebook. Its 2025 figures, worked out by hand:

    signals 2025 (13): C1-C6 wijkteam (GEMEENTE) by phone, C7-C8 NGO (OVERIG) by phone,
      C9-C11 NGO by e-mail, two later police (NP) signals on C1 and C2 by e-mail
      -> source groups GEMEENTE 6, OVERIG 5, NP 2; channels PHONE 8, EMAIL 5.
    cases opened 2025: C1-C11 = 11 (C0 was opened in 2024).
    cases with a 2025 signal (11): C1-C5 LAB/AGRI, C6-C7 SEX+LAB (MULTI)/SEX_THUIS,
      C8-C11 not triaged (UNK, sector unknown).
    closed in 2025: C8 INSUFF, C9-C11 NO_TH (C5 was closed in 2025 but reopened in 2026:
      its closing date is gone, so it is not counted as closed, but it was closed on
      31-12-2025 and so is not open at the year end either).
    open at 31-12-2025 (7): C0 (phase REFERRAL then; moved to FOLLOWUP in 2026), C2 and
      C4 REFERRAL, C3 REFERRAL (its placement, which moved it on, came in 2026), C1
      FOLLOWUP (placed in February), C6-C7 FOLLOWUP (route ADVICE)
      -> REFERRAL 4, FOLLOWUP 3 (the current phases would give 2 and 5).
    victims in cases opened 2025 (7): C1 M NL born 2010 (<18), C2 M NL age 30,
      C3 F NL born 1990, C4-C7 F RO born 1990 -> M 2, F 5; <18 1, 23+ 6; NL 3, EU 4.
      (C0's victim is 2024's; C8 has only a reporter.)
    referrals requested 2025: C1 COSM placed 10-02-2025, C2 VO refused 05-03-2025,
      C3 COSM requested 01-04-2025 and placed only in 2026 -> COSM 2, VO 1;
      at year end PLACED 1, REFUSED 1, REQUESTED 1.
    steps done 2025 (10): police reports on C1-C4, C6, C7 (6); NLA report C1; enrichment
      C1 (OTHER); the CoMensha step of C1's referral; the shelter step of C2's.
    days signal -> triage for C1-C7: 1..7 -> median 4.
    days signal -> first step done for C1-C4, C6, C7: 8, 10, 12, 14, 20, 30 -> median 13.
    trainings 2025: 2 with 12 + 8 = 20 participants (one more in 2024).
    """
    ids: dict[str, int] = {}
    with cb.write() as s:
        settings.put(s, "municipality", "Gemeente Proefdorp")
        settings.put(s, "officer", "A. Ambtenaar")
        settings.put(s, "policy_meldroute", "Meldroute via het wijkteam.")
    # 2024: C0, still open at the end of 2025
    ids["C0"] = _open(
        cb,
        date(2024, 11, 1),
        source="POL",
        channel="PHONE",
        persons=[victim("FEMALE", "NL", birth_year=1980)],
    )
    _triage(cb, ids["C0"], date(2024, 11, 5), ["SEX"], "SEX_RAAM")
    people = {
        1: [victim("MALE", "NL", birth_year=2010)],
        2: [victim("MALE", "NL", age=30)],
        3: [victim("FEMALE", "NL", birth_year=1990)],
        4: [victim("FEMALE", "RO", birth_year=1990)],
        5: [victim("FEMALE", "RO", birth_year=1990)],
        6: [victim("FEMALE", "RO", birth_year=1990)],
        7: [victim("FEMALE", "RO", birth_year=1990)],
        8: [intake.PersonInput(role="REPORTER", name="Melder")],
    }
    opened = {}
    for i in range(1, 12):
        day = date(2025, 1, 9 + i)
        opened[i] = day
        source = "GEM_WIJK" if i <= 6 else "NGO_OVERIG"
        channel = "PHONE" if i <= 8 else "EMAIL"
        ids[f"C{i}"] = _open(cb, day, source=source, channel=channel, persons=people.get(i, ()))
    for i in range(1, 8):
        types, sector, route = (
            (["LAB"], "AGRI", "CARE") if i <= 5 else (["SEX", "LAB"], "SEX_THUIS", "ADVICE")
        )
        _triage(cb, ids[f"C{i}"], date.fromordinal(opened[i].toordinal() + i), types, sector, route)
    # later police signals on C1 and C2
    for i, day in ((1, date(2025, 6, 1)), (2, date(2025, 6, 2))):
        with at(day), cb.write() as s:
            intake.record_signal(
                s,
                intake.SignalInput(
                    received_on=day, channel="EMAIL", source_role="POL", observed="Nog een"
                ),
                case_id=ids[f"C{i}"],
                today=TODAY,
            )
    # first steps done: police reports
    first = {1: 8, 2: 10, 3: 12, 4: 14, 6: 20, 7: 30}
    for i, days in first.items():
        _step_done(cb, ids[f"C{i}"], "REPORT_POL", date.fromordinal(opened[i].toordinal() + days))
    _step_done(cb, ids["C1"], "REPORT_NLA", date(2025, 3, 1))
    _step_done(cb, ids["C1"], "ENRICH", date(2025, 3, 2))
    # referrals
    plan = (
        (1, "COSM", date(2025, 2, 1), "PLACED", date(2025, 2, 10)),
        (2, "VO", date(2025, 3, 1), "REFUSED", date(2025, 3, 5)),
        (3, "COSM", date(2025, 4, 1), "PLACED", date(2026, 1, 5)),
    )
    for i, kind, requested, status, on in plan:
        with at(requested), cb.write() as s:
            ref = referrals.request_referral(
                s,
                ids[f"C{i}"],
                referrals.ReferralInput(shelter_type=kind, requested_on=requested, note="Notitie"),
                today=TODAY,
            )
        with at(on), cb.write() as s:
            referrals.set_referral_status(s, ref.id, status, on=on)
    # closures
    for i, outcome in ((8, "INSUFF"), (9, "NO_TH"), (10, "NO_TH"), (11, "NO_TH")):
        day = date(2025, 9, i)
        with at(day), cb.write() as s:
            closure.close_case(s, ids[f"C{i}"], outcome=outcome, closed_on=day, note="Notitie")
    with at(date(2025, 5, 1)), cb.write() as s:
        closure.close_case(s, ids["C5"], outcome="HANDOVER_ZC", closed_on=date(2025, 5, 1))
    with at(date(2026, 1, 10)), cb.write() as s:
        closure.reopen_case(s, ids["C5"], reason="Nieuwe informatie")
    with at(date(2026, 2, 1)), cb.write() as s:
        triage.set_phase(s, ids["C0"], "FOLLOWUP")
    # trainings
    with cb.write() as s:
        for day, n in ((date(2025, 3, 3), 12), (date(2025, 10, 1), 8), (date(2024, 5, 5), 30)):
            trainings.add_training(
                s, trainings.TrainingInput(held_on=day, audience="Baliemedewerkers", participants=n)
            )
    return ids


# Hand-stated expectations: table -> {code: (true count, shown)}; "" = all other codes 0.
EXPECTED_TABLES: dict[str, tuple[dict[str, tuple[int, str]], tuple[int, str]]] = {
    "signals_by_source_group": (
        {"NP": (2, "<5"), "GEMEENTE": (6, "6"), "OVERIG": (5, "x")},
        (13, "13"),
    ),
    "signals_by_channel": ({"PHONE": (8, "8"), "EMAIL": (5, "5")}, (13, "13")),
    "cases_by_exploitation": (
        {"LAB": (5, "5"), "UNK": (4, "<5"), "MULTI": (2, "<5")},
        (11, "11"),
    ),
    "cases_by_sector": (
        {"AGRI": (5, "5"), "SEX_THUIS": (2, "<5"), "UNK": (4, "<5")},
        (11, "11"),
    ),
    "cases_closed_by_outcome": ({"INSUFF": (1, "<5"), "NO_TH": (3, "<5")}, (4, "<5")),
    "cases_open_at_year_end_by_phase": (
        {"REFERRAL": (4, "<5"), "FOLLOWUP": (3, "<5")},
        (7, "7"),
    ),
    "victims_by_gender": ({"M": (2, "<5"), "F": (5, "x")}, (7, "7")),
    "victims_by_age_band": ({"U18": (1, "<5"), "A23": (6, "x")}, (7, "7")),
    "victims_by_nationality_group": ({"NL": (3, "<5"), "EU": (4, "<5")}, (7, "7")),
    "referrals_by_type": ({"COSM": (2, "<5"), "VO": (1, "<5")}, (3, "<5")),
    "referrals_by_status": (
        {"REQUESTED": (1, "<5"), "PLACED": (1, "<5"), "REFUSED": (1, "<5")},
        (3, "<5"),
    ),
    "steps_done_by_type": (
        {
            "POLICE": (6, "x"),
            "NLA": (1, "<5"),
            "COMENSHA": (1, "<5"),
            "SHELTER": (1, "<5"),
            "OTHER": (1, "<5"),
        },
        (10, "10"),
    ),
}
EXPECTED_FIGURES = {
    "cases_opened": (11, "11"),
    "trainings": (2, "<5"),
    "training_participants": (20, "20"),
}
EXPECTED_MEDIANS = {"days_signal_to_triage": "4", "days_signal_to_first_step": "13"}


@pytest.fixture
def golden(cb):
    build_golden(cb)
    return cb


def _expected_cells(view_table: dict) -> dict[str, str]:
    wanted, _ = EXPECTED_TABLES[view_table["id"]]
    return {c["code"]: wanted.get(c["code"], (0, "0"))[1] for c in view_table["cells"]}


def test_golden_true_counts(golden):
    with golden.read() as s:
        stats = statistics.compute(s, YEAR)
    assert stats.k == 5
    for table in stats.tables:
        wanted, (total, _) = EXPECTED_TABLES[table.id]
        got = {c.code: c.value for c in table.cells if c.value}
        assert got == {code: n for code, (n, _) in wanted.items()}, table.id
        assert table.total == total, table.id
    for fig in stats.figures:
        assert fig.value == EXPECTED_FIGURES[fig.id][0], fig.id
    assert {m.id: m.days for m in stats.medians} == {
        "days_signal_to_triage": 4.0,
        "days_signal_to_first_step": 13.0,
    }


def test_golden_suppression_marks(golden):
    with golden.read() as s:
        stats = statistics.compute(s, YEAR)
    # primary, secondary and zero, each at least once
    marks = {c.mark for tb in stats.tables for c in tb.cells}
    assert {PRIMARY, SECONDARY, ""} <= marks
    assert stats.table("steps_done_by_type").cell("POLICE").mark == SECONDARY
    assert stats.table("victims_by_gender").cell("M").mark == PRIMARY
    assert stats.table("victims_by_gender").cell("X").value == 0
    assert stats.table("referrals_by_type").total_mark == PRIMARY


def test_golden_json(golden):
    with golden.read() as s:
        view = statistics.public(statistics.compute(s, YEAR))
    data = json.loads(stats_export.to_json(view))
    assert data["schema"] == "casebook-stats/1"
    assert data["year"] == YEAR
    assert data["disclosure"]["k"] == 5
    assert data["disclosure"]["primary_marker"] == "<5"
    assert {tb["id"] for tb in data["tables"]} == set(EXPECTED_TABLES)
    for tb in data["tables"]:
        shown = {c["code"]: c["display"] for c in tb["cells"]}
        assert shown == _expected_cells(tb), tb["id"]
        assert tb["total"]["display"] == EXPECTED_TABLES[tb["id"]][1][1], tb["id"]
        for c in tb["cells"]:
            assert (c["value"] is None) == (c["display"] in ("<5", "x")), (tb["id"], c)
            if c["value"] is not None:
                assert str(c["value"]) == c["display"]
    for fig in data["figures"]:
        assert fig["display"] == EXPECTED_FIGURES[fig["id"]][1]
    assert {m["id"]: m["display"] for m in data["medians"]} == EXPECTED_MEDIANS
    basis = {item["key"]: item["text"] for item in data["basisniveau"]["settings"]}
    assert basis["officer"] == "A. Ambtenaar"
    assert basis["policy_meldroute"] == "Meldroute via het wijkteam."


def test_golden_csv(golden):
    with golden.read() as s:
        view = statistics.public(statistics.compute(s, YEAR))
    text = stats_export.to_csv(view)
    assert text.startswith("\ufeff")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["sectie", "id", "tabel", "code", "omschrijving", "waarde"]
    ids = {tb["id"]: tb["title"] for tb in view["tables"]}
    seen: dict[str, dict[str, str]] = {}
    for row in rows[1:]:
        if row[1] in ids:
            assert row[2] == ids[row[1]]
            seen.setdefault(row[1], {})[row[3]] = row[5]
    for tb in view["tables"]:
        cells = seen[tb["id"]]
        total = cells.pop("TOTAL")
        assert cells == _expected_cells(tb), tb["id"]
        assert total == EXPECTED_TABLES[tb["id"]][1][1]
    by_id = {row[1]: row[5] for row in rows[1:]}
    assert by_id["cases_opened"] == "11"
    assert by_id["trainings"] == "<5"
    assert by_id["days_signal_to_first_step"] == "13"
    assert by_id["k"] == "5"


def test_golden_markdown(golden):
    with golden.read() as s:
        view = statistics.public(statistics.compute(s, YEAR))
    md = stats_export.to_markdown(view)
    assert md.startswith("# Jaarcijfers mensenhandel 2025 — Gemeente Proefdorp")
    for tb in view["tables"]:
        start = md.index(f"### {tb['title']}")
        block = md[start:].split("\n\n", 2)[1]  # the table after the heading
        rows = {}
        for line in block.splitlines()[2:]:
            label, shown = [part.strip() for part in line.strip("|").split("|")]
            rows[label.strip("*")] = shown.strip("*")
        labels = {c["code"]: c["label"] for c in tb["cells"]}
        expected = {labels[code]: shown for code, shown in _expected_cells(tb).items()}
        expected["Totaal"] = EXPECTED_TABLES[tb["id"]][1][1]
        assert rows == expected, tb["id"]
    assert "| Nieuwe casussen (geopend in het jaar) | 11 |" in md
    assert "| Gegeven trainingen en voorlichtingen | <5 |" in md
    assert "| Mediaan aantal dagen van signaal tot triage | 4 |" in md
    # the closing section states k and the rules
    tail = md[md.index("## Afscherming van kleine aantallen") :]
    assert "k = 5" in tail
    assert "weergegeven als <5" in tail
    assert "Nul blijft nul" in tail


def test_english_labels(golden):
    from casebook import i18n

    i18n.set_language("en")
    with golden.read() as s:
        view = statistics.public(statistics.compute(s, YEAR))
    md = stats_export.to_markdown(view)
    assert "## Possible victims" in md
    assert "| Male | <5 |" in md
    assert "Every count from 1 to k−1 is shown as <5." in md


def test_k_from_settings_never_below_three(golden):
    with golden.write() as s:
        settings.put(s, "stats_k", "2")
    with golden.read() as s:
        assert statistics.compute(s, YEAR).k == 3
    with golden.write() as s:
        settings.put(s, "stats_k", "10")
    with golden.read() as s:
        stats = statistics.compute(s, YEAR)
    assert stats.k == 10
    assert stats.table("signals_by_channel").cell("PHONE").mark == PRIMARY
    view = statistics.public(stats)
    assert view["disclosure"]["primary_marker"] == "<10"


def test_years_and_default_year(golden):
    with golden.read() as s:
        years = statistics.years_with_data(s)
    assert years == [2026, 2025, 2024]
    assert statistics.default_year(years, TODAY) == 2025
    assert statistics.default_year([], TODAY) == 2025
    assert statistics.default_year([2026], TODAY) == 2026


def test_markdown_escapes_user_text(cb):
    with cb.write() as s:
        settings.put(s, "policy_other", "# Kop\n- punt | <b>vet</b> [link](x)")
    with cb.read() as s:
        md = stats_export.to_markdown(statistics.public(statistics.compute(s, YEAR)))
    assert "> \\# Kop" in md
    assert "> \\- punt \\| \\<b\\>vet\\</b\\> \\[link\\](x)" in md


def test_csv_neutralises_formulas(cb):
    with cb.write() as s:
        settings.put(s, "policy_other", '=HYPERLINK("x")')
    with cb.read() as s:
        text = stats_export.to_csv(statistics.public(statistics.compute(s, YEAR)))
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    (row,) = [r for r in rows if r[1] == "policy_other"]
    assert row[5] == '\'=HYPERLINK("x")'


# -- the disclosure-control algorithm ----------------------------------------------------


def _feasible_by_brute_force(tables: list[Table], k: int) -> list[list[set[int]]]:
    """Every assignment of hidden cells (and total) consistent with what is published
    and with the rules, enumerated; returns the set of possible values per hidden cell."""
    hidden_total = tables[0].total_mark != ""
    if tables[0].total_mark == PRIMARY:
        totals = range(1, k)
    elif tables[0].total_mark == SECONDARY:
        totals = range(k, 40)
    else:
        totals = [tables[0].total]
    del hidden_total
    result = [[set() for _ in tb.cells] for tb in tables]
    for total in totals:
        per_table = []
        for tb in tables:
            visible = [c.value for c in tb.cells if not c.hidden and c.value > 0]
            options = []
            for c in tb.cells:
                if tb.withheld:
                    options.append(range(0, total + 1))
                elif c.mark == PRIMARY:
                    options.append(range(1, k))
                elif c.mark == SECONDARY:
                    options.append(range(k, min(visible) + 1 if visible else total + 1))
                else:
                    options.append([c.value])
            sols = [combo for combo in itertools.product(*options) if sum(combo) == total]
            per_table.append(sols)
        if all(per_table):
            for ti, sols in enumerate(per_table):
                for combo in sols:
                    for ci, v in enumerate(combo):
                        result[ti][ci].add(v)
    return result


def _random_group(rng: random.Random) -> list[Table]:
    total = rng.randint(0, 14)
    tables = []
    for n in range(rng.randint(1, 2)):
        size = rng.randint(2, 4)
        cuts = sorted(rng.randint(0, total) for _ in range(size - 1))
        values = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
        tables.append(
            Table(f"t{n}", "s", "g", "", [Cell(str(i), v) for i, v in enumerate(values)], total)
        )
    return tables


def test_interval_reasoning_matches_brute_force():
    """After protection, no hidden cell has a single possible value (brute force over
    every consistent table), and the interval bounds the algorithm uses are exact."""
    rng = random.Random(5)
    for _ in range(400):
        k = rng.choice([3, 4, 5])
        tables = _random_group(rng)
        statistics.protect_group(tables, k)
        feasible = _feasible_by_brute_force(tables, k)
        rng_total = statistics.group_total_range(tables, k)
        for tb, sets in zip(tables, feasible, strict=True):
            for cell, values in zip(tb.cells, sets, strict=True):
                if not cell.hidden:
                    continue
                assert len(values) >= 2, (k, [[(c.value, c.mark) for c in t.cells] for t in tables])
                if not tb.withheld and tables[0].total_mark != SECONDARY:
                    lo, hi = statistics.cell_range(tb, cell, rng_total, k)
                    assert (min(values), max(values)) == (lo, hi)


def test_single_small_cell_gets_a_partner():
    tables = [Table("t", "s", "g", "", [Cell("a", 2), Cell("b", 9), Cell("c", 0)], 11)]
    statistics.protect_group(tables, 5)
    assert [c.mark for c in tables[0].cells] == [PRIMARY, SECONDARY, ""]
    assert tables[0].total_mark == ""


def test_two_ones_cannot_be_told_apart_from_the_total():
    # 1 + 1 = 2 with two hidden cells of 1..4 would give both away if the total showed 2
    tables = [Table("t", "s", "g", "", [Cell("a", 1), Cell("b", 1), Cell("c", 0)], 2)]
    statistics.protect_group(tables, 5)
    assert tables[0].total_mark == PRIMARY  # the total is itself small: <5
    rng_total = statistics.group_total_range(tables, 5)
    lo, hi = statistics.cell_range(tables[0], tables[0].cells[0], rng_total, 5)
    assert lo < hi


def test_all_cells_at_the_maximum_hide_the_total():
    # 4 + 4 = 8: with the total shown, both hidden cells would have to be 4
    tables = [Table("t", "s", "g", "", [Cell("a", 4), Cell("b", 4)], 8)]
    statistics.protect_group(tables, 5)
    assert tables[0].total_mark == SECONDARY
    assert statistics.display(8, tables[0].total_mark, 5) == "x"


# -- the command line --------------------------------------------------------------------


def _cli(*args: str, env=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "casebook", *args],
        capture_output=True,
        env=env,
        timeout=120,
    )


def test_cli_formats_and_no_textual(golden, tmp_path, monkeypatch):
    import os

    env = dict(os.environ)
    env["CASEBOOK_HOME"] = str(tmp_path / "home")
    db = str(golden.path)
    out = _cli("--db", db, "stats", "2025", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().startswith("# Jaarcijfers mensenhandel 2025")
    target = tmp_path / "cijfers.json"
    out = _cli("--db", db, "stats", "2025", "--format", "json", "--out", str(target), env=env)
    assert out.returncode == 0, out.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["tables"][0]["id"] == "signals_by_source_group"
    # an existing file is refused (exit 1), unless --force
    out = _cli("--db", db, "stats", "2025", "--format", "json", "--out", str(target), env=env)
    assert out.returncode == 1
    out = _cli("--db", db, "stats", "2025", "--out", str(target), "--force", env=env)
    assert out.returncode == 0
    assert target.read_text(encoding="utf-8").startswith("# ")
    # CSV as bytes: BOM, semicolons, CRLF
    csv_path = tmp_path / "cijfers.csv"
    out = _cli(
        "--db",
        db,
        "--lang",
        "en",
        "stats",
        "2025",
        "--format",
        "csv",
        "--out",
        str(csv_path),
        env=env,
    )
    assert out.returncode == 0
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b"section;id;table;code;label;value\r\n" in raw
    # usage errors exit 2
    assert _cli("--db", db, "stats", "twintig", env=env).returncode == 2
    assert _cli("--db", db, "stats", "2025", "--format", "xlsx", env=env).returncode == 2
    # the casebook itself is never overwritten
    out = _cli("--db", db, "stats", "2025", "--out", db, "--force", env=env)
    assert out.returncode == 1


def test_cli_does_not_import_textual(golden, tmp_path):
    import os

    env = dict(os.environ)
    env["CASEBOOK_HOME"] = str(tmp_path / "home")
    code = (
        "import sys\n"
        "from casebook.cli import main\n"
        f"rc = main(['--db', {str(golden.path)!r}, 'stats', '2025', '--format', 'json',"
        f" '--out', {str(tmp_path / 'x.json')!r}])\n"
        "assert rc == 0, rc\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "assert not bad, bad\n"
        "assert 'screens' not in sys.modules\n"
        "print('clean')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr.decode()
    assert out.stdout.decode().strip().endswith("clean")


def test_cli_opens_read_only(golden, tmp_path):
    import os

    golden.close()
    before = golden.path.read_bytes()
    env = dict(os.environ)
    env["CASEBOOK_HOME"] = str(tmp_path / "home")
    out = _cli("--db", str(golden.path), "stats", "2025", "--format", "csv", env=env)
    assert out.returncode == 0
    assert golden.path.read_bytes() == before


def test_open_at_year_end_follows_closing_and_reopening(cb):
    """Closed and reopened within the year: open at its end. Closed, reopened and
    closed again: closed. Closed after the year end with a date inside it: closed."""
    ids = [
        _open(cb, date(2025, 1, 10 + i), source="POL", channel="PHONE", persons=())
        for i in range(4)
    ]
    with at(date(2025, 3, 1)), cb.write() as s:
        closure.close_case(s, ids[0], outcome="NO_TH", closed_on=date(2025, 3, 1))
    with at(date(2025, 4, 1)), cb.write() as s:
        closure.reopen_case(s, ids[0], reason="Nieuw")
    with at(date(2025, 6, 1)), cb.write() as s:
        closure.close_case(s, ids[1], outcome="NO_TH", closed_on=date(2025, 6, 1))
    with at(date(2025, 7, 1)), cb.write() as s:
        closure.reopen_case(s, ids[1], reason="Nieuw")
    with at(date(2025, 8, 1)), cb.write() as s:
        closure.close_case(s, ids[1], outcome="LOST", closed_on=date(2025, 8, 1))
    with at(date(2026, 1, 5)), cb.write() as s:
        closure.close_case(s, ids[2], outcome="MOVED", closed_on=date(2025, 12, 20))
    # ids[3] stays open
    with cb.read() as s:
        stats = statistics.compute(s, YEAR, protect_figures=False)
    open_end = stats.table("cases_open_at_year_end_by_phase")
    assert open_end.total == 2  # ids[0] and ids[3]
    assert open_end.cell("FOLLOWUP").value == 1  # reopened cases go to follow-up
    assert open_end.cell("INTAKE").value == 1
    closed = stats.table("cases_closed_by_outcome")
    assert {c.code: c.value for c in closed.cells if c.value} == {"LOST": 1, "MOVED": 1}
    with cb.read() as s:
        stats_2024 = statistics.compute(s, 2024, protect_figures=False)
    assert stats_2024.table("cases_open_at_year_end_by_phase").total == 0


def test_open_at_year_end_ignores_other_cases_reopenings(cb):
    """A case closed in the year and reopened after it was closed at the year end, even
    when another case was reopened (later in the history) before the year ended: the
    reopening that counts is the case's own."""
    first, other = (
        _open(cb, date(2025, 2, 1 + i), source="POL", channel="PHONE", persons=()) for i in range(2)
    )
    with at(date(2025, 12, 10)), cb.write() as s:
        closure.close_case(s, first, outcome="NO_TH", closed_on=date(2025, 12, 10))
    with at(date(2025, 12, 15)), cb.write() as s:
        closure.close_case(s, other, outcome="NO_TH", closed_on=date(2025, 12, 15))
    with at(date(2025, 12, 18)), cb.write() as s:
        closure.reopen_case(s, other, reason="Nieuw")
    with at(date(2026, 1, 5)), cb.write() as s:
        closure.reopen_case(s, first, reason="Nieuw")
    with cb.read() as s:
        stats = statistics.compute(s, YEAR, protect_figures=False)
    open_end = stats.table("cases_open_at_year_end_by_phase")
    assert open_end.total == 1  # `other` only
    assert open_end.cell("FOLLOWUP").value == 1


def test_compute_from_a_stdlib_connection_equals_the_session(demo_cb):
    """The CLI counts on a read-only stdlib connection, the screen through its Session:
    the same figures, year by year."""
    from dataclasses import asdict

    from casebook.db import open_readonly_connection

    demo_cb.close()
    conn = open_readonly_connection(demo_cb.path)
    try:
        for year in (2023, 2024, 2025, 2026):
            with demo_cb.read() as s:
                via_session = statistics.compute(s, year)
            via_conn = statistics.compute(conn, year)
            assert asdict(via_conn) == asdict(via_session)
            assert not conn.in_transaction  # its own snapshot, ended
    finally:
        conn.close()


def test_stdlib_defaults_mirror_the_settings_service():
    from casebook.models import STEP_DONE

    assert int(settings.DEFAULTS["stats_k"]) == statistics.DEFAULT_K
    assert statistics.MIN_K == settings.MIN_K
    assert statistics.STEP_DONE == STEP_DONE


def _refused_by_stats(capsys, path, key: str) -> None:
    from casebook.cli import main
    from casebook.i18n import t

    before = path.read_bytes() if path.exists() else None
    code = main(["--db", str(path), "stats", "2025"])
    err = capsys.readouterr().err
    assert code == 1
    assert t(key, path=str(path)) in err, err
    assert "Traceback" not in err
    assert (path.read_bytes() if path.exists() else None) == before


def test_stats_refuses_bad_files(tmp_path, capsys):
    import sqlite3

    from casebook.db import open_casebook

    _refused_by_stats(capsys, tmp_path / "missing.sqlite3", "storage.missing")
    letter = tmp_path / "letter.sqlite3"
    letter.write_text("Dear sir,\n" * 500)
    _refused_by_stats(capsys, letter, "storage.not_a_database")
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    _refused_by_stats(capsys, other, "storage.not_a_casebook")
    newer = tmp_path / "newer.sqlite3"
    open_casebook(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()
    _refused_by_stats(capsys, newer, "storage.too_new")
    corrupt = tmp_path / "corrupt.sqlite3"
    book = open_casebook(corrupt)
    _open(book, date(2025, 3, 1), source="POL", channel="PHONE", persons=())
    book.close()
    data = bytearray(corrupt.read_bytes())
    for i in range(4096, len(data), 5):
        data[i] = (data[i] * 31 + 7) & 0xFF
    corrupt.write_bytes(bytes(data))
    _refused_by_stats(capsys, corrupt, "storage.corrupt")
