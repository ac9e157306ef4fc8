"""`casebook demo-data`: write a deterministic fictional casebook."""

from __future__ import annotations

import argparse

from casebook.i18n import t


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE", help=t("cli.opt.out_new"))
    p.add_argument("--cases", type=int, default=150, metavar="N")
    p.add_argument("--years", type=int, default=3, metavar="Y")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p.add_argument("--today", metavar="DATE", help=t("cli.opt.today"))


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casebook.dates import parse_date
    from casebook.db import open_casebook
    from casebook.demo import generate
    from casebook.errors import CasebookError

    out = Path(args.out)
    if out.exists():
        raise CasebookError("cli.exists", path=str(out))
    if args.cases < 1 or args.years < 1:
        raise CasebookError("error.range", low=1, high=10**6)
    try:
        today = parse_date(args.today) if args.today else None
    except ValueError:
        raise CasebookError("error.date") from None
    cb = open_casebook(out)
    try:
        with cb.write() as session:
            n = generate(session, cases=args.cases, years=args.years, seed=args.seed, today=today)
    except BaseException:
        cb.close()
        out.unlink(missing_ok=True)
        raise
    cb.close()
    print(t("cli.demo_written", path=str(out), cases=n))
    return 0
