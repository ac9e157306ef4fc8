"""The full dump and the JSON import (casebook/transfer.py and their commands), on real
SQLite files in tmp_path."""

from __future__ import annotations

import copy
import json
import stat
import sys

import pytest
from sqlalchemy import func, inspect, select, text

from casebook import schema
from casebook.cli import main
from casebook.db import open_casebook
from casebook.transfer import ImportRefused, dump_data, import_data, write_dump


def _dump(cb) -> dict:
    with cb.read() as session:
        data = dump_data(session)
    data.pop("exported_at")
    return data


def _table_counts(cb) -> dict[str, int]:
    # FTS5's own shadow tables (case_search_data, _idx …) hold index segments whose row
    # counts depend on the order of writes, not on the contents: leave them out.
    shadow = f"{schema.UNMODELLED_TABLE_PREFIX}_"
    names = [n for n in inspect(cb.engine).get_table_names() if not n.startswith(shadow)]
    # The settings' save counter (the lost-update guard) counts saves, not contents.
    where = {"setting": " WHERE key != '_version'"}
    with cb.engine.connect() as conn:
        return {
            name: conn.execute(text(f'SELECT count(*) FROM "{name}"{where.get(name, "")}')).scalar()
            for name in names
        }


def _fingerprint(cb) -> tuple[dict[str, int], list]:
    with cb.engine.connect() as conn:
        orgs = conn.execute(text("SELECT * FROM organisation ORDER BY id")).all()
        settings = conn.execute(
            text("SELECT * FROM setting WHERE key != '_version' ORDER BY key")
        ).all()
    return _table_counts(cb), [tuple(r) for r in orgs + settings]


@pytest.fixture
def demo_dump(demo_cb) -> dict:
    with demo_cb.read() as session:
        return dump_data(session)


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# ------------------------------------------------------------------ the round trip


def test_round_trip_demo_casebook(demo_cb, tmp_path):
    first = _dump(demo_cb)
    assert first["format"] == "casebook-dump"
    assert first["format_version"] == 1
    assert first["schema"] == schema.HEAD
    assert len(first["cases"]) == 150

    target = open_casebook(tmp_path / "empty.sqlite3")
    try:
        result = import_data(target, copy.deepcopy(first))
        assert result.counts["cases"] == 150
        second = _dump(target)
        # the table contents match too, not only the JSON
        assert _table_counts(target) == _table_counts(demo_cb)
    finally:
        target.close()
    assert second == first


def test_dump_covers_every_kind_of_record(demo_dump):
    cases = demo_dump["cases"]
    for key in ("signals", "persons", "steps", "referrals", "contacts", "consents", "deadlines"):
        assert any(case[key] for case in cases), key
    assert any(case["exploitation_types"] for case in cases)
    assert any(sig["indicators"] for case in cases for sig in case["signals"])
    assert all(case["history"] for case in cases)
    assert demo_dump["organisations"] and demo_dump["trainings"] and demo_dump["settings"]
    # personal data is in the dump: it is the full export
    assert any(p["name"] for case in cases for p in case["persons"])


def test_dump_layout_codes_and_dates(demo_dump):
    case = next(c for c in demo_dump["cases"] if c["closed_on"])
    assert case["opened_on"][4] == "-" and len(case["opened_on"]) == 10  # ISO date
    assert case["created_at"].endswith("Z")  # ISO datetime in UTC
    assert case["status"] == "CLOSED" and case["closure_outcome"].isupper()
    contact = next(c for c in demo_dump["cases"] if c["contacts"])["contacts"][0]
    assert contact["at"].endswith("Z")
    # references inside the file are positions, and they resolve
    for c in demo_dump["cases"]:
        for ref in c["referrals"]:
            assert ref["person"] is None or 0 <= ref["person"] < len(c["persons"])
            org = ref["organisation"]
            assert org is None or 0 <= org < len(demo_dump["organisations"])
        for step in c["steps"]:
            assert step["referral"] is None or 0 <= step["referral"] < len(c["referrals"])


