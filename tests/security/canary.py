"""The canary leak hunt's data (SECURITY.md section 1): which tables hold the owning
partnership's text, whose visibility decides who may read each row, what is not
seeded and why, and how a marker reads.

Every free-text field (a CharField, TextField or URLField without choices) of every
tenant table gets, on every row of the owning partnership, a marker naming the row:
`CANARY-<model>-<field>-<pk>-END`. A response may carry a marker only when the caller
may see that row's gate: the row itself for a table in `ROLE_MAPS`, or the parent it
hangs off for a child table (the areas of a handbook version, the team of a review).
Who may see a gate row is written down here from the product's rules
(`who_may_see`), not asked of the chokepoint under test; a test checks that
`tenancy.access.visible` agrees with it.

`test_canary.py` seeds the matrix world (principals.py) this way, calls every GET
route and every GraphQL query field as each principal, and fails on any marker the
principal may not see.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q

from tenancy.access import ROLE_MAPS

from .principals import GROUPS, REVIEWER_OPEN, MatrixWorld

REPORT_FILE = Path(__file__).resolve().parents[2] / ".data" / "canary.json"


# --- markers ------------------------------------------------------------------------------


def marker(model: type[models.Model], field_name: str, pk: object) -> str:
    return f"CANARY-{model._meta.model_name}-{field_name}-{pk}-END"


# A marker, or any truncation of one down to "canary-<letter>" (a template that
# shortens a title must not hide a leak): matched case-insensitively.
MARKER_RE = re.compile(r"canary-[a-z]+(?:-[a-z_]*(?:-\d*(?:-(?:e(?:nd?)?)?)?)?)?", re.IGNORECASE)


def markers_in(text: str) -> set[str]:
    return {match.lower() for match in MARKER_RE.findall(text)}


def forbidden(found: Iterable[str], allowed: set[str]) -> set[str]:
    """Markers found that the principal may not see. A truncated marker passes only
    if it is the beginning of one it may see."""
    bad = set()
    for text in found:
        if text in allowed:
            continue
        if text.endswith("-end") or not any(full.startswith(text) for full in allowed):
            bad.add(text)
    return bad


# --- what is seeded -----------------------------------------------------------------------


@dataclass(frozen=True)
class Gate:
    """A table's rows are seeded and judged through the row at `path` (an ORM path to
    the primary key of a `ROLE_MAPS` model `label`); "pk" for a table in ROLE_MAPS."""

    label: str
    path: str = "pk"


# Every tenant table, with the row whose visibility decides who may read it.
PLAN: dict[str, Gate] = {
    "tenancy.Partnership": Gate("tenancy.Partnership"),
    "tenancy.Membership": Gate("tenancy.Membership"),
    "tenancy.AccessWindow": Gate("reviews.Review", "group__review"),
    "handbooks.Handbook": Gate("handbooks.Handbook"),
    "handbooks.HandbookVersion": Gate("handbooks.HandbookVersion"),
    "handbooks.Objective": Gate("handbooks.HandbookVersion", "version"),
    "handbooks.AreaOfFocus": Gate("handbooks.HandbookVersion", "version"),
    "handbooks.LineOfEnquiry": Gate("handbooks.HandbookVersion", "area__version"),
    "handbooks.BaselineReference": Gate("handbooks.HandbookVersion", "version"),
    "reviews.Exchange": Gate("reviews.Exchange"),
    "reviews.ExchangeParty": Gate("reviews.ExchangeParty"),
    "reviews.Review": Gate("reviews.Review"),
    "reviews.ReviewObjective": Gate("reviews.Review", "review"),
    "reviews.ReviewArea": Gate("reviews.Review", "review"),
    "reviews.Phase": Gate("reviews.Review", "review"),
    "reviews.PhaseChange": Gate("reviews.Review", "phase__review"),
    "reviews.PhaseReminder": Gate("reviews.Review", "phase__review"),
    "reviews.TeamMember": Gate("reviews.Review", "review"),
    # An invitee's name and email are like a member's: the review's viewers may see them
    # (the chokepoint shows them to the reviewing leads only; test_team_invitations).
    "reviews.TeamInvitation": Gate("reviews.Review", "review"),
    "evidence.EvidenceItem": Gate("evidence.EvidenceItem"),
    "evidence.EvidenceShare": Gate("evidence.EvidenceItem", "item"),
    "evidence.DocumentRequest": Gate("evidence.DocumentRequest"),
    "findings.Finding": Gate("findings.Finding"),
    "findings.Quote": Gate("findings.Quote"),
    "findings.FindingComment": Gate("findings.FindingComment"),
    "findings.ModerationMeeting": Gate("findings.ModerationMeeting"),
    "findings.ModerationDecision": Gate("findings.ModerationDecision"),
    "findings.SuccessCriterion": Gate("findings.SuccessCriterion"),
    "findings.CriterionAssessment": Gate("findings.CriterionAssessment"),
    "findings.Recommendation": Gate("findings.Recommendation"),
    "findings.Action": Gate("findings.Action"),
    "budgets.Budget": Gate("budgets.Budget"),
    "budgets.Contribution": Gate("budgets.Budget", "budget"),
    "budgets.OtherIncome": Gate("budgets.Budget", "budget"),
    "budgets.Spending": Gate("budgets.Budget", "budget"),
    "surveys.Survey": Gate("surveys.Survey"),
    "surveys.SurveyQuestion": Gate("surveys.Survey", "survey"),
    "surveys.Invitation": Gate("surveys.Survey", "survey"),
    "surveys.Response": Gate("surveys.Survey", "survey"),
    # Free-text answers are as sensitive as evidence: the survey's readers only.
    "surveys.Answer": Gate("surveys.Survey", "response__survey"),
    "surveys.Baseline": Gate("surveys.Survey", "survey"),
    "surveys.BaselineCount": Gate("surveys.Survey", "baseline__survey"),
}

# Tables of the project that hold text but are not a partnership's own data.
NOT_TENANT: dict[str, str] = {
    "accounts.User": (
        "a person, not a partnership's data: a user may belong to several partnerships "
        "or none (advisers), and review teams and partners see each other's names and "
        "emails by design"
    ),
    "accounts.ApiToken": (
        "a user's own credential, not a partnership's; the matrix rows accounts:token* "
        "and accounts-api:token-* check that only its owner reaches it"
    ),
    "surveys.BankQuestion": (
        "the shared question bank: the same wording for every partnership (so results "
        "compare), kept by platform staff; it holds no partnership's data"
    ),
    "tenancy.Alliance": "a region shared by all its partnerships; its name is public to them",
    "tenancy.Organisation": (
        "a statutory partner (police, council, health) that serves several partnerships: "
        "a shared directory"
    ),
    "findings.ThemeTag": (
        "the controlled vocabulary of themes shared by every partnership, loaded by a data "
        "migration so that benchmarks count the same codes everywhere"
    ),
    "core.OutboxMessage": (
        "messages waiting to leave (tasks, emails): no route or GraphQL field reads them; "
        "the relay sends each email to its one recipient, and the admin list shows staff "
        "the kind, key and status, never the payload (tests/unit/test_outbox.py)"
    ),
    "core.IdempotencyKey": (
        "the first answer to a keyed POST, replayed only to the user it was given to "
        "(tests/integration/test_idempotency.py: keys belong to their user)"
    ),
    "audit.AuditEvent": (
        "append-only (its queryset refuses updates), and holds ids, emails, enums and "
        "hashes, no typed text; who reads the events is its own test"
    ),
}

# Apps whose models are test fixtures, not product tables.
TEST_APPS = {"fixtures_app": "test-only models of tests/fixtures_app for the chokepoint's rules"}

# Free-text fields of tenant tables that are deliberately not seeded.
SKIPS: dict[tuple[str, str], str] = {
    ("tenancy.Partnership", "name"): (
        "the partnership directory: every lead picks partners by name on the exchange "
        "form, and each review and exchange names its parties"
    ),
    ("tenancy.Partnership", "slug"): "in URLs (partnership pages, the partnership query)",
    ("tenancy.AccessWindow", "reason"): (
        "written by the system ('Review team: <review>'), never typed by anyone; platform "
        "staff read it in the admin, where they administer access windows"
    ),
    ("evidence.EvidenceItem", "content_type"): (
        "the MIME type the upload check detected, from an allow-list; downloads send it "
        "as the Content-Type header"
    ),
    ("evidence.EvidenceItem", "sha256"): "a digest the server computes, not typed text",
    ("surveys.Survey", "open_token_hash"): "a SHA-256 digest of a link's token, never shown",
    ("surveys.Invitation", "token_hash"): "a SHA-256 digest of a link's token, never shown",
    ("surveys.Answer", "choice"): (
        "an option code of the question's scale (surveys.scales), checked by the services; "
        "results count it, never show it as text"
    ),
    ("surveys.BaselineCount", "code"): "a code of the shared question bank, checked by the service",
    ("reviews.TeamInvitation", "email"): (
        "an address, not free text (a marker is not a valid email); the invitee's name is "
        "seeded in its place"
    ),
    ("reviews.TeamInvitation", "token_hash"): (
        "the SHA-256 of an invitation link's token, computed by the server, never shown"
    ),
}

# Fields seeded on some rows only, and why.
ROW_FILTERS: dict[tuple[str, str], tuple[Q, str]] = {
    ("evidence.EvidenceItem", "interviewee_name"): (
        Q(name_consented=True),
        "a name is stored only with the interviewee's consent (a check constraint)",
    ),
}

CHOICES_REASON = "one of a fixed list of values (choices), not free text"
SEEDABLE = (models.CharField, models.TextField, models.URLField)


def _is_text(f: models.Field[Any, Any]) -> bool:
    return isinstance(f, models.CharField | models.TextField | models.JSONField)


def project_models() -> list[type[models.Model]]:
    """Models of the product's own apps (backend/) and of test apps."""
    backend = Path(settings.BACKEND_DIR).resolve()
    found: list[type[models.Model]] = []
    for config in apps.get_app_configs():
        if backend in Path(config.path).resolve().parents or config.label in TEST_APPS:
            found.extend(config.get_models())
    return found


