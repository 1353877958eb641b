"""The scan task: a stored file is read back through the storage API and scanned,
the item becomes "ready" or "failed" with the scanner's detail, the verdict is
audited in the owner's log, and a rerun changes nothing. Tasks run inline (eager)."""

from __future__ import annotations

import io
import zipfile

import pytest
from celery.exceptions import Retry
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import override_settings

from audit.models import AuditEvent
from evidence import tasks
from evidence.models import EvidenceItem
from evidence.tasks import scan_evidence_file
from evidence.uploads import ScannerUnavailable, ScanResult
from tests.evidence_factories import make_item
from tests.fake_clamd import MARKER, fake_clamd

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <</Root 1 0 R>>\n%%EOF\n"
NO_CLAMD = {"EVIDENCE_SCANNER": "auto", "CLAMD_SOCKET": "", "CLAMD_HOST": ""}


def stored_item(world, data: bytes = PDF, *, partnership=None, extension="pdf") -> EvidenceItem:
    """An item whose file is in storage and waiting for its scan, as evidence_add
    leaves it."""
    item = make_item(world, partnership, kind="document", title="Threshold document")
    item.file.name = default_storage.save(
        f"evidence/2026/03/{item.pk:032x}.{extension}", ContentFile(data)
    )
    item.original_name = f"threshold.{extension}"
    item.scan_status = EvidenceItem.ScanStatus.SCANNING
    item.save()
    return item


def scan_events(item: EvidenceItem) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="evidence.EvidenceItem", object_id=str(item.pk))
    )


def clamd_at(address: str) -> override_settings:
    host, _, port = address.rpartition(":")
    return override_settings(
        EVIDENCE_SCANNER="auto", CLAMD_SOCKET="", CLAMD_HOST=host, CLAMD_PORT=int(port)
    )


@override_settings(**NO_CLAMD)
def test_without_clamd_a_file_that_passes_the_checks_becomes_ready_and_says_it_was_not_scanned(
    world,
):
    item = stored_item(world)

    assert scan_evidence_file.delay(item.pk).get() == "ready"

    item.refresh_from_db()
    assert (item.scan_status, item.scan_detail) == (
        "ready",
        "Not scanned for viruses (no scanner is configured); type and size checked",
    )
    [event] = scan_events(item)
    assert (event.action, event.actor_id, event.owning_partnership_id) == (
        "transition",
        None,
        world.salford.pk,
    )
    assert event.detail == {
        "kind": "document",
        "from": "scanning",
        "to": "ready",
        "scanner": "TypeAndSizeOnlyScanner",
    }


@override_settings(**NO_CLAMD)
def test_without_clamd_a_stored_file_that_fails_the_checks_fails(world):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("a.txt", "hello")
    item = stored_item(world, archive.getvalue())

    scan_evidence_file.delay(item.pk)

    item.refresh_from_db()
    assert (item.scan_status, item.scan_detail) == (
        "failed",
        "The selected file is a ZIP archive, not a PDF",
    )


def test_clamd_clears_a_clean_file(world):
    item = stored_item(world)

    with fake_clamd() as clamd, clamd_at(clamd.address):
        scan_evidence_file.delay(item.pk)

    item.refresh_from_db()
    assert (item.scan_status, item.scan_detail) == ("ready", "ClamAV found no virus")
    assert clamd.received == [PDF]  # read back from storage, byte for byte
    assert scan_events(item)[0].detail["scanner"] == "ClamdScanner"


def test_clamd_fails_an_infected_file_and_the_verdict_goes_to_its_owners_log(world):
    salford_item = stored_item(world, PDF + MARKER)
    bolton_item = stored_item(world, partnership=world.bolton)

    with fake_clamd() as clamd, clamd_at(clamd.address):
        scan_evidence_file.delay(salford_item.pk)
        scan_evidence_file.delay(bolton_item.pk)

    salford_item.refresh_from_db()
    bolton_item.refresh_from_db()
    assert (salford_item.scan_status, salford_item.scan_detail) == (
        "failed",
        "ClamAV found Eicar-Signature",
    )
    assert bolton_item.scan_status == "ready"
    [salford_event] = scan_events(salford_item)
    [bolton_event] = scan_events(bolton_item)
    assert (salford_event.owning_partnership_id, salford_event.detail["to"]) == (
        world.salford.pk,
        "failed",
    )
    assert (bolton_event.owning_partnership_id, bolton_event.detail["to"]) == (
        world.bolton.pk,
        "ready",
    )


@override_settings(**NO_CLAMD)
def test_a_rerun_leaves_a_scanned_item_alone(world):
    item = stored_item(world)
    scan_evidence_file.delay(item.pk)
    events = AuditEvent.objects.count()

    assert scan_evidence_file.delay(item.pk).get() == "skipped"

    item.refresh_from_db()
    assert item.scan_status == "ready"
    assert AuditEvent.objects.count() == events


@override_settings(**NO_CLAMD)
def test_an_item_without_a_file_or_that_no_longer_exists_is_skipped(world):
    note = make_item(world, kind="other", title="A note")
    events = AuditEvent.objects.count()

    assert scan_evidence_file.delay(note.pk).get() == "skipped"
    assert scan_evidence_file.delay(10**9).get() == "skipped"

    note.refresh_from_db()
    assert note.scan_status == ""
    assert AuditEvent.objects.count() == events


def test_a_verdict_on_a_file_replaced_during_the_scan_is_not_written(world, monkeypatch):
    item = stored_item(world)

    class ReplacingScanner:
        """Stands for a slow scan during which the item's file is replaced."""

        def scan(self, fileobj):
            EvidenceItem.objects.filter(pk=item.pk).update(file="evidence/2026/03/new.pdf")
            return ScanResult(clean=True, detail="ClamAV found no virus")

    monkeypatch.setattr(tasks, "get_scanner", ReplacingScanner)

    assert scan_evidence_file.delay(item.pk).get() == "skipped"

    item.refresh_from_db()
    assert item.scan_status == "scanning"
    assert scan_events(item) == []


def test_an_unreachable_clamd_schedules_a_retry_and_leaves_the_item_scanning(world):
    item = stored_item(world)
    with fake_clamd() as clamd:
        address = clamd.address  # nothing listens there once the server stops

    # Eager tasks with errors propagating hand the retry to the caller.
    with clamd_at(address), pytest.raises(Retry) as retry:
        scan_evidence_file.delay(item.pk)

    assert isinstance(retry.value.exc, ScannerUnavailable)

    item.refresh_from_db()
    assert (item.scan_status, item.scan_detail) == ("scanning", "")
    assert scan_events(item) == []
