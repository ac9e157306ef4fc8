"""`casebook access REFERENCE --person N --out FILE`: an access request: everything
about one person, as JSON or Markdown, in a new file (owner-only on POSIX; see `paths.protection`)."""

from __future__ import annotations

import argparse

from casebook.i18n import t


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("reference", metavar="REFERENCE", help=t("safety.opt.reference"))
    p.add_argument("--person", type=int, required=True, metavar="N", help=t("safety.opt.person"))
    p.add_argument("--format", choices=("json", "md"), default=None, help=t("safety.opt.format"))
    p.add_argument("--out", required=True, metavar="FILE", help=t("cli.opt.out_new"))


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from casebook import retention
    from casebook.cli import open_from_args

    out = Path(args.out).expanduser()
    fmt = args.format or ("md" if out.suffix.lower() in (".md", ".markdown") else "json")
    cb = open_from_args(args, readonly=True)
    try:
        with cb.read() as session:
            export = retention.access_export(session, args.reference, args.person)
    finally:
        cb.close()
    text = export.to_markdown() if fmt == "md" else export.to_json()
    retention.write_private(out, text)
    from casebook.paths import protection

    print(t("safety.access.written_to", path=str(out), protection=protection(out)))
    print(t("safety.access.review"))
    return 0
