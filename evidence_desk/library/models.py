"""The library's tables. Portable SQL only: the same models serve SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Buyer(Base):
    __tablename__ = "buyers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(100), default="")
    member_id: Mapped[str] = mapped_column(String(100), default="")
    credit_level: Mapped[str] = mapped_column(String(50), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    type_key: Mapped[str] = mapped_column(String(64))
    order_no: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    buyer_id: Mapped[int | None] = mapped_column(ForeignKey("buyers.id"), nullable=True)
    completed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    paid_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    accepted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    refund_requested_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    currency: Mapped[str] = mapped_column(String(8), default="USD")
    reason: Mapped[str] = mapped_column(Text, default="")
    demand: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(40), default="draft")
    state_reason: Mapped[str] = mapped_column(Text, default="")
    other_channel_agreed: Mapped[bool] = mapped_column(Boolean, default=False)
    carrier_changed: Mapped[bool] = mapped_column(Boolean, default=False)
    statement_en: Mapped[str] = mapped_column(Text, default="")
    statement_zh: Mapped[str] = mapped_column(Text, default="")
    # Hash of the English text as last composed: tells a seller's edit from composer output.
    statement_composed_sha256: Mapped[str] = mapped_column(String(64), default="")
    # The phrases chosen for the statement, in order (core.phrases.Chosen.to_json each).
    statement_phrases: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), nullable=True)
    attempt_no: Mapped[int] = mapped_column(Integer, default=1)
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    submitted_dossier_sha256: Mapped[str] = mapped_column(String(64), default="")
    submitted_pack_sha256: Mapped[str] = mapped_column(String(64), default="")
    result_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    buyer: Mapped[Buyer | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}


class StoredFile(Base):
    """One original, stored once by content however many evidence items use it."""

    __tablename__ = "stored_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    mime: Mapped[str] = mapped_column(String(100))
    ext: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(20))
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    orientation: Mapped[int] = mapped_column(Integer, default=1)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class Evidence(Base):
    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("stored_files.sha256"), index=True)
    kind: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str] = mapped_column(Text, default="")
    captured_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    captured_from: Mapped[str] = mapped_column(String(20), default="file")
    # Minutes east of UTC of the clock that wrote `captured_at` (EXIF OffsetTimeOriginal).
    captured_offset: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source: Mapped[str] = mapped_column(String(40), default="")
    original_name: Mapped[str] = mapped_column(String(1000), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    marks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Quarter turns clockwise in degrees (0, 90, 180, 270), applied when the item is shown.
    rotation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    added_at: Mapped[datetime] = mapped_column(DateTime)
    # Removal is soft so it can be undone; the row and its file stay until purged.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    stored: Mapped[StoredFile] = relationship(lazy="joined")

    __table_args__ = (Index("ix_evidence_case_kind_position", "case_id", "kind", "position"),)


class LibraryMeta(Base):
    """Facts about the library itself (its id, when it was created)."""

    __tablename__ = "library_meta"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")


class AuditHead(Base):
    """One row: the newest audit entry's hash and how many entries there are. Written with each
    entry, so deleting the newest entries (which leaves a chain that still links) shows."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(Integer)


class AuditLog(Base):
    """Append-only; each entry carries the hash of the one before it."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(60))
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class BlobChunk(Base):
    """One slice (up to 1 MiB) of an original kept in the database (the "db" blob store)."""

    __tablename__ = "blob_chunks"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class RecognisedTextRow(Base):
    """The text OCR read in one original, by its SHA-256 (shared by every item using it).

    A row with status "failed" records that the file could not be read, so it is not retried on
    every run; deleting the row makes it pending again.
    """

    __tablename__ = "recognised_text"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default="done")
    engine: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # core.recognised.normalise(text): what search matches against.
    search_text: Mapped[str] = mapped_column(Text, default="")
    # [{"text", "box": [[x, y] * 4], "score"}], boxes in upright full-resolution pixels.
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
