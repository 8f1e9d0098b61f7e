"""Read tabular and text evidence (CSV, XLSX, plain text, e-mail) into plain rows and strings.

Carriers export tracking tables in whatever encoding their office uses, so text is decoded by
BOM first, then strict UTF-8, then GB18030 (a superset of GBK that decodes any byte sequence
that GBK does).
"""

from __future__ import annotations

import csv
import email
import email.policy
import html
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

MAX_ROWS = 300
MAX_COLS = 12
MAX_CELL = 200
MAX_TEXT = 50_000


def decode_text(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _clip(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def read_csv(path: Path) -> tuple[list[list[str]], int]:
    """(rows capped at MAX_ROWS + 1 header row, total number of data rows)."""
    text = decode_text(path.read_bytes())
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], ",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows: list[list[str]] = []
    total = 0
    for row in csv.reader(io.StringIO(text), dialect):
        if not any(c.strip() for c in row):
            continue
        total += 1
        if len(rows) <= MAX_ROWS:
            rows.append([_clip(c) for c in row[:MAX_COLS]])
    return rows, max(0, total - 1)


_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def _col_index(ref: str) -> int:
    n = 0
    for ch in re.match(r"[A-Z]+", ref).group(0):  # type: ignore[union-attr]
        n = n * 26 + ord(ch) - 64
    return n - 1


def read_xlsx(path: Path) -> tuple[list[list[str]], int]:
    """The first sheet of an .xlsx, values only (enough for a carrier's tracking export)."""
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(zf.read("xl/sharedStrings.xml"))
            for si in root.findall("m:si", _NS):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")))
        sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if not sheets:
            raise ValueError("no worksheet")
        root = ElementTree.fromstring(zf.read(sheets[0]))
    rows: list[list[str]] = []
    total = 0
    for row in root.iter(f"{{{_NS['m']}}}row"):
        cells: dict[int, str] = {}
        for i, c in enumerate(row.findall("m:c", _NS)):
            col = _col_index(c.get("r", "")) if c.get("r") else i
            kind = c.get("t", "")
            v = c.find("m:v", _NS)
            if kind == "inlineStr":
                value = "".join(t.text or "" for t in c.iter(f"{{{_NS['m']}}}t"))
            elif v is None:
                value = ""
            elif kind == "s":
                value = shared[int(v.text or 0)]
            else:
                value = v.text or ""
            cells[col] = value
        if not any(x.strip() for x in cells.values()):
            continue
        total += 1
        if len(rows) <= MAX_ROWS:
            width = min(MAX_COLS, max(cells) + 1)
            rows.append([_clip(cells.get(i, "")) for i in range(width)])
    return rows, max(0, total - 1)


def read_text(path: Path) -> str:
    text = decode_text(path.read_bytes()[: MAX_TEXT * 4])
    return text[:MAX_TEXT]


def read_email(path: Path) -> tuple[list[tuple[str, str]], str]:
    """(headers worth showing, plain-text body)."""
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    headers = [(h, str(msg[h])) for h in ("From", "To", "Cc", "Date", "Subject") if msg[h]]
    body = ""
    part = msg.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    if part is not None:
        try:
            body = part.get_content()
        except (LookupError, ValueError):
            payload = part.get_payload(decode=True) or b""
            body = decode_text(payload)
        if part.get_content_type() == "text/html":
            body = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?i)<br\s*/?>|</p>", "\n", body)))
    return headers, body[:MAX_TEXT]
