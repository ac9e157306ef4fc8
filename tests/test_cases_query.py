"""The case list: filters by phase, status, exploitation type and year, and the search
over reference, title, location and person name (wildcards matched literally)."""

from __future__ import annotations

from datetime import date

import pytest

from casebook.services import cases, closure, intake
from casebook.services.cases import CaseFilter
from tests.servicekit import TODAY, triaged_case
from tests.servicekit import new_case as _new_case


def new_case(cb, title, *, year=2026, persons=(), location="", subject="PERSON", **kw):
    return _new_case(
        cb,
        title=title,
        received_on=date(year, 6, 1),
        persons=[intake.PersonInput(role="VICTIM", name=n) for n in persons],
        location=location,
        subject_type=subject,
        **kw,
    )


@pytest.fixture
def book(cb):
    ids = {}
    ids["kwekerij"] = new_case(cb, "Hennepkwekerij", year=2024, persons=["Ana Voorbeeld"])
    ids["nagel"] = new_case(
        cb, "Nagelstudio", year=2025, subject="LOCATION", location="Marktplein 3"
    )
    ids["pct"] = new_case(cb, "Loon 100% ingehouden", persons=["Bogdan Testmans"])
    ids["underscore"] = new_case(cb, "Code A_B in advertentie", persons=["Élif Öztürk"])
    ids["ab"] = new_case(cb, "Code AxB elders")
    ids["lab"] = triaged_case(cb, title="Tuinderij", received_on=date(2026, 3, 1), persons=[])
    ids["closed"] = triaged_case(
        cb, title="Afgesloten tuin", received_on=date(2026, 2, 1), persons=[]
    )
    with cb.write() as s:
        closure.close_case(s, ids["closed"], outcome="NO_TH", closed_on=TODAY)
    return cb, ids


def found(cb, **kw) -> list[int]:
    flt = CaseFilter(**kw)
    with cb.read() as s:
        rows = [r.id for r in cases.list_cases(s, flt)]
        assert cases.count_cases(s, flt) == len(rows)
    return rows


def titles(cb, ids, **kw) -> set[str]:
    names = {v: k for k, v in ids.items()}
    return {names[i] for i in found(cb, **kw)}


def test_no_filter_lists_all_newest_reference_first(book):
    cb, ids = book
    with cb.read() as s:
        rows = cases.list_cases(s)
    assert [r.reference for r in rows] == [
        "2026-0005",
        "2026-0004",
        "2026-0003",
        "2026-0002",
        "2026-0001",
        "2025-0001",
        "2024-0001",
    ]
    assert rows[-1].title == "Hennepkwekerij" and rows[-1].opened_on == date(2024, 6, 1)


def test_paging(book):
    cb, _ = book
    with cb.read() as s:
        first = cases.list_cases(s, limit=3)
        rest = cases.list_cases(s, limit=3, offset=3)
        last = cases.list_cases(s, limit=3, offset=6)
    assert len(first) == 3 and len(rest) == 3 and len(last) == 1
    assert len({r.id for r in first + rest + last}) == 7


def test_filter_by_phase_status_type_year(book):
    cb, ids = book
    assert titles(cb, ids, phase="REFERRAL") == {"lab"}
    assert titles(cb, ids, phase="CLOSURE") == {"closed"}
    assert titles(cb, ids, status="NEW") == {"kwekerij", "nagel", "pct", "underscore", "ab"}
    assert titles(cb, ids, status="CLOSED") == {"closed"}
    assert titles(cb, ids, exploitation="LAB") == {"lab", "closed"}
    assert titles(cb, ids, exploitation="SEX") == set()
    assert titles(cb, ids, year=2025) == {"nagel"}
    assert titles(cb, ids, year=2026, open_only=True) == {"pct", "underscore", "ab", "lab"}
    assert titles(cb, ids, exploitation="LAB", open_only=True) == {"lab"}
    assert titles(cb, ids, exploitation="LAB", year=2025) == set()


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("2025-0001", {"nagel"}),  # reference
        ("2026-000", {"pct", "underscore", "ab", "lab", "closed"}),
        ("nagelstudio", {"nagel"}),  # title, any case
        ("marktplein", {"nagel"}),  # location
        ("voorbeeld", {"kwekerij"}),  # person name
        ("  Testmans ", {"pct"}),  # surrounding blanks ignored
        ("tuin", {"lab", "closed"}),
        ("niets dergelijks", set()),
    ],
)
def test_search(book, term, expected):
    cb, ids = book
    assert titles(cb, ids, search=term) == expected


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("100%", {"pct"}),
        ("%", {"pct"}),
        ("A_B", {"underscore"}),
        ("_", {"underscore"}),
        ("A%B", set()),
        ("/", set()),
        ("\\", set()),
    ],
)
def test_wildcards_are_literal(book, term, expected):
    cb, ids = book
    assert titles(cb, ids, search=term) == expected


def test_search_is_case_blind_beyond_ascii(book):
    cb, ids = book
    assert titles(cb, ids, search="élif") == {"underscore"}
    assert titles(cb, ids, search="ÖZTÜRK") == {"underscore"}


def test_search_combines_with_filters(book):
    cb, ids = book
    assert titles(cb, ids, search="tuin", open_only=True) == {"lab"}
    assert titles(cb, ids, search="tuin", status="CLOSED") == {"closed"}


def test_find_by_reference_and_years(book):
    cb, ids = book
    with cb.read() as s:
        assert [r.id for r in cases.find_by_reference(s, "2024-")] == [ids["kwekerij"]]
        assert cases.years(s) == [2026, 2025, 2024]


def test_demo_casebook_counts_agree(demo_cb):
    with demo_cb.read() as s:
        total = cases.count_cases(s)
        by_status = {
            code: cases.count_cases(s, CaseFilter(status=code))
            for code in ("NEW", "OPEN", "WAIT_INFO", "WAIT_CONSENT", "REFERRED", "ON_HOLD")
            + ("CLOSED", "REOPENED")
        }
        by_year = sum(cases.count_cases(s, CaseFilter(year=y)) for y in cases.years(s))
        open_only = cases.count_cases(s, CaseFilter(open_only=True))
    assert total > 0
    assert sum(by_status.values()) == total
    assert by_year == total
    assert open_only == total - by_status["CLOSED"]
