"""Alembic environment: always run programmatically by `casebook.db`, on the
connection it passes in `config.attributes["connection"]`."""

from alembic import context
from sqlmodel import SQLModel

import casebook.models  # noqa: F401  (registers the tables)
from casebook.schema import is_modelled

config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    include_name=is_modelled,  # the FTS5 search index lives outside the models
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
