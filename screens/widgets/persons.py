"""The persons involved in a signal, as rows the officer adds and removes.

Each row has a serial number that never changes, so its fields keep their widget ids
(`field-persons-<serial>-name`) while rows above it are removed; the screen maps the
core's positional field names (`persons.0.name`) to serials before showing errors.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Static

from casebook.i18n import t
from casebook.services.intake import PersonInput
from screens.widgets.forms import CodeSelect, FormField


class PersonRow(Vertical):
    """One person: role, gender, birth year or age, nationality, name/alias, contact."""

    DEFAULT_CSS = """
    PersonRow { height: auto; border: round $panel-lighten-2; padding: 0 1; margin-bottom: 1; }
    PersonRow > Horizontal.person-head { height: auto; }
    PersonRow > Horizontal.person-head > Static { width: 1fr; text-style: bold; padding-top: 1; }
    PersonRow > Horizontal.person-head > Button { min-width: 12; }
    PersonRow > .person-grid {
        layout: grid; grid-size: 3; grid-columns: 1fr 1fr 1fr; grid-gutter: 0 1; height: auto;
    }
    PersonRow FormField { margin: 0; }
    """

    class Removed(Message):
        def __init__(self, row: PersonRow):
            super().__init__()
            self.row = row

    def __init__(self, serial: int, number: int):
        super().__init__(id=f"person-{serial}", classes="person-row")
        self.serial = serial
        self.number = number

    def _field_name(self, field: str) -> str:
        return f"persons.{self.serial}.{field}"

    def _control_id(self, field: str) -> str:
        return f"p{self.serial}-{field}"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="person-head"):
            yield Static(Text(t("intake.person_n", n=self.number)), classes="person-number")
            yield Button(t("intake.person_remove"), id=f"remove-{self.serial}", classes="remove")
        with Vertical(classes="person-grid"):
            yield FormField(
                self._field_name("role"),
                "intake.field.person_role",
                CodeSelect(
                    "person_roles", value="VICTIM", allow_blank=False, id=self._control_id("role")
                ),
            )
            yield FormField(
                self._field_name("gender"),
                "intake.field.gender",
                CodeSelect(
                    "genders", value="UNKNOWN", allow_blank=False, id=self._control_id("gender")
                ),
            )
            yield FormField(
                self._field_name("nationality"),
                "intake.field.nationality",
                CodeSelect(
                    "countries", value="XX", allow_blank=False, id=self._control_id("nationality")
                ),
            )
            yield FormField(
                self._field_name("birth_year"),
                "intake.field.birth_year",
                Input(id=self._control_id("birth_year"), placeholder=t("intake.placeholder.year")),
            )
            yield FormField(
                self._field_name("age"),
                "intake.field.age",
                Input(id=self._control_id("age"), max_length=3),
            )
            yield FormField(
                self._field_name("name"), "intake.field.name", Input(id=self._control_id("name"))
            )
            yield FormField(
                self._field_name("contact"),
                "intake.field.contact",
                Input(id=self._control_id("contact")),
            )

    def renumber(self, number: int) -> None:
        self.number = number
        self.query_one(".person-number", Static).update(Text(t("intake.person_n", n=number)))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("remove"):
            event.stop()
            self.post_message(self.Removed(self))

    def value(self) -> PersonInput:
        def text(field: str) -> str:
            return self.query_one(f"#{self._control_id(field)}", Input).value

        def code(field: str) -> str:
            return self.query_one(f"#{self._control_id(field)}", CodeSelect).code or ""

        return PersonInput(
            role=code("role"),
            gender=code("gender"),
            nationality=code("nationality"),
            birth_year=text("birth_year").strip() or None,
            age=text("age").strip() or None,
            name=text("name"),
            contact=text("contact"),
        )
