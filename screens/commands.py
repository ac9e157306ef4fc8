"""The command palette (Ctrl+P): every main action as a system command, every action
with a key on the screen the palette was opened on (`binding_commands`), and a provider
that finds cases by reference or title (searched in SQL, off the UI thread)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from functools import partial

from textual.app import SystemCommand
from textual.command import Hit, Hits, Provider
from textual.content import Content

from casebook import i18n, refdata
from casebook.i18n import t
from casebook.text import one_line

MIN_QUERY = 2
MAX_HITS = 10


# Textual's own commands, by their English title: ours in the officer's language. The
# screenshot command is left out: it writes the screen, names and all, to a file.
TEXTUAL_COMMANDS = {
    "Theme": "commands.textual.theme",
    "Quit": "commands.textual.quit",
    "Keys": "commands.textual.keys",
    "Maximize": "commands.textual.maximize",
    "Minimize": "commands.textual.minimize",
}
LEFT_OUT = frozenset({"Screenshot"})


def textual_commands(commands) -> Iterator[SystemCommand]:
    """Textual's system commands in the interface language, without the screenshot."""
    for command in commands:
        if command.title in LEFT_OUT:
            continue
        key = TEXTUAL_COMMANDS.get(command.title)
        if key is None:  # one we do not know (a newer Textual): as it is
            yield command
            continue
        hide = command.title == "Keys" and command.help.startswith("Hide")
        yield command._replace(title=t(key), help=t(f"{key}_hide_help" if hide else f"{key}_help"))


def app_commands(app) -> Iterator[SystemCommand]:
    """The main actions, namespaced ("Scherm: Vandaag", "Zaak: nieuw signaal")."""
    actions = [
        ("commands.today", "commands.today_help", app.action_today),
        ("commands.cases", "commands.cases_help", app.action_cases),
        ("commands.intake", "commands.intake_help", app.action_intake),
        ("commands.statistics", "commands.statistics_help", app.action_statistics),
        ("commands.directory", "commands.directory_help", app.action_directory),
        ("commands.trainings", "commands.trainings_help", app.action_trainings),
        ("commands.settings", "commands.settings_help", app.action_settings),
        ("commands.help", "commands.help_help", app.action_help),
    ]
    for title, help_key, callback in actions:
        yield SystemCommand(t(title), t(help_key), callback)
    other = "en" if i18n.get_language() == "nl" else "nl"
    yield SystemCommand(
        t(f"commands.language_{other}"),
        t("commands.language_help"),
        # the screens are built again in the other language: a form with unsaved
        # input asks first, as on every other way out
        partial(app.leave_forms, partial(app.switch_language, other)),
    )


# The App's keys that app_commands() and Textual's own commands already offer, under
# their namespaced titles ("Scherm: Vandaag", "Afsluiten").
OFFERED_ELSEWHERE = frozenset(
    {
        "today",
        "cases",
        "intake",
        "statistics",
        "directory",
        "trainings",
        "settings",
        "help",
        "quit",
        "command_palette",
    }
)


def binding_commands(app, screen) -> Iterator[SystemCommand]:
    """Every action with a key on `screen` (its focused widget's, its own and the
    App's), by its translated name and its keys: "Stap klaar (d)". Run from the palette
    it does what its key does, on the node that declared it. One not possible now
    (`check_action` says so) is listed all the same, said to be unavailable: the
    officer learns it exists and where its key works. Textual's own editing keys (an
    Input's "Move cursor left") are keys, not actions, and are left out."""
    from screens.localize import tr

    found: dict[tuple[int, str], list] = {}  # (node, action): [name, keys, enabled, node]
    for key, active in screen.active_bindings.items():
        binding, node = active.binding, active.node
        if binding.system or not binding.description:
            continue
        name = tr(binding.description)
        if name == binding.description:  # not a catalogue key: one of Textual's own
            continue
        if node is app and binding.action in OFFERED_ELSEWHERE:
            continue
        entry = found.setdefault((id(node), binding.action), [name, [], active.enabled, node])
        entry[1].append(app.get_key_display(binding.with_key(key)))
        entry[2] = entry[2] or active.enabled
    for (_, action), (name, keys, enabled, node) in found.items():
        where = "commands.action_global" if node is app else "commands.action_here"
        yield SystemCommand(
            t("commands.action_hit", name=name, keys=", ".join(keys)),
            t(where) if enabled else t("commands.action_unavailable"),
            partial(_run_action, app, action, node),
        )


async def _run_action(app, action: str, node) -> None:
    await app.run_action(action, node)


def _find_cases(casebook, query: str):
    from casebook.services.cases import find_by_reference
    from screens import door

    return door.read_here(casebook, lambda s: find_by_reference(s, query, limit=MAX_HITS))


class CaseProvider(Provider):
    """Finds cases whose reference, title, location or persons contain the query."""

    async def search(self, query: str) -> Hits:
        query = query.strip()
        if len(query) < MIN_QUERY:
            return
        app = self.app
        rows = await asyncio.to_thread(_find_cases, app.casebook, query)
        folded = query.casefold()
        for row in rows:
            # Built as plain Content: a title is user text and never markup.
            label = t(
                "commands.case_hit",
                reference=one_line(row.reference, 20),
                title=one_line(row.title, 60),
            )
            score = 1.0 if row.reference.casefold().startswith(folded) else 0.7
            yield Hit(
                score,
                Content(label),
                partial(app.open_case, row.id),
                text=label,
                help=t(
                    "commands.case_hit_help",
                    phase=refdata.label("phases", row.phase),
                    status=refdata.label("statuses", row.status),
                ),
            )
