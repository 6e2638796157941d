"""report region path and tally

A report carries its county's city and province (city_id, province_id) so that a city's or
a province's queue is one range of an index (and its escalated reports, their first view,
one range of a partial index); report_tally holds the number of reports of each region
(county, city, province) per category, status and escalation level, kept by triggers, so
that the counts per status of a province do not count half a million rows.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 13:04:33.343702

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# A report counts in the tally rows of its county, its city and its province.
REGIONS = ('county_id', 'city_id', 'province_id')
KEY = ('category', 'status', 'escalation_level')
CHANGED = ' OR '.join(f'OLD.{c} IS DISTINCT FROM NEW.{c}' for c in REGIONS + KEY)
DECREMENT = """UPDATE report_tally SET n = n - 1
        WHERE region_id IN (OLD.county_id, OLD.city_id, OLD.province_id)
          AND category = OLD.category AND status = OLD.status
          AND escalation_level = OLD.escalation_level;"""
INCREMENT = """INSERT INTO report_tally (region_id, category, status, escalation_level, n)
        SELECT region_id, NEW.category, NEW.status, NEW.escalation_level, 1
        FROM (SELECT NEW.county_id AS region_id UNION ALL SELECT NEW.city_id
              UNION ALL SELECT NEW.province_id) AS regions
        WHERE region_id IS NOT NULL
        ON CONFLICT (region_id, category, status, escalation_level)
        DO UPDATE SET n = report_tally.n + 1;"""

# SQLite: one writer at a time, so plain counters cannot deadlock.
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER report_tally_insert AFTER INSERT ON report BEGIN
        {INCREMENT}
    END""",
    f"""CREATE TRIGGER report_tally_delete AFTER DELETE ON report BEGIN
        {DECREMENT}
    END""",
    f"""CREATE TRIGGER report_tally_update
    AFTER UPDATE OF {', '.join(REGIONS + KEY)} ON report
    WHEN {CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN
        {DECREMENT}
        {INCREMENT}
    END""",
]

# PostgreSQL: a counter row is locked until its writer commits. Every report write also
# takes the audit chain's advisory lock (portal/services/shared/audit.py, key 7201300), some before
# and some after touching the report; taking that lock first here keeps one lock order for
# all writers, which a lock of the tally's own would not (two writers, two orders: deadlock).
POSTGRESQL_TRIGGERS = [
    f"""CREATE FUNCTION report_tally_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(7201300);
        IF TG_OP <> 'INSERT' THEN
            {DECREMENT}
        END IF;
        IF TG_OP <> 'DELETE' THEN
            {INCREMENT}
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER report_tally_insert AFTER INSERT OR DELETE ON report
    FOR EACH ROW EXECUTE FUNCTION report_tally_count()""",
    f"""CREATE TRIGGER report_tally_update
    AFTER UPDATE OF {', '.join(REGIONS + KEY)} ON report
    FOR EACH ROW WHEN ({CHANGED}) EXECUTE FUNCTION report_tally_count()""",
]


def upgrade():
    op.create_table('report_tally',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('absent_workday', 'left_post', 'commuting', 'no_duty_leader', 'false_board', 'official_car', 'other', name='category', native_enum=False, length=24), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'accepted', 'not_accepted', 'merged', 'verifying', 'concluded', 'rectified', name='reportstatus', native_enum=False, length=24), nullable=False),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_report_tally_region_id_region')),
    sa.PrimaryKeyConstraint('region_id', 'category', 'status', 'escalation_level', name=op.f('pk_report_tally'))
    )
    for name in ('city_id', 'province_id'):
        if op.get_bind().dialect.name == 'sqlite':
            # Not a batch copy: dropping the old table, with foreign keys on, would delete the
            # reports' events and messages (or fail). ADD COLUMN takes a REFERENCES clause.
            op.execute(f'ALTER TABLE report ADD COLUMN {name} INTEGER'
                       f' CONSTRAINT fk_report_{name}_region REFERENCES region (id)')
        else:
            op.add_column('report', sa.Column(name, sa.Integer(), nullable=True))
            op.create_foreign_key(op.f(f'fk_report_{name}_region'), 'report', 'region', [name], ['id'])

    op.execute(
        "UPDATE report SET"
        " city_id = (SELECT county.parent_id FROM region county WHERE county.id = report.county_id),"
        " province_id = (SELECT city.parent_id FROM region county"
        " JOIN region city ON city.id = county.parent_id WHERE county.id = report.county_id)"
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index('ix_report_city_status_submitted', ['city_id', 'status', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_report_city_submitted', ['city_id', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_report_province_status_submitted', ['province_id', 'status', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_report_province_submitted', ['province_id', 'submitted_at', 'id'], unique=False)
        batch_op.create_index('ix_report_city_escalated', ['city_id', 'submitted_at', 'id'], unique=False, sqlite_where=sa.text('escalation_level > 0'), postgresql_where=sa.text('escalation_level > 0'))
        batch_op.create_index('ix_report_province_escalated', ['province_id', 'submitted_at', 'id'], unique=False, sqlite_where=sa.text('escalation_level > 0'), postgresql_where=sa.text('escalation_level > 0'))

    by_region = ' UNION ALL '.join(
        f'SELECT {column} AS region_id, category, status, escalation_level FROM report'
        f' WHERE {column} IS NOT NULL' for column in REGIONS)
    op.execute(
        'INSERT INTO report_tally (region_id, category, status, escalation_level, n)'
        f' SELECT region_id, category, status, escalation_level, COUNT(*) FROM ({by_region}) AS r'
        ' GROUP BY region_id, category, status, escalation_level'
        ' ORDER BY region_id, category, status, escalation_level'
    )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL_TRIGGERS if dialect == 'postgresql' else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER report_tally_update ON report')
        op.execute('DROP TRIGGER report_tally_insert ON report')
        op.execute('DROP FUNCTION report_tally_count()')
    else:
        for name in ('report_tally_update', 'report_tally_delete', 'report_tally_insert'):
            op.execute(f'DROP TRIGGER {name}')
    for name in ('province_escalated', 'city_escalated', 'province_submitted',
                 'province_status_submitted', 'city_submitted', 'city_status_submitted'):
        op.drop_index(f'ix_report_{name}', table_name='report')
    for name in ('province_id', 'city_id'):
        if op.get_bind().dialect.name != 'sqlite':  # SQLite drops a column with its REFERENCES
            op.drop_constraint(op.f(f'fk_report_{name}_region'), 'report', type_='foreignkey')
        op.drop_column('report', name)

    op.drop_table('report_tally')
