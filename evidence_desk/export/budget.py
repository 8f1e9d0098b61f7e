"""Reaching an image's byte target in one or two encodes instead of a search.

The expensive part of deriving a photo is decoding it: entropy decoding a 12-Mpx JPEG costs
the same at any draft scale, but the full-size inverse transform and the resampling of 12 Mpx
down to the cap cost four times more again. So a photo that the budget will shrink is decoded
once at half size (draft decoding), never at full size.

Encoding is cheap next to that, but still not repeated blindly: a probe encode of a small
reduction gives bytes per pixel, the size model `bytes ~ pixels ** alpha` turns the target into
a pixel count, and every real encode refits alpha from the last two measurements (noisy photos
lose bytes faster than pixels when shrunk, screenshots slower), so the second encode lands.

Kept free of reportlab and of anything but Pillow: it runs in the export's worker processes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image

# A first guess at alpha before anything is measured at a second size.
ALPHA = 1.0
ALPHA_RANGE = (0.6, 1.6)
# Aim a little under the target so that an encode usually fits on the first try.
AIM = 0.95
# An encode that fits but uses less than this share of its target is grown once.
GROW_BELOW = 0.8
MAX_TRIES = 4
PROBE_PIXELS = 250_000


# Bytes of a q85 re-encode at full size, as a share of a camera JPEG's own file (cameras and
# phones save at q90-q95); only used to choose the draft scale, never to decide the result.
REENCODE_SHARE = 0.8
PRIOR_ALPHA = 1.2
DRAFT_SLACK = 0.75


def decode_box(target_bytes: int | None, file_size: int, source: tuple[int, int],
               cap: tuple[int, int], floor: tuple[int, int]) -> tuple[int, int]:
    """The least pixel box (stored orientation) a JPEG must be decoded at for its target.

    JPEG draft decoding reduces by 1/2, 1/4 or 1/8 to the smallest size still covering this
    box; a guess from the file's own size (see REENCODE_SHARE) places it a little above what
    the target will buy, never under the legibility floor nor over the cap.
    """
    w, h = source
    long_cap, long_floor = max(cap), max(floor)
    side = float(long_cap)
    if target_bytes is not None and file_size > 0:
        share = AIM * target_bytes / (REENCODE_SHARE * file_size)
        if share < 1:
            side = max(w, h) * math.sqrt(share ** (1.0 / PRIOR_ALPHA)) * 1.1
    side = min(long_cap, max(long_floor, side))
    # A draft scale a little under the guess is taken when it still clears the floor: the
    # picture is then neither decoded at the next size up nor resampled afterwards.
    for k in (8, 4, 2) if side < long_cap else ():
        if max(w, h) / k >= max(long_floor, DRAFT_SLACK * side):
            side = max(w, h) / k
            break
    k = side / max(w, h)
    return max(1, math.floor(w * k)), max(1, math.floor(h * k))


def _scale_for(target: float, n0: float, b0: float, alpha: float) -> float:
    """Linear scale (relative to an image of n0 pixels weighing b0 bytes) that weighs target."""
    return math.sqrt((target / b0) ** (1.0 / alpha))


def fit(base: Image.Image, floor_width: int, target_bytes: int,
        encode: Callable[[Image.Image, int], bytes], quality: int,
        lower_qualities: tuple[int, ...]) -> tuple[Image.Image, bytes, bool]:
    """Scale `base` (never up, never under floor_width) so its encode fits `target_bytes`.

    Only at the floor does the quality go down. Returns (image, data, fits).
    """
    floor_scale = min(1.0, floor_width / base.width)
    area = base.width * base.height
    points: list[tuple[float, int]] = []  # (scale, bytes) measured
    alpha = ALPHA
    if area > 2 * PROBE_PIXELS:
        # Two probes at two small sizes fit both bytes per pixel and alpha.
        f = max(2, round(math.sqrt(area / PROBE_PIXELS)))
        for k in (2 * f, f):
            probe = base.reduce(k)
            points.append((probe.width / base.width, len(encode(probe, quality))))
        (s0, b0), (s1, b1) = points
        if b0 > 0 and b1 > 0:
            alpha = min(ALPHA_RANGE[1], max(ALPHA_RANGE[0],
                                            math.log(b1 / b0) / (2 * math.log(s1 / s0))))
        scale = s1 * _scale_for(AIM * target_bytes, 0, b1, alpha)
    else:
        scale = 1.0
    kept: tuple[Image.Image, bytes] | None = None
    img, data = base, b""
    for _ in range(MAX_TRIES):
        scale = max(floor_scale, min(1.0, scale))
        img = base if scale >= 0.999 else base.resize(
            (max(1, round(base.width * scale)), max(1, round(base.height * scale))),
            Image.Resampling.LANCZOS, reducing_gap=1.5)
        data = encode(img, quality)
        n = len(data)
        if points:
            (s0, b0) = points[-1]
            if abs(math.log(scale / s0)) > 0.05 and b0 > 0 and n > 0:
                alpha = math.log(n / b0) / (2 * math.log(scale / s0))
                alpha = min(ALPHA_RANGE[1], max(ALPHA_RANGE[0], alpha))
        points.append((scale, n))
        if n <= target_bytes:
            kept = (img, data)
            if scale >= 0.999 or n >= GROW_BELOW * target_bytes:
                return img, data, True
        elif kept is not None:
            return (*kept, True)  # grew too far: the last copy that fitted stands
        elif scale <= floor_scale:
            break
        scale *= _scale_for(AIM * target_bytes, 0, n, alpha)
    if kept is not None:
        return (*kept, True)
    for q in lower_qualities:  # at the floor: only the quality is left to give
        data = encode(img, q)
        if len(data) <= target_bytes:
            return img, data, True
    return img, data, False
