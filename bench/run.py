"""casebook's benchmarks: one command, one table.

    python bench/run.py            # the full run (makes the 1x, 4x and 16x casebooks once)
    python bench/run.py --quick    # fewer repeats; the 4x/16x figures only if cached

Every UI figure is measured headless in a fresh process, from the moment the process
is started to the moment the screen has painted its data (see bench/ui_child.py), and
alternated in the same run with the floor app (bench/floor_app.py): a bare Textual
app with a header, a 20-row table and a footer that imports sqlmodel and reads 20 rows
from the same file. The table shows medians with min and max, the ratio to the floor
or to the reference command where the target is a ratio, the target, and PASS/FAIL.

Casebooks are generated with `casebook demo-data` (the bulk generator) and cached in
bench/.cache, keyed by size, seed, the fixed 'today' and the generator's source.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CACHE = BENCH / ".cache"
PY = sys.executable
TODAY = "2026-11-28"
SEED = 1
DECADE = 6000  # cases in the decade casebook (10 years)
YEARS = 10
BIG_CASE = "2025-0001"  # the case with 300 contact moments and 50 steps (see demo_bulk)
QUERY = "quinma"  # six keys: part of a surname, as the officer would type it
STATS_YEAR = "2025"


# -- running things ------------------------------------------------------------------


@dataclass
class Run:
    wall: float  # seconds from start to exit
    maxrss_kb: int
    code: int
    data: dict = field(default_factory=dict)
    started: float = 0.0


def spawn(args: list[str], *, out: Path | None = None, env: dict | None = None) -> Run:
    """Run a process to its end; its wall time and its own peak memory (wait4)."""
    if out is not None and out.exists():
        out.unlink()
    started = time.monotonic()
    proc = subprocess.Popen(
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=env or ENV,
        cwd=ROOT,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.stderr.close()
    data = {}
    if out is not None and out.exists():
        data = json.loads(out.read_text())
    if proc.returncode != 0 and not data:
        print(f"  ! {' '.join(args[1:3])} exited {proc.returncode}: {err.strip()[-400:]}")
    return Run(wall, usage.ru_maxrss, proc.returncode, data, started)


def casebook_cmd(*args: str) -> list[str]:
    return [PY, "-m", "casebook", *args]


# -- casebooks -----------------------------------------------------------------------


def _generator_hash() -> str:
    digest = hashlib.sha256()
    sources = [ROOT / "casebook" / n for n in ("demo_bulk.py", "demo.py", "models.py", "schema.py")]
    sources += sorted((ROOT / "casebook" / "migrations" / "versions").glob("*.py"))
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()[:10]


def casebook_file(cases: int, *, make: bool = True) -> Path | None:
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"casebook-{cases}-s{SEED}-{TODAY}-{_generator_hash()}.sqlite3"
    if path.exists():
        return path
    if not make:
        return None
    for old in CACHE.glob(f"casebook-{cases}-s{SEED}-*"):
        old.unlink()
    print(f"  generating a casebook of {cases} cases over {YEARS} years …", flush=True)
    tmp = path.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    started = time.monotonic()
    result = subprocess.run(
        casebook_cmd(
            "demo-data", "--out", str(tmp), "--cases", str(cases), "--years", str(YEARS),
            "--seed", str(SEED), "--today", TODAY, "--bulk",
        ),
        env=ENV, cwd=ROOT, capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"demo-data failed: {result.stderr}")
    for suffix in ("-wal", "-shm"):
        Path(f"{tmp}{suffix}").unlink(missing_ok=True)
    tmp.rename(path)
    print(f"    done in {time.monotonic() - started:.1f} s", flush=True)
    GENERATED[cases] = time.monotonic() - started
    return path


GENERATED: dict[int, float] = {}


# -- figures -------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    values: list[float]  # what the medians are of (ms, MB, ratio…)
    unit: str
    target: str
    ok: bool | None
    ratio: float | None = None
    note: str = ""

    def cells(self) -> list[str]:
        vals = [v for v in self.values if v is not None]
        if not vals:
            return [self.name, "-", "-", "-", "-", self.target, "n/a", self.note]
        fmt = "{:.0f}" if self.unit in ("ms", "MB") else "{:.2f}"

        def f(v):
            return fmt.format(v) + (f" {self.unit}" if self.unit else "")

        ratio = f"{self.ratio:.2f}x" if self.ratio is not None else ""
        verdict = "PASS" if self.ok else ("FAIL" if self.ok is not None else "-")
        return [
            self.name,
            f(statistics.median(vals)),
            f(min(vals)),
            f(max(vals)),
            ratio,
            self.target,
            verdict,
            self.note,
        ]


def median(values) -> float | None:
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def ui_runs(mode: str, db: Path, repeats: int, *, floor: bool, extra=()) -> tuple[list, list]:
    """`repeats` runs of the UI child, alternating with the floor app when asked."""
    app_runs, floor_runs = [], []
    out = Path(TMP) / f"{mode}.json"
    fout = Path(TMP) / "floor.json"
    for _ in range(repeats):
        if floor:
            floor_runs.append(
                spawn([PY, str(BENCH / "floor_app.py"), str(db), str(fout)], out=fout)
            )
        app_runs.append(
            spawn(
                [PY, str(BENCH / "ui_child.py"), mode, str(db), str(out), "--today", TODAY, *extra],
                out=out,
            )
        )
    return app_runs, floor_runs


def painted_ms(run: Run) -> float | None:
    if "painted" not in run.data:
        return None
    return (run.data["painted"] - run.started) * 1000


def load_ms(run: Run) -> float | None:
    """Today's load time: `r` pressed to the board repainted (median of three)."""
    return median(run.data.get("reload_ms") or [])


