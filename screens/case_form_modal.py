"""The pop-up form: every form modal of the case file, the directory, the trainings and
Today's quick forms. It is the one form base (`screens.form_base.FormBase`) on a modal
screen: a title, an optional hint, the fields, Save and Cancel, the keys in the footer.
On success it dismisses with what `apply()` returned (or True); Escape dismisses with
None (asking first when something typed would be lost)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Select, Static

from casebook.i18n import t
from screens.form_base import FormBase
from screens.widgets.focus import focus_now
from screens.widgets.footer import KeyFooter
from screens.widgets.forms import FormField, literal


class FormModal(FormBase, ModalScreen):
    DEFAULT_CSS = """
    FormModal { align: center middle; }
    FormModal > VerticalScroll {
        width: 84; max-width: 95%; height: auto; max-height: 95%;
        padding: 0 2; border: thick $primary; background: $panel;
    }
    FormModal .form-title { text-style: bold; margin: 1 0 1 0; }
    FormModal FormField > Label.field-label { margin: 0; }
    FormModal .form-hint { color: $text-muted; margin: 0 0 1 0; }
    FormModal .form-buttons { height: auto; margin: 0 0 1 0; }
    FormModal .form-buttons Button { margin-right: 2; }
    FormModal Input, FormModal Select { width: 100%; }
    FormModal TextArea { height: 5; }
    """
    # A pop-up is modal: Textual stops the App's keys at it. The ways out of casebook
    # are bound here too, so they ask (unsaved input) or leave, instead of doing nothing.
    BINDINGS = [
        *FormBase.FORM_BINDINGS,
        *(
            Binding(key, f"app.{action}", label, id=f"form.{action}", show=False)
            for key, action, label in (
                ("ctrl+q", "quit", "key.quit"),
                ("f2", "today", "key.today"),
                ("f3", "cases", "key.cases"),
                ("f6", "statistics", "key.statistics"),
                ("f7", "directory", "key.directory"),
                ("f8", "trainings", "key.trainings"),
                ("f9", "settings", "key.settings"),
            )
        ),
    ]

    #: catalogue key of the heading
    TITLE_KEY = ""

    def heading(self) -> Text:
        return Text(t(self.TITLE_KEY))

    def hint(self) -> Text | None:
        return None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.heading(), classes="form-title")
            hint = self.hint()
            if hint is not None:
                yield Static(hint, classes="form-hint")
            yield from self.fields()
            with Horizontal(classes="form-buttons"):
                yield Button(t("case.form.save"), id="form-save", variant="primary", compact=True)
                yield Button(t("case.form.cancel"), id="form-cancel", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        # Compact controls (no borders): a whole form fits a 24-line terminal.
        for control in self.query("Input, Select"):
            control.compact = True
        first = self.query(FormField).first() if self.query(FormField) else None
        if first is not None:
            focus_now(first.control)
        self.call_after_refresh(self.mark_clean)

    def fields(self) -> ComposeResult:
        yield from ()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "form-save":
            event.stop()
            self.action_save()
        elif event.button.id == "form-cancel":
            event.stop()
            self.action_leave()

    def close_form(self, result=None) -> None:
        self.dismiss(result)


def select_value(select: Select):
    """A Select's value, or None when blank."""
    return None if select.value is Select.NULL else select.value


def options(pairs) -> list[tuple[Text, object]]:
    """(value, label) pairs, e.g. (id, name), as Select options with literal labels."""
    return [(literal(label, limit=70), value) for value, label in pairs]
