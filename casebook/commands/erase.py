"""`casebook erase REFERENCE --person N [--apply]`: an erasure request for one person."""

from __future__ import annotations

import argparse

from casebook.i18n import t


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("reference", metavar="REFERENCE", help=t("safety.opt.reference"))
    p.add_argument("--person", type=int, required=True, metavar="N", help=t("safety.opt.person"))
    p.add_argument("--apply", action="store_true", help=t("safety.opt.erase_apply"))
    p.add_argument("--yes", action="store_true", help=t("safety.opt.yes"))


def run(args: argparse.Namespace) -> int:
    import sys

    from casebook import refdata, retention
    from casebook.cli import open_from_args
    from casebook.commands._confirm import confirm_or_refuse

    # a dry run only reads: it neither writes nor merges a -wal into the file
    cb = open_from_args(args, readonly=not args.apply)
    try:
        with cb.read() as session:
            case, person = retention.person_at(session, args.reference, args.person)
            role = refdata.label("person_roles", person.role)
        print(t("safety.erase.target", reference=case.reference, position=args.person, role=role))
        if person.erased:
            print(t("safety.erase.already"))
        if not args.apply:
            print(t("safety.erase.dry_run"))
            return 0
        if not confirm_or_refuse(t("safety.erase.confirm"), yes=args.yes):
            print(t("safety.cancelled"))
            return 1
        clean = retention.erase(cb, args.reference, args.person)
    finally:
        cb.close()
    print(t("safety.erase.done"))
    if not clean:
        print(t("safety.vacuum.incomplete"), file=sys.stderr)
        return 1
    print(t("safety.backups_remain"))
    return 0