def test_import_into_non_empty_casebook_remaps_ids(demo_cb, demo_dump, cb):
    """A dump imported into a casebook that already has cases gets fresh ids; its
    references (persons, referrals, organisations, history) point at the new rows."""
    data = copy.deepcopy(demo_dump)
    import_data(cb, data)
    # rename every reference and import the same file again into the same casebook
    for case in data["cases"]:
        year, seq = case["reference"].split("-")
        case["reference"] = f"{year}-{int(seq) + 5000:04d}"
    from casebook.services import settings

    with cb.write() as session:
        settings.put(session, "municipality", "Gemeente Eigen")
    before = _table_counts(cb)
    result = import_data(cb, data)
    after = _table_counts(cb)
    with cb.read() as session:  # a casebook with cases keeps its own settings
        assert settings.get(session, "municipality") == "Gemeente Eigen"
    assert result.counts["organisations"] == 0  # all matched by code
    assert after["organisation"] == before["organisation"]
    assert after["case_file"] == 2 * before["case_file"]
    with cb.read() as session:
        again = dump_data(session)
    first, second = again["cases"][:150], again["cases"][150:]
    for a, b in zip(first, second, strict=True):
        assert a["reference"] != b["reference"]
        a = {k: v for k, v in a.items() if k != "reference"}
        b = {k: v for k, v in b.items() if k != "reference"}
        assert a == b


def test_import_keeps_the_directory_seed_for_a_small_file(cb, tmp_path):
    """Into a new casebook a file listing one organisation keeps the rest of the seeded
    directory; an organisation named by code resolves to the seeded one."""
    data = _minimal()
    data["organisations"] = [{"code": None, "name": "Stichting Voorbeeld", "kind": "ngo"}]
    data["cases"][0]["steps"] = [
        {"step_type": "CONSULT_ZC", "organisation": 0},
        {"step_type": "CONSULT_ZC", "organisation": "COMENSHA"},
    ]
    with cb.read() as session:
        seeded = len(dump_data(session)["organisations"])
    import_data(cb, data)
    out = _dump(cb)
    orgs = out["organisations"]
    assert len(orgs) == seeded + 1
    assert orgs[0]["name"] == "Stichting Voorbeeld"
    steps = out["cases"][0]["steps"]
    assert steps[0]["organisation"] == 0
    assert orgs[steps[1]["organisation"]]["code"] == "COMENSHA"


# ------------------------------------------------------------------ refusals


def _minimal(reference: str = "2025-0001") -> dict:
    return {
        "format": "casebook-dump",
        "format_version": 1,
        "cases": [
            {
                "reference": reference,
                "subject_type": "PERSON",
                "title": "Voorbeeld",
                "phase": "INTAKE",
                "status": "NEW",
                "opened_on": "2025-03-01",
                "signals": [
                    {"received_on": "2025-03-01", "channel": "PHONE", "source_role": "BURGER"}
                ],
            }
        ],
    }


def test_minimal_file_imports(cb):
    result = import_data(cb, _minimal())
    assert result.counts["cases"] == 1 and result.counts["signals"] == 1
    case = _dump(cb)["cases"][0]
    assert case["reference"] == "2025-0001"
    assert case["version"] == 1 and case["created_at"].endswith("Z")


def test_bad_fiftieth_case_writes_nothing_and_names_case_50_and_both_fields(
    demo_dump, cb, tmp_path, capsys
):
    data = copy.deepcopy(demo_dump)
    # the target is empty, so the two planted errors are the only problems
    assert len(data["cases"]) >= 50
    case = data["cases"][49]
    case["signals"][0]["channel"] = "CARRIER_PIGEON"
    case["signals"][0]["received_on"] = "31-02-2024"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = _fingerprint(cb)
    cb.close()

    code, out, err = _run(capsys, "--db", str(tmp_path / "casebook.sqlite3"), "import", str(path))

    assert code == 1
    assert out == ""
    reference = case["reference"]
    lines = [line.strip() for line in err.splitlines()]
    assert f"casus 50 ({reference}): signals[0].channel: Onbekende waarde: CARRIER_PIGEON" in lines
    assert (
        f"casus 50 ({reference}): signals[0].received_on: Ongeldige datum: gebruik dd-mm-jjjj"
        in lines
    )
    assert "2 problemen gevonden" in err
    again = open_casebook(tmp_path / "casebook.sqlite3")
    try:
        assert _fingerprint(again) == before
    finally:
        again.close()


