"""Reference lists, the message catalogue, and dates typed and shown as dd-mm-jjjj."""

from __future__ import annotations

import ast
import re
import string
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import casebook
from casebook import i18n, refdata
from casebook.dates import add_months, format_date, parse_date, parse_time
from casebook.resources import data_root

CORE = Path(casebook.__file__).parent
NAMES = refdata.list_names()


# --- reference data --------------------------------------------------------


def test_the_lists_of_the_domain_are_all_there():
    expected = {
        "exploitation_types",
        "source_roles",
        "source_groups",
        "sectors",
        "indicators",
        "indicator_groups",
        "shelter_types",
        "organisations",
        "phases",
        "statuses",
        "closure_outcomes",
        "step_types",
        "contact_channels",
        "counterpart_roles",
        "signal_channels",
        "referral_statuses",
        "consent_purposes",
        "consent_methods",
        "countries",
        "nationality_groups",
        "person_roles",
        "genders",
        "routes",
        "urgencies",
        "subject_types",
        "b8_statuses",
    }
    assert expected <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_list_loads_with_unique_codes_and_both_labels(name):
    items = refdata.ref(name)
    assert len(items) > 0
    # the raw file, so that a duplicate cannot hide behind the loader's dict
    with (data_root() / "reference" / f"{name}.toml").open("rb") as fh:
        raw = [entry["code"] for entry in tomllib.load(fh)["item"]]
    assert len(raw) == len(set(raw)), [c for c in raw if raw.count(c) > 1]
    assert raw == items.codes()
    for item in items:
        assert re.fullmatch(r"[A-Za-z0-9_]+", item.code), item.code
        assert isinstance(item.nl, str) and item.nl.strip(), (name, item.code)
        assert isinstance(item.en, str) and item.en.strip(), (name, item.code)
        assert item.nl == item.nl.strip() and item.en == item.en.strip()


def _check_refs(name: str, key: str, target_codes: set[str], *, required: bool = True):
    for item in refdata.ref(name):
        value = item.get(key)
        if value is None and not required:
            continue
        assert value in target_codes, (name, item.code, key, value)


def test_cross_references_are_valid():
    codes = {name: set(refdata.ref(name).codes()) for name in NAMES}
    _check_refs("source_roles", "group", codes["source_groups"])
    _check_refs("indicators", "group", codes["indicator_groups"])
    _check_refs("countries", "group", codes["nationality_groups"])
    top_level = {i.code for i in refdata.ref("exploitation_types") if i.get("parent") is None}
    _check_refs("exploitation_types", "stats", top_level)
    _check_refs("exploitation_types", "parent", top_level, required=False)
    _check_refs("genders", "stats", {"M", "F", "X"})
    from casebook.services.directory import KINDS

    _check_refs("organisations", "kind", set(KINDS))


def test_every_group_is_used():
    for name, key, groups in (
        ("source_roles", "group", "source_groups"),
        ("indicators", "group", "indicator_groups"),
    ):
        used = {item.get(key) for item in refdata.ref(name)}
        assert set(refdata.ref(groups).codes()) - used <= {"ONBEKEND"}, groups


def test_a_value_that_cannot_be_a_code_is_simply_not_in_the_list():
    phases = refdata.ref("phases")
    assert "INTAKE" in phases
    assert ["INTAKE"] not in phases and {"INTAKE": 1} not in phases and None not in phases


def test_check_code_reports_a_list_as_unknown_instead_of_crashing():
    from casebook.services.common import Check

    check = Check()
    assert check.code("channel", "signal_channels", ["PHONE"]) is None
    assert [(e.field, e.key) for e in check.errors] == [("channel", "error.unknown_code")]


def test_labels_follow_the_language():
    item = refdata.ref("phases").get("FOLLOWUP")
    i18n.set_language("en")
    assert refdata.label("phases", "FOLLOWUP") == item.en
    i18n.set_language("nl")
    assert refdata.label("phases", "FOLLOWUP") == item.nl
    assert refdata.label("phases", "GONE") == "GONE"
    assert refdata.label("phases", None) == ""
    assert refdata.ref("phases").choices()[0] == (refdata.ref("phases").items[0].nl, "INTAKE")


