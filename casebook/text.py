"""Text the officer typed: cleaned for storage, made harmless for display."""

from __future__ import annotations

import re
import unicodedata

# Control characters a terminal would act on are shown as their visible Unicode
# "control pictures" (ESC becomes ␛), so typed text is displayed, never executed.
_PICTURES = {i: chr(0x2400 + i) for i in range(0x20)}
_PICTURES[0x7F] = "\u2421"
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(value: str | None, *, multiline: bool = False) -> str:
    """Normalise line endings and strip surrounding whitespace; keep everything else."""
    if value is None:
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if not multiline:
        value = value.replace("\n", " ")
    return value.strip()


def strip_controls(value: str, *, multiline: bool = False) -> str:
    """`value` without the control characters a form would never store: C0 controls
    (a tab becomes a space on one line; line feeds are kept in multi-line text), DEL
    and the C1 controls. NUL is left for the caller to refuse."""
    if _CONTROL.search(value) is None:
        return value
    out = []
    for ch in value:
        code = ord(ch)
        if ch == "\x00" or (multiline and ch in "\n\t"):
            out.append(ch)
        elif ch == "\t":
            out.append(" ")
        elif code < 0x20 or 0x7F <= code < 0xA0:
            continue
        else:
            out.append(ch)
    return "".join(out)


def has_surrogates(value: str) -> bool:
    """True when `value` holds a lone surrogate (JSON's "\\ud800"): not text, and
    SQLite cannot store it."""
    return _SURROGATE.search(value) is not None


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


_C1_OR_DEL = re.compile("[\x7f-\x9f]")


def json_visible(text: str) -> str:
    """JSON text (from json.dumps) with DEL and the C1 controls written as \\u escapes
    too (json escapes only C0): the same data, and nothing a terminal acts on."""
    return _C1_OR_DEL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class VisibleStream:
    """A text stream that shows control characters visibly (`printable`, line feeds
    kept) before they reach the terminal: what the CLI prints may quote stored or
    imported text, a path or a file's contents."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(printable(text, multiline=True))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
