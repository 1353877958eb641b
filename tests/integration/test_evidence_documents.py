"""The document path, end to end with the real upload checks and scan task: a
checked file is stored under a server-generated name, the item is "scanning" and
its scan runs after commit; a refused file (oversize, a renamed ZIP, a type not on
the list) writes nothing; a Ready file reaches the review team only in its window."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from audit.models import AuditEvent
from core.errors import NotFound, ValidationFailed
from evidence import services
from evidence.models import EvidenceItem
from evidence.uploads import FileTooLarge, UnsupportedFileType
from tenancy.access import actor_for
from tests.evidence_factories import fieldwork

pytestmark = pytest.mark.django_db

PDF = (
    b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
    b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
    b"trailer <</Root 1 0 R>>\n%%EOF\n"
)
SERVER_NAME = re.compile(r"^evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "not a pdf")
    return buffer.getvalue()


def _add_document(world, name="threshold.pdf", data=PDF, **fields):
    return services.evidence_add(
        actor=actor_for(world.salford_member),
        partnership_id=world.salford.pk,
        upload=SimpleUploadedFile(name, data, content_type="application/pdf"),
        **{"kind": "document", "title": "Threshold document", **fields},
    )


def test_a_document_is_stored_under_a_server_name_and_scanned_after_commit(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = _add_document(world, name="../../etc/threshold.pdf")
    item.refresh_from_db()
    assert item.scan_status == "scanning"  # nothing is scanned before commit
    assert SERVER_NAME.match(str(item.file.name))
    assert (item.original_name, item.content_type, item.size) == (
        "threshold.pdf",
        "application/pdf",
        len(PDF),
    )
    with default_storage.open(item.file.name) as stored:
        assert stored.read() == PDF
    assert AuditEvent.objects.get(action="create").detail["file"] is True

    for callback in callbacks:  # the commit: the scan task runs (inline in tests)
        callback()
    item.refresh_from_db()
    assert item.scan_status == "ready"


@pytest.mark.parametrize(
    ("name", "data", "error", "status", "message"),
    [
        pytest.param(
            "renamed.pdf",
            _zip(),
            UnsupportedFileType,
            415,
            "The selected file is a ZIP archive, not a PDF",
            id="renamed-zip",
        ),
        pytest.param(
            "tool.exe",
            b"MZ\x90\x00",
            UnsupportedFileType,
            415,
            "The selected file must be a PDF, DOCX, XLSX, PPTX, CSV, TXT, PNG or JPEG",
            id="not-on-the-list",
        ),
    ],
)
def test_a_refused_file_keeps_its_own_error_and_nothing_is_written(
    world, name, data, error, status, message
):
    with pytest.raises(error) as caught:
        _add_document(world, name=name, data=data)
    assert caught.value.status_code == status
    assert caught.value.field_errors == {"file": [message]}
    assert not EvidenceItem.objects.exists()
    assert not AuditEvent.objects.exists()


@override_settings(EVIDENCE_MAX_UPLOAD_BYTES=64)
def test_an_oversize_file_is_refused_with_the_limit_and_nothing_is_written(world):
    with pytest.raises(FileTooLarge) as caught:
        _add_document(world)
    assert caught.value.status_code == 413
    assert caught.value.field_errors == {
        "file": ["The selected file must be smaller than 64 bytes"]
    }
    assert not EvidenceItem.objects.exists()


def test_a_refused_file_joins_the_other_field_errors(world):
    with pytest.raises(ValidationFailed) as caught:
        _add_document(world, name="renamed.pdf", data=_zip(), title="")
    assert caught.value.field_errors == {
        "title": ["Enter a title"],
        "file": ["The selected file is a ZIP archive, not a PDF"],
    }
    assert not EvidenceItem.objects.exists()


def test_data_may_come_with_a_file(world):
    item = services.evidence_add(
        actor=actor_for(world.salford_member),
        partnership_id=world.salford.pk,
        kind="data",
        title="Re-referral rates",
        upload=SimpleUploadedFile("figures.pdf", PDF),
    )
    assert item.scan_status == "scanning"
    assert SERVER_NAME.match(str(item.file.name))


def test_deleting_a_document_removes_its_file_after_commit(
    world, django_capture_on_commit_callbacks
):
    item = _add_document(world)
    name = item.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_delete(actor=actor_for(world.salford_member), item_id=item.pk)
        assert default_storage.exists(name)
    assert not default_storage.exists(name)


def test_a_scanned_document_is_shared_downloaded_in_the_window_and_then_not_found(
    world, django_capture_on_commit_callbacks
):
    work = fieldwork(world)
    with django_capture_on_commit_callbacks(execute=True):
        item = _add_document(world)
    services.evidence_share(
        actor=actor_for(world.salford_manager), item_ids=[item.pk], review_id=work.review.pk
    )
    with time_machine.travel(work.during, tick=False):
        download = services.evidence_download(
            actor=actor_for(world.bolton_manager), item_id=item.pk
        )
    with download.file as handle:
        assert handle.read() == PDF
    assert (download.filename, download.content_type) == ("threshold.pdf", "application/pdf")
    with time_machine.travel(work.closes, tick=False), pytest.raises(NotFound):
        services.evidence_download(actor=actor_for(world.bolton_manager), item_id=item.pk)