def test_refdata_lists_named_in_the_core_exist():
    """`ref("x")`, `label("x", ..)` and `check.code(field, "x", ..)` name real lists."""
    used = set()
    for path in CORE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (
                name == "label"
                and isinstance(func, ast.Attribute)
                and getattr(func.value, "id", None) != "refdata"
            ):
                continue  # e.g. SQLAlchemy's column.label("k")
            pos = {"ref": 0, "label": 0, "code": 1, "codes": 1}.get(name)
            if pos is None or len(node.args) <= pos:
                continue
            arg = node.args[pos]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                used.add((arg.value, f"{path.relative_to(CORE)}:{node.lineno}"))
    assert used, "the scan found nothing: it is broken"
    missing = [(n, where) for n, where in used if n not in NAMES]
    assert missing == []


# --- the message catalogue -------------------------------------------------


def placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}


def test_every_message_has_nl_and_en_with_the_same_placeholders():
    catalogue = i18n.catalogue()
    assert len(catalogue) > 50
    for key, entry in catalogue.items():
        assert set(entry) == {"nl", "en"}, key
        assert entry["nl"].strip() and entry["en"].strip(), key
        assert placeholders(entry["nl"]) == placeholders(entry["en"]), key


@pytest.mark.parametrize("language", i18n.LANGUAGES)
def test_every_message_renders(language):
    """Filled with its own placeholders, every message formats without error (a stray
    brace would raise) and leaves no placeholder behind."""
    i18n.set_language(language)
    for key, entry in i18n.catalogue().items():
        names = placeholders(entry[language])
        text = i18n.t(key, **{n: "<>" for n in names}) if names else i18n.t(key)
        assert not [n for n in names if f"{{{n}}}" in text], key


def test_message_files_parse_and_keys_are_not_repeated():
    seen: dict[str, str] = {}
    for path in sorted((data_root() / "messages").glob("*.toml")):
        table = tomllib.loads(path.read_text(encoding="utf-8"))
        out: dict[str, dict] = {}
        i18n._flatten("", table, out, path.name)
        for key in out:
            assert key not in seen, f"{key} in {path.name} and {seen[key]}"
            seen[key] = path.name
    assert set(seen) == set(i18n.catalogue())


# Keys the core hands to t(), to errors and to field errors carry these prefixes.
MESSAGE_PREFIXES = ("error.", "storage.", "safety.", "transfer.", "cli.", "stats.")
KEY = re.compile(r"[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+")


def _literal_keys(root: Path = CORE, *, prefixed: bool = True) -> dict[str, str]:
    """Every message key the code under `root` names literally: any string with a
    message prefix (`prefixed`), and the first argument of every t(...) call."""
    keys: dict[str, str] = {}
    for path in root.rglob("*.py"):
        where = str(path.relative_to(root))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                prefixed
                and isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and KEY.fullmatch(node.value)
                and node.value.startswith(MESSAGE_PREFIXES)
            ):
                keys.setdefault(node.value, f"{where}:{node.lineno}")
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("t", "tn")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                keys.setdefault(node.args[0].value, f"{where}:{node.lineno}")
    return keys


def test_every_message_key_used_in_the_core_exists():
    keys = _literal_keys()
    assert "error.required" in keys and "storage.too_new" in keys  # the scan works
    missing = {k: where for k, where in keys.items() if not _in_catalogue(k)}
    assert missing == {}


def _in_catalogue(key: str) -> bool:
    """A message, or one with plural forms (`key.one` and `key.other`)."""
    catalogue = i18n.catalogue()
    return key in catalogue or {f"{key}.one", f"{key}.other"} <= set(catalogue)


def test_every_message_key_used_in_the_screens_exists():
    """The UI's keys too (a TOML table opened in the wrong place once moved two palette
    messages under it: the officer saw the key instead of the case)."""
    keys = _literal_keys(CORE.parent / "screens", prefixed=False)  # ids look like keys
    assert "commands.case_hit" in keys and "case.loading" in keys  # the scan works
    missing = {k: where for k, where in keys.items() if not _in_catalogue(k)}
    assert missing == {}


