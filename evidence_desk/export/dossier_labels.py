"""Every fixed text of the dossier and the pack, in both languages, in one table.

`lang` is "zh", "en" or "both"; "both" prints Chinese first, then English.
"""

from __future__ import annotations

LANGS = ("zh", "en", "both")

LABELS: dict[str, tuple[str, str]] = {
    "dossier_title": ("投诉证据材料", "Complaint dossier"),
    "cover": ("封面", "Cover"),
    "case_title": ("案件", "Case"),
    "complaint_type": ("投诉类型", "Complaint type"),
    "order_no": ("订单号", "Order number"),
    "amount": ("金额", "Amount"),
    "buyer": ("买家", "Buyer"),
    "buyer_company": ("买家公司", "Buyer company"),
    "buyer_country": ("国家/地区", "Country"),
    "buyer_member": ("买家会员号", "Buyer member ID"),
    "paid_on": ("付款日期", "Paid on"),
    "completed_on": ("交易完成日期", "Transaction completed on"),
    "accepted_on": ("验收日期", "Accepted on"),
    "refund_requested_on": ("申请退款日期", "Refund requested on"),
    "deadline": ("投诉截止日期", "Complaint deadline"),
    "days_left": ("剩余天数", "Days left"),
    "demand": ("诉求", "Demand"),
    "reason": ("投诉理由", "Reason"),
    "dossier_date": ("材料生成时间", "Dossier generated"),
    "exhibit_count": ("证据数量", "Exhibits"),
    "attempt": ("提交次数", "Attempt"),
    "audit_head": ("审计记录校验值", "Audit log head"),
    "statement": ("陈述", "Statement"),
    "statement_en": ("英文陈述(提交平台用)", "Statement in English (as submitted)"),
    "statement_zh": ("中文陈述", "Statement in Chinese"),
    "statement_reading": ("中文阅读版(与英文逐句对应;标注“由您填写，未经核对”的句子未经核对)",
                          "Chinese reading version (sentence by sentence with the English)"),
    "checklist": ("证据清单", "Evidence checklist"),
    "ready": ("证据齐全", "All required evidence present"),
    "not_ready": ("证据不全", "Required evidence missing"),
    "col_kind": ("证据类型", "Evidence kind"),
    "col_level": ("要求", "Requirement"),
    "col_met": ("是否满足", "Met"),
    "col_exhibits": ("对应证据", "Exhibits"),
    "level_required": ("必需", "required"),
    "level_any_of": ("任选其一", "any of"),
    "level_recommended": ("建议", "recommended"),
    "met_yes": ("已满足", "met"),
    "met_no": ("未满足", "missing"),
    "warnings": ("提示", "Warnings"),
    "timeline": ("时间线", "Timeline"),
    "col_when": ("时间", "When"),
    "col_event": ("事件", "Event"),
    "no_events": ("没有记录的事件。", "No events recorded."),
    "exhibit_index": ("证据目录", "Exhibit index"),
    "col_number": ("编号", "No."),
    "col_caption": ("说明", "Caption"),
    "col_captured": ("拍摄/截取时间", "Captured"),
    "col_file": ("原始文件名", "Original file"),
    "col_sha": ("SHA-256", "SHA-256"),
    "exhibits": ("证据", "Exhibits"),
    "exhibit": ("证据", "Exhibit"),
    "part": ("第 {i}/{n} 部分", "part {i}/{n}"),
    "pdf_page": ("第 {i}/{n} 页", "page {i}/{n}"),
    "pdf_unreadable": (
        "无法读取此 PDF 的页面;原文件见上传包,共 {n} 页。",
        "The pages of this PDF could not be read; the original is in the upload pack ({n} pages).",
    ),
    "not_shown": (
        "此文件类型无法在材料中显示;原文件见上传包。",
        "This file type cannot be shown here; the original is in the upload pack.",
    ),
    "rows_capped": (
        "仅显示前 {shown} 行,共 {total} 行;完整表格见上传包。",
        "Showing the first {shown} of {total} rows; the full table is in the upload pack.",
    ),
    "table_unreadable": ("无法读取表格:{why}", "The table could not be read: {why}"),
    "image_unreadable": ("无法读取图片:{why}", "The image could not be read: {why}"),
    "none": ("无", "none"),
    "page_x_of_y": ("第 {x} 页,共 {y} 页", "Page {x} of {y}"),
    "sha_note": (
        "每份证据的 SHA-256 校验值列于目录和证据页,可用于核对原始文件。",
        "The SHA-256 of each exhibit is listed in the index and under the exhibit, so the "
        "originals can be checked.",
    ),
    "flags": ("读取时发现的问题", "Problems found when reading"),
    # What a reviewer should know about a file; the purely informational codes (no_exif_time,
    # privacy_ok, cmyk, has_gps …) are not printed at all.
    "flag_damaged_image": ("图片文件不完整或已损坏,部分画面可能缺失",
                           "the image file is truncated or damaged; part of it may be missing"),
    "flag_future_capture": ("记录的拍摄时间晚于导入时间,拍摄设备的时钟可能有误",
                            "the recorded capture time lies in the future; the device clock "
                            "may be wrong"),
    "flag_wrong_extension": ("文件扩展名与实际类型不符", "the file name's extension does not "
                             "match its real type"),
    "flag_deceptive_name": ("文件名含有可改变显示顺序的隐藏控制字符",
                            "the file name holds hidden direction controls that change how it "
                            "reads"),
    "flag_animated": ("动态图片,此处仅显示第一帧", "animated image; only its first frame is shown"),
    "flag_damaged_pdf": ("PDF 文件结尾不完整,可能被截断", "the PDF has no proper end; it may be "
                         "truncated"),
    "flag_encrypted_pdf": ("PDF 已加密", "the PDF is encrypted"),
    "from_exif": ("取自照片 EXIF", "from the photo's EXIF"),
    "from_file_name": ("取自文件名", "from the file name"),
    "from_file": ("文件时间", "file time"),
    "from_user": ("卖家填写", "set by the seller"),
    "from_clipboard": ("粘贴时间", "pasted"),
    "sha_original": ("原件 SHA-256", "SHA-256 of the original"),
    "redacted_copy": (
        "此处显示的是遮盖了个人信息的副本(原件未改动);副本 SHA-256",
        "Shown redacted: personal data is covered in this copy (the original is unchanged); "
        "SHA-256 of the copy",
    ),
    "annotated_copy": (
        "此处显示的是加了标注的副本(原件未改动);副本 SHA-256",
        "Shown annotated: this copy carries marks (the original is unchanged); "
        "SHA-256 of the copy",
    ),
    "redacted_short": ("已遮盖的副本", "redacted copy"),
    "annotated_short": ("标注的副本", "annotated copy"),
    "kw_complaint": ("投诉", "complaint"),
}


def label(key: str, lang: str, **fmt: object) -> str:
    """One fixed text in the chosen language; "both" joins them as "中文 / English"."""
    zh, en = LABELS[key]
    if fmt:
        zh, en = zh.format(**fmt), en.format(**fmt)
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
