"""Reference data: the value lists of the domain (codes with Dutch and English labels).

One loader for every list in `data/reference/*.toml`. Records store codes, never
labels, so a relabel or a language switch changes no record.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache

from casebook import i18n
from casebook.resources import data_root


@dataclass(frozen=True)
class Item:
    code: str
    nl: str
    en: str
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        return self.nl if i18n.get_language() == "nl" else self.en

    def get(self, key: str, default=None):
        return self.extra.get(key, default)


class RefList:
    def __init__(self, name: str, items: list[Item]):
        self.name = name
        self.items = items
        self._by_code = {item.code: item for item in items}

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __contains__(self, code: object) -> bool:
        try:
            return code in self._by_code
        except TypeError:  # a list or dict where a code was expected: not a code
            return False

    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    def get(self, code: str | None) -> Item | None:
        return self._by_code.get(code) if code else None

    def label(self, code: str | None) -> str:
        item = self.get(code)
        if item is not None:
            return item.label
        return "" if code is None else code

    def choices(self) -> list[tuple[str, str]]:
        """(label, code) pairs in list order, for a Select."""
        return [(item.label, item.code) for item in self.items]

    def shown(self) -> list[Item]:
        """The items in the order the officer reads them. Most lists keep their file's
        order (it means something: urgency, phase); a long list of names (countries)
        is sorted by its label in the current language, a few codes kept on top."""
        if self.name not in BY_LABEL:
            return list(self.items)
        first = BY_LABEL[self.name]
        pinned = [self._by_code[code] for code in first if code in self._by_code]
        rest = [item for item in self.items if item.code not in first]
        return pinned + sorted(rest, key=lambda item: i18n.collation_key(item.label))


# Lists shown sorted by label, and the codes kept above the sorted rest ("Onbekend",
# the default, first; the file itself is in ISO order).
BY_LABEL: dict[str, tuple[str, ...]] = {"countries": ("XX",)}


def _load(name: str) -> RefList:
    path = data_root() / "reference" / f"{name}.toml"
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    items = []
    for entry in raw.get("item", []):
        entry = dict(entry)
        code, nl, en = entry.pop("code"), entry.pop("nl"), entry.pop("en")
        items.append(Item(code=code, nl=nl, en=en, extra=entry))
    return RefList(name, items)


@cache
def ref(name: str) -> RefList:
    """The reference list `name` (the file name without `.toml`)."""
    return _load(name)


def list_names() -> list[str]:
    return sorted(p.stem for p in (data_root() / "reference").glob("*.toml"))


def label(name: str, code: str | None) -> str:
    return ref(name).label(code)
