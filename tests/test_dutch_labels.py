"""Labels, not codes; lists in the order the officer reads; plurals; help with every key
(issue 16, part A)."""

from __future__ import annotations

from casebook import i18n, refdata
from casebook.errors import NotFoundError
from casebook.i18n import collation_key, t, tn
from tests.caseui import case_app, settle
from tests.test_snapshots_case import demo_case_id


def test_plural_forms_follow_the_number():
    i18n.set_language("nl")
    assert tn("case.due.in_days", 1, days=1) == "over 1 dag"
    assert tn("case.due.in_days", 2, days=2) == "over 2 dagen"
    assert t("count.trainings", count=0) == "0 trainingen"
    assert t("count.steps", count=1) == "1 stap"
    assert t("error.validation", count=1).startswith("1 veld klopt niet")
    i18n.set_language("en")
    assert tn("case.due.overdue", 1, days=1) == "1 day overdue"
    assert t("safety.purge.deleted", count=3) == "3 cases deleted"
    i18n.set_language("nl")


def test_not_found_names_what_in_words():
    i18n.set_language("nl")
    assert NotFoundError("case").message() == t("error.missing.case")
    assert "(case)" not in NotFoundError("case").message()
    assert NotFoundError("something_new").message() == t("error.not_found")


def test_countries_by_their_dutch_name_unknown_first():
    i18n.set_language("nl")
    shown = refdata.ref("countries").shown()
    assert shown[0].code == "XX"
    labels = [item.label for item in shown[1:]]
    assert labels == sorted(labels, key=collation_key)
    # Jemen among the J's, not after Wallis en Futuna (the file's ISO order)
    assert labels.index("Jemen") < labels.index("Samoa") < labels.index("Wallis en Futuna")
    i18n.set_language("en")
    english = [item.label for item in refdata.ref("countries").shown()[1:]]
    assert english == sorted(english, key=collation_key) and english != labels
    i18n.set_language("nl")


def test_collation_ignores_case_and_accents():
    names = ["Zorg", "de Regenboog", "Ëigen", "Eerste", "ABC"]
    assert sorted(names, key=collation_key) == ["ABC", "de Regenboog", "Eerste", "Ëigen", "Zorg"]


def test_partners_sorted_by_name_as_read(cb):
    from casebook.services import directory

    with cb.write() as s:
        directory.add_organisation(
            s, directory.OrganisationInput(name="de Regenboog", kind="shelter")
        )
    with cb.read() as s:
        names = [o.name for o in directory.search(s, limit=1000)]
    assert names == sorted(names, key=collation_key)
    assert names != sorted(names)  # by code point, "de Regenboog" came after every capital


def test_a_step_settled_by_a_placement_shows_the_label(demo_cb):
    from casebook.models import FollowUpStep
    from casebook.services.steps import result_text

    with demo_cb.read() as s:
        from sqlmodel import select

        step = s.exec(select(FollowUpStep).where(FollowUpStep.result == "PLACED")).first()
    assert step is not None and step.referral_id is not None
    i18n.set_language("nl")
    assert result_text(step) == refdata.label("referral_statuses", "PLACED") != "PLACED"
    i18n.set_language("en")
    assert result_text(step) == refdata.label("referral_statuses", "PLACED") != "PLACED"
    i18n.set_language("nl")


def test_themes_translated_casebook_first():
    from textual.app import App

    from screens.app import HIGH_CONTRAST
    from screens.themes import theme_choices

    app = App()
    app.register_theme(HIGH_CONTRAST)
    i18n.set_language("nl")
    choices = theme_choices(app)
    assert choices[0] == (t("theme.casebook-high-contrast"), "casebook-high-contrast")
    labels = [label for label, _ in choices]
    assert "Textual donker" in labels and "textual-dark" not in labels
    assert labels[1:] == sorted(labels[1:], key=collation_key)


async def test_case_help_lists_every_key_of_the_case_screen(demo_cb):
    from screens.help_screen import binding_rows

    i18n.set_language("nl")
    app = case_app(demo_cb, demo_case_id(demo_cb))
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("3")  # steps: u (referral outcome) and m (more) do nothing here
        await settle(pilot)
        rows = {
            description: (keys, enabled)
            for keys, description, enabled in binding_rows(app, app.screen)
        }
    assert rows[t("case.key.referral_status")] == ("u", False)
    assert rows[t("case.key.more")] == ("m", False)
    assert rows[t("case.key.done")] == ("d", True)


async def test_the_section_bar_never_wraps(demo_cb):
    from screens.case_screen import SectionBar

    i18n.set_language("nl")
    app = case_app(demo_cb, demo_case_id(demo_cb))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        bar = app.screen.query_one(SectionBar)
        assert bar.size.height == 1
        for width in (30, 40, 60, 79, 120):
            assert bar.line_for(width).cell_len <= width
        await pilot.press("5")
        await settle(pilot)
        assert bar.size.height == 1


def test_the_access_export_names_its_fields_and_values_in_dutch(demo_cb):
    """The export a person gets of their data (casebook access) is read by them: field
    names, deadline kinds, indicators and the timeline's events in words."""
    from casebook.retention import access_export

    i18n.set_language("nl")
    with demo_cb.read() as s:
        md = access_export(s, "2024-0001", 1).to_markdown()
    for english in ("**role**", "**gender**", "**kind**", "**event**", "**new**", "person.added"):
        assert english not in md, english
    assert f"**{t('case.field.role')}**" in md
    assert "(Mogelijk) slachtoffer (VICTIM)" in md  # the label, the code beside it
