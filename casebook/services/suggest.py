"""What triage can propose from what intake recorded: the forms of exploitation that the
ticked indicators point to (each indicator group names its exploitation type in
data/reference/indicator_groups.toml; general and minor indicators point to none)."""

from __future__ import annotations

from casebook import refdata


def exploitation_from_indicators(codes) -> list[str]:
    """The exploitation types of the ticked indicators' groups, in the list's order."""
    groups = {
        refdata.ref("indicators").get(c).get("group")
        for c in codes
        if c in refdata.ref("indicators")
    }
    wanted = {
        item.get("exploitation")
        for item in refdata.ref("indicator_groups")
        if item.code in groups and item.get("exploitation")
    }
    return [code for code in refdata.ref("exploitation_types").codes() if code in wanted]
