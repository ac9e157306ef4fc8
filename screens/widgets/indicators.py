"""The indicator checklist, grouped by exploitation type under headings from the
reference list `indicator_groups`: one SelectionList per group."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static
from textual.widgets.selection_list import Selection

from casebook import refdata
from screens.widgets.ticks import TickList


class IndicatorChecklist(Vertical):
    DEFAULT_CSS = """
    IndicatorChecklist { height: auto; }
    IndicatorChecklist > .indicator-group { text-style: bold; margin-top: 1; }
    IndicatorChecklist > TickList { height: auto; max-height: 14; border: none; padding: 0; }
    """

    def __init__(self, *, selected: list[str] | None = None, id: str | None = None):
        super().__init__(id=id)
        self._initial = set(selected or ())

    def compose(self) -> ComposeResult:
        indicators = refdata.ref("indicators")
        for group in refdata.ref("indicator_groups"):
            items = [i for i in indicators if i.get("group") == group.code]
            if not items:
                continue
            yield Static(Text(group.label), classes="indicator-group")
            yield TickList(
                *[Selection(Text(i.label), i.code, i.code in self._initial) for i in items],
                id=f"indicators-{group.code.lower()}",
            )

    @property
    def codes(self) -> list[str]:
        out: list[str] = []
        for selection_list in self.query(TickList):
            out.extend(selection_list.selected)
        order = {code: n for n, code in enumerate(refdata.ref("indicators").codes())}
        return sorted(out, key=order.get)
