"""Errors the core raises for the UI and CLI to show. Messages are catalogue keys
plus parameters, so each client renders them in the officer's language, and none of
them carries personal data."""

from __future__ import annotations

from dataclasses import dataclass, field

from casebook.i18n import t


class CasebookError(Exception):
    """A refusal with a reason the officer can read (CLI exit code 1)."""

    def __init__(self, key: str, **params: object):
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        return t(self.key, **self.params)

    def __str__(self) -> str:
        return self.message()


@dataclass
class FieldError:
    field: str
    key: str
    params: dict = field(default_factory=dict)

    def message(self) -> str:
        return t(self.key, **self.params)


class ValidationError(CasebookError):
    """One or more fields are wrong; nothing was written."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("error.validation", count=len(errors))
        self.errors = errors

    def by_field(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for err in self.errors:
            out.setdefault(err.field, err.message())
        return out


class StaleEditError(CasebookError):
    """The record changed in another window since it was opened."""

    def __init__(self) -> None:
        super().__init__("error.stale_edit")


class NotFoundError(CasebookError):
    """`what` is the kind of record (`case`, or a table name): it names the message
    ("Casus niet gevonden"), never shown as it is."""

    def __init__(self, what: str = "record") -> None:
        super().__init__("error.not_found", what=what)
        self.what = what

    def message(self) -> str:
        from casebook.i18n import has

        key = f"error.missing.{self.what}"
        return t(key) if has(key) else t("error.not_found")


class StorageError(CasebookError):
    """The casebook file cannot be used (not a database, corrupt, too new, read-only…)."""


class SaveCancelled(CasebookError):
    """The officer cancelled the save before it was committed; nothing was written."""

    def __init__(self) -> None:
        super().__init__("faults.save.cancelled")
