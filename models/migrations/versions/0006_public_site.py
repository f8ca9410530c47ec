"""The public site: a committee's published flag, an agreement's reserved flag, and each committee's semáforo counts
kept for the national roll-up.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: SQLite adds a column with a constant default in place, without copying a table that
    # others reference.
    op.add_column('committee', sa.Column('published', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column('agreement', sa.Column('reserved', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index('ix_reminder_committee_sent', 'reminder', ['committee_id', 'sent_at'], unique=False)
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
    op.drop_index('ix_reminder_committee_sent', table_name='reminder')
    op.drop_column('agreement', 'reserved')
    op.drop_column('committee', 'published')
