"""Referral forms: request shelter or care for a person (the expected reply becomes a
step), and record what came of it: placed, refused, ended or withdrawn, with a date."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input, Select

from casebook import refdata
from casebook.dates import format_date
from casebook.i18n import t
from casebook.services import referrals
from casebook.services.referrals import TRANSITIONS, VIA_COMENSHA, ReferralInput
from screens.case_form_modal import FormModal, options, select_value
from screens.case_step_modal import OrganisationSelect
from screens.widgets.forms import CodeSelect, DateInput, FormField


class PersonSelect(Select):
    def __init__(self, persons: list[tuple[int, str]], value: int | None = None, **kw):
        super().__init__(
            options(persons),
            prompt=t("case.form.no_person"),
            allow_blank=True,
            value=value if value is not None else Select.NULL,
            **kw,
        )


class ReferralModal(FormModal):
    TITLE_KEY = "case.referral.add_title"

    def __init__(
        self,
        case_id: int,
        persons: list[tuple[int, str]],
        organisations: list[tuple[int, str]],
        *,
        person_id: int | None = None,
        today=None,
    ):
        super().__init__()
        self.case_id = case_id
        self.persons = persons
        self.organisations = organisations
        self.person_id = person_id
        self.today = today

    def fields(self) -> ComposeResult:
        yield FormField(
            "person_id",
            "case.referral.person",
            PersonSelect(self.persons, self.person_id, id="ref-person"),
        )
        yield FormField(
            "shelter_type",
            "case.referral.type",
            CodeSelect("shelter_types", id="ref-type"),
            required=True,
        )
        yield FormField(
            "organisation_id",
            "case.referral.organisation",
            OrganisationSelect(self.organisations, id="ref-org"),
        )
        yield FormField(
            "requested_on",
            "case.referral.requested_on",
            DateInput(self.today, id="ref-requested"),
            required=True,
        )
        yield FormField("reply_due_on", "case.referral.reply_due", DateInput(id="ref-reply-due"))
        yield FormField("note", "case.referral.note", Input(id="ref-note"))

    def collect(self) -> ReferralInput:
        return ReferralInput(
            shelter_type=self.query_one("#ref-type", CodeSelect).code or "",
            person_id=select_value(self.query_one("#ref-person", Select)),
            organisation_id=select_value(self.query_one("#ref-org", Select)),
            requested_on=self.query_one("#ref-requested", DateInput).value,
            reply_due_on=self.query_one("#ref-reply-due", DateInput).value,
            note=self.query_one("#ref-note", Input).value,
        )

    def warning(self, session, data: ReferralInput) -> str | None:
        from screens.consent_question import consent_question

        if data.shelter_type not in VIA_COMENSHA:
            return None
        return consent_question(
            session, self.case_id, data.shelter_type, data.person_id, today=self.app.today()
        )

    def apply(self, session, data: ReferralInput):
        return referrals.request_referral(session, self.case_id, data, today=self.today)


class ReferralStatusModal(FormModal):
    """What came of a referral: the next status and its date."""

    TITLE_KEY = "case.referral.status_title"

    def __init__(self, referral, *, today=None):
        super().__init__()
        self.referral = referral
        self.today = today

    def hint(self) -> Text:
        r = self.referral
        return Text(
            f"{refdata.label('shelter_types', r.shelter_type)} · "
            f"{refdata.label('referral_statuses', r.status)} · {format_date(r.requested_on)}"
        )

    def fields(self) -> ComposeResult:
        allowed = [
            c
            for c in refdata.ref("referral_statuses").codes()
            if c in TRANSITIONS[self.referral.status]
        ]
        yield FormField(
            "status",
            "case.referral.new_status",
            CodeSelect("referral_statuses", codes=allowed, id="ref-status"),
            required=True,
        )
        yield FormField("on", "case.referral.on", DateInput(self.today, id="ref-on"))
        yield FormField("note", "case.referral.note", Input(id="ref-status-note"))

    def collect(self) -> dict:
        return {
            "status": self.query_one("#ref-status", CodeSelect).code or "",
            "on": self.query_one("#ref-on", DateInput).value,
            "note": self.query_one("#ref-status-note", Input).value,
        }

    def warning(self, session, data: dict) -> str | None:
        """A placement through CoMensha recorded without the consent it needs."""
        from screens.consent_question import consent_question

        r = self.referral
        if data["status"] != "PLACED" or r.shelter_type not in VIA_COMENSHA:
            return None
        return consent_question(
            session, r.case_id, r.shelter_type, r.person_id, today=self.app.today()
        )

    def apply(self, session, data: dict):
        return referrals.set_referral_status(
            session,
            self.referral.id,
            data["status"],
            on=data["on"] or None,
            note=data["note"],
            expected_version=self.referral.version,
        )
