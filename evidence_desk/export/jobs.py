"""Exporting a case from a library: gather its data, re-check its originals, write, record.

The command line and the GUI both call these; the renderers below them see only plain data.
An export always finishes when the target can be written: an exhibit that cannot be drawn or
cleaned is listed in the result's `affected` (by exhibit number and file name, with the
reason), which the command line prints on stderr and the window shows with the result.
Library warnings raised meanwhile go to the log (`quiet`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from evidence_desk.core.statement import exhibit_numbers
from evidence_desk.export.dossier_model import (
    Affected,
    DossierData,
    DossierResult,
    Exhibit,
    ExportError,
    StatementText,
)
from evidence_desk.export.quiet import quiet_libraries
from evidence_desk.export.scratch import scratch_root
from evidence_desk.library.blobstore import hash_file

if TYPE_CHECKING:
    from evidence_desk.export.encode_cache import EncodeCache
    from evidence_desk.export.pack import PackResult
    from evidence_desk.library.service import Library

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]


def _letter_order(number: str) -> tuple[str, int]:
    letter, _, n = number.partition("-")
    return letter, int(n) if n.isdigit() else 0


def dossier_data(lib: Library, case_id: int, *, today: date | None = None,
                 verify: bool = True, cancel: Cancel | None = None) -> DossierData:
    """Everything an export needs, with every original re-hashed first.

    An original that no longer matches its hash is never quietly used: the export stops and
    names it, so the seller can restore it from a backup or a bundle.
    """
    case = lib.get_case(case_id)
    items = lib.list_evidence(case_id)
    numbers = exhibit_numbers(items, lib.rules)
    problems: list[str] = []
    exhibits: list[Exhibit] = []
    for item in items:
        path = lib.blob_path(item.sha256)
        number = numbers[item.id]
        if verify:
            if cancel is not None and cancel():
                raise InterruptedError("cancelled")
            if not path.is_file():
                problems.append(f"{number} ({item.original_name}) is missing from the library")
            elif hash_file(path) != item.sha256:
                problems.append(f"{number} ({item.original_name}) no longer matches its SHA-256")
        exhibits.append(Exhibit(info=item, path=path, number=number))
    if problems:
        raise ExportError("Not exported, because originals changed on disk: "
                          + "; ".join(problems) + ". Run Verify and restore them from a backup.")
    exhibits.sort(key=lambda e: _letter_order(e.number))
    return DossierData(
        case=case, exhibits=tuple(exhibits), checklist=lib.check(case_id, today=today),
        timeline=tuple(lib.timeline(case_id)), rules=lib.rules, generated_at=datetime.now(),
        audit_head=lib.audit_head(), statement=_statement_text(lib, case_id),
        recognised=lib.recognised_texts(ex.info.sha256 for ex in exhibits))


def _statement_text(lib: Library, case_id: int) -> StatementText:
    from evidence_desk.library.workflow import current_statement

    en, zh, comp = current_statement(lib, case_id)
    return StatementText(en=en, reading_zh=zh, reason_en=comp.section("facts", "en"),
                         demand_en=comp.section("demand", "en"),
                         reason_zh=comp.section("facts", "zh"),
                         demand_zh=comp.section("demand", "zh"))


def export_dossier(lib: Library, case_id: int, out: Path, *, lang: str = "both",
                   budget_bytes: int | None = None, progress: Progress | None = None,
                   cancel: Cancel | None = None) -> DossierResult:
    from evidence_desk.export.dossier import build_dossier
    from evidence_desk.export.safe_write import check_parent

    # Checked again when writing; here so a mistyped folder fails before every original is
    # re-hashed.
    check_parent(Path(out))
    data = dossier_data(lib, case_id, cancel=cancel)
    with quiet_libraries():
        result = build_dossier(data, Path(out), lang=lang, budget_bytes=budget_bytes,
                               progress=progress, cancel=cancel,
                               work_root=scratch_root(lib.folder),
                               encode_cache=exhibit_cache(lib))
    lib.record("export.dossier", case_id, sha256=result.sha256, pages=result.pages,
               size=result.size_bytes, lang=lang, exhibits=len(data.exhibits),
               affected=[a.number for a in result.affected])
    return result


def exhibit_cache(lib: Library) -> EncodeCache:
    """Encoded exhibits of this library's earlier exports (see export.encode_cache)."""
    from evidence_desk.export.encode_cache import EncodeCache

    return EncodeCache(Path(lib.folder) / "cache" / "exhibits")


def affected_lines(affected: tuple[Affected, ...], *, dossier: bool) -> list[str]:
    """One line per affected exhibit, for the seller: number, file name, what happened."""
    if dossier:
        return [f"{a.number} ({a.name}): {a.reason}; the dossier has a page saying so"
                + (" and the original is in the upload pack" if a.in_pack else "")
                for a in affected]
    return [f"{a.number} ({a.name}): {a.reason}" for a in affected]


def export_pack(lib: Library, case_id: int, out_dir: Path, *, zip_max_bytes: int | None = None,
                progress: Progress | None = None, cancel: Cancel | None = None) -> PackResult:
    from evidence_desk.export.pack import build_pack, check_target
    from evidence_desk.export.safe_write import check_parent

    # Both are checked again when writing; here so a wrong target fails before any work.
    check_parent(Path(out_dir))
    check_target(Path(out_dir))
    from evidence_desk.library.workflow import current_statement

    # The statement as it stands (composed from the current evidence; hand edits kept).
    statement, _, _ = current_statement(lib, case_id)
    data = dossier_data(lib, case_id, cancel=cancel)
    with quiet_libraries():
        result = build_pack(data, Path(out_dir), statement_en=statement,
                            zip_max_bytes=zip_max_bytes, work_root=scratch_root(lib.folder),
                            progress=progress, cancel=cancel)
    lib.record("export.pack", case_id, sha256=result.sha256, zips=len(result.zips),
               affected=[a.number for a in result.affected])
    return result
