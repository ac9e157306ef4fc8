"""The Today board on a casebook built here, through the services, with a stopped clock:
each of the six sections holds exactly the rows it should, and closed cases never show."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import select

from casebook.dates import add_months, frozen, to_local
from casebook.models import Case, FollowUpStep, Referral
from casebook.services import (
    closure,
    deadlines,
    intake,
    referrals,
    steps,
    today,
    triage,
)
from tests.servicekit import TODAY, step

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
D = TODAY


def day(offset: int) -> date:
    return D + timedelta(days=offset)


class Book:
    """Builds cases with given titles and remembers their ids by title."""

    def __init__(self, cb):
        self.cb = cb
        self.ids: dict[str, int] = {}
        self.refs: dict[str, str] = {}

    def case(self, title, *, received=None, triage_steps=None, route="CARE", urgency="HIGH"):
        received = received or day(-3)
        with self.cb.write() as s:
            case, sig = intake.record_signal(
                s,
                intake.SignalInput(
                    received_on=received,
                    channel="PHONE",
                    source_role="POL",
                    title=title,
                    persons=[intake.PersonInput(role="VICTIM")],
                ),
                today=D,
            )
            self.ids[title], self.refs[title] = case.id, case.reference
            if triage_steps is not None:
                triage.triage_case(
                    s,
                    case.id,
                    triage.TriageInput(
                        urgency=urgency,
                        exploitation_types=["SEX"],
                        route=route,
                        steps=list(triage_steps),
                    ),
                )
            return case.id, sig.id


def build(cb):
    """The casebook of these tests, and for every section the rows it must hold as
    (title, code, date) — plus the entity ids where they matter."""
    book = Book(cb)
    with frozen(NOW):
        # untriaged: two new cases, and a second signal on an already triaged case
        _, sig_new1 = book.case("Nieuw 1", received=day(-1))
        _, sig_new2 = book.case("Nieuw 2", received=day(-10))
        triaged_id, _ = book.case("Getrieerd", triage_steps=[step("EVAL", day(30))])
        with cb.write() as s:
            _, sig_late = intake.record_signal(
                s,
                intake.SignalInput(received_on=day(0), channel="EMAIL", source_role="ZORGCO"),
                case_id=triaged_id,
                today=D,
            )
            sig_late = sig_late.id

        # steps: overdue, due within the week (today .. today+7), later, undated, done
        steps_id, _ = book.case(
            "Stappen",
            triage_steps=[
                step("ENRICH", day(-8)),
                step("CONSULT_ZC", day(-1)),
                step("REPORT_POL", day(0)),
                step("LEGAL", day(7)),
                step("ADMIN", day(8)),
                step("FEEDBACK"),
                step("INTERPRETER", day(-5)),
                step("WMO_JW", day(2)),
            ],
        )
        with cb.write() as s:
            by_type = {st.step_type: st.id for st in s.exec(select(FollowUpStep))}
            steps.complete_step(s, by_type["INTERPRETER"], done_on=day(-5))
            steps.cancel_step(s, by_type["WMO_JW"])

        # referrals: one waiting with a reply date, one without, one placed, one refused
        ref_id, _ = book.case("Opvang", triage_steps=[])
        with cb.write() as s:
            waiting = referrals.request_referral(
                s,
                ref_id,
                referrals.ReferralInput(
                    shelter_type="COSM", requested_on=day(-4), reply_due_on=day(3)
                ),
                today=D,
            ).id
            undated = referrals.request_referral(
                s,
                ref_id,
                referrals.ReferralInput(shelter_type="MO", requested_on=day(-6)),
                today=D,
            ).id
            placed = referrals.request_referral(
                s,
                ref_id,
                referrals.ReferralInput(
                    shelter_type="NOODBED", requested_on=day(-9), reply_due_on=day(-7)
                ),
                today=D,
            ).id
            referrals.set_referral_status(s, placed, "PLACED", on=day(-8))
            refused = referrals.request_referral(
                s,
                ref_id,
                referrals.ReferralInput(
                    shelter_type="VO", requested_on=day(-9), reply_due_on=day(1)
                ),
                today=D,
            ).id
            referrals.set_referral_status(s, refused, "REFUSED", on=day(-2))

        # deadlines: a bedenktijd ending in 7 days, a call-back in 14 and one in 15,
        # one already marked done (its reminder step, due today, stays), one that passed
        # yesterday (missed: it stays until handled)
        dl_id, _ = book.case("Termijnen", triage_steps=[])
        with cb.write() as s:
            bt = deadlines.set_bedenktijd(s, dl_id, add_months(day(7), -3)).id
            cb14 = deadlines.add_deadline(s, dl_id, "CALLBACK", day(14)).id
            deadlines.add_deadline(s, dl_id, "CALLBACK", day(15))
            done = deadlines.add_deadline(s, dl_id, "AANGIFTE", day(3)).id
            deadlines.mark_done(s, done)
            missed = deadlines.add_deadline(s, dl_id, "OTHER", day(-1)).id

        # open cases with no open step: triaged without steps, and all steps done
        # ("Termijnen" has the bedenktijd reminder, "Opvang" its waiting steps)
        book.case("Zonder stap", triage_steps=[])
        done_id, _ = book.case("Alles gedaan", triage_steps=[step("ENRICH", day(-2))])
        with cb.write() as s:
            only = s.exec(select(FollowUpStep).where(FollowUpStep.case_id == done_id)).one()
            steps.complete_step(s, only.id, done_on=day(-1))

        # closed cases, which hold every kind of item the board could show
        closed_new, _ = book.case("Dicht nieuw", received=day(-2))
        with cb.write() as s:
            closure.close_case(s, closed_new, outcome="NO_TH", closed_on=D)
            # an open deadline left on a closed case (an imported file): never shown
            from casebook.models import Deadline

            s.add(Deadline(case_id=closed_new, kind="CALLBACK", due_on=day(2)))
        closed_triaged, _ = book.case("Dicht getrieerd", triage_steps=[])
        with cb.write() as s:
            closure.close_case(s, closed_triaged, outcome="INSUFF", closed_on=D)

    expected = {
        "untriaged": [
            ("Nieuw 2", "PHONE", day(-10), sig_new2),
            ("Nieuw 1", "PHONE", day(-1), sig_new1),
            ("Getrieerd", "EMAIL", day(0), sig_late),
        ],
        "overdue": [
            ("Stappen", "ENRICH", day(-8), by_type["ENRICH"]),
            ("Termijnen", "DEADLINE", day(-7), None),  # bedenktijd reminder, 14 days before
            ("Stappen", "CONSULT_ZC", day(-1), by_type["CONSULT_ZC"]),
        ],
        "due_week": [
            ("Stappen", "REPORT_POL", day(0), by_type["REPORT_POL"]),
            ("Termijnen", "DEADLINE", day(0), None),  # aangifte reminder, at the latest today
            # the step waiting for the COSM reply is not listed: its referral is
            ("Stappen", "LEGAL", day(7), by_type["LEGAL"]),
        ],
        "referrals": [
            ("Opvang", "COSM", day(3), waiting),
            ("Opvang", "MO", day(-6), undated),  # no reply date: shown by request date
        ],
        "deadlines": [
            ("Termijnen", "OTHER", day(-1), missed),
            ("Termijnen", "BEDENKTIJD", day(7), bt),
            ("Termijnen", "CALLBACK", day(14), cb14),
        ],
        "no_next_step": [
            ("Alles gedaan", "REFERRAL", to_local(NOW).date(), done_id),
            ("Zonder stap", "REFERRAL", to_local(NOW).date(), book.ids["Zonder stap"]),
        ],
    }
    return book, expected


def rows_of(section, book):
    titles = {v: k for k, v in book.ids.items()}
    out = []
    for row in section.rows:
        assert row.title == titles[row.case_id]
        assert row.reference == book.refs[row.title]
        out.append((row.title, row.code, row.on, row.entity_id))
    return out


def check(expected_rows, got_rows):
    """Compare, ignoring the entity id where the expectation leaves it open."""
    assert len(got_rows) == len(expected_rows)
    for exp, got in zip(expected_rows, got_rows, strict=True):
        if exp[3] is None:
            assert exp[:3] == got[:3]
        else:
            assert exp == got


@pytest.fixture
def prepared(cb):
    book, expected = build(cb)
    return cb, book, expected


def test_board_has_six_sections_in_order(prepared):
    cb, _, _ = prepared
    with cb.read() as s:
        board = today.board(s, D)
    assert [sec.name for sec in board] == list(today.SECTIONS)


def test_each_section_holds_exactly_the_expected_rows(prepared):
    cb, book, expected = prepared
    with cb.read() as s:
        board = {sec.name: sec for sec in today.board(s, D)}
    for name in ("untriaged", "overdue", "due_week", "referrals", "deadlines"):
        section = board[name]
        check(expected[name], rows_of(section, book))
        assert section.count == len(expected[name]), name
    # the no-next-step cases share one updated_at (the clock was stopped): order by title
    section = board["no_next_step"]
    assert sorted(rows_of(section, book)) == expected["no_next_step"]
    assert section.count == 2


def test_rows_carry_the_case_urgency(prepared):
    cb, book, _ = prepared
    with cb.read() as s:
        board = {sec.name: sec for sec in today.board(s, D)}
    assert {r.urgency for r in board["overdue"].rows} == {"HIGH"}
    assert {r.urgency for r in board["untriaged"].rows if r.title.startswith("Nieuw")} == {None}


def test_closed_cases_never_appear(prepared):
    cb, book, _ = prepared
    closed = {book.ids["Dicht nieuw"], book.ids["Dicht getrieerd"]}
    with cb.read() as s:
        board = today.board(s, D)
    assert not [r for sec in board for r in sec.rows if r.case_id in closed]


def test_closed_case_with_leftover_open_work_stays_off_the_board(prepared):
    """A file that came in by import (or an older version) may hold a closed case with
    an open step or a referral still marked requested: the board must not show it."""
    cb, book, _ = prepared
    with cb.read() as s:
        before = {sec.name: (sec.count, len(sec.rows)) for sec in today.board(s, D)}
    opvang = book.ids["Opvang"]
    stappen = book.ids["Stappen"]
    with cb.write() as s:
        s.exec(
            update(Case)
            .where(Case.id.in_([opvang, stappen]))
            .values(status="CLOSED", phase="CLOSURE", closure_outcome="LOST", closed_on=D)
        )
    with cb.read() as s:
        board = {sec.name: sec for sec in today.board(s, D)}
        requested = select(Referral).where(
            Referral.case_id == opvang, Referral.status == "REQUESTED"
        )
        assert len(s.exec(requested).all()) == 2
    for sec in board.values():
        assert not [r for r in sec.rows if r.case_id in (opvang, stappen)], sec.name
        assert sec.count == len(sec.rows), sec.name
    assert board["referrals"].count == 0
    assert board["overdue"].count == before["overdue"][0] - 2
    # only the aangifte reminder of "Termijnen" (an open case) is left this week
    assert [r.title for r in board["due_week"].rows] == ["Termijnen"]


def test_the_week_and_the_fortnight_move_with_today(prepared):
    cb, book, _ = prepared
    with cb.read() as s:
        later = {sec.name: sec for sec in today.board(s, day(1))}
    # REPORT_POL (due today) is overdue tomorrow; ADMIN (today+8) comes into the week
    assert "REPORT_POL" in [r.code for r in later["overdue"].rows[-2:]]
    assert "ADMIN" in [r.code for r in later["due_week"].rows]
    # the call-back at today+15 is now within 14 days
    assert [r.on for r in later["deadlines"].rows] == [day(-1), day(7), day(14), day(15)]


def test_empty_casebook_has_empty_sections(cb):
    with cb.read() as s:
        board = today.board(s, D)
    assert [(sec.name, sec.count, sec.rows) for sec in board] == [
        (name, 0, []) for name in today.SECTIONS
    ]


def test_sections_are_bounded_but_count_everything(cb, monkeypatch):
    monkeypatch.setattr(today, "SECTION_LIMIT", 3)
    book = Book(cb)
    with frozen(NOW):
        for i in range(5):
            book.case(f"Nieuw {i}", received=day(-i))
    with cb.read() as s:
        section = today.untriaged(s)
    assert section.count == 5
    assert [r.title for r in section.rows] == ["Nieuw 4", "Nieuw 3", "Nieuw 2"]


@pytest.fixture
def amsterdam(monkeypatch):
    """Local time one hour ahead of UTC in winter: the hour where dates differ."""
    import time

    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset (POSIX)")
    monkeypatch.setenv("TZ", "Europe/Amsterdam")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_no_next_step_date_is_the_local_day(cb, amsterdam):
    book = Book(cb)
    just_after_midnight = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # 28-11 00:30 local
    with frozen(just_after_midnight):
        book.case("Zonder stap", triage_steps=[])
    with cb.read() as s:
        (row,) = today.without_next_step(s).rows
    assert row.on == date(2026, 11, 28)


def test_deadline_section_looks_ahead_and_drops_done_ones(cb):
    book = Book(cb)
    with frozen(NOW):
        case_id, _ = book.case("Terugbellen", triage_steps=[step("EVAL", day(30))])
        with cb.write() as s:
            missed = deadlines.add_deadline(s, case_id, "CALLBACK", day(-3)).id
            passed = deadlines.add_deadline(s, case_id, "AANGIFTE", day(-2)).id  # missed
            today_id = deadlines.add_deadline(s, case_id, "CALLBACK", day(0)).id
            coming = deadlines.add_deadline(s, case_id, "AANGIFTE", day(2)).id
    with cb.read() as s:
        section = today.deadlines_near(s, D)
    # a missed call-back or aangifte date stays until it is marked done
    assert [(r.entity_id, r.on, r.missed) for r in section.rows] == [
        (missed, day(-3), True),
        (passed, day(-2), True),
        (today_id, day(0), False),
        (coming, day(2), False),
    ]
    assert section.count == 4
    with cb.write() as s:
        deadlines.mark_done(s, today_id)
        deadlines.mark_done(s, missed)
        deadlines.cancel_deadline(s, passed, reason="aangifte niet doorgegaan")
    with cb.read() as s:
        section = today.deadlines_near(s, D)
    assert [r.entity_id for r in section.rows] == [coming]


def test_stored_codes_are_those_of_the_models():
    from casebook import models

    assert today.STEP_OPEN == models.STEP_OPEN
    assert models.Referral.model_fields["status"].default == today.REFERRAL_REQUESTED


def as_tuples(board):
    return [(sec.name, sec.count, sec.rows) for sec in board]


def test_board_on_a_bare_connection_is_the_board_on_a_session(prepared):
    """The `stats`-style path: a stdlib connection, no Session. Same rows, same types;
    the board's own transaction is closed again."""
    from casebook.db import open_readonly_connection

    cb, _, _ = prepared
    with cb.read() as s:
        via_session = as_tuples(today.board(s, D))
    conn = open_readonly_connection(cb.path)
    try:
        via_conn = as_tuples(today.board(conn, D))
        assert not conn.in_transaction
    finally:
        conn.close()
    assert via_conn == via_session
    rows = [r for _, _, rows in via_conn for r in rows]
    assert rows and all(type(r.on) is date for r in rows)


def test_board_sees_what_the_session_has_not_yet_flushed(cb):
    """Pending changes of the Session count: it is flushed before the plain SQL."""
    book = Book(cb)
    with frozen(NOW):
        case_id, _ = book.case("Stap in de sessie", triage_steps=[])
    with frozen(NOW), cb.write() as s:
        assert today.overdue(s, D).count == 0
        s.add(FollowUpStep(case_id=case_id, step_type="ENRICH", due_on=day(-2)))
        (row,) = today.board(s, D)[1].rows
    assert (row.case_id, row.code, row.on) == (case_id, "ENRICH", day(-2))


def test_a_driver_error_through_the_session_is_a_storage_error(cb):
    """A damaged or missing table is reported as the other reads report it (a
    StorageError from `Casebook.read()`), not as a raw sqlite3 error."""
    from casebook.errors import StorageError

    with cb.write() as s:
        s.connection().exec_driver_sql("DROP TABLE deadline")
    with pytest.raises(StorageError), cb.read() as s:
        today.board(s, D)
