"""The upload pack: what the seller attaches to the platform's complaint form.

A folder with one zip per evidence kind (split into _1, _2 … when a kind exceeds the platform's
per-zip limit), `statement_en.txt` and `README.txt`. Choices:

- Members are named `<number>_<kind>.<ext>` (e.g. `B-1_chat_record.jpg`), ASCII only: the
  platform wants English and the other party's software may not read other names.
- A file whose extension the platform accepts (jpg, gif, pdf, doc, xlsx …) is copied byte for
  byte when it fits, so its SHA-256 still matches the dossier. Other images (PNG, WebP, HEIC …)
  become upright JPEGs, as the platform accepts only jpg and gif among images. An image larger
  than the zip limit is downscaled just enough, never below the legibility floor.
- Files the platform does not list (CSV, TXT) go into the zip unchanged: the zip is the
  attachment the form checks, and converting a carrier's CSV would break its hash.
- Nothing leaves with its metadata: `strip_metadata` (export.redact) drops EXIF (GPS, camera
  serials, thumbnails), XMP and comments from every picture, losslessly where the format
  allows; a photo that relies on its EXIF orientation is turned upright and re-encoded.
- An item with marks is packed from a derived copy with the marks burned in (redactions as
  opaque fills at full resolution), never from its original; the README names both hashes.
- The folder is replaced whole, so it may only be one the desk owns: missing, empty, or an
  earlier pack whose every file the pack's own marker (`.evidence-desk-pack`) lists. Anything
  else (the seller's desktop, a pack they added notes to) is refused and left untouched.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from evidence_desk.export import dossier_images as di
from evidence_desk.export import redact
from evidence_desk.export.dossier_model import DossierData, Exhibit, ExportCancelled, ExportError
from evidence_desk.export.safe_write import atomic_dir, check_parent, work_prefix

# Local header (30) + central directory entry (46) + end record share, plus slack for extras.
_ZIP_ENTRY_OVERHEAD = 30 + 46 + 64
_ZIP_END = 22 + 64
_STORED_EXT = frozenset({"jpg", "jpeg", "gif", "pdf", "zip", "rar", "docx", "xlsx", "png"})
_IMAGE_EXT = frozenset({"jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "bmp", "tif",
                        "tiff"})
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
MARKER = ".evidence-desk-pack"
_MARKER_HEAD = "Evidence Desk upload pack; this folder is replaced whole by the next export."
# Packs written before the marker existed are recognised by their README's first line.
_LEGACY_README_HEAD = "Upload pack for order "


class PackError(ExportError):
    """The pack cannot be made as the platform requires; the message names the file."""


@dataclass(frozen=True)
class PackZip:
    path: Path
    kind: str
    size: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class PackResult:
    folder: Path
    zips: tuple[PackZip, ...]
    statement_path: Path
    # SHA-256 over the sorted "name sha256" lines of every file in the pack.
    sha256: str


@dataclass
class _Member:
    exhibit: Exhibit
    name: str
    source: Path
    stored: bool
    # Bytes the member takes in the zip, headers included.
    cost: int
    # The exhibit as packed: a marked copy (derived_sha256 set) or the exhibit itself.
    shown: Exhibit | None = None


def strip_metadata(src: Path, work_dir: Path) -> Path:
    """The file to pack: `src` itself when it carries no metadata, else a clean copy.

    The copy is written under work_dir; src is never modified.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="clean-", dir=work_dir)
    os.close(fd)
    out = redact.strip_metadata(src, Path(name))
    if out != Path(name):
        os.unlink(name)
    return out


def ascii_name(text: str, fallback: str = "X") -> str:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._")
    return name or fallback


def _ext(ex: Exhibit) -> str:
    if ex.derived_sha256:  # a marked copy has its own format, whatever the original's
        return ex.path.suffix.lower().lstrip(".")
    return Path(ex.info.original_name or ex.path.name).suffix.lower().lstrip(".")


def _deflated_size(path: Path) -> int:
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    total = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            total += len(comp.compress(chunk))
    return total + len(comp.flush())


