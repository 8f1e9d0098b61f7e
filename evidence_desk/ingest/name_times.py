"""Capture times written into file names by phones, messengers and desktop screenshot tools.

A PNG screenshot has no EXIF and its modification time is the moment it was copied off the
phone, which would put a chat after the transaction it is about. The tools that make screenshots
and exports name the file after the moment they were taken, so the name is the better witness.

Pure functions over a name: no file is opened. Each pattern is a row in `PATTERNS`, tried in
order; a match that is not a real date, or lies outside `sane_range`, is ignored and the next row
is tried.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

# Digital screenshots and WeChat exports do not predate this; earlier "dates" are other numbers.
EARLIEST = datetime(2000, 1, 1)
# A phone clock a little ahead of the desk's (another zone) is still believable.
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class NamePattern:
    name: str  # which tool writes names like this, for tests and the log
    regex: re.Pattern[str]
    build: Callable[[re.Match[str]], datetime | None]


def _wall(match: re.Match[str]) -> datetime | None:
    """Local wall time from the named groups y, mo, d, h, mi, s."""
    try:
        return datetime(*(int(match.group(g)) for g in ("y", "mo", "d", "h", "mi", "s")))
    except ValueError:  # 2024-02-30, hour 25 ...
        return None


def _epoch_ms(match: re.Match[str]) -> datetime | None:
    # WeChat writes milliseconds since 1970; shown in the desk's zone, like the phone showed it.
    try:
        return datetime.fromtimestamp(int(match.group("ms")) / 1000)
    except (OverflowError, OSError, ValueError):
        return None


def _twelve_hour(match: re.Match[str]) -> datetime | None:
    moment = _wall(match) if int(match.group("h")) < 24 else None
    pm = (match.group("pm") or "").upper()
    if moment is None or not pm:
        return moment
    if not 1 <= moment.hour <= 12:
        return None
    hour = moment.hour % 12 + (12 if pm == "PM" else 0)
    return moment.replace(hour=hour)


_DATE = r"(?P<y>20\d\d)(?P<sep>[-_.]?)(?P<mo>\d\d)(?P=sep)(?P<d>\d\d)"
_NO_DIGIT_BEFORE = r"(?<!\d)"
_NO_DIGIT_AFTER = r"(?!\d)"

PATTERNS: tuple[NamePattern, ...] = (
    # WeChat: mmexport1707118588000.jpg, wx_camera_1707118588000.jpg, microMsg.1707118588000.jpg
    NamePattern("wechat_epoch_ms", re.compile(
        r"(?:mmexport|wx_camera_?|microMsg\.)(?P<ms>1\d{12})" + _NO_DIGIT_AFTER, re.IGNORECASE),
        _epoch_ms),
    # macOS: "Screenshot 2024-02-05 at 15.36.28.png" (and "Screen Shot ... at 3.36.28 PM")
    NamePattern("macos", re.compile(
        _NO_DIGIT_BEFORE + r"(?P<y>20\d\d)-(?P<mo>\d\d)-(?P<d>\d\d) at "
        r"(?P<h>\d{1,2})\.(?P<mi>\d\d)\.(?P<s>\d\d)(?:\s*(?P<pm>[AP]M))?", re.IGNORECASE),
        _twelve_hour),
    # Date and time with separators: Android "Screenshot_2024-02-05-15-36-28-123_com.x.jpg",
    # Windows "Screenshot 2024-02-05 153628.png", "IMG_20240205_153628.jpg",
    # "Screenshot_20240205-153628_Alibaba.png"
    NamePattern("date_time", re.compile(
        _NO_DIGIT_BEFORE + _DATE + r"[-_ T.]"
        r"(?P<h>\d\d)(?P<tsep>[-_.:]?)(?P<mi>\d\d)(?P=tsep)(?P<s>\d\d)" + _NO_DIGIT_AFTER),
        _wall),
    # Fourteen digits in one run: "微信图片_20240205153628.jpg",
    # "order_2410762415855894_20241121100946.png"
    NamePattern("digits14", re.compile(
        _NO_DIGIT_BEFORE + r"(?P<y>20\d\d)(?P<mo>\d\d)(?P<d>\d\d)(?P<h>\d\d)(?P<mi>\d\d)"
        r"(?P<s>\d\d)" + _NO_DIGIT_AFTER),
        _wall),
)


def time_from_name(name: str, now: datetime | None = None) -> datetime | None:
    """The capture time a file name records, as naive local wall time; None if it holds none.

    `name` may be a bare name or a path (only the last part is read). `now` (default: the
    desk's clock) bounds what is believable: a time later than a day ahead is not a capture time.
    """
    found = _first(name, now)
    return found[1] if found else None


def pattern_for(name: str, now: datetime | None = None) -> str | None:
    """Which row of `PATTERNS` gives `name` its time (for tests and diagnostics)."""
    found = _first(name, now)
    return found[0] if found else None


def _first(name: str, now: datetime | None) -> tuple[str, datetime] | None:
    base = re.split(r"[\\/]", name)[-1]
    latest = (now or datetime.now()) + FUTURE_SLACK
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(base):
            moment = pattern.build(match)
            if moment is not None and EARLIEST <= moment <= latest:
                return pattern.name, moment.replace(microsecond=0)
    return None
