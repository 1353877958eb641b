"""The upload checks and the scanners (SECURITY.md sections 2 and 5). Every file is
built here, byte by byte or with zipfile, and every refusal asserts its exact
GOV.UK message on the field "file" and its HTTP status."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from core.errors import ValidationFailed
from core.tasks import TRANSIENT_ERRORS
from evidence.uploads import (
    CheckedUpload,
    ClamdScanner,
    ScannerUnavailable,
    ScanResult,
    TypeAndSizeOnlyScanner,
    check_upload,
    get_scanner,
    storage_name,
)
from tests.fake_clamd import MARKER, fake_clamd

MUST_BE = "The selected file must be a PDF, DOCX, XLSX, PPTX, CSV, TXT, PNG or JPEG"
NOT_UTF8 = "The selected file must be plain text in UTF-8"

# --- Real small files ---------------------------------------------------------------

PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
# As PDF writers start a file: a comment of binary bytes marks it as not text.
BINARY_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + PDF.split(b"\n", 1)[1]
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xdb\x00\x43\x00" + bytes(range(64)) + b"\xff\xd9"
)
CSV = "area,score\nEarly help,3\nThreshold – 2026,4\n".encode()
TXT = "Interview notes: the front door works well. £0 spent.\n".encode()

_MAIN_PARTS = {
    "docx": (
        "word/document.xml",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    ),
    "xlsx": (
        "xl/workbook.xml",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    ),
    "pptx": (
        "ppt/presentation.xml",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
    ),
    "docm": ("word/document.xml", "application/vnd.ms-word.document.macroEnabled.main+xml"),
}


def png() -> bytes:
    """A real 1x1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def office(kind: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal Office Open XML package: [Content_Types].xml naming the main part,
    the package relationships, and the main part in its folder."""
    part, content_type = _MAIN_PARTS[kind]
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{content_type}"/></Types>'
    )
    relationships = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="' + part + '" Type="http://schemas.openxmlformats.org'
        '/officeDocument/2006/relationships/officeDocument"/></Relationships>'
    )
    return zip_of(
        {
            "[Content_Types].xml": content_types.encode(),
            "_rels/.rels": relationships.encode(),
            part: b"<root/>",
            **(extra or {}),
        }
    )


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


PLAIN_ZIP = zip_of({"a.txt": b"hello"})


def with_encrypted_flag(data: bytes, member: str) -> bytes:
    """Set the "encrypted" bit of one member in the central directory (zipfile
    cannot write encrypted archives)."""
    buffer = bytearray(data)
    at = buffer.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", buffer, at + 28)[0]
        if bytes(buffer[at + 46 : at + 46 + name_length]) == member.encode():
            flags = struct.unpack_from("<H", buffer, at + 8)[0]
            struct.pack_into("<H", buffer, at + 8, flags | 0x1)
        at = buffer.find(b"PK\x01\x02", at + 4)
    return bytes(buffer)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    # The browser's content type is deliberately wrong: the checks never use it.
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def refusal(name: str, data: bytes) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as raised:
        check_upload(upload(name, data))
    error = raised.value
    assert error.field_errors == {"file": [error.message]}
    return error


# --- Accepted files -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "file_type", "content_type", "extension"),
    [
        ("threshold.pdf", PDF, "pdf", "application/pdf", "pdf"),
        (
            "plan.docx",
            office("docx"),
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        (
            "budget.xlsx",
            office("xlsx"),
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        (
            "findings.PPTX",
            office("pptx"),
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "pptx",
        ),
        ("scores.csv", CSV, "csv", "text/csv; charset=utf-8", "csv"),
        ("notes.txt", TXT, "txt", "text/plain; charset=utf-8", "txt"),
        ("chart.png", png(), "png", "image/png", "png"),
        ("photo.jpg", JPEG, "jpeg", "image/jpeg", "jpg"),
        ("photo.jpeg", JPEG, "jpeg", "image/jpeg", "jpg"),
    ],
)
def test_an_allowed_file_whose_content_matches_its_name_passes(
    name, data, file_type, content_type, extension
):
    uploaded = upload(name, data)

    checked = check_upload(uploaded)

    assert checked == CheckedUpload(
        file=uploaded,
        original_name=name,
        file_type=file_type,
        content_type=content_type,
        extension=extension,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    assert checked.file.read() == data  # rewound, ready to store


def test_text_with_a_multibyte_character_across_a_read_boundary_is_utf8():
    data = b"a" * (64 * 1024 - 1) + "é and more".encode()

    assert check_upload(upload("long.txt", data)).file_type == "txt"


def test_an_upload_at_exactly_the_limit_passes():
    with override_settings(EVIDENCE_MAX_UPLOAD_BYTES=len(PDF)):
        assert check_upload(upload("exact.pdf", PDF)).size == len(PDF)


# --- Size ---------------------------------------------------------------------------


def test_a_file_over_20mb_is_refused_with_the_limit_in_the_message():
    error = refusal("big.pdf", PDF + b"0" * (20 * 1024 * 1024))

    assert error.message == "The selected file must be smaller than 20MB"
    assert (error.status_code, error.code) == (413, "file_too_large")


@override_settings(EVIDENCE_MAX_UPLOAD_BYTES=1024)
def test_the_size_limit_comes_from_settings():
    assert refusal("big.pdf", PDF + b"0" * 1024).message == (
        "The selected file must be smaller than 1KB"
    )


@override_settings(EVIDENCE_MAX_UPLOAD_BYTES=1024)
def test_the_size_is_measured_from_the_bytes_not_taken_from_the_upload():
    uploaded = upload("big.pdf", PDF + b"0" * 1024)
    uploaded.size = 10  # what a client might claim

    with pytest.raises(ValidationFailed) as raised:
        check_upload(uploaded)

    assert raised.value.message == "The selected file must be smaller than 1KB"


def test_an_empty_file_is_refused():
    error = refusal("empty.pdf", b"")

    assert error.message == "The selected file is empty"
    assert error.status_code == 400


# --- Type: the extension is allow-listed and the content agrees ----------------------


@pytest.mark.parametrize(
    "name", ["archive.zip", "setup.exe", "report.pdf.exe", "README", "notes.", "macro.docm"]
)
def test_a_name_outside_the_allow_list_is_refused(name):
    error = refusal(name, PDF)

    assert error.message == MUST_BE
    assert (error.status_code, error.code) == (415, "unsupported_media_type")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "report.pdf",
            zip_of({"a.txt": b"hello"}),
            "The selected file is a ZIP archive, not a PDF",
        ),
        ("report.pdf", png(), "The selected file is a PNG, not a PDF"),
        ("chart.png", JPEG, "The selected file is a JPEG, not a PNG"),
        ("photo.jpg", png(), "The selected file is a PNG, not a JPEG"),
        ("plan.docx", PDF, "The selected file is a PDF, not a DOCX"),
        ("budget.xlsx", office("docx"), "The selected file is a DOCX, not an XLSX"),
        (
            "plan.docx",
            zip_of({"a.txt": b"hello"}),
            "The selected file is a ZIP archive, not a DOCX",
        ),
        (
            "plan.docx",
            office("docm"),
            "The selected file is a macro-enabled Word document (DOCM), not a DOCX",
        ),
        ("report.pdf", TXT, "The selected file is plain text, not a PDF"),
        ("notes.txt", BINARY_PDF, "The selected file is a PDF, not a TXT"),
        ("notes.txt", png(), "The selected file is a PNG, not a TXT"),
        ("scores.csv", zip_of({"a.csv": CSV}), "The selected file is a ZIP archive, not a CSV"),
        ("report.pdf", b"MZ" + b"\x00" * 200, "The selected file is a Windows program, not a PDF"),
        ("report.pdf", b"\x01\x02\x03\x00\xfe" * 20, "The selected file is not a PDF"),
    ],
)
def test_content_that_does_not_match_the_name_is_refused_naming_both(name, data, message):
    error = refusal(name, data)

    assert error.message == message
    assert error.status_code == 415


def test_office_content_types_are_read_from_the_package_not_the_first_entry():
    """A real package may list its parts in any order: the media first, say."""
    data = office("docx", extra={"word/media/image1.png": png() * 400})
    reordered = zip_of(
        {
            name: zipfile.ZipFile(io.BytesIO(data)).read(name)
            for name in sorted(zipfile.ZipFile(io.BytesIO(data)).namelist(), reverse=True)
        }
    )

    assert check_upload(upload("plan.docx", reordered)).file_type == "docx"


def test_a_damaged_office_file_is_refused():
    error = refusal("plan.docx", b"PK\x03\x04" + b"\x00" * 100)

    assert error.message == "The selected file is damaged and cannot be opened"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("notes.txt", b"Interview notes\x00hidden"),
        ("scores.csv", "area,score\nSalford £,3\n".encode("latin-1")),
        ("scores.csv", b"\xff\xfea\x00r\x00e\x00a\x00"),  # UTF-16
        ("scores.csv", "BMI,weight\n£3,4\n".encode("latin-1")),  # "BM" as in a bitmap
    ],
)
def test_text_must_be_utf8_without_nul_bytes(name, data):
    error = refusal(name, data)

    assert error.message == NOT_UTF8
    assert error.status_code == 415


@pytest.mark.parametrize(
    "data", [b"BMI,weight\n24,70\n", b"MZ,region\n1,North\n", b"ID3 tags are not here\n"]
)
def test_text_that_starts_like_a_binary_format_is_still_text(data):
    """A bitmap's signature is "BM", a Windows program's "MZ": two letters a CSV may
    start with. Text is whatever decodes as UTF-8."""
    assert check_upload(upload("scores.csv", data)).file_type == "csv"


# --- Archive limits for Office files ------------------------------------------------


@override_settings(EVIDENCE_ARCHIVE_MAX_ENTRIES=5)
def test_an_office_file_with_too_many_parts_is_refused():
    data = office("docx", extra={f"word/media/{n}.xml": b"<x/>" for n in range(3)})

    error = refusal("plan.docx", data)

    assert error.message == "The selected file must have 5 files or fewer inside it"
    assert error.status_code == 400


def test_the_default_part_limit_is_2000():
    data = office("xlsx", extra={f"xl/worksheets/sheet{n}.xml": b"" for n in range(1998)})

    assert refusal("budget.xlsx", data).message == (
        "The selected file must have 2,000 files or fewer inside it"
    )


def test_a_zip_bomb_is_refused_by_its_compression_ratio():
    # 20MB of zeros packs into about 20KB: a ratio of about 1000:1.
    data = office("docx", extra={"word/media/blank.bin": b"\x00" * (20 * 1024 * 1024)})
    assert len(data) < 100 * 1024

    error = refusal("plan.docx", data)

    assert error.message == "The selected file is compressed too much to be checked safely"


def test_small_parts_may_compress_well():
    data = office("docx", extra={"word/styles.xml": b" " * 500_000})

    assert check_upload(upload("plan.docx", data)).file_type == "docx"


@override_settings(EVIDENCE_ARCHIVE_MAX_UNPACKED_BYTES=4 * 1024)
def test_an_office_file_too_large_when_unpacked_is_refused():
    incompressible = bytes(range(256)) * 4 + zlib.compress(bytes(range(256)) * 64) * 8
    data = office("pptx", extra={"ppt/media/noise.bin": incompressible * 2})

    assert refusal("findings.pptx", data).message == (
        "The selected file must be smaller than 4KB when unpacked"
    )


@pytest.mark.parametrize(
    "member",
    ["../../etc/cron.d/evil", "word/../../evil.xml", "/etc/passwd", "C:/Windows/evil.dll", "..\\x"],
)
def test_an_office_file_with_a_part_that_unpacks_outside_its_folder_is_refused(member):
    data = office("docx", extra={member: b"x"})

    assert refusal("plan.docx", data).message == (
        "The selected file contains files with unsafe names"
    )


def test_a_password_protected_office_file_is_refused():
    data = with_encrypted_flag(office("docx"), "word/document.xml")

    assert refusal("plan.docx", data).message == "The selected file is password protected"


def test_a_password_protected_office_document_is_refused_as_such():
    """Office encrypts a DOCX into an OLE2 compound file with an "EncryptedPackage"
    stream. This stand-in has the compound file's signature and that stream's
    directory name, which is what the check reads."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    directory = "EncryptedPackage".encode("utf-16-le").ljust(128, b"\x00")
    data = header + b"\xff" * 4096 + directory

    assert refusal("plan.docx", data).message == "The selected file is password protected"
    assert refusal("report.pdf", data).message == (
        "The selected file is a password-protected Office file, not a PDF"
    )


def test_a_package_with_content_types_packed_other_than_by_deflate_is_not_office():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in zipfile.ZipFile(io.BytesIO(office("docx"))).namelist():
            method = zipfile.ZIP_BZIP2 if name == "[Content_Types].xml" else zipfile.ZIP_DEFLATED
            archive.writestr(
                name, zipfile.ZipFile(io.BytesIO(office("docx"))).read(name), compress_type=method
            )

    assert refusal("plan.docx", buffer.getvalue()).message == (
        "The selected file is a ZIP archive, not a DOCX"
    )


# --- Names --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/threshold.pdf", "threshold.pdf"),
        ("C:\\Users\\jo\\Desktop\\threshold.pdf", "threshold.pdf"),
        ("re\x00port\r\n  2026\t.pdf", "report 2026.pdf"),
        ("..pdf.pdf", "pdf.pdf"),
        ("  Threshold document.pdf. ", "Threshold document.pdf"),
    ],
)
def test_the_name_sent_is_kept_only_for_display_without_paths_or_controls(sent, shown):
    assert check_upload(upload(sent, PDF)).original_name == shown


