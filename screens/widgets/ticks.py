"""Tick boxes whose state shows as a symbol (✓) and not by colour alone: Textual's
Checkbox and SelectionList draw the same "X" ticked or not and differ only in colour."""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList

TICKED, UNTICKED = "✓", " "


class TickBox(Checkbox):
    """A Checkbox showing ✓ when ticked and a blank when not."""

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 - Textual's class attribute name
        return TICKED if self.value else UNTICKED


class TickList(SelectionList):
    """A SelectionList showing ✓ beside the chosen items and a blank beside the others."""

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        if len(segments) < 3 or segments[1].text != self._button_inner():
            return strip
        _, scroll_y = self.scroll_offset
        try:
            selection = self.get_option_at_index(scroll_y + y)
        except Exception:  # a line below the last option
            return strip
        mark = TICKED if selection.value in self.selected else UNTICKED
        segments[1] = Segment(mark, segments[1].style, segments[1].control)
        return Strip(segments, strip.cell_length)

    @staticmethod
    def _button_inner() -> str:
        # what Textual draws in a toggle (the "X"), from the public Checkbox class
        return Checkbox.BUTTON_INNER


def ticks_of(list_name: str, chosen, *, id: str) -> TickList:  # noqa: A002 (Textual's name)
    """A TickList of a reference list's items (`casebook.refdata`), by their label in the
    officer's language, with the codes in `chosen` ticked."""
    from rich.text import Text
    from textual.widgets.selection_list import Selection

    from casebook import refdata

    chosen = set(chosen)
    return TickList(
        *[
            Selection(Text(item.label), item.code, item.code in chosen)
            for item in refdata.ref(list_name)
        ],
        id=id,
    )
