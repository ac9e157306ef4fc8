"""Text the officer typed: cleaned for storage, made harmless for display."""

from __future__ import annotations

import unicodedata

# Control characters a terminal would act on are shown as their visible Unicode
# "control pictures" (ESC becomes ␛), so typed text is displayed, never executed.
_PICTURES = {i: chr(0x2400 + i) for i in range(0x20)}
_PICTURES[0x7F] = "\u2421"


def clean(value: str | None, *, multiline: bool = False) -> str:
    """Normalise line endings and strip surrounding whitespace; keep everything else."""
    if value is None:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        value = value.replace("\n", " ")
    return value.strip()


def printable(value: str | None, *, multiline: bool = False) -> str:
    """`value` with control characters replaced by visible symbols."""
    if not value:
        return ""
    out = []
    for ch in value:
        code = ord(ch)
        if ch == "\n" and multiline:
            out.append(ch)
        elif code < 0x20 or code == 0x7F:
            out.append(_PICTURES[code])
        elif 0x80 <= code < 0xA0 or unicodedata.category(ch) in ("Cs",):
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def one_line(value: str | None, limit: int = 80) -> str:
    text = printable((value or "").replace("\n", " "))
    return text if len(text) <= limit else text[: limit - 1] + "…"
