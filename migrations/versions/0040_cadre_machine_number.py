"""cadre machine number: the cadre's user ID on the township's attendance machine

An attendance machine's own download (ZKTeco `attlog.dat`) names people only by the user ID
enrolled on the machine (考勤机号). Each cadre record may now carry it, unique within its
township, so that punches are matched to cadres without a name. Existing cadres have none.

Revision ID: 0040_cadre_machine_number
Revises: 0006_holiday_schedules
Create Date: 2026-12-07 09:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0040_cadre_machine_number'
down_revision = '0006_holiday_schedules'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.add_column(sa.Column('machine_number', sa.String(length=16), nullable=True))
    # A unique index (NULLs apart: cadres without a number), which SQLite adds in place.
    op.create_index('ix_cadre_township_machine_number', 'cadre',
                    ['township_id', 'machine_number'], unique=True)


def downgrade():
    op.drop_index('ix_cadre_township_machine_number', table_name='cadre')
    with op.batch_alter_table('cadre', schema=None) as batch_op:
        batch_op.drop_column('machine_number')
