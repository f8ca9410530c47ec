"""The one question the bot waits for a person to answer in a chat, kept in the database instead of in memory.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('waiting',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('note', 'difficulty', 'evidence', 'reason', 'choice', 'new_agreement', 'import', name='wait_kind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('committee_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('about', sa.JSON(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['committee_id'], ['committee.id'], name=op.f('fk_waiting_committee_id_committee')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_waiting_member_id_member'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waiting')),
    sa.UniqueConstraint('chat_id', 'user_id', name=op.f('uq_waiting_chat_id_user_id'))
    )
    with op.batch_alter_table('waiting', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waiting_committee_id'), ['committee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_waiting_member_id'), ['member_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('waiting', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waiting_member_id'))
        batch_op.drop_index(batch_op.f('ix_waiting_committee_id'))

    op.drop_table('waiting')
