"""notice audit checkpoint: each published notice prints the audit chain's checkpoint

When a notice version is published, the audit chain's checkpoint (entry count, head hash,
time, key id, signature) is written outside the database and kept with the notice, which
prints it: the public holds a copy that `flask audit verify --checkpoint` checks. Versions
published before carry none.

Revision ID: 0012_notice_audit_checkpoint
Revises: 0020_sealed_reports
Create Date: 2026-12-07 09:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_notice_audit_checkpoint'
down_revision = '0020_sealed_reports'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('monthly_notice', sa.Column('audit_checkpoint', sa.Text(), nullable=False,
                                              server_default=''))


def downgrade():
    op.drop_column('monthly_notice', 'audit_checkpoint')
