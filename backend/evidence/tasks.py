"""Background work for evidence. Each task takes ids and is safe to rerun."""

from __future__ import annotations

from django.db import transaction

from core.tasks import project_task

from .models import EvidenceItem
from .services import evidence_grants_sweep, stuck_scans_requeue
from .services.common import record_item
from .uploads import get_scanner
from .uploads.scanners import DETAIL_LENGTH

SCANNING = EvidenceItem.ScanStatus.SCANNING


@project_task()
def scan_evidence_file(item_id: int) -> str:
    """Scan an item's stored file and record the verdict: "ready" (downloadable) or
    "failed", with the scanner's detail, and an audit event in the owner's log.

    Idempotent: an item that is no longer "scanning" (already scanned, or deleted) is
    left alone, and so is one whose file was replaced while this scan ran (the new
    file has a scan of its own queued). When the scanner cannot be reached the task
    is retried (ScannerUnavailable is transient) and the item stays "scanning"."""
    item = EvidenceItem.objects.filter(pk=item_id, scan_status=SCANNING).first()
    if item is None or not item.file:
        return "skipped"
    scanned_name = item.file.name
    scanner = get_scanner()
    # Read through the storage API, so a remote storage works the same as a disk.
    with item.file.open("rb") as stored:
        result = scanner.scan(stored)
    # The scan can take a while; the verdict is written only if nothing moved meanwhile.
    with transaction.atomic():
        item = (
            EvidenceItem.objects.select_for_update()
            .filter(pk=item_id, scan_status=SCANNING)
            .first()
        )
        if item is None or item.file.name != scanned_name:
            return "skipped"
        item.scan_status = (
            EvidenceItem.ScanStatus.READY if result.clean else EvidenceItem.ScanStatus.FAILED
        )
        item.scan_detail = result.detail[:DETAIL_LENGTH]
        item.save(update_fields=["scan_status", "scan_detail"])
        record_item(
            None,
            "transition",
            item,
            **{"from": SCANNING.value, "to": item.scan_status, "scanner": type(scanner).__name__},
        )
    return str(item.scan_status)


@project_task(soft_time_limit=120, time_limit=180)
def sweep_evidence_grants() -> int:
    """Delete the team grants left on evidence shared with reviews that are now
    closed, and return how many went (scheduled every 15 minutes in
    CELERY_BEAT_SCHEDULE). Idempotent: a rerun finds nothing and returns 0."""
    return evidence_grants_sweep()


@project_task(soft_time_limit=120, time_limit=180)
def requeue_stuck_scans() -> int:
    """Queue again the scans the broker lost (items "scanning" for too long, with no
    scan on its way); scheduled every 5 minutes. Idempotent."""
    return stuck_scans_requeue()
