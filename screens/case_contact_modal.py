"""The quick contact log: `c` anywhere in the case opens it with the summary focused and
everything else filled in (now; the channel, counterpart and person of the last
contact), so `c` then `ctrl+s` logs a contact moment. With a `contact` given, the same
form corrects that contact moment (`e` on the contacts tab)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select, TextArea

from casebook.dates import format_date, to_local
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
        contact=None,
    ):
        super().__init__()
        self.case_id = case_id
        self.persons = persons
        self.contact = contact
        if contact is not None:
            channel, counterpart_role = contact.channel, contact.counterpart_role
            person_id = contact.person_id
        self.channel = channel
        self.counterpart_role = counterpart_role
        self.person_id = person_id
        # the moment as the form shows it, to tell whether the officer changed it
        self.shown_on = self.shown_time = ""
        if contact is not None:
            local = to_local(contact.at)
            self.shown_on = format_date(local.date())
            self.shown_time = f"{local.hour:02d}:{local.minute:02d}"

    def heading(self) -> Text:
        return Text(t("case.contact.edit_title" if self.contact else self.TITLE_KEY))

    def fields(self) -> ComposeResult:
        summary = self.contact.summary if self.contact is not None else ""
        # several lines, as on Today's quick contact form (and as imported ones may be)
        yield FormField("summary", "case.contact.summary", TextArea(summary, id="contact-summary"))
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
        editing = self.contact is not None  # then an empty date or time is not "now"
        on_label = "case.contact.on_when" if editing else "case.contact.on"
        yield FormField("on", on_label, DateInput(self.shown_on, id="contact-on"))
        yield FormField(
            "time",
            "case.contact.time_when" if editing else "case.contact.time",
            Input(
                self.shown_time,
                placeholder=t("case.contact.time_placeholder"),
                id="contact-time",
            ),
        )
        interpreter = bool(self.contact is not None and self.contact.via_interpreter)
        yield Checkbox(t("case.contact.interpreter"), interpreter, id="contact-interpreter")

    def on_mount(self) -> None:
        focus_now(self.query_one("#contact-summary", TextArea))

    def collect(self) -> ContactInput:
        on = self.query_one("#contact-on", DateInput).value.strip()
        time = self.query_one("#contact-time", Input).value.strip()
        if self.contact is not None:
            # correcting: an emptied field keeps what it had; the moment as it was (to
            # the second) unless the date or time was changed
            on, time = on or self.shown_on, time or self.shown_time
            if (on, time) == (self.shown_on, self.shown_time):
                on = time = ""
        return ContactInput(
            channel=self.query_one("#contact-channel", CodeSelect).code or "",
            counterpart_role=self.query_one("#contact-role", CodeSelect).code or "",
            summary=self.query_one("#contact-summary", TextArea).text,
            person_id=select_value(self.query_one("#contact-person", Select)),
            via_interpreter=self.query_one("#contact-interpreter", Checkbox).value,
            on=on,
            time=time,
        )

    def apply(self, session, data: ContactInput):
        if self.contact is not None:
            return contacts.edit_contact(
                session, self.contact.id, data, expected_version=self.contact.version
            )
        return contacts.log_contact(session, self.case_id, data)
