"""The consent warning in words: the core's one rule (`consent.consent_gaps`) turned
into the question a form asks before it saves a CoMensha step or referral that is
planned, recorded or completed without the consent it needs. A warning, never a
refusal: the officer may save anyway."""

from __future__ import annotations

from casebook import refdata
from casebook.i18n import t
from casebook.text import one_line


def _label(code: str) -> str:
    for list_name in ("step_types", "shelter_types"):
        if code in refdata.ref(list_name):
            return refdata.label(list_name, code)
    return code


def consent_question(
    session, case_id: int, code: str | None, person_id: int | None = None, *, today=None
) -> str | None:
    """The question to ask, or None when the consent on record covers `code`."""
    from casebook.models import Person
    from casebook.services.consent import consent_gaps

    gaps = consent_gaps(session, case_id, code, person_id, today=today)
    if not gaps:
        return None
    lines = [t("consent.gap.intro", step=_label(code or ""))]
    for gap in gaps:
        if gap.person_id is None:
            lines.append(t("consent.gap.no_victim"))
            continue
        person = session.get(Person, gap.person_id)
        who = one_line(person.name, 40) if person is not None and person.name else ""
        who = who or t("consent.someone")
        if gap.kind == "guardian_expected":
            lines.append(t("consent.gap.guardian_expected", who=who, age=gap.age))
            if person is not None and person.guardian_relation:
                lines.append(
                    t(
                        "consent.gap.guardian_known",
                        relation=refdata.label("consent_givers", person.guardian_relation),
                        name=one_line(person.guardian_name, 40) or "–",
                    )
                )
        elif gap.kind == "person_signs":
            lines.append(t("consent.gap.person_signs", who=who, age=gap.age))
        else:
            lines.append(t("consent.gap.missing", who=who))
    lines.append(t("consent.gap.question"))
    return "\n".join(lines)
