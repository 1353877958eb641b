"""Set-based seeding of the workload: `INSERT ... SELECT generate_series` through one
cursor, no factories and no model saves (PERFORMANCE.md: 1x takes about half a minute).

Rows get explicit ids above whatever the database already holds (migrations load a
reference handbook, say), so later statements can compute their foreign keys by
arithmetic instead of looking them up; the sequences are moved past them at the end.
Every column the seed does not set is filled from the model field's default (or NULL,
or an empty string), so a new field with a default needs no change here; a new
required field without one stops the seed with its name.

Ordinals used below (1-based): partnership p, member user u (30 per partnership:
index 0 is the lead, 1-2 the business managers, the rest members), adviser a,
exchange e, review r (two per exchange; r = R + 1 is the heavy reviewer's review),
evidence item g.
"""

# ruff: noqa: S608 - every statement here is built from the models' own table and
# column names and from integers the seed computes; nothing comes from outside.
from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.models import User
from evidence.models import (
    EvidenceItem,
    EvidenceItemGroupObjectPermission,
    EvidenceItemUserObjectPermission,
    EvidenceShare,
)
from handbooks.models import Handbook, HandbookVersion
from reviews.models import Exchange, ExchangeParty, Phase, Review, ReviewArea, TeamMember
from tenancy.models import AccessWindow, Alliance, Membership, Organisation, Partnership

from .workload import LIBRARY_EMAIL, OWNER_EMAIL, REVIEWER_EMAIL, Workload

# Where the known users sit (ordinals, see the module docstring).
OWNER_PARTNERSHIP = 1  # perf-owner: lead of partnership 1 (a library of about 1k items)
LIBRARY_PARTNERSHIP = 2  # perf-library: lead of partnership 2, the largest library
REVIEWER_PARTNERSHIP = 3  # perf-reviewer: a member (index 3) of partnership 3
REVIEWER_INDEX = 3
HEAVY_REVIEWED = 1  # the heavy review: partnership 3 reviews partnership 1
# Ordinary team members are drawn from indexes 4..29, so the heavy reviewer is on
# no other team and holds exactly the heavy review's grants.
FIRST_TEAM_INDEX = 4

STATUS_BY_AGE = """CASE
    WHEN {age} < 60 THEN 'mobilisation' WHEN {age} < 91 THEN 'fieldwork'
    WHEN {age} < 111 THEN 'moderation' WHEN {age} < 131 THEN 'reporting'
    WHEN {age} < 365 THEN 'published' ELSE 'closed' END"""

PHASES = (
    ("mobilisation", 1, 0, 59),
    ("fieldwork", 2, 60, 90),
    ("moderation", 3, 91, 110),
    ("report_back", 4, 111, 130),
)

COUNTED: tuple[type[models.Model], ...] = (
    Alliance,
    Organisation,
    Partnership,
    User,
    Membership,
    Exchange,
    ExchangeParty,
    Group,
    Review,
    ReviewArea,
    Phase,
    TeamMember,
    AccessWindow,
    EvidenceItem,
    EvidenceItemGroupObjectPermission,
    EvidenceItemUserObjectPermission,
    EvidenceShare,
)


def table_counts() -> dict[str, int]:
    """Exact row counts of the seeded tables, keyed by model label."""
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for model in COUNTED:
            cursor.execute(
                f"SELECT count(*) FROM {connection.ops.quote_name(model._meta.db_table)}"
            )
            counts[model._meta.label] = int(cursor.fetchone()[0])
    return counts


@dataclass
class SeedReport:
    steps: list[tuple[str, int, float]] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return sum(step[2] for step in self.steps)


def _fill(model_field: models.Field[Any, Any]) -> tuple[str, list[Any]]:
    """SQL for a column the seed does not set: its default, NULL or ''."""
    if model_field.has_default():
        if model_field.default is timezone.now:
            return "now()", []
        value = model_field.get_default()
        return "%s", [model_field.get_db_prep_save(value, connection)]
    if model_field.null:
        return "NULL", []
    if model_field.empty_strings_allowed:
        return "''", []
    raise CommandError(
        f"perf_seed cannot fill {model_field.model.__name__}.{model_field.name} "
        "(required, no default): add it to backend/perf/seed.py."
    )


