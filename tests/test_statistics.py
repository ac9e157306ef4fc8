"""Yearly statistics: a golden casebook whose true figures are stated by hand, and its
rounded export checked in every format; publishing and correcting; the CLI. (The
attacker on the rounding is tests/test_statistics_attacker.py.)"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date

import pytest

from casebook import statistics, stats_export
from casebook.dates import frozen, local_to_utc
from casebook.services import closure, intake, referrals, settings, steps, trainings, triage

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
    closed in 2025 (closed at 31-12-2025, open at 31-12-2024 or opened in 2025): C8
      INSUFF, C9-C11 NO_TH, and C5, closed in 2025 and reopened in 2026 (its outcome
      was cleared when it reopened: UNKNOWN). Reopened in 2025: none.
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
    "cases_closed_by_outcome": (
        {"INSUFF": (1, "<5"), "NO_TH": (3, "<5"), "UNKNOWN": (1, "<5")},
        (5, "5"),
    ),
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
    "cases_reopened": (0, "0"),
    "trainings": (2, "<5"),
    "training_participants": (20, "20"),
}
EXPECTED_MEDIANS = {"days_signal_to_triage": "4", "days_signal_to_first_step": "13"}


@pytest.fixture
def golden(cb):
    build_golden(cb)
    return cb


def assert_rounded(true: int, shown, k: int) -> None:
    """A published count: a multiple of k next to the true one."""
    assert isinstance(shown, int) and shown % k == 0 and abs(shown - true) < k, (true, shown)


def test_golden_true_counts(golden):
    with golden.read() as s:
        stats = statistics.compute(s, YEAR, protect_figures=False)
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


def test_golden_rounding(golden):
    """Every count is rounded to a multiple of k next to it; tables add up to their
    total; tables about one population share it; the chain holds; a small year merges
    sectors and shelter types into groups and says so."""
    with golden.read() as s:
        stats = statistics.compute(s, YEAR)
    true = {}
    for tb in stats.tables:
        for c in tb.cells:
            true[(tb.id, c.code)] = c.value
        assert_rounded(tb.total, tb.shown_total, 5)
        assert sum(c.shown for c in tb.cells) == tb.shown_total, tb.id
        for c in tb.cells:
            assert_rounded(c.value, c.shown, 5)
    groups = {}
    for tb in stats.tables:
        groups.setdefault(tb.group, set()).add(tb.shown_total)
    assert all(len(v) == 1 for v in groups.values())
    for fig in stats.figures:
        assert_rounded(fig.value, fig.shown, 5)
    opened = stats.figure("cases_opened").shown
    signalled = stats.table("cases_by_sector").shown_total
    signals = stats.table("signals_by_channel").shown_total
    assert signals >= signalled >= opened
    sector = stats.table("cases_by_sector")
    assert [c.code for c in sector.cells] == ["LAB", "SEX", "CRIM", "OTHER", "UNK"]
    assert sector.note == "stats.note.merged_sectors"
    assert stats.table("referrals_by_type").note == "stats.note.merged_shelters"
    # the same data, the same key: the same export
    with golden.read() as s:
        again = statistics.public(statistics.compute(s, YEAR))
    assert again == statistics.public(stats)


def _view(golden, lang=None) -> dict:
    with golden.read() as s:
        return statistics.public(statistics.compute(s, YEAR))


def test_golden_json(golden):
    view = _view(golden)
    data = json.loads(stats_export.to_json(view))
    assert data["schema"] == "casebook-stats/2"
    assert data["year"] == YEAR
    assert data["disclosure"]["k"] == 5
    assert data["disclosure"]["method"] == statistics.METHOD
    assert data["publication"]["status"] == "draft"
    assert {tb["id"] for tb in data["tables"]} == set(EXPECTED_TABLES)
    for tb in data["tables"]:
        for c in tb["cells"]:
            assert str(c["value"]) == c["display"] and c["value"] % 5 == 0
        assert sum(c["value"] for c in tb["cells"]) == tb["total"]["value"]
    for fig in data["figures"]:
        assert_rounded(EXPECTED_FIGURES[fig["id"]][0], fig["value"], 5)
    # 11 cases opened (published 10 or 15): fewer than 2k = 10 published -> no median
    for med in data["medians"]:
        assert med["display"] == (med["band"] or "niet getoond (te weinig casussen)")
    basis = {item["key"]: item["text"] for item in data["basisniveau"]["settings"]}
    assert basis["officer"] == "A. Ambtenaar"
    assert basis["policy_meldroute"] == "Meldroute via het wijkteam."


def test_golden_csv(golden):
    view = _view(golden)
    text = stats_export.to_csv(view)
    assert text.startswith("\ufeff")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == ["sectie", "id", "tabel", "code", "omschrijving", "waarde"]
    ids = {tb["id"]: tb["title"] for tb in view["tables"]}
    seen: dict[str, dict[str, str]] = {}
    for row in rows[1:]:
        if row[1] in ids and row[3] != "NOTE":
            assert row[2] == ids[row[1]]
            seen.setdefault(row[1], {})[row[3]] = row[5]
    for tb in view["tables"]:
        cells = seen[tb["id"]]
        assert cells.pop("TOTAL") == tb["total"]["display"]
        assert cells == {c["code"]: c["display"] for c in tb["cells"]}, tb["id"]
    by_id = {row[1]: row[5] for row in rows[1:]}
    assert by_id["cases_opened"] in ("10", "15")
    assert by_id["trainings"] in ("0", "5")
    assert by_id["k"] == "5"
    labels = {row[4] for row in rows[1:] if row[1] == "victims_by_age_band"}
    assert "23 jaar en ouder" in labels and "23+" not in labels


def test_golden_markdown(golden):
    view = _view(golden)
    md = stats_export.to_markdown(view)
    assert md.startswith("# Jaarcijfers mensenhandel 2025 — Gemeente Proefdorp")
    for tb in view["tables"]:
        start = md.index(f"### {tb['title']}")
        blocks = md[start:].split("\n\n")
        block = blocks[2] if tb["note"] else blocks[1]
        rows = {}
        for line in block.splitlines()[2:]:
            label, shown = [part.strip() for part in line.strip("|").split("|")]
            rows[label.strip("*")] = shown.strip("*")
        expected = {c["label"]: c["display"] for c in tb["cells"]}
        expected["Totaal"] = tb["total"]["display"]
        assert rows == expected, tb["id"]
    opened = next(f for f in view["figures"] if f["id"] == "cases_opened")["display"]
    assert f"| Nieuwe casussen (geopend in het jaar) | {opened} |" in md
    assert "Concept: dit jaar is nog niet gepubliceerd" in md
    tail = md[md.index("## Afscherming van kleine aantallen") :]
    assert "k = 5" in tail
    assert "afgerond op een veelvoud van 5" in tail
    assert statistics.METHOD in tail


def test_english_labels(golden):
    from casebook import i18n

    i18n.set_language("en")
    md = stats_export.to_markdown(_view(golden))
    assert "## Possible victims" in md
    assert "| Male |" in md
    assert "Every count (zero and every total too) is rounded to a multiple of 5" in md


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
    assert all(c.shown % 10 == 0 for tb in stats.tables for c in tb.cells)
    assert statistics.public(stats)["disclosure"]["base"] == 10


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


def test_median_bands_are_text_and_never_one_case():
    assert statistics.median_band(0) == "0–7"
    assert statistics.median_band(8) == "8–14"
    assert statistics.median_band(400) == "181+"
    stats = statistics.Statistics(2025, 5, "", "", {})
    stats.figures = [statistics.Figure("cases_opened", "cases", 12, 10)]
    stats.medians = [
        statistics.Median("a", "timeliness", 4, 3.0),  # fewer than k cases
        statistics.Median("b", "timeliness", 9, 20.0),
    ]
    statistics._band_medians(stats)
    assert [m.band for m in stats.medians] == [None, "15–30"]
    stats.figures[0].shown = 5  # fewer than 2k published: no median at all
    statistics._band_medians(stats)
    assert [m.band for m in stats.medians] == [None, None]


# -- publishing ---------------------------------------------------------------------------


def test_publish_fixes_the_year_and_a_correction_is_marked(golden):
    from casebook.errors import CasebookError
    from casebook.services import publications

    with golden.read() as s:
        draft = statistics.public(statistics.compute(s, YEAR))
    with golden.write() as s:
        publications.publish(s, YEAR)
    with golden.read() as s:
        first = statistics.public(statistics.compute(s, YEAR))
    assert first["publication"]["status"] == "published"
    assert [t["total"] for t in first["tables"]] == [t["total"] for t in draft["tables"]]
    # published twice: refused
    with golden.write() as s, pytest.raises(CasebookError) as refused:
        publications.publish(s, YEAR)
    assert refused.value.key == "stats.cli.already_published"
    # a case opened later in 2025 changes the data, not the publication
    _open(golden, date(2025, 12, 30), source="POL", channel="PHONE")
    with golden.read() as s:
        assert statistics.public(statistics.compute(s, YEAR)) == first
    # k lowered: a correction is refused; the export still gives the publication
    with golden.write() as s:
        settings.put(s, "stats_k", "3")
    with golden.write() as s, pytest.raises(CasebookError) as refused:
        publications.correct(s, YEAR)
    assert refused.value.key == "stats.cli.k_lowered"
    with golden.read() as s:
        assert statistics.public(statistics.compute(s, YEAR)) == first
    with golden.write() as s:
        settings.put(s, "stats_k", "5")
    with golden.write() as s:
        row = publications.correct(s, YEAR)
    with golden.read() as s:
        corrected = statistics.public(statistics.compute(s, YEAR))
    if row is None:  # the new case changed no rounding
        assert corrected == first
    else:
        assert corrected["publication"] | {"text": ""} == {
            "status": "correction",
            "version": 2,
            "corrects": 1,
            "text": "",
        }
        assert "CORRECTIE" in stats_export.to_markdown(corrected)
    # years are published in order
    with golden.write() as s, pytest.raises(CasebookError) as refused:
        publications.publish(s, YEAR - 1)
    assert refused.value.key == "stats.publish.out_of_order"


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


def test_cli_publish_then_the_same_bytes_and_k_kept(golden, tmp_path):
    import os

    env = dict(os.environ)
    env["CASEBOOK_HOME"] = str(tmp_path / "home")
    db = str(golden.path)
    help_text = _cli("--db", db, "stats", "--help", env=env).stdout.decode()
    assert "--publish" in help_text and "vastleggen" in " ".join(help_text.split())
    draft = _cli("--db", db, "stats", "2025", "--format", "csv", env=env).stdout
    assert b"Concept" in draft
    published = tmp_path / "gepubliceerd.csv"
    out = _cli("--db", db, "stats", "2025", "--publish", "--format", "csv", "--out",
               str(published), env=env)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "gepubliceerd (versie 1, k = 5)" in out.stderr.decode()
    again = _cli("--db", db, "stats", "2025", "--format", "csv", env=env)
    assert again.stdout == published.read_bytes()  # byte for byte
    for fmt in ("md", "json"):
        one = _cli("--db", db, "stats", "2025", "--format", fmt, env=env).stdout
        assert one == _cli("--db", db, "stats", "2025", "--format", fmt, env=env).stdout
    # published twice: refused
    twice = _cli("--db", db, "stats", "2025", "--publish", env=env)
    assert twice.returncode == 1 and "al gepubliceerd" in twice.stderr.decode()
    # k lowered: the export keeps the publication and says so; a correction is refused
    with golden.write() as s:
        settings.put(s, "stats_k", "3")
    lowered = _cli("--db", db, "stats", "2025", "--format", "csv", env=env)
    assert lowered.stdout == published.read_bytes()
    assert "k = 5" in lowered.stderr.decode()
    refused = _cli("--db", db, "stats", "2025", "--correct", env=env)
    assert refused.returncode == 1
    assert "k kan voor 2025 niet omlaag" in refused.stderr.decode()


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
