"""The preferences file is the officer's: written by a TOML library that keeps their
comments, layout and unknown keys, valid whatever text it holds, and its problems told
in the officer's language."""

from __future__ import annotations

import os
import stat
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook import i18n, preferences
from casebook.preferences import Preferences

OFFICER_FILE = """\
# Mijn voorkeuren -- niet weggooien
language = "nl"   # Nederlands
theme = "textual-dark"
font_size = 14    # a key of a later version

[keymap]
# triage met ctrl+t: t zit te dicht bij r
"today.triage" = "ctrl+t"  # zo
"today.search" = "ctrl+f"
"""


def test_comments_layout_and_unknown_keys_are_kept(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text(OFFICER_FILE, encoding="utf-8")
    prefs = preferences.load(path)
    assert prefs.keymap == {"today.triage": "ctrl+t", "today.search": "ctrl+f"}
    prefs.language = "en"
    prefs.theme = "casebook-high-contrast"
    del prefs.keymap["today.search"]
    prefs.keymap["today.done"] = "ctrl+d"
    preferences.save(prefs)
    text = path.read_text(encoding="utf-8")
    for kept in (
        "# Mijn voorkeuren -- niet weggooien",
        "# Nederlands",
        "font_size = 14    # a key of a later version",
        "# triage met ctrl+t: t zit te dicht bij r",
        '"today.triage" = "ctrl+t"  # zo',
    ):
        assert kept in text, text
    assert "today.search" not in text
    again = preferences.load(path)
    assert (again.language, again.theme) == ("en", "casebook-high-contrast")
    assert again.keymap == {"today.triage": "ctrl+t", "today.done": "ctrl+d"}


def test_a_new_file_is_owner_only_and_valid(tmp_path):
    path = tmp_path / "config" / "settings.toml"
    preferences.save(Preferences(language="en", keymap={"a.b": "x"}), path)
    assert tomllib.loads(path.read_text(encoding="utf-8"))["keymap"] == {"a.b": "x"}
    assert not list(path.parent.glob("*.tmp"))
    if os.name != "nt":
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    theme=text, keymap=st.dictionaries(text, text, max_size=4), lang=st.sampled_from(i18n.LANGUAGES)
)
def test_any_text_round_trips(tmp_path, theme, keymap, lang):
    path = tmp_path / "settings.toml"
    path.unlink(missing_ok=True)
    preferences.save(Preferences(language=lang, theme=theme, keymap=keymap), path)
    again = preferences.load(path)
    assert again.problems == []
    assert (again.language, again.theme, again.keymap) == (lang, theme, keymap)
    # and a second save over the first, as the settings screen does
    again.theme = theme + "\x00\x1b[31m"
    preferences.save(again)
    assert preferences.load(path).theme == theme + "\x00\x1b[31m"


def test_control_characters_round_trip(tmp_path):
    path = tmp_path / "settings.toml"
    odd = 'tab\there\x01\x07\x1b[2J\x7f\u2028"quoted" \\ back'
    preferences.save(Preferences(theme=odd, keymap={odd: odd}), path)
    again = preferences.load(path)
    assert again.problems == [] and again.theme == odd and again.keymap == {odd: odd}


@pytest.mark.parametrize(
    ("content", "nl", "en"),
    [
        (
            'language = "nl"\ncolour = "red"\n',
            "onbekende instelling 'colour'",
            "unknown setting 'colour'",
        ),
        (
            'language = "fr"\n',
            "language moet een van nl, en zijn",
            "language must be one of nl, en",
        ),
        ("theme = 3\n", "theme moet tekst zijn", "theme must be text"),
        ('keymap = "ctrl+t"\n', "[keymap] moet een tabel zijn", "[keymap] must be a table"),
        ('language = "nl\n', "kon niet gelezen worden", "could not be read"),
        (b"language = '\xff'\n", "kon niet gelezen worden", "could not be read"),
    ],
    ids=["unknown", "language", "theme", "keymap", "invalid", "not-utf8"],
)
def test_problems_in_both_languages(tmp_path, content, nl, en):
    path = tmp_path / "settings.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    i18n.set_language("nl")
    (problem,) = preferences.load(path).problems
    assert nl in problem and str(path) in problem
    i18n.set_language("en")
    (problem,) = preferences.load(path).problems
    assert en in problem


def test_an_unreadable_file_is_kept_not_overwritten(tmp_path):
    path = tmp_path / "settings.toml"
    broken = 'language = "en"\n[keymap\n"today.triage" = "ctrl+t"\n'
    path.write_text(broken, encoding="utf-8")
    prefs = preferences.load(path)
    assert prefs.problems
    prefs.theme = "casebook-high-contrast"
    preferences.save(prefs)
    assert (tmp_path / "settings.toml.invalid").read_text(encoding="utf-8") == broken
    assert preferences.load(path).theme == "casebook-high-contrast"
