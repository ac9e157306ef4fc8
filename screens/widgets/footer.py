"""A footer that draws the screen's keys as one line, in one widget.

Textual's Footer mounts a widget per key and rebuilds them all (removes and mounts
again) every time its screen publishes "bindings updated": on every focus change and
on every `refresh_bindings()`. On the Today board, the first screen after start-up,
that cost about 40 ms of the first paint. This footer shows the same thing — the keys
with `show=True` of the focused widget, its screen and the app, one per action, those
`check_action()` disables greyed out, the command palette key on the right — and on a
change of bindings it only redraws its line, and only if the line changed.

Clicking a key presses it, as in Textual's Footer.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from screens.localize import tr


@dataclass(frozen=True)
class FooterItem:
    key: str
    display: str
    description: str
    enabled: bool


class KeyFooter(Widget, can_focus=False):
    """The keys of the screen it is on, with their descriptions, on one line."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description", "key-footer--rule"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--rule {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._items: tuple[FooterItem, ...] = ()
        self._palette: FooterItem | None = None
        self._spans: list[tuple[int, int, FooterItem]] = []  # x from, x to, item

    # -- what to show -----------------------------------------------------------------

    def _read(self) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
        app = self.app
        items: dict[str, FooterItem] = {}  # one per action, the first key found
        palette = None
        for key, (_, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            item = FooterItem(key, app.get_key_display(binding), tr(binding.description), enabled)
            if key == app.COMMAND_PALETTE_BINDING and app.ENABLE_COMMAND_PALETTE:
                palette = item
            elif binding.show and binding.action not in items:
                items[binding.action] = item
        return tuple(items.values()), palette

    def on_mount(self) -> None:
        self._items, self._palette = self._read()
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        # At once, not after the next refresh: the line is then settled by the time
        # whatever changed the bindings returns, so nothing drawn on top of this screen
        # (a dialog) can be painted before the footer behind it has caught up.
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self._update()

    def _update(self) -> None:
        if not self.is_attached:
            return
        items, palette = self._read()
        if (items, palette) != (self._items, self._palette):
            self._items, self._palette = items, palette
            self.refresh()

    # -- drawing and clicking -----------------------------------------------------------

    def _item_text(self, item: FooterItem) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        text = Text.assemble(
            (f" {item.display} ", key_style), (f"{item.description} ", description_style)
        )
        if not item.enabled:
            text.stylize(Style(dim=True))
        return text

    def render(self) -> Text:
        width = self.size.width
        right = Text()
        if self._palette is not None:
            right = Text.assemble(
                ("▏", self.get_component_rich_style("key-footer--rule")),
                self._item_text(self._palette)[1:],
            )
        room = width - cell_len(right.plain)
        line, spans, x = Text(), [], 0
        for item in self._items:
            text = self._item_text(item)
            size = cell_len(text.plain)
            if x + size > room:
                break  # what does not fit is left out whole, never cut in half
            spans.append((x, x + size, item))
            line.append_text(text)
            x += size
        if right.plain:
            line.append(" " * max(0, room - x))
            spans.append((max(x, room) + 1, width, self._palette))
            line.append_text(right)
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, item in self._spans:
            if start <= event.x < end:
                if item.enabled:
                    self.app.simulate_key(item.key)
                else:
                    self.app.bell()
                return
