"""Digests, hand-over, absences and following: the cards shown from a digest, the agreements followed, a focal
point's absence, and the contact an invitation replaces.

Revision ID: 0005
Revises: 0004
Create Date: 2027-01-15
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('reminder_card',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reminder_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reminder_id'], ['reminder.id'], name=op.f('fk_reminder_card_reminder_id_reminder')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder_card'))
    )
    with op.batch_alter_table('reminder_card', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_card_reminder_id'), ['reminder_id'], unique=False)
        batch_op.create_index('ix_reminder_card_message', ['chat_id', 'message_id'], unique=False)
    op.create_table('following',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('agreement_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agreement_id'], ['agreement.id'], name=op.f('fk_following_agreement_id_agreement')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_following_member_id_member')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_following')),
    sa.UniqueConstraint('member_id', 'agreement_id', name=op.f('uq_following_member_id_agreement_id'))
    )
    with op.batch_alter_table('following', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_following_agreement_id'), ['agreement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_following_member_id'), ['member_id'], unique=False)
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('away_until', sa.Date(), nullable=True))
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('replaces_member_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_invitation_replaces_member_id_member'), 'member',
                                    ['replaces_member_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_invitation_replaces_member_id_member'), type_='foreignkey')
        batch_op.drop_column('replaces_member_id')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('away_until')
    with op.batch_alter_table('following', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_following_member_id'))
        batch_op.drop_index(batch_op.f('ix_following_agreement_id'))
    op.drop_table('following')
    with op.batch_alter_table('reminder_card', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_card_message')
        batch_op.drop_index(batch_op.f('ix_reminder_card_reminder_id'))
    op.drop_table('reminder_card')
