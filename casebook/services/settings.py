"""Settings that belong to the casebook file itself (not to the officer's preferences)."""

from __future__ import annotations

import re
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
# The row that counts saves of the settings (the lost-update guard): a plain row of the
# settings table, never shown, dumped or imported as a setting.
VERSION_KEY = "_version"

TEXT_SETTINGS = ("municipality", "officer")
POLICY_SETTINGS = ("policy_prostitution", "policy_meldroute", "policy_other")
# name -> (lowest, highest) accepted, as on the Settings screen
NUMBER_SETTINGS = {
    "retention_years": (1, 100),
    "stats_k": (MIN_K, 1000),
    "backup_keep_daily": (0, 365),
    "backup_keep_monthly": (0, 240),
    "backup_warn_days": (1, 365),
}
RETENTION_MODES = ("strip", "delete")


def check_values(values: dict[str, object], *, partial: bool = False) -> dict[str, str]:
    """Validated casebook settings, as the strings the settings table stores. Raises
    ValidationError naming every wrong one. With `partial`, only the keys present
    are checked (an import file need not hold every setting)."""
    from casebook.services.common import MAX_TEXT, Check

    check = Check()
    out: dict[str, str] = {}
    for name in TEXT_SETTINGS:
        if not partial or name in values:
            out[name] = check.text(name, values.get(name, ""))
    for name in POLICY_SETTINGS:
        if name in values:
            out[name] = check.text(name, values[name], max_len=MAX_TEXT, multiline=True)
    for name, (low, high) in NUMBER_SETTINGS.items():
        if partial and name not in values:
            continue
        raw = values.get(name, "")
        if isinstance(raw, str) and len(raw) > 12:
            check.fail(name, "error.range", low=low, high=high)
            continue
        number = check.integer(name, raw, low=low, high=high, required=True)
        out[name] = "" if number is None else str(number)
    if "stats_key" in values:
        # the statistics' rounding key (never shown): carried as it is by a dump, so a
        # moved casebook rounds its drafts as before
        key = values["stats_key"]
        if isinstance(key, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,128}", key, re.ASCII):
            out["stats_key"] = key
        else:
            check.fail("stats_key", "error.unknown_code", code="…")
    if not partial or "retention_mode" in values:
        mode = values.get("retention_mode", "strip")
        if mode not in RETENTION_MODES:
            from casebook.text import one_line

            check.fail("retention_mode", "error.unknown_code", code=one_line(str(mode)[:40], 40))
        out["retention_mode"] = str(mode)
    check.done()
    return out


def check_settings(values: dict[str, object]) -> dict[str, str]:
    """The Settings screen's values, all of them, checked (see `check_values`)."""
    return check_values(values)


def get_all(session: Session) -> dict[str, str]:
    values = dict(DEFAULTS)
    with driver_reads(session) as conn:
        # rows whose key starts with "_" are casebook's own (the save counter, a
        # pending vacuum), never settings
        values.update(conn.execute("SELECT key, value FROM setting WHERE substr(key, 1, 1) != '_'"))
    return values


def version(session: Session) -> int:
    """How many times the settings were saved: a window keeps the number it read and
    hands it back to `save`, which refuses when another window saved in between."""
    with driver_reads(session) as conn:
        row = conn.execute("SELECT value FROM setting WHERE key = ?", (VERSION_KEY,)).fetchone()
    try:
        return int(row[0]) if row is not None else 0
    except ValueError:
        return 0


def bump_version(session: Session, expected: int | None = None) -> int:
    """Count one more save; with `expected`, refuse (StaleEditError) when the settings
    were saved since that version was read. Call inside the write transaction."""
    from casebook.errors import StaleEditError
    from casebook.models import Setting

    row = session.get(Setting, VERSION_KEY, populate_existing=True)
    current = 0
    if row is not None:
        try:
            current = int(row.value)
        except ValueError:
            current = 0
    if expected is not None and current != expected:
        raise StaleEditError()
    row = row or Setting(key=VERSION_KEY)
    row.value = str(current + 1)
    session.add(row)
    session.flush()
    return current + 1


def save(session: Session, values: dict[str, object], expected_version: int | None) -> int:
    """Check and store the Settings screen's values in one go, guarded against a save
    from another window since `expected_version` was read. Returns the new version."""
    checked = check_values(values)
    new_version = bump_version(session, expected_version)
    for name, value in checked.items():
        put(session, name, value)
    return new_version


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
