"""Form building blocks shared by every screen with input.

- `literal()` turns anything the officer typed into a Rich `Text`, so markup such as
  `[red]` and control codes are shown as typed and never interpreted.
- `FormField` is a label, a control and an error line beside it.
- `CodeSelect` picks a code from a reference list; `DateInput` takes dd-mm-jjjj or ISO.
- `show_errors()` puts a `ValidationError`'s messages beside their fields and keeps
  everything typed; `clear_errors()` removes them.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Static

from casebook import refdata
from casebook.dates import format_date, parse_date
from casebook.errors import FieldError, ValidationError
from casebook.i18n import t
from casebook.text import one_line, printable
from screens.widgets.focus import focus_now


def literal(value: object, *, multiline: bool = False, limit: int | None = None) -> Text:
    """User text as a Rich Text: literal, control characters made visible."""
    text = "" if value is None else str(value)
    if limit is not None:
        return Text(one_line(text, limit))
    return Text(printable(text, multiline=multiline))


def show_harmlessly(control: Widget) -> Widget:
    """An Input or TextArea filled with stored text shows its control characters
    visibly (ESC as ␛): Textual would send them to the terminal as they are, and an
    OSC sequence in a name would retitle the window. Called before the control is
    mounted, so a form's fingerprint of what it showed is taken after."""
    from textual.widgets import TextArea

    if isinstance(control, Input) and control.value != printable(control.value):
        control.value = printable(control.value)
    elif isinstance(control, TextArea):
        shown = printable(control.text, multiline=True).replace("\u2409", "\t")
        if shown != control.text:
            control.text = shown
    return control


def field_id(name: str) -> str:
    """The widget id of the FormField for a service field name (`persons.0.name`)."""
    return "field-" + name.replace(".", "-").replace("_", "-")


class FormField(Vertical):
    """A labelled control with its error message right below it."""

    DEFAULT_CSS = """
    FormField { height: auto; margin: 0 0 1 0; }
    FormField > Label.field-label { color: $text-muted; }
    FormField > .field-error { color: $error; height: auto; display: none; }
    FormField.-invalid > .field-error { display: block; }
    FormField.-invalid > Input, FormField.-invalid > Select { border: tall $error; }
    """

    def __init__(self, name: str, label_key: str, control: Widget, *, required: bool = False):
        super().__init__(id=field_id(name))
        self.field_name = name
        self.label_key = label_key
        self.control = show_harmlessly(control)
        self.required = required

    def compose(self) -> ComposeResult:
        label = t(self.label_key) + (" *" if self.required else "")
        yield Label(Text(label), classes="field-label")
        yield self.control
        yield Static("", classes="field-error", markup=False)

    def set_error(self, message: str | None) -> None:
        self.set_class(bool(message), "-invalid")
        # "⚠" as well as colour: the state never rests on colour alone.
        self.query_one(".field-error", Static).update(Text(f"⚠ {message}") if message else "")


class CodeSelect(Select):
    """A Select over a reference list; its value is the code (or None)."""

    def __init__(
        self,
        list_name: str,
        *,
        value: str | None = None,
        allow_blank: bool = True,
        codes: list[str] | None = None,
        **kwargs,
    ):
        ref = refdata.ref(list_name)
        items = [ref.get(c) for c in codes] if codes is not None else ref.shown()
        options = [(Text(item.label), item.code) for item in items if item is not None]
        super().__init__(
            options,
            prompt=kwargs.pop("prompt", None) or t("form.choose"),
            allow_blank=allow_blank,
            value=value if value is not None else Select.NULL,
            **kwargs,
        )

    @property
    def code(self) -> str | None:
        return None if self.value is Select.NULL else self.value


class DateInput(Input):
    """A date field: dd-mm-jjjj (ISO accepted). Checks itself when it loses focus."""

    def __init__(self, value=None, **kwargs):
        text = format_date(value) if value is not None and not isinstance(value, str) else value
        super().__init__(value=text or "", placeholder=t("form.date_placeholder"), **kwargs)

    def on_blur(self) -> None:
        field = next((a for a in self.ancestors if isinstance(a, FormField)), None)
        if field is None:
            return
        if not self.value.strip():
            field.set_error(None)
            return
        try:
            parse_date(self.value)
        except ValueError:
            field.set_error(t("error.date"))
        else:
            field.set_error(None)


def renumbered(error: ValidationError, prefix: str, serials: list[int]) -> ValidationError:
    """The core names the fields of repeated rows by position (`persons.0.name`); a form
    whose rows can be removed names them by a stable serial. Map one onto the other."""
    fixed = []
    for err in error.errors:
        name = err.field
        if name.startswith(f"{prefix}."):
            _, index, rest = name.split(".", 2)
            if index.isdigit() and int(index) < len(serials):
                name = f"{prefix}.{serials[int(index)]}.{rest}"
        fixed.append(FieldError(name, err.key, err.params))
    return ValidationError(fixed)


def clear_errors(root: Widget) -> None:
    for field in root.query(FormField):
        field.set_error(None)


def show_errors(root: Widget, error: ValidationError) -> list[str]:
    """Show each field error beside its field; focus the first. Returns the messages
    that had no field on this form (to be shown in a notification instead)."""
    clear_errors(root)
    unplaced: list[str] = []
    first = None
    for name, message in error.by_field().items():
        matches = root.query(f"#{field_id(name)}")
        if matches:
            field = matches.first(FormField)
            field.set_error(message)
            first = first or field
        else:
            unplaced.append(f"{name}: {message}")
    if first is not None:
        focus_now(first.control)
    return unplaced
