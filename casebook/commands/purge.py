"""`casebook purge [--apply]`: the retention rule. A dry run unless --apply."""

from __future__ import annotations

import argparse

from casebook.i18n import t


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--apply", action="store_true", help=t("safety.opt.purge_apply"))
    p.add_argument("--yes", action="store_true", help=t("safety.opt.yes"))
    p.add_argument("--today", metavar="DATE", help=t("cli.opt.today"))


def run(args: argparse.Namespace) -> int:
    import sys

    from casebook import retention
    from casebook.cli import open_from_args
    from casebook.commands._confirm import confirm_or_refuse, parse_today

    today = parse_today(args.today)
    # a dry run only reads: it neither writes nor merges a -wal into the file
    cb = open_from_args(args, readonly=not args.apply)
    try:
        plan = retention.plan_purge(cb, today=today)
        print(t(f"safety.purge.rule.{plan.mode}", years=plan.term_years))
        if not plan.cases:
            print(t("safety.purge.nothing_due"))
        else:
            print(t("safety.purge.due", count=len(plan.cases)))
            for case in plan.cases:
                print(f"  {case.reference}  {t('safety.purge.closed', year=case.closed_on.year)}")
            if plan.years_changed:
                years = ", ".join(str(y) for y in plan.years_changed)
                print(t("safety.purge.years_change", years=years))
        if not args.apply:
            if plan.cases:
                print(t("safety.purge.dry_run"))
            return 0
        question = t("safety.purge.confirm", count=len(plan.cases))
        if plan.cases and not confirm_or_refuse(question, yes=args.yes):
            print(t("safety.cancelled"))
            return 1
        result = retention.purge(cb, today=today)
    finally:
        cb.close()
    key = "safety.purge.stripped" if result.mode == "strip" else "safety.purge.deleted"
    print(t(key, count=len(result.cases)))
    if not result.clean:
        print(t("safety.vacuum.incomplete"), file=sys.stderr)
        return 1
    if result.cases:
        print(t("safety.backups_remain"))
    return 0
