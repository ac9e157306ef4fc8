"""A person involved in a case: add or edit. Identifying fields (name, contact,
address, notes) are kept apart from the statistical ones by the core."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Input

from casebook.i18n import t
from casebook.services import persons
from casebook.services.consent import REPRESENTATIVES
from casebook.services.intake import PersonInput
from screens.case_form_modal import FormModal
from screens.widgets.forms import CodeSelect, FormField


def _str(value) -> str:
    return "" if value is None else str(value)


class PersonModal(FormModal):
    def __init__(self, case_id: int, *, person=None):
        super().__init__()
        self.case_id = case_id
        self.person = person

    def heading(self) -> Text:
        return Text(t("case.person.edit_title" if self.person else "case.person.add_title"))

    def fields(self) -> ComposeResult:
        p = self.person or PersonInput()
        yield FormField(
            "role",
            "case.person.role",
            CodeSelect("person_roles", value=p.role, allow_blank=False, id="person-role"),
            required=True,
        )
        yield FormField("name", "case.person.name", Input(p.name, id="person-name"))
        yield FormField(
            "gender",
            "case.person.gender",
            CodeSelect("genders", value=p.gender, id="person-gender"),
        )
        yield FormField(
            "birth_year",
            "case.person.birth_year",
            Input(_str(p.birth_year), id="person-birth-year"),
        )
        yield FormField("age", "case.person.age", Input(_str(p.age), id="person-age"))
        yield FormField(
            "nationality",
            "case.person.nationality",
            CodeSelect("countries", value=p.nationality, id="person-nationality"),
        )
        yield FormField("contact", "case.person.contact", Input(p.contact, id="person-contact"))
        yield FormField("address", "case.person.address", Input(p.address, id="person-address"))
        yield FormField("notes", "case.person.notes", Input(p.notes, id="person-notes"))
        # who signs for the person (a minor's parent or guardian): consent.consent_gaps
        yield FormField(
            "guardian_relation",
            "person.guardian_relation",
            CodeSelect(
                "consent_givers",
                value=getattr(p, "guardian_relation", None),
                codes=list(REPRESENTATIVES),
                id="person-guardian-relation",
            ),
        )
        yield FormField(
            "guardian_name",
            "person.guardian_name",
            Input(getattr(p, "guardian_name", "") or "", id="person-guardian-name"),
        )

    def collect(self) -> PersonInput:
        def value(name: str) -> str:
            return self.query_one(f"#person-{name}", Input).value

        return PersonInput(
            role=self.query_one("#person-role", CodeSelect).code or "",
            gender=self.query_one("#person-gender", CodeSelect).code or "UNKNOWN",
            birth_year=value("birth-year"),
            age=value("age"),
            nationality=self.query_one("#person-nationality", CodeSelect).code or "XX",
            name=value("name"),
            contact=value("contact"),
            address=value("address"),
            notes=value("notes"),
            guardian_relation=self.query_one("#person-guardian-relation", CodeSelect).code,
            guardian_name=value("guardian-name"),
        )

    def apply(self, session, data: PersonInput):
        if self.person is not None:
            return persons.edit_person(
                session, self.person.id, data, expected_version=self.person.version
            )
        return persons.add_person(session, self.case_id, data)
