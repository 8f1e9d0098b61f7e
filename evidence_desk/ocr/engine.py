"""The OCR engine: RapidOCR (PP-OCR models, Chinese and English) on onnxruntime, offline.

Importing this module imports the engine (onnxruntime, OpenCV, ~0.7 s): only the worker
process does (ocr.worker). The models are the ones inside the rapidocr wheel, passed by path:
given no path, or a path that does not exist, rapidocr downloads a model, and the desk must
never reach the network.

Boxes come back in pixels of the upright full-resolution picture (EXIF orientation applied),
the space redaction marks use, so the dossier can place text exactly over what it shows.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

log = logging.getLogger(__name__)

# The files in the rapidocr wheel's models/ folder this engine uses.
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"
# Larger pictures are scaled down first: the detector works at 2000 px anyway, and a 200-MP
# photo decoded whole would take 600 MB before the engine even starts.
MAX_WIDTH = 3000
# A picture taller than this many widths (a scrolling chat capture) is read in bands of
# BAND_RATIO widths, overlapping by BAND_OVERLAP of a band, so its words stay legible.
TALL_RATIO = 2.6
BAND_RATIO = 2.0
BAND_OVERLAP = 0.12


class OcrUnavailable(RuntimeError):
    """The engine cannot run here; the message says why, for the seller."""


@dataclass(frozen=True)
class ReadResult:
    lines: list[dict[str, Any]]
    width: int
    height: int
    engine: str


def model_paths() -> dict[str, Path]:
    """The shipped model files, found inside the installed rapidocr package."""
    import rapidocr

    folder = Path(rapidocr.__file__).resolve().parent / "models"
    return {"det": folder / DET_MODEL, "rec": folder / REC_MODEL, "cls": folder / CLS_MODEL}


def engine_name() -> str:
    try:
        from importlib.metadata import version

        return f"rapidocr {version('rapidocr')} PP-OCRv6"
    except Exception:
        return "rapidocr PP-OCRv6"


class OcrEngine:
    """One loaded engine; `read(path)` takes about 2 CPU-seconds a phone screenshot."""

    def __init__(self, threads: int = 1) -> None:
        paths = model_paths()
        missing = [p.name for p in paths.values() if not p.is_file()]
        if missing:
            raise OcrUnavailable(
                f"The OCR models ({', '.join(missing)}) are missing from the rapidocr package; "
                "reinstall the OCR extra: pip install --force-reinstall 'evidence-desk[ocr]'.")
        import onnxruntime
        from rapidocr import RapidOCR

        # The desk works offline and reports nothing anywhere.
        with contextlib.suppress(Exception):
            onnxruntime.disable_telemetry_events()
        logging.getLogger("RapidOCR").setLevel(logging.ERROR)
        self.engine = RapidOCR(params={
            "Det.model_path": str(paths["det"]),
            "Rec.model_path": str(paths["rec"]),
            "Cls.model_path": str(paths["cls"]),
            "Global.log_level": "error",
            "EngineConfig.onnxruntime.intra_op_num_threads": max(1, threads),
            "EngineConfig.onnxruntime.inter_op_num_threads": 1,
        })
        self.name = engine_name()

    def read(self, path: Path | str) -> ReadResult:
        """The lines of text in the picture at `path`; raises ValueError if it is no picture."""
        im, scale, width, height = _open_upright(Path(path))
        lines: list[dict[str, Any]] = []
        for top, band in _bands(im):
            for line in self._read_image(band):
                box = [[x / scale, (y + top) / scale] for x, y in line["box"]]
                lines.append({**line, "box": box, "_band_top": top / scale,
                              "_band_h": band.height / scale})
        return ReadResult(_drop_overlap_repeats(lines, height), width, height, self.name)

    def _read_image(self, im: Image.Image) -> list[dict[str, Any]]:
        out = self.engine(im)
        boxes = getattr(out, "boxes", None)
        if boxes is None:
            return []
        return [{"text": str(txt), "box": [[float(x), float(y)] for x, y in box],
                 "score": float(score)}
                for box, txt, score in zip(boxes, out.txts, out.scores, strict=False)
                if str(txt).strip()]


def _open_upright(path: Path) -> tuple[Image.Image, float, int, int]:
    """The picture upright and RGB, scaled to at most MAX_WIDTH wide; the scale used and the
    upright full-resolution size."""
    if path.suffix.lower() in (".heic", ".heif"):
        from evidence_desk.ingest.imaging import register_heif

        register_heif()
    try:
        im = Image.open(path)
        im.seek(0)  # the first frame of a GIF or APNG
        width, height = im.size
        if im.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # turned a quarter: sides swap
            width, height = height, width
        scale = min(1.0, MAX_WIDTH / max(1, width))
        if scale < 1.0 and im.format == "JPEG":
            # Decode at a reduced size straight from the JPEG data.
            im.draft("RGB", (int(im.size[0] * scale) + 1, int(im.size[1] * scale) + 1))
        im = ImageOps.exif_transpose(im)
        im = im.convert("RGB")
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ValueError(f"the picture cannot be read ({exc})") from None
    if scale < 1.0:
        im = im.resize((max(1, round(width * scale)), max(1, round(height * scale))),
                       Image.Resampling.LANCZOS)
    # The real scale after any draft rounding.
    scale = im.width / width
    return im, scale, width, height


def _bands(im: Image.Image) -> list[tuple[int, Image.Image]]:
    w, h = im.size
    if h <= TALL_RATIO * w:
        return [(0, im)]
    band = int(BAND_RATIO * w)
    step = int(band * (1 - BAND_OVERLAP))
    out = []
    top = 0
    while True:
        bottom = min(h, top + band)
        out.append((top, im.crop((0, top, w, bottom))))
        if bottom >= h:
            return out
        top += step


def _drop_overlap_repeats(lines: list[dict[str, Any]], height: int) -> list[dict[str, Any]]:
    """Of a line read twice where two bands overlap, keep the reading from the band whose middle
    it is nearer to (so each line appears once, read where it was not cut)."""
    kept: list[dict[str, Any]] = []
    for line in lines:
        ys = [p[1] for p in line["box"]]
        centre = (min(ys) + max(ys)) / 2
        top, band_h = line.pop("_band_top"), line.pop("_band_h")
        overlap = band_h * BAND_OVERLAP
        starts_band = top > 0 and centre < top + overlap / 2
        ends_band = top + band_h < height - 0.5 and centre > top + band_h - overlap / 2
        if not (starts_band or ends_band):
            kept.append(line)
    kept.sort(key=lambda ln: (min(p[1] for p in ln["box"]), min(p[0] for p in ln["box"])))
    return kept


def default_threads() -> int:
    """One: measured on 2 cores, a second onnxruntime thread cut no wall time from a phone
    screenshot (2.5 s) but added 30 % CPU time, and it takes the core an import needs."""
    return 1
