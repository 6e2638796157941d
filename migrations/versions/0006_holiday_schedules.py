"""holiday schedules

The State Council's notice of a year's holidays, as an administrator pasted and confirmed it:
one row per year, and its holidays and make-up working days (调休上班). A year without one
falls back on chinesecalendar, or on the statutory holidays computed from the lunar calendar.

Revision ID: 0006_holiday_schedules
Revises: 0005_service_periods
Create Date: 2026-12-04 17:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_holiday_schedules'
down_revision = '0005_service_periods'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('holiday_schedule',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('notice', sa.Text(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user_account.id'],
                            name=op.f('fk_holiday_schedule_confirmed_by_id_user_account')),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_holiday_schedule'))
    )
    op.create_table('holiday_schedule_day',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('is_working', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(['year'], ['holiday_schedule.year'],
                            name=op.f('fk_holiday_schedule_day_year_holiday_schedule')),
    sa.PrimaryKeyConstraint('year', 'day', name=op.f('pk_holiday_schedule_day'))
    )


def downgrade():
    op.drop_table('holiday_schedule_day')
    op.drop_table('holiday_schedule')
