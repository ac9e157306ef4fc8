"""Form building blocks shared by every screen with input.

- `literal()` turns anything the officer typed into a Rich `Text`, so markup such as
  `[red]` and control codes are shown as typed and never interpreted.
- `FormField` is a label, a control and an error line beside it.
- `CodeSelect` picks a code from a reference list; `DateInput` takes a date in a few keys
  (`casebook.date_input`) and shows what it stands for.
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
from casebook.date_input import is_written_out, preview
from casebook.dates import format_date
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

    def show_beside_label(self, text: str) -> None:
        """Words after the label, on its line (a date field's resolved date)."""
        label = t(self.label_key) + (" *" if self.required else "")
        found = self.query(".field-label")
        if found:
            found.first(Label).update(Text(f"{label}  {text}" if text else label))

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
        self.list_name = list_name
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
    """A date field: a full date or a few keys (`+2`, `morgen`, `vr`, `3-12`: see
    `casebook.date_input`). What it stands for is shown on the field's lower edge as it
    is typed ("→ do 03-12-2026"); what is no date is said beside the field when the
    focus leaves it, and the form's save writes the resolved date into the field before
    reading it (`resolve_date_fields`), so the core gets the date that was shown."""

    # room for dd-mm-jjjj and the cursor, inside a border and its padding
    DEFAULT_CSS = """
    DateInput { min-width: 16; }
    """

    def __init__(self, value=None, *, due_for: str | None = None, **kwargs):
        """`due_for`: the id of the step-type select whose usual due date this field
        takes when a type is chosen (`casebook.due_days`), unless the officer typed one."""
        text = format_date(value) if value is not None and not isinstance(value, str) else value
        super().__init__(value=text or "", placeholder=t("form.date_placeholder"), **kwargs)
        self.due_for = due_for
        self._suggested = ""  # the date last filled in for a step type

    def on_mount(self) -> None:
        self._show_resolved()

    def suggest(self, day) -> None:
        """Fill in `day` (None: take back the last suggestion) unless the officer has
        typed a date of their own."""
        if self.value.strip() not in ("", self._suggested):
            return
        self._suggested = format_date(day) if day is not None else ""
        self.value = self._suggested

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self:
            self._show_resolved()
            field = self._field()
            # the error said before no longer holds once the text is a date
            invalid = field is not None and field.has_class("-invalid")
            if invalid and preview(self.value)[0] is not None:
                field.set_error(None)

    def _field(self) -> FormField | None:
        return next((a for a in self.ancestors if isinstance(a, FormField)), None)

    def _show_resolved(self) -> None:
        day, words = preview(self.value)
        # a full date typed out needs no echo; a short one shows what it became: on
        # the field's lower edge, or (a compact field in a pop-up has no edge) after
        # its label
        shown = words if day is not None and not is_written_out(self.value) else ""
        field = self._field()
        if self.compact and field is not None:
            field.show_beside_label(shown)
            self.border_subtitle = ""
        else:
            self.border_subtitle = shown

    def resolved(self) -> bool:
        """Write the date the text stands for into the field (dd-mm-jjjj); False if the
        text is no date (then it is left as typed, for the core to refuse beside it)."""
        if not self.value.strip():
            return True
        day, _ = preview(self.value)
        if day is None:
            return False
        if format_date(day) != self.value:
            self.value = format_date(day)
        return True

    def on_blur(self) -> None:
        field = self._field()
        if field is None:
            return
        day, words = preview(self.value)
        field.set_error(words if self.value.strip() and day is None else None)


def suggest_due_dates(root: Widget, select: Select) -> None:
    """A step type was chosen in `select`: the date fields that follow it take its
    usual due date (the officer's own days from the preferences first)."""
    if not isinstance(select, CodeSelect) or select.list_name != "step_types" or not select.id:
        return
    from casebook.due_days import usual_due

    fields = [f for f in root.query(DateInput) if f.due_for == select.id]
    if not fields:
        return
    overrides = getattr(getattr(root.app, "preferences", None), "due_days", None)
    day = usual_due(select.code, overrides)
    for field in fields:
        field.suggest(day)


def resolve_date_fields(root: Widget) -> None:
    """Before a form reads its fields: every date typed in a few keys becomes the date
    shown beside it."""
    for field in root.query(DateInput):
        field.resolved()


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
