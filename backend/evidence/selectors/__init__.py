"""Reads for the evidence library. Every function starts from tenancy.access."""

from .audience import (
    Audience,
    Person,
    WhoCanSee,
    restricted_access_list,
    restricted_candidates,
    who_can_see,
)
from .items import (
    SORTS,
    EvidenceRow,
    ItemPermissions,
    LibraryPermissions,
    evidence_get,
    evidence_list,
    evidence_permissions,
    library_permissions,
    shareable_review_list,
)
from .log import ACCESS_ACTIONS, access_log
from .reviews import (
    Coverage,
    CoverageRow,
    ReviewEvidencePermissions,
    coverage,
    document_request_list,
    document_request_permissions,
    review_evidence_permissions,
)

__all__ = [
    "ACCESS_ACTIONS",
    "SORTS",
    "Audience",
    "Coverage",
    "CoverageRow",
    "EvidenceRow",
    "ItemPermissions",
    "LibraryPermissions",
    "Person",
    "ReviewEvidencePermissions",
    "WhoCanSee",
    "access_log",
    "coverage",
    "document_request_list",
    "document_request_permissions",
    "evidence_get",
    "evidence_list",
    "evidence_permissions",
    "library_permissions",
    "restricted_access_list",
    "restricted_candidates",
    "review_evidence_permissions",
    "shareable_review_list",
    "who_can_see",
]
