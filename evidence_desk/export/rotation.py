"""The seller's rotation of an item, combined with the picture's own EXIF orientation.

`EvidenceInfo.rotation` is 0, 90, 180 or 270 degrees *clockwise*, applied after the EXIF
orientation (which makes the stored pixels upright as the camera meant) and before marks are
burned in. Marks are stored in the coordinates of the picture as the seller sees it: upright and
rotated. Whoever changes an item's rotation turns its marks with it (`core.marks.rotate_marks`),
so a box keeps covering the same pixels; export then rotates first and draws the marks second,
so note text always reads horizontally.
"""

from __future__ import annotations

from functools import lru_cache

from PIL import Image

from evidence_desk.core.marks import rotate_marks

__all__ = ["combined", "normal", "rotate", "rotate_marks"]

# What Pillow does to the stored pixels for each EXIF orientation (as ImageOps.exif_transpose).
_EXIF_OPS = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# Pillow's ROTATE_n turns counter-clockwise.
_CLOCKWISE = {90: Image.Transpose.ROTATE_270, 180: Image.Transpose.ROTATE_180,
              270: Image.Transpose.ROTATE_90}


def normal(rotation: int | None) -> int:
    """0, 90, 180 or 270; anything else (None, -90, 450) folded into that range."""
    r = int(rotation or 0) % 360
    return r if r in (0, 90, 180, 270) else 0


def rotate(im: Image.Image, rotation: int | None) -> Image.Image:
    """`im` turned `rotation` degrees clockwise (a new image, or `im` itself for 0)."""
    r = normal(rotation)
    return im.transpose(_CLOCKWISE[r]) if r else im


def _apply(im: Image.Image, orientation: int) -> Image.Image:
    op = _EXIF_OPS.get(orientation)
    return im.transpose(op) if op is not None else im


@lru_cache(maxsize=64)
def combined(orientation: int, rotation: int | None) -> int:
    """The one EXIF orientation that does what `orientation` followed by `rotation` does.

    Found by trying all eight on a small picture with distinct pixels, so the table cannot
    drift from Pillow's (and the PDF's) meaning of each orientation.
    """
    r = normal(rotation)
    o = orientation if orientation in range(1, 9) else 1
    if not r:
        return o
    probe = Image.frombytes("L", (3, 2), bytes([10, 20, 30, 40, 50, 60]))
    want = rotate(_apply(probe, o), r)
    for candidate in range(1, 9):
        got = _apply(probe, candidate)
        if got.size == want.size and got.tobytes() == want.tobytes():
            return candidate
    raise AssertionError("no orientation matches")  # pragma: no cover - the group is closed
