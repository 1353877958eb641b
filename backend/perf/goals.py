"""The goals perf_run measures, each as endpoint (A) / twin (B) (PERFORMANCE.md).

Every list goes through the chokepoint: `evidence.selectors.evidence_list` when it
exists (it does the rows and their areas in two queries), else
`access.visible(actor, EvidenceItem).order_by("-id")`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve

from accounts.models import User
from evidence.models import EvidenceItem
from tenancy import access
from tenancy.access import Actor

from .measure import PAGE, Result, Timing, count_queries, ratio, spread, verdict_at_most
from .workload import LIBRARY_EMAIL, OWNER_EMAIL, REVIEWER_EMAIL

API_LIST = "/api/v1/evidence/"
# Permission flags a list row shows (edit and share links): P5.
FLAGS = ("change", "share")
P7_PAGE = 200

# What a member's list row shows, written by hand: the baseline for P6. A member sees
# their partnership's items, restricted ones only with their own grant.
MINIMAL_LIST_SQL = """
SELECT e.id, e.kind, e.title, e.sensitivity, e.added_at, e.scan_status, e.partnership_id,
       e.review_id, e.added_by_id, p.name, u.full_name,
       (SELECT array_agg(a.reviewarea_id) FROM evidence_evidenceitem_areas a
         WHERE a.evidenceitem_id = e.id),
       (SELECT count(*) FROM evidence_evidenceshare s JOIN reviews_review r ON r.id = s.review_id
         WHERE s.item_id = e.id AND r.status <> 'closed')
  FROM evidence_evidenceitem e
  JOIN tenancy_partnership p ON p.id = e.partnership_id
  LEFT JOIN accounts_user u ON u.id = e.added_by_id
 WHERE e.partnership_id = ANY(%s)
   AND (e.sensitivity <> 'restricted' OR e.id IN (
        SELECT g.content_object_id FROM evidence_evidenceitemuserobjectpermission g
         WHERE g.user_id = %s))
 ORDER BY e.id DESC
 LIMIT %s
