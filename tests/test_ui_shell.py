"""The shell around the daily screens: the command palette finds a case by reference,
help lists the live keys of the screen it came from, the language switch, settings."""

from __future__ import annotations

import pytest
from sqlmodel import select

from casebook import i18n
from casebook.models import Case
from casebook.services import settings
from screens.app import CasebookApp
from tests import servicekit as kit
from tests.uikit import SIZE, make_app, palette_answered, screen_text, settle, type_text


async def test_command_palette_opens_a_case_by_reference(demo_cb):
    app = make_app(demo_cb)
    opened = []
    app.open_case = opened.append
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "2026-0012")
        await palette_answered(pilot)
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
    with demo_cb.read() as s:
        wanted = s.exec(select(Case.id).where(Case.reference == "2026-0012")).one()
    assert opened == [wanted]


async def test_command_palette_offers_the_main_actions(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "nieuw signaal")
        await palette_answered(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "IntakeScreen"


async def test_textuals_own_commands_speak_dutch_and_take_no_screenshot(cb):
    """Textual's palette commands in the interface language; its screenshot command
    (the screen, names and all, written to a file) is not offered."""
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Thema", "Afsluiten", "Toetsen"} <= set(titles)
        assert not {"Theme", "Quit", "Keys", "Screenshot"} & set(titles)
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert "Zoek een opdracht, of een casus" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        app.switch_language("en")
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert {"Theme", "Quit", "Keys"} <= set(titles) and "Screenshot" not in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "screenshot")
        await palette_answered(pilot)
        assert "Save an SVG" not in screen_text(app)


async def test_switching_the_language_relabels_footer_and_help(cb):
    """Binding descriptions are catalogue keys translated as they are drawn: after a
    switch the footer (the App's keys and the screen's) and help speak the new
    language; Textual's "Keys" command opens casebook's help, not Textual's panel."""
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Casussen" in footer and "Nieuw signaal" in footer and "Triage" in footer
        app.switch_language("en")
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "Cases" in footer and "New signal" in footer
        assert "Casussen" not in footer and "key." not in footer
        app.action_show_help_panel()  # what the palette's "Keys" command calls
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        text = screen_text(app)
        assert "New signal" in text and "Nieuw signaal" not in text and "key." not in text


async def test_help_lists_the_keys_of_the_screen_it_came_from(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        text = screen_text(app)
        assert "Help – Vandaag" in text
        for label in ("Triage", "Stap klaar", "Contact", "Nieuw signaal", "Casussen"):
            assert label in text
        # the how-to (wrapped to the screen: compare with whitespace folded)
        assert "Kies een regel met j/k" in " ".join(text.split())
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
        await pilot.press("f3", "question_mark")
        await settle(pilot)
        text = screen_text(app)
        assert "Help – Casussen" in text and "Zoeken" in text and "Stap klaar" not in text


@pytest.mark.parametrize(
    ("key", "title", "howto"),
    [
        ("f6", "Help – Jaarcijfers", "kleine aantallen zijn verborgen"),
        ("f7", "Help – Sociale kaart", "n voegt een organisatie toe"),
        ("f8", "Help – Trainingen", "bewijs voor het Basisniveau"),
    ],
)
async def test_every_screen_has_its_own_how_to(cb, key, title, howto):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert title in text and howto in text


async def test_help_on_a_case_explains_the_case_keys(demo_cb):
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with demo_cb.read() as s:
            case_id = s.exec(select(Case.id).where(Case.reference == "2026-0012")).one()
        app.open_case(case_id)
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        text = " ".join(screen_text(app).split())
        assert "Help – Casus" in text and "1–8 kiezen een onderdeel" in text


async def test_help_shows_a_remapped_key(cb, tmp_path):
    from casebook import paths, preferences

    prefs = preferences.Preferences(keymap={"today.triage": "x"})
    preferences.save(prefs, paths.config_file())
    kit.new_case(cb)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        assert type(app.screen).__name__ == "TriageScreen"
        await pilot.press("escape", "f1")
        await settle(pilot)
        lines = [line for line in screen_text(app).splitlines() if "Triage" in line]
        assert any(line.strip().startswith("x ") for line in lines), lines


async def test_switching_language_shows_dutch_and_english_labels(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "Stappen over tijd (0)" in screen_text(app)
        assert "Stap klaar" in screen_text(app)  # the footer
        await pilot.press("f9")
        await settle(pilot)
        language = app.screen.query_one("#language")
        language.value = "en"
        await settle(pilot)
        assert i18n.get_language() == "en"
        # back on the settings screen, in English
        assert type(app.screen).__name__ == "SettingsScreen"
        assert "Language" in screen_text(app)
        await pilot.press("f2")
        await settle(pilot)
        text = screen_text(app)
        assert "Overdue steps (0)" in text and "Step done" in text
        assert "Stappen over tijd" not in text
        await pilot.press("f3")
        await settle(pilot)
        assert "All phases" in screen_text(app)
        # and back to Dutch through the command palette
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "Nederlands")
        await palette_answered(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert i18n.get_language() == "nl"
        assert "Stappen over tijd (0)" in screen_text(app)
    from casebook import preferences

    assert preferences.load().language == "nl"


async def test_theme_choice_is_applied_and_kept(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        app.screen.query_one("#theme").value = "casebook-high-contrast"
        await settle(pilot)
        assert app.theme == "casebook-high-contrast"
    from casebook import preferences

    assert preferences.load().theme == "casebook-high-contrast"
    again = CasebookApp(cb)
    assert again.theme == "casebook-high-contrast"


async def test_casebook_settings_are_checked_and_saved(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#municipality").focus()
        await type_text(pilot, "Gemeente Zuidhaven")
        screen.query_one("#stats_k").value = "2"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert screen.query_one("#field-stats-k").has_class("-invalid")
        with cb.read() as s:
            assert settings.get(s, "municipality") == ""
        screen.query_one("#stats_k").value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not screen.query_one("#field-stats-k").has_class("-invalid")
        assert "Gemeente Zuidhaven" in app.title
    with cb.read() as s:
        assert settings.get(s, "municipality") == "Gemeente Zuidhaven"
        assert settings.get(s, "stats_k") == "4"


async def test_command_palette_pushes_the_case_screen(demo_cb):
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "2025-0004")
        await palette_answered(pilot)
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "CaseScreen"
        assert "2025-0004" in screen_text(app)
