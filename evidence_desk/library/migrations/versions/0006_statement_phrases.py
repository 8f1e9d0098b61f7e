"""statement phrases: the phrases chosen for a case's statement, in order, as a JSON list

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing cases start with no chosen phrase; their statement stays as it is.
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("statement_phrases", sa.JSON(), nullable=False,
                                   server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("statement_phrases")