def test_a_right_to_left_override_cannot_disguise_an_extension():
    # Displays as "invoiceexe.pdf"; it is an .exe.
    assert refusal("invoice\u202efdp.exe", PDF).message == MUST_BE


def test_a_long_name_is_cut_to_255_characters_keeping_its_extension():
    checked = check_upload(upload("x" * 300 + ".pdf", PDF))

    assert checked.original_name == "x" * 251 + ".pdf"


def test_the_stored_name_is_made_by_the_server():
    checked = check_upload(upload("../../etc/photo.jpeg", JPEG))

    with time_machine.travel("2026-03-05 12:00Z", tick=False):
        first, second = storage_name(checked), storage_name(checked)

    assert re.fullmatch(r"evidence/2026/03/[0-9a-f]{32}\.jpg", first)
    assert first != second
    assert "photo" not in first


# --- Scanners -----------------------------------------------------------------------


def test_clamd_over_tcp_passes_a_clean_file_and_receives_every_byte():
    data = PDF + b"%" * (200 * 1024)  # several INSTREAM chunks

    with fake_clamd() as clamd:
        result = ClamdScanner(clamd.address).scan(io.BytesIO(data))

    assert result == ScanResult(clean=True, detail="ClamAV found no virus")
    assert clamd.commands == [b"zINSTREAM\0"]
    assert clamd.received == [data]


