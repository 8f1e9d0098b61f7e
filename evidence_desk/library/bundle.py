"""Case bundles: one zip that carries a case, its evidence metadata and its originals to another desk.

Layout: `manifest.json` (format, version, the case's data, one record per evidence item with the
SHA-256 of its file) and `files/<sha256>` (the originals, byte for byte).

Import treats the file as hostile. Nothing is written outside a staging folder inside the library
until every member has been checked: names, sizes (counted while streaming, never taken from a
header), hashes, every manifest value, and every original through the same probe as `add`. Only
then are the originals moved into the blob store and the case inserted in one transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence_desk import __version__, stale
from evidence_desk.core import limits
from evidence_desk.core.rules import Rules
from evidence_desk.library import bundle_recognised
from evidence_desk.library.blobstore import Staged, fsync_dir, hash_file
from evidence_desk.library.errors import LibraryError
from evidence_desk.library.safezip import SafeZip, UnsafeZip, ZipLimits

if TYPE_CHECKING:
    from evidence_desk.library.service import Library

FORMAT = "evidence-desk-bundle"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
TEXT_MAX = limits.TEXT_MAX
# Room the staging folder must leave on the disk beyond what the bundle inflates to.
FREE_SPACE_MARGIN = 64 * 1024 * 1024
STAGING = "staging"
TEMP_PREFIX = ".evidence-desk-bundle-"
# Formats that are compressed already: deflating them again costs time and saves nothing.
_STORED_MIMES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic",
                 "image/heif", "application/pdf",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "video/mp4", "video/quicktime", "video/x-m4v", "video/3gpp", "video/x-msvideo",
                 "video/x-matroska", "video/webm", "video/x-ms-wmv", "video/x-flv",
                 "video/mpeg"}
_HEX64 = re.compile(r"[0-9a-f]{64}")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_CAPTURED_FROM = {"exif", "file_name", "file", "clipboard", "user"}
# Evidence fields newer than the first bundles: an older bundle without them gets these values.
_EVIDENCE_DEFAULTS: dict[str, Any] = {"rotation": 0, "captured_offset": None}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BundleError(LibraryError):
    """A bundle that cannot be written or is refused on import; the message says why."""


@dataclass(frozen=True)
class BundleResult:
    path: Path
    sha256: str  # of the bundle file itself, as recorded in the audit log
    size: int
    items: int
    files: int


@dataclass(frozen=True)
class BundleLimits:
    max_members: int = 10_000
    max_member_bytes: int = 2 * 1024**3
    max_total_bytes: int = 2 * 1024**3

    def zip_limits(self) -> ZipLimits:
        return ZipLimits(max_members=self.max_members, max_member_bytes=self.max_member_bytes,
                         max_total_bytes=self.max_total_bytes)


# ---- export ----------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def build_manifest(lib: Library, case_id: int) -> dict[str, Any]:
    record = lib.case_record(case_id)
    items = lib.list_evidence(case_id)
    recognised = bundle_recognised.manifest_entry(lib, {e.sha256 for e in items})
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app_version": __version__,
        "case": {k: _plain(v) for k, v in record["case"].items()},
        "buyer": record["buyer"],
        "evidence": [{
            "kind": e.kind, "caption": e.caption, "captured_at": _plain(e.captured_at),
            "captured_from": e.captured_from, "source": e.source,
            "original_name": e.original_name, "position": e.position, "flags": list(e.flags),
            "marks": list(e.marks), "sha256": e.sha256, "size": e.size, "mime": e.mime,
            "added_at": _plain(e.added_at), "rotation": e.rotation,
            "captured_offset": e.captured_offset,
        } for e in items],
    }
    if recognised:
        manifest[bundle_recognised.FIELD] = recognised
    return manifest


def export_bundle(lib: Library, case_id: int, out: Path) -> BundleResult:
    """Write the case to `out` atomically: an earlier file there survives any failure.

    The manifest is first read back through the import's own checks, so a bundle this desk
    writes is one any desk can import; a value an older version let in is named to be fixed.
    """
    out = Path(out)
    manifest = build_manifest(lib, case_id)
    try:
        parse_manifest(json.dumps(manifest).encode("utf-8"), lib.rules, BundleLimits())
    except BundleError as exc:
        raise BundleError(f"Case {case_id} cannot travel as it is: "
                          f"{str(exc).removeprefix('The bundle' + chr(39) + 's manifest is invalid: ')}"
                          " Correct it (evidence-desk case edit) and export again.") from None
    files: dict[str, str] = {}
    for e in manifest["evidence"]:
        files.setdefault(e["sha256"], e["mime"])
    stamp = datetime.now().timetuple()[:6]
    # Named after this process: the next export clears what a killed one left beside `out`.
    stale.clear_stale(out.parent, TEMP_PREFIX)
    tmp = out.with_name(f"{TEMP_PREFIX}{stale.tag()}{out.name}.part")
    try:
        with tmp.open("xb") as fh:
            with zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
                body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
                zf.writestr(_member(MANIFEST, stamp, zipfile.ZIP_DEFLATED), body)
                for sha, mime in files.items():
                    method = zipfile.ZIP_STORED if mime in _STORED_MIMES else zipfile.ZIP_DEFLATED
                    _write_blob(lib, zf, _member(FILES_PREFIX + sha, stamp, method), sha)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BundleError(f"The bundle cannot be written to {out} "
                          f"({exc.strerror or type(exc).__name__}).") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    digest = hash_file(out)
    lib.record("bundle.export", case_id, sha256=digest, items=len(manifest["evidence"]))
    return BundleResult(out, digest, out.stat().st_size, len(manifest["evidence"]), len(files))


def _member(name: str, stamp: tuple[int, ...], method: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = method
    info.external_attr = (stat.S_IFREG | 0o444) << 16
    return info


def _write_blob(lib: Library, zf: zipfile.ZipFile, info: zipfile.ZipInfo, sha: str) -> None:
    path = lib.blob_path(sha)
    if not path.is_file():
        raise BundleError(f"Original {sha[:12]}… is missing from the library; run verify.")
    digest = hashlib.sha256()
    with path.open("rb") as src, zf.open(info, "w", force_zip64=True) as dst:
        while chunk := src.read(1 << 20):
            digest.update(chunk)
            dst.write(chunk)
    if digest.hexdigest() != sha:
        # Never hand on an altered exhibit under the hash it was recorded with.
        raise BundleError(f"Original {sha[:12]}… was altered on disk; run verify.")


# ---- manifest checks -------------------------------------------------------------------------

Check = Callable[[str, Any], Any]


def _fail(where: str, what: str) -> BundleError:
    return BundleError(f"The bundle's manifest is invalid: {where} {what}.")


def _text(max_len: int, *, required: bool = False, name_like: bool = False) -> Check:
    def check(where: str, value: Any) -> str:
        if not isinstance(value, str):
            raise _fail(where, "must be text")
        if len(value) > max_len:
            raise _fail(where, f"is longer than {max_len} characters")
        if required and not value.strip():
            raise _fail(where, "must not be empty")
        if "\x00" in value:
            raise _fail(where, "contains a NUL character")
        if name_like and (_CONTROL.search(value) or "/" in value or value in (".", "..")):
            raise _fail(where, "is not a plain file name")
        return value
    return check


def _bool(where: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _fail(where, "must be true or false")
    return value


def _int(low: int, high: int) -> Check:
    def check(where: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(where, "must be a whole number")
        if not low <= value <= high:
            raise _fail(where, f"must be between {low} and {high}")
        return value
    return check


def _optional(inner: Check) -> Check:
    def check(where: str, value: Any) -> Any:
        return None if value is None else inner(where, value)
    return check


def _date(where: str, value: Any) -> date:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise _fail(where, "must be a date in YYYY-MM-DD form")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise _fail(where, f"is not a real date ({value!r})") from None
    if not limits.DATE_MIN <= day <= limits.DATE_MAX:
        raise _fail(where, f"is outside {limits.DATE_MIN} to {limits.DATE_MAX} ({value})")
    return day


def _datetime(where: str, value: Any) -> datetime:
    if not isinstance(value, str) or len(value) > 40:
        raise _fail(where, "must be a date and time in ISO form")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _fail(where, f"is not a real date and time ({value[:40]!r})") from None
    if moment.tzinfo is not None:
        raise _fail(where, "must be a local time without a time zone")
    if not limits.MOMENT_MIN <= moment <= limits.MOMENT_MAX:
        raise _fail(where, f"is outside {limits.MOMENT_MIN.date()} to {limits.DATE_MAX}")
    return moment


def _amount(where: str, value: Any) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _fail(where, "must be a decimal number written as text")
    try:
        return limits.parse_amount(value)
    except limits.LimitError as exc:
        raise _fail(where, "must be a non-negative amount below 10^12 "
                           f"({str(exc).rstrip('.')})") from None


def _currency(where: str, value: Any) -> str:
    try:
        return limits.check_currency(value)
    except limits.LimitError:
        raise _fail(where, "must be a three-letter currency code") from None


def _sha_or_empty(where: str, value: Any) -> str:
    if not isinstance(value, str) or (value and not _HEX64.fullmatch(value)):
        raise _fail(where, "must be a SHA-256 in lower-case hex, or empty")
    return value


def _key(where: str, value: Any) -> str:
    if not isinstance(value, str) or not _KEY.fullmatch(value):
        raise _fail(where, "must be a short lower-case key")
    return value


def _one_of(choices: Any, label: str) -> Check:
    def check(where: str, value: Any) -> str:
        if not isinstance(value, str) or value not in choices:
            shown = value[:40] if isinstance(value, str) else type(value).__name__
            raise _fail(where, f"is an unknown {label} ({shown!r})")
        return value
    return check


def _case_checks(rules: Rules) -> dict[str, Check]:
    long = _text(TEXT_MAX)
    return {
        "type_key": _one_of(rules.types, "complaint type"),
        "order_no": _text(limits.TEXT_LIMITS["order_no"], required=True),
        "title": _text(limits.TEXT_LIMITS["title"]),
        "completed_on": _optional(_date), "paid_on": _optional(_date),
        "accepted_on": _optional(_date), "refund_requested_on": _optional(_date),
        "amount": _amount, "currency": _currency, "reason": long, "demand": long,
        "notes": long, "state": _key, "state_reason": long,
        "other_channel_agreed": _bool, "carrier_changed": _bool,
        "statement_en": long, "statement_zh": long,
        "statement_composed_sha256": _sha_or_empty, "statement_phrases": _phrases,
        "attempt_no": _int(1, 1000),
        "submitted_on": _optional(_date), "submitted_dossier_sha256": _sha_or_empty,
        "submitted_pack_sha256": _sha_or_empty, "result_on": _optional(_date),
        "archived": _bool, "created_at": _optional(_datetime),
    }


def _phrases(where: str, value: Any) -> list[dict[str, Any]]:
    """Chosen phrases: ids and short slot values, or the seller's own sentences."""
    if not isinstance(value, list) or len(value) > 200:
        raise _fail(where, "must be a list of at most 200 chosen phrases")
    out: list[dict[str, Any]] = []
    for i, item in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise _fail(at, "must be an object")
        if set(item) == {"own", "section"}:
            out.append({"own": _text(TEXT_MAX)(f"{at}.own", item["own"]),
                        "section": _one_of(("facts", "demand"), "section")(
                            f"{at}.section", item["section"])})
            continue
        if set(item) != {"phrase", "section", "slots"}:
            raise _fail(at, "must hold phrase, section and slots, or own and section")
        slots = item["slots"]
        if not isinstance(slots, dict) or len(slots) > 20:
            raise _fail(f"{at}.slots", "must be an object of at most 20 values")
        out.append({
            "phrase": _text(100, required=True)(f"{at}.phrase", item["phrase"]),
            "section": _one_of(("facts", "demand"), "section")(f"{at}.section",
                                                             item["section"]),
            "slots": {_text(40, required=True)(f"{at}.slots", k): _text(100)(f"{at}.slots.{k}", v)
                      for k, v in slots.items()},
        })
    return out