def test_problems_are_listed_in_english_too(cb, tmp_path, capsys):
    data = _minimal()
    data["cases"][0]["urgency"] = "NOW"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    cb.close()
    code, _, err = _run(
        capsys, "--lang", "en", "--db", str(tmp_path / "casebook.sqlite3"), "import", str(path)
    )
    assert code == 1
    assert "case 1 (2025-0001): urgency: Unknown value: NOW" in err
    assert "nothing was saved" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"format": "casebook-dump", "format_version": 1, "cases": [', "Geen geldige JSON"),
        ("[1, 2, 3]", "geen JSON-object"),
        ('{"format": "something-else", "format_version": 1}', '"format": "casebook-dump"'),
        ('{"format": "casebook-dump", "format_version": 7}', "Versie 7 van de indeling"),
    ],
    ids=["malformed", "not-an-object", "wrong-format", "wrong-version"],
)
def test_unreadable_files_are_refused(cb, tmp_path, capsys, content, expected):
    path = tmp_path / "in.json"
    path.write_text(content, encoding="utf-8")
    before = _fingerprint(cb)
    cb.close()
    code, out, err = _run(capsys, "--db", str(tmp_path / "casebook.sqlite3"), "import", str(path))
    assert code == 1
    assert expected in err
    assert "niets opgeslagen" in err
    again = open_casebook(tmp_path / "casebook.sqlite3")
    try:
        assert _fingerprint(again) == before
    finally:
        again.close()


def test_missing_required_fields_are_all_listed(cb):
    data = _minimal()
    case = data["cases"][0]
    del case["subject_type"], case["opened_on"]
    case["signals"][0].pop("source_role")
    case["persons"] = [{"gender": "FEMALE"}]
    case["steps"] = [{"step_type": "CONSULT_ZC", "due_on": "2025-13-01", "colour": "red"}]
    before = _fingerprint(cb)
    with pytest.raises(ImportRefused) as info:
        import_data(cb, data)
    lines = info.value.lines()
    where = "casus 1 (2025-0001)"
    assert f"{where}: subject_type: Verplicht veld" in lines
    assert f"{where}: opened_on: Verplicht veld" in lines
    assert f"{where}: signals[0].source_role: Verplicht veld" in lines
    assert f"{where}: persons[0].role: Verplicht veld" in lines
    assert f"{where}: steps[0].due_on: Ongeldige datum: gebruik dd-mm-jjjj" in lines
    assert f"{where}: steps[0].colour: Onbekend veld" in lines
    assert len(lines) == 6
    assert _fingerprint(cb) == before


def test_references_and_types_are_checked(cb):
    data = _minimal()
    case = data["cases"][0]
    case["persons"] = [{"role": "VICTIM"}]
    case["referrals"] = [
        {"shelter_type": "COSM", "requested_on": "2025-03-02", "person": 3, "organisation": 99}
    ]
    case["contacts"] = [
        {"at": "2025-03-02T10:00:00", "channel": "PHONE", "counterpart_role": "SUBJECT"}
    ]
    case["signals"][0]["reporter_anonymous"] = "yes"
    case["history"] = [
        {"at": "2025-03-01T10:00:00Z", "event": "step.added", "entity": "step", "item": 0}
    ]
    with pytest.raises(ImportRefused) as info:
        import_data(cb, data)
    fields = {p.field for p in info.value.problems}
    assert fields == {
        "referrals[0].person",
        "referrals[0].organisation",
        "contacts[0].at",  # no time zone
        "signals[0].reporter_anonymous",
        "history[0].item",  # there is no step 0
    }


def test_closed_case_needs_date_and_outcome(cb):
    data = _minimal()
    data["cases"][0]["status"] = "CLOSED"
    with pytest.raises(ImportRefused) as info:
        import_data(cb, data)
    assert {p.field for p in info.value.problems} == {"closed_on", "closure_outcome"}


