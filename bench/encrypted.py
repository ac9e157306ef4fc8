"""Encrypted vs plain: figures 1-3 of bench/run.py (cold start to Today painted, `/`
search per key, open the large case) on the decade casebook and on an encrypted copy
of it, run in turn; and the passphrase's key derivation (scrypt) on its own.

    python bench/encrypted.py [--repeats N]

Target (issue 18): encrypted within 1.2x of plain. The encrypted copy is started
with its key already unlocked (as "remember on this computer" does); typing the
passphrase adds the scrypt time printed last, once per start.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import run as bench  # noqa: E402

PASSPHRASE = "bench: fictional data only"


def encrypted_copy(plain: Path) -> tuple[Path, Path]:
    """The encrypted copy of `plain` (cached beside it) and a file with its key."""
    target = plain.with_name(plain.stem + "-encrypted.sqlite3")
    key_file = target.with_suffix(".key.json")
    code = f"""
import json, shutil
from pathlib import Path
from casebook import cipher, encryption
target = Path({str(target)!r})
if not cipher.is_encrypted(target) or not Path({str(key_file)!r}).exists():
    shutil.copy({str(plain)!r}, target)
    encryption.encrypt_in_place(target, {PASSPHRASE!r})
    kf = cipher.key_file(target)
    Path({str(key_file)!r}).write_text(json.dumps({{"key_id": kf.key_id, "key": cipher.key_for(target).hex()}}))
"""
    subprocess.run([bench.PY, "-c", code], check=True, env=bench.ENV, cwd=bench.ROOT)
    os.chmod(key_file, 0o600)
    return target, key_file


def scrypt_ms(target: Path, repeats: int) -> list[float]:
    code = f"""
import time
from casebook import cipher
kf = cipher.key_file({str(target)!r})
for _ in range({repeats}):
    t = time.perf_counter(); kf.open_with_passphrase({PASSPHRASE!r}); print((time.perf_counter() - t) * 1000)
"""
    out = subprocess.run(
        [bench.PY, "-c", code], check=True, env=bench.ENV, cwd=bench.ROOT, capture_output=True
    )
    return [float(line) for line in out.stdout.decode().split()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--only", default="", metavar="N,N", help="only these figures (1-3)")
    opts = parser.parse_args(argv)
    only = {n.strip() for n in opts.only.split(",") if n.strip()}
    decade = bench.casebook_file(bench.DECADE)
    enc, key_file = encrypted_copy(decade)
    print(f"encrypted vs plain: {opts.repeats} repeats, {os.cpu_count()} CPUs", flush=True)
    figures = []
    modes = (
        ("1. cold start to Today painted", "today", (), bench.painted_ms),
        ("2. '/' search in Cases, per key", "search", ("--query", bench.QUERY), bench.key_median),
        (
            "3. open case (300 contacts, 50 steps)",
            "case",
            ("--case", bench.BIG_CASE),
            lambda r: r.data.get("open_ms"),
        ),
    )
    for name, mode, extra, measure in modes:
        if only and name.split(".")[0] not in only:
            continue
        print(f"  {name} …", flush=True)
        plain, encrypted = [], []
        for _ in range(opts.repeats):
            p, _ = bench.ui_runs(mode, decade, 1, floor=False, extra=extra)
            e, _ = bench.ui_runs(
                mode, enc, 1, floor=False, extra=(*extra, "--key-file", str(key_file))
            )
            plain.append(measure(p[0]))
            encrypted.append(measure(e[0]))
        mp, me = bench.median(plain), bench.median(encrypted)
        ratio = me / mp if mp and me else None
        figures.append(bench.Figure(f"{name}, plain", plain, "ms", "(reference)", None))
        figures.append(
            bench.Figure(
                f"{name}, encrypted",
                encrypted,
                "ms",
                "<= 1.2x plain",
                ratio is not None and ratio <= 1.2,
                ratio,
            )
        )
    kdf = scrypt_ms(enc, opts.repeats)
    figures.append(bench.Figure("unlock: scrypt of the passphrase", kdf, "ms", "~500 ms", None))
    bench.print_table(figures)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"\n  measured {started}")
    failed = [f.name for f in figures if f.ok is False]
    print(f"{'all targets hold' if not failed else f'{len(failed)} target(s) missed'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
