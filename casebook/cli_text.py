"""argparse in the officer's language.

argparse writes its own words around casebook's: `usage:`, the section titles, the help
of `-h`, and its error messages ("the following arguments are required: YEAR"). They
come from the message catalogue here, through argparse's public hooks: a HelpFormatter
that names the usage line and the sections, a parser that adds its own `-h` and
translates an error message before printing it, and metavars (`FILE`, `YEAR`) named
in the interface language.

An error message is matched against argparse's English templates (as argparse itself
produced them, through `gettext`) and rebuilt from the catalogue's; the values in it
(what the officer typed, the choices) stay as they were. A message argparse adds in a
later Python and that is not known here is shown as argparse wrote it.
"""

from __future__ import annotations

import argparse
import re
import sys
from gettext import gettext, ngettext

from casebook.i18n import lookup, t

# argparse's template -> catalogue key. The templates are argparse's own (Python 3.11
# to 3.13), printf-style; the catalogue's texts use {name} for %(name)s and {values}
# for a lone %s.
ERRORS = {
    "argument %(argument_name)s: %(message)s": "argparse.error.argument",
    "the following arguments are required: %s": "argparse.error.required",
    "unrecognized arguments: %s": "argparse.error.unrecognized",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.error.invalid_choice",
    "invalid %(type)s value: %(value)r": "argparse.error.invalid_value",
    "not allowed with argument %s": "argparse.error.not_allowed",
    "one of the arguments %s is required": "argparse.error.one_required",
    "expected one argument": "argparse.error.expected_one",
    "expected at most one argument": "argparse.error.expected_at_most_one",
    "expected at least one argument": "argparse.error.expected_at_least_one",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.error.ambiguous",
    "ignored explicit argument %r": "argparse.error.ignored_explicit",
    "unexpected option string: %s": "argparse.error.unexpected_option",
    "can't open '%(filename)s': %(error)s": "argparse.error.cannot_open",
}
# ngettext's pair: the catalogue has its one/other forms
EXPECTED_N = ("expected %s argument", "expected %s arguments", "argparse.error.expected_n")
SECTIONS = {
    "positional arguments": "argparse.positionals",
    "options": "argparse.options",
    "optional arguments": "argparse.options",  # Python before 3.10
}
# metavars as written in casebook.commands -> the catalogue's name for them
METAVARS = ("FILE", "YEAR", "DATE", "PATH", "REFERENCE", "COMMAND")

_FIELD = re.compile(r"%(?:\((\w+)\))?[sr]")


def _pattern(template: str) -> re.Pattern[str]:
    """A regex for argparse's printf template: each %s / %(name)r a group."""
    out, last = [], 0
    for match in _FIELD.finditer(template):
        out.append(re.escape(template[last : match.start()]))
        name = match.group(1) or "values"  # argparse's unnamed ones stand alone
        out.append(f"(?P<{name}>.*?)")
        last = match.end()
    out.append(re.escape(template[last:]))
    return re.compile("".join(out) + r"\Z", re.S)


def _patterns() -> list[tuple[re.Pattern[str], str]]:
    found = [(_pattern(gettext(template)), key) for template, key in ERRORS.items()]
    one, other, key = EXPECTED_N
    for form in (ngettext(one, other, 1), ngettext(one, other, 2)):
        found.append((_pattern(form), key))
    return found


def translate_error(message: str) -> str:
    """argparse's error message in the interface language (unknown ones unchanged)."""
    for pattern, key in _patterns():
        match = pattern.match(message)
        if match is None:
            continue
        values = match.groupdict()
        if "message" in values:  # "argument X: <a message of its own>"
            values["message"] = translate_error(values["message"])
        if key == EXPECTED_N[2]:
            count = int(values["values"]) if values["values"].isdigit() else 2
            return t(f"{key}.{'one' if count == 1 else 'other'}", count=values["values"])
        if key == "argparse.error.invalid_value":
            kind = lookup(f"argparse.type.{values['type']}")
            values["type"] = kind or values["type"]
        text = lookup(key)
        return text.format(**values) if text else message
    return message


class HelpFormatter(argparse.HelpFormatter):
    """argparse's help with its own words (usage, section titles) translated."""

    def add_usage(self, usage, actions, groups, prefix=None):
        if prefix is None:
            prefix = t("argparse.usage") + " "
        super().add_usage(usage, actions, groups, prefix)

    def start_section(self, heading):
        for english, key in SECTIONS.items():
            if heading == gettext(english):
                heading = t(key)
                break
        super().start_section(heading)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser that speaks the interface language: its help, its `-h`, the
    metavars of its arguments and its error messages. Usage errors exit 2."""

    def __init__(self, *args, add_help: bool = True, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, add_help=False, **kwargs)
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help=t("argparse.help")
            )

    def add_argument(self, *args, **kwargs):
        metavar = kwargs.get("metavar")
        if isinstance(metavar, str) and metavar in METAVARS:
            kwargs["metavar"] = t(f"argparse.metavar.{metavar.lower()}")
        return super().add_argument(*args, **kwargs)

    def error(self, message: str) -> None:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {translate_error(message)}\n")