def test_duplicate_reference_is_refused(demo_cb, demo_dump, tmp_path, capsys):
    """A reference the target casebook already holds, or one that occurs twice in the
    file, is refused; nothing is written."""
    data = {
        "format": "casebook-dump",
        "format_version": 1,
        "cases": [demo_dump["cases"][3], _minimal("2025-0900")["cases"][0]],
    }
    data["cases"].append(copy.deepcopy(data["cases"][1]))
    path = tmp_path / "dup.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = _fingerprint(demo_cb)
    demo_cb.close()
    code, _, err = _run(capsys, "--db", str(tmp_path / "demo.sqlite3"), "import", str(path))
    assert code == 1
    existing = demo_dump["cases"][3]["reference"]
    assert f"casus 1 ({existing}): reference: Dit kenmerk bestaat al in het casebook" in err
    assert "casus 3 (2025-0900): reference: Komt twee keer voor in het bestand" in err
    again = open_casebook(tmp_path / "demo.sqlite3")
    try:
        assert _fingerprint(again) == before
    finally:
        again.close()


def test_import_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as info:
        main(["import"])
    assert info.value.code == 2


def test_import_of_missing_file_is_refused(tmp_path, capsys):
    code, _, err = _run(
        capsys, "--db", str(tmp_path / "x.sqlite3"), "import", str(tmp_path / "nope.json")
    )
    assert code == 1
    assert "bestaat niet" in err
    assert not (tmp_path / "x.sqlite3").exists()


# ------------------------------------------------------------------ the dump command


def test_dump_command_writes_owner_only_file_and_warns(demo_cb, tmp_path, capsys):
    demo_cb.close()
    out = tmp_path / "dump.json"
    code, stdout, err = _run(
        capsys, "--db", str(tmp_path / "demo.sqlite3"), "dump", "--out", str(out)
    )
    assert code == 0
    assert "150 casussen" in stdout
    assert "persoonsgegevens" in err
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["format"] == "casebook-dump" and len(data["cases"]) == 150
    if sys.platform != "win32":
        assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_dump_warning_in_english(demo_cb, tmp_path, capsys):
    demo_cb.close()
    out = tmp_path / "dump.json"
    code, _, err = _run(
        capsys, "--lang", "en", "--db", str(tmp_path / "demo.sqlite3"), "dump", "--out", str(out)
    )
    assert code == 0
    assert "holds personal data" in err


def test_dump_refuses_an_existing_file(demo_cb, tmp_path, capsys):
    demo_cb.close()
    out = tmp_path / "dump.json"
    out.write_text("keep me", encoding="utf-8")
    code, _, err = _run(capsys, "--db", str(tmp_path / "demo.sqlite3"), "dump", "--out", str(out))
    assert code == 1
    assert "bestaat al" in err
    assert out.read_text(encoding="utf-8") == "keep me"


def test_dump_without_out_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        main(["dump"])
    assert info.value.code == 2


def test_cli_round_trip(demo_cb, tmp_path, capsys):
    """dump → import into a new file → dump: the same JSON, apart from the export time."""
    demo_cb.close()
    first, second = tmp_path / "one.json", tmp_path / "two.json"
    assert main(["--db", str(tmp_path / "demo.sqlite3"), "dump", "--out", str(first)]) == 0
    assert main(["--db", str(tmp_path / "new.sqlite3"), "import", str(first), "--create"]) == 0
    assert "150 casussen" in capsys.readouterr().out
    assert main(["--db", str(tmp_path / "new.sqlite3"), "dump", "--out", str(second)]) == 0
    a = json.loads(first.read_text(encoding="utf-8"))
    b = json.loads(second.read_text(encoding="utf-8"))
    assert a.pop("exported_at") and b.pop("exported_at")
    assert a == b


def test_write_dump_counts(demo_cb, tmp_path):
    result = write_dump(demo_cb, tmp_path / "d.json")
    assert result.cases == 150
    with demo_cb.read() as session:
        from casebook.models import Case

        assert session.execute(select(func.count()).select_from(Case)).scalar() == 150