"""


_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?([\w.]+)"?', re.IGNORECASE)


def statements(action: Callable[[], object]) -> list[str]:
    """The SQL statements an action sends, as "SELECT evidence_evidenceitem": the
    verb and the first table, never the values (a session's data, say)."""
    with CaptureQueriesContext(connection) as captured:
        action()
    signatures = []
    for query in captured.captured_queries:
        sql = query["sql"].strip()
        table = _TABLE.search(sql)
        verb = sql.split(None, 1)[0].upper() if sql else ""
        signatures.append(f"{verb} {table.group(1)}" if table else verb)
    return signatures


def kinds(sqls: list[str]) -> str:
    """The statements counted by verb: "12 SELECT, 2 BEGIN, 1 INSERT"."""
    counted = Counter(sql.split(None, 1)[0].upper() for sql in sqls)
    return ", ".join(f"{n} {kind}" for kind, n in counted.most_common())


def listing() -> tuple[str, Callable[[Actor], QuerySet[Any]]]:
    """The evidence list as the product reads it, and how it was found."""
    try:
        from evidence.selectors import evidence_list
    except ImportError:

        def bare(actor: Actor) -> QuerySet[Any]:
            return access.visible(actor, EvidenceItem).order_by("-id")

        return "access.visible(actor, EvidenceItem).order_by('-id')", bare

    def selector(actor: Actor) -> QuerySet[Any]:
        return evidence_list(actor=actor)

    return "evidence.selectors.evidence_list", selector


def api_route_built() -> bool:
    try:
        resolve(API_LIST)
    except Resolver404:
        return False
    return True


@dataclass
class Subjects:
    owner: User
    library: User
    reviewer: User

    @classmethod
    def load(cls) -> Subjects:
        users = {
            u.email: u
            for u in User.objects.filter(email__in=[OWNER_EMAIL, LIBRARY_EMAIL, REVIEWER_EMAIL])
        }
        missing = {OWNER_EMAIL, LIBRARY_EMAIL, REVIEWER_EMAIL} - set(users)
        if missing:
            raise LookupError(f"not a perf_seed database: no {', '.join(sorted(missing))}")
        return cls(users[OWNER_EMAIL], users[LIBRARY_EMAIL], users[REVIEWER_EMAIL])


class Goals:
    def __init__(self, timing: Timing) -> None:
        self.timing = timing
        self.source, self.list_of = listing()
        self.who = Subjects.load()
        self.owner = access.actor_for(self.who.owner)
        self.library = access.actor_for(self.who.library)
        self.reviewer = access.actor_for(self.who.reviewer)
        self.member = self._plain_member()

    def page(self, actor: Actor, rows: int = PAGE) -> list[Any]:
        return list(self.list_of(actor)[:rows])

    def _pair(
        self,
        id: str,
        measure: str,
        a: Callable[[], object],
        b: Callable[[], object],
        *,
        limit: float | None,
        goal: str,
        a_label: str,
        b_label: str,
        note: str = "",
    ) -> Result:
        # Once each, unmeasured: per-process caches (content types) warm, as on a server.
        a()
        b()
        a_queries, b_queries = count_queries(a), count_queries(b)
        ms_a, ms_b, times_a, times_b = self.timing.pair(a, b)
        value = ratio(ms_a, ms_b)
        return Result(
            id=id,
            measure=measure,
            unit="ms",
            a=round(ms_a, 3),
            b=round(ms_b, 3),
            ratio=None if value is None else round(value, 2),
            goal=goal,
            verdict="INFO" if limit is None else verdict_at_most(value, limit),
            a_label=a_label,
            b_label=b_label,
            a_queries=a_queries,
            b_queries=b_queries,
            note=note,
            extra={"a": spread(times_a), "b": spread(times_b)},
        )

    # -- P3 -----------------------------------------------------------------------

    def p3(self) -> list[Result]:
        grants = self._grants_held(self.reviewer)
        member = self.member
        rows = len(self.page(self.reviewer)), len(self.page(member))
        note = "" if rows == (PAGE, PAGE) else f"pages held {rows[0]} and {rows[1]} rows"
        results = [
            self._pair(
                "P3",
                f"evidence list, page of {PAGE}: heavy reviewer ({grants:,} grants) / a plain "
                "member of the owning partnership",
                lambda: self.page(self.reviewer),
                lambda: self.page(member),
                limit=1.5,
                goal="<= 1.5",
                a_label=f"reviewer: {self.source}",
                b_label=f"member (no lead rule): {self.source}",
                note=note,
            ),
            self._pair(
                "P3.owner",
                "  the same: heavy reviewer / the owning partnership's lead",
                lambda: self.page(self.reviewer),
                lambda: self.page(self.owner),
                limit=None,
                goal="info",
                a_label=f"reviewer: {self.source}",
                b_label=f"lead: {self.source}",
            ),
        ]
        from guardian.shortcuts import get_objects_for_user

        def guardian() -> list[EvidenceItem]:
            items: QuerySet[EvidenceItem] = get_objects_for_user(
                self.who.reviewer,
                "evidence.view_evidenceitem",
                with_superuser=False,
                accept_global_perms=False,
            )
            return list(items.order_by("-id")[:PAGE])

        results.append(
            self._pair(
                "P3.guardian",
                "  guardian get_objects_for_user page for the reviewer / the member's page",
                guardian,
                lambda: self.page(member),
                limit=None,
                goal="info",
                a_label="guardian.shortcuts.get_objects_for_user(...)[:50] (ignores windows)",
                b_label=f"member: {self.source}",
            )
        )
        return results

    @property
    def member_user(self) -> User:
        return User.objects.get(pk=self.member.user_id or 0)

    def _plain_member(self) -> Actor:
        """A member (not a lead) of the owner's partnership: their list is the
        partnership's alone, read down the (partnership, -id) index."""
        from tenancy.models import Membership, Role

        membership = (
            Membership.objects.filter(partnership_id__in=self.owner.roles, role=Role.MEMBER)
            .select_related("user")
            .order_by("user_id")
            .first()
        )
        if membership is None:
            raise LookupError("the owner's partnership has no plain member")
        return access.actor_for(membership.user)

    def _grants_held(self, actor: Actor) -> int:
        from evidence.models import EvidenceItemGroupObjectPermission

        return EvidenceItemGroupObjectPermission.objects.filter(
            group_id__in=actor.open_group_ids, permission__codename="view_evidenceitem"
        ).count()

    # -- P2 -----------------------------------------------------------------------

    def p2(self) -> list[Result]:
        results = []
        for who, user in (("owner", self.who.owner), ("heavy reviewer", self.who.reviewer)):

            def request(rows: int, user: User = user) -> int:
                # What one request does: resolve the actor, then read one page (once
                # unmeasured first, so per-process caches are warm as on a server).
                self.page(access.actor_for(user), rows)
                return count_queries(lambda: self.page(access.actor_for(user), rows))

            many, few = request(PAGE), request(PAGE // 10)
            results.append(self._queries_row(f"evidence list ({self.source}), {who}", many, few))
        if not api_route_built():
            return results
        for who, user in (("owner", self.who.owner), ("heavy reviewer", self.who.reviewer)):
            client = self._client(user)

            def get(rows: int, client: Client = client) -> list[str]:
                self._get(client, f"{API_LIST}?page_size={rows}")
                return statements(lambda: self._get(client, f"{API_LIST}?page_size={rows}"))

            sent, sent_few = get(PAGE), get(PAGE // 10)
            row = self._queries_row(f"REST {API_LIST}, {who}", len(sent), len(sent_few))
            # The whole request (session, audit, transactions): say what the statements are.
            row.note = f"{who}: {PAGE} rows: {kinds(sent)}; {PAGE // 10} rows: {kinds(sent_few)}"
            row.extra = {"a_statements": sent, "b_statements": sent_few}
            results.append(row)
        return results

    def _queries_row(self, what: str, many: int, few: int) -> Result:
        return Result(
            id="P2",
            measure=f"queries per request, {PAGE} rows / {PAGE // 10} rows: {what}",
            unit="queries",
            a=many,
            b=few,
            ratio=round(many / few, 2) if few else None,
            goal="= 1.0, <= 8",
            verdict="PASS" if many == few and max(many, few) <= 8 else "FAIL",
            a_label=f"{PAGE} rows",
            b_label=f"{PAGE // 10} rows",
            a_queries=many,
            b_queries=few,
        )

    # -- P5 -----------------------------------------------------------------------

    def p5(self) -> list[Result]:
        actor = self.owner
        # access.permitted_ids: `can` for a whole page in one query (PERFORMANCE.md, P5).
        batched: Callable[..., frozenset[Any]] | None = getattr(access, "permitted_ids", None)

        def plain() -> list[Any]:
            return self.page(actor)

        def flagged_batched() -> list[tuple[Any, dict[str, bool]]]:
            assert batched is not None
            items = self.page(actor)
            ids = [item.pk for item in items]
            allowed = {perm: batched(actor, EvidenceItem, perm, ids) for perm in FLAGS}
            return [(item, {p: item.pk in allowed[p] for p in FLAGS}) for item in items]

        def flagged_loop() -> list[tuple[Any, dict[str, bool]]]:
            return [
                (item, {p: access.can(actor, p, item) for p in FLAGS}) for item in self.page(actor)
            ]

        results = []
        how = "access.permitted_ids (one query per flag)" if batched else "access.can() per row"
        main = self._pair(
            "P5",
            f"page of {PAGE} with {' and '.join(FLAGS)} flags / without (time), owner",
            flagged_batched if batched else flagged_loop,
            plain,
            limit=2.0,
            goal="<= 2",
            a_label=how,
            b_label="the page alone",
        )
        results.append(main)
        assert main.a_queries is not None and main.b_queries is not None
        results.append(
            Result(
                id="P5",
                measure=f"page of {PAGE} with flags / without (queries), owner",
                unit="queries",
                a=main.a_queries,
                b=main.b_queries,
                ratio=round(main.a_queries / main.b_queries, 2) if main.b_queries else None,
                goal="<= page + 2",
                verdict="PASS" if main.a_queries <= main.b_queries + 2 else "FAIL",
                a_label=how,
                b_label="the page alone",
                a_queries=main.a_queries,
                b_queries=main.b_queries,
            )
        )
        if batched:
            results.append(
                self._pair(
                    "P5.can",
                    "  the same with access.can() per row and flag",
                    flagged_loop,
                    plain,
                    limit=None,
                    goal="info",
                    a_label="access.can() per row",
                    b_label="the page alone",
                )
            )
        return results

    # -- P6 -----------------------------------------------------------------------

    def p6(self) -> list[Result]:
        """The member's list of 50 through the selector and the API's serialization,
        against the minimal SQL for the same rows and the columns a row shows."""
        from evidence.api import summary
        from evidence.selectors import evidence_permissions

        actor = self.member
        own = sorted(actor.partnership_ids())

        def served() -> list[dict[str, Any]]:
            page = self.page(actor)
            flags = evidence_permissions(actor=actor, items=page)
            return [summary(item, flags[item.pk], actor) for item in page]

        def minimal() -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(MINIMAL_LIST_SQL, [own, actor.user_id, PAGE])
                return list(cursor.fetchall())

        rows = len(served()), len(minimal())
        return [
            self._pair(
                "P6",
                f"evidence list of {PAGE}, selector + serialization / minimal SQL, member",
                served,
                minimal,
                limit=2.0,
                goal="<= 2",
                a_label="evidence_list page, flags, api.summary() per row",
                b_label="one hand-written SELECT of the columns shown",
                note="" if rows == (PAGE, PAGE) else f"rows {rows[0]} and {rows[1]}",
            )
        ]

    def _client(self, user: User) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    def _get(self, client: Client, url: str) -> Any:
        response = client.get(url, secure=True, HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}, not 200")
        return response.json()

    # -- P4 -----------------------------------------------------------------------

    def p4(self, tenth: str, tenth_scale: str) -> list[Result]:
        """The same lists on this database and on one seeded with a tenth of the data,
        both connections open in this process, called alternately (A B A B)."""
        from django.contrib.contenttypes.models import ContentType
        from django.db import connections

        here = connections["default"]
        there = type(here)({**here.settings_dict, "NAME": tenth}, "default")

        def on(wrapper: Any, action: Callable[[], Any]) -> Any:
            connections["default"] = wrapper
            # Content type ids differ between the two databases.
            ContentType.objects.clear_cache()
            return action()

        try:
            small = on(there, lambda: Goals(self.timing))
            pairs = (
                ("member", self.member, small.member),
                ("heavy reviewer", self.reviewer, small.reviewer),
            )
            results = []

            def page_on(wrapper: Any, goals: Goals, actor: Actor) -> Callable[[], Any]:
                return lambda: on(wrapper, lambda: goals.page(actor))

            for who, big_actor, small_actor in pairs:
                results.append(
                    self._pair(
                        "P4",
                        f"evidence list page of {PAGE}, {who}: this scale / {tenth_scale}x "
                        "(a tenth of the data)",
                        page_on(here, self, big_actor),
                        page_on(there, small, small_actor),
                        limit=1.2,
                        goal="<= 1.2",
                        a_label="this database",
                        b_label=tenth,
                    )
                )
            return results
        finally:
            connections["default"] = here
            ContentType.objects.clear_cache()
            there.close()

    # -- P7 -----------------------------------------------------------------------

    def p7(self) -> list[Result]:
        actor = self.library
        total = access.visible(actor, EvidenceItem).count()
        pages = max(1, math.ceil(total / PAGE))
        target = min(P7_PAGE, pages)
        offset = (target - 1) * PAGE
        ids = access.visible(actor, EvidenceItem).order_by("-id").values_list("id", flat=True)
        last_seen = ids[offset - 1] if offset else None
        where = f"page {target}" + ("" if target == P7_PAGE else f" (the last: {total:,} items)")

        def keyset() -> list[Any]:
            items = self.list_of(actor)
            if last_seen is not None:
                items = items.filter(id__lt=last_seen)
            return list(items[:PAGE])

        def offset_page() -> list[Any]:
            return list(self.list_of(actor)[offset : offset + PAGE])

        return [
            self._pair(
                "P7",
                f"evidence list, keyset {where} / page 1, largest library",
                keyset,
                lambda: self.page(actor),
                limit=1.2,
                goal="<= 1.2",
                a_label=f"id < {last_seen} ORDER BY id DESC LIMIT {PAGE}",
                b_label=f"first {PAGE}",
                note="" if target == P7_PAGE else f"the library has only {pages} pages",
            ),
            self._pair(
                "P7.offset",
                f"  the same {where} by OFFSET {offset:,}",
                offset_page,
                lambda: self.page(actor),
                limit=None,
                goal="info",
                a_label=f"OFFSET {offset} LIMIT {PAGE}",
                b_label=f"first {PAGE}",
            ),
        ]
