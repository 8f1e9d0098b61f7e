"""Redaction and annotation marks: plain data stored on an evidence item, never in its file.

Coordinates are in pixels of the *upright* full-resolution picture, i.e. after the EXIF
orientation is applied, so a box means the same place on screen, in the pack and in the
dossier whatever way the camera was held. `x, y` is the top-left corner and `w, h` the size,
except for arrows, which run from `(x, y)` to `(x + w, y + h)` and may therefore point
left or up (negative `w` or `h`).

Marks arrive from the database and from case bundles, so `from_dict` trusts nothing: an
unknown kind, a NaN, a negative size or an absurd number is a ValueError whose message says
which value is wrong. Export refuses a case whose marks do not validate rather than quietly
leaving out a redaction.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

KINDS = ("redact", "highlight", "arrow", "marker", "note")
# Far beyond any picture the library accepts (200 MP), small enough that drawing code never
# meets a coordinate it cannot represent.
MAX_COORD = 1_000_000.0
MAX_TEXT = 500
MAX_NUMBER = 999
MAX_MARKS = 1000
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

DEFAULT_COLORS = {
    "redact": "#000000",
    "highlight": "#FFD400",
    "arrow": "#E53935",
    "marker": "#E53935",
    "note": "#FFF59D",
}


def _number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"mark {name} must be a number, not {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"mark {name} must be a finite number, not {value!r}")
    if abs(value) > MAX_COORD:
        raise ValueError(f"mark {name} {value!r} is outside any picture")
    return value


@dataclass(frozen=True)
class Mark:
    """One redaction box, highlight, arrow, numbered marker or note."""

    kind: str
    x: float
    y: float
    w: float
    h: float
    number: int | None = None  # markers only
    text: str = ""  # notes only
    color: str = ""  # "#RRGGBB"; empty means the kind's default

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown mark kind {self.kind!r}; use one of {', '.join(KINDS)}")
        for name in ("x", "y", "w", "h"):
            object.__setattr__(self, name, _number(name, getattr(self, name)))
        if self.kind == "arrow":
            if self.w == 0 and self.h == 0:
                raise ValueError("an arrow needs a length")
        elif self.w <= 0 or self.h <= 0:
            raise ValueError(f"a {self.kind} mark needs a positive size, not "
                             f"{self.w!r}×{self.h!r}")
        if self.kind == "marker":
            if (isinstance(self.number, bool) or not isinstance(self.number, int)
                    or not 1 <= self.number <= MAX_NUMBER):
                raise ValueError(f"a marker needs a number from 1 to {MAX_NUMBER}, "
                                 f"not {self.number!r}")
        elif self.number is not None:
            raise ValueError(f"only markers carry a number, not a {self.kind} mark")
        if not isinstance(self.text, str):
            raise ValueError(f"mark text must be text, not {self.text!r}")
        if len(self.text) > MAX_TEXT:
            raise ValueError(f"mark text is longer than {MAX_TEXT} characters")
        if self.text and self.kind != "note":
            raise ValueError(f"only notes carry text, not a {self.kind} mark")
        if not isinstance(self.color, str) or (self.color and not _COLOR.fullmatch(self.color)):
            raise ValueError(f"mark colour must be written #RRGGBB, not {self.color!r}")

    @property
    def fill_color(self) -> str:
        return self.color or DEFAULT_COLORS[self.kind]

    def bounds(self) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) of the area the mark covers; arrows normalised."""
        x0, x1 = sorted((self.x, self.x + self.w))
        y0, y1 = sorted((self.y, self.y + self.h))
        return x0, y0, x1, y1

    def moved(self, dx: float, dy: float) -> Mark:
        return replace(self, x=self.x + dx, y=self.y + dy)

    def scaled(self, factor: float) -> Mark:
        return replace(self, x=self.x * factor, y=self.y * factor, w=self.w * factor,
                       h=self.h * factor)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "x": round(self.x, 2), "y": round(self.y, 2),
                               "w": round(self.w, 2), "h": round(self.h, 2)}
        if self.number is not None:
            out["number"] = self.number
        if self.text:
            out["text"] = self.text
        if self.color:
            out["color"] = self.color
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Mark:
        if not isinstance(data, Mapping):
            raise ValueError(f"a mark must be an object, not {type(data).__name__}")
        # "type" was the key in early library versions and test bundles; read it too.
        kind = data.get("kind", data.get("type"))
        unknown = set(data) - {"kind", "type", "x", "y", "w", "h", "number", "text", "color"}
        if unknown:
            raise ValueError(f"unknown mark field(s): {', '.join(sorted(map(str, unknown)))}")
        missing = [k for k in ("x", "y", "w", "h") if k not in data]
        if kind is None or missing:
            raise ValueError(f"a mark needs kind, x, y, w and h (missing: "
                             f"{', '.join((['kind'] if kind is None else []) + missing)})")
        return cls(kind=kind, x=data["x"], y=data["y"], w=data["w"], h=data["h"],
                   number=data.get("number"), text=data.get("text", ""),
                   color=data.get("color", ""))


