"""One module per subcommand: `add_arguments(parser)` and `run(args) -> int`.

Modules import nothing heavy at module level: building the parser for `--help`
imports all of them.
"""
