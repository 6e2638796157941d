"""report due indexes

The queue sorted by deadline ("due": the next step's deadline first) and its "overdue only"
filter read a county's, a city's or a province's reports in deadline order: one range of an
index on (region, deadline of the next step, id). The deadline is an expression (the accept
deadline while a report waits to be accepted, the conclude deadline while it is accepted or
being verified, none once closed), so the index holds that expression, written exactly as
the application's queries write it (portal/models/report.py, due_of).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 01:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

DUE = ("(CASE WHEN (status = 'submitted') THEN accept_due "
       "WHEN (status IN ('accepted', 'verifying')) THEN conclude_due END)")
REGIONS = ('county', 'city', 'province')


def upgrade():
    for region in REGIONS:
        op.execute(f'CREATE INDEX ix_report_{region}_due ON report ({region}_id, {DUE}, id)')


def downgrade():
    for region in REGIONS:
        op.execute(f'DROP INDEX ix_report_{region}_due')
