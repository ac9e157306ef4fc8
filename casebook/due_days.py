"""The usual due date of a step: `due_days` per step type in
`data/reference/step_types.toml`, or the officer's own number under `[due_days]` in the
preferences file (`INTERPRETER = 3`). Filled in when a step type is chosen; the
officer changes the date as they like."""

from __future__ import annotations

from datetime import date, timedelta

from casebook import clock, refdata

MAX_DAYS = 365


def usual_days(step_type: str | None, overrides: dict[str, int] | None = None) -> int | None:
    """Days from today to a step's usual due date, or None (no usual date)."""
    if not step_type:
        return None
    if overrides and step_type in overrides:
        return overrides[step_type]
    item = refdata.ref("step_types").get(step_type)
    days = item.get("due_days") if item is not None else None
    return days if isinstance(days, int) and not isinstance(days, bool) else None


def usual_due(
    step_type: str | None, overrides: dict[str, int] | None = None, today: date | None = None
) -> date | None:
    days = usual_days(step_type, overrides)
    if days is None:
        return None
    return (today or clock.today()) + timedelta(days=days)


def read_preference(raw) -> tuple[dict[str, int], list[tuple[str, dict]]]:
    """The `[due_days]` table of the preferences file: what is usable, and problems as
    (catalogue key, parameters) for what is not (an unknown step type, not a number
    of days from 0 to 365)."""
    if not isinstance(raw, dict):
        return {}, [("due_days.bad_table", {})]
    known = refdata.ref("step_types")
    days: dict[str, int] = {}
    problems: list[tuple[str, dict]] = []
    for code, value in raw.items():
        if code not in known:
            problems.append(("due_days.unknown_type", {"code": code}))
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_DAYS:
            problems.append(("due_days.bad_days", {"code": code, "max": MAX_DAYS}))
        else:
            days[code] = value
    return days, problems