def marks_from_json(items: Iterable[Mapping[str, Any]] | None) -> tuple[Mark, ...]:
    """Validate stored marks (a list of dicts); ValueError names the first bad one."""
    if items is None:
        return ()
    if isinstance(items, (str, bytes, Mapping)):
        raise ValueError("marks must be a list of objects")
    out: list[Mark] = []
    for i, item in enumerate(items):
        if i >= MAX_MARKS:
            raise ValueError(f"more than {MAX_MARKS} marks on one item")
        try:
            out.append(Mark.from_dict(item))
        except ValueError as exc:
            raise ValueError(f"mark {i + 1}: {exc}") from None
    return tuple(out)


def marks_to_json(marks: Iterable[Mark]) -> list[dict[str, Any]]:
    return [m.to_dict() for m in marks]


def _kind_of(mark: Mark | Mapping[str, Any]) -> Any:
    if isinstance(mark, Mark):
        return mark.kind
    if isinstance(mark, Mapping):
        return mark.get("kind", mark.get("type"))
    return None


def has_redaction(marks: Sequence[Mark | Mapping[str, Any]] | None) -> bool:
    """Whether any mark is a redaction box (stored dicts are accepted as they are)."""
    return any(_kind_of(m) == "redact" for m in marks or ())


def next_marker_number(marks: Iterable[Mark]) -> int:
    numbers = [m.number for m in marks if m.kind == "marker" and m.number is not None]
    return min(MAX_NUMBER, max(numbers, default=0) + 1)


# Sizes that depend on the picture, shared by the editor and the export so both draw alike.
def stroke_width(width: float, height: float) -> float:
    """Outline and arrow thickness: visible on a phone screenshot and on a 24-MP photo."""
    return max(2.0, min(width, height) / 300)


def note_font_size(width: float, height: float) -> int:
    """Pixel size of note text: about a 40th of the picture's shorter side."""
    return max(12, round(min(width, height) / 40))


def default_marker_size(width: float, height: float) -> float:
    """Diameter of a numbered marker placed by a click."""
    return max(24.0, min(width, height) / 18)


# -- rotation ---------------------------------------------------------------------------------


def _turn_point(x: float, y: float, size: tuple[int, int], t: int) -> tuple[float, float]:
    w, h = size
    if t == 90:
        return h - y, x
    if t == 180:
        return w - x, h - y
    if t == 270:
        return y, w - x
    return x, y


def rotate_marks(marks: list[dict], size: tuple[int, int], turn: int) -> list[dict]:
    """Marks (dicts with x, y, w, h in pixels of a picture of `size`, as shown) moved so they
    cover the same pixels once the picture is turned a further `turn` degrees clockwise.

    An arrow keeps its direction (its start and end points turn); boxes stay boxes.
    """
    t = int(turn or 0) % 360
    if t not in (0, 90, 180, 270):
        raise ValueError(f"a rotation is 0, 90, 180 or 270 degrees, not {turn!r}")
    out = []
    for m in marks:
        x, y, mw, mh = (float(m.get(k, 0)) for k in ("x", "y", "w", "h"))
        x0, y0 = _turn_point(x, y, size, t)
        x1, y1 = _turn_point(x + mw, y + mh, size, t)
        if m.get("kind") == "arrow":
            out.append({**m, "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0})
        else:
            out.append({**m, "x": min(x0, x1), "y": min(y0, y1), "w": abs(x1 - x0),
                        "h": abs(y1 - y0)})
    return out
