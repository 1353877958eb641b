"""The isolation matrix as data (SECURITY.md section 1).

`TABLE` maps each route name (as `reverse()` knows it) or GraphQL field
("graphql:Query.review", "graphql:Mutation.createApiToken") to a `Row`: how to call
it, and what every principal must get. A second call of the same route with another
method is a key with a suffix ("reviews-api:team POST"). `test_isolation_matrix`
fails when a route or field has no row, or a row names something that is gone.

Outcomes are short strings:

    HTTP     "<status>" [sees | hidden] [<redirect path>]
             "200 sees": the body shows something the owning partnership owns
             (principals.MARKER); "200 hidden": it does not; "302 /sign-in/": a
             redirect whose path (without the query) is exactly that. "not-5xx": any
             answer but a server error (admin pages for staff, which are not tenant data).
    GraphQL  query fields:  "sees" | "hidden" (data, no owner marker) | "empty" ([]) | "null"
             mutations:     "ok" (no errors) | "not-found" ("Not found.", as for a
                            missing id) | "refused" (any other domain refusal: a role,
                            a guard, validation) | "unauthenticated"
             both:          "http 401" (GRAPHQL_ANON: the request itself was refused)

Every string in a row (URL kwargs, bodies, variables, expected redirects) is a format
string over the matrix world: "{w.review.pk}" (see principals.MatrixWorld).

To add a route: add a row. Start from one of the shapes below (`owner_only`,
`signed_in_list`, ...) and override the principals that differ, e.g.
`outcomes("404", anonymous=API_ANON, owners="200 sees", owner_member="403")`.
Group names (owners, reviewing, ...) are in principals.GROUPS; later keywords win.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .principals import GROUPS, PRINCIPALS

LOGIN = "302 /sign-in/"
ADMIN_LOGIN = "302 /admin/login/"
API_ANON = "401"
# GraphQL refuses anonymous callers before any field runs, as REST does (issue 8).
GRAPHQL_ANON = "http 401"


def outcomes(default: str, **groups: str) -> dict[str, str]:
    """Every principal gets `default`, then each keyword (a principal or a group
    from principals.GROUPS) overrides, in order."""
    result = dict.fromkeys(PRINCIPALS, default)
    for name, outcome in groups.items():
        if name in GROUPS:
            members = GROUPS[name]
        elif name in PRINCIPALS:
            members = (name,)
        else:
            raise KeyError(f"Unknown principal or group '{name}'")
        for principal in members:
            result[principal] = outcome
    return result


@dataclass(frozen=True)
class Row:
    expect: Mapping[str, str]
    method: str = "GET"
    kwargs: Mapping[str, str] = field(default_factory=dict)
    # Request body: JSON for API routes (`json=True`), form fields for pages.
    data: Any = None
    json: bool = False
    # An API upload: `data` as multipart/form-data, with a small text file as `file`.
    multipart: bool = False
    # GraphQL rows: one operation and its variables.
    query: str = ""
    variables: Mapping[str, Any] = field(default_factory=dict)
    # Kwargs (or variables) naming an object that does not exist: foreign and
    # missing must give the same answer (test_foreign_and_missing_look_the_same).
    missing: Mapping[str, str] | None = None
    # Routes that serve no tenant data still have a row, with the reason.
    tenant_data: bool = True
    reason: str = ""

    @property
    def is_graphql(self) -> bool:
        return bool(self.query)


# --- shapes -------------------------------------------------------------------------


def public(reason: str, **overrides: str) -> Row:
    return Row(outcomes("200", **overrides), tenant_data=False, reason=reason)


def _shape(default: str, base: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    # An override of a base group replaces it in place; new keywords apply after.
    return outcomes(default, **{**base, **overrides})


def owner_page(**overrides: str) -> dict[str, str]:
    """A page about one of the owner's objects: theirs, or the same 404 as a missing one."""
    return _shape("404", {"anonymous": LOGIN, "owners": "200 sees"}, overrides)


def owner_api(**overrides: str) -> dict[str, str]:
    return _shape("404", {"anonymous": API_ANON, "owners": "200 sees"}, overrides)


def signed_in_page(**overrides: str) -> dict[str, str]:
    """A page every signed-in user may open; only the owners see the owner's rows."""
    return _shape("200 hidden", {"anonymous": LOGIN, "owners": "200 sees"}, overrides)


def signed_in_api(**overrides: str) -> dict[str, str]:
    return _shape("200 hidden", {"anonymous": API_ANON, "owners": "200 sees"}, overrides)


def graphql_list(**overrides: str) -> dict[str, str]:
    return _shape("empty", {"anonymous": GRAPHQL_ANON, "owners": "sees"}, overrides)


def graphql_object(**overrides: str) -> dict[str, str]:
    return _shape("null", {"anonymous": GRAPHQL_ANON, "owners": "sees"}, overrides)


def graphql_write(**overrides: str) -> dict[str, str]:
    """A mutation on the owner's object: outsiders get "Not found."."""
    return _shape("not-found", {"anonymous": GRAPHQL_ANON}, overrides)


# Who can see the review of Salford: both partnerships, and its team while in the group.
REVIEW_VIEWERS = {"owners": "200 sees", "reviewing": "200 sees", "reviewer_window_open": "200 sees"}
# Reviewers who can see the review but are refused a change (403 with the reason).
REVIEW_REFUSED = {"owners": "403", "reviewing": "403", "reviewer_window_open": "403"}
# A review's team-only findings forms: the team (window open) decides per row;
# Bolton's lead, who runs the review but is not on the team, is told why (403);
# everyone else, the reviewed partnership included, gets the 404 of a missing object.
FINDINGS_TEAM_ONLY = {"owners": "404", "reviewing_partnership_lead": "403"}
# Who reads a review's findings before publication: the team and Bolton's lead; the
# review's other viewers get an empty list (nothing of Salford's but the caption).
FINDINGS_READERS = {
    "owners": "200 hidden",
    "reviewing_partnership_member": "200 hidden",
    "reviewing_partnership_lead": "200 sees",
    "reviewer_window_open": "200 sees",
}
# Findings mutations: the team (window open) and Bolton's lead reach the finding and
# are refused for a reason (a guard, the role, the input); everyone else, the
# reviewed partnership included, gets "Not found.".
FINDINGS_TEAM_WRITE = {"reviewer_window_open": "refused", "reviewing_partnership_lead": "refused"}
EXCHANGE_PARTIES = {"owners": "200 sees", "reviewing": "200 sees"}


# Resend and revoke an invitation: the reviewing lead's post succeeds back to the team page.
INVITATION_POST = Row(
    owner_page(
        **REVIEW_REFUSED, reviewing_partnership_lead="302 hidden /reviews/{w.review.pk}/team/"
    ),
    method="POST",
    kwargs={"review_id": "{w.review.pk}", "invitation_id": "{w.invitation.pk}"},
)


def _q(operation: str, field_name: str, args: str, selection: str) -> str:
    return f"{operation} {{ {field_name}{args} {selection} }}"


ADMIN_REASON = (
    "Django admin: platform staff administer partnerships and users (ARCHITECTURE.md "
    "section 4). Every admin view is wrapped by AdminSite.admin_view, so anyone who is not "
    "staff is sent to the admin sign-in; the access chokepoint is not involved."
)

# --- the table ------------------------------------------------------------------------

