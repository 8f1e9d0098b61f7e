"""A case's flow: moves, attempts, resubmission and the composed statement."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from evidence_desk.core.types import CaseInfo
from evidence_desk.library import workflow
from evidence_desk.library.models import (
    Case,
)
from evidence_desk.library.services.base import (
    ServiceBase,
    _case_info,
    _writes,
)


class FlowService(ServiceBase):
    """A case's flow: moves, attempts, resubmission and the composed statement."""

    # ---- flow -----------------------------------------------------------------------------
    @_writes
    def move_case(self, case_id: int, target: str, *, reason: str = "",
                  on: date | None = None) -> CaseInfo:
        """Move the case in its flow (submit, result, pause ...); refused moves say why."""
        return workflow.move(self, case_id, target, reason=reason, on=on)

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
        return workflow.resubmit(self, case_id)

    @_writes
    def compose_statement(self, case_id: int, *, force: bool = False) -> tuple[CaseInfo, str]:
        return workflow.compose_statement(self, case_id, force=force)

    def _sync(self, case_id: int) -> None:
        workflow.sync_readiness(self, case_id)

