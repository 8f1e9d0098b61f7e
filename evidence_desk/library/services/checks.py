"""What the library says about a case: the checklist, recognised text, search, timeline."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select

from evidence_desk.core.checklist import Checklist, evaluate
from evidence_desk.core.recognised import RecognisedText, Suggestion, field_suggestions
from evidence_desk.core.timeline import TimelineEvent, build_timeline
from evidence_desk.core.types import CaseInfo, EvidenceInfo
from evidence_desk.library import ocr_store, workflow
from evidence_desk.library.errors import NotFound
from evidence_desk.library.models import (
    Evidence,
    StoredFile,
)
from evidence_desk.library.search import SearchResults, search
from evidence_desk.library.services.base import (
    ServiceBase,
    _writes,
)


@dataclass(frozen=True)
class CaseChecks:
    """What `case_checks` answers: the case as read, and what is judged from its items."""

    case: CaseInfo
    checklist: Checklist
    timeline: list[TimelineEvent]
    suggestions: list[Suggestion]


class ChecksService(ServiceBase):
    """What the library says about a case: the checklist, recognised text, search, timeline."""

    # ---- checks -------------------------------------------------------------------------
    def check(self, case_id: int, today: date | None = None) -> Checklist:
        case = self.get_case(case_id)
        items = self.list_evidence(case_id)
        recognised = self.recognised_texts(i.sha256 for i in items)
        return self._checklist(case, items, recognised, today)

    def _checklist(self, case: CaseInfo, items: list[EvidenceInfo],
                   recognised: dict[str, RecognisedText], today: date | None) -> Checklist:
        # Judged on the statement as it stands now, with the chosen phrases' warnings.
        case, extra = workflow.case_for_check(self._facade(), case, items)
        checklist = evaluate(case, items, self.rules, today or date.today(), recognised)
        return replace(checklist, warnings=checklist.warnings + tuple(extra))

    def case_checks(self, case_id: int, today: date | None = None) -> CaseChecks:
        """The checklist, the timeline and the field suggestions of a case from one read of
        its items: what a desk shows beside an open case (three separate calls read a case
        of hundreds of items three times, all while the desk is trying to draw it)."""
        case = self.get_case(case_id)
        items = self.list_evidence(case_id)
        recognised = self.recognised_texts(i.sha256 for i in items)
        return CaseChecks(
            case=case,
            checklist=self._checklist(case, items, recognised, today),
            timeline=build_timeline(case, items, self.rules),
            suggestions=field_suggestions(case, items, recognised))

    # ---- recognised text (OCR) ----------------------------------------------------------
    def ocr_pending(self, case_id: int | None = None) -> list[ocr_store.OcrTask]:
        """Originals of screenshots and document photos not read yet (all cases, or one)."""
        with self._session() as s:
            return ocr_store.pending(s, case_id)

    def ocr_status(self, case_id: int | None = None) -> ocr_store.OcrStatus:
        with self._session() as s:
            return ocr_store.status(s, case_id)

    @_writes
    def save_recognised(self, sha256: str, *, lines: Sequence[dict[str, Any]] = (),
                        width: int | None = None, height: int | None = None, engine: str = "",
                        error: str = "", replace: bool = True) -> bool:
        """Store what OCR read in an original (or, with `error`, that it could not), then bring
        the readiness of the cases using it up to date (an outside chat stops counting)."""
        with self._session() as s:
            if s.get(StoredFile, sha256) is None:
                raise NotFound(f"There is no original {sha256[:12]}… in the library.")
            saved = ocr_store.save(s, sha256, lines=lines, width=width, height=height,
                                   engine=engine, error=error, replace=replace)
            case_ids = sorted(set(s.scalars(select(Evidence.case_id).where(
                Evidence.sha256 == sha256, Evidence.removed_at.is_(None)))))
        if saved and not error:
            for cid in case_ids:
                self._sync(cid)
        return saved

    def cases_using(self, sha256: str) -> list[int]:
        """The cases with a live item of this original (whose views follow what OCR read)."""
        with self._session() as s:
            return sorted(set(s.scalars(select(Evidence.case_id).where(
                Evidence.sha256 == sha256, Evidence.removed_at.is_(None)))))

    def recognised_texts(self, hashes: Iterable[str]) -> dict[str, RecognisedText]:
        """The text read in each of these originals that has been read."""
        with self._session() as s:
            return ocr_store.load(s, hashes)

    def recognised_records(self, hashes: Iterable[str]) -> list[dict[str, Any]]:
        with self._session() as s:
            return ocr_store.records(s, hashes)

    def search(self, text: str, *, include_archived: bool = True) -> SearchResults:
        """Cases and items whose fields, captions, file names or recognised text hold `text`."""
        with self._session() as s:
            return search(s, text, include_archived=include_archived)

    def suggestions(self, case_id: int) -> list[Suggestion]:
        """Values the case's screenshots show that could fill its empty fields (to offer)."""
        case = self.get_case(case_id)
        items = self.list_evidence(case_id)
        return field_suggestions(case, items, self.recognised_texts(i.sha256 for i in items))

    def timeline(self, case_id: int) -> list[TimelineEvent]:
        return build_timeline(self.get_case(case_id), self.list_evidence(case_id), self.rules)

