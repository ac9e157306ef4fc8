"""The case's timeline in words: every history entry (signals, persons, steps,
referrals, contacts, consent, deadlines, status and phase changes, edits) as one line
in the current language. History stores codes and ISO dates; they are turned into
labels and dd-mm-jjjj here, and the records they point at are looked up in what the
case screen already loaded (no query per row)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.text import Text

from casebook import refdata
from casebook.dates import format_date, format_datetime
from casebook.i18n import catalogue, t
from casebook.services.steps import result_text
from casebook.text import one_line

# Which reference list a changed field's codes come from.
FIELD_LISTS = {
    "phase": "phases",
    "status": "statuses",
    "urgency": "urgencies",
    "sector": "sectors",
    "route": "routes",
    "subject_type": "subject_types",
    "closure_outcome": "closure_outcomes",
    "exploitation_types": "exploitation_types",
    "step_type": "step_types",
    "b8_status": "b8_statuses",
    "role": "person_roles",
    "gender": "genders",
    "nationality": "countries",
    "shelter_type": "shelter_types",
    "other_sectors": "sectors",
    "guardian_relation": "consent_givers",
}
ENTITY_FIELD_LISTS = {
    ("referral", "status"): "referral_statuses",
    ("contact", "channel"): "contact_channels",
    ("contact", "counterpart_role"): "counterpart_roles",
    ("signal", "channel"): "signal_channels",
    ("signal", "source_role"): "source_roles",
    ("signal", "indicators"): "indicators",
}
BOOLEAN_FIELDS = {"carried_by_partner", "done", "active", "via_interpreter", "reporter_anonymous"}
# Free text: the new value is shown shortened, the old one not at all.
TEXT_FIELDS = {
    "title",
    "location",
    "route_note",
    "closure_note",
    "description",
    "name",
    "contact",
    "address",
    "notes",
    "note",
    "result",
    "summary",
    "observed",
    "reporter_contact",
    "guardian_name",
}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class Lookups:
    """What the timeline may name: loaded once with the case."""

    persons: dict[int, object] = field(default_factory=dict)
    steps: dict[int, object] = field(default_factory=dict)
    referrals: dict[int, object] = field(default_factory=dict)
    contacts: dict[int, object] = field(default_factory=dict)
    signals: dict[int, object] = field(default_factory=dict)
    organisations: dict[int, str] = field(default_factory=dict)


def person_name(person) -> str:
    if person is None:
        return ""
    role = refdata.label("person_roles", person.role)
    return f"{person.name} ({role})" if person.name else role


def _value(entity: str, name: str | None, value: str | None) -> str:
    if value is None or value == "":
        return "–"
    if name in BOOLEAN_FIELDS:
        return t("case.yes") if value == "1" else t("case.no")
    list_name = ENTITY_FIELD_LISTS.get((entity, name)) or FIELD_LISTS.get(name or "")
    if list_name:
        return ", ".join(refdata.label(list_name, code) for code in value.split(","))
    if _ISO_DATE.match(value):
        from datetime import date

        return format_date(date.fromisoformat(value))
    if name == "at":  # a moment, stored in UTC: shown in local time
        from datetime import datetime

        try:
            return format_datetime(datetime.fromisoformat(value))
        except ValueError:
            pass
    return one_line(value, 60)


def field_label(entity: str, name: str | None) -> str:
    for key in (f"case.field.{entity}.{name}", f"case.field.{name}"):
        if key in catalogue():
            return t(key)
    return name or ""


def describe(entry, lookups: Lookups) -> tuple[str, str]:
    """(what happened, the detail) for one history entry."""
    event = entry.event
    key = f"case.event.{event}"
    what = t(key) if key in catalogue() else event
    detail = ""
    ref = entry.entity_id
    if event == "field.changed":
        what = t("case.event.field.changed", field=field_label(entry.entity, entry.field_name))
        if entry.field_name in TEXT_FIELDS:
            detail = _value(entry.entity, entry.field_name, entry.new)
        elif entry.field_name == "organisation_id":
            old, new = (
                lookups.organisations.get(int(v), v) if v and v.isdigit() else "–"
                for v in (entry.old, entry.new)
            )
            detail = f"{one_line(old, 40)} → {one_line(new, 40)}"
        elif entry.field_name == "person_id":
            old, new = (
                person_name(lookups.persons.get(int(v))) if v and v.isdigit() else "–"
                for v in (entry.old, entry.new)
            )
            detail = f"{one_line(old, 40) or '–'} → {one_line(new, 40) or '–'}"
        else:
            old = _value(entry.entity, entry.field_name, entry.old)
            new = _value(entry.entity, entry.field_name, entry.new)
            detail = f"{old} → {new}"
        subject = _subject(entry, lookups)
        if subject:
            detail = f"{subject}: {detail}"
    elif event == "case.opened":
        detail = entry.new or ""
    elif event == "signal.added":
        signal = lookups.signals.get(ref)
        if signal is not None:
            detail = refdata.label("signal_channels", signal.channel)
    elif event in ("person.added", "consent.given", "consent.withdrawn"):
        person = lookups.persons.get(ref)
        detail = person_name(person)
        if event.startswith("consent") and entry.new:
            detail = f"{refdata.label('consent_purposes', entry.new)} · {detail}"
    elif event == "case.triaged":
        detail = refdata.label("routes", entry.new)
    elif event.startswith("step."):
        step = lookups.steps.get(ref)
        detail = refdata.label("step_types", entry.new or (step.step_type if step else None))
        if event == "step.rescheduled":
            detail = (
                f"{refdata.label('step_types', step.step_type) if step else ''}: "
                f"{_value('step', 'due_on', entry.old)} → {_value('step', 'due_on', entry.new)}"
            )
        elif event in ("step.done", "step.cancelled", "step.carried") and step and step.result:
            detail = f"{detail} · {one_line(result_text(step), 60)}"
    elif event.startswith("referral."):
        referral = lookups.referrals.get(ref)
        if referral is not None:
            detail = refdata.label("shelter_types", referral.shelter_type)
            person = lookups.persons.get(referral.person_id)
            if person is not None:
                detail = f"{detail} · {person_name(person)}"
    elif event == "contact.logged":
        contact = lookups.contacts.get(ref)
        detail = refdata.label("contact_channels", entry.new)
        if contact is not None and contact.summary:
            detail = f"{detail} · {one_line(contact.summary, 60)}"
    elif event == "deadline.bedenktijd":
        detail = f"{_value('deadline', 'starts_on', entry.old)} → {_value('deadline', 'due_on', entry.new)}"
    elif event.startswith("deadline."):
        detail = _value("deadline", "due_on", entry.new)
    elif event == "case.closed":
        detail = refdata.label("closure_outcomes", entry.new)
    elif event == "case.reopened":
        detail = one_line(entry.new or "", 60)
    elif event in ("signal.moved_out", "case.merged"):
        detail = f"→ {one_line(entry.new or '', 16)}"
    elif event == "signal.moved_in":
        detail = f"← {one_line(entry.old or '', 16)}"
    elif event == "case.merged_in":
        detail = f"← {one_line(entry.old or '', 16)}"
        if entry.new:
            detail = f"{detail} · {one_line(entry.new, 60)}"
    return what, detail


def _subject(entry, lookups: Lookups) -> str:
    if entry.entity == "person":
        return person_name(lookups.persons.get(entry.entity_id))
    if entry.entity == "step":
        step = lookups.steps.get(entry.entity_id)
        return refdata.label("step_types", step.step_type) if step else ""
    if entry.entity == "referral":
        referral = lookups.referrals.get(entry.entity_id)
        return refdata.label("shelter_types", referral.shelter_type) if referral else ""
    if entry.entity == "signal":
        signal = lookups.signals.get(entry.entity_id)
        return t("case.event.signal.subject", on=format_date(signal.received_on)) if signal else ""
    if entry.entity == "contact":
        contact = lookups.contacts.get(entry.entity_id)
        return t("case.event.contact.subject", at=format_datetime(contact.at)) if contact else ""
    return ""


def timeline_row(entry, lookups: Lookups) -> tuple[Text, Text, Text]:
    what, detail = describe(entry, lookups)
    return Text(format_datetime(entry.at)), Text(what), Text(one_line(detail, 100))
