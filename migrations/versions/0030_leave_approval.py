"""leave approval: 请假 is requested, approved or refused, and closed by 销假

A leave now has a state (requested / approved / rejected): only approved leave shows on the
board, excuses its days and takes the cadre off duty. Who decided and when, the decision's
note, and 销假 (the first day back; the end first approved when the cadre came back early)
are kept. Every existing leave was recorded as approved, and stays approved.

Revision ID: 0030_leave_approval
Revises: 0013_staff_seen_at
Create Date: 2026-12-07 09:11:34

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0030_leave_approval'
down_revision = '0013_staff_seen_at'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('leave', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.Enum('requested', 'approved', 'rejected', name='leavestate', native_enum=False, length=24), nullable=False,
                                      server_default='approved'))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.String(length=200), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('returned_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('planned_end_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('returned_recorded_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_leave_returned_recorded_by_id_user_account'), 'user_account', ['returned_recorded_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_leave_decided_by_id_user_account'), 'user_account', ['decided_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('leave', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_leave_decided_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_leave_returned_recorded_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('returned_recorded_by_id')
        batch_op.drop_column('planned_end_date')
        batch_op.drop_column('returned_on')
        batch_op.drop_column('decision_note')
        batch_op.drop_column('decided_at')
        batch_op.drop_column('decided_by_id')
        batch_op.drop_column('state')
