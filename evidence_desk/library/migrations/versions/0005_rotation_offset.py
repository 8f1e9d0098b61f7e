"""evidence rotation and capture-time offset: how an item is shown, and the zone it was taken in

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        # Quarter turns clockwise, in degrees (0, 90, 180, 270); the original never changes.
        batch_op.add_column(sa.Column("rotation", sa.Integer(), nullable=False,
                                      server_default="0"))
        # Minutes east of UTC of the clock that wrote captured_at, when the photo says so.
        batch_op.add_column(sa.Column("captured_offset", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_column("captured_offset")
        batch_op.drop_column("rotation")
