"""Case bundles: a faithful round trip, and every way a crafted bundle is refused untouched."""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import factories
import pytest
from craft import SYMLINK, Entry, overlapping_zip, raw_zip

from evidence_desk.core.types import BuyerInfo
from evidence_desk.library.bundle import (
    BundleError,
    BundleLimits,
    _case_checks,
    export_bundle,
    import_bundle,
    read_bundle,
)
from evidence_desk.library.service import CASE_RECORD_FIELDS, Library

pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name")


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Library, int, Path]]:
    root = tmp_path_factory.mktemp("source")
    lib = Library.open(root / "lib")
    src = root / "files"
    src.mkdir()
    case = lib.create_case(
        "quality_dispute", "2026110500123", buyer_name="Lucas Meyer",
        completed_on=date(2026, 11, 1), paid_on=date(2026, 10, 20), amount="1280.5",
        currency="USD", title="破损 Damaged carton", reason="Buyer claims damage",
        demand="Reject the refund", notes="备注 notes", other_channel_agreed=True)
    lib.save_buyer(BuyerInfo(
        id=lib.get_case(case.id).buyer.id, name="Lucas Meyer", company="ACME GmbH",
        country="DE", member_id="de123", credit_level="A", notes="slow payer"))
    lib.set_statement(case.id, "We shipped on time.", "我们按时发货。", composed=True)
    lib.add_paths(case.id, [
        factories.chat_screenshot(src / "聊天.png", ["你好", "Please pay"]),
        factories.photo(src / "goods.jpg", gps=True),
        factories.tracking_csv(src / "tracking.csv", encoding="gbk"),
        factories.pdf_waybill(src / "waybill.pdf", "SF1234567890"),
    ], source="alibaba_chat")
    first = lib.list_evidence(case.id)[0]
    lib.update_evidence(first.id, caption="买家承认 buyer admits",
                        marks=[{"type": "redact", "x": 10, "y": 20, "w": 30, "h": 40}])
    bundle = root / "case.edbundle"
    export_bundle(lib, case.id, bundle)
    yield lib, case.id, bundle
    lib.close()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "target")
    lib.create_case("fake_transaction", "EXISTING-1")
    yield lib
    lib.close()


def _case_data(lib: Library, case_id: int) -> dict[str, Any]:
    data = asdict(lib.get_case(case_id))
    for k in ("id", "created_at", "updated_at", "version", "parent_id"):
        data.pop(k)
    data["buyer"].pop("id")
    return data


def _items(lib: Library, case_id: int) -> list[dict[str, Any]]:
    out = []
    for e in lib.list_evidence(case_id):
        d = asdict(e)
        for k in ("id", "case_id"):
            d.pop(k)
        out.append(d)
    return out


def test_round_trip_gives_the_same_case_and_identical_files(
        source: tuple[Library, int, Path], target: Library) -> None:
    lib, case_id, bundle = source
    new_id = import_bundle(target, bundle)
    assert _case_data(target, new_id) == _case_data(lib, case_id)
    assert _items(target, new_id) == _items(lib, case_id)
    for e in lib.list_evidence(case_id):
        assert target.blob_path(e.sha256).read_bytes() == lib.blob_path(e.sha256).read_bytes()
    assert target.verify().ok
    entry = [e for e in target.audit_log(new_id) if e.action == "case.import"][0]
    from evidence_desk.library.blobstore import hash_file

    assert entry.detail["bundle_sha256"] == hash_file(bundle)
    assert not (target.folder / "staging").exists()


def test_export_is_atomic_and_records_itself(source: tuple[Library, int, Path],
                                             tmp_path: Path) -> None:
    lib, case_id, _ = source
    out = tmp_path / "out.zip"
    out.write_bytes(b"an earlier bundle")
    # A missing original makes the export fail half-way: the earlier file must survive.
    sha = lib.list_evidence(case_id)[-1].sha256
    blob = lib.blob_path(sha)
    hidden = blob.with_name("hidden")
    os.replace(blob, hidden)
    try:
        with pytest.raises(BundleError, match="missing"):
            export_bundle(lib, case_id, out)
    finally:
        os.replace(hidden, blob)
    assert out.read_bytes() == b"an earlier bundle"
    assert [p.name for p in tmp_path.iterdir()] == ["out.zip"]
    result = export_bundle(lib, case_id, out)
    assert zipfile.is_zipfile(out)
    assert any(e.action == "bundle.export" and e.detail["sha256"] == result.sha256
               for e in lib.audit_log(case_id))


def test_manifest_checks_cover_every_case_field(source: tuple[Library, int, Path]) -> None:
    assert set(_case_checks(source[0].rules)) == CASE_RECORD_FIELDS


# ---- crafted bundles -------------------------------------------------------------------------

