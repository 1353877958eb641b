"""Writes for the evidence library, one module per sub-domain."""

from .items import (
    evidence_add,
    evidence_delete,
    evidence_update,
    review_evidence_add,
    stuck_scans_requeue,
)
from .reading import Download, evidence_download, evidence_listed, evidence_viewed
from .requests import document_request_create, document_request_withdraw
from .restricted import evidence_restrict_grant, evidence_restrict_revoke
from .sharing import evidence_grants_sweep, evidence_share, evidence_unshare

__all__ = [
    "Download",
    "document_request_create",
    "document_request_withdraw",
    "evidence_add",
    "evidence_delete",
    "evidence_download",
    "evidence_grants_sweep",
    "evidence_listed",
    "evidence_restrict_grant",
    "evidence_restrict_revoke",
    "evidence_share",
    "evidence_unshare",
    "evidence_update",
    "evidence_viewed",
    "review_evidence_add",
    "stuck_scans_requeue",
]
