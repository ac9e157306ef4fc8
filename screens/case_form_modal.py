"""The base of every form modal in the case file, the directory and the trainings.

A form modal gathers input on the UI thread (`collect()`), then saves it in a worker
thread in one write transaction (`apply()`). A refusal leaves the modal open with
everything typed: field errors beside their fields, other refusals as a notification.
An optional `warning()` (read-only) asks the officer to confirm before saving, e.g. a
CoMensha referral without consent on record. On success the modal dismisses with
what `apply()` returned (or True).
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Select, Static

from casebook.errors import CasebookError, StaleEditError, ValidationError
from casebook.i18n import t
from screens.widgets.confirm import ConfirmModal
from screens.widgets.focus import focus_now
from screens.widgets.footer import KeyFooter
from screens.widgets.forms import FormField, clear_errors, literal, show_errors


class FormModal(ModalScreen):
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
    BINDINGS = [
        Binding("ctrl+s,f2", "save", "case.key.save", id="form.save"),
        Binding("escape", "cancel", "case.key.cancel", id="form.cancel"),
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

    # -- to be filled in by each form ------------------------------------------------

    def fields(self) -> ComposeResult:
        yield from ()

    def collect(self):
        """What was typed, read on the UI thread."""
        raise NotImplementedError

    def warning(self, session, data) -> str | None:
        """A question to confirm before saving, or None."""
        return None

    def apply(self, session, data):
        """Save `data` in `session` (a write transaction); runs in a worker thread."""
        raise NotImplementedError

    # -- saving ------------------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "form-save":
            event.stop()
            self.action_save()
        elif event.button.id == "form-cancel":
            event.stop()
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    _saving = False

    def action_save(self) -> None:
        if self._saving:  # a second ctrl+s while the first is being written
            return
        clear_errors(self)
        self._saving = True
        self._save(self.collect(), confirmed=False)

    @work(thread=True, exclusive=True, group="form-save")
    def _save(self, data, confirmed: bool) -> None:
        try:
            self._save_now(data, confirmed)
        finally:
            self.app.call_from_thread(setattr, self, "_saving", False)

    def _save_now(self, data, confirmed: bool) -> None:
        app = self.app
        try:
            if not confirmed:
                with app.casebook.read() as session:
                    question = self.warning(session, data)
                if question:
                    app.call_from_thread(self._ask, question, data)
                    return
            with app.casebook.write() as session:
                result = self.apply(session, data)
        except ValidationError as error:
            app.call_from_thread(self._invalid, error)
            return
        except StaleEditError as error:
            # Someone changed it meanwhile: say so and close; the screen reloads.
            app.call_from_thread(self._stale, error)
            return
        except CasebookError as error:
            app.call_from_thread(app.show_error, error)
            return
        app.call_from_thread(self._saved, True if result is None else result)

    def _ask(self, question: str, data) -> None:
        def answered(yes: bool | None) -> None:
            if yes and not self._saving:
                self._saving = True
                self._save(data, confirmed=True)

        self.app.push_screen(ConfirmModal(question), answered)

    def _invalid(self, error: ValidationError) -> None:
        for message in show_errors(self, error):
            self.notify(message, severity="error", markup=False)

    def _stale(self, error: StaleEditError) -> None:
        self.app.show_error(error)
        self.dismiss(None)

    def _saved(self, result) -> None:
        self.dismiss(result)


def select_value(select: Select):
    """A Select's value, or None when blank."""
    return None if select.value is Select.NULL else select.value


def options(pairs) -> list[tuple[Text, object]]:
    """(value, label) pairs, e.g. (id, name), as Select options with literal labels."""
    return [(literal(label, limit=70), value) for value, label in pairs]