def test_the_documented_example_imports(cb):
    """The example in docs/import-format.md is a valid import file."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parent.parent / "docs" / "import-format.md").read_text(
        encoding="utf-8"
    )
    example = doc.split("## A small example", 1)[1].split("```json", 1)[1].split("```", 1)[0]
    result = import_data(cb, json.loads(example))
    assert result.counts["cases"] == 1 and result.counts["contacts"] == 1
    case = _dump(cb)["cases"][0]
    assert case["signals"][0]["received_on"] == "2026-03-02"
    assert case["contacts"][0]["at"] == "2026-03-03T13:00:00Z"


def test_round_trip_after_retention(demo_cb, tmp_path):
    """Stripped and deleted cases (ids with gaps, blank identifying fields, blanked
    history) survive the round trip just the same."""
    from casebook import retention
    from casebook.models import Case

    with demo_cb.write() as session:
        closed = (
            session.execute(select(Case.id).where(Case.status == "CLOSED").order_by(Case.id))
            .scalars()
            .all()
        )
        retention.strip_case(session, closed[0])
        retention.delete_case(session, closed[1])
    first = _dump(demo_cb)
    assert len(first["cases"]) == 149
    stripped = next(c for c in first["cases"] if c["history"][-1]["event"].endswith("stripped"))
    assert all(p["erased"] and not p["name"] for p in stripped["persons"])
    target = open_casebook(tmp_path / "empty.sqlite3")
    try:
        import_data(target, copy.deepcopy(first))
        assert _dump(target) == first
    finally:
        target.close()


# ------------------------------------------------------------------ published statistics


def _publish(cb, year: int) -> None:
    from casebook.services import publications

    with cb.write() as s:
        publications.publish(s, year)


def _stats_json(capsys, db, year: int) -> str:
    code, out, err = _run(capsys, "--db", str(db), "stats", str(year), "--format", "json")
    assert code == 0, err
    return out


def test_a_published_year_moves_with_the_casebook(demo_cb, tmp_path, capsys):
    """A dump carries the publications: the moved casebook exports a published year
    exactly as it was published (not rounded afresh), and knows it is published."""
    _publish(demo_cb, 2025)
    before = _stats_json(capsys, demo_cb.path, 2025)
    with demo_cb.read() as session:
        data = dump_data(session)
    assert [(p["year"], p["version"], p["corrects"]) for p in data["publications"]] == [
        (2025, 1, None)
    ]
    moved = open_casebook(tmp_path / "moved.sqlite3")
    import_data(moved, json.loads(json.dumps(data)))
    moved.close()
    assert _stats_json(capsys, tmp_path / "moved.sqlite3", 2025) == before
    code, _, err = _run(
        capsys, "--db", str(tmp_path / "moved.sqlite3"), "stats", "2025", "--publish"
    )
    assert code == 1 and "2025" in err  # already published, there too


def test_publications_in_a_file_are_checked(demo_cb, cb):
    _publish(demo_cb, 2025)
    with demo_cb.read() as session:
        data = dump_data(session)
    only = {**data, "cases": [], "organisations": [], "trainings": []}
    # a second copy of the same publication, and a correction of nothing earlier
    broken = copy.deepcopy(only)
    first = broken["publications"][0]
    broken["publications"] = [
        first,
        dict(first),
        {**first, "version": 2, "corrects": 5},
        {**first, "version": 3, "figures": "{not json"},
    ]
    before = _fingerprint(cb)
    with pytest.raises(ImportRefused) as refused:
        import_data(cb, broken)
    keys = {(p.field, p.error.key) for p in refused.value.problems}
    assert ("publications[1].version", "transfer.error.duplicate") in keys
    assert ("publications[2].corrects", "transfer.error.publication_corrects") in keys
    assert ("publications[3].figures", "transfer.error.publication_figures") in keys
    assert _fingerprint(cb) == before
    # the year the casebook has published already is not published a second time
    with pytest.raises(ImportRefused) as refused:
        import_data(demo_cb, only)
    assert [p.error.key for p in refused.value.problems] == ["transfer.error.already_published"]
