"""The duplicate question at intake: the signal resembles an existing case, so adding
it to that case is the first choice and the default (Enter); a closed case is offered
for reopening; "new case" and "cancel" follow. Escape cancels and keeps the form as
typed. Dismisses with ("attach", SimilarCase), ("new", None) or None."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from casebook.i18n import t
from screens.widgets.forms import literal


class DuplicateModal(ModalScreen):
    DEFAULT_CSS = """
    DuplicateModal { align: center middle; }
    DuplicateModal > Vertical {
        width: 76; max-width: 100%; height: auto; max-height: 100%;
        padding: 1 2; border: thick $primary; background: $panel;
    }
    DuplicateModal OptionList { height: auto; max-height: 12; margin-top: 1; }
    DuplicateModal .muted { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "dupes.question.cancel", id="duplicate.cancel")]

    def __init__(self, similar: list) -> None:
        super().__init__()
        self.similar = list(similar)

    def compose(self) -> ComposeResult:
        options = []
        for n, case in enumerate(self.similar):
            key = "dupes.question.reopen" if case.closed else "dupes.question.attach"
            reason = t(f"intake.similar_reason.{case.reason}")
            parts = [t(key, reference=case.reference), " · ", literal(case.title, limit=40)]
            extra = f" ({reason}, {t('dupes.question.closed')})" if case.closed else f" ({reason})"
            parts.append(extra)
            options.append(Option(Text.assemble(*parts), id=f"case-{n}"))
        options.append(Option(Text(t("dupes.question.new_case")), id="new"))
        options.append(Option(Text(t("dupes.question.cancel")), id="cancel"))
        with Vertical():
            yield Static(Text(t("dupes.question.intro")))
            yield OptionList(*options, id="duplicate-choices")
            yield Static(Text(t("dupes.question.help")), classes="muted")

    def on_mount(self) -> None:
        choices = self.query_one(OptionList)
        choices.highlighted = 0  # the first similar case: adding to it is the default
        self.set_focus(choices)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = event.option.id or "cancel"
        if chosen == "new":
            self.dismiss(("new", None))
        elif chosen.startswith("case-"):
            self.dismiss(("attach", self.similar[int(chosen.removeprefix("case-"))]))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