def test_subcommand_help_keys_exist():
    from casebook.cli import COMMANDS

    catalogue = i18n.catalogue()
    assert [m for m in COMMANDS.values() if f"cli.cmd.{m}" not in catalogue] == []


def test_t_fills_placeholders_in_both_languages():
    i18n.set_language("en")
    assert i18n.t("error.range", low=1, high=9) == "Choose a number from 1 to 9"
    i18n.set_language("nl")
    assert i18n.t("error.range", low=1, high=9) == "Kies een getal van 1 tot en met 9"
    assert i18n.t("no.such.key") == "no.such.key"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("en", "en"), ("EN", "en"), ("nl_NL.UTF-8", "nl"), ("fr", "nl"), (None, "nl"), ("", "nl")],
)
def test_set_language_normalises(value, expected):
    assert i18n.set_language(value) == expected
    assert i18n.get_language() == expected


# --- dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["05-03-2026", "5-3-2026", "2026-03-05", " 05-03-2026 ", "05/03/2026", "5.3.2026"],
)
def test_parse_date_accepts(text):
    assert parse_date(text) == date(2026, 3, 5)


@pytest.mark.parametrize(
    "text",
    [
        "31-02-2026",
        "2026/13/01",
        "",
        "   ",
        "2026-13-01",
        "00-01-2026",
        "05-03-26",
        "05-03-1899",
        "05-03-3000",
        "5 maart 2026",
        "2026-03-05T10:00",
        "05-03-2026x",
    ],
)
def test_parse_date_rejects(text):
    with pytest.raises(ValueError):
        parse_date(text)


def test_parse_date_rejects_none():
    with pytest.raises(ValueError):
        parse_date(None)


def test_format_date():
    assert format_date(date(2026, 3, 5)) == "05-03-2026"
    assert format_date(date(2026, 12, 31)) == "31-12-2026"
    assert format_date(None) == ""


def test_format_date_of_a_datetime_is_the_local_day():
    from casebook.dates import local_to_utc

    moment = local_to_utc(date(2026, 3, 5), 23, 30)
    assert format_date(moment) == "05-03-2026"
    assert isinstance(moment, datetime)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31)))
def test_format_then_parse_round_trip(day):
    text = format_date(day)
    assert re.fullmatch(r"\d{2}-\d{2}-\d{4}", text)
    assert parse_date(text) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.day}-{day.month}-{day.year}") == day


@given(st.text(max_size=12))
def test_parse_date_either_parses_to_a_formattable_date_or_raises_value_error(text):
    try:
        day = parse_date(text)
    except ValueError:
        return
    assert parse_date(format_date(day)) == day


@pytest.mark.parametrize(
    ("text", "expected"), [("09:05", (9, 5)), ("9:05", (9, 5)), ("23:59", (23, 59))]
)
def test_parse_time(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["24:00", "12:60", "12", "12:5", "", "ab:cd"])
def test_parse_time_rejects(text):
    with pytest.raises(ValueError):
        parse_time(text)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2990, 1, 1)), st.integers(0, 24))
def test_add_months_lands_in_the_right_month_never_past_its_end(day, months):
    later = add_months(day, months)
    assert (later.year * 12 + later.month) - (day.year * 12 + day.month) == months
    assert later.day == day.day or later.day < day.day  # clipped at the month's end


def test_a_message_is_found_by_its_area_without_reading_every_file(monkeypatch):
    """t() reads only the files of the key's area; every key is still found."""
    monkeypatch.setattr(i18n, "_messages", {})
    monkeypatch.setattr(i18n, "_parsed", set())
    assert i18n.t("cli.cmd.stats") != "cli.cmd.stats"
    assert len(i18n._parsed) < len(i18n._files())
    for key in list(i18n.catalogue()):
        assert i18n.has(key)
    assert not i18n.has("no.such.message")
