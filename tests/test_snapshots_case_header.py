"""Snapshots of the case header: a person case (a minor, her name and address, the
minor flag and the mismatch with the minor indicator) and a location case (its
address), in Dutch and in English. Built here with the clock at 28-11-2026."""

from __future__ import annotations

import pytest

from casebook import i18n
from casebook.services import intake, triage
from tests.caseui import case_app, still
from tests.servicekit import TODAY


def person_case(cb) -> int:
    with cb.write() as s:
        case, _ = intake.record_signal(
            s,
            intake.SignalInput(
                received_on=TODAY,
                channel="PHONE",
                source_role="SCHOOL",
                title="Meisje wordt opgehaald bij school",
                indicators=["SEX_OLDER", "SEX_LOOK"],
                persons=[
                    intake.PersonInput(
                        role="VICTIM",
                        name="Noor Fictief",
                        birth_year=2010,
                        address="Lindelaan 12, Beekveld",
                    )
                ],
            ),
            today=TODAY,
        )
        triage.triage_case(
            s,
            case.id,
            triage.TriageInput(urgency="HIGH", exploitation_types=["SEX"], route="CARE"),
        )
    return case.id


def location_case(cb) -> int:
    with cb.write() as s:
        case, _ = intake.record_signal(
            s,
            intake.SignalInput(
                received_on=TODAY,
                channel="EMAIL",
                source_role="GEM_BRP",
                subject_type="LOCATION",
                title="Woning met 14 ingeschreven arbeidsmigranten",
                location="Populierenlaan 3, Beekveld",
                indicators=["GEN_HOUSING", "LAB_RECRUIT"],
            ),
            today=TODAY,
        )
    return case.id


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("kind", ["person", "location"])
def test_case_header(snap_compare, cb, language, kind):
    i18n.set_language(language)
    case_id = person_case(cb) if kind == "person" else location_case(cb)
    app = case_app(cb, case_id)

    async def loaded(pilot):
        await still(pilot)

    assert snap_compare(app, terminal_size=(100, 20), run_before=loaded)
