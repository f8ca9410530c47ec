"""Follow-up columns: reminder contact and payload, inactive contacts, snoozes, idempotent status updates.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snoozed_until', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inactive_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('inactive_reason', sa.String(length=200), nullable=True))

    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('payload', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.create_index(batch_op.f('ix_reminder_member_id'), ['member_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reminder_member_id_member'), 'member', ['member_id'], ['id'])

    with op.batch_alter_table('status_update', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('reminder_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_status_update_dedupe_key'), ['dedupe_key'])
        batch_op.create_foreign_key(batch_op.f('fk_status_update_reminder_id_reminder'), 'reminder', ['reminder_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('status_update', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_status_update_reminder_id_reminder'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_status_update_dedupe_key'), type_='unique')
        batch_op.drop_column('reminder_id')
        batch_op.drop_column('dedupe_key')

    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reminder_member_id_member'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reminder_member_id'))
        batch_op.drop_column('payload')
        batch_op.drop_column('member_id')

    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('inactive_reason')
        batch_op.drop_column('inactive_since')

    with op.batch_alter_table('assignment', schema=None) as batch_op:
        batch_op.drop_column('snoozed_until')

