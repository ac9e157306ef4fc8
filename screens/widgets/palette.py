"""The command palette in the interface language, and the theme picker.

Textual's palette writes "No matches found" in English when a search finds nothing, and
its theme picker lists every theme by its code name (`textual-dark`), sorted by it.
`LocalPalette` is Textual's palette with its result list swapped for one that says it in
the officer's language; `ThemeProvider` lists the themes by their translated names,
casebook's own first (`screens.themes`)."""

from __future__ import annotations

from functools import partial

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from casebook.i18n import t


class LocalCommandList(CommandList):
    """The palette's result list. The palette's only disabled entry is its "no matches"
    line (hits are never disabled): it is given in the interface language."""

    def add_option(self, option=None):
        if isinstance(option, Option) and option.disabled:
            option = Option(
                Align.center(Text(t("commands.no_matches"), style="not bold")),
                id=option.id,
                disabled=True,
            )
        return super().add_option(option)


class LocalPalette(CommandPalette):
    """Textual's command palette, with the "no matches" line translated."""

    def compose(self):
        # Textual's own layout, with the one list replaced where it stands
        for widget in super().compose():
            yield LocalCommandList() if type(widget) is CommandList else widget


class ThemeProvider(Provider):
    """The themes by name in the interface language, casebook's own first."""

    def _commands(self):
        from screens.themes import theme_choices, use_theme

        return [
            (label, partial(use_theme, self.app, name)) for label, name in theme_choices(self.app)
        ]

    async def discover(self) -> Hits:
        for label, callback in self._commands():
            yield DiscoveryHit(label, callback)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for label, callback in self._commands():
            score = matcher.match(label)
            if score > 0:
                yield Hit(score, matcher.highlight(label), callback)
