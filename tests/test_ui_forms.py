"""Issue 13: nothing the officer types is lost or lands in the wrong place.

What must be shown, each on a real casebook through the Pilot:
- every form kind (a case-file pop-up, a Today quick form, intake, triage, settings)
  with unsaved input asks on Escape, Ctrl+Q, F2, F3, F6 and the palette, and Enter
  keeps editing;
- a stale save keeps the typed text; a cancelled save (Escape while it waits for the
  casebook's lock) is never written;
- a sentence typed into the case file after a refused action changes nothing;
- a one-letter form is not saved untouched;
- a step is reopened, a referral's outcome corrected (the statistics follow), a
  handled deadline reopened; closure's "partner takes over" asks which partner;
- the cursor stays on the row acted on after `d`, and is on the new signal after an
  intake; `t` on a triaged case says so; Today's `d` names the step.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from casebook import statistics
from casebook.models import Deadline, FollowUpStep, Referral
from casebook.services import deadlines, referrals
from screens.case_screen import CaseScreen
from screens.form_base import FormBase
from screens.widgets.confirm import ConfirmModal
from screens.widgets.notice import NoticeModal
from tests import servicekit as kit
from tests.caseui import case_app, choose, settle, type_text
from tests.servicekit import TODAY, steps_of, triaged_case
from tests.uikit import SIZE, make_app, palette_answered, wait_until

LEAVE_KEYS = ["escape", "ctrl+q", "f2", "f3", "f6", "palette"]


def form_on_top(app):
    return app.screen if isinstance(app.screen, FormBase) else None


async def press_leave(pilot, key: str) -> None:
    if key == "palette":  # the command palette's "Screen: Cases"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Casussen")
        await palette_answered(pilot)
        await pilot.press("down", "enter")
    else:
        await pilot.press(key)
    await settle(pilot)


async def assert_every_way_out_asks(pilot, form, typed, *, must_ask) -> None:
    """Each way out with unsaved input asks, and Enter on the question keeps the form
    and its input. A key that does not reach the form's way out (in a TextArea F6
    selects a line) leaves the form as it was; the keys in `must_ask` have to ask."""
    app = pilot.app
    for key in LEAVE_KEYS:
        await press_leave(pilot, key)
        asked = isinstance(app.screen, ConfirmModal)
        if asked:
            await pilot.press("enter")  # the default answer
            await settle(pilot)
        assert asked or key not in must_ask, key
        assert app.screen is form, key
        assert typed(), key
        assert app.is_running


async def test_a_case_file_pop_up_asks_before_its_input_is_lost(cb):
    case_id = triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("c")  # contact moment: the summary has the focus
        await settle(pilot)
        form = form_on_top(app)
        await type_text(pilot, "Gebeld met de melder")
        summary = form.query_one("#contact-summary")
        await assert_every_way_out_asks(
            pilot,
            form,
            lambda: "Gebeld met de melder" in summary.text,
            must_ask={"escape", "ctrl+q", "f2", "f3", "palette"},
        )
        # the other answer, chosen on purpose, discards
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    assert kit.row_counts(cb)["contact_moment"] == 0


async def test_a_today_quick_form_asks_before_its_input_is_lost(cb):
    triaged_case(cb, title="Te laat", steps=[kit.step("ENRICH", TODAY - timedelta(days=3))])
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.screen.loaded)
        await pilot.press("l")
        await settle(pilot)
        form = form_on_top(app)
        summary = form.query_one("#summary")
        summary.focus()
        await pilot.pause()
        await type_text(pilot, "Teruggebeld")
        await assert_every_way_out_asks(
            pilot,
            form,
            lambda: "Teruggebeld" in summary.text,
            must_ask={"escape", "ctrl+q", "f2", "f3", "palette"},
        )


async def test_intake_asks_on_every_way_out_and_a_second_ctrl_n_too(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = form_on_top(app)
        title = form.query_one("#title")
        title.focus()
        await pilot.pause()
        await type_text(pilot, "Half ingevuld")
        await assert_every_way_out_asks(
            pilot, form, lambda: title.value == "Half ingevuld", must_ask=set(LEAVE_KEYS)
        )
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is form and title.value == "Half ingevuld"
        assert sum(type(s).__name__ == "IntakeScreen" for s in app.screen_stack) == 1


async def test_triage_and_settings_ask_on_every_way_out(cb):
    kit.new_case(cb)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.screen.loaded)
        await pilot.press("t")
        await settle(pilot)
        form = form_on_top(app)
        note = form.query_one("#route-note")
        note.focus()
        await pilot.pause()
        await type_text(pilot, "Eerst overleggen")
        await assert_every_way_out_asks(
            pilot,
            form,
            lambda: "Eerst overleggen" in note.text,
            must_ask={"escape", "ctrl+q", "f2", "f3", "palette"},  # F6 is the TextArea's
        )
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        form = form_on_top(app)
        officer = form.query_one("#officer")
        officer.focus()
        await pilot.pause()
        await type_text(pilot, "J. Jansen")
        await assert_every_way_out_asks(
            pilot, form, lambda: officer.value == "J. Jansen", must_ask=set(LEAVE_KEYS)
        )


async def test_a_stale_save_keeps_what_was_typed(cb):
    case_id = triaged_case(cb, steps=[kit.step("ENRICH", due_on=TODAY)])
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        form = form_on_top(app)
        step_id = steps_of(cb, case_id)[0].id
        with cb.write() as s:  # meanwhile, in another window
            from casebook.services import steps

            steps.reschedule_step(s, step_id, date(2026, 12, 24))
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "01-12-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#step-new-due").value == "01-12-2026"
    assert steps_of(cb, case_id)[0].due_on == date(2026, 12, 24)


async def test_escape_while_a_save_waits_for_the_lock_cancels_it(cb):
    case_id = triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        form = form_on_top(app)
        await choose(pilot, "Verrijken")
        await pilot.press("tab", "tab")
        await type_text(pilot, "Wacht op het slot")
        other = sqlite3.connect(cb.path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another window holds the write lock
        try:
            await pilot.press("ctrl+s")
            for _ in range(300):  # until the save is under way (not settle: it waits)
                if form._saving:
                    break
                await pilot.pause(0.01)
            assert form._saving
            await pilot.press("escape")
            await pilot.pause()
        finally:
            other.execute("ROLLBACK")
            other.close()
        await settle(pilot)
        assert app.screen is form  # the input is still there
    assert steps_of(cb, case_id) == []


async def test_a_sentence_typed_after_a_refused_action_changes_nothing(cb):
    case_id = triaged_case(cb, steps=[kit.step("ENRICH", due_on=TODAY)])
    step_id = steps_of(cb, case_id)[0].id
    with cb.write() as s:
        from casebook.services import steps

        steps.complete_step(s, step_id, result="Gedaan", done_on=TODAY)
    before = (kit.row_counts(cb), kit.events(cb, case_id))
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+home", "d")  # the step is settled: refused
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        await type_text(pilot, "Gemeld bij politie (zeden)")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        # a key greyed out here (x on the signals tab) is refused the same way
        await pilot.press("1", "x")
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        await type_text(pilot, "bedenktijd")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    assert (kit.row_counts(cb), kit.events(cb, case_id)) == before


async def test_a_form_opened_by_one_letter_is_not_saved_untouched(cb):
    case_id = triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("b")  # the deadline form opens with a bedenktijd from today
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    with cb.read() as s:
        assert s.exec(select(Deadline)).all() == []


async def test_a_done_step_is_reopened_and_the_timeline_says_so(cb):
    case_id = triaged_case(cb, steps=[kit.step("ENRICH", due_on=TODAY)])
    step_id = steps_of(cb, case_id)[0].id
    with cb.write() as s:
        from casebook.services import steps

        steps.complete_step(s, step_id, result="Per ongeluk", done_on=TODAY)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+home", "e")
        await settle(pilot)
        await choose(pilot, "Weer open")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    step = steps_of(cb, case_id)[0]
    assert (step.status, step.done_on, step.result) == ("OPEN", None, "")
    assert "step.reopened" in kit.events(cb, case_id)


async def test_a_referral_outcome_is_corrected_and_the_statistics_follow(cb):
    case_id = triaged_case(cb)
    with cb.write() as s:
        referral = referrals.request_referral(
            s, case_id, referrals.ReferralInput(shelter_type="VO", requested_on=TODAY)
        )
        referrals.set_referral_status(s, referral.id, "REFUSED", on=TODAY)

    def by_status():
        with cb.read() as s:
            table = statistics.compute(s, TODAY.year, protect_figures=False)
        found = next(tb for tb in table.tables if tb.id == "referrals_by_status")
        return {c.code: c.value for c in found.cells}

    assert (by_status()["REFUSED"], by_status()["PLACED"]) == (1, 0)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("4", "u")  # refused is final: `u` corrects it
        await settle(pilot)
        await choose(pilot, "Geplaatst")
        await pilot.press("tab", "tab")  # requested on, then placed on
        await type_text(pilot, "28-11-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    with cb.read() as s:
        fixed = s.exec(select(Referral)).one()
    assert (fixed.status, fixed.placed_on, fixed.refused_on) == ("PLACED", TODAY, None)
    assert "referral.corrected" in kit.events(cb, case_id)
    assert (by_status()["REFUSED"], by_status()["PLACED"]) == (0, 1)


async def test_a_handled_deadline_is_reopened_and_enter_does_not_do_it(cb):
    case_id = triaged_case(cb)
    with cb.write() as s:
        deadline = deadlines.add_deadline(s, case_id, "AANGIFTE", TODAY + timedelta(days=5))
        deadlines.mark_done(s, deadline.id)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("7", "d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("enter")  # the default: leave it as it is
        await settle(pilot)
        with cb.read() as s:
            assert s.exec(select(Deadline)).one().done
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("j")  # no letter answers this question
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("tab", "enter")  # "Open again", on purpose
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    with cb.read() as s:
        assert not s.exec(select(Deadline)).one().done
    assert kit.events(cb, case_id).count("field.changed") >= 2


async def test_the_cursor_stays_on_the_step_after_d(cb):
    case_id = triaged_case(
        cb,
        steps=[
            kit.step("ENRICH", due_on=TODAY),
            kit.step("CONSULT_ZC", due_on=TODAY + timedelta(days=1)),
            kit.step("FEEDBACK", due_on=TODAY + timedelta(days=2)),
        ],
    )
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+home", "j")
        assert app.screen.selected().step_type == "CONSULT_ZC"
        await pilot.press("d")
        await settle(pilot)
        await type_text(pilot, "Overlegd")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        # the list re-sorted (open steps first), the cursor went with the step
        chosen = app.screen.selected()
        assert (chosen.step_type, chosen.status) == ("CONSULT_ZC", "DONE")


async def test_after_an_intake_todays_cursor_is_on_the_new_signal(cb):
    kit.new_case(cb, title="Ouder signaal")
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.screen.loaded)
        await pilot.press("ctrl+n")
        await settle(pilot)
        intake = app.screen
        intake.query_one("#channel").focus()
        await pilot.pause()
        await choose(pilot, "Telefoon")
        intake.query_one("#source-role").focus()
        await pilot.pause()
        await choose(pilot, "Politie")
        intake.query_one("#title").focus()
        await pilot.pause()
        await type_text(pilot, "Nieuw binnen")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TodayScreen")
        await settle(pilot)
        row = app.screen.selected()
        assert row is not None and row.title == "Nieuw binnen"


async def test_t_on_a_triaged_case_says_so_and_todays_d_names_the_step(cb):
    triaged_case(cb, title="Al getrieerd", steps=[kit.step("ENRICH", TODAY - timedelta(days=2))])
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.screen.loaded)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        assert "al getrieerd" in app.screen.message
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        hint = str(app.screen.query_one(".form-hint").render())
        assert "Verrijken" in hint or "Stap:" in hint


async def test_closure_partner_takes_over_asks_which_partner(cb):
    case_id = triaged_case(cb, steps=[kit.step("ENRICH", due_on=TODAY)])
    partner = kit.organisation_id(cb, "POL_AVIM")
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        carry = form_on_top(app)
        assert type(carry).__name__ == "CarryModal"
        await pilot.press("ctrl+s")  # no partner chosen: nothing happens
        await settle(pilot)
        assert steps_of(cb, case_id)[0].status == "OPEN"
        if isinstance(app.screen, NoticeModal):
            await pilot.press("escape")
            await settle(pilot)
        await choose(pilot, "Politie")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "ClosureModal"
    step = steps_of(cb, case_id)[0]
    assert (step.status, step.organisation_id) == ("CARRIED", partner)


@pytest.mark.parametrize("theme", ["textual-dark", "casebook-high-contrast"])
def test_snapshot_a_pop_up_form_with_a_focused_select(snap_compare, cb, theme):
    case_id = triaged_case(cb)

    async def open_form(pilot):
        await settle(pilot)
        pilot.app.theme = theme
        await pilot.press("s")  # the step form: its type Select has the focus
        await settle(pilot)

    app = case_app(cb, case_id)
    assert snap_compare(app, terminal_size=(100, 32), run_before=open_form)


def test_what_holds_a_case_open_and_how_it_is_settled_is_the_cores(cb):
    case_id = triaged_case(cb, steps=[kit.step("ENRICH", due_on=TODAY)])
    with cb.write() as s:
        from casebook.services import closure

        version, open_steps, _ = closure.open_records(s, case_id)
        closure.settle_item(s, open_steps[0], "carry")
    with cb.read() as s:
        assert s.exec(select(FollowUpStep)).one().status == "CARRIED"


# -- the one door -----------------------------------------------------------------------

SCREENS = Path(__file__).resolve().parent.parent / "screens"
TRANSACTION = re.compile(r"\bcasebook\s*\.\s*(read|write)\s*\(")


def test_no_screen_opens_a_transaction_except_through_the_door():
    found = []
    for path in sorted(SCREENS.rglob("*.py")):
        if path.name == "door.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if TRANSACTION.search(line) or re.search(r"\bwith\s+\S*\.(read|write)\(\)", line):
                found.append(f"{path.name}:{n}: {line.strip()}")
    assert found == []


@pytest.fixture
def write_threads(cb):
    """The thread of every write transaction the app opens on `cb`."""
    seen: list[bool] = []
    original = cb.write

    def recording():
        seen.append(threading.current_thread() is threading.main_thread())
        return original()

    cb.write = recording
    yield seen
    cb.write = original


async def test_no_database_write_runs_on_the_ui_thread(cb, write_threads):
    case_id = triaged_case(cb, steps=[kit.step("ENRICH", due_on=TODAY - timedelta(days=1))])
    with cb.write() as s:
        deadlines.add_deadline(s, case_id, "AANGIFTE", TODAY + timedelta(days=5))
    write_threads.clear()
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.screen.loaded)
        # a Today quick form: the overdue step done
        await pilot.press("d")
        await settle(pilot)
        await type_text(pilot, "Gebeld")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
        # an intake, then its triage
        await pilot.press("ctrl+n")
        await settle(pilot)
        intake = app.screen
        for field, search in (("#channel", "Telefoon"), ("#source-role", "Politie")):
            intake.query_one(field).focus()
            await pilot.pause()
            await choose(pilot, search)
        intake.query_one("#title").focus()
        await type_text(pilot, "Via de deur")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TodayScreen")
        # settings
        await pilot.press("f9")
        await settle(pilot)
        app.screen.query_one("#officer").focus()
        await type_text(pilot, "A. Ambtenaar")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # the case file: a deadline handled with one key, a step added in a pop-up
        await pilot.press("f2")
        await settle(pilot)
        app.open_case(case_id)
        await settle(pilot)
        await pilot.press("7", "d")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await choose(pilot, "Verrijken")
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert len(write_threads) >= 5
    assert not any(write_threads), write_threads
