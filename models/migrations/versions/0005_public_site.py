"""The public site: a committee's published flag, an agreement's reserved flag, and each committee's semáforo counts
kept for the national roll-up.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('committee', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reserved', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index('ix_reminder_committee_sent', ['committee_id', 'sent_at'], unique=False)
    op.create_table('committee_tally',
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=100), nullable=False),
    sa.Column('green', sa.Integer(), nullable=False),
    sa.Column('yellow', sa.Integer(), nullable=False),
    sa.Column('red', sa.Integer(), nullable=False),
    sa.Column('grey', sa.Integer(), nullable=False),
    sa.Column('done', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], name=op.f('fk_committee_tally_committee_id_committee')),
    sa.PrimaryKeyConstraint('committee_id', name=op.f('pk_committee_tally'))
    )


def downgrade() -> None:
    op.drop_table('committee_tally')
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_committee_sent')
    with op.batch_alter_table('agreement', schema=None) as batch_op:
        batch_op.drop_column('reserved')
    with op.batch_alter_table('committee', schema=None) as batch_op:
        batch_op.drop_column('published')
