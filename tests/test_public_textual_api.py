"""casebook uses Textual's public API only: `screens/` and `tests/` touch no `_`-prefixed
attribute of a Textual object and import no private Textual module. Those change
without notice in any release, and then the app, or every snapshot, breaks at once.

The scan reads the files' syntax trees and flags:
- an import of a private Textual module (`textual._x`, `textual.widgets._x`);
- `obj._name` where `obj` is not `self`/`cls` and `_name` is a private name that some
  Textual class defines (an App's notification list, a DataTable's cell renderer
  called through `super()`, the merged bindings read through `type(self)`);
- in a class derived from Textual classes: `self._name`, or a method `_name`, where
  `_name` is a private name of one of those Textual classes (an override of, or a
  write over, Textual's internals: the App's exception handler, a toggle's selection).

Textual's private names are read from Textual's own classes (their namespace and
every `self._x` in their source). Our own private names that Textual's classes do not
use are left alone.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from functools import cache
from pathlib import Path

import textual

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("screens", "tests")
# namedtuple's documented API (Textual's SystemCommand is a NamedTuple)
NAMEDTUPLE_API = frozenset({"_replace", "_asdict", "_fields", "_make", "_field_defaults"})


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in NAMEDTUPLE_API


def _is_textual(cls: type) -> bool:
    return cls.__module__ == "textual" or cls.__module__.startswith("textual.")


@cache
def _class_names(cls: type) -> frozenset[str]:
    """The private names one Textual class defines: in its namespace and as
    `self._x` / `cls._x` in its source."""
    names = {name for name in vars(cls) if _private(name)}
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError, SyntaxError):
        return frozenset(names)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
            and _private(node.attr)
        ):
            names.add(node.attr)
    return frozenset(names)


@cache
def textual_private_names() -> frozenset[str]:
    """Every private name of every Textual class."""
    names: set[str] = set()
    root = Path(textual.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in ast.walk(node):
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and _private(
                    item.name
                ):
                    names.add(item.name)
                elif (
                    isinstance(item, ast.Attribute)
                    and isinstance(item.value, ast.Name)
                    and item.value.id in ("self", "cls")
                    and _private(item.attr)
                ):
                    names.add(item.attr)
            for item in node.body:
                targets = (
                    item.targets
                    if isinstance(item, ast.Assign)
                    else [item.target]
                    if isinstance(item, ast.AnnAssign)
                    else []
                )
                names.update(t.id for t in targets if isinstance(t, ast.Name) and _private(t.id))
    return frozenset(names)


def _private_module(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "textual" and any(_private(part) for part in parts[1:])


class _Scan(ast.NodeVisitor):
    def __init__(self, path: Path, tree: ast.Module):
        self.path = path
        self.found: list[str] = []
        self.imports: dict[str, tuple[str, str | None]] = {}  # local name: (module, attr)
        self.modules: set[str] = set()  # names bound to modules
        self.classes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.modules.add((alias.asname or alias.name).split(".")[0])
                    self.imports[alias.asname or alias.name.split(".")[0]] = (
                        alias.name if alias.asname else alias.name.split(".")[0],
                        None,
                    )
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (node.module, alias.name)
        self.textual_names: list[frozenset[str]] = []  # per enclosing class

    def flag(self, node: ast.AST, what: str) -> None:
        where = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path.name
        self.found.append(f"{where}:{node.lineno}: {what}")

    # -- imports ----------------------------------------------------------------------

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if _private_module(alias.name):
                self.flag(node, f"import {alias.name}")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level:
            if _private_module(node.module):
                self.flag(node, f"from {node.module} import ...")
            elif node.module.split(".")[0] == "textual":
                for alias in node.names:
                    if _private(alias.name):
                        self.flag(node, f"from {node.module} import {alias.name}")

    # -- classes derived from Textual's ---------------------------------------------------

    def _resolve(self, expr: ast.expr, seen: frozenset[str] = frozenset()) -> list[type]:
        """The runtime classes a base-class expression stands for (Textual ones and
        classes of ours, imported or defined in this file)."""
        if isinstance(expr, ast.Subscript):  # ModalScreen[bool]
            return self._resolve(expr.value, seen)
        dotted = []
        while isinstance(expr, ast.Attribute):
            dotted.append(expr.attr)
            expr = expr.value
        if not isinstance(expr, ast.Name):
            return []
        name = expr.id
        if not dotted and name in self.classes and name not in seen:
            out: list[type] = []
            for base in self.classes[name].bases:
                out += self._resolve(base, seen | {name})
            return out
        if name not in self.imports:
            return []
        module, attr = self.imports[name]
        try:
            obj = importlib.import_module(module)
            if attr is not None:
                obj = getattr(obj, attr)
            for part in reversed(dotted):
                obj = getattr(obj, part)
        except (ImportError, AttributeError):
            return []
        return [obj] if isinstance(obj, type) else []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        names: set[str] = set()
        for base in node.bases:
            for cls in self._resolve(base):
                for klass in cls.__mro__:
                    if _is_textual(klass):
                        names |= _class_names(klass)
        self.textual_names.append(frozenset(names))
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in names:
                self.flag(item, f"overrides Textual's {node.name}.{item.name}")
        self.generic_visit(node)
        self.textual_names.pop()

    # -- attributes -------------------------------------------------------------------------

    def visit_Attribute(self, node: ast.Attribute) -> None:
        name = node.attr
        if _private(name):
            value = node.value
            on_self = isinstance(value, ast.Name) and value.id in ("self", "cls")
            on_module = isinstance(value, ast.Name) and value.id in self.modules
            if on_self:
                if self.textual_names and name in self.textual_names[-1]:
                    self.flag(node, f"self.{name} (Textual's)")
            elif not on_module and name in textual_private_names():
                self.flag(node, f"{ast.unparse(value)}.{name}")
        self.generic_visit(node)


def private_uses(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    scan = _Scan(path, tree)
    scan.visit(tree)
    return scan.found


def scanned_files() -> list[Path]:
    return sorted(p for folder in SCANNED for p in (ROOT / folder).rglob("*.py"))


def test_screens_and_tests_use_only_public_textual_api():
    found = [hit for path in scanned_files() for hit in private_uses(path)]
    assert found == [], "\n".join(found)


# What the scan must catch: each use of Textual's internals casebook once had.
CAUGHT = {
    "a crash handler re-implemented from private fields": (
        """
        from textual.app import App

        class CasebookApp(App):
            def _handle_exception(self, error):
                self._return_code = 1
                self._exit_renderables.append(error)
                self._close_messages_no_wait()
        """,
        ["overrides Textual's CasebookApp._handle_exception", "self._return_code"],
    ),
    "bindings swapped per node": (
        """
        class Localized:
            def localize_bindings(self):
                merged = type(self)._merged_bindings
                self._bindings = merged
        """,
        ["type(self)._merged_bindings"],
    ),
    "DataTable's cell drawing overridden": (
        """
        from textual.widgets import DataTable

        class PlainCells:
            def _render_cell(self, row, column, style, width):
                key = self._row_locations.get_key(row)
                return super()._render_cell(row, column, style, width)

        class CaseTable(PlainCells, DataTable):
            def _update_dimensions(self, rows):
                return super()._update_dimensions(())
        """,
        [
            "super()._render_cell",
            "overrides Textual's CaseTable._update_dimensions",
            "super()._update_dimensions",
        ],
    ),
    "a SelectionList's private selection and a private module": (
        """
        from textual.widgets import SelectionList

        class TickList(SelectionList):
            def render_line(self, y):
                from textual.widgets._toggle_button import ToggleButton
                return self.value in self._selected
        """,
        ["from textual.widgets._toggle_button import", "self._selected"],
    ),
    "tests reading the compositor and the notifications": (
        """
        import textual._compositor

        def screen_text(app):
            return app.screen._compositor.render_strips(), list(app._notifications)
        """,
        ["import textual._compositor", "app.screen._compositor", "app._notifications"],
    ),
}

ALLOWED = """
import os
from textual.app import App, SystemCommand
from textual.widget import Widget

class Board(Widget):
    def __init__(self):
        super().__init__()
        self._rows = []          # our own name, not Textual's

    def _redraw(self):           # our own method
        return self._rows

def commands(command: SystemCommand):
    os._exit  # a module's attribute
    return command._replace(title="x")  # namedtuple's public API
"""


def _scan_source(tmp_path: Path, source: str) -> list[str]:
    path = tmp_path / "probe.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return private_uses(path)


def test_the_scan_catches_each_private_use_casebook_had(tmp_path):
    for case, (source, expected) in CAUGHT.items():
        found = _scan_source(tmp_path, source)
        for what in expected:
            assert any(what in hit for hit in found), (case, what, found)


def test_the_scan_leaves_our_own_private_names_alone(tmp_path):
    assert _scan_source(tmp_path, ALLOWED) == []
