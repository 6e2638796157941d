"""week records: each leader's 5-4-3 result per ISO week, fixed when the week closes (周考核)

Revision ID: 0121_week_records
Revises: 0081_feedback
Create Date: 2026-12-07 13:01:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0121_week_records'
down_revision = '0081_feedback'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('week_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('work_days', sa.Integer(), nullable=False),
    sa.Column('nights', sa.Integer(), nullable=False),
    sa.Column('village_days', sa.Integer(), nullable=False),
    sa.Column('required_work', sa.Integer(), nullable=False),
    sa.Column('required_nights', sa.Integer(), nullable=False),
    sa.Column('required_village', sa.Integer(), nullable=False),
    sa.Column('served_days', sa.Integer(), nullable=False),
    sa.Column('compliant', sa.Boolean(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_week_record_cadre_id_cadre')),
    sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_week_record_township_id_township')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_week_record')),
    sa.UniqueConstraint('cadre_id', 'week_start', name=op.f('uq_week_record_cadre_id'))
    )
    with op.batch_alter_table('week_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_week_record_township_id'), ['township_id'], unique=False)



def downgrade():
    with op.batch_alter_table('week_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_week_record_township_id'))

    op.drop_table('week_record')
