"""Taking files in: real type, EXIF facts, problems, a suggested kind, thumbnails.

Pure Python over Pillow (and pillow-heif for HEIC); no Qt and no database here.
"""

from evidence_desk.ingest.imaging import MAX_PIXELS, Refused
from evidence_desk.ingest.probe import FLAG_MESSAGES, Probe, probe
from evidence_desk.ingest.sniff import FileType, sniff, sniff_path
from evidence_desk.ingest.thumbs import ThumbnailUnavailable, make_thumbnail, open_upright_reduced
from evidence_desk.ingest.walk import Candidate, Skipped, expand_paths

__all__ = [
    "FLAG_MESSAGES",
    "MAX_PIXELS",
    "Candidate",
    "FileType",
    "Probe",
    "Refused",
    "Skipped",
    "ThumbnailUnavailable",
    "expand_paths",
    "make_thumbnail",
    "open_upright_reduced",
    "probe",
    "sniff",
    "sniff_path",
]
