"""The issue's four cases, walked through the real App as far as the case file's own
duties go: the location in the header, the full signal view and its correction; the
minor flag on Today, in the case list and the header, and the mismatch with the minor
indicator at triage; the exploitation type pre-selected from the indicators; deadlines
in the closing dialog and settled there; the missed aangifte on Today a day after its
date; the B8 warning for a Dutch national; a youth-care referral's own reply step shown
once on Today; a placement date in the future refused beside its field.

Intake goes through its service (its screen has its own tests); what follows is done
by keyboard, asserting what the screen shows."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from casebook.clock import frozen
from casebook.models import Deadline, FollowUpStep, Referral
from casebook.services import closure, deadlines, intake, referrals, triage
from screens.case_screen import CaseScreen
from tests import servicekit as kit
from tests.uikit import SIZE, choose, make_app, screen_text, settle, type_text, wait_until

TODAY = kit.TODAY  # 28-11-2026, the suite's clock


def record(cb, **fields) -> int:
    data = intake.SignalInput(
        received_on=fields.pop("received_on", TODAY),
        channel=fields.pop("channel", "PHONE"),
        source_role=fields.pop("source_role", "POL"),
        **fields,
    )
    with cb.write() as s:
        case, _ = intake.record_signal(s, data, today=TODAY)
    return case.id


def summary(app) -> str:
    return str(app.screen.query_one("#case-summary").render())


async def open_case(pilot, case_id: int) -> CaseScreen:
    app = pilot.app
    app.push_screen(CaseScreen(case_id))
    assert await wait_until(pilot, lambda: getattr(app.screen, "data", None) is not None)
    return app.screen


# -- 1. a house where 14 labour migrants are registered ------------------------------


async def test_location_case_shows_its_location_everywhere(cb):
    case_id = record(
        cb,
        subject_type="LOCATION",
        title="Woning met 14 ingeschreven arbeidsmigranten",
        location="Populierenlaan 3, Beekveld",
        source_role="GEM_BRP",
        reporter_contact="Burgerzaken, toestel 1234",
        observed="14 personen ingeschreven op één adres, via hetzelfde uitzendbureau.",
        indicators=["GEN_HOUSING", "LAB_RECRUIT"],
    )
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # triage: the indicators pre-select labour exploitation
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert type(screen).__name__ == "TriageScreen"
        assert list(screen.query_one("#exploitation").selected) == ["LAB"]
        assert "voorgeselecteerd" in screen_text(app)
        await choose(pilot, screen.query_one("#route"), "Zorgroute")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"

        screen = await open_case(pilot, case_id)
        text = summary(app)
        assert "Locatie: Populierenlaan 3, Beekveld" in text
        assert "Urgentie:" in text and "Fase:" in text and "Status:" in text
        assert "MINDERJARIG" not in text

        # the full signal view: every recorded field, reporter and location included
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shown = screen_text(app)
        for expected in (
            "Melder anoniem",
            "Contactgegevens melder",
            "Burgerzaken, toestel 1234",
            "Locatie / adres",
            "Populierenlaan 3, Beekveld",
        ):
            assert expected in shown, expected
        await pilot.press("escape")
        await settle(pilot)

        # the correction form shows the location and corrects it
        await pilot.press("e")
        await settle(pilot)
        field = app.screen.query_one("#signal-location")
        assert field.value == "Populierenlaan 3, Beekveld"
        field.focus()
        await pilot.press("end", "backspace")
        await type_text(pilot, "5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert await wait_until(pilot, lambda: "Populierenlaan 3, Beekvel5" in summary(app))
    case = kit.get_case(cb, case_id)
    assert case.location == "Populierenlaan 3, Beekvel5"
    events = [(h.event, h.field_name) for h in kit.history(cb, case_id)]
    assert ("field.changed", "location") in events


# -- 2. a 16-year-old groomed for sexual exploitation -----------------------------------


async def test_minor_is_flagged_on_today_in_the_list_and_the_header(cb):
    case_id = record(
        cb,
        title="Meisje wordt opgehaald bij school",
        source_role="SCHOOL",
        observed="Wordt na school opgewacht door oudere mannen; veel nieuwe spullen.",
        indicators=["SEX_OLDER", "SEX_LOOK"],  # the minor indicator not ticked
        persons=[intake.PersonInput(role="VICTIM", name="Noor Fictief", birth_year=2010)],
    )
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # Today: the untriaged row carries the minor mark
        row = next(line for line in screen_text(app).splitlines() if "Meisje wordt" in line)
        assert "<18 Meisje wordt opgehaald" in row
        # triage: minor, and the indicator that says otherwise is pointed out
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        warning = str(screen.query_one("#minor-warning").render())
        assert "MINDERJARIG" in warning
        assert "niet aangevinkt" in warning
        assert list(screen.query_one("#exploitation").selected) == ["SEX"]
        await choose(pilot, screen.query_one("#route"), "Zorgroute")
        await pilot.press("ctrl+s")
        await settle(pilot)

        # the case list
        await pilot.press("f3")
        await settle(pilot)
        row = next(line for line in screen_text(app).splitlines() if "Meisje wordt" in line)
        assert "<18 Meisje wordt" in row

        # the header: subject, the flag, the mismatch
        screen = await open_case(pilot, case_id)
        text = summary(app)
        assert "Betrokkene: Noor Fictief" in text
        assert "MINDERJARIG" in text
        assert "de indicator 'minderjarig' is niet aangevinkt" in text

        # a youth-care referral: its reply step is its own kind, shown once on Today
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("tab")
        await choose(pilot, app.screen.query_one("#ref-type"), "Gespecialiseerde jeugdhulp")
        app.screen.query_one("#ref-reply-due").focus()
        await type_text(pilot, "01-12-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        if not isinstance(app.screen, CaseScreen):  # a consent question (another rule)
            await pilot.press("y")
            await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        steps = [st.step_type for st in kit.steps_of(cb, case_id)]
        assert steps == ["YOUTH_REQ"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        lines = [line for line in screen_text(app).splitlines() if "Meisje wordt" in line]
        assert len(lines) == 1, lines  # the referral waiting, not its step beside it
        assert "<18" in lines[0] and "Gespecialiseerde" in lines[0]


# -- 3. a Nigerian woman found by the police who needs a bed tonight --------------------


async def test_deadlines_are_listed_and_settled_when_closing(cb):
    case_id = record(
        cb,
        title="Vrouw aangetroffen bij controle, bed nodig",
        observed="Politie trof haar aan in een hotel; heeft geen slaapplek.",
        indicators=["SEX_FORCED", "GEN_FEAR"],
        persons=[intake.PersonInput(role="VICTIM", name="Grace Fictief", nationality="NG", age=24)],
    )
    with cb.write() as s:
        triage.triage_case(
            s,
            case_id,
            triage.TriageInput(urgency="ACUTE", exploitation_types=["SEX"], route="CARE"),
        )
        ref = referrals.request_referral(
            s, case_id, referrals.ReferralInput(shelter_type="NOODBED"), today=TODAY
        )
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_case(pilot, case_id)
        assert "Betrokkene: Grace Fictief" in summary(app)
        assert "MINDERJARIG" not in summary(app)

        # a placement in the future is refused beside its field
        await pilot.press("4", "u")
        await settle(pilot)
        await choose(pilot, app.screen.query_one("#ref-status"), "Geplaatst")
        date_field = app.screen.query_one("#ref-on")
        date_field.value = "29-11-2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.query_one("#field-on").has_class("-invalid")
        assert "toekomst" in screen_text(app)
        date_field.value = "28-11-2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)

        # the deadline form shows the fields of the chosen kind
        await pilot.press("b")
        await settle(pilot)
        form = app.screen
        assert form.query_one("#field-due-on").display  # bedenktijd: its end
        assert not form.query_one("#field-note").display
        assert "herinneringsstap 2 weken" in str(form.query_one(".form-hint").render())
        form.query_one("#deadline-note").focus()  # hidden: touch the form another way
        form.query_one("#deadline-date").value = "28-11-2026"
        form.query_one("#deadline-end").value = "20-02-2027"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)  # not a Dutch national: no question
        await pilot.press("b")
        await settle(pilot)
        form = app.screen
        await choose(pilot, form.query_one("#deadline-kind"), "Aangifte")
        await settle(pilot)
        assert not form.query_one("#field-due-on").display  # no bedenktijd end
        assert form.query_one("#field-note").display
        assert "herinneringsstap volgt een week" in str(form.query_one(".form-hint").render())
        form.query_one("#deadline-date").value = "04-12-2026"
        form.query_one("#deadline-note").focus()
        await type_text(pilot, "Aangifte bij AVIM")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        with cb.read() as s:
            kinds = sorted(d.kind for d in s.exec(select(Deadline)))
            reminders = s.exec(
                select(FollowUpStep.due_on).where(FollowUpStep.step_type == "DEADLINE")
            ).all()
        assert kinds == ["AANGIFTE", "BEDENKTIJD"]
        # the bedenktijd's two weeks before its end, the aangifte's at the latest today
        assert sorted(reminders) == [TODAY, date(2027, 2, 6)]

        # closing lists the deadlines beside the steps, and settles them
        await pilot.press("f10")
        await settle(pilot)
        label = str(app.screen.query_one("#closure-items-label").render())
        assert "2 stappen, 1 verwijzing, 2 termijnen" in label, label
        text = screen_text(app)
        assert "Termijn" in text and "Aangifte" in text and "Bedenktijd" in text
        # the two reminder steps done, the placement ended, the first deadline done, the
        # last one cancelled (x)
        for key in ("d", "d", "d", "d", "x"):
            await pilot.press(key)
            await settle(pilot)
        assert "Geen open stappen, verwijzingen of termijnen" in screen_text(app)
        await choose(pilot, app.screen.query_one("#closure-outcome"), "Geplaatst")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert "Geplaatst in opvang" in summary(app)
    with cb.read() as s:
        assert all(d.done for d in s.exec(select(Deadline)))
        assert s.get(Referral, ref.id).status == "ENDED"
    events = [h.event for h in kit.history(cb, case_id)]
    assert "deadline.cancelled" in events
    assert kit.get_case(cb, case_id).status == "CLOSED"


async def test_missed_aangifte_stays_on_today_a_day_later(cb):
    case_id = record(
        cb,
        title="Aangifte gepland",
        persons=[intake.PersonInput(role="VICTIM", name="Grace Fictief", nationality="NG")],
    )
    with cb.write() as s:
        triage.triage_case(s, case_id, triage.TriageInput(exploitation_types=["SEX"], route="CARE"))
        deadlines.add_deadline(s, case_id, "AANGIFTE", date(2026, 12, 1))
    # the day after the aangifte date, with the clock moved
    with frozen(datetime(2026, 12, 2, 9, 0, tzinfo=UTC)):
        app = make_app(cb)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            line = next(
                line
                for line in screen_text(app).splitlines()
                if "Aangifte gepland" in line and "Aangifte" in line.split("Aangifte gepland", 1)[1]
            )
            assert "gemist" in line and "01-12-2026" in line
            assert "Termijnen binnen 14 dagen en gemiste termijnen (1)" in screen_text(app)
    with cb.write() as s:
        (dl,) = closure.open_deadlines(s, case_id)
        deadlines.mark_done(s, dl.id)
    with frozen(datetime(2026, 12, 2, 9, 0, tzinfo=UTC)):
        app = make_app(cb)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "⚠ gemist" not in screen_text(app)
            assert "gemiste termijnen (0)" in screen_text(app)


# -- 4. a 15-year-old found with drugs ---------------------------------------------------


async def test_dutch_minor_with_drugs_b8_is_asked_about(cb):
    case_id = record(
        cb,
        title="Jongen met drugs aangetroffen",
        observed="Bij controle drugs gevonden; geen eerdere antecedenten.",
        indicators=["CRIM_FOUND", "CRIM_DRUGS", "MIN_U18"],
        persons=[
            intake.PersonInput(
                role="VICTIM", name="Daan Fictief", birth_year=2011, nationality="NL"
            )
        ],
    )
    with cb.write() as s:
        triage.triage_case(
            s, case_id, triage.TriageInput(exploitation_types=["CRIM"], route="CARE")
        )
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = next(line for line in screen_text(app).splitlines() if "Jongen met drugs" in line)
        assert "<18" in row
        await open_case(pilot, case_id)
        text = summary(app)
        assert "MINDERJARIG" in text
        assert "⚠" not in text.split("Volgende stap")[0]  # indicator and age agree
        # a bedenktijd for a Dutch national: asked, "no" the default, nothing saved
        await pilot.press("b")
        await settle(pilot)
        app.screen.query_one("#deadline-end").value = "01-02-2027"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Nederlandse nationaliteit" in screen_text(app)
        await pilot.press("enter")  # the default: no
        await settle(pilot)
        with cb.read() as s:
            assert s.exec(select(Deadline)).all() == []
        # asked again and confirmed: a warning, not a refusal
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        with cb.read() as s:
            assert [d.kind for d in s.exec(select(Deadline))] == ["BEDENKTIJD"]
        # a contact with the school
        await pilot.press("c")
        await settle(pilot)
        await choose(pilot, app.screen.query_one("#contact-role"), "School")
        app.screen.query_one("#contact-summary").focus()
        await type_text(pilot, "Mentor gesproken")
        await pilot.press("ctrl+s")
        await settle(pilot)
    from casebook.models import ContactMoment

    with cb.read() as s:
        assert s.exec(select(ContactMoment.counterpart_role)).all() == ["SCHOOL"]


# -- the policy texts of the yearly memo -----------------------------------------------


async def test_policy_texts_are_typed_in_settings_over_several_lines(cb):
    from casebook.services import settings

    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        area = app.screen.query_one("#policy_meldroute")
        area.focus()
        await type_text(pilot, "Meldroute via het ZVH.")
        await pilot.press("enter")
        await type_text(pilot, "Aandachtsfunctionaris in elk team.")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with cb.read() as s:
        assert settings.get(s, "policy_meldroute") == (
            "Meldroute via het ZVH.\nAandachtsfunctionaris in elk team."
        )
        assert settings.get(s, "policy_other") == ""
