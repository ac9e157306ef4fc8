"""Deadlines: the start of the bedenktijd (its end and a reminder step follow), an
aangifte date, a promised call-back or another date; and a person's B8 status.

The form shows the fields of the chosen kind: the end and its explanation only for a
bedenktijd, a note for the others, only the B8 status when no kind is chosen. A
bedenktijd or B8 status for a Dutch national is asked about before it is saved (they do
not apply; a warning, not a refusal)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.widgets import Input, Label, Select, Static

from casebook.errors import FieldError, ValidationError
from casebook.i18n import t
from casebook.services import deadlines
from screens.case_form_modal import FormModal, select_value
from screens.case_referral_modal import PersonSelect
from screens.widgets.forms import CodeSelect, DateInput, FormField

KINDS = ("BEDENKTIJD", "AANGIFTE", "CALLBACK", "OTHER")


class DeadlineModal(FormModal):
    TITLE_KEY = "case.deadline.add_title"

    def __init__(
        self,
        case_id: int,
        persons: list[tuple[int, str]],
        *,
        person_id: int | None = None,
        b8_status: str | None = None,
        kind: str = "BEDENKTIJD",
        today=None,
    ):
        super().__init__()
        self.case_id = case_id
        self.persons = persons
        self.person_id = person_id
        self.b8_status = b8_status
        self.kind = kind
        self.today = today

    def hint(self) -> Text:
        return self._hint_for(self.kind)

    @staticmethod
    def _hint_for(kind) -> Text:
        return Text(t(f"casefile.deadline.hint.{kind if kind in KINDS else 'none'}"))

    def on_mount(self) -> None:
        self._show_kind(self.kind)

    @on(Select.Changed, "#deadline-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self._show_kind(select_value(event.select))

    def _show_kind(self, kind) -> None:
        """Only the fields of the chosen kind (see the module's text)."""
        self.query_one(".form-hint", Static).update(self._hint_for(kind))
        self.query_one("#field-starts-on").display = kind is not None
        self.query_one("#field-due-on").display = kind == "BEDENKTIJD"
        self.query_one("#field-note").display = kind not in (None, "BEDENKTIJD")
        label = "casefile.deadline.start" if kind == "BEDENKTIJD" else "casefile.deadline.date"
        self.query_one("#field-starts-on Label.field-label", Label).update(Text(t(label)))

    def fields(self) -> ComposeResult:
        yield FormField(
            "kind",
            "case.deadline.kind_label",
            Select(
                [(Text(t(f"case.deadline.kinds.{k}")), k) for k in KINDS],
                prompt=t("case.deadline.kind_none"),
                value=self.kind,
                id="deadline-kind",
            ),
        )
        yield FormField(
            "person_id",
            "case.deadline.person",
            PersonSelect(self.persons, self.person_id, id="deadline-person"),
        )
        yield FormField(
            "starts_on", "case.deadline.date", DateInput(self.today, id="deadline-date")
        )
        yield FormField("due_on", "case.deadline.end", DateInput(id="deadline-end"))
        yield FormField("note", "case.deadline.note", Input(id="deadline-note"))
        yield FormField(
            "b8_status",
            "case.deadline.b8",
            CodeSelect("b8_statuses", value=self.b8_status, id="deadline-b8"),
        )

    def collect(self) -> dict:
        return {
            "kind": select_value(self.query_one("#deadline-kind", Select)),
            "person_id": select_value(self.query_one("#deadline-person", Select)),
            "date": self.query_one("#deadline-date", DateInput).value,
            "end": self.query_one("#deadline-end", DateInput).value,
            "note": self.query_one("#deadline-note", Input).value,
            "b8": self.query_one("#deadline-b8", CodeSelect).code,
        }

    def warning(self, session, data: dict):
        b8 = data["b8"] if data["b8"] != self.b8_status else None
        return deadlines.b8_warning(
            session, data["person_id"], bedenktijd=data["kind"] == "BEDENKTIJD", b8=b8
        )

    def apply(self, session, data: dict):
        kind, person_id = data["kind"], data["person_id"]
        b8_changed = data["b8"] is not None and data["b8"] != self.b8_status
        if kind is None and not b8_changed:
            raise ValidationError([FieldError("kind", "error.required")])
        if b8_changed and person_id is None:
            raise ValidationError([FieldError("person_id", "case.deadline.b8_needs_person")])
        result = None
        if kind == "BEDENKTIJD":
            result = deadlines.set_bedenktijd(
                session, self.case_id, data["date"], end=data["end"] or None, person_id=person_id
            )
        elif kind is not None:
            try:
                result = deadlines.add_deadline(
                    session,
                    self.case_id,
                    kind,
                    data["date"],
                    person_id=person_id,
                    note=data["note"],
                )
            except ValidationError as error:
                # add_deadline calls the one date "due_on"; here it is the date field.
                for e in error.errors:
                    if e.field == "due_on":
                        e.field = "starts_on"
                raise
        if b8_changed:
            deadlines.set_b8_status(session, person_id, data["b8"])
        return result
