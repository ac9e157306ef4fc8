"""The floor app: the least a Textual app on this casebook file can do.

A bare Textual app (Header, a 20-row DataTable, Footer) that also imports sqlmodel and
reads 20 rows from the same casebook file, then exits once it has painted them. The UI
figures are measured against it, alternating, in the same run.

Run by bench/run.py as: python bench/floor_app.py DB OUT_JSON
"""

from __future__ import annotations

import json
import sys
import time

import sqlmodel
from sqlalchemy import text
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header


class FloorApp(App):
    def __init__(self, db: str, out: str) -> None:
        super().__init__()
        self.db, self.out = db, out

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        engine = sqlmodel.create_engine(f"sqlite:///{self.db}")
        with sqlmodel.Session(engine) as session:
            rows = session.exec(
                text(
                    "SELECT reference, title, phase, status, opened_on FROM case_file "
                    "ORDER BY id DESC LIMIT 20"
                )
            ).all()
        table = self.query_one(DataTable)
        table.add_columns("reference", "title", "phase", "status", "opened")
        table.add_rows([tuple(row) for row in rows])
        self.call_after_refresh(self._painted, len(rows))

    def _painted(self, count: int) -> None:
        with open(self.out, "w") as fh:
            json.dump({"painted": time.monotonic(), "rows": count}, fh)
        self.exit()


if __name__ == "__main__":
    FloorApp(sys.argv[1], sys.argv[2]).run(headless=True, size=(120, 40))
