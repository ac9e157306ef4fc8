"""The one consent rule with who gave consent (a minor's guardian), a person's guardian,
and cases with more than one sector (one primary, the statistics count that one),
edited from the case file with every change in the timeline."""

from __future__ import annotations

import pytest
from sqlmodel import select

from casebook import statistics
from casebook.errors import StaleEditError, ValidationError
from casebook.models import Person
from casebook.services import case_details, consent, intake, persons, triage
from casebook.services.case_details import CaseDetailsInput, other_sectors
from tests.servicekit import TODAY, get_case, history, new_case, triaged_case


def victim(**kw) -> intake.PersonInput:
    return intake.PersonInput(role="VICTIM", name="Mila", nationality="NL", **kw)


def person_of(cb, case_id: int) -> Person:
    with cb.read() as s:
        return s.exec(select(Person).where(Person.case_id == case_id)).first()


def give(cb, person_id: int, given_by: str = "PERSON", purpose: str = "COMENSHA_REG") -> None:
    with cb.write() as s:
        consent.record_consent(
            s,
            person_id,
            consent.ConsentInput(purpose=purpose, method="WRITTEN", given_by=given_by),
        )


def gaps(cb, case_id: int, code: str = "AANMELD_CM_REG", person_id=None):
    with cb.read() as s:
        return consent.consent_gaps(s, case_id, code, person_id, today=TODAY)


# -- consent and who gave it ------------------------------------------------------------


def test_no_consent_is_a_gap_and_the_persons_own_consent_covers_an_adult(cb):
    case_id = new_case(cb, persons=[victim(birth_year=1990)])
    p = person_of(cb, case_id)
    assert [g.kind for g in gaps(cb, case_id)] == ["missing"]
    give(cb, p.id)
    assert gaps(cb, case_id) == []
    assert gaps(cb, case_id, "ENRICH") == []  # a step that needs no consent


def test_under_16_a_guardians_consent_is_expected_not_the_childs(cb):
    # 15 in 2026: the child's own signature does not cover a CoMensha referral
    case_id = new_case(cb, persons=[victim(birth_year=2011)])
    p = person_of(cb, case_id)
    give(cb, p.id, "PERSON")
    (gap,) = gaps(cb, case_id)
    assert (gap.kind, gap.age, gap.person_id) == ("guardian_expected", 15, p.id)
    give(cb, p.id, "GUARDIAN")
    assert gaps(cb, case_id) == []


@pytest.mark.parametrize("signer", ["PARENT", "GUARDIAN", "LEGAL_REP"])
def test_any_representative_signs_for_a_child(cb, signer):
    case_id = new_case(cb, persons=[victim(age=12)])
    give(cb, person_of(cb, case_id).id, signer)
    assert gaps(cb, case_id) == []


def test_from_16_the_person_signs_and_a_parents_consent_alone_is_pointed_out(cb):
    case_id = new_case(cb, persons=[victim(birth_year=2010)])  # 16 in 2026
    p = person_of(cb, case_id)
    give(cb, p.id, "PARENT")
    (gap,) = gaps(cb, case_id)
    assert (gap.kind, gap.age) == ("person_signs", 16)
    give(cb, p.id, "PERSON")
    assert gaps(cb, case_id) == []


def test_unknown_age_takes_any_signer_and_withdrawn_consent_is_a_gap(cb):
    case_id = new_case(cb, persons=[victim()])
    p = person_of(cb, case_id)
    give(cb, p.id, "PARENT")
    assert gaps(cb, case_id) == []
    with cb.write() as s:
        consent.record_consent(
            s,
            p.id,
            consent.ConsentInput(
                purpose="COMENSHA_REG", method="WRITTEN", given=False, given_by="PARENT"
            ),
        )
    assert [g.kind for g in gaps(cb, case_id)] == ["missing"]


def test_shelter_needs_the_shelter_consent_and_a_case_without_victims_has_a_gap(cb):
    case_id = new_case(cb, persons=[victim(birth_year=1990)])
    p = person_of(cb, case_id)
    give(cb, p.id, purpose="COMENSHA_REG")
    assert gaps(cb, case_id, "COSM", p.id)[0].kind == "missing"
    give(cb, p.id, purpose="COMENSHA_SHELTER")
    assert gaps(cb, case_id, "COSM", p.id) == []
    empty = new_case(cb, persons=[])
    assert [(g.kind, g.person_id) for g in gaps(cb, empty)] == [("missing", None)]
    # the old yes/no question follows the same rule
    with cb.read() as s:
        assert consent.missing_consent(s, empty, "AANMELD_CM_REG")
        assert not consent.missing_consent(s, case_id, "AANMELD_CM_REG")


def test_given_by_must_be_a_known_code(cb):
    case_id = new_case(cb, persons=[victim()])
    with pytest.raises(ValidationError) as error:
        give(cb, person_of(cb, case_id).id, "NEIGHBOUR")
    assert [e.field for e in error.value.errors] == ["given_by"]