_BUYER_CHECKS: dict[str, Check] = {
    "name": _text(limits.TEXT_LIMITS["name"], required=True),
    **{k: _text(limits.TEXT_LIMITS[k]) for k in ("company", "country", "member_id",
                                                 "credit_level", "notes")},
}


def _flags(where: str, value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > 50:
        raise _fail(where, "must be a list of at most 50 codes")
    return [_key(f"{where}[{i}]", v) for i, v in enumerate(value)]


def _marks(where: str, value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, list) or len(value) > 1000:
        raise _fail(where, "must be a list of at most 1000 marks")
    for i, mark in enumerate(value):
        if not isinstance(mark, dict):
            raise _fail(f"{where}[{i}]", "must be an object")
    return value


def _evidence_checks(rules: Rules, limits: BundleLimits) -> dict[str, Check]:
    return {
        "kind": _one_of(rules.kinds, "evidence kind"), "caption": _text(TEXT_MAX),
        "captured_at": _optional(_datetime),
        "captured_from": _one_of(_CAPTURED_FROM, "capture-time origin"),
        "source": _one_of({"", *rules.sources}, "source"),
        "original_name": _text(1000, name_like=True), "position": _int(0, 1_000_000),
        "flags": _flags, "marks": _marks,
        "sha256": _one_of_hex, "size": _int(0, limits.max_member_bytes),
        "mime": _text(100, required=True), "added_at": _optional(_datetime),
        "rotation": _rotation, "captured_offset": _optional(_int(-14 * 60, 14 * 60)),
    }


def _rotation(where: str, value: Any) -> int:
    if isinstance(value, bool) or value not in (0, 90, 180, 270):
        raise _fail(where, "must be 0, 90, 180 or 270")
    return int(value)


def _one_of_hex(where: str, value: Any) -> str:
    if not isinstance(value, str) or not _HEX64.fullmatch(value):
        raise _fail(where, "must be a SHA-256 in lower-case hex")
    return value


def _record(where: str, value: Any, checks: dict[str, Check]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(where, "must be an object")
    unknown = sorted(set(value) - set(checks))
    if unknown:
        raise _fail(where, f"has unknown field {unknown[0][:40]!r}")
    missing = sorted(set(checks) - set(value))
    if missing:
        raise _fail(where, f"lacks the field {missing[0]!r}")
    return {k: check(f"{where}.{k}", value[k]) for k, check in checks.items()}


def _check_case_consistency(case: dict[str, Any], rules: Rules) -> None:
    """What the desk cannot recompute from the files it checks for sense: the state must be one
    of the case's flow, and a submission record needs a submitted case."""
    from evidence_desk.core import states

    flow = rules.types[case["type_key"]].flow
    known = [s.key for s in states.flow(flow).states]
    if case["state"] not in known:
        raise _fail("case.state", f"is not a state of this complaint type ({case['state']!r}; "
                                  f"known: {', '.join(known)})")
    unsubmitted = {"draft", "ready"} if flow == states.COMPLAINT else set()
    claims = [k for k in ("submitted_dossier_sha256", "submitted_pack_sha256", "submitted_on")
              if case[k]]
    if claims and case["state"] in unsubmitted:
        raise _fail(f"case.{claims[0]}", f"is set but the case is {case['state']!r}, "
                                         "not submitted")
    if (case["submitted_dossier_sha256"] or case["submitted_pack_sha256"]) \
            and not case["submitted_on"]:
        raise _fail("case.submitted_dossier_sha256", "is set without a submission date")
    if case["result_on"] and case["submitted_on"] and case["result_on"] < case["submitted_on"]:
        raise _fail("case.result_on", "lies before the submission date")


@dataclass
class Plan:
    case: dict[str, Any]
    buyer: dict[str, Any] | None
    items: list[dict[str, Any]]
    files: dict[str, tuple[int, str]] = field(default_factory=dict)  # sha -> (size, mime)
    manifest_created_at: str = ""
    # Text recognised in the files (bundle_recognised), checked like the rest.
    recognised: list[dict[str, Any]] = field(default_factory=list)


def parse_manifest(raw: bytes, rules: Rules, limits: BundleLimits) -> Plan:
    def no_constants(name: str) -> Any:
        raise _fail("the JSON", f"uses {name}, which is not a number")

    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=no_constants)
    except UnicodeDecodeError:
        raise BundleError("The bundle's manifest is not UTF-8 text.") from None
    except (json.JSONDecodeError, RecursionError) as exc:
        raise BundleError(f"The bundle's manifest is not valid JSON ({str(exc)[:80]}).") from None
    if not isinstance(data, dict):
        raise BundleError("The bundle's manifest is not a JSON object.")
    if data.get("format") != FORMAT:
        raise BundleError("This file is not an Evidence Desk case bundle (its manifest names "
                          f"the format {str(data.get('format'))[:40]!r}).")
    version = data.get("format_version")
    if isinstance(version, bool) or version != FORMAT_VERSION:
        raise BundleError(f"The bundle has format version {json.dumps(version)[:20]}; this app "
                          f"reads version {FORMAT_VERSION}. Update Evidence Desk to open it.")
    top = {"format", "format_version", "created_at", "app_version", "case", "buyer", "evidence"}
    unknown = sorted(set(data) - top - {bundle_recognised.FIELD})
    if unknown:
        raise _fail("the manifest", f"has unknown field {unknown[0][:40]!r}")
    missing = sorted(top - set(data))
    if missing:
        raise _fail("the manifest", f"lacks the field {missing[0]!r}")
    _text(40)("app_version", data["app_version"])
    created = _text(40, required=True)("created_at", data["created_at"])
    try:
        datetime.fromisoformat(created)
    except ValueError:
        raise _fail("created_at", "is not a real date and time") from None
    if isinstance(data["case"], dict):
        # Bundles made before phrases were stored carry none.
        data["case"].setdefault("statement_phrases", [])
    case = _record("case", data["case"], _case_checks(rules))
    _check_case_consistency(case, rules)
    buyer = None if data["buyer"] is None else _record("buyer", data["buyer"], _BUYER_CHECKS)
    evidence = data["evidence"]
    if not isinstance(evidence, list) or len(evidence) >= limits.max_members:
        raise _fail("evidence", f"must be a list of fewer than {limits.max_members} items")
    checks = _evidence_checks(rules, limits)
    items: list[dict[str, Any]] = []
    files: dict[str, tuple[int, str]] = {}
    for i, raw_item in enumerate(evidence):
        if isinstance(raw_item, dict):
            raw_item = {**_EVIDENCE_DEFAULTS, **raw_item}
        item = _record(f"evidence[{i}]", raw_item, checks)
        sha = item["sha256"]
        if any(x["sha256"] == sha for x in items):
            raise _fail(f"evidence[{i}]", "repeats a file another item already uses")
        items.append(item)
        files[sha] = (item["size"], item["mime"])
    total = sum(size for size, _ in files.values())
    if total > limits.max_total_bytes:
        raise _fail("evidence", f"declares {total} bytes of files (over the limit)")
    try:
        recognised = bundle_recognised.parse(data.get(bundle_recognised.FIELD, []), files)
    except bundle_recognised.RecognisedInvalid as exc:
        raise _fail(exc.where, exc.what) from None
    return Plan(case, buyer, items, files, created, recognised)


# ---- import ----------------------------------------------------------------------------------

def _open_checked(path: Path, limits: BundleLimits) -> SafeZip:
    if not path.is_file():
        raise BundleError(f"The bundle {path.name!r} is not a file.")
    size = path.stat().st_size
    if size > limits.max_total_bytes + MAX_MANIFEST_BYTES + 64 * 1024 * 1024:
        raise BundleError("The bundle is larger than the import limit.")
    try:
        return SafeZip(path, limits.zip_limits())
    except UnsafeZip as exc:
        raise BundleError(f"The bundle is refused: {exc}.") from None


def _check_members(zf: SafeZip, plan: Plan) -> None:
    expected = {MANIFEST} | {FILES_PREFIX + sha for sha in plan.files}
    names = set(zf.names())
    extra = sorted(names - expected)
    if extra:
        raise BundleError(f"The bundle is refused: member {extra[0][:80]!r} is not in its "
                          "manifest.")
    lacking = sorted(expected - names)
    if lacking:
        raise BundleError(f"The bundle is refused: {lacking[0][:80]!r} is listed in its manifest "
                          "but missing from the archive.")


def _check_room(zf: SafeZip, plan: Plan, staging: Path) -> None:
    """Before one byte is unpacked: every member declares the size the manifest gives it, and
    the disk has room for all of them (a bundle that inflates to more is refused up front)."""
    for sha, (size, _mime) in plan.files.items():
        declared = zf.infos[FILES_PREFIX + sha].file_size
        if declared != size:
            raise BundleError(f"The bundle is refused: file {sha[:12]}… declares {declared} "
                              f"bytes but the manifest says {size}.")
    need = sum(size for size, _mime in plan.files.values())
    try:
        free = shutil.disk_usage(staging).free
    except OSError:
        return
    if need + FREE_SPACE_MARGIN > free:
        raise BundleError(f"The bundle needs {need / 1e6:.0f} MB to unpack but the library's "
                          f"disk has {free / 1e6:.0f} MB free; nothing was imported.")


def _stage(zf: SafeZip, sha: str, size: int, folder: Path, original_name: str) -> Path:
    name = FILES_PREFIX + sha
    # The probe tells CSV from plain text by the extension, as `add` does with the real name.
    suffix = Path(original_name).suffix
    suffix = suffix if re.fullmatch(r"\.[A-Za-z0-9]{1,10}", suffix) else ".part"
    dest = folder / f"{secrets.token_hex(8)}{suffix}"
    digest = hashlib.sha256()
    count = 0
    try:
        with dest.open("xb") as out:
            for chunk in zf.stream(name, limit=size):
                digest.update(chunk)
                count += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except UnsafeZip as exc:
        raise BundleError(f"The bundle is refused: {exc}.") from None
    if count != size:
        raise BundleError(f"The bundle is refused: file {sha[:12]}… holds {count} bytes but the "
                          f"manifest says {size}.")
    if digest.hexdigest() != sha:
        raise BundleError(f"The bundle is refused: file {sha[:12]}… does not match its SHA-256 "
                          "(altered or damaged).")
    return dest


def _probe_staged(path: Path, sha: str, mime: str, name: str,
                  rules: Rules) -> tuple[dict[str, Any], Any]:
    """The file record for a staged original, after the same checks `add` applies, and the
    probe's facts (flags and capture time are taken from the file, not from the manifest)."""
    from evidence_desk.ingest.probe import Refused, probe

    try:
        facts = probe(path, name=name or path.name, kinds=rules.kinds)
    except Refused as exc:
        raise BundleError(f"The bundle is refused: file {sha[:12]}… is not acceptable "
                          f"evidence ({exc}).") from None
    except Exception:  # a decoder failure on hostile content refuses the bundle, nothing else
        raise BundleError(f"The bundle is refused: file {sha[:12]}… could not be read as "
                          "evidence.") from None
    if facts.filetype.mime != mime:
        raise BundleError(f"The bundle is refused: file {sha[:12]}… is {facts.filetype.mime} "
                          f"but the manifest says {mime[:100]}.")
    return {"sha256": sha, "size": facts.size, "mime": facts.filetype.mime,
            "ext": facts.filetype.ext, "category": facts.filetype.category,
            "width": facts.width, "height": facts.height, "orientation": facts.orientation,
            "pages": facts.pages}, facts


def _recomputed(item: dict[str, Any], facts: Any) -> dict[str, Any]:
    """The item with what the file itself says in place of the manifest's claims.

    Warnings are re-derived by the probe (a manifest with "flags": [] cannot hide a truncated
    JPEG or a disguised name). A capture time counts as read from the file ("exif") only when
    the file's own EXIF holds it; a claimed one the file does not bear out is kept as the
    sender's word ("file"). A time the sender typed or pasted ("user", "clipboard") is theirs.
    """
    out = {k: v for k, v in item.items() if k not in ("size", "mime")}
    flags = list(facts.flags)
    claimed = item["captured_from"]
    if facts.captured_from == "exif":
        if claimed in ("exif", "file"):
            out["captured_at"], out["captured_from"] = facts.captured_at, "exif"
    elif claimed == "exif":
        out["captured_from"] = "file"
    if out["captured_from"] in ("clipboard", "user") or out["captured_at"] is None:
        flags = [f for f in flags if f != "no_exif_time"]
    out["flags"] = flags
    return out


def read_bundle(path: Path, rules: Rules, limits: BundleLimits | None = None) -> Plan:
    """Check a bundle completely (names, sizes, hashes, values) without touching any library."""
    limits = limits or BundleLimits()
    path = Path(path)
    with _open_checked(path, limits) as zf:
        plan = _read_plan(zf, rules, limits)
        for sha, (size, _mime) in plan.files.items():
            digest = hashlib.sha256()
            count = 0
            try:
                for chunk in zf.stream(FILES_PREFIX + sha, limit=size):
                    digest.update(chunk)
                    count += len(chunk)
            except UnsafeZip as exc:
                raise BundleError(f"The bundle is refused: {exc}.") from None
            if count != size or digest.hexdigest() != sha:
                raise BundleError(f"The bundle is refused: file {sha[:12]}… does not match the "
                                  "manifest.")
    return plan


def _read_plan(zf: SafeZip, rules: Rules, limits: BundleLimits) -> Plan:
    if MANIFEST not in zf.infos:
        raise BundleError("The bundle is refused: it has no manifest.json.")
    try:
        raw = zf.read_small(MANIFEST, MAX_MANIFEST_BYTES)
    except UnsafeZip as exc:
        raise BundleError(f"The bundle is refused: {exc}.") from None
    plan = parse_manifest(raw, rules, limits)
    _check_members(zf, plan)
    return plan


def import_bundle(lib: Library, path: Path, limits: BundleLimits | None = None) -> int:
    """Turn a bundle into a new case; all or nothing. Returns the new case's id."""
    limits = limits or BundleLimits()
    path = Path(path)
    if not path.is_file():
        raise BundleError(f"The bundle {path.name!r} is not a file.")
    staging = lib.folder / STAGING / secrets.token_hex(8)
    staging.mkdir(parents=True, mode=0o700)
    new_blobs: list[str] = []
    try:
        try:
            bundle_sha = hash_file(path)
        except OSError as exc:
            raise BundleError(f"The bundle cannot be read ({exc.strerror or exc}).") from None
        with _open_checked(path, limits) as zf:
            plan = _read_plan(zf, rules=lib.rules, limits=limits)
            _check_room(zf, plan, staging)
            names = {item["sha256"]: item["original_name"] for item in plan.items}
            staged = {sha: _stage(zf, sha, size, staging, names[sha])
                      for sha, (size, _mime) in plan.files.items()}
        probed = {sha: _probe_staged(p, sha, plan.files[sha][1], names[sha], lib.rules)
                  for sha, p in staged.items()}
        records = [rec for rec, _facts in probed.values()]
        # Everything checked: now, and only now, originals enter the store.
        for rec in records:
            sha = rec["sha256"]
            if not lib.blobs.has(sha):
                new_blobs.append(sha)
            lib.blobs.commit(Staged(staged[sha], sha, rec["size"]))
        # Size and type belong to the file record, which the probe above has just re-derived.
        items = [_recomputed(item, probed[item["sha256"]][1]) for item in plan.items]
        # The submission record is the sender's word; the log says so.
        claims = {k: plan.case[k] for k in ("submitted_dossier_sha256", "submitted_pack_sha256")
                  if plan.case[k]}
        case_id = lib.import_case_record(
            plan.case, plan.buyer, items, records,
            {"bundle_sha256": bundle_sha, "bundle_created_at": plan.manifest_created_at,
             **({"submission_as_stated_by_bundle": claims} if claims else {})})
        bundle_recognised.import_records(lib, plan.recognised)
        return case_id
    except BaseException:
        # Originals this import put in the store and no record uses would only be orphans.
        with contextlib.suppress(Exception):
            used = lib.known_files(new_blobs)
            for sha in new_blobs:
                if sha not in used:
                    lib.blobs.remove(sha)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            staging.parent.rmdir()  # only succeeds when no other import is staging


def clear_stale_staging(library_folder: Path, older_than_s: float = 3600.0) -> int:
    """Remove staging folders a killed import left behind (old enough not to be in use)."""
    import time

    root = Path(library_folder) / STAGING
    if not root.is_dir():
        return 0
    removed = 0
    limit = time.time() - older_than_s
    for sub in root.iterdir():
        with contextlib.suppress(OSError):
            if sub.stat().st_mtime < limit:
                shutil.rmtree(sub, ignore_errors=True)
                removed += 1
    return removed
