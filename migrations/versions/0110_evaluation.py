"""democratic evaluation: 民主评议 of the leadership each month

An evaluation per township and rated month; its leaders (name and post frozen at opening)
with their rating counts and shuffled remarks; ballots as keyed hashes of one-time codes
with a used mark and nothing else, so that no vote can be joined to its ballot.

Revision ID: 0110_evaluation
Revises: 0100_alerts
Create Date: 2026-12-07 12:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0110_evaluation'
down_revision = '0100_alerts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('meeting_on', sa.Date(), nullable=False),
    sa.Column('state', sa.Enum('open', 'closed', name='evaluationstate', native_enum=False, length=24), nullable=False),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user_account.id'], name=op.f('fk_evaluation_closed_by_id_user_account')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user_account.id'], name=op.f('fk_evaluation_opened_by_id_user_account')),
    sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_evaluation_township_id_township')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation')),
    sa.UniqueConstraint('public_id', name=op.f('uq_evaluation_public_id')),
    sa.UniqueConstraint('township_id', 'month', name=op.f('uq_evaluation_township_id'))
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_township_id'), ['township_id'], unique=False)

    op.create_table('evaluation_ballot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_ballot_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_ballot')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_evaluation_ballot_code_hash'))
    )
    with op.batch_alter_table('evaluation_ballot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_ballot_evaluation_id'), ['evaluation_id'], unique=False)

    op.create_table('evaluation_subject',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('post', sa.String(length=64), nullable=False),
    sa.Column('sort_order', sa.Integer(), nullable=False),
    sa.Column('satisfied', sa.Integer(), nullable=False),
    sa.Column('basic', sa.Integer(), nullable=False),
    sa.Column('unsatisfied', sa.Integer(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_evaluation_subject_cadre_id_cadre')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluation.id'], name=op.f('fk_evaluation_subject_evaluation_id_evaluation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_subject')),
    sa.UniqueConstraint('evaluation_id', 'cadre_id', name=op.f('uq_evaluation_subject_evaluation_id'))
    )
    with op.batch_alter_table('evaluation_subject', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_subject_evaluation_id'), ['evaluation_id'], unique=False)


def downgrade():
    op.drop_table('evaluation_subject')
    op.drop_table('evaluation_ballot')
    op.drop_table('evaluation')