def test_a_person_has_a_guardian_kept_identifying_and_in_the_timeline(cb):
    case_id = new_case(cb, persons=[victim(birth_year=2011)])
    p = person_of(cb, case_id)
    with cb.write() as s:
        persons.edit_person(
            s,
            p.id,
            victim(birth_year=2011, guardian_relation="GUARDIAN", guardian_name="J. de Voogd"),
            expected_version=p.version,
        )
    p = person_of(cb, case_id)
    assert (p.guardian_relation, p.guardian_name) == ("GUARDIAN", "J. de Voogd")
    changes = {h.field_name: (h.old, h.new) for h in history(cb, case_id)}
    assert changes["guardian_relation"] == (None, "GUARDIAN")
    from casebook.models import IDENTIFYING_FIELDS

    assert "guardian_name" in IDENTIFYING_FIELDS["person"]
    (gap,) = gaps(cb, case_id)
    assert gap.guardian_relation == "GUARDIAN"
    with pytest.raises(ValidationError) as error, cb.write() as s:
        persons.edit_person(s, p.id, victim(guardian_relation="PERSON"))
    assert [e.field for e in error.value.errors] == ["guardian_relation"]


# -- sectors --------------------------------------------------------------------------


def details(**kw) -> CaseDetailsInput:
    values = dict(
        title="Distributiecentrum",
        urgency="HIGH",
        sector="LOG",
        other_sectors=["UITZEND"],
        exploitation_types=["LAB"],
    )
    values.update(kw)
    return CaseDetailsInput(**values)


def test_details_edited_from_the_case_file_each_change_in_the_timeline(cb):
    case_id = triaged_case(cb)  # HIGH, LAB, AGRI
    version = get_case(cb, case_id).version
    with cb.write() as s:
        case_details.edit_details(
            s,
            case_id,
            details(urgency="ACUTE", exploitation_types=["LAB", "CRIM"]),
            expected_version=version,
        )
    case = get_case(cb, case_id)
    assert (case.title, case.urgency, case.sector) == ("Distributiecentrum", "ACUTE", "LOG")
    with cb.read() as s:
        assert other_sectors(s, case_id) == ["UITZEND"]
        assert triage.exploitation_codes(s, case_id) == ["CRIM", "LAB"]
    changes = {
        h.field_name: (h.old, h.new)
        for h in history(cb, case_id)[-6:]
        if h.event == "field.changed"
    }
    assert changes == {
        "title": ("Signaal over een woning", "Distributiecentrum"),
        "urgency": ("HIGH", "ACUTE"),
        "sector": ("AGRI", "LOG"),
        "other_sectors": ("", "UITZEND"),
        "exploitation_types": ("LAB", "CRIM,LAB"),
    }
    # saved unchanged: nothing written; an old version is refused
    before = len(history(cb, case_id))
    with cb.write() as s:
        case_details.edit_details(
            s, case_id, details(urgency="ACUTE", exploitation_types=["LAB", "CRIM"])
        )
    assert len(history(cb, case_id)) == before
    with pytest.raises(StaleEditError), cb.write() as s:
        case_details.edit_details(s, case_id, details(), expected_version=version)


def test_the_primary_is_never_among_the_others_and_others_need_a_primary(cb):
    case_id = triaged_case(cb)
    with cb.write() as s:
        case_details.edit_details(s, case_id, details(sector="LOG", other_sectors=["LOG", "BOUW"]))
    with cb.read() as s:
        assert other_sectors(s, case_id) == ["BOUW"]
    with pytest.raises(ValidationError) as error, cb.write() as s:
        case_details.edit_details(s, case_id, details(sector=None))
    assert [e.field for e in error.value.errors] == ["sector"]
    with pytest.raises(ValidationError) as error, cb.write() as s:
        case_details.edit_details(s, case_id, details(exploitation_types=[]))
    assert [e.field for e in error.value.errors] == ["exploitation_types"]
    # triage choosing one of the others as the primary takes it out of the others
    with cb.write() as s:
        triage.triage_case(
            s,
            case_id,
            triage.TriageInput(exploitation_types=["LAB"], sector="BOUW", route="CARE"),
        )
    with cb.read() as s:
        assert other_sectors(s, case_id) == []


def test_the_statistics_count_the_primary_sector_once(cb):
    case_id = triaged_case(cb)
    with cb.write() as s:
        case_details.edit_details(
            s, case_id, details(sector="LOG", other_sectors=["UITZEND", "BOUW"])
        )
    with cb.read() as s:
        table = statistics.compute(s, TODAY.year, protect_figures=False).table("cases_by_sector")
    assert table.total == 1
    assert {c.code: c.value for c in table.cells if c.value} == {"LOG": 1}


def test_the_consent_rule_ages_a_recorded_age_as_the_minor_flag_does(cb):
    # 15 when the case was opened two years ago: 17 now, so the person signs (one age
    # rule for the minor flag and for consent: services.minors.age_on)
    from datetime import date

    from casebook.services import minors

    opened = date(TODAY.year - 2, 3, 1)
    case_id = new_case(cb, persons=[victim(age=15)], today=opened, received_on=opened)
    p = person_of(cb, case_id)
    assert minors.age_on(p, opened, TODAY) == 17
    give(cb, p.id, "GUARDIAN")
    (gap,) = gaps(cb, case_id)
    assert (gap.kind, gap.age) == ("person_signs", 17)
    give(cb, p.id, "PERSON")
    assert gaps(cb, case_id) == []