def explode(bundle: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(bundle) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        files = {n: zf.read(n) for n in zf.namelist() if n != "manifest.json"}
    return manifest, files


def assemble(manifest: Any, files: dict[str, bytes], extra: list[Entry] = ()) -> bytes:  # type: ignore[assignment]
    body = manifest if isinstance(manifest, bytes) else json.dumps(manifest).encode()
    entries = [Entry("manifest.json", body, deflate=True)]
    entries += [Entry(n, d) for n, d in files.items()]
    return raw_zip(entries + list(extra))


def snapshot(lib: Library) -> tuple[Any, ...]:
    return (lib.case_ids(archived=None), sorted(lib.blobs.all_hashes()),
            len(lib.audit_log()))


def assert_refused(lib: Library, path: Path, message: str,
                   limits: BundleLimits | None = None) -> None:
    before = snapshot(lib)
    with pytest.raises(BundleError, match=message):
        import_bundle(lib, path, limits)
    assert snapshot(lib) == before
    assert not (lib.folder / "staging").exists()
    tmp = lib.folder / "blobs" / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir())
    assert lib.verify().ok


def _mutate(field: str, value: Any, where: str = "case") -> Callable[[dict[str, Any]], None]:
    def apply(m: dict[str, Any]) -> None:
        if where == "case":
            m["case"][field] = value
        elif where == "buyer":
            m["buyer"][field] = value
        elif where == "item":
            m["evidence"][0][field] = value
        else:
            m[field] = value
    return apply


MANIFEST_ATTACKS = [
    ("format", "something-else", "top", "not an Evidence Desk case bundle"),
    ("format_version", 2, "top", "format version 2"),
    ("format_version", "1", "top", 'format version "1"'),
    ("format_version", True, "top", "format version"),
    ("extra_field", 1, "top", "unknown field 'extra_field'"),
    ("created_at", "yesterday", "top", "created_at"),
    ("order_no", 12345, "case", r"case.order_no must be text"),
    ("order_no", "x" * 101, "case", r"case.order_no is longer than 100"),
    ("order_no", "   ", "case", r"case.order_no must not be empty"),
    ("type_key", "make_money", "case", "unknown complaint type"),
    ("completed_on", "2026-02-30", "case", "not a real date"),
    ("completed_on", "01/11/2026", "case", "YYYY-MM-DD"),
    ("amount", "-5", "case", "non-negative"),
    ("amount", 12.5, "case", "decimal number written as text"),
    ("amount", "1e400", "case", "non-negative amount below"),
    ("archived", "yes", "case", "true or false"),
    ("attempt_no", -1, "case", "between 1 and 1000"),
    ("state", "DROP TABLE", "case", "short lower-case key"),
    ("statement_composed_sha256", "zz", "case", "SHA-256"),
    ("id", 7, "case", "unknown field 'id'"),
    ("name", "", "buyer", r"buyer.name must not be empty"),
    ("kind", "selfie", "item", "unknown evidence kind"),
    ("source", "telepathy", "item", "unknown source"),
    ("captured_from", "magic", "item", "capture-time origin"),
    ("captured_at", "2026-01-01T10:00:00+08:00", "item", "without a time zone"),
    ("size", -1, "item", "between 0 and"),
    ("position", "first", "item", "whole number"),
    ("flags", ["ok", 3], "item", "short lower-case key"),
    ("marks", "redact all", "item", "list of at most 1000 marks"),
    ("original_name", "../../etc/passwd", "item", "not a plain file name"),
    ("original_name", "a\nb.png", "item", "not a plain file name"),
    ("caption", "x" * 100_001, "item", "longer than 100000"),
]


@pytest.mark.parametrize("field, value, where, message", MANIFEST_ATTACKS,
                         ids=[f"{w}.{f}={str(v)[:12]}" for f, v, w, _ in MANIFEST_ATTACKS])
def test_invalid_manifest_values_are_refused(source: tuple[Library, int, Path], target: Library,
                                             tmp_path: Path, field: str, value: Any, where: str,
                                             message: str) -> None:
    manifest, files = explode(source[2])
    _mutate(field, value, where)(manifest)
    path = tmp_path / "bad.zip"
    path.write_bytes(assemble(manifest, files))
    assert_refused(target, path, message)


@pytest.mark.parametrize("body, message", [
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "not a JSON object"),
    (b'{"format": NaN}', "NaN"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
])
def test_broken_manifests_are_refused(source: tuple[Library, int, Path], target: Library,
                                      tmp_path: Path, body: bytes, message: str) -> None:
    _, files = explode(source[2])
    path = tmp_path / "bad.zip"
    path.write_bytes(assemble(body, files))
    assert_refused(target, path, message)


def _sha_of(files: dict[str, bytes], index: int = 0) -> str:
    return sorted(files)[index].removeprefix("files/")


