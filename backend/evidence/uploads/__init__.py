"""Uploaded evidence files: the checks before a file is stored, the name it is
stored under, and the scanner that clears it afterwards (SECURITY.md section 5,
docs/adr/0007-upload-checks-and-scanner.md).

    checked = check_upload(uploaded)          # or ValidationFailed on "file"
    storage.save(storage_name(checked), checked.file)
    outbox.enqueue_task(tasks.scan_evidence_file, item.pk)  # scanning -> ready / failed
"""

from core.filetypes import FileTooLarge, UnsupportedFileType

from .checks import (
    CheckedUpload,
    check_upload,
    inspect_file,
    storage_name,
)
from .scanners import (
    ClamdScanner,
    Scanner,
    ScannerUnavailable,
    ScanResult,
    TypeAndSizeOnlyScanner,
    get_scanner,
)

__all__ = [
    "CheckedUpload",
    "ClamdScanner",
    "FileTooLarge",
    "ScanResult",
    "Scanner",
    "ScannerUnavailable",
    "TypeAndSizeOnlyScanner",
    "UnsupportedFileType",
    "check_upload",
    "get_scanner",
    "inspect_file",
    "storage_name",
]
