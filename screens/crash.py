"""A crash report without personal data: exception type and code locations only.

Exception messages and local variables can hold what the officer typed (a database
error repeats the values it could not store), so neither is shown.
"""

from __future__ import annotations

import traceback

from rich.text import Text

from casebook.i18n import t


def safe_report(error: BaseException) -> Text:
    frames = traceback.extract_tb(error.__traceback__)
    lines = [t("crash.title"), f"{type(error).__module__}.{type(error).__qualname__}"]
    for frame in frames[-12:]:
        lines.append(f"  {frame.filename}:{frame.lineno} in {frame.name}")
    lines.append(t("crash.nothing_lost"))
    return Text("\n".join(lines))
