"""Themes by name in the interface language: casebook's own first, then Textual's,
sorted by their translated name. A theme's code name (`textual-dark`) is what the
preferences file keeps; the officer reads `theme.<name>` from the catalogue."""

from __future__ import annotations

from casebook.i18n import collation_key, lookup, t

OWN_PREFIX = "casebook-"


def theme_label(name: str) -> str:
    """The theme's name in the interface language. A theme the catalogue does not know
    (one a newer Textual adds) is named from its code: `rose-pine` -> "Rose Pine"."""
    return lookup(f"theme.{name}") or name.replace("-", " ").title()


def theme_choices(app) -> list[tuple[str, str]]:
    """(label, name) for every theme the app has: casebook's own first."""
    names = list(app.available_themes)
    own = sorted(
        (n for n in names if n.startswith(OWN_PREFIX)), key=lambda n: collation_key(theme_label(n))
    )
    rest = sorted(
        (n for n in names if not n.startswith(OWN_PREFIX)),
        key=lambda n: collation_key(theme_label(n)),
    )
    return [(theme_label(n), n) for n in own + rest]


def use_theme(app, name: str) -> None:
    """Switch to theme `name` and keep it in the preferences file."""
    from casebook import preferences

    if name == app.theme:
        return
    app.theme = name
    app.preferences.theme = name
    try:
        preferences.save(app.preferences)
    except OSError:
        app.notify(t("app.prefs_not_saved"), severity="warning")
