"""Settings that belong to the casebook file itself (not to the officer's preferences)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from casebook.db import driver_reads

if TYPE_CHECKING:
    from sqlmodel import Session

DEFAULTS: dict[str, str] = {
    "municipality": "",
    "officer": "",
    "retention_years": "7",
    "retention_mode": "strip",  # strip identifying data, or delete whole cases
    "stats_k": "5",
    "backup_keep_daily": "14",
    "backup_keep_monthly": "12",
    "backup_warn_days": "2",
    "policy_prostitution": "",
    "policy_meldroute": "",
    "policy_other": "",
    # The secret of the statistics' random rounding (casebook.statistics; made by
    # migration 0003). Never shown; carried along when a whole casebook is moved.
    "stats_key": "",
}

MIN_K = 3

TEXT_SETTINGS = ("municipality", "officer")
# name -> (lowest, highest) accepted
NUMBER_SETTINGS = {
    "retention_years": (1, 100),
    "stats_k": (MIN_K, 1000),
    "backup_keep_daily": (0, 365),
    "backup_keep_monthly": (0, 240),
    "backup_warn_days": (1, 365),
}
RETENTION_MODES = ("strip", "delete")


def check_settings(values: dict[str, str]) -> dict[str, str]:
    """The casebook settings the officer typed, checked, as the strings the settings
    table stores (raises `ValidationError` naming each wrong field)."""
    from casebook.services.common import Check

    check = Check()
    out: dict[str, str] = {}
    for name in TEXT_SETTINGS:
        out[name] = check.text(name, values.get(name, ""))
    for name, (low, high) in NUMBER_SETTINGS.items():
        number = check.integer(name, values.get(name, ""), low=low, high=high, required=True)
        out[name] = "" if number is None else str(number)
    mode = values.get("retention_mode", "strip")
    if mode not in RETENTION_MODES:
        check.fail("retention_mode", "error.unknown_code", code=str(mode)[:40])
    out["retention_mode"] = mode
    check.done()
    return out


def get_all(session: Session) -> dict[str, str]:
    values = dict(DEFAULTS)
    with driver_reads(session) as conn:
        values.update(conn.execute("SELECT key, value FROM setting"))
    return values


def get(session: Session, key: str) -> str:
    with driver_reads(session) as conn:
        row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return row[0] if row is not None else DEFAULTS.get(key, "")


def get_int(session: Session, key: str) -> int:
    try:
        return int(get(session, key))
    except ValueError:
        return int(DEFAULTS[key])


def stats_k(session: Session) -> int:
    return max(MIN_K, get_int(session, "stats_k"))


def put(session: Session, key: str, value: str) -> None:
    if key not in DEFAULTS:
        raise KeyError(key)
    from casebook.models import Setting

    row = session.get(Setting, key) or Setting(key=key)
    row.value = value
    session.add(row)
