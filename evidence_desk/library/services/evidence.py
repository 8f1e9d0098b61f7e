"""Evidence items: importing files, editing how they are shown, ordering, removing."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Text, func, select, type_coerce
from sqlalchemy.orm import Session

from evidence_desk.core.limits import (
    ID_MAX,
    check_datetime,
)
from evidence_desk.core.types import EvidenceInfo
from evidence_desk.i18n import Message
from evidence_desk.ingest.probe import Refused, probe
from evidence_desk.ingest.walk import Candidate, Skipped, expand_paths
from evidence_desk.library.errors import LibraryError, NotFound, StaleEdit
from evidence_desk.library.importer import (
    Prepared,
    Rejected,
    ensure_thumbnail,
    prepare_many,
    thumbnail_path,
)
from evidence_desk.library.models import (
    Evidence,
    StoredFile,
)
from evidence_desk.library.services.base import (
    EVIDENCE_FIELDS,
    ROTATIONS,
    Cancel,
    Progress,
    ServiceBase,
    _change_value,
    _checked_texts,
    _evidence_info,
    _now,
    _plain,
    _readable_name,
    _within_limits,
    _writes,
)


@dataclass(frozen=True)
class AddResult:
    path: str
    status: str  # "added", "duplicate" or "rejected"
    reason: str = ""
    item_id: int | None = None
    kind: str = ""
    # Warnings about an added file, as flag codes (ingest.probe.FLAG_MESSAGES words them).
    flags: tuple[str, ...] = ()



def _json_tuple(value: Any) -> tuple[Any, ...]:
    """A JSON list column as a tuple, whether the driver parsed it or handed back its text."""
    if not value or value == "[]" or value == "null":
        return ()
    return tuple(json.loads(value) if isinstance(value, str) else value)


class EvidenceService(ServiceBase):
    """Evidence items: importing files, editing how they are shown, ordering, removing."""

    # ---- evidence -----------------------------------------------------------------------
    def list_evidence(self, case_id: int, *, include_removed: bool = False) -> list[EvidenceInfo]:
        # Plain column tuples, not ORM objects: a case of 500 items loads in a few
        # milliseconds. A desk reads it from several threads at once when a case opens (board,
        # checklist, statement), and only one of them runs Python at a time, so every
        # millisecond per read counts several times.
        e, f = Evidence, StoredFile
        # SQLite hands JSON back as text: read as text, most rows ("[]") need no parsing.
        flags_col, marks_col = ((type_coerce(e.flags, Text), type_coerce(e.marks, Text))
                                if self.is_sqlite else (e.flags, e.marks))
        q = (select(e.id, e.case_id, e.kind, e.sha256, f.size, f.mime, e.original_name,
                    e.caption, e.captured_at, e.captured_from, e.source, e.position, f.width,
                    f.height, f.orientation, f.pages, e.added_at, flags_col, marks_col,
                    e.rotation, e.captured_offset)
             .join(f, f.sha256 == e.sha256).where(e.case_id == case_id))
        if not include_removed:
            q = q.where(e.removed_at.is_(None))
        with self._session() as s:
            rows = s.execute(q.order_by(e.kind, e.position, e.id)).all()
        return [EvidenceInfo(
            id=id_, case_id=cid, kind=kind, sha256=sha, size=size, mime=mime,
            original_name=name, caption=caption, captured_at=captured_at,
            captured_from=captured_from, source=source, position=position, width=width,
            height=height, orientation=orientation, pages=pages, added_at=added_at,
            flags=_json_tuple(flags), marks=_json_tuple(marks),
            rotation=rotation or 0, captured_offset=offset)
            for (id_, cid, kind, sha, size, mime, name, caption, captured_at, captured_from,
                 source, position, width, height, orientation, pages, added_at, flags, marks,
                 rotation, offset) in rows]

    def get_evidence(self, item_id: int) -> EvidenceInfo:
        with self._session() as s:
            return _evidence_info(self._evidence_row(s, item_id))

    def _evidence_row(self, s: Session, item_id: int) -> Evidence:
        row = s.get(Evidence, item_id) if 1 <= item_id <= ID_MAX else None
        if row is None:
            raise NotFound(Message("There is no evidence item {id}.", id=item_id))
        return row

    def _check_kind(self, kind: str) -> None:
        if kind not in self.rules.kinds:
            raise LibraryError(Message("Unknown evidence kind {kind!r}; use one of: {known}.",
                                       kind=kind, known=", ".join(self.rules.kinds)))

    @_writes
    def add_paths(self, case_id: int, paths: Iterable[Path | str], *, kind: str | None = None,
                  caption: str = "", source: str = "", progress: Progress | None = None,
                  cancel: Cancel | None = None) -> list[AddResult]:
        """Import files and folders (recursively). Each bad file is refused on its own."""
        _checked_texts(caption=caption)
        if kind is not None:
            self._check_kind(kind)
        self.get_case(case_id)
        results: list[AddResult] = []
        candidates: list[Path] = []
        for entry in expand_paths(Path(p) for p in paths):
            if isinstance(entry, Skipped):
                results.append(AddResult(str(entry.path), "rejected", entry.reason))
            else:
                assert isinstance(entry, Candidate)
                candidates.append(entry.path)
        total = len(candidates)
        if progress:
            progress(0, total, "")
        batch: list[Prepared] = []
        for done, res in enumerate(prepare_many(candidates, self.blobs, self.thumbs, cancel,
                                                     self.rules.kinds), 1):
            if isinstance(res, Rejected):
                results.append(AddResult(str(res.source), "rejected", res.reason))
            else:
                batch.append(res)
            if len(batch) >= 32:
                results.extend(self._commit_prepared(case_id, batch, kind, caption, source))
                batch = []
            if progress:
                progress(done, total, res.source.name)
        results.extend(self._commit_prepared(case_id, batch, kind, caption, source))
        self._sync(case_id)
        return results

    @_writes
    def add_bytes(self, case_id: int, data: bytes, name: str, *, kind: str | None = None,
                  caption: str = "", source: str = "",
                  captured_at: datetime | None = None) -> AddResult:
        """Add content that has no file yet, such as an image pasted from the clipboard."""
        _checked_texts(caption=caption)
        if kind is not None:
            self._check_kind(kind)
        self.get_case(case_id)
        staged = self.blobs.stage_bytes(data)
        try:
            facts = probe(staged.tmp_path, name=name, kinds=self.rules.kinds)
        except Refused as exc:
            self.blobs.discard(staged)
            return AddResult(name, "rejected", exc.args[0] if exc.args else str(exc))
        if facts.filetype.category == "image":
            with contextlib.suppress(Exception):
                ensure_thumbnail(staged.tmp_path, self.thumbs, staged.sha256)
        if captured_at is not None:
            facts = replace(facts, captured_at=captured_at, captured_from="clipboard",
                            flags=tuple(f for f in facts.flags if f != "no_exif_time"))
        [result] = self._commit_prepared(case_id, [Prepared(Path(name), staged, facts)], kind,
                                         caption, source)
        self._sync(case_id)
        return result

    def _commit_prepared(self, case_id: int, batch: list[Prepared], kind: str | None,
                         caption: str, source: str) -> list[AddResult]:
        if not batch:
            return []
        results: list[AddResult] = []
        now = _now()
        with self._session() as s:
            self._case_row(s, case_id)
            existing = set(s.scalars(select(Evidence.sha256).where(
                Evidence.case_id == case_id, Evidence.removed_at.is_(None))))
            positions: dict[str, int] = dict(s.execute(
                select(Evidence.kind, func.max(Evidence.position))
                .where(Evidence.case_id == case_id).group_by(Evidence.kind)).all())
            for p in batch:
                sha = p.staged.sha256
                category = p.facts.filetype.category
                if kind is not None and category not in self.rules.kinds[kind].accepts:
                    self.blobs.discard(p.staged)
                    wanted = self.rules.kinds[kind]
                    results.append(AddResult(str(p.source), "rejected", Message(
                        "a {category} file is not accepted as {kind_en} ({kind_zh}); it takes "
                        "{accepts}", category=category, kind_en=wanted.en,
                        kind_zh=wanted.zh, accepts=", ".join(wanted.accepts))))
                    continue
                if sha in existing:
                    self.blobs.discard(p.staged)
                    results.append(AddResult(str(p.source), "duplicate",
                                             Message("the same content is already in this case")))
                    continue
                self.blobs.commit(p.staged, s)
                f = p.facts
                if s.get(StoredFile, sha) is None:
                    s.add(StoredFile(sha256=sha, size=p.staged.size, mime=f.filetype.mime,
                                     ext=f.filetype.ext, category=f.filetype.category,
                                     width=f.width, height=f.height, orientation=f.orientation,
                                     pages=f.pages, created_at=now))
                    s.flush()
                k = kind or f.suggested_kind
                pos = positions.get(k, -1) + 1
                positions[k] = pos
                item = Evidence(case_id=case_id, sha256=sha, kind=k, caption=caption,
                                captured_at=f.captured_at, captured_from=f.captured_from,
                                captured_offset=f.captured_offset, source=source, original_name=_readable_name(p.source.name),
                                position=pos,
                                flags=list(f.flags), marks=[], added_at=now)
                s.add(item)
                s.flush()
                existing.add(sha)
                self._audit(s, "evidence.add", case_id, item_id=item.id, sha256=sha, kind=k,
                            size=p.staged.size)
                results.append(AddResult(str(p.source), "added", item_id=item.id, kind=k,
                                         flags=tuple(f.flags)))
            case = self._case_row(s, case_id)
            case.updated_at = now
        return results

    @_writes
    def update_evidence(self, item_id: int, *, expected: dict[str, Any] | None = None,
                        **changes: Any) -> EvidenceInfo:
        """Change an item's fields. `expected` holds the values the caller last saw: when another
        desk changed any of them meanwhile, the edit is refused (StaleEdit) instead of silently
        overwriting theirs."""
        unknown = set(changes) - EVIDENCE_FIELDS
        if unknown:
            raise LibraryError(f"Unknown evidence field(s): {', '.join(sorted(unknown))}.")
        if "kind" in changes:
            self._check_kind(changes["kind"])
        if "rotation" in changes and changes["rotation"] not in ROTATIONS:
            raise LibraryError(f"A rotation is one of {', '.join(map(str, ROTATIONS))} degrees, "
                               f"not {changes['rotation']!r}.")
        _checked_texts(caption=changes.get("caption"))
        if changes.get("captured_at") is not None:
            with _within_limits():
                check_datetime("captured_at", changes["captured_at"])
        with self._session() as s:
            item = self._evidence_row(s, item_id)
            for key, seen in (expected or {}).items():
                if _change_value(_plain(getattr(item, key))) != _change_value(_plain(seen)):
                    raise StaleEdit(Message("This evidence item was changed elsewhere since you "
                                            "opened it; it has been reloaded."))
            before = {k: _change_value(getattr(item, k)) for k in changes}
            if "kind" in changes and changes["kind"] != item.kind and "position" not in changes:
                last = s.scalar(select(func.max(Evidence.position)).where(
                    Evidence.case_id == item.case_id, Evidence.kind == changes["kind"]))
                changes["position"] = (last if last is not None else -1) + 1
            for k, v in changes.items():
                setattr(item, k, list(v) if k == "marks" else v)
            if "captured_at" in changes and "captured_from" not in changes:
                item.captured_from = "user"
                # A time the seller types is the desk's wall time; the photo's zone no longer
                # describes it.
                if "captured_offset" not in changes:
                    item.captured_offset = None
            self._audit(s, "evidence.update", item.case_id, item_id=item_id, before=before,
                        after={k: _change_value(v) for k, v in changes.items()})
            s.flush()
            info = _evidence_info(item)
        self._sync(info.case_id)
        return info

    @_writes
    def rotate_evidence(self, item_id: int, degrees: int) -> EvidenceInfo:
        """Turn how the item is shown by `degrees` clockwise (a multiple of 90; negative turns
        anticlockwise). Stored as data like marks: the original never changes."""
        if degrees % 90:
            raise LibraryError(f"Items turn in quarter turns (90, 180 or 270 degrees), "
                               f"not {degrees}.")
        current = self.get_evidence(item_id)
        return self.update_evidence(item_id, expected={"rotation": current.rotation},
                                    rotation=(current.rotation + degrees) % 360)

    @_writes
    def set_capture_times(self, item_ids: Sequence[int],
                          captured_at: datetime | None) -> list[EvidenceInfo]:
        """Give several items one capture time, set by the seller, in one transaction.

        Unknown ids refuse the whole change, so a typo leaves nothing half-done.
        """
        ids = list(dict.fromkeys(item_ids))
        if not ids:
            raise LibraryError(Message("Choose at least one evidence item."))
        infos: list[EvidenceInfo] = []
        with self._session() as s:
            rows = [self._evidence_row(s, i) for i in ids]
            for item in rows:
                before = {"captured_at": _change_value(item.captured_at),
                          "captured_from": item.captured_from}
                item.captured_at = captured_at
                item.captured_from = "user"
                item.captured_offset = None
                self._audit(s, "evidence.update", item.case_id, item_id=item.id, before=before,
                            after={"captured_at": _change_value(captured_at),
                                   "captured_from": "user"})
            s.flush()
            infos = [_evidence_info(item) for item in rows]
        for case_id in sorted({i.case_id for i in infos}):
            self._sync(case_id)
        return infos

    @_writes
    def move_evidence(self, item_id: int, kind: str, index: int) -> EvidenceInfo:
        """Put an item at `index` among the items of `kind` (changing its kind if needed)."""
        self._check_kind(kind)
        with self._session() as s:
            item = self._evidence_row(s, item_id)
            before = {"kind": item.kind, "position": item.position}
            siblings = [e for e in s.scalars(select(Evidence).where(
                Evidence.case_id == item.case_id, Evidence.kind == kind,
                Evidence.removed_at.is_(None), Evidence.id != item_id)
                .order_by(Evidence.position, Evidence.id))]
            index = max(0, min(index, len(siblings)))
            siblings.insert(index, item)
            item.kind = kind
            for pos, e in enumerate(siblings):
                e.position = pos
            self._audit(s, "evidence.move", item.case_id, item_id=item_id, before=before,
                        after={"kind": kind, "position": index})
            s.flush()
            info = _evidence_info(item)
        self._sync(info.case_id)
        return info

    @_writes
    def remove_evidence(self, item_id: int) -> None:
        with self._session() as s:
            item = self._evidence_row(s, item_id)
            item.removed_at = _now()
            self._audit(s, "evidence.remove", item.case_id, item_id=item_id, sha256=item.sha256)
            case_id = item.case_id
        self._sync(case_id)

    @_writes
    def restore_evidence(self, item_id: int) -> None:
        with self._session() as s:
            item = self._evidence_row(s, item_id)
            item.removed_at = None
            self._audit(s, "evidence.restore", item.case_id, item_id=item_id)
            case_id = item.case_id
        self._sync(case_id)

    def blob_path(self, sha256: str) -> Path:
        return self.blobs.path_for(sha256)

    def thumbnail(self, sha256: str) -> Path | None:
        """The cached thumbnail, made on demand; None when the file is not an image."""
        path = thumbnail_path(self.thumbs, sha256)
        if path.is_file():
            return path
        try:
            return ensure_thumbnail(self.blobs.path_for(sha256), self.thumbs, sha256)
        except Exception:
            return None

