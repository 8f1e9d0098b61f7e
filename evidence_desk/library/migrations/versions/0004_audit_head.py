"""audit head: the last entry's hash and the entry count, so a removed tail shows

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # An existing library starts from the chain it has.
    conn = op.get_bind()
    count = conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar() or 0
    last = conn.execute(sa.text("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")).scalar()
    if count:
        op.bulk_insert(head, [{"id": 1, "hash": last, "count": count}])


def downgrade() -> None:
    op.drop_table("audit_head")
