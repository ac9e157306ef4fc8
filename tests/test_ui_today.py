"""Today: each section shows the right rows with its count, keys move across sections,
Enter opens the case, and one key acts on the selected row."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from textual import events

from casebook.i18n import t
from casebook.models import ContactMoment, FollowUpStep
from casebook.services import deadlines, referrals
from screens.widgets.footer import KeyFooter
from screens.widgets.sections import SectionTable
from tests import servicekit as kit
from tests.uikit import (
    SIZE,
    TODAY,
    make_app,
    record_notices,
    screen_text,
    settle,
    table_rows,
)


@pytest.fixture
def board_cb(cb):
    """One case for each section of the board (and a closed case that shows nowhere)."""
    ids = {}
    ids["untriaged"] = kit.new_case(cb, title="Nieuw signaal kas")
    ids["overdue"] = kit.triaged_case(
        cb, title="Te laat stap", steps=[kit.step("ENRICH", TODAY - timedelta(days=3))]
    )
    ids["due_week"] = kit.triaged_case(
        cb, title="Deze week stap", steps=[kit.step("REPORT_POL", TODAY + timedelta(days=2))]
    )
    ids["referral"] = kit.triaged_case(
        cb, title="Wacht op opvang", steps=[kit.step("EVAL", TODAY + timedelta(days=60))]
    )
    with cb.write() as s:
        referrals.request_referral(
            s,
            ids["referral"],
            referrals.ReferralInput(
                shelter_type="COSM", requested_on=TODAY, reply_due_on=TODAY + timedelta(days=10)
            ),
            today=TODAY,
        )
    ids["deadline"] = kit.triaged_case(
        cb, title="Aangifte nadert", steps=[kit.step("EVAL", TODAY + timedelta(days=60))]
    )
    with cb.write() as s:
        # a call-back: no reminder step of its own (an aangifte date would add one to
        # "this week"), so the case shows in the deadlines section only
        deadlines.add_deadline(s, ids["deadline"], "CALLBACK", TODAY + timedelta(days=10))
    ids["no_next"] = kit.triaged_case(cb, title="Zonder vervolg")
    return cb, ids


def refs(cb, ids) -> dict[str, str]:
    return {name: kit.get_case(cb, case_id).reference for name, case_id in ids.items()}


async def test_each_section_shows_its_rows_and_count(board_cb):
    cb, ids = board_cb
    ref = refs(cb, ids)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen

        def refs_in(section):
            return [row[1] for row in table_rows(screen.query_one(f"#table-{section}"))]

        assert refs_in("untriaged") == [ref["untriaged"]]
        assert refs_in("overdue") == [ref["overdue"]]
        assert refs_in("due_week") == [ref["due_week"]]
        assert refs_in("referrals") == [ref["referral"]]
        assert refs_in("deadlines") == [ref["deadline"]]
        assert refs_in("no_next_step") == [ref["no_next"]]
        text = screen_text(app)
        assert "Nieuwe signalen, nog niet getriageerd (1)" in text
        assert "Stappen over tijd (1)" in text
        assert "Termijnen binnen 14 dagen en gemiste termijnen (1)" in text
        # words, not colour alone: the urgency of the triaged cases reads "hoog"
        overdue = table_rows(screen.query_one("#table-overdue"))[0]
        assert overdue[0] == "! hoog"
        assert overdue[3].startswith("Signaal verrijken")
        assert overdue[4] == "25-11-2026"


async def test_empty_board_says_nothing_is_waiting(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Stappen over tijd (0)" in text
        assert text.count("niets") == 6


async def test_j_k_and_arrows_move_across_sections(board_cb):
    cb, _ = board_cb
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.focused.id == "table-untriaged"
        await pilot.press("j")
        assert app.focused.id == "table-overdue"
        await pilot.press("down")
        assert app.focused.id == "table-due_week"
        await pilot.press("k")
        assert app.focused.id == "table-overdue"
        await pilot.press("up")
        assert app.focused.id == "table-untriaged"


async def test_enter_opens_the_case_of_the_row(board_cb):
    cb, ids = board_cb
    app = make_app(cb)
    opened = []
    app.open_case = opened.append
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        assert opened == [ids["overdue"]]


async def test_enter_pushes_the_case_screen(board_cb):
    cb, _ = board_cb
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "CaseScreen"
        # read before it is pushed: its data is there on the first paint
        case = app.screen.data.case
        assert case.reference in screen_text(app)
        assert t("case.loading") not in screen_text(app)


async def test_a_case_that_is_gone_is_refused_in_words(board_cb):
    """Opening a case that no longer exists (erased from another window) says so
    and stays on the board."""
    cb, _ = board_cb
    app = make_app(cb)
    shown = record_notices(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_case(999_999)
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
        assert [severity for _, severity in shown] == ["error"]


async def test_d_marks_the_step_done_with_its_result(board_cb):
    cb, ids = board_cb
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")  # the overdue step
        await pilot.press("d")
        await pilot.pause()
        assert type(app.screen).__name__ == "StepDoneModal"
        await pilot.press(*"BRP bekeken")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
        done = kit.steps_of(cb, ids["overdue"])[0]
        assert done.status == "DONE" and done.result == "BRP bekeken"
        assert done.done_on == TODAY
        # the board was read again: the step left "overdue", the case has no next step
        assert app.screen.query_one("#table-overdue", SectionTable).row_count == 0
        assert "Stappen over tijd (0)" in screen_text(app)
        assert "Open casussen zonder volgende stap (2)" in screen_text(app)


async def test_d_on_a_signal_row_is_refused(board_cb):
    cb, _ = board_cb
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await pilot.pause()
        # said in a notice that takes the keys typed next (not a toast beside them)
        assert type(app.screen).__name__ == "NoticeModal"
        await pilot.press("t", "escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "TodayScreen"


async def test_a_adds_a_step_and_invalid_input_stays(board_cb):
    cb, ids = board_cb
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(5):
            await pilot.press("j")
        assert app.focused.id == "table-no_next_step"
        await pilot.press("a")
        await pilot.pause()
        modal = app.screen
        assert type(modal).__name__ == "AddStepModal"
        modal.query_one("#step-type").value = "CASE_MEETING"
        await pilot.pause()
        # the type's usual date is filled in; typed over here
        assert modal.query_one("#due-on").value == "05-12-2026"
        modal.query_one("#due-on").value = ""
        modal.query_one("#due-on").focus()
        await pilot.press(*"31-02-2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        # refused beside the field; the modal stays with what was typed
        assert app.screen is modal
        assert modal.query_one("#field-due-on").has_class("-invalid")
        assert modal.query_one("#due-on").value == "31-02-2026"
        modal.query_one("#due-on").value = "02-12-2026"
        await pilot.press("f10")
        await settle(pilot)
        added = kit.steps_of(cb, ids["no_next"])
        assert [(s.step_type, s.due_on.isoformat()) for s in added] == [
            ("CASE_MEETING", "2026-12-02")
        ]
        assert "Stappen deze week (2)" in screen_text(app)


async def test_l_logs_a_contact(board_cb):
    cb, ids = board_cb
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "l")
        await pilot.pause()
        modal = app.screen
        assert type(modal).__name__ == "ContactModal"
        modal.query_one("#channel").value = "PHONE"
        modal.query_one("#counterpart").value = "REPORTER"
        modal.query_one("#summary").focus()
        await pilot.press(*"Melder gebeld")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    with cb.read() as s:
        contacts = list(s.exec(select(ContactMoment)))
    assert [(c.case_id, c.channel, c.counterpart_role, c.summary) for c in contacts] == [
        (ids["overdue"], "PHONE", "REPORTER", "Melder gebeld")
    ]


async def test_escape_in_a_modal_changes_nothing(board_cb):
    cb, ids = board_cb
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "d")
        await pilot.pause()
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    with cb.read() as s:
        assert s.exec(
            select(FollowUpStep.status).where(FollowUpStep.case_id == ids["overdue"])
        ).all() == ["OPEN"]


async def test_t_opens_triage_for_the_case(board_cb):
    cb, ids = board_cb
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await pilot.pause()
        assert type(app.screen).__name__ == "TriageScreen"
        assert app.screen.case_id == ids["untriaged"]


async def test_today_fits_80_by_24(demo_cb):
    app = make_app(demo_cb)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Nieuwe signalen" in text
        for table in app.screen.query(SectionTable):
            # the columns fit the width, the title keeps room to be read
            widths = table.widths(table.size.width)
            assert sum(widths) + 2 * len(widths) <= table.size.width
            assert widths[2] >= 12
        # the first row is on screen whole: reference, urgency word and date
        first = table_rows(app.screen.query_one("#table-untriaged", SectionTable))[0]
        line = next(line for line in text.splitlines() if first[1] in line)
        assert first[4] in line


async def test_the_footer_greys_out_what_the_row_does_not_allow(board_cb):
    cb, _ = board_cb
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        def enabled(key: str) -> bool:
            footer = app.screen.query_one(KeyFooter)
            return next(item.enabled for item in footer._items if item.key == key)

        assert app.focused.id == "table-untriaged"
        assert enabled("t") and not enabled("d")  # a signal is no step
        await pilot.press("j")
        await settle(pilot)
        assert enabled("d")  # an overdue step can be marked done
        await pilot.press("k")
        await settle(pilot)
        assert not enabled("d")


async def test_a_long_section_scrolls_within_its_window(demo_cb):
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#table-overdue", SectionTable)
        assert table.row_count > table.window
        table.focus()
        await pilot.pause()
        for _ in range(table.window + 2):
            await pilot.press("j")
        await pilot.pause()
        assert app.focused is table and table.cursor_row == table.window + 2
        # the cursor's row is on screen, and the heading says which rows are shown
        text = screen_text(app)
        reference = table_rows(table)[table.cursor_row][1]
        assert reference in text
        first, last = 4, table.window + 3
        assert f"{first}–{last}/{table.row_count}" in text


async def test_the_board_read_at_start_up_is_shown_and_r_reads_again(board_cb):
    """The app starts reading the board before Today exists and Today shows that
    read; `r` reads the casebook again."""
    cb, ids = board_cb
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert screen.loaded
        assert screen.query_one("#table-no_next_step", SectionTable).row_count == 1
        # a later reload reads the casebook again
        kit.triaged_case(cb, title="Nog een zonder vervolg")
        await pilot.press("r")
        await settle(pilot)
        assert screen.query_one("#table-no_next_step", SectionTable).row_count == 2


async def test_keys_typed_faster_than_the_screen_moves_on_still_count(board_cb):
    """A held `j` delivers keys before the focus has moved to the next section; each
    still moves the cursor one row on, across sections."""
    cb, ids = board_cb
    ref = refs(cb, ids)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(2):  # queued together, as a terminal delivers a burst of keys
            app.post_message(events.Key("j", "j"))
        await settle(pilot)
        assert app.focused.id == "table-due_week"
        assert app.screen.selected().reference == ref["due_week"]
