"""The readable text of a Word .docx, from its XML with the standard library only.

Used for the kind guess at import and available to exports that list a document's words. An
old binary .doc has no such cheap reading; it is kept and hashed like any original.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

# document.xml of a long contract is a few hundred kilobytes; more is not read.
MAX_XML_BYTES = 4 * 1024 * 1024
_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>|<w:p/>", re.DOTALL)
_RUN_TEXT = re.compile(r"<w:t(?:\s[^>]*)?>([^<]*)</w:t>|<w:(tab|br|cr)\b[^>]*/>")
_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}


def docx_text(path: Path, limit: int = 20000) -> str:
    """The document body's paragraphs, one per line, at most `limit` characters; "" when the
    file cannot be read as a Word document."""
    try:
        with zipfile.ZipFile(path) as zf, zf.open("word/document.xml") as fh:
            xml = fh.read(MAX_XML_BYTES).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile, ValueError, NotImplementedError,
            RuntimeError, EOFError):
        return ""
    lines: list[str] = []
    size = 0
    for para in _PARAGRAPH.finditer(xml):
        parts = [m.group(1) if m.group(1) is not None else ("\t" if m.group(2) == "tab" else "\n")
                 for m in _RUN_TEXT.finditer(para.group(0))]
        line = _unescape("".join(parts)).strip()
        if line:
            lines.append(line)
            size += len(line) + 1
            if size >= limit:
                break
    return "\n".join(lines)[:limit]


def _unescape(text: str) -> str:
    return re.sub(r"&(lt|gt|quot|apos|amp);", lambda m: _ENTITIES[m.group(0)], text)