TABLE: dict[str, Row] = {
    # Not tenant data -------------------------------------------------------------------
    "core:health": public("Liveness: says only that the web process answers."),
    "core:health-db": public("Readiness: says only whether the database answers."),
    "core:health-broker": public("Readiness: says only whether the broker answers."),
    "core:health-outbox": public(
        "Alarm: the age of the oldest message waiting to leave and a count of dead ones; "
        "no content, no tenant."
    ),
    "web:accessibility": public("The accessibility statement."),
    # Off for anonymous callers unless settings.API_SCHEMA_PUBLIC (on in local only).
    "api-schema": public(
        "The OpenAPI document: describes the API, holds no data.", anonymous=API_ANON
    ),
    "api-docs": public(
        "The API reference page that renders the OpenAPI document.", anonymous=API_ANON
    ),
    "graphql": Row(
        outcomes("200", anonymous=API_ANON),
        method="POST",
        query="{ __typename }",
        tenant_data=False,
        reason="The GraphQL endpoint; each Query and Mutation field has its own row below.",
    ),
    "accounts:sign-in": Row(
        outcomes("302 /", anonymous="200"),
        tenant_data=False,
        reason="The sign-in form; signed-in users are sent home.",
    ),
    "accounts:sign-out": Row(
        outcomes("302 /sign-in/"),
        method="POST",
        tenant_data=False,
        reason="Ends the session (POST only).",
    ),
    "admin:*": Row(
        outcomes(ADMIN_LOGIN, platform_staff="not-5xx"), tenant_data=False, reason=ADMIN_REASON
    ),
    "admin:index": Row(
        outcomes(ADMIN_LOGIN, platform_staff="200"), tenant_data=False, reason=ADMIN_REASON
    ),
    "admin:login": Row(
        # Signed in but not staff: the admin sign-in form, saying they are not authorised.
        outcomes("200", platform_staff="302 /admin/"),
        tenant_data=False,
        reason=ADMIN_REASON,
    ),
    "admin:logout": Row(
        # admin_view sends non-staff on the logout URL to the index (which then asks
        # them to sign in); staff must POST to sign out.
        outcomes("302 /admin/", platform_staff="405"),
        tenant_data=False,
        reason=ADMIN_REASON,
    ),
    # Home and account ----------------------------------------------------------------
    # Your reviews: both partnerships and the review team see the review of Salford
    # (named for Salford) in their list.
    "web:home": Row(signed_in_page(reviewing="200 sees", reviewer_window_open="200 sees")),
    "accounts-api:me": Row(signed_in_api()),
    "accounts-api:token-list": Row(
        # Tokens are the caller's own: only the owner lead's token carries the marker.
        outcomes("200 hidden", anonymous=API_ANON, owner_lead="200 sees")
    ),
    "accounts-api:token-list POST": Row(
        outcomes("201", anonymous=API_ANON), method="POST", json=True, data={"name": "Matrix"}
    ),
    "accounts-api:token-revoke": Row(
        outcomes("404", anonymous=API_ANON, owner_lead="200 sees"),
        method="POST",
        json=True,
        kwargs={"token_id": "{w.owner_lead_token.pk}"},
        missing={"token_id": "999999"},
    ),
    # The API token pages: a user's own tokens, no partnership involved.
    "accounts:tokens": Row(outcomes("200 hidden", anonymous=LOGIN, owner_lead="200 sees")),
    "accounts:token-create": Row(outcomes("200 hidden", anonymous=LOGIN)),
    "accounts:token-create POST": Row(
        # The answer to the post is the page that shows the new token, once.
        outcomes("200 hidden", anonymous=LOGIN),
        method="POST",
        data={"name": "Matrix", "days": "30"},
    ),
    "accounts:token-revoke": Row(
        # The confirmation page. The revoking POST answers its owner with a redirect
        # after a change, which this table reads as a refusal that wrote, so its
        # outsiders' 404 is tested in tests/integration/test_accounts.py.
        outcomes("404", anonymous=LOGIN, owner_lead="200 sees"),
        kwargs={"token_id": "{w.owner_lead_token.pk}"},
        missing={"token_id": "999999"},
    ),
    # Partnerships ----------------------------------------------------------------------
    "tenancy-api:partnership-list": Row(signed_in_api()),
    "tenancy-api:partnership-detail": Row(
        owner_api(), kwargs={"slug": "{w.owner.slug}"}, missing={"slug": "no-such-partnership"}
    ),
    # Handbooks: Salford's private handbook, v1 published, v2 a draft -----------------------
    "handbooks:list": Row(signed_in_page()),
    "handbooks:detail": Row(
        owner_page(), kwargs={"handbook_id": "{w.handbook.pk}"}, missing={"handbook_id": "999999"}
    ),
    "handbooks:compare": Row(owner_page(), kwargs={"handbook_id": "{w.handbook.pk}"}),
    "handbooks:new-version": Row(
        # Managers pass the check; the draft that exists already sends them back.
        owner_page(owner_managers="302 /handbooks/{w.handbook.pk}/", owner_member="403"),
        method="POST",
        kwargs={"handbook_id": "{w.handbook.pk}"},
    ),
    "handbooks:version": Row(
        owner_page(),
        kwargs={"version_id": "{w.draft_version.pk}"},
        missing={"version_id": "999999"},
    ),
    "handbooks:copy": Row(
        owner_page(owner_member="403"), kwargs={"version_id": "{w.published_version.pk}"}
    ),
    "handbooks:publish": Row(
        owner_page(owner_member="403"), kwargs={"version_id": "{w.draft_version.pk}"}
    ),
    "handbooks:objective-add": Row(
        owner_page(owner_member="403"), kwargs={"version_id": "{w.draft_version.pk}"}
    ),
    "handbooks:area-add": Row(
        owner_page(owner_member="403"), kwargs={"version_id": "{w.draft_version.pk}"}
    ),
    "handbooks:area-edit": Row(
        owner_page(owner_member="403"),
        kwargs={"version_id": "{w.draft_version.pk}", "area_id": "{w.draft_area.pk}"},
    ),
    "handbooks:line-add": Row(
        owner_page(owner_member="403"),
        kwargs={"version_id": "{w.draft_version.pk}", "area_id": "{w.draft_area.pk}"},
    ),
    "handbooks:reference-add": Row(
        owner_page(owner_member="403"), kwargs={"version_id": "{w.draft_version.pk}"}
    ),
    "handbooks-api:handbook-list": Row(signed_in_api()),
    "handbooks-api:handbook-create": Row(
        owner_api(owner_managers="201", owner_member="403"),
        method="POST",
        json=True,
        data={"partnership": "{w.owner.slug}", "title": "Matrix handbook"},
    ),
    "handbooks-api:handbook-detail": Row(
        owner_api(), kwargs={"handbook_id": "{w.handbook.pk}"}, missing={"handbook_id": "999999"}
    ),
    "handbooks-api:version-next": Row(
        # Changing needs "change": a member is refused exactly as an outsider is.
        owner_api(owner_managers="409", owner_member="404"),
        method="POST",
        json=True,
        kwargs={"handbook_id": "{w.handbook.pk}"},
    ),
    "handbooks-api:version-detail": Row(
        owner_api(), kwargs={"version_id": "{w.draft_version.pk}"}, missing={"version_id": "999999"}
    ),
    "handbooks-api:version-diff": Row(
        # The two versions have the same content: the diff shows nothing of it.
        owner_api(owners="200"),
        kwargs={"version_id": "{w.published_version.pk}", "other_id": "{w.draft_version.pk}"},
    ),
    "handbooks-api:version-copy": Row(
        owner_api(owner_managers="201", owner_member="403"),
        method="POST",
        json=True,
        kwargs={"version_id": "{w.published_version.pk}"},
        data={"partnership": "{w.owner.slug}"},
    ),
    "handbooks-api:version-publish": Row(
        owner_api(owner_managers="200 sees", owner_member="404"),
        method="POST",
        json=True,
        kwargs={"version_id": "{w.draft_version.pk}"},
        data={},
    ),
    "handbooks-api:area-create": Row(
        owner_api(owner_managers="201", owner_member="404"),
        method="POST",
        json=True,
        kwargs={"version_id": "{w.draft_version.pk}"},
        data={"title": "Matrix area", "key_question": "Does it work?"},
    ),
    "handbooks-api:objective-create": Row(
        owner_api(owner_managers="201", owner_member="404"),
        method="POST",
        json=True,
        kwargs={"version_id": "{w.draft_version.pk}"},
        data={"text": "Matrix objective"},
    ),
    # Exchanges -----------------------------------------------------------------------
    "exchanges:list": Row(signed_in_page(reviewing="200 sees")),
    "exchanges:propose": Row(
        # Leads only. The form lists every partnership by name (the directory), so a
        # lead elsewhere sees Salford's name there by design.
        outcomes("403", anonymous=LOGIN, leads="200 sees")
    ),
    "exchanges:check": Row(
        # Nothing to check yet: leads go back to the form.
        outcomes("403", anonymous=LOGIN, leads="302 /exchanges/new/")
    ),
    "exchanges:detail": Row(
        owner_page(**EXCHANGE_PARTIES),
        kwargs={"exchange_id": "{w.agreed_exchange.pk}"},
        missing={"exchange_id": "999999"},
    ),
    "exchanges:sent": Row(
        # The confirmation names the partners invited, not the proposer.
        owner_page(owners="200", reviewing="200"),
        kwargs={"exchange_id": "{w.agreed_exchange.pk}"},
    ),
    "exchanges:answer": Row(
        owner_page(owners="403", reviewing="403", owner_lead="200 sees"),
        kwargs={"exchange_id": "{w.incoming_exchange.pk}"},
    ),
    "exchanges:withdraw": Row(
        owner_page(owners="403", reviewing="403", owner_lead="200 sees"),
        kwargs={"exchange_id": "{w.outgoing_exchange.pk}"},
    ),
    "reviews-api:exchange-list": Row(signed_in_api(reviewing="200 sees")),
    "reviews-api:exchange-list POST": Row(
        owner_api(owners="403", owner_lead="201"),
        method="POST",
        json=True,
        data={
            "partnership": "{w.owner.slug}",
            "partners": ["{w.reviewing.slug}"],
            "handbook_version": "{w.reference_version.pk}",
            "fieldwork_starts_on": "{w.fieldwork_start}",
            "fieldwork_ends_on": "{w.fieldwork_end}",
        },
    ),
    "reviews-api:exchange-detail": Row(
        owner_api(**EXCHANGE_PARTIES),
        kwargs={"exchange_id": "{w.agreed_exchange.pk}"},
        missing={"exchange_id": "999999"},
    ),
    "reviews-api:exchange-answer": Row(
        owner_api(owners="403", reviewing="403", owner_lead="200 sees"),
        method="POST",
        json=True,
        kwargs={"exchange_id": "{w.incoming_exchange.pk}"},
        data={"partnership": "{w.owner.slug}", "accept": True},
    ),
    "reviews-api:exchange-withdraw": Row(
        owner_api(owners="403", reviewing="403", owner_lead="200 sees"),
        method="POST",
        json=True,
        kwargs={"exchange_id": "{w.outgoing_exchange.pk}"},
    ),
    # Reviews: the review of Salford by Bolton, in fieldwork ------------------------------
    "reviews-api:review-list": Row(
        signed_in_api(reviewing="200 sees", reviewer_window_open="200 sees")
    ),
    "reviews-api:review-detail": Row(
        owner_api(**REVIEW_VIEWERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "reviews-api:review-transition": Row(
        owner_api(**REVIEW_REFUSED, reviewing_partnership_lead="200 sees"),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
        data={"to_status": "moderation"},
    ),
    "reviews-api:review-scope": Row(
        # Managers of either side pass the check; the scope is fixed in fieldwork.
        owner_api(**REVIEW_REFUSED, owner_managers="409", reviewing_partnership_lead="409"),
        method="PUT",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
        data={"handbook_areas": []},
    ),
    "reviews-api:review-scope-confirm": Row(
        owner_api(**REVIEW_REFUSED, owner_managers="409", reviewing_partnership_lead="409"),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
    ),
    # May this principal widen access? Moving report back later extends the team's
    # window on Salford's evidence: only Salford's lead may (SECURITY.md section 1).
    "reviews-api:review-reschedule": Row(
        owner_api(**REVIEW_REFUSED, owner_lead="200 sees"),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
        data={
            "phases": [
                {
                    "kind": "report_back",
                    "starts_on": "{w.report_back_moved_start}",
                    "ends_on": "{w.report_back_moved_end}",
                }
            ],
            "reason": "Matrix",
        },
    ),
    # Moving dates inside the window widens nothing: a lead of either side may.
    "reviews-api:review-reschedule narrowing": Row(
        owner_api(**REVIEW_REFUSED, leads="200 sees"),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
        data={
            "phases": [
                {
                    "kind": "report_back",
                    "starts_on": "{w.report_back.starts_on}",
                    "ends_on": "{w.report_back_narrowed_end}",
                }
            ],
            "reason": "Matrix",
        },
    ),
    "reviews-api:review-calendar": Row(
        owner_api(**REVIEW_VIEWERS), kwargs={"review_id": "{w.review.pk}"}
    ),
    "reviews-api:team": Row(
        # Team members by email and role: nothing of Salford's own in the body.
        owner_api(owners="200", reviewing="200", reviewer_window_open="200"),
        kwargs={"review_id": "{w.review.pk}"},
    ),
    "reviews-api:team POST": Row(
        owner_api(**REVIEW_REFUSED, reviewing_partnership_lead="201"),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
        data={"user": "{w.users[reviewing_partnership_member].pk}", "team_role": "reviewer"},
    ),
    "reviews-api:team-declare": Row(
        # Only the member themself declares.
        owner_api(**{**REVIEW_REFUSED, "reviewer_window_open": "200"}),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}", "member_id": "{w.open_member.pk}"},
        data={"has_interest": False},
    ),
    "reviews-api:team-mitigate": Row(
        owner_api(**REVIEW_REFUSED, reviewing_partnership_lead="200"),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}", "member_id": "{w.conflicted_member.pk}"},
        data={"mitigation": "Works on no case the police handled."},
    ),
    "reviews-api:team-remove": Row(
        owner_api(**REVIEW_REFUSED, reviewing_partnership_lead="200"),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}", "member_id": "{w.conflicted_member.pk}"},
    ),
    "reviews-api:team-window": Row(
        # The reviewed partnership's lead sets reviewers' access.
        owner_api(**REVIEW_REFUSED, owner_lead="200"),
        method="PUT",
        json=True,
        kwargs={"review_id": "{w.review.pk}", "member_id": "{w.open_member.pk}"},
        data={"opens_at": None, "closes_at": None},
    ),
    # Review pages: the same services, so the same people as the API rows above ---------
    "reviews:detail": Row(
        owner_page(**REVIEW_VIEWERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "reviews:transition": Row(
        # Only Bolton's lead may move its review of Salford on; the confirmation page
        # comes first, so nothing moves in one post.
        owner_page(**REVIEW_REFUSED, reviewing_partnership_lead="200 sees"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}"},
        data={"to_status": "moderation"},
    ),
    "reviews:scope": Row(owner_page(**REVIEW_VIEWERS), kwargs={"review_id": "{w.review.pk}"}),
    "reviews:scope-confirm": Row(
        # Managers of either side pass the check; the scope is fixed in fieldwork.
        owner_page(**REVIEW_REFUSED, owner_managers="409", reviewing_partnership_lead="409"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}"},
    ),
    "reviews:team": Row(owner_page(**REVIEW_VIEWERS), kwargs={"review_id": "{w.review.pk}"}),
    "reviews:team-add": Row(
        owner_page(**REVIEW_REFUSED, reviewing_partnership_lead="200 sees"),
        kwargs={"review_id": "{w.review.pk}"},
    ),
    "reviews:team-declare": Row(
        # Only the member themself declares.
        owner_page(**{**REVIEW_REFUSED, "reviewer_window_open": "200 sees"}),
        kwargs={"review_id": "{w.review.pk}", "member_id": "{w.open_member.pk}"},
    ),
    "reviews:team-mitigate": Row(
        owner_page(**REVIEW_REFUSED, reviewing_partnership_lead="200 sees"),
        kwargs={"review_id": "{w.review.pk}", "member_id": "{w.conflicted_member.pk}"},
    ),
    "reviews:team-access": Row(
        owner_page(**REVIEW_REFUSED, owner_lead="200 sees"),
        kwargs={"review_id": "{w.review.pk}", "member_id": "{w.open_member.pk}"},
    ),
    "reviews:team-remove": Row(
        owner_page(**REVIEW_REFUSED, reviewing_partnership_lead="200 sees"),
        kwargs={"review_id": "{w.review.pk}", "member_id": "{w.conflicted_member.pk}"},
    ),
    "reviews:team-invite": Row(
        owner_page(**REVIEW_REFUSED, reviewing_partnership_lead="200 sees"),
        kwargs={"review_id": "{w.review.pk}"},
    ),
    "reviews:team-invitation-resend": INVITATION_POST,
    "reviews:team-invitation-revoke": INVITATION_POST,
    # The link's token is the capability: without a live one, everyone gets the same page.
    "reviews:invitation-accept": Row(
        outcomes("404 hidden"), kwargs={"token": "not-a-live-invitation-token"}
    ),
    "reviews:timeline": Row(owner_page(**REVIEW_VIEWERS), kwargs={"review_id": "{w.review.pk}"}),
    "reviews:calendar": Row(owner_page(**REVIEW_VIEWERS), kwargs={"review_id": "{w.review.pk}"}),
    # Evidence pages: the same services and selectors as the Evidence API below. Salford's
    # library holds w.shared_item (shared with the review), w.private_item,
    # w.restricted_item (its adder's, the owner lead's, alone), w.document (a ready file,
    # shared); w.team_note is the team's own; w.document_request the team's ---------------
    # Bolton's own library names Salford in its areas of focus: "(review by Salford)",
    # the review of Bolton that Salford makes.
    "evidence:library": Row(
        # Everyone signed in gets their own partnership's library (or, with none, the
        # reviews they are on: the open-window reviewer's names Salford).
        signed_in_page(reviewing="200 sees", reviewer_window_open="200 sees")
    ),
    "evidence:add": Row(outcomes("200 hidden", anonymous=LOGIN, owners="200 sees", no_role="403")),
    "evidence:add-details": Row(
        outcomes(
            "200 hidden", anonymous=LOGIN, owners="200 sees", reviewing="200 sees", no_role="403"
        ),
        kwargs={"kind": "meeting"},
    ),
    "evidence:add-details POST": Row(
        # Nothing typed: the messages, nothing written.
        outcomes(
            "400 hidden", anonymous=LOGIN, owners="400 sees", reviewing="400 sees", no_role="403"
        ),
        method="POST",
        kwargs={"kind": "meeting"},
        data={},
    ),
    "evidence:add-check": Row(
        # Nothing to check yet: back to the start.
        outcomes("302 /evidence/add/", anonymous=LOGIN, no_role="403")
    ),
    "evidence:access-log": Row(
        # Each partnership's managers read their own log (Bolton's lead reads Bolton's).
        outcomes(
            "403",
            anonymous=LOGIN,
            owner_managers="200 sees",
            reviewing_partnership_lead="200 hidden",
        )
    ),
    "evidence:share": Row(
        # Managers choose among their own partnership's reviews (Bolton's lead: the
        # review of Bolton by Salford, named for Salford).
        outcomes(
            "403",
            anonymous=LOGIN,
            owner_managers="200 sees",
            reviewing_partnership_lead="200 sees",
        )
    ),
    "evidence:share-items": Row(
        # Only the reviewed partnership's managers share with its review; the reviewing
        # side and the team see the review but are refused.
        owner_page(**REVIEW_REFUSED, owner_managers="200 sees"),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "evidence:share-items POST": Row(
        # The choice is kept for the check page; nothing is shared yet.
        owner_page(**REVIEW_REFUSED, owner_managers="302 /evidence/share/{w.review.pk}/check/"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}"},
        data={"shown": "{w.private_item.pk}", "item_ids": "{w.private_item.pk}"},
    ),
    "evidence:share-items POST foreign": Row(
        # An item that is not Salford's library (the team's note): as if it did not exist.
        owner_page(**REVIEW_REFUSED, owner_managers="404"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}"},
        data={"shown": "{w.team_note.pk}", "item_ids": "{w.team_note.pk}"},
    ),
    "evidence:share-check": Row(
        owner_page(**REVIEW_REFUSED, owner_managers="302 /evidence/share/{w.review.pk}/"),
        kwargs={"review_id": "{w.review.pk}"},
    ),
    "evidence:share-done": Row(
        owner_page(**REVIEW_REFUSED, owner_managers="302 /reviews/{w.review.pk}/evidence/"),
        kwargs={"review_id": "{w.review.pk}"},
    ),
    "evidence:item": Row(
        owner_page(reviewer_window_open="200 sees"),
        kwargs={"item_id": "{w.shared_item.pk}"},
        missing={"item_id": "999999"},
    ),
    "evidence:item private": Row(owner_page(), kwargs={"item_id": "{w.private_item.pk}"}),
    "evidence:item restricted": Row(
        outcomes("404", anonymous=LOGIN, owner_lead="200 sees"),
        kwargs={"item_id": "{w.restricted_item.pk}"},
    ),
    "evidence:item team-note": Row(
        # The team's own note: the team while its window is open; Salford's leads only
        # once the review is published.
        outcomes("404", anonymous=LOGIN, reviewer_window_open="200 sees"),
        kwargs={"item_id": "{w.team_note.pk}"},
    ),
    "evidence:download": Row(
        # The file's content is the marker.
        owner_page(reviewer_window_open="200 sees"),
        kwargs={"item_id": "{w.document.pk}"},
        missing={"item_id": "999999"},
    ),
    "evidence:download private": Row(
        # No file to download: the same 404 for everyone.
        outcomes("404", anonymous=LOGIN),
        kwargs={"item_id": "{w.private_item.pk}"},
    ),
    "evidence:edit": Row(
        # Managers change; a member (not its adder) and the team see it but are refused.
        owner_page(owner_member="403", reviewer_window_open="403"),
        kwargs={"item_id": "{w.shared_item.pk}"},
        missing={"item_id": "999999"},
    ),
    "evidence:edit team-note": Row(
        outcomes("404", anonymous=LOGIN, reviewer_window_open="200 sees"),
        kwargs={"item_id": "{w.team_note.pk}"},
    ),
    "evidence:delete": Row(
        owner_page(owner_member="403", reviewer_window_open="403"),
        kwargs={"item_id": "{w.shared_item.pk}"},
    ),
    "evidence:unshare": Row(
        owner_page(owner_member="403", reviewer_window_open="403"),
        kwargs={"item_id": "{w.shared_item.pk}", "review_id": "{w.review.pk}"},
        missing={"item_id": "999999"},
    ),
    "evidence:access": Row(
        # Who a restricted item is open to: only those who can see it may change it.
        outcomes("404", anonymous=LOGIN, owner_lead="200 sees"),
        kwargs={"item_id": "{w.restricted_item.pk}"},
    ),
    "evidence:access-remove": Row(
        outcomes("404", anonymous=LOGIN, owner_lead="200 sees"),
        kwargs={"item_id": "{w.restricted_item.pk}", "user_id": "{w.users[owner_lead].pk}"},
    ),
    "evidence:review-library": Row(
        owner_page(**REVIEW_VIEWERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "evidence:review-add": Row(
        owner_page(**{**REVIEW_REFUSED, "reviewer_window_open": "200 sees"}),
        kwargs={"review_id": "{w.review.pk}"},
    ),
    "evidence:review-add-details": Row(
        owner_page(**{**REVIEW_REFUSED, "reviewer_window_open": "200 sees"}),
        kwargs={"review_id": "{w.review.pk}", "kind": "interview"},
    ),
    "evidence:review-add-details POST": Row(
        owner_page(**{**REVIEW_REFUSED, "reviewer_window_open": "400 sees"}),
        method="POST",
        kwargs={"review_id": "{w.review.pk}", "kind": "interview"},
        data={},
    ),
    "evidence:review-add-check": Row(
        owner_page(
            **{
                **REVIEW_REFUSED,
                "reviewer_window_open": "302 /reviews/{w.review.pk}/evidence/add/",
            }
        ),
        kwargs={"review_id": "{w.review.pk}"},
    ),
    "evidence:requests": Row(
        owner_page(**REVIEW_VIEWERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "evidence:requests POST": Row(
        # The team (window open) and Bolton's lead may ask; nothing typed is refused.
        owner_page(
            **{**REVIEW_REFUSED, "reviewer_window_open": "400 sees"},
            reviewing_partnership_lead="400 sees",
        ),
        method="POST",
        kwargs={"review_id": "{w.review.pk}"},
        data={"title": ""},
    ),
    "evidence:request-withdraw": Row(
        owner_page(
            **{**REVIEW_REFUSED, "reviewer_window_open": "200 sees"},
            reviewing_partnership_lead="200 sees",
        ),
        kwargs={"review_id": "{w.review.pk}", "request_id": "{w.document_request.pk}"},
    ),
    "evidence:coverage": Row(
        owner_page(**REVIEW_VIEWERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    # Findings pages: the team's draft finding on the review of Salford. Before
    # publication only the team (window open) and Bolton's lead, who runs the review,
    # see it; team-only forms answer 404 to everyone else, Bolton's lead a 403 -------
    "findings:overview": Row(
        owner_page(**REVIEW_VIEWERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "findings:area": Row(
        owner_page(**REVIEW_VIEWERS),
        kwargs={"review_id": "{w.review.pk}", "area_id": "{w.finding.area_id}"},
        missing={"review_id": "999999"},
    ),
    "findings:add": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="200 sees"),
        kwargs={"review_id": "{w.review.pk}", "area_id": "{w.finding.area_id}"},
    ),
    "findings:add POST": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="400 sees"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}", "area_id": "{w.finding.area_id}"},
        data={},
    ),
    "findings:edit": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="200 sees"),
        kwargs={"review_id": "{w.review.pk}", "finding_id": "{w.finding.pk}"},
        missing={"finding_id": "999999"},
    ),
    "findings:edit POST": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="400 sees"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}", "finding_id": "{w.finding.pk}"},
        data={},
    ),
    "findings:propose": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="200 sees"),
        kwargs={"review_id": "{w.review.pk}", "finding_id": "{w.finding.pk}"},
    ),
    "findings:propose POST": Row(
        # The matrix's finding has evidence of one kind: not triangulated (400).
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="400 sees"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}", "finding_id": "{w.finding.pk}"},
    ),
    "findings:delete": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="200 sees"),
        kwargs={"review_id": "{w.review.pk}", "finding_id": "{w.finding.pk}"},
    ),
    "findings:quote-add": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="200"),
        kwargs={"review_id": "{w.review.pk}", "finding_id": "{w.finding.pk}"},
    ),
    "findings:quote-add POST": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="400"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}", "finding_id": "{w.finding.pk}"},
        data={},
    ),
    "findings:correct": Row(
        # Only a published finding is corrected: the draft is refused (409) to the team
        # and Bolton's lead, who may correct once it is published.
        owner_page(owners="404", reviewer_window_open="409", reviewing_partnership_lead="409"),
        kwargs={"review_id": "{w.review.pk}", "finding_id": "{w.finding.pk}"},
    ),
    "findings:comment": Row(
        # Only the reviewed partnership's lead, during a factual-accuracy check.
        owner_page(owners="404"),
        kwargs={"review_id": "{w.review.pk}", "finding_id": "{w.finding.pk}"},
    ),
    "findings:moderation": Row(
        owner_page(
            owners="404", reviewer_window_open="200 sees", reviewing_partnership_lead="200 sees"
        ),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "findings:moderation POST": Row(
        # Moderation opens with the moderation stage; the review is in fieldwork.
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="409"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}"},
        data={},
    ),
    "findings:moderate": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="409"),
        kwargs={"review_id": "{w.review.pk}", "finding_id": "{w.finding.pk}"},
    ),
    "findings:publication": Row(
        owner_page(
            owners="404", reviewer_window_open="200 sees", reviewing_partnership_lead="200 sees"
        ),
        kwargs={"review_id": "{w.review.pk}"},
    ),
    "findings:publication POST": Row(
        # Only Bolton's lead publishes, from the reporting stage (409 in fieldwork).
        owner_page(owners="404", reviewer_window_open="403", reviewing_partnership_lead="409"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}"},
        data={"confirm": "on"},
    ),
    # Success criteria and next steps: Salford's criterion, the team's recommendation and
    # an action of Salford's --------------------------------------------------------------
    "findings:criteria": Row(
        owner_page(**REVIEW_VIEWERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "findings:criteria POST": Row(
        # Salford's managers state criteria (nothing typed: 400); everyone else who
        # sees the review is told only they may.
        owner_page(**REVIEW_REFUSED, owner_managers="400 sees"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}"},
        data={},
    ),
    "findings:criterion-self": Row(
        owner_page(
            owner_managers="200 sees",
            owner_member="403",
            reviewer_window_open="403",
            reviewing_partnership_lead="403",
        ),
        kwargs={"review_id": "{w.review.pk}", "criterion_id": "{w.criterion.pk}"},
        missing={"criterion_id": "999999"},
    ),
    "findings:criterion-assess": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="200 sees"),
        kwargs={"review_id": "{w.review.pk}", "criterion_id": "{w.criterion.pk}"},
    ),
    "findings:next-steps": Row(
        owner_page(**REVIEW_VIEWERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "findings:next-steps POST": Row(
        owner_page(**FINDINGS_TEAM_ONLY, reviewer_window_open="400 sees"),
        method="POST",
        kwargs={"review_id": "{w.review.pk}"},
        data={},
    ),
    "findings:respond": Row(
        # Only Salford's lead, once the review is published.
        owner_page(owners="404"),
        kwargs={"review_id": "{w.review.pk}", "recommendation_id": "{w.recommendation.pk}"},
    ),
    "findings:action-add": Row(
        owner_page(owners="404"),
        kwargs={"review_id": "{w.review.pk}", "recommendation_id": "{w.recommendation.pk}"},
    ),
    "findings:action-status": Row(
        owner_page(owner_member="404"),
        kwargs={"review_id": "{w.review.pk}", "action_id": "{w.action.pk}"},
        missing={"action_id": "999999"},
    ),
    # Findings API: the same rules as the pages -----------------------------------------
    "findings-api:theme-tags": Row(
        outcomes("200", anonymous=API_ANON),
        tenant_data=False,
        reason="The theme vocabulary every partnership shares (a data migration loads it).",
    ),
    "findings-api:finding-list": Row(
        owner_api(**FINDINGS_READERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "findings-api:finding-list POST": Row(
        owner_api(**FINDINGS_TEAM_ONLY, reviewer_window_open="400"),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
        data={"area": "{w.finding.area_id}", "kind": "strength", "text": ""},
    ),
    "findings-api:criteria": Row(
        # Salford's own statements: all its members, the team and Bolton's lead.
        owner_api(
            reviewing_partnership_member="200 hidden",
            reviewing_partnership_lead="200 sees",
            reviewer_window_open="200 sees",
        ),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "findings-api:next-steps": Row(
        owner_api(**FINDINGS_READERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "findings-api:finding-detail": Row(
        owner_api(
            owners="404", reviewer_window_open="200 sees", reviewing_partnership_lead="200 sees"
        ),
        kwargs={"finding_id": "{w.finding.pk}"},
        missing={"finding_id": "999999"},
    ),
    "findings-api:finding-detail PATCH": Row(
        # A stale version: the team is shown the text saved since (409).
        owner_api(**FINDINGS_TEAM_ONLY, reviewer_window_open="409 sees"),
        method="PATCH",
        json=True,
        kwargs={"finding_id": "{w.finding.pk}"},
        data={"version": 999, "text": "Matrix"},
    ),
    "findings-api:finding-detail DELETE": Row(
        owner_api(**FINDINGS_TEAM_ONLY, reviewer_window_open="204"),
        method="DELETE",
        json=True,
        kwargs={"finding_id": "{w.finding.pk}"},
    ),
    "findings-api:propose": Row(
        owner_api(**FINDINGS_TEAM_ONLY, reviewer_window_open="400"),
        method="POST",
        json=True,
        kwargs={"finding_id": "{w.finding.pk}"},
    ),
    "findings-api:quotes": Row(
        owner_api(**FINDINGS_TEAM_ONLY, reviewer_window_open="400"),
        method="POST",
        json=True,
        kwargs={"finding_id": "{w.finding.pk}"},
        data={"text": "", "attributed_to": "", "consent": True},
    ),
    "findings-api:moderate": Row(
        owner_api(**FINDINGS_TEAM_ONLY, reviewer_window_open="409"),
        method="POST",
        json=True,
        kwargs={"finding_id": "{w.finding.pk}"},
        data={"meeting": 999999, "outcome": "agreed"},
    ),
    "findings-api:correct": Row(
        owner_api(owners="404", reviewer_window_open="409", reviewing_partnership_lead="409"),
        method="POST",
        json=True,
        kwargs={"finding_id": "{w.finding.pk}"},
        data={"text": "Matrix", "reason": "Matrix"},
    ),
    "findings-api:comments": Row(
        owner_api(owners="404"),
        method="POST",
        json=True,
        kwargs={"finding_id": "{w.finding.pk}"},
        data={"text": "Matrix"},
    ),
    "findings-api:publish": Row(
        owner_api(owners="404", reviewer_window_open="403", reviewing_partnership_lead="409"),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
        data={"confirm": True},
    ),
    "findings-api:meeting-list": Row(
        owner_api(**FINDINGS_TEAM_ONLY, reviewer_window_open="409"),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
        data={"held_on": "{w.today}", "attendees": []},
    ),
    # Evidence API: Salford's library; the shared item and document reach the review team
    # while its window is open; the restricted item only its grantee (the owner lead) -----
    "evidence-api:item-list": Row(signed_in_api(reviewer_window_open="200 sees")),
    "evidence-api:item-list POST": Row(
        # Any member adds to the library; nobody else can name Salford.
        owner_api(owners="201"),
        method="POST",
        json=True,
        data={"partnership": "{w.owner.pk}", "kind": "other", "title": "Matrix evidence"},
    ),
    "evidence-api:item-upload": Row(
        # Any member uploads to the library; nobody else can name Salford.
        owner_api(owners="201"),
        method="POST",
        multipart=True,
        data={"partnership": "{w.owner.pk}", "kind": "document", "title": "Matrix upload"},
    ),
    "evidence-api:team-note-create": Row(
        # The team's own notes: only a member whose window is open.
        owner_api(**{**REVIEW_REFUSED, "reviewer_window_open": "201"}),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
        data={
            "kind": "other",
            "title": "Matrix note",
            "description": "Seen in the hub.",
        },
    ),
    "evidence-api:item-detail": Row(
        owner_api(reviewer_window_open="200 sees"),
        kwargs={"item_id": "{w.shared_item.pk}"},
        missing={"item_id": "999999"},
    ),
    "evidence-api:item-detail private": Row(
        owner_api(), kwargs={"item_id": "{w.private_item.pk}"}, missing={"item_id": "999999"}
    ),
    "evidence-api:item-detail restricted": Row(
        # Granted to the owner lead alone: other owners get the same 404 as outsiders.
        owner_api(owners="404", owner_lead="200 sees"),
        kwargs={"item_id": "{w.restricted_item.pk}"},
        missing={"item_id": "999999"},
    ),
    "evidence-api:item-detail team-note": Row(
        # The team's notes reach the reviewed partnership only once the review is published.
        owner_api(owners="404", reviewer_window_open="200 sees"),
        kwargs={"item_id": "{w.team_note.pk}"},
        missing={"item_id": "999999"},
    ),
    "evidence-api:item-detail PATCH": Row(
        owner_api(owner_member="403", owner_managers="200 sees", reviewer_window_open="403"),
        method="PATCH",
        json=True,
        kwargs={"item_id": "{w.shared_item.pk}"},
        data={"description": "Matrix change"},
    ),
    "evidence-api:item-detail DELETE": Row(
        owner_api(owner_member="403", owner_managers="204"),
        method="DELETE",
        json=True,
        kwargs={"item_id": "{w.private_item.pk}"},
    ),
    "evidence-api:item-detail DELETE shared": Row(
        # Shared with a live review: unshare first.
        owner_api(owner_member="403", owner_managers="409", reviewer_window_open="403"),
        method="DELETE",
        json=True,
        kwargs={"item_id": "{w.shared_item.pk}"},
    ),
    "evidence-api:item-download": Row(
        owner_api(reviewer_window_open="200 sees"),
        kwargs={"item_id": "{w.document.pk}"},
        missing={"item_id": "999999"},
    ),
    "evidence-api:item-download private": Row(
        # The item has no file: the same 404 for everyone who may see it.
        owner_api(owners="404"),
        kwargs={"item_id": "{w.private_item.pk}"},
    ),
    "evidence-api:share": Row(
        # Salford's managers share with the review of Salford; Bolton's people and the
        # team see the review but are refused; the rest cannot see the review at all.
        owner_api(
            owner_managers="200 sees",
            owner_member="403",
            reviewing="403",
            reviewer_window_open="403",
        ),
        method="POST",
        json=True,
        data={"item_ids": ["{w.private_item.pk}"], "review": "{w.review.pk}"},
    ),
    "evidence-api:item-unshare": Row(
        owner_api(owner_managers="204", owner_member="403", reviewer_window_open="403"),
        method="POST",
        json=True,
        kwargs={"item_id": "{w.shared_item.pk}"},
        data={"review": "{w.review.pk}"},
    ),
    "evidence-api:item-who-can-see": Row(
        # The team sees Salford's name and a count, not the names of its members.
        owner_api(reviewer_window_open="200 sees"),
        kwargs={"item_id": "{w.shared_item.pk}"},
        missing={"item_id": "999999"},
    ),
    "evidence-api:item-log": Row(
        # Events hold ids and emails, nothing of Salford's text.
        owner_api(owner_managers="200 hidden", owner_member="403", reviewer_window_open="403"),
        kwargs={"item_id": "{w.shared_item.pk}"},
        missing={"item_id": "999999"},
    ),
    "evidence-api:partnership-log": Row(
        # Every partnership whose log the caller may read: empty for everyone else.
        signed_in_api(owners="200 hidden")
    ),
    "evidence-api:item-grant": Row(
        owner_api(owners="404", owner_lead="200 sees"),
        method="POST",
        json=True,
        kwargs={"item_id": "{w.restricted_item.pk}"},
        data={"user": "{w.users[owner_member].pk}"},
    ),
    "evidence-api:item-grant-revoke": Row(
        # The lead is the only one with access: they cannot remove themself.
        owner_api(owners="404", owner_lead="409"),
        method="POST",
        json=True,
        kwargs={
            "item_id": "{w.restricted_item.pk}",
            "user_id": "{w.users[owner_lead].pk}",
        },
    ),
    "evidence-api:request-list": Row(
        owner_api(**REVIEW_VIEWERS),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    "evidence-api:request-list POST": Row(
        owner_api(
            **{**REVIEW_REFUSED, "reviewer_window_open": "201"}, reviewing_partnership_lead="201"
        ),
        method="POST",
        json=True,
        kwargs={"review_id": "{w.review.pk}"},
        data={"title": "Matrix request"},
    ),
    "evidence-api:request-withdraw": Row(
        owner_api(
            **{**REVIEW_REFUSED, "reviewer_window_open": "200 sees"},
            reviewing_partnership_lead="200 sees",
        ),
        method="POST",
        json=True,
        kwargs={"request_id": "{w.document_request.pk}"},
        missing={"request_id": "999999"},
    ),
    "evidence-api:coverage": Row(
        # Counts per area and kind: nothing of Salford's text.
        owner_api(owners="200 hidden", reviewing="200 hidden", reviewer_window_open="200 hidden"),
        kwargs={"review_id": "{w.review.pk}"},
        missing={"review_id": "999999"},
    ),
    # Budgets: Salford's 2022/23 budget. Its members read it; its leads and business
    # managers enter and change; nobody else reaches a figure (not the review team, not
    # the alliance analyst, not platform staff) -------------------------------------------
    "budgets:index": Row(
        # Members go to their own partnership's budgets; the rest are told whose they are.
        outcomes(
            "200 hidden",
            anonymous=LOGIN,
            owners="302 /budgets/{w.owner.slug}/",
            reviewing="302 /budgets/bolton/",
            other_partnership_member="302 /budgets/wigan/",
        )
    ),
    "budgets:list": Row(
        owner_page(), kwargs={"slug": "{w.owner.slug}"}, missing={"slug": "no-such-partnership"}
    ),
    "budgets:detail": Row(
        owner_page(), kwargs={"budget_id": "{w.budget.pk}"}, missing={"budget_id": "999999"}
    ),
    "budgets:edit": Row(
        owner_page(owner_member="403"),
        kwargs={"budget_id": "{w.budget.pk}"},
        missing={"budget_id": "999999"},
    ),
    "budgets:edit-check": Row(
        # No answers waiting: managers are sent back to the form.
        owner_page(owner_member="403", owner_managers="302 /budgets/year/{w.budget.pk}/edit/"),
        kwargs={"budget_id": "{w.budget.pk}"},
    ),
    "budgets:add": Row(owner_page(owner_member="403"), kwargs={"slug": "{w.owner.slug}"}),
    "budgets:add POST": Row(
        # Answers wait in the session for the check page: nothing is written yet.
        owner_page(owner_member="403", owner_managers="302 /budgets/{w.owner.slug}/add/check/"),
        method="POST",
        kwargs={"slug": "{w.owner.slug}"},
        data={"year": "2021/22", "child_population": "1000"},
    ),
    "budgets:add-check": Row(
        owner_page(owner_member="403", owner_managers="302 /budgets/{w.owner.slug}/add/"),
        kwargs={"slug": "{w.owner.slug}"},
    ),
    "budgets:import": Row(owner_page(owner_member="403"), kwargs={"slug": "{w.owner.slug}"}),
    "budgets:import-check": Row(
        owner_page(owner_member="403", owner_managers="302 /budgets/{w.owner.slug}/import/"),
        kwargs={"slug": "{w.owner.slug}"},
    ),
    "budgets:export": Row(
        owner_page(),
        kwargs={"slug": "{w.owner.slug}", "file_format": "csv"},
        missing={"slug": "no-such-partnership", "file_format": "csv"},
    ),
    "budgets-api:budget-list": Row(signed_in_api()),
    "budgets-api:budget-list POST": Row(
        owner_api(owner_member="403", owner_managers="201"),
        method="POST",
        json=True,
        data={"partnership": "{w.owner.pk}", "year": "2021/22", "child_population": "1000"},
    ),
    "budgets-api:budget-detail": Row(
        owner_api(), kwargs={"budget_id": "{w.budget.pk}"}, missing={"budget_id": "999999"}
    ),
    "budgets-api:budget-detail PUT": Row(
        owner_api(owner_member="403", owner_managers="200 sees"),
        method="PUT",
        json=True,
        kwargs={"budget_id": "{w.budget.pk}"},
        data={"year": "2022/23", "child_population": "1000"},
    ),
    "budgets-api:budget-import": Row(
        # The file must come as multipart/form-data: managers sending a form get 415;
        # whose partnership it is is settled before the body is read.
        owner_api(owner_member="403", owner_managers="415"),
        method="POST",
        kwargs={"slug": "{w.owner.slug}"},
        data={"confirm": "true"},
    ),
    "budgets-api:budget-export": Row(
        owner_api(),
        kwargs={"slug": "{w.owner.slug}", "file_format": "csv"},
        missing={"slug": "no-such-partnership", "file_format": "csv"},
    ),
    # Surveys: Salford's survey, part of the review of Salford. Its results and free
    # text belong to Salford; the review team reads them while its window is open ------
    "surveys:list": Row(signed_in_page(reviewer_window_open="200 sees")),
    "surveys:create": Row(
        # Managers of a partnership set up its surveys (Bolton's lead: for Bolton, whose
        # review by Salford is offered by the reviewing partnership's name).
        outcomes(
            "403",
            anonymous=LOGIN,
            owner_managers="200 sees",
            reviewing_partnership_lead="200 sees",
        )
    ),
    "surveys:detail": Row(
        owner_page(reviewer_window_open="200 sees"),
        kwargs={"survey_id": "{w.survey.pk}"},
        missing={"survey_id": "999999"},
    ),
    "surveys:invite": Row(
        owner_page(owner_member="403", reviewer_window_open="403"),
        kwargs={"survey_id": "{w.survey.pk}"},
        missing={"survey_id": "999999"},
    ),
    "surveys:open-link": Row(
        owner_page(owner_member="403", reviewer_window_open="403"),
        method="POST",
        kwargs={"survey_id": "{w.survey.pk}"},
    ),
    "surveys:baseline-add": Row(
        owner_page(owner_member="403", reviewer_window_open="403"),
        kwargs={"survey_id": "{w.survey.pk}"},
    ),
    "surveys:results": Row(
        owner_page(reviewer_window_open="200 sees"),
        kwargs={"survey_id": "{w.survey.pk}"},
        missing={"survey_id": "999999"},
    ),
    "surveys:results-csv": Row(
        owner_page(reviewer_window_open="200 sees"),
        kwargs={"survey_id": "{w.survey.pk}"},
        missing={"survey_id": "999999"},
    ),
    "surveys:results-xlsx": Row(
        # A zip: the marker cannot be read in the bytes, so the status is what is checked.
        owner_page(owners="200", reviewer_window_open="200"),
        kwargs={"survey_id": "{w.survey.pk}"},
        missing={"survey_id": "999999"},
    ),
    "surveys:import": Row(
        owner_page(owner_member="403", reviewer_window_open="403"),
        kwargs={"survey_id": "{w.survey.pk}"},
    ),
    "surveys:import-columns": Row(
        # Nothing uploaded yet: managers go back to the upload.
        owner_page(
            owner_member="403",
            reviewer_window_open="403",
            owner_managers="302 /surveys/{w.survey.pk}/import/",
        ),
        kwargs={"survey_id": "{w.survey.pk}"},
    ),
    "surveys:import-check": Row(
        owner_page(
            owner_member="403",
            reviewer_window_open="403",
            owner_managers="302 /surveys/{w.survey.pk}/import/",
        ),
        kwargs={"survey_id": "{w.survey.pk}"},
    ),
    # The respondent's pages: the link's token is the only credential, signed in or not.
    # A forged token is the same 404 for everyone (valid, used and expired links are
    # tested in tests/integration/test_survey_respond.py).
    "surveys:respond-start": Row(outcomes("404"), kwargs={"token": "forged-token"}),
    "surveys:respond-step": Row(
        outcomes("404"), kwargs={"token": "forged-token", "step": "sector"}
    ),
    "surveys:respond-check": Row(outcomes("404"), kwargs={"token": "forged-token"}),
    "surveys:respond-done": Row(
        outcomes("404"),
        tenant_data=False,
        reason="The confirmation after sending answers; it names the survey only to the "
        "session that has just answered it.",
    ),
    "surveys-api:question-list": Row(
        outcomes("200", anonymous=API_ANON),
        tenant_data=False,
        reason="The shared question bank: the same for every partnership.",
    ),
    "surveys-api:survey-list": Row(signed_in_api(reviewer_window_open="200 sees")),
    "surveys-api:survey-list POST": Row(
        owner_api(owner_managers="201", owner_member="403"),
        method="POST",
        json=True,
        data={
            "partnership": "{w.owner.pk}",
            "title": "Matrix survey",
            "opens_at": "2030-01-01T09:00:00Z",
            "closes_at": "2030-02-01T09:00:00Z",
            "bank_codes": ["felt_supported"],
        },
    ),
    "surveys-api:survey-detail": Row(
        owner_api(reviewer_window_open="200 sees"),
        kwargs={"survey_id": "{w.survey.pk}"},
        missing={"survey_id": "999999"},
    ),
    "surveys-api:survey-results": Row(
        owner_api(reviewer_window_open="200 sees"),
        kwargs={"survey_id": "{w.survey.pk}"},
        missing={"survey_id": "999999"},
    ),
    "surveys-api:survey-invitations": Row(
        owner_api(owner_managers="201", owner_member="403", reviewer_window_open="403"),
        method="POST",
        json=True,
        kwargs={"survey_id": "{w.survey.pk}"},
        data={"count": 1, "days": 7},
    ),
    "surveys-api:survey-baselines": Row(
        owner_api(owner_managers="201", owner_member="403", reviewer_window_open="403"),
        method="POST",
        json=True,
        kwargs={"survey_id": "{w.survey.pk}"},
        data={
            "name": "Matrix baseline",
            "respondents": 10,
            "counts": [{"code": "collaboration_vision", "answered": 10, "positive": 5}],
        },
    ),
    "surveys-api:survey-import": Row(
        # No file: managers are told to send one; nobody else gets that far.
        owner_api(owner_managers="400", owner_member="403", reviewer_window_open="403"),
        method="POST",
        kwargs={"survey_id": "{w.survey.pk}"},
        data={},
    ),
    # GraphQL queries ---------------------------------------------------------------------
    "graphql:Query.me": Row(
        outcomes("hidden", anonymous=GRAPHQL_ANON, owners="sees"),
        query=_q("query", "me", "", "{ email memberships { partnership { name } role } }"),
    ),
    "graphql:Query.partnerships": Row(
        graphql_list(other_partnership_member="hidden", reviewing="hidden"),
        query=_q("query", "partnerships", "", "{ slug name }"),
    ),
    "graphql:Query.partnership": Row(
        graphql_object(),
        query=_q("query($slug: String!)", "partnership", "(slug: $slug)", "{ slug name }"),
        variables={"slug": "{w.owner.slug}"},
        missing={"slug": "no-such-partnership"},
    ),
    "graphql:Query.handbooks": Row(
        # Everyone signed in sees the reference handbook; Salford's is private.
        outcomes("hidden", anonymous=GRAPHQL_ANON, owners="sees"),
        query=_q("query", "handbooks", "", "{ id title owner }"),
    ),
    "graphql:Query.handbookVersion": Row(
        graphql_object(),
        query=_q("query($id: ID!)", "handbookVersion", "(id: $id)", "{ id number objectives }"),
        variables={"id": "{w.draft_version.pk}"},
        missing={"id": "999999"},
    ),
    "graphql:Query.exchanges": Row(
        graphql_list(reviewing="sees", other_partnership_member="hidden"),
        query=_q("query", "exchanges", "", "{ id proposedByPartnership message }"),
    ),
    "graphql:Query.exchange": Row(
        graphql_object(reviewing="sees"),
        query=_q("query($id: ID!)", "exchange", "(id: $id)", "{ id proposedByPartnership }"),
        variables={"id": "{w.agreed_exchange.pk}"},
        missing={"id": "999999"},
    ),
    "graphql:Query.reviews": Row(
        graphql_list(
            reviewing="sees",
            reviewer_window_open="sees",
            other_partnership_member="hidden",
            reviewer_other_review="hidden",
        ),
        query=_q("query", "reviews", "", "{ id reviewedPartnership reviewingPartnership }"),
    ),
    "graphql:Query.review": Row(
        graphql_object(reviewing="sees", reviewer_window_open="sees"),
        query=_q("query($id: ID!)", "review", "(id: $id)", "{ id reviewedPartnership status }"),
        variables={"id": "{w.review.pk}"},
        missing={"id": "999999"},
    ),
    "graphql:Query.evidenceItems": Row(
        graphql_list(reviewer_window_open="sees"),
        query=_q("query", "evidenceItems", "", "{ id title canChange canShare areas { id } }"),
    ),
    "graphql:Query.evidenceItem": Row(
        graphql_object(reviewer_window_open="sees"),
        query=_q("query($id: ID!)", "evidenceItem", "(id: $id)", "{ id title canChange }"),
        variables={"id": "{w.shared_item.pk}"},
        missing={"id": "999999"},
    ),
    "graphql:Query.documentRequests": Row(
        graphql_list(reviewing="sees", reviewer_window_open="sees"),
        query=_q(
            "query($r: ID!)", "documentRequests", "(review: $r)", "{ id title answers { title } }"
        ),
        variables={"r": "{w.review.pk}"},
    ),
    "graphql:Query.evidenceCoverage": Row(
        graphql_object(owners="hidden", reviewing="hidden", reviewer_window_open="hidden"),
        query=_q(
            "query($r: ID!)",
            "evidenceCoverage",
            "(review: $r)",
            "{ total rows { total counts { kind count } } }",
        ),
        variables={"r": "{w.review.pk}"},
        missing={"r": "999999"},
    ),
    "graphql:Query.evidenceAccessLog": Row(
        # Null for the members and the team who see the item but may not read its log.
        graphql_object(owners="null", owner_managers="hidden"),
        query=_q(
            "query($i: ID!)", "evidenceAccessLog", "(item: $i)", "{ id action actorEmail itemId }"
        ),
        variables={"i": "{w.shared_item.pk}"},
        missing={"i": "999999"},
    ),
    "graphql:Query.findings": Row(
        graphql_list(
            owners="empty", reviewing_partnership_lead="sees", reviewer_window_open="sees"
        ),
        query=_q("query($r: ID!)", "findings", "(review: $r)", "{ id text quotes { text } }"),
        variables={"r": "{w.review.pk}"},
    ),
    "graphql:Query.finding": Row(
        graphql_object(
            owners="null", reviewing_partnership_lead="sees", reviewer_window_open="sees"
        ),
        query=_q("query($id: ID!)", "finding", "(id: $id)", "{ id text canEdit }"),
        variables={"id": "{w.finding.pk}"},
        missing={"id": "999999"},
    ),
    "graphql:Query.successCriteria": Row(
        graphql_list(reviewing_partnership_lead="sees", reviewer_window_open="sees"),
        query=_q("query($r: ID!)", "successCriteria", "(review: $r)", "{ id statement }"),
        variables={"r": "{w.review.pk}"},
    ),
    "graphql:Query.recommendations": Row(
        graphql_list(
            owners="empty", reviewing_partnership_lead="sees", reviewer_window_open="sees"
        ),
        query=_q(
            "query($r: ID!)", "recommendations", "(review: $r)", "{ id text actions { text } }"
        ),
        variables={"r": "{w.review.pk}"},
    ),
    "graphql:Query.themeTags": Row(
        outcomes("hidden", anonymous=GRAPHQL_ANON),
        query=_q("query", "themeTags", "", "{ code label }"),
        tenant_data=False,
        reason="The theme vocabulary every partnership shares (a data migration loads it).",
    ),
    "graphql:Query.budgets": Row(
        graphql_list(),
        query=_q("query", "budgets", "", "{ id year sourceNote partnershipName canChange }"),
    ),
    "graphql:Query.budget": Row(
        graphql_object(),
        query=_q(
            "query($id: ID!)",
            "budget",
            "(id: $id)",
            "{ id year sourceNote otherIncome { description amount } }",
        ),
        variables={"id": "{w.budget.pk}"},
        missing={"id": "999999"},
    ),
    "graphql:Query.surveyQuestionBank": Row(
        outcomes("hidden", anonymous=GRAPHQL_ANON),
        query=_q("query", "surveyQuestionBank", "", "{ code text scale areaOfFocus }"),
        tenant_data=False,
        reason="The shared question bank: the same for every partnership.",
    ),
    "graphql:Query.surveys": Row(
        graphql_list(reviewer_window_open="sees"),
        query=_q("query", "surveys", "", "{ id title partnershipName questions { text } }"),
    ),
    "graphql:Query.survey": Row(
        graphql_object(reviewer_window_open="sees"),
        query=_q("query($id: ID!)", "survey", "(id: $id)", "{ id title }"),
        variables={"id": "{w.survey.pk}"},
        missing={"id": "999999"},
    ),
    "graphql:Query.surveyResults": Row(
        graphql_object(reviewer_window_open="sees"),
        query=_q(
            "query($s: ID!)",
            "surveyResults",
            "(survey: $s)",
            "{ respondents questions { text result { n percent intervalLow intervalHigh } "
            "bySector { suppressed result { n } } comments } }",
        ),
        variables={"s": "{w.survey.pk}"},
        missing={"s": "999999"},
    ),
    # GraphQL mutations -------------------------------------------------------------------
    "graphql:Mutation.createBudget": Row(
        graphql_write(owner_managers="ok", owner_member="refused"),
        query=_q(
            "mutation($p: ID!)",
            "createBudget",
            '(partnership: $p, figures: {year: "2021/22", childPopulation: 1000})',
            "{ errors { messages } budget { id } }",
        ),
        variables={"p": "{w.owner.pk}"},
    ),
    "graphql:Mutation.updateBudget": Row(
        graphql_write(owner_managers="ok", owner_member="refused"),
        query=_q(
            "mutation($b: ID!)",
            "updateBudget",
            '(budget: $b, figures: {year: "2022/23", childPopulation: 1000})',
            "{ errors { messages } budget { id } }",
        ),
        variables={"b": "{w.budget.pk}"},
    ),
    "graphql:Mutation.createApiToken": Row(
        outcomes("ok", anonymous=GRAPHQL_ANON),
        query=_q(
            "mutation", "createApiToken", '(name: "Matrix")', "{ errors { messages } token { id } }"
        ),
    ),
    "graphql:Mutation.revokeApiToken": Row(
        outcomes("not-found", anonymous=GRAPHQL_ANON, owner_lead="ok"),
        query=_q(
            "mutation($id: ID!)",
            "revokeApiToken",
            "(id: $id)",
            "{ errors { messages } token { id } }",
        ),
        variables={"id": "{w.owner_lead_token.pk}"},
    ),
    "graphql:Mutation.createHandbook": Row(
        graphql_write(owner_managers="ok", owner_member="refused"),
        query=_q(
            "mutation($p: String!)",
            "createHandbook",
            '(partnership: $p, title: "Matrix")',
            "{ errors { messages } handbook { id } }",
        ),
        variables={"p": "{w.owner.slug}"},
    ),
    "graphql:Mutation.copyHandbookVersion": Row(
        graphql_write(owner_managers="ok", owner_member="refused"),
        query=_q(
            "mutation($v: ID!, $p: String!)",
            "copyHandbookVersion",
            "(version: $v, partnership: $p)",
            "{ errors { messages } handbook { id } }",
        ),
        variables={"v": "{w.published_version.pk}", "p": "{w.owner.slug}"},
    ),
    "graphql:Mutation.publishHandbookVersion": Row(
        graphql_write(owner_managers="ok"),
        query=_q(
            "mutation($v: ID!)",
            "publishHandbookVersion",
            "(version: $v)",
            "{ errors { messages } version { id } }",
        ),
        variables={"v": "{w.draft_version.pk}"},
    ),
    "graphql:Mutation.proposeExchange": Row(
        graphql_write(owners="refused", owner_lead="ok"),
        query=_q(
            "mutation($p: String!, $to: [String!]!, $v: ID!, $s: Date!, $e: Date!)",
            "proposeExchange",
            "(partnership: $p, partners: $to, handbookVersion: $v, fieldworkStartsOn: $s, "
            "fieldworkEndsOn: $e)",
            "{ errors { messages } exchange { id } }",
        ),
        variables={
            "p": "{w.owner.slug}",
            "to": ["{w.reviewing.slug}"],
            "v": "{w.reference_version.pk}",
            "s": "{w.fieldwork_start}",
            "e": "{w.fieldwork_end}",
        },
    ),
    "graphql:Mutation.answerExchange": Row(
        graphql_write(owners="refused", reviewing="refused", owner_lead="ok"),
        query=_q(
            "mutation($x: ID!, $p: String!)",
            "answerExchange",
            "(exchange: $x, partnership: $p, accept: true)",
            "{ errors { messages } exchange { id } }",
        ),
        variables={"x": "{w.incoming_exchange.pk}", "p": "{w.owner.slug}"},
    ),
    "graphql:Mutation.withdrawExchange": Row(
        graphql_write(owners="refused", reviewing="refused", owner_lead="ok"),
        query=_q(
            "mutation($x: ID!)",
            "withdrawExchange",
            "(exchange: $x)",
            "{ errors { messages } exchange { id } }",
        ),
        variables={"x": "{w.outgoing_exchange.pk}"},
    ),
    "graphql:Mutation.transitionReview": Row(
        graphql_write(
            owners="refused",
            reviewing="refused",
            reviewer_window_open="refused",
            reviewing_partnership_lead="ok",
        ),
        query=_q(
            "mutation($r: ID!)",
            "transitionReview",
            "(review: $r, toStatus: MODERATION)",
            "{ errors { messages } review { id } }",
        ),
        variables={"r": "{w.review.pk}"},
    ),
    "graphql:Mutation.setReviewScope": Row(
        graphql_write(owners="refused", reviewing="refused", reviewer_window_open="refused"),
        query=_q(
            "mutation($r: ID!)",
            "setReviewScope",
            "(review: $r, handbookAreas: [])",
            "{ errors { messages } review { id } }",
        ),
        variables={"r": "{w.review.pk}"},
    ),
    "graphql:Mutation.confirmReviewScope": Row(
        graphql_write(owners="refused", reviewing="refused", reviewer_window_open="refused"),
        query=_q(
            "mutation($r: ID!)",
            "confirmReviewScope",
            "(review: $r)",
            "{ errors { messages } review { id } }",
        ),
        variables={"r": "{w.review.pk}"},
    ),
    "graphql:Mutation.rescheduleReview": Row(  # widens access: Salford's lead only
        graphql_write(
            owners="refused", reviewing="refused", reviewer_window_open="refused", owner_lead="ok"
        ),
        query=_q(
            "mutation($r: ID!, $s: Date!, $e: Date!)",
            "rescheduleReview",
            '(review: $r, reason: "Matrix", phases: [{kind: REPORT_BACK, startsOn: $s, '
            "endsOn: $e}])",
            "{ errors { messages } review { id } }",
        ),
        variables={
            "r": "{w.review.pk}",
            "s": "{w.report_back_moved_start}",
            "e": "{w.report_back_moved_end}",
        },
    ),
    "graphql:Mutation.rescheduleReview narrowing": Row(
        graphql_write(
            owners="refused", reviewing="refused", reviewer_window_open="refused", leads="ok"
        ),
        query=_q(
            "mutation($r: ID!, $s: Date!, $e: Date!)",
            "rescheduleReview",
            '(review: $r, reason: "Matrix", phases: [{kind: REPORT_BACK, startsOn: $s, '
            "endsOn: $e}])",
            "{ errors { messages } review { id } }",
        ),
        variables={
            "r": "{w.review.pk}",
            "s": "{w.report_back.starts_on}",
            "e": "{w.report_back_narrowed_end}",
        },
    ),
    "graphql:Mutation.addTeamMember": Row(
        graphql_write(
            owners="refused",
            reviewing="refused",
            reviewer_window_open="refused",
            reviewing_partnership_lead="ok",
        ),
        query=_q(
            "mutation($r: ID!, $u: ID!)",
            "addTeamMember",
            "(review: $r, user: $u, teamRole: REVIEWER)",
            "{ errors { messages } member { id } }",
        ),
        variables={"r": "{w.review.pk}", "u": "{w.users[reviewing_partnership_member].pk}"},
    ),
    "graphql:Mutation.declareInterest": Row(
        graphql_write(
            owners="refused",
            reviewing="refused",
            reviewer_window_open="ok",
        ),
        query=_q(
            "mutation($r: ID!, $m: ID!)",
            "declareInterest",
            "(review: $r, member: $m, hasInterest: false)",
            "{ errors { messages } member { id } }",
        ),
        variables={"r": "{w.review.pk}", "m": "{w.open_member.pk}"},
    ),
    "graphql:Mutation.mitigateConflict": Row(
        graphql_write(
            owners="refused",
            reviewing="refused",
            reviewer_window_open="refused",
            reviewing_partnership_lead="ok",
        ),
        query=_q(
            "mutation($r: ID!, $m: ID!)",
            "mitigateConflict",
            '(review: $r, member: $m, mitigation: "Works on no police case.")',
            "{ errors { messages } member { id } }",
        ),
        variables={"r": "{w.review.pk}", "m": "{w.conflicted_member.pk}"},
    ),
    "graphql:Mutation.removeTeamMember": Row(
        graphql_write(
            owners="refused",
            reviewing="refused",
            reviewer_window_open="refused",
            reviewing_partnership_lead="ok",
        ),
        query=_q(
            "mutation($r: ID!, $m: ID!)",
            "removeTeamMember",
            "(review: $r, member: $m)",
            "{ errors { messages } member { id } }",
        ),
        variables={"r": "{w.review.pk}", "m": "{w.conflicted_member.pk}"},
    ),
    "graphql:Mutation.setAccessWindow": Row(
        graphql_write(
            owners="refused",
            reviewing="refused",
            reviewer_window_open="refused",
            owner_lead="ok",
        ),
        query=_q(
            "mutation($r: ID!, $m: ID!)",
            "setAccessWindow",
            "(review: $r, member: $m)",
            "{ errors { messages } member { id } }",
        ),
        variables={"r": "{w.review.pk}", "m": "{w.open_member.pk}"},
    ),
    "graphql:Mutation.addEvidence": Row(
        graphql_write(owners="ok"),
        query=_q(
            "mutation($p: ID!)",
            "addEvidence",
            '(partnership: $p, kind: OTHER, title: "Matrix evidence")',
            "{ errors { messages } item { id } }",
        ),
        variables={"p": "{w.owner.pk}"},
    ),
    "graphql:Mutation.updateEvidence": Row(
        graphql_write(owner_managers="ok", owner_member="refused", reviewer_window_open="refused"),
        query=_q(
            "mutation($i: ID!)",
            "updateEvidence",
            '(item: $i, description: "Matrix change")',
            "{ errors { messages } item { id } }",
        ),
        variables={"i": "{w.shared_item.pk}"},
    ),
    "graphql:Mutation.deleteEvidence": Row(
        graphql_write(owner_managers="ok", owner_member="refused"),
        query=_q(
            "mutation($i: ID!)", "deleteEvidence", "(item: $i)", "{ errors { messages } deletedId }"
        ),
        variables={"i": "{w.private_item.pk}"},
    ),
    "graphql:Mutation.shareEvidence": Row(
        graphql_write(
            owner_managers="ok",
            owner_member="refused",
            reviewing="refused",
            reviewer_window_open="refused",
        ),
        query=_q(
            "mutation($i: ID!, $r: ID!)",
            "shareEvidence",
            "(itemIds: [$i], review: $r)",
            "{ errors { messages } shares { itemId } }",
        ),
        variables={"i": "{w.private_item.pk}", "r": "{w.review.pk}"},
    ),
    "graphql:Mutation.unshareEvidence": Row(
        graphql_write(owner_managers="ok", owner_member="refused", reviewer_window_open="refused"),
        query=_q(
            "mutation($i: ID!, $r: ID!)",
            "unshareEvidence",
            "(item: $i, review: $r)",
            "{ errors { messages } item { id } }",
        ),
        variables={"i": "{w.shared_item.pk}", "r": "{w.review.pk}"},
    ),
    "graphql:Mutation.requestDocument": Row(
        graphql_write(
            owners="refused",
            reviewing="refused",
            reviewer_window_open="ok",
            reviewing_partnership_lead="ok",
        ),
        query=_q(
            "mutation($r: ID!)",
            "requestDocument",
            '(review: $r, title: "Matrix request")',
            "{ errors { messages } request { id } }",
        ),
        variables={"r": "{w.review.pk}"},
    ),
    "graphql:Mutation.withdrawDocumentRequest": Row(
        graphql_write(
            owners="refused",
            reviewing="refused",
            reviewer_window_open="ok",
            reviewing_partnership_lead="ok",
        ),
        query=_q(
            "mutation($q: ID!)",
            "withdrawDocumentRequest",
            "(request: $q)",
            "{ errors { messages } request { id status } }",
        ),
        variables={"q": "{w.document_request.pk}"},
    ),
    "graphql:Mutation.createSurvey": Row(
        graphql_write(owner_managers="ok", owner_member="refused"),
        query=_q(
            "mutation($p: ID!)",
            "createSurvey",
            '(partnership: $p, title: "Matrix", opensAt: "2030-01-01T09:00:00+00:00", '
            'closesAt: "2030-02-01T09:00:00+00:00", bankCodes: ["felt_supported"])',
            "{ errors { messages } survey { id } }",
        ),
        variables={"p": "{w.owner.pk}"},
    ),
    "graphql:Mutation.createSurveyInvitations": Row(
        graphql_write(owner_managers="ok", owner_member="refused", reviewer_window_open="refused"),
        query=_q(
            "mutation($s: ID!)",
            "createSurveyInvitations",
            "(survey: $s, count: 1)",
            "{ errors { messages } tokens }",
        ),
        variables={"s": "{w.survey.pk}"},
    ),
    "graphql:Mutation.addSurveyBaseline": Row(
        graphql_write(owner_managers="ok", owner_member="refused", reviewer_window_open="refused"),
        query=_q(
            "mutation($s: ID!)",
            "addSurveyBaseline",
            '(survey: $s, label: "Matrix", respondents: 10, counts: [{code: '
            '"collaboration_vision", answered: 10, positive: 5}])',
            "{ errors { messages } baselineId }",
        ),
        variables={"s": "{w.survey.pk}"},
    ),
    **{
        f"graphql:Mutation.{name}": Row(
            graphql_write(**expect),
            query=_q(
                f"mutation({variables})",
                name,
                f"({arguments})",
                f"{{ errors {{ messages }} {result} }}",
            ),
            variables=values,
        )
        for name, variables, arguments, result, values, expect in (
            (
                "createFinding",
                "$r: ID!, $a: ID!",
                'review: $r, area: $a, kind: STRENGTH, text: ""',
                "finding { id }",
                {"r": "{w.review.pk}", "a": "{w.finding.area_id}"},
                FINDINGS_TEAM_WRITE,
            ),
            (
                "updateFinding",
                "$f: ID!",
                'finding: $f, version: 999, text: "Matrix"',
                "finding { id } conflict { currentVersion }",
                {"f": "{w.finding.pk}"},
                FINDINGS_TEAM_WRITE,
            ),
            (
                "proposeFinding",
                "$f: ID!",
                "finding: $f",
                "finding { id }",
                {"f": "{w.finding.pk}"},
                FINDINGS_TEAM_WRITE,
            ),
            (
                "deleteFinding",
                "$f: ID!",
                "finding: $f",
                "deletedId",
                {"f": "{w.finding.pk}"},
                {**FINDINGS_TEAM_WRITE, "reviewer_window_open": "ok"},
            ),
            (
                "addQuote",
                "$f: ID!",
                'finding: $f, text: "", attributedTo: "", consent: true',
                "finding { id }",
                {"f": "{w.finding.pk}"},
                FINDINGS_TEAM_WRITE,
            ),
            (
                "recordModerationMeeting",
                "$r: ID!, $d: Date!",
                "review: $r, heldOn: $d, attendees: []",
                "meetingId",
                {"r": "{w.review.pk}", "d": "{w.today}"},
                FINDINGS_TEAM_WRITE,
            ),
            (
                "moderateFinding",
                "$f: ID!",
                'finding: $f, meeting: "999999", outcome: AGREED',
                "finding { id }",
                {"f": "{w.finding.pk}"},
                FINDINGS_TEAM_WRITE,
            ),
            (
                "publishFindings",
                "$r: ID!",
                "review: $r, confirm: true",
                "published",
                {"r": "{w.review.pk}"},
                FINDINGS_TEAM_WRITE,
            ),
            (
                "correctFinding",
                "$f: ID!",
                'finding: $f, text: "Matrix", reason: "Matrix"',
                "finding { id }",
                {"f": "{w.finding.pk}"},
                FINDINGS_TEAM_WRITE,
            ),
            (
                "commentOnFinding",
                "$f: ID!",
                'finding: $f, text: "Matrix"',
                "finding { id }",
                {"f": "{w.finding.pk}"},
                {},
            ),
        )
    },
}


def route_of(key: str) -> str:
    """The route (or GraphQL field) a table key is about: "reviews-api:team POST" -> ..."""
    return key.split(" ", 1)[0]


class Report:
    """Counts of the cases run in this session, printed at the end (conftest.py)."""

    def __init__(self) -> None:
        self.cases = 0
        self.mismatches: list[tuple[str, str, str]] = []

    def record(self, case_id: str, expected: str, actual: str, ok: bool) -> None:
        self.cases += 1
        if not ok:
            self.mismatches.append((case_id, expected, actual))


REPORT = Report()
