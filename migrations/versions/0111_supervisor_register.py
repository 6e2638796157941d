"""supervisors' register: 作风建设监督员 appointed by a county

A county's appointments: person, kind, term, townships, a contact published only with
consent, and the staff account that opens only during the term.

Revision ID: 0111_supervisor_register
Revises: 0110_evaluation
Create Date: 2026-12-07 12:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0111_supervisor_register'
down_revision = '0110_evaluation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('supervisor_appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('county_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.Enum('npc_deputy', 'cppcc_member', 'retired_cadre', 'public_rep', name='supervisorkind', native_enum=False, length=24), nullable=False),
    sa.Column('term_from', sa.Date(), nullable=False),
    sa.Column('term_until', sa.Date(), nullable=False),
    sa.Column('contact', sa.String(length=128), nullable=False),
    sa.Column('contact_public', sa.Boolean(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['county_id'], ['region.id'], name=op.f('fk_supervisor_appointment_county_id_region')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_supervisor_appointment_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_supervisor_appointment_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisor_appointment')),
    sa.UniqueConstraint('public_id', name=op.f('uq_supervisor_appointment_public_id')),
    sa.UniqueConstraint('user_id', name=op.f('uq_supervisor_appointment_user_id'))
    )
    with op.batch_alter_table('supervisor_appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_supervisor_appointment_county_id'), ['county_id'], unique=False)

    op.create_table('supervisor_appointment_township',
    sa.Column('appointment_id', sa.Integer(), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['appointment_id'], ['supervisor_appointment.id'], name=op.f('fk_supervisor_appointment_township_appointment_id_supervisor_appointment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_supervisor_appointment_township_township_id_township'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('appointment_id', 'township_id', name=op.f('pk_supervisor_appointment_township'))
    )


def downgrade():
    op.drop_table('supervisor_appointment_township')
    op.drop_table('supervisor_appointment')
