"""The quick contact log: `c` anywhere in the case opens it with the summary focused and
everything else filled in (now; the channel, counterpart and person of the last
contact), so `c` then `ctrl+s` logs a contact moment."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select

from casebook.i18n import t
from casebook.services import contacts
from casebook.services.contacts import ContactInput
from screens.case_form_modal import FormModal, select_value
from screens.case_referral_modal import PersonSelect
from screens.widgets.focus import focus_now
from screens.widgets.forms import CodeSelect, DateInput, FormField


class ContactModal(FormModal):
    TITLE_KEY = "case.contact.add_title"

    def __init__(
        self,
        case_id: int,
        persons: list[tuple[int, str]],
        *,
        channel: str = "PHONE",
        counterpart_role: str = "SUBJECT",
        person_id: int | None = None,
    ):
        super().__init__()
        self.case_id = case_id
        self.persons = persons
        self.channel = channel
        self.counterpart_role = counterpart_role
        self.person_id = person_id

    def fields(self) -> ComposeResult:
        yield FormField("summary", "case.contact.summary", Input(id="contact-summary"))
        yield FormField(
            "channel",
            "case.contact.channel",
            CodeSelect("contact_channels", value=self.channel, id="contact-channel"),
            required=True,
        )
        yield FormField(
            "counterpart_role",
            "case.contact.counterpart",
            CodeSelect("counterpart_roles", value=self.counterpart_role, id="contact-role"),
            required=True,
        )
        yield FormField(
            "person_id",
            "case.contact.person",
            PersonSelect(self.persons, self.person_id, id="contact-person"),
        )
        yield FormField("on", "case.contact.on", DateInput(id="contact-on"))
        yield FormField(
            "time",
            "case.contact.time",
            Input(placeholder=t("case.contact.time_placeholder"), id="contact-time"),
        )
        yield Checkbox(t("case.contact.interpreter"), id="contact-interpreter")

    def on_mount(self) -> None:
        focus_now(self.query_one("#contact-summary", Input))

    def collect(self) -> ContactInput:
        return ContactInput(
            channel=self.query_one("#contact-channel", CodeSelect).code or "",
            counterpart_role=self.query_one("#contact-role", CodeSelect).code or "",
            summary=self.query_one("#contact-summary", Input).value,
            person_id=select_value(self.query_one("#contact-person", Select)),
            via_interpreter=self.query_one("#contact-interpreter", Checkbox).value,
            on=self.query_one("#contact-on", DateInput).value,
            time=self.query_one("#contact-time", Input).value,
        )

    def apply(self, session, data: ContactInput):
        return contacts.log_contact(session, self.case_id, data)