def test_clamd_over_a_unix_socket_fails_an_infected_file_naming_the_signature():
    with fake_clamd(unix=True) as clamd:
        result = ClamdScanner(clamd.address).scan(io.BytesIO(PDF + MARKER))

    assert result == ScanResult(clean=False, detail="ClamAV found Eicar-Signature")


def test_clamd_refusing_a_stream_over_its_limit_fails_the_file():
    with fake_clamd(max_stream=1024) as clamd:
        result = ClamdScanner(clamd.address).scan(io.BytesIO(PDF * 1000))

    assert result == ScanResult(
        clean=False, detail="ClamAV refused the file: it is over clamd's StreamMaxLength"
    )


def test_an_unreachable_clamd_is_a_transient_error_for_tasks_to_retry():
    with fake_clamd() as clamd:
        address = clamd.address  # free again once the server stops

    with pytest.raises(ScannerUnavailable, match=r"^clamd at 127\.0\.0\.1:\d+: "):
        ClamdScanner(address, timeout=2).scan(io.BytesIO(PDF))
    with pytest.raises(ScannerUnavailable):
        ClamdScanner("/nonexistent/clamd.ctl", timeout=2).scan(io.BytesIO(PDF))
    assert issubclass(ScannerUnavailable, TRANSIENT_ERRORS)


