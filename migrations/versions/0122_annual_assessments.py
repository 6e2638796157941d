"""annual assessments: each cadre's 年度考核 result per year (优秀/称职/基本称职/不称职)

Revision ID: 0122_annual_assessments
Revises: 0121_week_records
Create Date: 2026-12-07 13:15:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0122_annual_assessments'
down_revision = '0121_week_records'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('annual_assessment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Enum('excellent', 'competent', 'basic', 'incompetent', name='assessmentgrade', native_enum=False, length=24), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_annual_assessment_cadre_id_cadre')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_annual_assessment_recorded_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_annual_assessment')),
    sa.UniqueConstraint('cadre_id', 'year', name=op.f('uq_annual_assessment_cadre_id'))
    )


def downgrade():
    op.drop_table('annual_assessment')
