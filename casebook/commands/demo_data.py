"""`casebook demo-data`: write a deterministic fictional casebook.

Up to `BULK_FROM - 1` cases each case is written through the officer's services
(`casebook.demo`); from `BULK_FROM` cases on, or with `--bulk`, the rows are written
in bulk (`casebook.demo_bulk`), which makes a decade's casebook in seconds.
"""

from __future__ import annotations

import argparse

from casebook.i18n import t, tn

BULK_FROM = 501


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE", help=t("cli.opt.out_new"))
    p.add_argument("--cases", type=int, default=150, metavar="N", help=t("cli.opt.cases"))
    p.add_argument("--years", type=int, default=3, metavar="N", help=t("cli.opt.years"))
    p.add_argument("--seed", type=int, default=1, metavar="N", help=t("cli.opt.seed"))
    p.add_argument("--today", metavar="DATE", help=t("cli.opt.today"))
    how = p.add_mutually_exclusive_group()
    how.add_argument("--bulk", action="store_true", default=None, help=t("bench.opt.bulk"))
    how.add_argument("--services", dest="bulk", action="store_false", help=t("bench.opt.services"))


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casebook.dates import parse_date
    from casebook.db import open_casebook
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
    bulk = args.bulk if args.bulk is not None else args.cases >= BULK_FROM
    big_reference = None
    cb = open_casebook(out)
    try:
        with cb.write() as session:
            if bulk:
                from casebook.demo_bulk import generate_bulk

                result = generate_bulk(
                    session, cases=args.cases, years=args.years, seed=args.seed, today=today
                )
                n, big_reference = result.cases, result.big_case_reference
            else:
                from casebook.demo import generate

                n = generate(
                    session, cases=args.cases, years=args.years, seed=args.seed, today=today
                )
    except BaseException:
        cb.close()
        out.unlink(missing_ok=True)
        raise
    cb.close()
    print(tn("cli.demo_written", n, path=str(out), cases=n))
    if big_reference:
        print(t("bench.demo_big_case", reference=big_reference))
    return 0
