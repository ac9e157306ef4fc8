"""Follow-up step forms: add or edit a step, settle it (done, cancelled, carried on by a
partner) with a result, and reschedule it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select

from casebook import refdata
from casebook.dates import format_date
from casebook.i18n import collation_key, t
from casebook.services import steps
from casebook.services.steps import StepInput
from screens.case_form_modal import FormModal, options, select_value
from screens.widgets.forms import CodeSelect, DateInput, FormField


class OrganisationSelect(Select):
    """A partner from the directory; type to search."""

    def __init__(self, organisations: list[tuple[int, str]], value: int | None = None, **kw):
        # by name as the officer reads it, case and accents aside ("de Regenboog" among
        # the R's would otherwise come after every capital)
        ordered = sorted(organisations, key=lambda pair: collation_key(pair[1]))
        super().__init__(
            options(ordered),
            prompt=t("case.form.no_organisation"),
            allow_blank=True,
            value=value if value is not None else Select.NULL,
            **kw,
        )


def step_label(step) -> Text:
    label = refdata.label("step_types", step.step_type)
    due = format_date(step.due_on)
    return Text(f"{label} · {due}" if due else label)


class StepModal(FormModal):
    """Add a step to a case, or edit one (`step` given)."""

    def __init__(
        self,
        case_id: int,
        organisations: list[tuple[int, str]],
        *,
        step=None,
        case_version: int | None = None,
        preset: StepInput | None = None,
    ):
        super().__init__()
        self.case_id = case_id
        self.organisations = organisations
        self.step = step
        self.case_version = case_version
        self.preset = preset

    TITLE_KEY = "case.step.add_title"

    def heading(self) -> Text:
        return Text(t("case.step.edit_title" if self.step else "case.step.add_title"))

    def fields(self) -> ComposeResult:
        s = self.step or self.preset or StepInput()
        yield FormField(
            "step_type",
            "case.step.type",
            CodeSelect("step_types", value=s.step_type or None, id="step-type"),
            required=True,
        )
        yield FormField(
            "organisation_id",
            "case.step.organisation",
            OrganisationSelect(self.organisations, s.organisation_id, id="step-org"),
        )
        yield FormField(
            "description",
            "case.step.description",
            Input(s.description or "", id="step-description"),
        )
        yield FormField(
            "due_on", "case.step.due", DateInput(s.due_on, id="step-due", due_for="step-type")
        )

    def collect(self) -> StepInput:
        return StepInput(
            step_type=self.query_one("#step-type", CodeSelect).code or "",
            organisation_id=select_value(self.query_one("#step-org", Select)),
            description=self.query_one("#step-description", Input).value,
            due_on=self.query_one("#step-due", DateInput).value,
        )

    def warning(self, session, data: StepInput) -> str | None:
        from screens.consent_question import consent_question

        if self.step is None:
            return consent_question(session, self.case_id, data.step_type, today=self.app.today())
        return None

    def apply(self, session, data: StepInput):
        if self.step is not None:
            return steps.edit_step(session, self.step.id, data, expected_version=self.step.version)
        return steps.add_step(session, self.case_id, data, expected_version=self.case_version)


SETTLE = {
    "done": ("case.step.done_title", "case.step.result"),
    "cancel": ("case.step.cancel_title", "case.step.reason"),
    "carry": ("case.step.carry_title", "case.step.carry_note"),
}


class StepSettleModal(FormModal):
    """Complete a step with its result, cancel it with a reason, or mark it carried on
    by a partner (it then no longer holds the case open)."""

    def __init__(self, step, mode: str = "done", *, today=None):
        super().__init__()
        self.step = step
        self.mode = mode
        self.today = today

    def heading(self) -> Text:
        return Text(t(SETTLE[self.mode][0]))

    def hint(self) -> Text:
        return step_label(self.step)

    def fields(self) -> ComposeResult:
        yield FormField("result", SETTLE[self.mode][1], Input(id="step-result"))
        if self.mode == "done":
            yield FormField(
                "done_on", "case.step.done_on", DateInput(self.today, id="step-done-on")
            )

    def collect(self) -> dict:
        data = {"result": self.query_one("#step-result", Input).value}
        if self.mode == "done":
            data["done_on"] = self.query_one("#step-done-on", DateInput).value
        return data

    def warning(self, session, data: dict) -> str | None:
        """Completing a CoMensha step without the consent it needs is asked first."""
        from screens.consent_question import consent_question

        if self.mode != "done":
            return None
        return consent_question(
            session, self.step.case_id, self.step.step_type, today=self.app.today()
        )

    def apply(self, session, data: dict):
        version = self.step.version
        if self.mode == "done":
            return steps.complete_step(
                session,
                self.step.id,
                result=data["result"],
                done_on=data["done_on"] or None,
                expected_version=version,
            )
        if self.mode == "cancel":
            return steps.cancel_step(
                session, self.step.id, reason=data["result"], expected_version=version
            )
        return steps.carry_step(
            session, self.step.id, note=data["result"], expected_version=version
        )


class RescheduleModal(FormModal):
    TITLE_KEY = "case.step.reschedule_title"

    def __init__(self, step):
        super().__init__()
        self.step = step

    def hint(self) -> Text:
        return step_label(self.step)

    def fields(self) -> ComposeResult:
        yield FormField(
            "due_on", "case.step.new_due", DateInput(self.step.due_on, id="step-new-due")
        )

    def collect(self) -> str:
        return self.query_one("#step-new-due", DateInput).value

    def apply(self, session, data: str):
        return steps.reschedule_step(
            session, self.step.id, data, expected_version=self.step.version
        )
