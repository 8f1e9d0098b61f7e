from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import case_builder  # noqa: E402

from evidence_desk.export.dossier_model import DossierData  # noqa: E402


@pytest.fixture(scope="session")
def standard_case(tmp_path_factory: pytest.TempPathFactory) -> DossierData:
    return case_builder.make_case(tmp_path_factory.mktemp("case"))


@pytest.fixture(scope="session")
def standard_pdf(standard_case: DossierData, tmp_path_factory: pytest.TempPathFactory):
    from evidence_desk.export.dossier import build_dossier

    out = tmp_path_factory.mktemp("out") / "dossier.pdf"
    calls: list[tuple[int, int, str]] = []
    result = build_dossier(standard_case, out, lang="both",
                           progress=lambda a, b, what: calls.append((a, b, what)))
    return result, calls
