"""A case's flow: moves, attempts, resubmission and the composed statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from evidence_desk.core.types import CaseInfo
from evidence_desk.i18n import Message
from evidence_desk.library import audit, workflow
from evidence_desk.library.errors import LibraryError, StaleEdit
from evidence_desk.library.models import AuditLog, Case
from evidence_desk.library.services.base import (
    ServiceBase,
    _case_info,
    _change_value,
    _checked_case_values,
    _checked_texts,
    _now,
    _writes,
)


class FlowService(ServiceBase):
    """A case's flow: moves, attempts, resubmission and the composed statement."""

    # ---- flow -----------------------------------------------------------------------------
    @_writes
    def move_case(self, case_id: int, target: str, *, reason: str = "",
                  on: date | None = None) -> CaseInfo:
        """Move the case in its flow (submit, result, pause ...); refused moves say why."""
        return workflow.move(self._facade(), case_id, target, reason=reason, on=on)

    def attempts(self, case_id: int) -> list[CaseInfo]:
        """Every attempt of the complaint `case_id` belongs to, first to latest."""
        with self._session() as s:
            root = self._case_row(s, case_id)
            seen = {root.id}
            while root.parent_id is not None and root.parent_id not in seen:
                root = self._case_row(s, root.parent_id)
                seen.add(root.id)
            chain = [root]
            while True:
                child = s.scalars(select(Case).where(Case.parent_id == chain[-1].id)
                                  .order_by(Case.id)).first()
                if child is None or child.id in {c.id for c in chain}:
                    break
                chain.append(child)
            return [_case_info(c) for c in chain]

    def resubmit_case(self, case_id: int) -> CaseInfo:
        return workflow.resubmit(self._facade(), case_id)

    @_writes
    def compose_statement(self, case_id: int, *, force: bool = False) -> tuple[CaseInfo, str]:
        return workflow.compose_statement(self._facade(), case_id, force=force)

    def _sync(self, case_id: int) -> None:
        workflow.sync_readiness(self._facade(), case_id)

    def _set_states(self, case_id: int, steps: Sequence[workflow.Step], *,
                    expected_version: int | None = None) -> CaseInfo:
        """Record states the caller has already validated against the case's flow, in one
        transaction: all of them or none. With `expected_version` the case must still be as
        the caller read it (another desk's move in between is refused, not overwritten)."""
        allowed = {"submitted_on", "result_on", "submitted_dossier_sha256",
                   "submitted_pack_sha256"}
        for step in steps:
            if set(step.dates) - allowed:
                raise LibraryError(
                    f"Unknown field(s): {', '.join(sorted(set(step.dates) - allowed))}.")
            _checked_texts(state_reason=step.reason)
            _checked_case_values({k: v for k, v in step.dates.items() if k.endswith("_on")})
        try:
            with self._session() as s:
                case = self._case_row(s, case_id)
                if expected_version is not None and case.version != expected_version:
                    raise StaleEdit(Message("This case was changed elsewhere since you opened it; "
                                            "it has been reloaded."))
                for step in steps:
                    before = case.state
                    case.state = step.state
                    case.state_reason = step.reason
                    for k, v in step.dates.items():
                        setattr(case, k, v)
                    case.updated_at = _now()
                    self._audit(s, "case.state", case_id, before=before, after=step.state,
                                reason=step.reason,
                                **{k: _change_value(v) for k, v in step.dates.items()})
                s.flush()
                s.refresh(case)
                return _case_info(case)
        except StaleDataError:
            raise StaleEdit(Message("This case was changed elsewhere since you opened it; "
                                    "it has been reloaded.")) from None

    def _last_audit_detail(self, case_id: int, action: str) -> dict[str, Any] | None:
        """The detail of the case's latest audit entry of `action` (one query, not the log)."""
        with self._session() as s:
            row = s.scalars(select(AuditLog).where(AuditLog.case_id == case_id,
                                                   AuditLog.action == action)
                            .order_by(AuditLog.id.desc()).limit(1)).first()
            return audit.to_entry(row).detail if row is not None else None