def test_unsafe_member_names_are_refused(source: tuple[Library, int, Path], target: Library,
                                         tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    for name, message in [
        ("../evil.txt", "climbs out"), ("files/../../evil.txt", "climbs out"),
        ("/etc/passwd", "absolute path"), ("C:/Windows/evil.dll", "drive letter"),
        ("c:evil", "drive letter"), ("files\\..\\evil.txt", "backslash"),
        ("files/a\x00.png", "NUL byte"), ("files/", "folder"), ("a\x01b", "control"),
    ]:
        path = tmp_path / "names.zip"
        path.write_bytes(assemble(manifest, files, [Entry(name, b"x")]))
        assert_refused(target, path, message)


def test_symlink_members_are_refused(source: tuple[Library, int, Path], target: Library,
                                     tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    sha = _sha_of(files)
    files = dict(files)
    files.pop(f"files/{sha}")
    path = tmp_path / "link.zip"
    path.write_bytes(assemble(manifest, files,
                              [Entry(f"files/{sha}", b"/etc/passwd", external_attr=SYMLINK)]))
    assert_refused(target, path, "symbolic link")


def test_duplicate_members_are_refused(source: tuple[Library, int, Path], target: Library,
                                       tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    name = f"files/{_sha_of(files)}"
    path = tmp_path / "dup.zip"
    path.write_bytes(assemble(manifest, files, [Entry(name, b"a different file")]))
    assert_refused(target, path, "appears twice")
    # Names differing only in case would collide on Windows and macOS.
    path.write_bytes(assemble(manifest, files, [Entry(name.upper(), b"x")]))
    assert_refused(target, path, "appears twice")
    # A second manifest.
    path.write_bytes(assemble(manifest, files, [Entry("manifest.json", b"{}")]))
    assert_refused(target, path, "appears twice")


def test_members_must_match_the_manifest_exactly(source: tuple[Library, int, Path],
                                                 target: Library, tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    path = tmp_path / "extra.zip"
    path.write_bytes(assemble(manifest, files, [Entry("files/readme.txt", b"hello")]))
    assert_refused(target, path, "not in its manifest")
    lacking = dict(files)
    lacking.pop(sorted(files)[1])
    path.write_bytes(assemble(manifest, lacking))
    assert_refused(target, path, "missing from the archive")
    path.write_bytes(raw_zip([Entry(n, d) for n, d in files.items()]))
    assert_refused(target, path, "no manifest")


def test_a_file_that_does_not_match_its_hash_is_refused(source: tuple[Library, int, Path],
                                                        target: Library,
                                                        tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    name = sorted(files)[0]
    data = bytearray(files[name])
    data[len(data) // 2] ^= 0x01
    files = {**files, name: bytes(data)}
    path = tmp_path / "altered.zip"
    path.write_bytes(assemble(manifest, files))
    assert_refused(target, path, "does not match its SHA-256")


def test_size_in_manifest_must_be_true(source: tuple[Library, int, Path], target: Library,
                                       tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    manifest["evidence"][0]["size"] += 1
    path = tmp_path / "size.zip"
    path.write_bytes(assemble(manifest, files))
    assert_refused(target, path, "bytes")


def test_content_the_app_would_refuse_is_refused(source: tuple[Library, int, Path],
                                                 target: Library, tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    junk = bytes(random.Random(3).randrange(256) for _ in range(4096))
    import hashlib

    sha = hashlib.sha256(junk).hexdigest()
    item = dict(manifest["evidence"][0], sha256=sha, size=len(junk), mime="image/png",
                original_name="x.png")
    manifest["evidence"].append(item)
    path = tmp_path / "junk.zip"
    path.write_bytes(assemble(manifest, {**files, f"files/{sha}": junk}))
    assert_refused(target, path, "not acceptable evidence")
    # The right bytes under a wrong type.
    manifest, files = explode(source[2])
    manifest["evidence"][0]["mime"] = "application/pdf"
    path.write_bytes(assemble(manifest, files))
    assert_refused(target, path, "manifest says application/pdf")


def test_overlapping_entries_are_refused(source: tuple[Library, int, Path], target: Library,
                                         tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    names = sorted(files)
    body = json.dumps(manifest).encode()
    data = overlapping_zip((names[0], files[names[0]]), (names[1], files[names[1]]),
                           [Entry("manifest.json", body)]
                           + [Entry(n, files[n]) for n in names[2:]])
    path = tmp_path / "overlap.zip"
    path.write_bytes(data)
    # CPython 3.11.7's own zipfile would read both members without complaint.
    with zipfile.ZipFile(path) as zf:
        assert len(zf.infolist()) == len(names) + 1
    assert_refused(target, path, "overlap")


def test_a_header_that_lies_about_its_size_is_refused(source: tuple[Library, int, Path],
                                                      target: Library, tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    name = sorted(files)[0]
    size = len(files[name])
    path = tmp_path / "lie.zip"
    for declared in (size // 2, size * 4):
        lying = [Entry(n, d, deflate=True, declared_size=declared if n == name else None)
                 for n, d in files.items()]
        path.write_bytes(raw_zip([Entry("manifest.json", json.dumps(manifest).encode()),
                                  *lying]))
        assert_refused(target, path, "bytes|lies|damaged")


def test_a_real_deflate_bomb_is_stopped_by_counting(source: tuple[Library, int, Path],
                                                    target: Library, tmp_path: Path) -> None:
    """A member that claims 1 KB in every header but inflates to 64 MB."""
    manifest, files = explode(source[2])
    import hashlib

    bomb = bytes(64 * 1024 * 1024)
    sha = hashlib.sha256(bomb).hexdigest()
    manifest["evidence"].append(dict(manifest["evidence"][0], sha256=sha, size=1024))
    path = tmp_path / "bomb.zip"
    path.write_bytes(assemble(manifest, files,
                              [Entry(f"files/{sha}", bomb, deflate=True, declared_size=1024)]))
    assert path.stat().st_size < 200_000
    assert_refused(target, path, "lies|bytes|damaged")


def test_size_caps_are_enforced_on_declarations(source: tuple[Library, int, Path],
                                                target: Library, tmp_path: Path) -> None:
    _, _, bundle = source
    total = sum(len(d) for d in explode(bundle)[1].values())
    largest = max(len(d) for d in explode(bundle)[1].values())
    assert_refused(target, bundle, "in all|over the limit",
                   BundleLimits(max_total_bytes=total - 1))
    assert_refused(target, bundle, "limit per file|between 0 and",
                   BundleLimits(max_member_bytes=largest - 1))


def test_too_many_members_are_refused_before_listing(source: tuple[Library, int, Path],
                                                     target: Library, tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    path = tmp_path / "many.zip"
    path.write_bytes(assemble(manifest, files, [Entry(f"pad/{i}", b"") for i in range(50)]))
    assert_refused(target, path, "members", BundleLimits(max_members=20))


def test_not_a_zip_truncated_and_empty_files_are_refused(source: tuple[Library, int, Path],
                                                         target: Library,
                                                         tmp_path: Path) -> None:
    data = source[2].read_bytes()
    path = tmp_path / "broken.zip"
    for content in (b"", b"hello, I am text", bytes(random.Random(1).randrange(256)
                                                    for _ in range(5000)),
                    data[: len(data) // 2], data[:-30], data[:-5]):
        path.write_bytes(content)
        assert_refused(target, path, "not a zip|not a valid zip|truncated|damaged")
    assert_refused(target, tmp_path / "nothing-here.zip", "not a file")
    assert_refused(target, tmp_path, "not a file")


def test_encrypted_and_odd_compression_are_refused(source: tuple[Library, int, Path],
                                                   target: Library, tmp_path: Path) -> None:
    manifest, files = explode(source[2])
    path = tmp_path / "enc.zip"
    data = bytearray(assemble(manifest, files))
    # Flip the encryption bit in every central directory header.
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        flags = struct.unpack_from("<H", data, pos + 8)[0]
        struct.pack_into("<H", data, pos + 8, flags | 1)
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))
    assert_refused(target, path, "encrypted")


def test_read_bundle_checks_without_a_library(source: tuple[Library, int, Path],
                                              tmp_path: Path) -> None:
    lib, case_id, bundle = source
    plan = read_bundle(bundle, lib.rules)
    assert plan.case["order_no"] == "2026110500123"
    assert len(plan.items) == len(lib.list_evidence(case_id))


# ---- the command line ------------------------------------------------------------------------

def _cli(lib: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, EVIDENCE_DESK_LOG_DIR=str(lib.parent / "logs"))
    proc = subprocess.run([sys.executable, "-m", "evidence_desk.cli", "--library", str(lib),
                           *args], capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_cli_bundle_export_and_import(source: tuple[Library, int, Path], tmp_path: Path) -> None:
    lib, case_id, bundle = source
    other = tmp_path / "cli-lib"
    out = _cli(other, "bundle", "import", str(bundle))
    assert out.returncode == 0, out.stderr
    new_id = out.stdout.strip()
    assert new_id.isdigit()
    again = tmp_path / "again.zip"
    out = _cli(other, "bundle", "export", new_id, "-o", str(again))
    assert out.returncode == 0, out.stderr
    assert explode(again)[1] == explode(bundle)[1]
    bad = tmp_path / "bad.zip"
    manifest, files = explode(bundle)
    manifest["format_version"] = 99
    bad.write_bytes(assemble(manifest, files))
    out = _cli(other, "bundle", "import", str(bad))
    assert out.returncode == 1
    assert "format version 99" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert _cli(other, "bundle", "export", "999", "-o", str(again)).returncode == 1
