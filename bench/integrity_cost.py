"""What the start-up integrity check costs on the decade casebook (issue 14).

    python bench/integrity_cost.py [--cases 6000] [--years 10]

Makes the decade casebook once (`casebook demo-data`, cached in bench/.cache like
bench/run.py's), then times, in this process: SQLite's quick_check as the UI's start
runs it in a worker (`casebook.backup.quick_check`, medians of 5 warm runs, plus the
first run, colder), and the -wal check of every read-write open
(`casebook.filemark.checked_wal_verdict`, with and without a -wal beside the file).
Prints one line per figure; not part of the tests (no timed assertions there).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"


def _timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=6000)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"integrity-{args.cases}-{args.years}.sqlite3"
    if not path.exists():
        env = dict(os.environ, CASEBOOK_NOW="2026-11-28", CASEBOOK_HOME=str(CACHE / "home"))
        subprocess.run(
            [sys.executable, "-m", "casebook", "demo-data", "--out", str(path),
             "--cases", str(args.cases), "--years", str(args.years), "--today", "2026-11-28"],
            check=True, env=env,
        )  # fmt: skip
    from casebook.backup import quick_check
    from casebook.filemark import checked_wal_verdict

    size_mb = path.stat().st_size / 2**20
    first = _timed(lambda: quick_check(path), 1)[0]
    warm = _timed(lambda: quick_check(path), 5)
    no_wal = _timed(lambda: checked_wal_verdict(path), 20)
    work = CACHE / "integrity-wal"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    copy = work / path.name
    shutil.copy(path, copy)
    import sqlite3

    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("BEGIN")
    conn.execute("UPDATE contact_moment SET summary = summary || '.'")  # a WAL of many pages
    conn.execute("PRAGMA user_version = 1")  # as a casebook save: page 1 in the log
    conn.execute("COMMIT")
    wal_mb = Path(f"{copy}-wal").stat().st_size / 2**20
    with_wal = _timed(lambda: checked_wal_verdict(copy), 5)
    conn.close()
    shutil.rmtree(work, ignore_errors=True)
    ms = lambda v: f"{1000 * v:.0f} ms"  # noqa: E731
    print(f"decade casebook: {args.cases} cases, {args.years} years, {size_mb:.0f} MB")
    print(f"start-up quick_check (in a worker, after Today): first {ms(first)}, "
          f"warm median {ms(statistics.median(warm))} (min {ms(min(warm))}, max {ms(max(warm))})")  # fmt: skip
    print(
        f"-wal check at a read-write open, no -wal: median {1e6 * statistics.median(no_wal):.0f} µs"
    )
    print(f"-wal check with a {wal_mb:.0f} MB -wal: median {ms(statistics.median(with_wal))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