def text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if _is_text(f)]


def seeded_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields the canary writes on a planned table: free text, not skipped."""
    label = model._meta.label
    return [
        f
        for f in text_fields(model)
        if type(f) in SEEDABLE and not f.choices and (label, f.name) not in SKIPS
    ]


def classify(model: type[models.Model]) -> tuple[dict[str, str], list[str]]:
    """For a planned table: each text field's reason for not being seeded, and the
    text fields nobody has classified (neither seedable nor skipped with a reason)."""
    label = model._meta.label
    reasons: dict[str, str] = {}
    unknown: list[str] = []
    seeded = {f.name for f in seeded_fields(model)}
    for f in text_fields(model):
        if f.name in seeded:
            continue
        if (label, f.name) in SKIPS:
            reasons[f.name] = SKIPS[(label, f.name)]
        elif f.choices:
            reasons[f.name] = CHOICES_REASON
        else:
            unknown.append(f"{label}.{f.name} ({type(f).__name__})")
    return reasons, unknown


def value_for(f: models.Field[Any, Any], text: str) -> str:
    if isinstance(f, models.URLField):
        return f"https://example.org/{text}"
    if f.name == "original_name":
        return f"{text}.txt"
    return text


def owned_rows(model: type[models.Model], owner_id: int) -> models.QuerySet[Any]:
    """The rows of a ROLE_MAPS table that the owner takes part in: any side of the role
    map names it (its own handbook, a review of it or by it, an exchange it is party to,
    a review team's notes on it)."""
    role_map = ROLE_MAPS[model._meta.label]
    condition = Q()
    for side in role_map.sides:
        condition |= Q(**{side.partnership_path: owner_id})
    return model._default_manager.filter(
        pk__in=model._default_manager.filter(condition).values("pk")
    )


# --- who may see what: the oracle ------------------------------------------------------------
#
# The allowed markers must not come from the code under test: a chokepoint that let
# everyone see everything would also say that everyone may see everything. So who may
# see each gate row is written here from the product's rules (SECURITY.md section 1,
# ARCHITECTURE.md section 4) and the world's data, and a test checks that the
# chokepoint agrees with it for every principal and every seeded gate row.


def who_may_see(label: str, pk: int, world: MatrixWorld) -> frozenset[str]:
    """The principals who may see one gate row of the owner's (see principals.py)."""
    from evidence.models import DocumentRequest, EvidenceItem, EvidenceShare
    from handbooks.models import Handbook, HandbookVersion
    from reviews.models import Exchange, ExchangeParty, Review

    owners = frozenset(GROUPS["owners"])
    both = owners | frozenset(GROUPS["reviewing"])  # Salford and Bolton
    team = frozenset({REVIEWER_OPEN})  # the review team of Salford's review, window open

    def review_viewers(review: Review) -> frozenset[str]:
        # Both partnerships; the team of the review of Salford (the closed window's
        # reviewer has left the team's group).
        assert {review.reviewed_partnership_id, review.reviewing_partnership_id} == {
            world.owner.pk,
            world.reviewing.pk,
        }, "the canary's rules know only reviews between Salford and Bolton"
        return both | team if review.pk == world.review.pk else both

    if label in ("tenancy.Partnership", "tenancy.Membership", "budgets.Budget"):
        # A budget: its own partnership's members, and nobody else at all.
        return owners
    if label in ("handbooks.Handbook", "handbooks.HandbookVersion"):
        handbook = (
            Handbook.objects.get(pk=pk)
            if label == "handbooks.Handbook"
            else HandbookVersion.objects.get(pk=pk).handbook
        )
        assert handbook.visibility == Handbook.Visibility.PRIVATE, "only private handbooks"
        return owners
    if label in ("reviews.Exchange", "reviews.ExchangeParty"):
        exchange = (
            Exchange.objects.get(pk=pk)
            if label == "reviews.Exchange"
            else ExchangeParty.objects.get(pk=pk).exchange
        )
        parties = set(exchange.parties.values_list("partnership_id", flat=True))
        assert parties | {exchange.partnership_id} == {world.owner.pk, world.reviewing.pk}
        return both
    if label == "reviews.Review":
        return review_viewers(Review.objects.get(pk=pk))
    if label == "evidence.DocumentRequest":
        return review_viewers(DocumentRequest.objects.get(pk=pk).review)
    if label == "evidence.EvidenceItem":
        item = EvidenceItem.objects.get(pk=pk)
        if item.review_id is not None:
            # A review team's own note: the team while its window is open; the reviewed
            # partnership's leads only once the review is published.
            assert item.review_id == world.review.pk
            assert world.review.status not in ("published", "closed")
            return team
        readers = owners
        if item.sensitivity == EvidenceItem.Sensitivity.RESTRICTED:
            # Only the owner's people granted it one by one.
            granted = set(
                item.evidenceitemuserobjectpermission_set.values_list("user_id", flat=True)
            )
            readers = frozenset(p for p in owners if world.users[p].pk in granted)
        if EvidenceShare.objects.filter(item=item, review=world.review).exists():
            readers |= team  # the live grant
        return readers
    if label == "surveys.Survey":
        from surveys.models import Survey

        # The surveyed partnership; the review team while its window is open.
        survey = Survey.objects.get(pk=pk)
        assert survey.partnership_id == world.owner.pk
        return owners | team if survey.review_id == world.review.pk else owners
    if label.startswith("findings."):
        return _findings_readers(label, pk, world, team)
    raise KeyError(f"{label}: say in canary.who_may_see who may see its rows")


def _findings_readers(
    label: str, pk: int, world: MatrixWorld, team: frozenset[str]
) -> frozenset[str]:
    """Findings and what hangs off them: the review team (window open) and the
    reviewing partnership's lead, who runs the review; the reviewed partnership's
    lead only for a published finding (or an agreed one during a factual-accuracy
    check while the review is reporting). Moderation records: never the reviewed
    partnership."""
    from findings.models import (
        Finding,
        FindingComment,
        ModerationDecision,
        ModerationMeeting,
        Quote,
    )

    from .principals import OWNER_LEAD, REVIEWING_LEAD

    runs = team | {REVIEWING_LEAD}
    published = world.review.status in ("published", "closed")
    if label == "findings.SuccessCriterion":
        # The partnership's own statements: all its members, the team, Bolton's lead.
        return frozenset(GROUPS["owners"]) | runs
    if label == "findings.Action":
        return frozenset(GROUPS["owners"]) | {REVIEWING_LEAD}
    if label in ("findings.CriterionAssessment", "findings.Recommendation"):
        return runs | {OWNER_LEAD} if published else runs
    if label in ("findings.ModerationMeeting", "findings.ModerationDecision"):
        row = (
            ModerationMeeting.objects.get(pk=pk)
            if label == "findings.ModerationMeeting"
            else ModerationDecision.objects.get(pk=pk).meeting
        )
        assert row.review_id == world.review.pk
        return runs
    if label == "findings.FindingComment":
        finding = FindingComment.objects.get(pk=pk).finding
        review_status = finding.review.status
        return (
            runs | {OWNER_LEAD} if review_status in ("reporting", "published", "closed") else runs
        )
    finding = (
        Finding.objects.get(pk=pk)
        if label == "findings.Finding"
        else Quote.objects.get(pk=pk).finding
    )
    assert finding.review_id == world.review.pk
    review = finding.review
    checking = (
        finding.status == "agreed"
        and review.status == "reporting"
        and review.handbook_version.factual_accuracy_check
    )
    if finding.status == "published" or checking:
        return runs | {OWNER_LEAD}
    return runs


# --- leaks known and not yet fixed --------------------------------------------------------


@dataclass(frozen=True)
class KnownLeak:
    """A leak the canary found that is waiting for its fix. Its markers are reported
    but excused; once the fix lands it is no longer seen and the canary fails until
    the entry is deleted (like a strict xfail)."""

    principal: str
    target: re.Pattern[str]  # matched against "GET <url>" / "graphql <field> <variables>"
    reason: str


# Leaks the canary has found and that are not fixed yet, each with its reason. Empty:
# the admin's delete pages leaked related rows' names until core.admin.CountsNotNamesOnDelete.
KNOWN_LEAKS: tuple[KnownLeak, ...] = ()


def known_leak(principal: str, target: str) -> KnownLeak | None:
    for leak in KNOWN_LEAKS:
        if leak.principal == principal and leak.target.search(target):
            return leak
    return None


# --- the report ---------------------------------------------------------------------------


@dataclass
class Report:
    """What the canary checked in this session, printed at the end."""

    routes: set[str] = field(default_factory=set)
    fields: set[str] = field(default_factory=set)
    principals: set[str] = field(default_factory=set)
    requests: int = 0
    requests_by_principal: dict[str, int] = field(default_factory=dict)
    markers_seeded: int = 0
    seen: dict[str, set[str]] = field(default_factory=dict)  # allowed markers met, per principal
    unfilled: set[str] = field(default_factory=set)  # routes called with a sample URL
    leaks: list[tuple[str, str, str]] = field(default_factory=list)  # principal, target, marker
    excused: list[tuple[str, str, str]] = field(default_factory=list)  # known leaks seen

    def line(self) -> str:
        line = (
            f"Canary: {len(self.routes)} routes and {len(self.fields)} GraphQL fields checked "
            f"for {len(self.principals)} principals, {len(self.leaks)} leaks"
        )
        if self.excused:
            pages = len({target for _, target, _ in self.excused})
            line += (
                f" ({len(self.excused)} markers on {pages} pages excused as known leaks, "
                "canary.KNOWN_LEAKS)"
            )
        return line


REPORT = Report()


class _Reporter:
    """A plugin registered by the canary's fixture, so that its line is printed at the
    end of the run (the way tests/security/conftest.py prints the isolation matrix's)."""

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not REPORT.principals:
            return
        terminalreporter.write_line(REPORT.line())
        terminalreporter.write_line(
            f"  {REPORT.requests} requests; {REPORT.markers_seeded} markers seeded; allowed "
            "markers seen: "
            + ", ".join(f"{name} {len(seen)}" for name, seen in sorted(REPORT.seen.items()))
        )
        if REPORT.unfilled:
            terminalreporter.write_line(
                "  no matrix row to name the owner's objects (called with a sample URL, or not "
                "at all for a field with required arguments): " + ", ".join(sorted(REPORT.unfilled))
            )
        for principal, target, text in REPORT.leaks[:50]:
            terminalreporter.write_line(f"  leak: {principal} got {text} from {target}")
        for leak in KNOWN_LEAKS:
            terminalreporter.write_line(f"  known leak ({leak.principal}): {leak.reason}")
        REPORT_FILE.parent.mkdir(parents=True, exist_ok=True)
        REPORT_FILE.write_text(
            json.dumps(
                {
                    "routes": sorted(REPORT.routes),
                    "graphql_fields": sorted(REPORT.fields),
                    "principals": sorted(REPORT.principals),
                    "requests": REPORT.requests,
                    "requests_by_principal": REPORT.requests_by_principal,
                    "markers_seeded": REPORT.markers_seeded,
                    "allowed_markers_seen": {p: len(seen) for p, seen in REPORT.seen.items()},
                    "routes_with_sample_urls": sorted(REPORT.unfilled),
                    "leaks": [
                        {"principal": p, "target": t, "marker": m} for p, t, m in REPORT.leaks
                    ],
                    "known_leaks_seen": [
                        {"principal": p, "target": t, "marker": m} for p, t, m in REPORT.excused
                    ],
                },
                indent=2,
            )
        )


def register_reporter(config: pytest.Config) -> None:
    name = "security-canary-report"
    if config.pluginmanager.get_plugin(name) is None:
        config.pluginmanager.register(_Reporter(), name)
