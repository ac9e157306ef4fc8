"""Small forms that act on one row of the Today board without leaving it: mark a step
done (with its result), add a step, log a contact moment.

They are pop-up forms like every other (`screens.case_form_modal.FormModal`): saved in a
worker through the one door, asking before unsaved input is dropped, and not saved
untouched. `context` names what the form acts on (the case; for `d`, the step too).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, TextArea

from casebook.i18n import t
from casebook.services.contacts import ContactInput
from casebook.services.steps import StepInput
from screens.case_form_modal import FormModal
from screens.widgets.forms import CodeSelect, DateInput, FormField


class QuickForm(FormModal):
    """A Today form: its title, and a line naming the case (and step) it acts on."""

    title_key = ""

    def __init__(self, context: Text, target_id: int):
        super().__init__()
        self.context = context
        self.target_id = target_id

    def heading(self) -> Text:
        return Text(t(self.title_key))

    def hint(self) -> Text:
        return self.context


class StepDoneModal(QuickForm):
    """Mark a follow-up step done: the result, and the day it was done."""

    title_key = "ui.modal.step_done"

    def __init__(self, context, step_id: int, *, today):
        super().__init__(context, step_id)
        self.today = today

    def fields(self) -> ComposeResult:
        yield FormField("result", "ui.field.result", TextArea(id="result"))
        yield FormField("done_on", "ui.field.done_on", DateInput(self.today, id="done-on"))

    def collect(self) -> dict:
        return {
            "result": self.query_one("#result", TextArea).text,
            "done_on": self.query_one("#done-on", DateInput).value,
        }

    def apply(self, session, data: dict):
        from casebook.services.steps import complete_step

        return complete_step(
            session, self.target_id, result=data["result"], done_on=data["done_on"]
        )

    def warning(self, session, data: dict) -> str | None:
        """Completing a CoMensha step without the consent it needs is asked first."""
        from casebook.models import FollowUpStep
        from screens.consent_question import consent_question

        step = session.get(FollowUpStep, self.target_id)
        if step is None:
            return None
        return consent_question(session, step.case_id, step.step_type, today=self.app.today())


class AddStepModal(QuickForm):
    """Add a follow-up step to a case: its type, when it is due, a description."""

    title_key = "ui.modal.add_step"

    def fields(self) -> ComposeResult:
        yield FormField(
            "step_type",
            "ui.field.step_type",
            CodeSelect("step_types", id="step-type"),
            required=True,
        )
        yield FormField("due_on", "ui.field.due_on", DateInput(id="due-on", due_for="step-type"))
        yield FormField("description", "ui.field.description", Input(id="description"))

    def collect(self) -> StepInput:
        return StepInput(
            step_type=self.query_one("#step-type", CodeSelect).code or "",
            due_on=self.query_one("#due-on", DateInput).value,
            description=self.query_one("#description", Input).value,
        )

    def warning(self, session, data: StepInput) -> str | None:
        from screens.consent_question import consent_question

        return consent_question(session, self.target_id, data.step_type, today=self.app.today())

    def apply(self, session, data: StepInput):
        from casebook.services.steps import add_step

        return add_step(session, self.target_id, data)


class ContactModal(QuickForm):
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

    def apply(self, session, data: ContactInput):
        from casebook.services.contacts import log_contact

        return log_contact(session, self.target_id, data)
