"""Reaching an image's byte target in one or two encodes instead of a search.

Where the time goes in deriving a 12-Mpx camera photo: entropy decoding its 3-4 MB costs about
30 ms at any draft scale, the inverse transform adds a little per output pixel (1/4 scale
~40 ms in all, 1/2 ~47 ms, full size ~70 ms), and any resample of the draft costs as much
again (a 3-Mpx LANCZOS pass ~30 ms, BICUBIC ~25 ms). Encoding a 1-Mpx JPEG costs ~2 ms.
So the picture is decoded at the draft scale (1/2, 1/4, 1/8: free downscaling in the decoder)
whose output already fits the target at a sane JPEG quality, and the byte target is then met
by choosing the quality, not by resampling:

- `decode_box` predicts, from the file's own size, which draft fits at QUALITY_RANGE's low
  end, and takes the largest such draft. Between two drafts the smaller one is taken at a
  higher quality rather than the larger one resampled: that costs ~30 ms less a photo, at the
  price of a picture up to half as wide as the bytes would buy (never under the legibility
  floor). Only when no draft fits, or the draft would be over the cap, is the picture resampled.
- `fit` measures how the picture's bytes depend on quality on a sample of it (every n-th band
  of 16 pixel rows, the JPEG block grid, so the sample's blocks are the picture's own; ~1 %
  off on photos), takes the highest quality whose predicted size fits, encodes once, and
  corrects the prediction by what it measured if that encode missed. Only below the lowest
  quality does it take pixels away (one resample, reducing by whole factors first).

Kept free of reportlab and of anything but Pillow: it runs in the export's worker processes.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PIL import Image

# The qualities a budget may choose from: under 70 a photo shows blocks before it loses pixels
# (then the pixels go first); over 95 JPEG buys nothing visible for its bytes.
QUALITY_RANGE = (70, 95)
# Aim a little under the target so that the first full encode usually fits.
AIM = 0.97
# An encode that fits but uses less than this share of its target is grown once.
GROW_BELOW = 0.85
MAX_TRIES = 3
SAMPLE_PIXELS = 150_000
BAND = 16  # rows: the height of a JPEG block row with 4:2:0 chroma
# Tables and markers of a JPEG, paid once however large the picture.
HEADER_BYTES = 620

# Bytes of a q85 re-encode at full size, as a share of a camera JPEG's own file (cameras and
# phones save at q90-q95), and the share of that a q70 encode takes; bytes are taken to follow
# pixels (PRIOR_ALPHA 1). Only used to choose the draft scale, never to decide the result.
REENCODE_SHARE = 0.8
LOW_QUALITY_SHARE = 0.58
PRIOR_ALPHA = 1.0
# A draft this close under the cap is taken as it is rather than decoding at full size and
# resampling down to the cap.
DRAFT_SLACK = 0.75

Encoder = Callable[[Image.Image, int], bytes]


def predicted_bytes(file_size: int, pixel_share: float, at_low_quality: bool = True) -> float:
    """A guess at a re-encode's bytes for `pixel_share` of a JPEG's pixels (see above)."""
    guess = REENCODE_SHARE * file_size * pixel_share ** PRIOR_ALPHA
    return guess * LOW_QUALITY_SHARE if at_low_quality else guess


def decode_box(target_bytes: int | None, file_size: int, source: tuple[int, int],
               cap: tuple[int, int], floor: tuple[int, int]) -> tuple[int, int]:
    """The pixel box (stored orientation) a JPEG is draft-decoded at for its byte target.

    JPEG draft decoding reduces by 1/2, 1/4 or 1/8 to the smallest size still covering the
    box. Without a target it is the cap; with one, the largest draft whose predicted bytes at
    the lowest quality of QUALITY_RANGE fit, never under the legibility floor.
    """
    w, h = source
    side, long_cap, long_floor = max(w, h), max(cap), max(floor)
    if target_bytes is None or file_size <= 0:
        return cap
    drafts = [k for k in (1, 2, 4, 8) if side / k >= long_floor] or [1]
    chosen = drafts[-1]  # nothing fits: the smallest draft clearing the floor
    for k in drafts:
        shown = min(side / k, long_cap)
        if predicted_bytes(file_size, (shown / side) ** 2) <= AIM * target_bytes:
            chosen = k
            break
    shown = min(side, long_cap)
    if (chosen == 1 and side > long_cap and side / 2 >= max(long_floor, DRAFT_SLACK * long_cap)
            and predicted_bytes(file_size, (shown / side) ** 2, False) > AIM * target_bytes):
        # The cap would need a quality under 85: the half-size draft at a higher quality
        # spares a full decode and a 12-Mpx resample for 1/4 less width.
        chosen = 2
    if chosen == 1:
        return cap if side > long_cap else (w, h)
    return max(1, w // chosen), max(1, h // chosen)


class QualityModel:
    """Bytes of `image` at a quality, predicted from encodes of a sample of its block rows."""

    def __init__(self, image: Image.Image, encode: Encoder) -> None:
        self.encode = encode
        self.correction = 1.0
        self._bytes: dict[int, int] = {}
        # A picture small enough to be its own sample: its encodes are the results themselves.
        self._data: dict[int, bytes] = {}
        rows = image.height // BAND
        want = max(1, round(SAMPLE_PIXELS / max(1, image.width) / BAND))
        if image.width * image.height <= 2 * SAMPLE_PIXELS or rows <= 2 * want:
            self.sample, self.factor, self.exact = image, 1.0, True
            return
        sample = Image.new(image.mode, (image.width, want * BAND))
        step = rows / want
        for i in range(want):
            y = int(i * step) * BAND
            sample.paste(image.crop((0, y, image.width, y + BAND)), (0, i * BAND))
        self.sample, self.exact = sample, False
        self.factor = image.height / sample.height

    def raw(self, quality: int) -> float:
        if quality not in self._bytes:
            data = self.encode(self.sample, quality)
            self._bytes[quality] = len(data)
            if self.exact:
                self._data[quality] = data
        n = self._bytes[quality]
        return n if self.exact else (n - HEADER_BYTES) * self.factor + HEADER_BYTES

    def predict(self, quality: int) -> float:
        return self.raw(quality) * self.correction

    def full(self, image: Image.Image, quality: int) -> bytes:
        """`image` (the picture sampled) encoded at `quality`; later predictions follow it."""
        if self.exact:
            self.raw(quality)
            return self._data[quality]
        data = self.encode(image, quality)
        self.correction = len(data) / max(1.0, self.raw(quality))
        return data

    def quality_for(self, target: float, lo: int, hi: int) -> int | None:
        """The highest quality in [lo, hi] predicted to fit `target`; None if not even lo."""
        if self.predict(hi) <= target:
            return hi
        if self.predict(lo) > target:
            return None
        a, b = lo, hi  # predict(a) fits, predict(b) does not
        while b - a > 1:
            m = (a + b) // 2
            if self.predict(m) <= target:
                a = m
            else:
                b = m
        return a


def _encode_near(img: Image.Image, model: QualityModel, target: int, q: int,
                 qualities: tuple[int, int]) -> tuple[bytes, int] | None:
    """The largest encode of `img` within `target`, starting at quality `q`: usually one full
    encode, a second when the sample's prediction missed. None if even the lowest won't do."""
    lo, hi = qualities
    best: tuple[bytes, int] | None = None
    for _ in range(MAX_TRIES):
        data = model.full(img, q)
        n = len(data)
        if n <= target:
            if best is None or n > len(best[0]):
                best = (data, q)
            if q >= hi or n >= GROW_BELOW * target:
                return best
        elif best is not None:
            return best  # grew too far: the last encode that fitted stands
        nq = model.quality_for(AIM * target, lo, hi)
        if n > target:
            nq = None if nq is None else min(nq, q - 1)
            if nq is None or nq < lo:
                return None
        elif nq is None or nq <= q:
            return best
        q = nq
    return best


def _shrunk(img: Image.Image, scale: float) -> Image.Image:
    size = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    # reducing_gap: whole-factor box reduction first, BICUBIC on what is left.
    return img.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


def fit(base: Image.Image, floor_width: int, target_bytes: int, encode: Encoder,
        qualities: tuple[int, int] = QUALITY_RANGE,
        lower_qualities: tuple[int, ...] = ()) -> tuple[Image.Image, bytes, bool, int]:
    """Encode `base` within `target_bytes`: the highest quality in `qualities` that fits;
    only if none does, fewer pixels (never under floor_width); at the floor, the lower ones.

    Returns (image, data, fits, quality).
    """
    lo, _hi = qualities
    floor_scale = min(1.0, floor_width / base.width)
    img = base
    model = QualityModel(img, encode)
    for _ in range(MAX_TRIES):
        q = model.quality_for(AIM * target_bytes, *qualities)
        if q is not None:
            got = _encode_near(img, model, target_bytes, q, qualities)
            if got is not None:
                return img, got[0], True, got[1]
        scale = img.width / base.width
        if scale <= floor_scale + 1e-9:
            break
        # Bytes follow pixels closely enough for one step; the next model is measured anew.
        need = math.sqrt(AIM * target_bytes / max(1.0, model.predict(lo)))
        img = _shrunk(base, max(floor_scale, scale * min(need, 0.97)))
        model = QualityModel(img, encode)
    data = b""
    for q in (lo, *lower_qualities):  # at the floor: only the quality is left to give
        data = encode(img, q)
        if len(data) <= target_bytes:
            return img, data, True, q
    return img, data, False, (lo, *lower_qualities)[-1]
