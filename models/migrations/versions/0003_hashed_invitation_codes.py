"""Invitation codes stored as their SHA-256: a copy of the database holds no usable link.

The codes already stored are hashed in place, so a link handed out before the upgrade still works after it.
Downgrading cannot bring the codes back: it renames the column and leaves the hashes, so every invitation not
yet used stops working (the secretaries invite again); used ones lose nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""
import hashlib

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    invitation = sa.table('invitation', sa.column('id', sa.Integer()), sa.column('code', sa.String(64)))
    connection = op.get_bind()
    stored = connection.execute(sa.select(invitation.c.id, invitation.c.code)).all()
    for row in stored:
        connection.execute(invitation.update().where(invitation.c.id == row.id)
                           .values(code=hashlib.sha256(row.code.encode()).hexdigest()))

    # Renamed first, then the unique constraint renamed with it: SQLite's batch mode loses a constraint that
    # names a column renamed in the same batch.
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.alter_column('code', new_column_name='code_hash', existing_type=sa.String(length=64),
                              existing_nullable=False)
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_invitation_code'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_invitation_code_hash'), ['code_hash'])


def downgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.alter_column('code_hash', new_column_name='code', existing_type=sa.String(length=64),
                              existing_nullable=False)
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_invitation_code_hash'), type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_invitation_code'), ['code'])