def test_the_type_and_size_only_scanner_checks_again_and_says_it_found_no_virus_only():
    stored = io.BytesIO(PDF)
    stored.name = "evidence/2026/03/0123abcd.pdf"

    result = TypeAndSizeOnlyScanner().scan(stored)

    assert result == ScanResult(
        clean=True,
        detail="Not scanned for viruses (no scanner is configured); type and size checked",
    )


def test_the_type_and_size_only_scanner_fails_a_stored_file_that_no_longer_passes():
    stored = io.BytesIO(zip_of({"a.txt": b"hello"}))
    stored.name = "evidence/2026/03/0123abcd.pdf"

    assert TypeAndSizeOnlyScanner().scan(stored) == ScanResult(
        clean=False, detail="The selected file is a ZIP archive, not a PDF"
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, "TypeAndSizeOnlyScanner()"),
        ({"CLAMD_SOCKET": "/run/clamav/clamd.ctl"}, "ClamdScanner('/run/clamav/clamd.ctl')"),
        ({"CLAMD_HOST": "clamav", "CLAMD_PORT": 3311}, "ClamdScanner('clamav:3311')"),
        (
            {"CLAMD_HOST": "clamav", "EVIDENCE_SCANNER": "type-and-size-only"},
            "TypeAndSizeOnlyScanner()",
        ),
        ({"CLAMD_HOST": "clamav", "EVIDENCE_SCANNER": "clamd"}, "ClamdScanner('clamav:3310')"),
    ],
)
def test_get_scanner_chooses_clamd_only_when_it_is_configured(overrides, expected):
    settings = {"EVIDENCE_SCANNER": "auto", "CLAMD_SOCKET": "", "CLAMD_HOST": "", **overrides}
    with override_settings(**settings):
        scanner = get_scanner()

    shown = repr(scanner) if isinstance(scanner, ClamdScanner) else f"{type(scanner).__name__}()"
    assert shown == expected


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ("clamd", "EVIDENCE_SCANNER is clamd: set CLAMD_SOCKET or CLAMD_HOST."),
        ("clamav", "EVIDENCE_SCANNER is 'clamav': use auto, clamd or type-and-size-only."),
    ],
)
def test_get_scanner_refuses_a_scanner_it_cannot_provide(choice, message):
    with (
        override_settings(EVIDENCE_SCANNER=choice, CLAMD_SOCKET="", CLAMD_HOST=""),
        pytest.raises(ImproperlyConfigured) as raised,
    ):
        get_scanner()

    assert str(raised.value) == message
