"""Alembic environment: runs on the connection handed over by models.db.upgrade."""

from alembic import context

from models.base import Base
import models.entities  # noqa: F401  (registers every table on Base.metadata)

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations with `acuerdos-bot db upgrade`, which provides the connection.")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
