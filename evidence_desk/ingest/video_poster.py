"""A poster frame for a video, only where it is cheap: an ffmpeg on the PATH, a few seconds.

No video decoder ships with the desk; without ffmpeg a video simply has no picture, which costs
nothing but the thumbnail. The frame is a new, derived file; the original is never touched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

log = logging.getLogger(__name__)

# A poster is a nicety: a slow or stuck decoder must not hold up an import.
TIMEOUT_S = 15.0


class PosterUnavailable(Exception):
    """No frame can be had from this video here (no decoder, or the decoder failed)."""


def decoder() -> str | None:
    """The ffmpeg executable, or None when there is none."""
    return shutil.which("ffmpeg")


def poster_frame(src: Path, max_side: int) -> Image.Image:
    """An early frame of the video at `src`, at most `max_side` on its longer side, as RGB."""
    ffmpeg = decoder()
    if ffmpeg is None:
        raise PosterUnavailable("no video decoder (ffmpeg) is installed")
    fd, tmp = tempfile.mkstemp(prefix=".poster-", suffix=".png")
    os.close(fd)
    try:
        scale = f"scale='min({max_side},iw)':-2:force_original_aspect_ratio=decrease"
        # Input seeking a second in skips a black first frame; short clips fall back to 0.
        for start in ("1", "0"):
            done = subprocess.run(
                [ffmpeg, "-nostdin", "-v", "error", "-y", "-ss", start, "-i", str(src),
                 "-frames:v", "1", "-vf", scale, tmp],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                timeout=TIMEOUT_S, check=False)
            if done.returncode == 0 and os.path.getsize(tmp) > 0:
                with Image.open(tmp) as frame:
                    frame.load()
                    return frame.convert("RGB")
        log.info("no poster frame: ffmpeg exited with %s", done.returncode)
        raise PosterUnavailable("the video decoder could not read a frame")
    except (OSError, subprocess.SubprocessError) as exc:
        raise PosterUnavailable(f"the video decoder failed ({type(exc).__name__})") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
