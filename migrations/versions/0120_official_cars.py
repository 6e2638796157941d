"""official cars: vehicles, trips and their passengers (公车使用登记)

A township's vehicles and each trip with driver, passengers, destination (its kind says
whether it is the county town), purpose and out and back times.

Revision ID: 0120_official_cars
Revises: 0111_supervisor_register
Create Date: 2026-12-07 12:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0120_official_cars'
down_revision = '0111_supervisor_register'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('vehicle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('plate', sa.String(length=16), nullable=False),
    sa.Column('model', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_vehicle_township_id_township')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicle')),
    sa.UniqueConstraint('public_id', name=op.f('uq_vehicle_public_id'))
    )
    with op.batch_alter_table('vehicle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vehicle_township_id'), ['township_id'], unique=False)

    op.create_table('car_trip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=24), nullable=False),
    sa.Column('township_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=False),
    sa.Column('driver_id', sa.Integer(), nullable=True),
    sa.Column('driver_name', sa.String(length=32), nullable=False),
    sa.Column('destination', sa.String(length=64), nullable=False),
    sa.Column('destination_kind', sa.Enum('county_town', 'village', 'other_township', 'city', name='destinationkind', native_enum=False, length=24), nullable=False),
    sa.Column('purpose', sa.String(length=100), nullable=False),
    sa.Column('out_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('back_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['driver_id'], ['cadre.id'], name=op.f('fk_car_trip_driver_id_cadre')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_car_trip_recorded_by_id_user_account')),
    sa.ForeignKeyConstraint(['township_id'], ['township.id'], name=op.f('fk_car_trip_township_id_township')),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicle.id'], name=op.f('fk_car_trip_vehicle_id_vehicle')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_car_trip')),
    sa.UniqueConstraint('public_id', name=op.f('uq_car_trip_public_id'))
    )
    with op.batch_alter_table('car_trip', schema=None) as batch_op:
        batch_op.create_index('ix_car_trip_township_out', ['township_id', 'out_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_car_trip_vehicle_id'), ['vehicle_id'], unique=False)

    op.create_table('car_trip_passenger',
    sa.Column('trip_id', sa.Integer(), nullable=False),
    sa.Column('cadre_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cadre_id'], ['cadre.id'], name=op.f('fk_car_trip_passenger_cadre_id_cadre')),
    sa.ForeignKeyConstraint(['trip_id'], ['car_trip.id'], name=op.f('fk_car_trip_passenger_trip_id_car_trip'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('trip_id', 'cadre_id', name=op.f('pk_car_trip_passenger'))
    )


def downgrade():
    op.drop_table('car_trip_passenger')
    with op.batch_alter_table('car_trip', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_car_trip_vehicle_id'))
        batch_op.drop_index('ix_car_trip_township_out')

    op.drop_table('car_trip')
    with op.batch_alter_table('vehicle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vehicle_township_id'))

    op.drop_table('vehicle')