def _member(original: Exhibit, data: DossierData, work: Path, limit: int) -> _Member:
    ex = redact.marked_exhibit(original, work)
    allowed = set(data.rules.platform.attachment_extensions)
    ext = _ext(ex)
    is_image = ext in _IMAGE_EXT or (ex.info.mime or "").startswith("image/")
    base = f"{ascii_name(ex.number)}_{ascii_name(ex.info.kind, 'other')}"
    src = strip_metadata(ex.path, work) if is_image else ex.path
    # A stripped or marked copy is upright already; only the original relies on its EXIF.
    orientation = (ex.info.orientation or 1) if src == original.path else 1
    room = limit - _ZIP_END - _ZIP_ENTRY_OVERHEAD - 2 * (len(base) + 5)
    if is_image and (ext not in allowed or src.stat().st_size > room):
        member = _image_member(ex, src, base, work, room, orientation)
        member.exhibit, member.shown = original, ex
        return member
    out_ext = "jpg" if ext == "jpeg" else ext or "bin"
    name = f"{base}.{ascii_name(out_ext, 'bin')}"
    stored = out_ext in _STORED_EXT
    size = src.stat().st_size if stored else _deflated_size(src)
    if size > room:
        raise PackError(
            f"{ex.number} ({ex.info.original_name}) is {src.stat().st_size:,} bytes and does "
            f"not fit in a zip of at most {limit:,} bytes; split or shrink the file first."
        )
    return _Member(original, name, src, stored, size + _ZIP_ENTRY_OVERHEAD + 2 * len(name), ex)


def _image_member(ex: Exhibit, src: Path, base: str, work: Path, room: int,
                  orientation: int) -> _Member:
    """An upright JPEG of the image, downscaled only as far as the zip limit demands."""
    try:
        probe = di.probe_image(src, orientation)
    except Exception as exc:
        raise PackError(f"{ex.number} ({ex.info.original_name}): cannot read the image "
                        f"({exc})") from None
    shot = di.is_screenshot(ex.info.kind, probe)
    upright = probe.upright_size
    # A screenshot keeps its full size when the limit allows: text must stay readable.
    cap = upright if shot and max(upright) <= 4000 else di.cap_size(shot, upright)
    dst = work / f"{base}.jpg"
    job = di.DeriveJob(0, src, dst, cap, di.floor_size(shot, upright), room)
    done = di.derive(job)
    if done.error:
        raise PackError(f"{ex.number} ({ex.info.original_name}): cannot read the image "
                        f"({done.error})")
    if not done.fits:
        raise PackError(
            f"{ex.number} ({ex.info.original_name}) cannot be made smaller than "
            f"{done.size:,} bytes and stay legible, more than a zip may hold ({room:,} bytes)."
        )
    name = dst.name
    return _Member(ex, name, dst, True, done.size + _ZIP_ENTRY_OVERHEAD + 2 * len(name))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_ascii(text: str) -> None:
    bad = sorted({ch for ch in text if ord(ch) > 126 or (ord(ch) < 32 and ch not in "\r\n\t")})
    if bad:
        shown = " ".join(f"{ch!r}" for ch in bad[:10])
        raise PackError(
            "The English statement contains characters the platform rejects "
            f"({shown}{' …' if len(bad) > 10 else ''}); rewrite them in plain English first."
        )


