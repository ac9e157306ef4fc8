"""casebook: the casebook of a municipal aandachtsfunctionaris mensenhandel.

The package root stays import-light on purpose: `casebook --help` must not pay for
SQLAlchemy or Textual. Import submodules where they are needed.
"""

__version__ = "0.1.0"
