"""Help (F1 / ?): the keys of the screen it was opened from — read live from that
screen's active bindings, so a remapped key shows as remapped — and a short how-to
for that screen from the catalogue."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Static

from casebook.i18n import has, t
from screens.localize import tr
from screens.widgets.footer import KeyFooter

# Keys handled by Textual's own widgets, described in the officer's language.
GENERAL_KEYS = (
    ("j / k, ↓ / ↑", "help.nav.move"),
    ("Tab / Shift+Tab", "help.nav.tab"),
    ("Enter", "help.nav.enter"),
    ("Escape", "help.nav.escape"),
    ("Ctrl+P", "help.nav.palette"),
)


def screen_key(screen) -> str:
    """'TodayScreen' -> 'today', 'CaseScreen' -> 'case'."""
    name = type(screen).__name__
    name = name.removesuffix("Screen").removesuffix("Modal")
    out = ""
    for ch in name:
        out += ("_" + ch.lower()) if ch.isupper() and out else ch.lower()
    return out


def _declared(screen) -> list[Binding]:
    """Every binding `screen`'s classes declare, one per key, in declaration order."""
    found: list[Binding] = []
    for cls in reversed(type(screen).__mro__):
        found.extend(Binding.make_bindings(cls.__dict__.get("BINDINGS", ())))
    return found


def binding_rows(app, screen) -> list[tuple[str, str, bool]]:
    """(keys, description, enabled) for each binding with an id on `screen`: the active
    ones as they are now (a remapped key as remapped), then those the screen has but
    that do nothing at this moment (another tab's keys: `u` on Steps), greyed out."""
    grouped: dict[str, list] = {}
    order: list[str] = []
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if not binding.id or binding.system or not binding.description:
            continue
        if binding.id not in grouped:
            grouped[binding.id] = [[], tr(binding.description), active.enabled]
            order.append(binding.id)
        grouped[binding.id][0].append(app.get_key_display(binding.with_key(key)))
    keymap = getattr(getattr(app, "preferences", None), "keymap", None) or {}
    inactive: set[str] = set()
    for binding in _declared(screen):
        if not binding.id or binding.system or not binding.description:
            continue
        if binding.id not in grouped:
            grouped[binding.id] = [[], tr(binding.description), False]
            order.append(binding.id)
            inactive.add(binding.id)
            remapped = keymap.get(binding.id)
            if remapped:  # the keymap's keys replace the declared ones
                grouped[binding.id][0] = [
                    app.get_key_display(binding.with_key(k.strip())) for k in remapped.split(",")
                ]
        if binding.id in inactive and binding.id not in keymap:
            grouped[binding.id][0].append(app.get_key_display(binding))
    # the screen's idle keys beside its others, before the app's (F2, Ctrl+Q…)
    own = {b.id for b in _declared(screen)}
    active = [i for i in order if i not in inactive]
    last_own = max((n for n, i in enumerate(active) if i in own), default=len(active) - 1)
    order = active[: last_own + 1] + [i for i in order if i in inactive] + active[last_own + 1 :]
    return [(" / ".join(grouped[i][0]), grouped[i][1], grouped[i][2]) for i in order]


class HelpScreen(Screen):
    CSS_PATH = "help_screen.tcss"

    BINDINGS = [
        Binding("escape,f1,question_mark", "close", "key.back", id="help.close"),
    ]

    def __init__(self, origin: Screen):
        super().__init__()
        self.origin_key = screen_key(origin)
        # Read now: once this screen is on top, the origin's focus chain is not live.
        self.binding_list = binding_rows(origin.app, origin)

    def compose(self) -> ComposeResult:
        key = f"help.screen.{self.origin_key}"
        howto = t(key) if has(key) else t("help.screen.general")
        name_key = f"help.name.{self.origin_key}"
        name = t(name_key) if has(name_key) else ""
        yield Header()
        with VerticalScroll(id="help"):
            yield Static(
                Text(t("help.title", screen=name) if name else t("help.title_plain")),
                classes="help-title",
            )
            yield Static(Text(howto), id="howto")
            yield Static(Text(t("help.keys")), classes="help-title")
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True)
            table.add_column()
            for keys, description, enabled in self.binding_list:
                table.add_row(Text(keys), Text(description, style="" if enabled else "dim"))
            for keys, desc_key in GENERAL_KEYS:
                table.add_row(Text(keys), Text(t(desc_key)))
            yield Static(table, id="keys")
            yield Static(Text(t("help.remap")), classes="muted", id="remap")
        yield KeyFooter()

    def action_close(self) -> None:
        self.app.pop_screen()