class Seeder:
    def __init__(self, workload: Workload, log: Callable[[str], None]) -> None:
        self.w = workload
        self.log = log
        self.report = SeedReport()
        self.base: dict[type[models.Model], int] = {}

    # -- plumbing -----------------------------------------------------------------

    def _next_base(self, model: type[models.Model]) -> int:
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return int(cursor.fetchone()[0])

    def insert(
        self,
        model: type[models.Model],
        values: Mapping[str, str],
        source: str,
        *,
        step: str | None = None,
    ) -> int:
        """INSERT INTO model's table (every concrete column) SELECT values FROM source.

        `values` maps attnames ("partnership_id") to SQL expressions over `source`;
        the other columns get their defaults. No `%` may appear in the SQL (use mod())."""
        attnames = {f.attname for f in model._meta.concrete_fields}
        unknown = set(values) - attnames
        if unknown:
            raise CommandError(f"{model.__name__} has no column for {sorted(unknown)}")
        columns: list[str] = []
        expressions: list[str] = []
        params: list[Any] = []
        for model_field in model._meta.concrete_fields:
            if model_field.attname in values:
                expression = values[model_field.attname]
            elif model_field.primary_key:
                continue
            else:
                expression, extra = _fill(model_field)
                params += extra
            columns.append(connection.ops.quote_name(str(model_field.column)))
            expressions.append(expression)
        table = connection.ops.quote_name(model._meta.db_table)
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(expressions)} FROM {source}"
        )
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params or None)
            rows = int(cursor.rowcount)
        self._step(step or model._meta.label, rows, time.perf_counter() - started)
        return rows

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)

    # -- the workload ---------------------------------------------------------------

    def run(self) -> SeedReport:
        models_with_ids = (
            Alliance,
            Organisation,
            Partnership,
            User,
            Exchange,
            Group,
            Review,
            ReviewArea,
            AccessWindow,
            EvidenceItem,
        )
        with transaction.atomic():
            self.base = {model: self._next_base(model) for model in models_with_ids}
            self.view_perm = Permission.objects.get(
                content_type__app_label="evidence", codename="view_evidenceitem"
            ).pk
            self.handbook_version = self._handbook_version()
            self._tenancy()
            self._users()
            self._reviews()
            self._evidence()
            self._grants()
            for model in models_with_ids:
                table = model._meta.db_table
                self.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                    f"(SELECT MAX(id) FROM {connection.ops.quote_name(table)}))",
                    [table],
                )
            started = time.perf_counter()
        self._step("COMMIT", 0, time.perf_counter() - started)
        started = time.perf_counter()
        self.execute("VACUUM ANALYZE")
        self._step("VACUUM ANALYZE", 0, time.perf_counter() - started)
        return self.report

    def _step(self, name: str, rows: int, seconds: float) -> None:
        self.report.steps.append((name, rows, seconds))
        count = f"{rows:>10,} rows" if rows else ""
        self.log(f"  {name:<44} {count:>15} {seconds:7.2f} s")

    def _handbook_version(self) -> int:
        version = (
            HandbookVersion.objects.filter(status=HandbookVersion.Status.PUBLISHED)
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        if version is not None:
            return version
        handbook = Handbook.objects.create(
            title="Perf handbook", visibility=Handbook.Visibility.EVERYONE
        )
        return HandbookVersion.objects.create(
            handbook=handbook, number=1, status=HandbookVersion.Status.PUBLISHED
        ).pk

    def _tenancy(self) -> None:
        w, b = self.w, self.base
        self.insert(
            Alliance,
            {
                "id": f"{b[Alliance]} + g",
                "name": "'Perf region ' || g",
                "slug": "'perf-region-' || g",
                "region": "'Region ' || g",
            },
            f"generate_series(1, {w.alliances}) g",
        )
        police_from = w.partnerships + 1
        health_from = police_from + w.police_forces
        organisations = health_from + w.health_bodies - 1
        self.insert(
            Organisation,
            {
                "id": f"{b[Organisation]} + g",
                "name": f"""CASE WHEN g < {police_from} THEN 'Perf council ' || g
                    WHEN g < {health_from} THEN 'Perf police ' || g
                    ELSE 'Perf health ' || g END""",
                "slug": "'perf-org-' || g",
                "kind": f"""CASE WHEN g < {police_from} THEN 'local_authority'
                    WHEN g < {health_from} THEN 'police' ELSE 'health' END""",
            },
            f"generate_series(1, {organisations}) g",
        )
        self.insert(
            Partnership,
            {
                "id": f"{b[Partnership]} + g",
                "name": "'Perf partnership ' || g",
                "slug": "'perf-p-' || g",
                "alliance_id": f"{b[Alliance]} + 1 + mod(g - 1, {w.alliances})",
                "child_population": "20000 + mod(g * 7919, 180000)",
                "created_at": "now() - interval '6 years'",
            },
            f"generate_series(1, {w.partnerships}) g",
        )
        link = Partnership.statutory_partners.through
        org = b[Organisation]
        self.insert(
            link,
            {
                "partnership_id": f"{b[Partnership]} + g",
                "organisation_id": f"""{org} + CASE k WHEN 0 THEN g
                    WHEN 1 THEN {police_from} + mod(g - 1, {w.police_forces})
                    ELSE {health_from} + mod(g - 1, {w.health_bodies}) END""",
            },
            f"generate_series(1, {w.partnerships}) g CROSS JOIN generate_series(0, 2) k",
            step="tenancy.Partnership.statutory_partners",
        )

    def _user(self, partnership: str, index: str) -> str:
        """SQL for the id of member `index` of partnership ordinal `partnership`."""
        return f"({self.base[User]} + ({partnership} - 1) * {self.w.people_per_partnership} + 1 + {index})"  # noqa: E501

    def _users(self) -> None:
        w, b = self.w, self.base
        per = w.people_per_partnership
        owner = (OWNER_PARTNERSHIP - 1) * per + 1
        library = (LIBRARY_PARTNERSHIP - 1) * per + 1
        reviewer = (REVIEWER_PARTNERSHIP - 1) * per + 1 + REVIEWER_INDEX
        self.insert(
            User,
            {
                "id": f"{b[User]} + u",
                # Not a usable password: the harness signs people in by session.
                "password": "'!perf-seed-' || u",
                "email": f"""CASE WHEN u = {owner} THEN '{OWNER_EMAIL}'
                    WHEN u = {library} THEN '{LIBRARY_EMAIL}'
                    WHEN u = {reviewer} THEN '{REVIEWER_EMAIL}'
                    WHEN u > {w.members}
                        THEN 'perf-adviser-' || (u - {w.members}) || '@perf.invalid'
                    ELSE 'perf-user-' || u || '@perf.invalid' END""",
                "full_name": "'Perf Person ' || u",
                "employer_id": f"CASE WHEN u <= {w.members} THEN "
                f"{b[Organisation]} + 1 + (u - 1) / {per} END",
                "is_independent_adviser": f"u > {w.members}",
                "date_joined": "now() - interval '6 years'",
            },
            f"generate_series(1, {w.members + w.advisers}) u",
        )
        self.insert(
            Membership,
            {
                "user_id": f"{b[User]} + u",
                "partnership_id": f"{b[Partnership]} + 1 + (u - 1) / {per}",
                "role": f"""CASE mod(u - 1, {per}) WHEN 0 THEN 'lead'
                    WHEN 1 THEN 'business_manager' WHEN 2 THEN 'business_manager'
                    ELSE 'member' END""",
                "created_at": "now() - interval '6 years'",
            },
            f"generate_series(1, {w.members}) u",
        )

    def _reviews(self) -> None:
        w, b = self.w, self.base
        p, e_total, r_total = w.partnerships, w.exchanges, w.reviews
        days = 365 * w.years
        # One row per review: who reviews whom, and when (spread evenly over the years,
        # newest last). The heavy review is r = R + 1, in fieldwork.
        self.execute(
            f"""CREATE TEMP TABLE perf_reviews ON COMMIT DROP AS
            SELECT r, e, CASE WHEN mod(r, 2) = 1 THEN pa ELSE pb END AS reviewing,
                   CASE WHEN mod(r, 2) = 1 THEN pb ELSE pa END AS reviewed, age,
                   now() - age * interval '1 day' AS created
            FROM (SELECT r, (r + 1) / 2 AS e FROM generate_series(1, {r_total}) r) x
            CROSS JOIN LATERAL (SELECT 1 + mod(e - 1, {p}) AS pa,
                1 + mod(e - 1 + 1 + mod((e - 1) / {p}, {p - 1}), {p}) AS pb,
                ({days}.0 - (e - 1) * {days}.0 / {e_total}) AS age) y
            UNION ALL
            SELECT {r_total + 1}, {e_total + 1}, {REVIEWER_PARTNERSHIP}, {HEAVY_REVIEWED}, 70.0,
                   now() - interval '70 days'"""
        )
        self.insert(
            Exchange,
            {
                "id": f"{b[Exchange]} + e",
                "partnership_id": f"{b[Partnership]} + reviewing",
                "proposed_by_id": self._user("reviewing", "0"),
                "handbook_version_id": str(self.handbook_version),
                "fieldwork_starts_on": "(created + interval '60 days')::date",
                "fieldwork_ends_on": "(created + interval '90 days')::date",
                "status": "'agreed'",
                "created_at": "created",
            },
            "perf_reviews WHERE mod(r, 2) = 1 OR e > " + str(e_total),
        )
        self.insert(
            ExchangeParty,
            {
                "exchange_id": f"{b[Exchange]} + e",
                "partnership_id": f"{b[Partnership]} + CASE k WHEN 0 THEN reviewing ELSE reviewed END",  # noqa: E501
                "reviews_id": f"{b[Partnership]} + CASE k WHEN 0 THEN reviewed ELSE reviewing END",
                "position": "k",
                "answer": "CASE k WHEN 0 THEN 'proposer' ELSE 'accepted' END",
                "answered_by_id": self._user("CASE k WHEN 0 THEN reviewing ELSE reviewed END", "0"),
                "answered_at": "created + k * interval '7 days'",
            },
            f"perf_reviews CROSS JOIN generate_series(0, 1) k WHERE mod(r, 2) = 1 OR e > {e_total}",
        )
        self.insert(
            Group,
            {"id": f"{b[Group]} + r", "name": "'perf review ' || r || ' team'"},
            "perf_reviews",
        )
        self.insert(
            Review,
            {
                "id": f"{b[Review]} + r",
                "exchange_id": f"{b[Exchange]} + e",
                "reviewing_partnership_id": f"{b[Partnership]} + reviewing",
                "reviewed_partnership_id": f"{b[Partnership]} + reviewed",
                "handbook_version_id": str(self.handbook_version),
                "status": STATUS_BY_AGE.format(age="age"),
                "team_group_id": f"{b[Group]} + r",
                "scope_confirmed_by_reviewed_at": "created + interval '20 days'",
                "scope_confirmed_by_reviewing_at": "created + interval '20 days'",
                "created_at": "created",
                "status_changed_at": "created",
            },
            "perf_reviews",
        )
        self.insert(
            ReviewArea,
            {
                "id": f"{b[ReviewArea]} + (r - 1) * {w.areas_per_review} + k",
                "review_id": f"{b[Review]} + r",
                "position": "k",
                "title": "'Area of focus ' || k",
                "key_question": "'How well does the partnership do thing ' || k || '?'",
            },
            f"perf_reviews CROSS JOIN generate_series(1, {w.areas_per_review}) k",
        )
        phases = " UNION ALL ".join(
            f"SELECT '{kind}' AS kind, {position} AS position, {start} AS start, {end} AS finish"
            for kind, position, start, end in PHASES
        )
        self.insert(
            Phase,
            {
                "review_id": f"{b[Review]} + r",
                "kind": "ph.kind",
                "position": "ph.position",
                "original_starts_on": "(created + ph.start * interval '1 day')::date",
                "original_ends_on": "(created + ph.finish * interval '1 day')::date",
                "starts_on": "(created + ph.start * interval '1 day')::date",
                "ends_on": "(created + ph.finish * interval '1 day')::date",
            },
            f"perf_reviews CROSS JOIN ({phases}) ph",
        )
        # Teams: three from the reviewing partnership and one adviser per ordinary
        # review; the heavy review's team is the heavy reviewer alone, with a window
        # that stays open for ten years (so a kept template stays usable).
        slots = w.team_members + 1
        pool = w.people_per_partnership - FIRST_TEAM_INDEX
        self.execute(
            f"""CREATE TEMP TABLE perf_team ON COMMIT DROP AS
            SELECT r, k, created, reviewing,
                   CASE WHEN k < {w.team_members}
                        THEN {self._user("reviewing", f"{FIRST_TEAM_INDEX} + mod(r * 7 + k * 9, {pool})")}
                        ELSE {b[User]} + {w.members} + 1 + mod(r, {w.advisers}) END AS user_id,
                   CASE k WHEN 0 THEN 'lead_reviewer' WHEN {w.team_members}
                        THEN 'independent_adviser' ELSE 'reviewer' END AS role,
                   {b[AccessWindow]} + (r - 1) * {slots} + k + 1 AS window_id,
                   created + interval '30 days' AS opens, created + interval '150 days' AS closes
            FROM perf_reviews CROSS JOIN generate_series(0, {w.team_members}) k
            WHERE r <= {r_total}
            UNION ALL
            SELECT r, 0, created, reviewing,
                   {self._user(str(REVIEWER_PARTNERSHIP), str(REVIEWER_INDEX))},
                   'lead_reviewer', {b[AccessWindow]} + {r_total * slots} + 1,
                   now() - interval '30 days', now() + interval '3650 days'
            FROM perf_reviews WHERE r = {r_total + 1}"""  # noqa: E501
        )
        self.insert(
            AccessWindow,
            {
                "id": "window_id",
                "user_id": "user_id",
                "group_id": f"{b[Group]} + r",
                "opens_at": "opens",
                "closes_at": "closes",
                "reason": "'perf seed: review team'",
            },
            "perf_team",
        )
        self.insert(
            TeamMember,
            {
                "review_id": f"{b[Review]} + r",
                "user_id": "user_id",
                "team_role": "role",
                "status": "'active'",
                "added_by_id": self._user("reviewing", "0"),
                "added_at": "created + interval '10 days'",
                "declared_at": "created + interval '12 days'",
                "access_window_id": "window_id",
            },
            "perf_team",
        )
        self.insert(
            User.groups.through,
            {"user_id": "user_id", "group_id": f"{b[Group]} + r"},
            "perf_team",
            step="accounts.User.groups",
        )

    def _evidence(self) -> None:
        w, b = self.w, self.base
        n, days = w.items, 365 * w.years
        notes, library = w.notes_per_100, w.notes_per_100 + w.library_per_100
        # h picks what an item is (a team's note, the largest library, or anyone's);
        # q picks its partnership; s its sensitivity. Deterministic hashes of g, so
        # each partnership's items are spread across the whole id range.
        source = f"""(SELECT g, h, s,
                CASE WHEN h < {notes} THEN NULL WHEN h < {library} THEN {LIBRARY_PARTNERSHIP}
                     ELSE 1 + q END AS p,
                CASE WHEN h < {notes} THEN LEAST({w.reviews}, 1 + (g - 1) * {w.reviews} / {n})
                     END AS r
            FROM generate_series(1, {n}) g
            CROSS JOIN LATERAL (SELECT
                mod(mod(hashint8extended(g, 1), 100) + 100, 100) AS h,
                mod(mod(hashint8extended(g, 2), {w.partnerships}) + {w.partnerships},
                    {w.partnerships}) AS q,
                mod(mod(hashint8extended(g, 3), 100) + 100, 100) AS s) hashes) items
            LEFT JOIN perf_reviews USING (r)"""
        self.insert(
            EvidenceItem,
            {
                "id": f"{b[EvidenceItem]} + g",
                "partnership_id": f"{b[Partnership]} + p",
                "review_id": f"{b[Review]} + r",
                "kind": "(ARRAY['document', 'meeting', 'interview', 'data', 'other'])"
                "[1 + mod(g, 5)]",
                "title": "'Evidence item ' || g",
                "description": "'Seeded for the performance harness: item ' || g || "
                "', a paragraph standing in for the summary a partnership writes.'",
                "sensitivity": "CASE WHEN s < 5 THEN 'restricted' WHEN s < 25 THEN 'sensitive' "
                "ELSE 'official' END",
                "added_by_id": "CASE WHEN p IS NULL THEN "
                + self._user("reviewing", str(FIRST_TEAM_INDEX))
                + " ELSE "
                + self._user("p", "mod(g, 30)")
                + " END",
                "added_at": f"now() - ({days}.0 - (g - 1) * {days}.0 / {n}) * interval '1 day'",
                "updated_at": f"now() - ({days}.0 - (g - 1) * {days}.0 / {n}) * interval '1 day'",
            },
            source,
        )
        self.insert(
            EvidenceItem.areas.through,
            {
                "evidenceitem_id": "id",
                "reviewarea_id": f"{b[ReviewArea]} + (review_id - {b[Review]} - 1) * "
                f"{w.areas_per_review} + 1 + mod(id, {w.areas_per_review})",
            },
            f"{EvidenceItem._meta.db_table} WHERE review_id IS NOT NULL AND id > {b[EvidenceItem]}",
            step="evidence.EvidenceItem.areas",
        )

    def _grants(self) -> None:
        w, b = self.w, self.base
        items = EvidenceItem._meta.db_table
        reviews = Review._meta.db_table
        # Each ordinary review: about 4 in 5 of the reviewed partnership's items.
        shared = f"""{reviews} rv JOIN {items} e ON e.partnership_id = rv.reviewed_partnership_id
            WHERE rv.id > {b[Review]} AND rv.id <= {b[Review] + w.reviews}
              AND mod(e.id + rv.id, {w.share_one_in}) <> 0"""
        self.insert(
            EvidenceItemGroupObjectPermission,
            {
                "group_id": "rv.team_group_id",
                "permission_id": str(self.view_perm),
                "content_object_id": "e.id",
            },
            shared,
            step="group grants (review teams)",
        )
        self.insert(
            EvidenceShare,
            {
                "item_id": "e.id",
                "review_id": "rv.id",
                "shared_by_id": f"{b[User]} + (rv.reviewed_partnership_id - {b[Partnership]} - 1)"
                f" * {w.people_per_partnership} + 1",
                "shared_at": "rv.created_at + interval '10 days'",
            },
            shared,
            step="shares (review teams)",
        )
        # The heavy reviewer's team: every k-th library item across the whole id range.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {items} WHERE partnership_id IS NOT NULL "
                f"AND id > {b[EvidenceItem]}"
            )
            library_items = int(cursor.fetchone()[0])
        # Row n is taken when n * grants / items steps up: exactly `grants` rows, evenly
        # spaced from the oldest item to the newest (not bunched at one end).
        grants = min(w.heavy_grants, library_items)
        heavy = w.reviews + 1
        spread = f"""(SELECT id, partnership_id FROM (SELECT id, partnership_id,
                row_number() OVER (ORDER BY id) AS n FROM {items}
                WHERE partnership_id IS NOT NULL AND id > {b[EvidenceItem]}) numbered
            WHERE n * {grants} / {library_items} > (n - 1) * {grants} / {library_items}) e"""
        self.insert(
            EvidenceItemGroupObjectPermission,
            {
                "group_id": f"{b[Group]} + {heavy}",
                "permission_id": str(self.view_perm),
                "content_object_id": "e.id",
            },
            spread,
            step="group grants (the heavy reviewer's team)",
        )
        self.insert(
            EvidenceShare,
            {
                "item_id": "e.id",
                "review_id": f"{b[Review]} + {heavy}",
                "shared_by_id": f"{b[User]} + (e.partnership_id - {b[Partnership]} - 1)"
                f" * {w.people_per_partnership} + 1",
                "shared_at": "now() - interval '60 days'",
            },
            spread,
            step="shares (the heavy reviewer's team)",
        )
        # Restricted library items are opened to their partnership's lead by name.
        self.insert(
            EvidenceItemUserObjectPermission,
            {
                "user_id": f"{b[User]} + (partnership_id - {b[Partnership]} - 1) * "
                f"{w.people_per_partnership} + 1",
                "permission_id": str(self.view_perm),
                "content_object_id": "id",
            },
            f"{items} WHERE sensitivity = 'restricted' AND partnership_id IS NOT NULL "
            f"AND id > {b[EvidenceItem]}",
            step="user grants (restricted items, to the lead)",
        )
