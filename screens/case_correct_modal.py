"""Corrections of one-key actions: a settled step reopened or corrected (how it was
settled, its result, its date), and a referral's outcome and dates corrected. The
rules are the core's (`steps.correct_step`, `referrals.correct_referral`); every change
is in the timeline."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select

from casebook import refdata
from casebook.dates import format_date
from casebook.i18n import t
from casebook.models import STEP_OPEN
from casebook.services import referrals, steps
from casebook.services.steps import result_text
from screens.case_form_modal import FormModal, select_value
from screens.case_step_modal import step_label
from screens.widgets.forms import CodeSelect, DateInput, FormField

STEP_STATUSES = ("OPEN", "DONE", "CANCELLED", "CARRIED")


class StepCorrectModal(FormModal):
    """A settled step: open it again, or correct how and when it was settled."""

    TITLE_KEY = "correct.step.title"

    def __init__(self, step):
        super().__init__()
        self.step = step

    def hint(self) -> Text:
        return step_label(self.step)

    def fields(self) -> ComposeResult:
        yield FormField(
            "status",
            "correct.step.status",
            Select(
                [(Text(t(f"correct.step.status_{s.lower()}")), s) for s in STEP_STATUSES],
                value=self.step.status,
                allow_blank=False,
                id="correct-status",
            ),
            required=True,
        )
        yield FormField(
            "result", "case.step.result", Input(result_text(self.step), id="correct-result")
        )
        yield FormField(
            "done_on", "case.step.done_on", DateInput(self.step.done_on, id="correct-done-on")
        )

    def collect(self) -> dict:
        return {
            "status": select_value(self.query_one("#correct-status", Select)),
            "result": self._result(self.query_one("#correct-result", Input).value),
            "done_on": self.query_one("#correct-done-on", DateInput).value,
        }

    def _result(self, shown: str) -> str:
        # a referral's reply is shown by its label; left as shown, its code stays
        return self.step.result if shown == result_text(self.step) else shown

    def apply(self, session, data: dict):
        if data["status"] == STEP_OPEN:
            return steps.reopen_step(session, self.step.id, expected_version=self.step.version)
        return steps.correct_step(
            session,
            self.step.id,
            status=data["status"] or "",
            result=data["result"],
            done_on=data["done_on"],
            expected_version=self.step.version,
        )


class ReferralCorrectModal(FormModal):
    """A referral's outcome and dates, corrected (the figures follow)."""

    TITLE_KEY = "correct.referral.title"

    def __init__(self, referral):
        super().__init__()
        self.referral = referral

    def hint(self) -> Text:
        r = self.referral
        return Text(
            f"{refdata.label('shelter_types', r.shelter_type)} · "
            f"{refdata.label('referral_statuses', r.status)} · {format_date(r.requested_on)}\n"
            + t("correct.referral.hint")
        )

    def fields(self) -> ComposeResult:
        r = self.referral
        yield FormField(
            "status",
            "correct.referral.status",
            CodeSelect("referral_statuses", value=r.status, allow_blank=False, id="fix-status"),
            required=True,
        )
        yield FormField(
            "requested_on",
            "correct.referral.requested_on",
            DateInput(r.requested_on, id="fix-requested"),
            required=True,
        )
        for name in ("placed_on", "refused_on", "ended_on", "withdrawn_on"):
            yield FormField(
                name,
                f"correct.referral.{name}",
                DateInput(getattr(r, name), id=f"fix-{name.replace('_', '-')}"),
            )

    def collect(self) -> referrals.ReferralCorrection:
        def date(name: str) -> str:
            return self.query_one(f"#fix-{name.replace('_', '-')}", DateInput).value

        return referrals.ReferralCorrection(
            status=self.query_one("#fix-status", CodeSelect).code or "",
            requested_on=self.query_one("#fix-requested", DateInput).value,
            placed_on=date("placed_on"),
            refused_on=date("refused_on"),
            ended_on=date("ended_on"),
            withdrawn_on=date("withdrawn_on"),
        )

    def apply(self, session, data):
        return referrals.correct_referral(
            session, self.referral.id, data, expected_version=self.referral.version
        )
