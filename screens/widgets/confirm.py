"""A yes/no question as a modal: `await push_screen_wait(ConfirmModal(...))` or a callback.

The focus starts on "No" unless told otherwise, so Enter (or a key typed on) never
picks the answer that discards or creates something: "yes" is chosen on purpose, by
its button or `y`/`j`. `yes`/`no` name the answers when Ja/Nee would be unclear
("Weggooien" / "Verder bewerken")."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from casebook.i18n import t


class ConfirmModal(ModalScreen[bool]):
    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Vertical {
        width: 60; height: auto; padding: 1 2; border: thick $primary; background: $panel;
    }
    ConfirmModal Horizontal { height: auto; margin-top: 1; }
    ConfirmModal Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("y,j", "answer(True)", "form.yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "form.no", id="confirm.no"),
    ]

    def __init__(
        self,
        question: str,
        *,
        yes: str | None = None,
        no: str | None = None,
        default_yes: bool = False,
        letters: bool = True,
    ):
        super().__init__()
        self.question = question
        self.yes_label = yes or t("form.yes")
        self.no_label = no or t("form.no")
        self.default_yes = default_yes
        self.letters = letters

    def check_action(self, action: str, parameters) -> bool | None:
        # `letters=False`: only a button says yes (after a one-key action, where a
        # sentence typed on could hold a "j")
        return self.letters or not (action == "answer" and parameters == (True,))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
            with Horizontal():
                yield Button(self.yes_label, id="yes", variant="error")
                yield Button(self.no_label, id="no", variant="primary")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#yes" if self.default_yes else "#no", Button))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)
