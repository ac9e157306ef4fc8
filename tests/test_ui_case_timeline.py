"""The timeline in words: every kind of history entry rendered from codes to labels,
in Dutch and in English, with dates as dd-mm-jjjj."""

from __future__ import annotations

from datetime import UTC, datetime

from casebook import i18n
from casebook.models import FollowUpStep, HistoryEntry, Person, Referral
from screens.case_timeline import Lookups, describe, timeline_row


def entry(event, **kw) -> HistoryEntry:
    kw.setdefault("at", datetime(2026, 11, 28, 9, 30, tzinfo=UTC))
    return HistoryEntry(case_id=1, event=event, **kw)


def test_changes_in_words_in_both_languages():
    person = Person(id=7, case_id=1, role="VICTIM", name="Ana [b]Voorbeeld")
    lookups = Lookups(
        persons={7: person},
        steps={3: FollowUpStep(id=3, case_id=1, step_type="ENRICH", result="BRP gecheckt")},
        referrals={5: Referral(id=5, case_id=1, shelter_type="VO", person_id=7, requested_on=None)},
        organisations={2: "CoMensha"},
    )
    phase = entry("field.changed", field_name="phase", old="INTAKE", new="FOLLOWUP")
    assert describe(phase, lookups) == (
        "Fase gewijzigd",
        "Signaal / intake → Begeleiding en monitoring",
    )
    i18n.set_language("en")
    assert describe(phase, lookups) == (
        "Phase changed",
        "Signal / intake → Follow-up and monitoring",
    )
    i18n.set_language("nl")
    assert describe(entry("step.done", entity="step", entity_id=3, new="ENRICH"), lookups)[1] == (
        "Signaal verrijken (BRP, vergunningen, eerdere sancties) · BRP gecheckt"
    )
    rescheduled = entry(
        "step.rescheduled", entity="step", entity_id=3, old="2026-11-28", new="2026-12-05"
    )
    assert describe(rescheduled, lookups)[1].endswith("28-11-2026 → 05-12-2026")
    placed = entry("referral.placed", entity="referral", entity_id=5, old="REQUESTED", new="PLACED")
    assert describe(placed, lookups) == (
        "Geplaatst",
        "Vrouwenopvang (centrumgemeente) · Ana [b]Voorbeeld ((Mogelijk) slachtoffer)",
    )
    org = entry("field.changed", entity="step", entity_id=3, field_name="organisation_id", new="2")
    assert describe(org, lookups)[1].endswith("– → CoMensha")
    b8 = entry(
        "field.changed", entity="person", entity_id=7, field_name="b8_status", new="BEDENKTIJD"
    )
    assert describe(b8, lookups) == (
        "B8-status gewijzigd",
        "Ana [b]Voorbeeld ((Mogelijk) slachtoffer): – → In bedenktijd",
    )
    # user text stays literal: the markup-like name is a Text, never parsed
    when, what, detail = timeline_row(placed, lookups)
    assert "[b]" in detail.plain


def test_unknown_event_is_shown_as_its_code():
    assert describe(entry("something.new"), Lookups())[0] == "something.new"