def _pack_files(folder: Path) -> set[str] | None:
    """The names an earlier pack in `folder` says it wrote, or None if it is not one."""
    try:
        text = (folder / MARKER).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    lines = text.splitlines()
    if lines and lines[0] == _MARKER_HEAD:
        return {MARKER, *(n for n in lines[1:] if n)}
    try:
        readme = (folder / "README.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not readme.startswith(_LEGACY_README_HEAD):
        return None
    zips = {line.split()[0] for line in readme.splitlines()
            if line and not line[0].isspace() and line.split()[0].endswith(".zip")}
    return {"README.txt", "statement_en.txt", *zips}


def check_target(out_dir: Path) -> None:
    """Raise PackError unless out_dir may be replaced whole: missing, empty or an earlier pack."""
    out_dir = Path(out_dir)
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise PackError(f"{out_dir} is not a folder; choose an empty folder or a new name.")
    if not out_dir.exists():
        return
    present = {p.name for p in out_dir.iterdir()}
    if not present:
        return
    ours = _pack_files(out_dir)
    others = sorted(present - ours) if ours is not None else sorted(present)
    if others or any((out_dir / n).is_dir() for n in present):
        shown = ", ".join(others[:3]) + (" …" if len(others) > 3 else "")
        raise PackError(
            f"{out_dir} already holds other files ({shown or 'folders'}); the pack replaces "
            "its folder whole, so choose an empty folder or a new name."
        )


def build_pack(
    data: DossierData,
    out_dir: Path,
    *,
    statement_en: str,
    zip_max_bytes: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> PackResult:
    """Write the upload pack folder at out_dir atomically (an earlier pack is replaced whole).

    Raises PackError, touching nothing, when out_dir holds anything but an earlier pack.
    """
    limit = zip_max_bytes or data.rules.platform.zip_max_bytes
    out_dir = Path(out_dir)
    check_parent(out_dir)
    check_target(out_dir)
    if data.rules.platform.statement_ascii_only:
        check_ascii(statement_en)
    total = len(data.exhibits)
    with tempfile.TemporaryDirectory(prefix=work_prefix("evidence-desk-pack-")) as tmp, \
            atomic_dir(out_dir, check_target) as folder:
        work = Path(tmp)
        by_kind: dict[str, list[_Member]] = {}
        for i, ex in enumerate(data.exhibits):
            if cancel is not None and cancel():
                raise ExportCancelled("export cancelled")
            by_kind.setdefault(ex.info.kind, []).append(_member(ex, data, work, limit))
            if progress is not None:
                progress(i + 1, total, ex.number)
        zips: list[PackZip] = []
        for kind, members in by_kind.items():
            groups: list[list[_Member]] = [[]]
            used = _ZIP_END
            for m in members:
                if groups[-1] and used + m.cost > limit:
                    groups.append([])
                    used = _ZIP_END
                groups[-1].append(m)
                used += m.cost
            k = data.rules.kinds.get(kind)
            stem = f"{ascii_name(k.letter if k else 'X')}_{ascii_name(kind, 'other')}"
            for n, group in enumerate(groups, start=1):
                name = f"{stem}_{n}.zip" if len(groups) > 1 else f"{stem}.zip"
                path = folder / name
                with zipfile.ZipFile(path, "w") as zf:
                    for m in group:
                        zi = zipfile.ZipInfo(m.name, date_time=_ZIP_TIME)
                        zi.compress_type = zipfile.ZIP_STORED if m.stored else zipfile.ZIP_DEFLATED
                        zi.external_attr = 0o644 << 16
                        with open(m.source, "rb") as src, zf.open(zi, "w") as dst:
                            for chunk in iter(lambda src=src: src.read(1 << 20), b""):
                                dst.write(chunk)
                size = path.stat().st_size
                if size > limit:  # the cost estimate is conservative; this is a safety net
                    raise PackError(f"{name} came out at {size:,} bytes, over the {limit:,} limit")
                zips.append(PackZip(out_dir / name, kind, size, tuple(m.name for m in group)))
        statement = folder / "statement_en.txt"
        statement.write_bytes(statement_en.replace("\r\n", "\n").replace("\n", "\r\n")
                              .encode("ascii"))
        (folder / "README.txt").write_text(_readme(data, zips, by_kind, limit), encoding="utf-8")
        lines = sorted(f"{p.name} {_sha256(p)}" for p in folder.iterdir() if p.is_file())
        digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
        # Written after the digest: the marker is the desk's bookkeeping, not part of the upload.
        names = sorted(p.name for p in folder.iterdir())
        (folder / MARKER).write_text("\n".join([_MARKER_HEAD, *names]) + "\n", encoding="utf-8")
        if cancel is not None and cancel():
            raise ExportCancelled("export cancelled")
    return PackResult(out_dir, tuple(zips), out_dir / "statement_en.txt", digest)


def _readme(data: DossierData, zips: list[PackZip], by_kind: dict[str, list[_Member]],
            limit: int) -> str:
    case = data.case
    members = {m.name: m for ms in by_kind.values() for m in ms}
    lines = [
        f"Upload pack for order {case.order_no}",
        f"Made by Evidence Desk on {data.generated_at:%Y-%m-%d %H:%M}",
        f"Each zip holds one kind of evidence and is at most {limit:,} bytes.",
        "Paste statement_en.txt into the complaint form; attach each zip under its kind.",
        "",
    ]
    for z in zips:
        k = data.rules.kinds.get(z.kind)
        lines.append(f"{z.path.name}  ({k.en if k else z.kind}, {z.size:,} bytes)")
        for name in z.members:
            m = members[name]
            info = m.exhibit.info
            marked = m.shown is not None and bool(m.shown.derived_sha256)
            if marked:
                assert m.shown is not None
                same = " (redacted copy)" if m.shown.redacted else " (annotated copy)"
            elif m.source == m.exhibit.path:
                same = " (original bytes)"
            else:
                same = " (converted copy, metadata removed)"
            lines.append(f"  {name}{same}")
            lines.append(f"    original: {info.original_name}")
            if info.caption:
                lines.append(f"    caption:  {' '.join(info.caption.split())[:200]}")
            lines.append(f"    sha256 of original: {info.sha256}")
            if marked:
                lines.append(f"    sha256 of this file: {_sha256(m.source)}")
        lines.append("")
    return os.linesep.join(lines) if os.name == "nt" else "\n".join(lines) + "\n"
