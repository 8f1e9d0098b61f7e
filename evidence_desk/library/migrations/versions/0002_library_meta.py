"""library meta table: the library's own id and creation time

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        "library_meta",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_library_meta")),
    )
    op.bulk_insert(meta, [
        {"key": "library_id", "value": uuid.uuid4().hex},
        {"key": "created_at", "value": datetime.now(UTC).isoformat(timespec="seconds")},
    ])


def downgrade() -> None:
    op.drop_table("library_meta")
