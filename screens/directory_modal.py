"""Add or edit a partner organisation in the directory (sociale kaart)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select

from casebook.i18n import t
from casebook.services import directory
from casebook.services.directory import KINDS, OrganisationInput
from screens.case_form_modal import FormModal
from screens.widgets.forms import FormField


def kind_label(kind: str | None) -> str:
    return t(f"directory.kind.{kind}") if kind else ""


class OrganisationModal(FormModal):
    def __init__(self, organisation=None):
        super().__init__()
        self.organisation = organisation

    def heading(self) -> Text:
        return Text(t("directory.edit_title" if self.organisation else "directory.add_title"))

    def fields(self) -> ComposeResult:
        o = self.organisation or OrganisationInput()
        yield FormField("name", "directory.name", Input(o.name, id="org-name"), required=True)
        yield FormField(
            "kind",
            "directory.kind_label",
            Select(
                [(Text(kind_label(k)), k) for k in KINDS],
                allow_blank=False,
                value=o.kind if o.kind in KINDS else "other",
                id="org-kind",
            ),
        )
        yield FormField("region", "directory.region", Input(o.region, id="org-region"))
        yield FormField("phone", "directory.phone", Input(o.phone, id="org-phone"))
        yield FormField("email", "directory.email", Input(o.email, id="org-email"))
        yield FormField("notes", "directory.notes", Input(o.notes, id="org-notes"))
        yield Checkbox(t("directory.active"), o.active, id="org-active")

    def collect(self) -> OrganisationInput:
        def value(name: str) -> str:
            return self.query_one(f"#org-{name}", Input).value

        return OrganisationInput(
            name=value("name"),
            kind=self.query_one("#org-kind", Select).value,
            region=value("region"),
            phone=value("phone"),
            email=value("email"),
            notes=value("notes"),
            active=self.query_one("#org-active", Checkbox).value,
        )

    def apply(self, session, data: OrganisationInput):
        if self.organisation is not None:
            return directory.edit_organisation(
                session, self.organisation.id, data, expected_version=self.organisation.version
            )
        return directory.add_organisation(session, data)
