"""A received bundle's claims are not taken on trust: what the files show is recomputed, what
cannot be is checked for sense, and a bundle that would inflate past the disk is refused before
one byte is unpacked."""

from __future__ import annotations

import hashlib
import json
import random
import zipfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import factories
import pytest
from craft import Entry, raw_zip

from evidence_desk.core import limits
from evidence_desk.library import bundle as bundle_mod
from evidence_desk.library.bundle import BundleError, export_bundle, import_bundle
from evidence_desk.library.service import Library, LibraryError


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "desk")
    yield lib
    lib.close()


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "fresh")
    yield lib
    lib.close()


def _manifest_and_files(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        return (json.loads(zf.read("manifest.json")),
                {n: zf.read(n) for n in zf.namelist() if n != "manifest.json"})


def _write(path: Path, manifest: dict[str, Any], files: dict[str, bytes],
           **declared: int) -> Path:
    entries = [Entry("manifest.json", json.dumps(manifest).encode(), deflate=True)]
    entries += [Entry(n, d, deflate=n in declared or len(d) > 10_000,
                      declared_size=declared.get(n)) for n, d in files.items()]
    path.write_bytes(raw_zip(entries))
    return path


def _file_entry(sha: str, data: bytes, mime: str, name: str, **over: Any) -> dict[str, Any]:
    entry = {"kind": "product_photo", "caption": "", "captured_at": None,
             "captured_from": "file", "source": "", "original_name": name, "position": 0,
             "flags": [], "marks": [], "sha256": sha, "size": len(data), "mime": mime,
             "added_at": None}
    entry.update(over)
    return entry


def _bundle_with(lib: Library, tmp_path: Path, files: list[tuple[str, bytes, str, dict]],
                 **case_over: Any) -> Path:
    case = lib.create_case("quality_dispute", "B-1")
    export_bundle(lib, case.id, tmp_path / "base.bundle")
    manifest, _ = _manifest_and_files(tmp_path / "base.bundle")
    manifest["case"].update(case_over)
    blobs = {}
    for i, (name, data, mime, over) in enumerate(files):
        sha = hashlib.sha256(data).hexdigest()
        manifest["evidence"].append(_file_entry(sha, data, mime, name, position=i, **over))
        blobs["files/" + sha] = data
    return _write(tmp_path / "crafted.bundle", manifest, blobs)


def test_flags_are_recomputed_from_the_files_not_taken_from_the_manifest(
        lib: Library, fresh: Library, tmp_path: Path) -> None:
    truncated = factories.truncated_jpeg(tmp_path / "t.jpg").read_bytes()
    png = factories.rgba_png(tmp_path / "p.png").read_bytes()
    photo = factories.photo(tmp_path / "ph.jpg").read_bytes()
    path = _bundle_with(lib, tmp_path, [
        ("broken.jpg", truncated, "image/jpeg", {}),
        ("really-a-png.jpg", png, "image/png", {}),
        ("invoice\u202egnp.jpg", photo, "image/jpeg", {}),
    ])
    new_id = import_bundle(fresh, path)
    flags = {e.original_name: set(e.flags) for e in fresh.list_evidence(new_id)}
    assert "damaged_image" in flags["broken.jpg"]
    assert "wrong_extension" in flags["really-a-png.jpg"]
    assert "deceptive_name" in flags["invoice\u202egnp.jpg"]


def test_a_capture_time_claimed_from_exif_must_be_in_the_file(
        lib: Library, fresh: Library, tmp_path: Path) -> None:
    plain = factories.rgba_png(tmp_path / "p.png").read_bytes()  # no EXIF at all
    shot = factories.photo(tmp_path / "ph.jpg", when=datetime(2024, 3, 5, 14, 30)).read_bytes()
    path = _bundle_with(lib, tmp_path, [
        ("plain.png", plain, "image/png",
         {"captured_at": "2020-01-01T08:00:00", "captured_from": "exif"}),
        ("photo.jpg", shot, "image/jpeg",
         {"captured_at": "2019-06-01T08:00:00", "captured_from": "exif"}),
    ])
    items = {e.original_name: e for e in fresh.list_evidence(import_bundle(fresh, path))}
    # Not borne out by the file: kept as the sender's word, not as read from the file.
    assert items["plain.png"].captured_from == "file"
    # The file's own EXIF wins over the manifest's claim.
    assert items["photo.jpg"].captured_from == "exif"
    assert items["photo.jpg"].captured_at == datetime(2024, 3, 5, 14, 30)


@pytest.mark.parametrize(("over", "message"), [
    ({"state": "teleported"}, "not a state of this complaint type"),
    ({"state": "draft", "submitted_dossier_sha256": "a" * 64, "submitted_on": "2026-01-05"},
     "not submitted"),
    ({"state": "submitted", "submitted_pack_sha256": "b" * 64, "submitted_on": None},
     "without a submission date"),
    ({"state": "upheld", "submitted_on": "2026-02-01", "result_on": "2026-01-01"},
     "before the submission"),
    ({"completed_on": "9999-12-31"}, "outside 2001-01-01"),
    ({"submitted_on": "0001-01-01", "state": "submitted"}, "outside 2001-01-01"),
    ({"currency": "EURO_DOLLAR"}, "three-letter currency"),
    ({"amount": "1e20"}, "non-negative amount"),
])
def test_claims_that_cannot_be_recomputed_are_checked(
        lib: Library, fresh: Library, tmp_path: Path, over: dict[str, Any], message: str) -> None:
    path = _bundle_with(lib, tmp_path, [], **over)
    before = (fresh.case_ids(archived=None), len(fresh.audit_log()))
    with pytest.raises(BundleError, match=message):
        import_bundle(fresh, path)
    assert (fresh.case_ids(archived=None), len(fresh.audit_log())) == before


def test_forged_submission_hashes_are_recorded_as_the_senders_word(
        lib: Library, fresh: Library, tmp_path: Path) -> None:
    path = _bundle_with(lib, tmp_path, [], state="submitted", submitted_on="2026-01-05",
                        submitted_dossier_sha256="c" * 64)
    new_id = import_bundle(fresh, path)
    entry = [e for e in fresh.audit_log(new_id) if e.action == "case.import"][0]
    assert entry.detail["submission_as_stated_by_bundle"] == {
        "submitted_dossier_sha256": "c" * 64}


def test_a_bundle_inflating_far_beyond_its_size_is_refused_before_unpacking(
        lib: Library, fresh: Library, tmp_path: Path) -> None:
    # 200 MB of zeros compress to about 200 KB: a ratio no evidence file has.
    zeros = bytes(200 * 1024 * 1024)
    sha = hashlib.sha256(zeros).hexdigest()
    case = lib.create_case("quality_dispute", "Z-1")
    export_bundle(lib, case.id, tmp_path / "base.bundle")
    manifest, _ = _manifest_and_files(tmp_path / "base.bundle")
    manifest["evidence"].append(_file_entry(sha, zeros, "text/plain", "zeros.txt"))
    path = _write(tmp_path / "bomb.bundle", manifest, {"files/" + sha: zeros})
    del zeros
    before = fresh.case_ids(archived=None)
    with pytest.raises(BundleError, match="zip bomb"):
        import_bundle(fresh, path)
    assert not (fresh.folder / "staging").exists()
    assert fresh.case_ids(archived=None) == before


def test_a_bundle_larger_than_the_free_space_is_refused_before_unpacking(
        lib: Library, fresh: Library, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    photo = factories.photo(tmp_path / "ph.jpg").read_bytes()
    path = _bundle_with(lib, tmp_path, [("ph.jpg", photo, "image/jpeg", {})])
    import shutil

    free = shutil.disk_usage(fresh.folder).free
    # Ask for a margin one byte more than the disk has: the photo no longer fits.
    monkeypatch.setattr(bundle_mod, "FREE_SPACE_MARGIN", free)
    before = fresh.blobs.all_hashes()
    with pytest.raises(BundleError, match="MB free; nothing was imported"):
        import_bundle(fresh, path)
    assert fresh.blobs.all_hashes() == before


def test_a_member_declaring_another_size_than_the_manifest_is_refused_first(
        lib: Library, fresh: Library, tmp_path: Path) -> None:
    photo = factories.photo(tmp_path / "ph.jpg").read_bytes()
    case = lib.create_case("quality_dispute", "S-1")
    export_bundle(lib, case.id, tmp_path / "base.bundle")
    manifest, _ = _manifest_and_files(tmp_path / "base.bundle")
    sha = hashlib.sha256(photo).hexdigest()
    manifest["evidence"].append(_file_entry(sha, photo, "image/jpeg", "ph.jpg"))
    name = "files/" + sha
    path = _write(tmp_path / "lie.bundle", manifest, {name: photo},
                  **{name: len(photo) * 50})
    with pytest.raises(BundleError, match="declares"):
        import_bundle(fresh, path)


# ---- every case the desk accepts can travel ------------------------------------------------

EDGE_TEXT = ["", "x", "破损 Damaged", "😀👍🏽 emoji", "\u202eRTL override", "tab\tand\nnewline",
             "'\"<>&;--", " leading and trailing ", "\u00a0nbsp", "ß" * 50]


def _edge_values(rng: random.Random) -> dict[str, Any]:
    def text(field: str) -> str:
        limit = limits.TEXT_LIMITS[field]
        choice = rng.random()
        if choice < 0.25:
            return "字" * limit  # the longest the desk takes, in wide characters
        if choice < 0.35:
            return "😀" * limit  # astral-plane characters, each two UTF-16 units
        return rng.choice(EDGE_TEXT)[:limit]

    amounts = [None, "0", "0.01", "999999999999.99", "1,280.50", "12.345", "7"]
    dates = [None, limits.DATE_MIN, limits.DATE_MAX, date(2024, 2, 29), date(2026, 1, 5)]
    return {
        "title": text("title"), "reason": text("reason"), "demand": text("demand"),
        "notes": text("notes"), "amount": rng.choice(amounts),
        "currency": rng.choice(["USD", "cny", "EUR", " jpy "]),
        "completed_on": rng.choice(dates), "paid_on": rng.choice(dates),
        "order": text("order_no") or "O-1", "buyer": rng.choice([None, text("buyer")]),
    }


def test_every_case_the_desk_accepts_imports_into_a_fresh_desk(tmp_path: Path) -> None:
    rng = random.Random(16)
    src = Library.open(tmp_path / "src")
    accepted = refused = 0
    try:
        for n in range(40):
            values = _edge_values(rng)
            order, buyer = values.pop("order"), values.pop("buyer")
            ctype = rng.choice(list(src.rules.types))
            try:
                case = src.create_case(ctype, order.strip() or "O-1", buyer_name=buyer,
                                       **values)
            except LibraryError:
                refused += 1
                continue
            accepted += 1
            out = tmp_path / f"c{n}.bundle"
            export_bundle(src, case.id, out)
            dest = Library.open(tmp_path / f"dest{n}")
            try:
                got = dest.get_case(import_bundle(dest, out))
                for field in ("title", "reason", "demand", "notes", "amount", "currency",
                              "completed_on", "paid_on", "order_no"):
                    assert getattr(got, field) == getattr(case, field), field
                assert dest.verify().ok
            finally:
                dest.close()
    finally:
        src.close()
    assert accepted >= 30, (accepted, refused)


@pytest.mark.parametrize(("field", "value"), [
    ("title", "x" * 301), ("order", "x" * 101), ("buyer", "x" * 201),
    ("reason", "x" * 100_001), ("amount", "1e20"), ("amount", Decimal("NaN")),
    ("currency", "EURO_DOLLAR"), ("title", "a\x00b"), ("notes", "n\x00"),
    ("completed_on", date(9999, 12, 31)), ("paid_on", date(1, 1, 1)),
])
def test_the_library_refuses_what_could_not_travel(lib: Library, field: str,
                                                    value: Any) -> None:
    kwargs: dict[str, Any] = {"order": "L-1"}
    kwargs[field] = value
    order = kwargs.pop("order")
    buyer = kwargs.pop("buyer", None)
    with pytest.raises(LibraryError):
        lib.create_case("quality_dispute", order, buyer_name=buyer, **kwargs)
    case = lib.create_case("quality_dispute", "L-2")
    if field not in ("order", "buyer"):
        with pytest.raises(LibraryError):
            lib.update_case(case.id, **{field: value})
    assert lib.get_case(case.id).version == case.version
    assert [c.order_no for c in lib.list_cases()] == ["L-2"]
