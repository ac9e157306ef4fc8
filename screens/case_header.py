"""The case header's subject line: who or what the case is about (the victim's name and
address, or the location), the minor flag, and a warning when the recorded age and the
minor indicator disagree. Everything typed is shown literally."""

from __future__ import annotations

from datetime import date

from rich.text import Text

from casebook import refdata
from casebook.i18n import t
from casebook.services import minors
from screens.widgets.forms import literal

SUBJECT_LIMIT = 60


def _victims(detail) -> list:
    return [p for p in detail.persons if p.role == minors.VICTIM and not p.erased]


def subject_text(case, detail) -> tuple[str, Text]:
    """The subject's label and value: the location of a location-based case, else the
    (first) victim's name and address."""
    if case.subject_type == "LOCATION":
        value = literal(case.location, limit=SUBJECT_LIMIT) if case.location else Text("–")
        return t("casefile.summary.location"), value
    victims = _victims(detail) or [p for p in detail.persons if not p.erased]
    if not victims:
        return t("casefile.summary.person"), Text("–")
    first = victims[0]
    value = Text()
    if first.name:
        value.append_text(literal(first.name, limit=40))
    else:
        value.append(refdata.label("person_roles", first.role))
    if first.address:
        value.append(f" · {t('casefile.summary.address')}: ")
        value.append_text(literal(first.address, limit=SUBJECT_LIMIT))
    if len(victims) > 1:
        value.append("  " + t("casefile.summary.more_persons", count=len(victims) - 1))
    if case.location:  # a person case may name a place too
        value.append(f" · {t('casefile.summary.location')}: ")
        value.append_text(literal(case.location, limit=40))
    return t("casefile.summary.person"), value


def subject_line(case, detail, today: date) -> Text:
    label, value = subject_text(case, detail)
    text = Text()
    text.append(f"{label}: ", style="dim")
    text.append_text(value)
    found = minors.check_case(detail.persons, detail.indicators, case.opened_on, today)
    if found.minor:
        text.append("  ·  ")
        text.append(t("casefile.minor.flag"), style="bold reverse")
    if found.mismatch:
        text.append("\n")
        text.append("⚠ " + t(f"casefile.minor.mismatch.{found.mismatch}"), style="bold")
    return text
