"""Consent per person and purpose: given or withdrawn, dated, and how it was recorded.
Each save is a new dated event; the latest per person and purpose counts."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select

from casebook.errors import FieldError, ValidationError
from casebook.i18n import t
from casebook.services import consent
from casebook.services.consent import ConsentInput
from screens.case_form_modal import FormModal, select_value
from screens.case_referral_modal import PersonSelect
from screens.case_step_modal import OrganisationSelect
from screens.widgets.forms import CodeSelect, DateInput, FormField


class ConsentModal(FormModal):
    TITLE_KEY = "case.consent.add_title"

    def __init__(
        self,
        persons: list[tuple[int, str]],
        organisations: list[tuple[int, str]],
        *,
        person_id: int | None = None,
        preset: ConsentInput | None = None,
        today=None,
    ):
        super().__init__()
        self.persons = persons
        self.organisations = organisations
        self.person_id = person_id
        self.preset = preset or ConsentInput()
        self.today = today

    def fields(self) -> ComposeResult:
        p = self.preset
        yield FormField(
            "person_id",
            "case.consent.person",
            PersonSelect(self.persons, self.person_id, id="consent-person"),
            required=True,
        )
        yield FormField(
            "purpose",
            "case.consent.purpose",
            CodeSelect("consent_purposes", value=p.purpose or None, id="consent-purpose"),
            required=True,
        )
        yield FormField(
            "given",
            "case.consent.given",
            Select(
                [(Text(t("case.consent.yes")), True), (Text(t("case.consent.no")), False)],
                allow_blank=False,
                value=bool(p.given),
                id="consent-given",
            ),
        )
        yield FormField(
            "recorded_on",
            "case.consent.recorded_on",
            DateInput(self.today, id="consent-on"),
            required=True,
        )
        yield FormField(
            "method",
            "case.consent.method",
            CodeSelect("consent_methods", value=p.method or None, id="consent-method"),
            required=True,
        )
        # who signed: under 16 a parent or guardian (consent.consent_gaps)
        yield FormField(
            "given_by",
            "consent.given_by",
            CodeSelect(
                "consent_givers",
                value=p.given_by or "PERSON",
                allow_blank=False,
                id="consent-given-by",
            ),
            required=True,
        )
        yield FormField(
            "organisation_id",
            "case.consent.organisation",
            OrganisationSelect(self.organisations, p.organisation_id, id="consent-org"),
        )
        yield FormField("note", "case.consent.note", Input(id="consent-note"))

    def collect(self) -> tuple[int | None, ConsentInput]:
        return (
            select_value(self.query_one("#consent-person", Select)),
            ConsentInput(
                purpose=self.query_one("#consent-purpose", CodeSelect).code or "",
                given=bool(self.query_one("#consent-given", Select).value),
                recorded_on=self.query_one("#consent-on", DateInput).value,
                method=self.query_one("#consent-method", CodeSelect).code or "",
                organisation_id=select_value(self.query_one("#consent-org", Select)),
                note=self.query_one("#consent-note", Input).value,
                given_by=self.query_one("#consent-given-by", CodeSelect).code or "PERSON",
            ),
        )

    def apply(self, session, data):
        person_id, values = data
        if person_id is None:
            raise ValidationError([FieldError("person_id", "error.required")])
        return consent.record_consent(session, person_id, values)
