"""Small forms that act on one row of the Today board without leaving it: mark a step
done (with its result), add a step, log a contact moment.

Each modal gathers input and hands it to a `save` callback given by the screen, which
calls the core. A refusal (`ValidationError`) is shown beside its fields and the modal
stays open, so nothing typed is lost; on success the modal closes with True.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from casebook.errors import CasebookError, ValidationError
from casebook.i18n import t
from casebook.services.contacts import ContactInput
from casebook.services.steps import StepInput
from screens.widgets.focus import focus_now
from screens.widgets.forms import CodeSelect, DateInput, FormField, clear_errors, show_errors


class QuickModal(ModalScreen[bool]):
    """A titled form with Save (Ctrl+S / F10) and Cancel (Escape)."""

    DEFAULT_CSS = """
    QuickModal { align: center middle; }
    QuickModal > VerticalScroll {
        width: 72; max-width: 100%; height: auto; max-height: 100%;
        padding: 0 2; border: thick $primary; background: $panel;
    }
    QuickModal .modal-title { text-style: bold; margin: 1 0; }
    QuickModal .modal-context { color: $text-muted; margin-bottom: 1; }
    QuickModal TextArea { height: 5; }
    QuickModal Horizontal.buttons { height: auto; margin: 0 0 1 0; }
    QuickModal Button { margin-right: 2; }
    """
    BINDINGS = [
        Binding("ctrl+s,f10", "save", "ui.key.save", id="modal.save"),
        Binding("escape", "cancel", "ui.key.cancel", id="modal.cancel"),
    ]

    title_key = ""

    def __init__(self, context: Text | str, save: Callable[[object], None]):
        super().__init__()
        self.context = context
        self._save = save

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text(t(self.title_key)), classes="modal-title")
            yield Static(
                self.context if isinstance(self.context, Text) else Text(self.context),
                classes="modal-context",
            )
            yield from self.fields()
            with Horizontal(classes="buttons"):
                yield Button(t("ui.save"), id="save", variant="primary")
                yield Button(t("ui.cancel"), id="cancel")

    def on_mount(self) -> None:
        fields = self.query(FormField)
        if fields:
            focus_now(fields.first().control)

    def fields(self) -> ComposeResult:  # pragma: no cover - overridden
        yield from ()

    def collect(self) -> object:  # pragma: no cover - overridden
        raise NotImplementedError

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        clear_errors(self)
        try:
            self._save(self.collect())
        except ValidationError as error:
            for message in show_errors(self, error):
                self.notify(message, severity="error", markup=False)
            return
        except CasebookError as error:
            self.app.show_error(error)
            return
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class StepDoneModal(QuickModal):
    """Mark a follow-up step done: the result, and the day it was done."""

    title_key = "ui.modal.step_done"

    def __init__(self, context, save, *, today):
        super().__init__(context, save)
        self.today = today

    def fields(self) -> ComposeResult:
        yield FormField("result", "ui.field.result", TextArea(id="result"))
        yield FormField("done_on", "ui.field.done_on", DateInput(self.today, id="done-on"))

    def collect(self) -> dict:
        return {
            "result": self.query_one("#result", TextArea).text,
            "done_on": self.query_one("#done-on", DateInput).value,
        }


class AddStepModal(QuickModal):
    """Add a follow-up step to a case: its type, when it is due, a description."""

    title_key = "ui.modal.add_step"

    def fields(self) -> ComposeResult:
        yield FormField(
            "step_type",
            "ui.field.step_type",
            CodeSelect("step_types", id="step-type"),
            required=True,
        )
        yield FormField("due_on", "ui.field.due_on", DateInput(id="due-on"))
        yield FormField("description", "ui.field.description", Input(id="description"))

    def collect(self) -> StepInput:
        return StepInput(
            step_type=self.query_one("#step-type", CodeSelect).code or "",
            due_on=self.query_one("#due-on", DateInput).value,
            description=self.query_one("#description", Input).value,
        )


class ContactModal(QuickModal):
    """Log a contact moment: channel, with whom (their role), a short summary."""

    title_key = "ui.modal.contact"

    def fields(self) -> ComposeResult:
        yield FormField(
            "channel",
            "ui.field.contact_channel",
            CodeSelect("contact_channels", id="channel"),
            required=True,
        )
        yield FormField(
            "counterpart_role",
            "ui.field.counterpart_role",
            CodeSelect("counterpart_roles", id="counterpart"),
            required=True,
        )
        yield FormField("summary", "ui.field.summary", TextArea(id="summary"))

    def collect(self) -> ContactInput:
        return ContactInput(
            channel=self.query_one("#channel", CodeSelect).code or "",
            counterpart_role=self.query_one("#counterpart", CodeSelect).code or "",
            summary=self.query_one("#summary", TextArea).text,
        )
