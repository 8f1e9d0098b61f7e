"""Every fixed text of the dossier and the pack: its English here, its Chinese in the app's
one translation catalogue (evidence_desk.i18n).

`lang` is "zh", "en" or "both"; "both" prints Chinese first, then English.
"""

from __future__ import annotations

from evidence_desk.i18n import tr_in_context

LANGS = ("zh", "en", "both")

# The English of every fixed text, by key; its Chinese is in the catalogue
# (resources/i18n/zh-dossier.toml, with the window's own text), looked up in the dossier's
# context so a word the window translates differently keeps its dossier sense.
LABELS: dict[str, str] = {
    "dossier_title": "Complaint dossier",
    "cover": "Cover",
    "case_title": "Case",
    "complaint_type": "Complaint type",
    "order_no": "Order number",
    "amount": "Amount",
    "buyer": "Buyer",
    "buyer_company": "Buyer company",
    "buyer_country": "Country",
    "buyer_member": "Buyer member ID",
    "paid_on": "Paid on",
    "completed_on": "Transaction completed on",
    "accepted_on": "Accepted on",
    "refund_requested_on": "Refund requested on",
    "deadline": "Complaint deadline",
    "days_left": "Days left",
    "demand": "Demand",
    "reason": "Reason",
    "dossier_date": "Dossier generated",
    "exhibit_count": "Exhibits",
    "attempt": "Attempt",
    "audit_head": "Audit log head",
    "statement": "Statement",
    "statement_en": "Statement in English (as submitted)",
    "statement_zh": "Statement in Chinese",
    "statement_reading": "Chinese reading version (sentence by sentence with the English)",
    "checklist": "Evidence checklist",
    "ready": "All required evidence present",
    "not_ready": "Required evidence missing",
    "col_kind": "Evidence kind",
    "col_level": "Requirement",
    "col_met": "Met",
    "col_exhibits": "Exhibits",
    "level_required": "required",
    "level_any_of": "any of",
    "level_recommended": "recommended",
    "met_yes": "met",
    "met_no": "missing",
    "warnings": "Warnings",
    "timeline": "Timeline",
    "col_when": "When",
    "col_event": "Event",
    "no_events": "No events recorded.",
    "exhibit_index": "Exhibit index",
    "col_number": "No.",
    "col_caption": "Caption",
    "col_captured": "Captured",
    "col_file": "Original file",
    "col_sha": "SHA-256",
    "exhibits": "Exhibits",
    "exhibit": "Exhibit",
    "part": "part {i}/{n}",
    "pdf_page": "page {i}/{n}",
    "pdf_unreadable": (
        "The pages of this PDF could not be read; the original is in the upload pack ({n} "
        "pages)."
    ),
    "not_shown": "This file type cannot be shown here; the original is in the upload pack.",
    "rows_capped": (
        "Showing the first {shown} of {total} rows; the full table is in the upload pack."
    ),
    "none": "none",
    "page_x_of_y": "Page {x} of {y}",
    "sha_note": (
        "The SHA-256 of each exhibit is listed in the index and under the exhibit, so the "
        "originals can be checked."
    ),
    "flags": "Problems found when reading",
    "flag_damaged_image": "the image file is truncated or damaged; part of it may be missing",
    "flag_future_capture": (
        "the recorded capture time lies in the future; the device clock may be wrong"
    ),
    "flag_wrong_extension": "the file name's extension does not match its real type",
    "flag_deceptive_name": (
        "the file name holds hidden direction controls that change how it reads"
    ),
    "flag_animated": "animated image; only its first frame is shown",
    "flag_damaged_pdf": "the PDF has no proper end; it may be truncated",
    "flag_encrypted_pdf": "the PDF is encrypted",
    "from_exif": "from the photo's EXIF",
    "from_file_name": "from the file name",
    "from_file": "file time",
    "from_user": "set by the seller",
    "from_clipboard": "pasted",
    "sha_original": "SHA-256 of the original",
    "redacted_copy": (
        "Shown redacted: personal data is covered in this copy (the original is "
        "unchanged); SHA-256 of the copy"
    ),
    "annotated_copy": (
        "Shown annotated: this copy carries marks (the original is unchanged); SHA-256 of "
        "the copy"
    ),
    "redacted_short": "redacted copy",
    "annotated_short": "annotated copy",
    "kw_complaint": "complaint",
    "undrawn_title": "This exhibit could not be drawn",
    "undrawn_reason": "Reason: {why}",
    "undrawn_in_pack": "The original file (SHA-256 below) is in the upload pack.",
    "undrawn_not_in_pack": (
        "Its marks could not be drawn in, so it is not in the upload pack either (it "
        "would leave unredacted); fix the marks in the mark editor."
    ),
    "pdf_page_undrawn": (
        "Page {i} could not be drawn: {why}. The original file is in the upload pack."
    ),
    "tiff_page": "page {i}/{n}",
    "video_note": (
        "A video file ({fmt}): it cannot be shown here, and it is not uploadable (the "
        "platform takes no video), so it is not in the upload pack. The original is kept "
        "in the case; its SHA-256 is below."
    ),
    "document_note": "A Word document; the original is in the upload pack. Its text:",
    "document_no_text": (
        "A Word document; the original is in the upload pack. Its text cannot be shown "
        "here ({why})."
    ),
    "document_cut": (
        "The text is long; only its beginning is shown. The full text is in the original "
        "in the upload pack."
    ),
}


def label(key: str, lang: str, **fmt: object) -> str:
    """One fixed text in the chosen language; "both" joins them as "中文 / English"."""
    en = LABELS[key]
    zh = tr_in_context("zh", f"dossier.{key}", en, **fmt)
    if fmt:
        en = en.format(**fmt)
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return zh if zh == en else f"{zh} / {en}"


def pick(zh: str, en: str, lang: str) -> str:
    """A pair of texts from the rules (kind or type labels) in the chosen language."""
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    return zh if zh == en else f"{zh} / {en}"