def key_median(run: Run) -> float | None:
    return median(run.data.get("keys_ms") or [])


def process_pairs(a: list[str], b: list[str], repeats: int) -> tuple[list[float], list[float]]:
    ta, tb = [], []
    for _ in range(repeats):
        tb.append(spawn(b).wall * 1000)
        ta.append(spawn(a).wall * 1000)
    return ta, tb


def modules_after(code: str) -> dict:
    """Run `code` in a fresh interpreter; which heavy modules it left loaded."""
    probe = (
        f"{code}\nimport sys, json\n"
        "print(json.dumps({m: m in sys.modules for m in "
        "('textual', 'sqlalchemy', 'sqlmodel', 'alembic')}))"
    )
    result = subprocess.run(
        [PY, "-c", probe],
        env=ENV,
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    try:
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": result.stderr[-300:]}


# -- the run -------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats; no new 4x/16x")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--no-growth", action="store_true", help="skip the 4x/16x casebooks")
    parser.add_argument(
        "--only", default="", metavar="N,N", help="measure only these figures (e.g. 1,3)"
    )
    opts = parser.parse_args(argv)
    only = {int(n) for n in opts.only.split(",") if n.strip()}

    def want(n: int) -> bool:
        return not only or n in only

    repeats = opts.repeats or (3 if opts.quick else 7)
    figures: list[Figure] = []
    info: list[str] = []

    print(
        f"casebook bench: {repeats} repeats, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    )
    decade = casebook_file(DECADE)
    big = {}
    if not opts.no_growth and want(9):
        for factor in (4, 16):
            big[factor] = casebook_file(DECADE * factor, make=not opts.quick)
    for cases, secs in GENERATED.items():
        info.append(f"generated {cases} cases in {secs:.1f} s")

    if want(1):
        # 1. cold start to Today painted, alternating with the floor app
        print("  1. cold start: Today vs floor …", flush=True)
        today_runs, floor_runs = ui_runs("today", decade, repeats, floor=True)
        t_app = [painted_ms(r) for r in today_runs]
        t_floor = [painted_ms(r) for r in floor_runs]
        ratios = [a / f for a, f in zip(t_app, t_floor, strict=True) if a and f]
        ratio = (median(t_app) / median(t_floor)) if median(t_app) and median(t_floor) else None
        figures.append(Figure("floor app: start to painted", t_floor, "ms", "(reference)", None))
        figures.append(
            Figure(
                "1. cold start to Today painted",
                t_app,
                "ms",
                "<= 1.2x floor",
                ratio is not None and ratio <= 1.2,
                ratio,
                f"pairwise ratio {min(ratios):.2f}-{max(ratios):.2f}" if ratios else "",
            )
        )

    if want(2):
        # 2. search in Cases, per key
        print("  2. search in Cases …", flush=True)
        search_runs, _ = ui_runs("search", decade, repeats, floor=False, extra=("--query", QUERY))
        per_key = [key_median(r) for r in search_runs]
        all_keys = [k for r in search_runs for k in (r.data.get("keys_ms") or [])]
        key_queries = median([q for r in search_runs for q in (r.data.get("key_queries_ms") or [])])
        figures.append(
            Figure(
                f"2. '/' search in Cases, per key ({len(QUERY)} keys)",
                per_key,
                "ms",
                "<= 50 ms",
                median(per_key) is not None and median(per_key) <= 50,
                note=f"all keys {min(all_keys):.0f}-{max(all_keys):.0f} ms; queries {key_queries:.0f} ms"
                if all_keys and None not in all_keys
                else "a key's search was not seen",
            )
        )

    if want(3):
        # 3. open the case with 300 contact moments and 50 steps
        print("  3. open a large case …", flush=True)
        case_runs, _ = ui_runs("case", decade, repeats, floor=False, extra=("--case", BIG_CASE))
        open_ms = [r.data.get("open_ms") for r in case_runs]
        detail = median([r.data.get("case_detail_ms") for r in case_runs])
        show = median([r.data.get("case_show_ms") for r in case_runs])
        figures.append(
            Figure(
                "3. open case (300 contacts, 50 steps)",
                open_ms,
                "ms",
                "<= 150 ms",
                median(open_ms) is not None and median(open_ms) <= 150,
                note=f"case_detail {detail:.0f} ms, screen's show() {show:.0f} ms"
                if detail is not None and show is not None
                else "",
            )
        )

    if want(4):
        # 4. casebook stats YEAR vs import sqlmodel
        print("  4. casebook stats …", flush=True)
        stats_cmd = casebook_cmd("--db", str(decade), "stats", STATS_YEAR)
        stats_runs = [spawn(stats_cmd) for _ in range(1)]  # warm the file cache once
        t_stats, t_sqlmodel = process_pairs(stats_cmd, [PY, "-c", "import sqlmodel"], repeats)
        ok_stats = stats_runs[0].code == 0
        r4 = median(t_stats) / median(t_sqlmodel)
        figures.append(
            Figure("   python -c 'import sqlmodel'", t_sqlmodel, "ms", "(reference)", None)
        )
        figures.append(
            Figure(
                f"4. casebook stats {STATS_YEAR}",
                t_stats,
                "ms",
                "<= 1.3x import sqlmodel",
                ok_stats and r4 <= 1.3,
                r4,
                "" if ok_stats else "stats exited non-zero",
            )
        )

    if want(5):
        # 5. casebook --help vs import platformdirs, and what it imports
        print("  5. casebook --help …", flush=True)
        t_help, t_pd = process_pairs(
            casebook_cmd("--help"), [PY, "-c", "import platformdirs"], repeats
        )
        r5 = median(t_help) / median(t_pd)
        mods = modules_after(
            "import sys\nfrom casebook import cli\ntry:\n    cli.main(['--help'])\n"
            "except SystemExit:\n    pass"
        )
        clean = mods.get("textual") is False and mods.get("sqlalchemy") is False
        figures.append(
            Figure("   python -c 'import platformdirs'", t_pd, "ms", "(reference)", None)
        )
        figures.append(
            Figure(
                "5. casebook --help",
                t_help,
                "ms",
                "<= 2x platformdirs, no textual/sqlalchemy",
                clean and r5 <= 2.0,
                r5,
                "imports: " + ",".join(m for m, v in mods.items() if v is True)
                if not clean
                else "",
            )
        )

    if want(6):
        # 6. a normal start does not import alembic
        print("  6. normal start without alembic …", flush=True)
        start_mods = modules_after(
            f"from casebook.db import open_casebook\ncb = open_casebook({str(decade)!r})\n"
            "from screens.app import CasebookApp\napp = CasebookApp(cb)\ncb.close()"
        )
        in_ui = [r.data.get("alembic_loaded") for r in today_runs if "alembic_loaded" in r.data]
        no_alembic = start_mods.get("alembic") is False and not any(in_ui)
        figures.append(
            Figure(
                "6. normal start imports alembic",
                [0.0 if no_alembic else 1.0],
                "",
                "no",
                no_alembic,
                note="open_casebook + App, and the Today runs",
            )
        )

    if want(7):
        # 7. import the decade casebook from its JSON dump
        print("  7. dump and import …", flush=True)
        dump = CACHE / f"{decade.stem}.json"
        if not dump.exists():
            spawn(casebook_cmd("--db", str(decade), "dump", "--out", str(dump)))
        target = Path(TMP) / "imported.sqlite3"
        imports = []
        for _ in range(1 if opts.quick else 2):
            for p in Path(TMP).glob("imported.sqlite3*"):
                p.unlink()
            run = spawn(casebook_cmd("--db", str(target), "import", str(dump), "--create"))
            imports.append(run.wall * 1000 if run.code == 0 else None)
        figures.append(
            Figure(
                "7. import decade casebook from JSON",
                [v / 1000 if v else None for v in imports],
                "s",
                "< 30 s",
                all(imports) and median(imports) < 30_000,
            )
        )

    if want(8):
        # 8. peak memory of the UI on the decade casebook
        rss = [r.maxrss_kb / 1024 for r in today_runs + search_runs + case_runs if r.code == 0]
        figures.append(
            Figure(
                "8. peak memory of the UI (max RSS)",
                rss,
                "MB",
                "<= 120 MB",
                bool(rss) and max(rss) <= 120,
                note=f"highest {max(rss):.0f} MB" if rss else "",
            )
        )

    if want(9):
        # 9. growth: Today's load and search per key, 16x against 1x
        if big.get(16) is not None:
            print("  9. growth: 16x casebook …", flush=True)
            t16, _ = ui_runs("today", big[16], repeats, floor=False)
            s16, _ = ui_runs("search", big[16], repeats, floor=False, extra=("--query", QUERY))
            l1, l16 = [load_ms(r) for r in today_runs], [load_ms(r) for r in t16]
            k1, k16 = per_key, [key_median(r) for r in s16]
            g_today = median(l16) / median(l1) if median(l1) and median(l16) else None
            g_search = median(k16) / median(k1) if median(k1) and median(k16) else None
            figures.append(
                Figure("   Today load ('r' to repainted), 1x", l1, "ms", "(reference)", None)
            )
            figures.append(
                Figure(
                    "9a. Today load on 16x casebook",
                    l16,
                    "ms",
                    "<= 1.5x the 1x load",
                    g_today is not None and g_today <= 1.5,
                    g_today,
                    f"cold start {median([painted_ms(r) for r in t16]):.0f} ms",
                )
            )
            figures.append(
                Figure(
                    "9b. search per key on 16x casebook",
                    k16,
                    "ms",
                    "<= 1.5x the 1x search",
                    g_search is not None and g_search <= 1.5,
                    g_search,
                )
            )
            rss16 = [r.maxrss_kb / 1024 for r in t16 + s16 if r.code == 0]
            if rss16:
                info.append(f"peak memory of the UI on the 16x casebook: {max(rss16):.0f} MB")
        else:
            figures.append(
                Figure("9. growth 16x vs 1x", [], "", "<= 1.5x", None, note="16x not cached")
            )

    print_table(figures)
    for line in info:
        print(f"  {line}")
    failed = [f.name for f in figures if f.ok is False]
    print(f"\n{'all targets hold' if not failed else f'{len(failed)} target(s) missed'}")
    return 1 if failed else 0


def print_table(figures: list[Figure]) -> None:
    head = ["figure", "median", "min", "max", "ratio", "target", "result", "note"]
    rows = [head] + [f.cells() for f in figures]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    print()
    for n, row in enumerate(rows):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


TMP = tempfile.mkdtemp(prefix="casebook-bench-")
ENV = dict(os.environ)
ENV["CASEBOOK_HOME"] = str(Path(TMP) / "home")  # no preferences or backups of the user's
ENV.pop("CASEBOOK_DB", None)
ENV.pop("CASEBOOK_LANG", None)
ENV["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), ENV.get("PYTHONPATH", "")]))

if __name__ == "__main__":
    try:
        code = main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    raise SystemExit(code)
