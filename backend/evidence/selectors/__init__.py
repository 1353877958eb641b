"""Reads for the evidence library. Every function starts from tenancy.access."""

from .audience import Audience, Person, WhoCanSee, who_can_see
from .items import (
    SORTS,
    EvidenceRow,
    ItemPermissions,
    evidence_get,
    evidence_list,
    evidence_permissions,
)
from .log import ACCESS_ACTIONS, access_log
from .reviews import Coverage, CoverageRow, coverage, document_request_list

__all__ = [
    "ACCESS_ACTIONS",
    "SORTS",
    "Audience",
    "Coverage",
    "CoverageRow",
    "EvidenceRow",
    "ItemPermissions",
    "Person",
    "WhoCanSee",
    "access_log",
    "coverage",
    "document_request_list",
    "evidence_get",
    "evidence_list",
    "evidence_permissions",
    "who_can_see",
]
