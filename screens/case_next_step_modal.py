"""Asked when the last open step of an open case is settled: what is the next step,
or why is there none?

The reason for having no next step is recorded as an evaluation step (type EVAL)
that is added and completed at once with the reason as its result: it shows in the
steps list and the timeline like any other step, and it is erased with the other
free text when retention applies.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Input, Select

from casebook.errors import FieldError, ValidationError
from casebook.i18n import t
from casebook.services import steps
from casebook.services.steps import StepInput
from screens.case_form_modal import FormModal, select_value
from screens.case_step_modal import OrganisationSelect
from screens.widgets.forms import CodeSelect, DateInput, FormField

NO_NEXT_STEP_TYPE = "EVAL"


class NextStepModal(FormModal):
    TITLE_KEY = "case.next.title"

    def __init__(self, case_id: int, organisations: list[tuple[int, str]], *, today=None):
        super().__init__()
        self.case_id = case_id
        self.organisations = organisations
        self.today = today

    def hint(self):
        from rich.text import Text

        return Text(t("case.next.hint"))

    def fields(self) -> ComposeResult:
        yield FormField("step_type", "case.step.type", CodeSelect("step_types", id="next-type"))
        yield FormField(
            "organisation_id",
            "case.step.organisation",
            OrganisationSelect(self.organisations, id="next-org"),
        )
        yield FormField("description", "case.step.description", Input(id="next-description"))
        yield FormField("due_on", "case.step.due", DateInput(id="next-due", due_for="next-type"))
        yield FormField("reason", "case.next.reason", Input(id="next-reason"))

    def collect(self) -> tuple[StepInput, str]:
        return (
            StepInput(
                step_type=self.query_one("#next-type", CodeSelect).code or "",
                organisation_id=select_value(self.query_one("#next-org", Select)),
                description=self.query_one("#next-description", Input).value,
                due_on=self.query_one("#next-due", DateInput).value,
            ),
            self.query_one("#next-reason", Input).value,
        )

    def warning(self, session, data) -> str | None:
        step, _ = data
        from screens.consent_question import consent_question

        if not step.step_type:
            return None
        return consent_question(session, self.case_id, step.step_type, today=self.app.today())

    def apply(self, session, data):
        step, reason = data
        if step.step_type:
            return steps.add_step(session, self.case_id, step)
        if not reason.strip():
            raise ValidationError([FieldError("step_type", "case.next.required")])
        added = steps.add_step(
            session,
            self.case_id,
            StepInput(step_type=NO_NEXT_STEP_TYPE),
        )
        session.flush()
        return steps.complete_step(session, added.id, result=reason, done_on=self.today)
