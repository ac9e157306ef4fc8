"""The command palette offers every action of the screen it is opened on, and the
global ones, by their Dutch name and key, and runs them."""

from __future__ import annotations

from textual.binding import Binding
from textual.system_commands import SystemCommandsProvider

from casebook.i18n import has
from screens.localize import tr
from tests.uikit import SIZE, make_app, palette_answered, settle, type_text


def is_catalogue_key(description: str) -> bool:
    """casebook's own descriptions are catalogue keys ("key.help"); Textual's are
    English words, which the catalogue translates too but which are keys, not actions
    (Ctrl+C's "Copy selected text")."""
    return bool(description) and " " not in description and has(description)


def own_bindings(node) -> list[Binding]:
    """The bindings declared in BINDINGS by `node`'s class and its bases (casebook's,
    with a catalogue description), as Textual reads them."""
    found = []
    for cls in type(node).__mro__:
        for binding in cls.__dict__.get("BINDINGS", []):
            if isinstance(binding, Binding) and is_catalogue_key(binding.description):
                found.append(binding)
    return found


async def palette_titles(screen, query: str) -> list[str]:
    """What Textual's own system-command provider finds for `query` on `screen`."""
    provider = SystemCommandsProvider(screen)
    return [str(hit.text) async for hit in provider.search(query)]


async def assert_every_binding_found(app, screen, missing: list[str]) -> int:
    """Search each binding of `screen` (and of the App) by its Dutch name."""
    checked = 0
    for node in (screen, app):
        for binding in own_bindings(node):
            action = binding.action.split("(")[0]
            if action == "command_palette":
                continue  # the palette's own key: it is what the search is typed in
            check = node.check_action(action, ())
            if check is False:
                # hidden on purpose here (reopen on an open case, the list key while
                # not searching): not an action of this screen now
                continue
            name = tr(binding.description)
            titles = await palette_titles(screen, name)
            if not any(name.casefold() in title.casefold() for title in titles):
                missing.append(f"{type(screen).__name__}: {binding.id} {name!r} -> {titles}")
            checked += 1
    return checked


async def test_every_binding_of_every_screen_is_in_the_palette_by_its_dutch_name(demo_cb):
    app = make_app(demo_cb)
    missing: list[str] = []
    seen: dict[str, int] = {}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)

        async def visit(*keys: str, name: str | None) -> None:
            if keys:
                await pilot.press(*keys)
                await settle(pilot)
            shown = type(app.screen).__name__
            assert name is None or shown == name, shown
            seen[shown] = await assert_every_binding_found(app, app.screen, missing)

        await visit(name="TodayScreen")
        await visit("t", name="TriageScreen")
        await pilot.press("escape")
        await settle(pilot)
        await visit("ctrl+n", name="IntakeScreen")
        await pilot.press("escape")
        await settle(pilot)
        await visit("f3", name="CasesScreen")
        await visit("enter", name="CaseScreen")
        await visit("c", name="ContactModal")
        await pilot.press("escape")
        await settle(pilot)
        await visit("m", name=None)  # the "more" menu (a notice on this case)
        await pilot.press("escape")
        await settle(pilot)
        await visit("f6", name="StatisticsScreen")
        await visit("f7", name="DirectoryScreen")
        await visit("f8", name="TrainingsScreen")
        await visit("f9", name="SettingsScreen")
        await visit("f1", name="HelpScreen")
    assert not missing, "\n".join(missing)
    # every screen had something to find, and the case file all its keys
    assert all(seen.values()), seen
    assert seen["CaseScreen"] >= 15


async def test_an_action_found_in_the_palette_runs_like_its_key(demo_cb):
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f3", "enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "CaseScreen"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "contact")
        await palette_answered(pilot)
        titles = await palette_titles(app.screen_stack[-2], "contact")
        assert any("(c)" in title for title in titles), titles
        from textual.command import CommandList

        hits = app.screen.query_one(CommandList)
        await pilot.press("down")
        for _ in range(hits.option_count):
            highlighted = hits.get_option_at_index(hits.highlighted or 0).prompt
            if str(highlighted).startswith("Contact (c)"):
                break
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "ContactModal"


async def test_the_palette_names_a_key_in_english_too(demo_cb):
    from casebook import i18n

    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.switch_language("en")
        await settle(pilot)
        try:
            titles = await palette_titles(app.screen, "triage")
        finally:
            i18n.set_language("nl")
        assert "Triage (t)" in titles, titles
