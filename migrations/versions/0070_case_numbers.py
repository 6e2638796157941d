"""case numbers: one sequence per county and year (演示县〔2026〕第0012号)

Each report gets a number in its county's sequence of the year it was filed (Asia/Shanghai).
The counter table holds the last number given per county and year; reports already filed
are numbered here in the order they came in, and the counters set to follow on from them.

Revision ID: 0070_case_numbers
Revises: 0012_notice_audit_checkpoint
Create Date: 2026-12-07 09:20:00

"""
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

from portal.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0070_case_numbers'
down_revision = '0012_notice_audit_checkpoint'
branch_labels = None
depends_on = None

_TZ = ZoneInfo("Asia/Shanghai")


def upgrade():
    op.create_table(
        'case_counter',
        sa.Column('county_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('last', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['county_id'], ['region.id'],
                                name=op.f('fk_case_counter_county_id_region')),
        sa.PrimaryKeyConstraint('county_id', 'year', name=op.f('pk_case_counter')),
    )
    # Plain ADD COLUMN on SQLite too: the report table keeps its triggers (migration 0002).
    op.add_column('report', sa.Column('case_year', sa.Integer(), nullable=True))
    op.add_column('report', sa.Column('case_seq', sa.Integer(), nullable=True))
    _number_existing_reports()
    op.create_index('ix_report_case_number', 'report', ['county_id', 'case_year', 'case_seq'],
                    unique=True)


def _number_existing_reports():
    bind = op.get_bind()
    report = sa.table('report', sa.column('id', sa.Integer), sa.column('county_id', sa.Integer),
                      sa.column('submitted_at', UTCDateTime),
                      sa.column('case_year', sa.Integer), sa.column('case_seq', sa.Integer))
    counter = sa.table('case_counter', sa.column('county_id', sa.Integer),
                       sa.column('year', sa.Integer), sa.column('last', sa.Integer))
    last: dict[tuple[int, int], int] = {}
    updates = []
    rows = bind.execute(sa.select(report.c.id, report.c.county_id, report.c.submitted_at)
                        .order_by(report.c.submitted_at, report.c.id))
    for report_id, county_id, submitted_at in rows:
        key = (county_id, submitted_at.astimezone(_TZ).year)
        last[key] = last.get(key, 0) + 1
        updates.append({"rid": report_id, "y": key[1], "s": last[key]})
    if updates:
        # Only the two new columns change: the tally triggers see nothing of theirs move.
        bind.execute(report.update().where(report.c.id == sa.bindparam("rid"))
                     .values(case_year=sa.bindparam("y"), case_seq=sa.bindparam("s")), updates)
        bind.execute(counter.insert(), [{"county_id": c, "year": y, "last": n}
                                        for (c, y), n in last.items()])


def downgrade():
    op.drop_index('ix_report_case_number', table_name='report')
    # Plain DROP COLUMN (SQLite 3.35 and later): a rebuilt table would lose its triggers.
    op.drop_column('report', 'case_seq')
    op.drop_column('report', 'case_year')
    op.drop_table('case_counter')
