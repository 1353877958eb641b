"""The append-only, hash-chained audit log (SECURITY.md section 6)."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from io import StringIO
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from audit import services
from audit.chain import GENESIS, chain_hash, event_fields
from audit.models import AuditEvent
from tenancy import access

TABLE = AuditEvent._meta.db_table


def _record_five(world) -> list[AuditEvent]:
    actor = access.actor_for(world.salford_lead)
    return [
        services.record(actor=actor, action="view", obj=world.salford),
        services.record(actor=world.bolton_member, action="sign_in"),
        services.record(actor=None, action="create", object_type="tenancy.Thing", object_id=7),
        services.record(actor=actor, action="list", obj=world.salford, detail={"count": 3}),
        services.record(actor=world.bolton_lead, action="sign_out"),
    ]


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit_chain", stdout=out)
    return out.getvalue()


def _raw(sql: str, params: Sequence[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=connection.ops.quote_name(TABLE)), params)


@pytest.mark.django_db
class TestRecord:
    def test_each_event_chains_onto_the_one_before(self, world):
        events = _record_five(world)

        assert events[0].prev_hash == GENESIS
        for before, after in pairwise(events):
            assert after.prev_hash == before.hash
        for event in events:
            assert event.hash == chain_hash(event.prev_hash, event_fields(event))
        assert [e.pk for e in events] == sorted(e.pk for e in events)
        assert len({e.lane for e in events}) == 1

    def test_event_names_actor_object_and_owning_partnership(self, world):
        actor = access.actor_for(world.salford_member)

        event = services.record(actor=actor, action="view", obj=world.salford)

        event.refresh_from_db()
        assert event.actor_id == world.salford_member.pk
        assert event.actor_email == "member@salford.test"
        assert event.actor_partnership_id == world.salford.pk
        assert event.object_type == "tenancy.Partnership"
        assert event.object_id == str(world.salford.pk)
        assert event.owning_partnership_id == world.salford.pk

    def test_stored_event_still_matches_its_hash_after_a_round_trip(self, world):
        """What is hashed at write time must be what verification reads back
        (time zones, JSON key order)."""
        _record_five(world)

        for event in AuditEvent.objects.order_by("id"):
            assert event.hash == chain_hash(event.prev_hash, event_fields(event))

    def test_a_batch_chains_like_single_events_and_verifies(self, world):
        actor = access.actor_for(world.bolton_lead)
        first = services.record(actor=actor, action="view", obj=world.salford)

        batch = services.record_many(
            actor=actor,
            entries=[
                services.Entry(
                    action="list",
                    object_type="evidence.EvidenceItem",
                    owning_partnership_id=owner.pk,
                    detail={"ids": [1, 2]},
                )
                for owner in (world.salford, world.bolton, world.salford)
            ],
        )

        assert [e.prev_hash for e in batch] == [first.hash, batch[0].hash, batch[1].hash]
        assert [e.owning_partnership_id for e in batch] == [
            world.salford.pk,
            world.bolton.pk,
            world.salford.pk,
        ]
        for event in AuditEvent.objects.order_by("id"):
            assert event.hash == chain_hash(event.prev_hash, event_fields(event))
        assert "intact" in _verify().lower()

    def test_a_batch_costs_the_same_queries_however_long(self, world):
        actor = access.actor_for(world.bolton_lead)
        services.record(actor=actor, action="view", obj=world.salford)

        def batch(n: int) -> None:
            services.record_many(
                actor=actor,
                entries=[services.Entry(action="list", owning_partnership_id=world.salford.pk)] * n,
            )

        with CaptureQueriesContext(connection) as one:
            batch(1)
        with CaptureQueriesContext(connection) as many:
            batch(7)
        assert len(many.captured_queries) == len(one.captured_queries)


@pytest.mark.django_db
class TestAppendOnly:
    def test_saving_an_existing_event_is_refused(self, world):
        event = services.record(actor=world.salford_lead, action="view", obj=world.salford)
        event.action = "delete"

        with pytest.raises(TypeError, match="append-only"):
            event.save()

    def test_deleting_an_event_is_refused(self, world):
        event = services.record(actor=world.salford_lead, action="view", obj=world.salford)

        with pytest.raises(TypeError, match="append-only"):
            event.delete()
        assert AuditEvent.objects.filter(pk=event.pk).exists()

    def test_queryset_update_is_refused(self, world):
        services.record(actor=world.salford_lead, action="view", obj=world.salford)

        with pytest.raises(TypeError, match="append-only"):
            AuditEvent.objects.filter(action="view").update(action="delete")
        with pytest.raises(TypeError, match="append-only"):
            AuditEvent.objects.all().update(action="delete")

    def test_queryset_delete_is_refused(self, world):
        services.record(actor=world.salford_lead, action="view", obj=world.salford)

        with pytest.raises(TypeError, match="append-only"):
            AuditEvent.objects.all().delete()
        with pytest.raises(TypeError, match="append-only"):
            AuditEvent.objects.filter(action="view").delete()
        assert AuditEvent.objects.count() == 1


@pytest.mark.django_db
class TestVerifyAuditChain:
    def test_intact_chain_passes(self, world):
        _record_five(world)

        assert "Audit chain intact: 5 events" in _verify()

    def test_empty_log_is_intact(self):
        assert "Audit chain intact: 0 events" in _verify()

    def test_edited_event_is_named(self, world):
        events = _record_five(world)
        _raw("UPDATE {table} SET action = %s WHERE id = %s", ["delete", events[2].pk])

        with pytest.raises(CommandError) as broken:
            _verify()

        assert str(broken.value) == (
            f"Audit chain broken at event {events[2].pk}: its contents do not match its hash "
            "(it was edited)."
        )

    def test_edited_detail_is_named(self, world):
        events = _record_five(world)
        _raw("UPDATE {table} SET actor_email = %s WHERE id = %s", ["x@else.test", events[3].pk])

        with pytest.raises(CommandError, match=f"broken at event {events[3].pk}: its contents"):
            _verify()

    def test_rehashed_edit_breaks_the_next_link(self, world):
        """Someone who edits an event and recomputes its hash still breaks the chain:
        the next event's previous-hash no longer matches."""
        events = _record_five(world)
        event = AuditEvent.objects.get(pk=events[1].pk)
        event.action = "delete"
        new_hash = chain_hash(event.prev_hash, event_fields(event))
        _raw(
            "UPDATE {table} SET action = %s, hash = %s WHERE id = %s",
            ["delete", new_hash, event.pk],
        )

        with pytest.raises(CommandError) as broken:
            _verify()

        assert str(broken.value).startswith(
            f"Audit chain broken at event {events[2].pk}: its previous-hash"
        )

    def test_deleted_middle_event_is_named(self, world):
        events = _record_five(world)
        _raw("DELETE FROM {table} WHERE id = %s", [events[2].pk])

        with pytest.raises(CommandError) as broken:
            _verify()

        assert str(broken.value) == (
            f"Audit chain broken at event {events[3].pk}: its previous-hash does not match the "
            "event before it (an event was deleted, inserted or reordered)."
        )

    def test_deleted_first_event_is_named(self, world):
        events = _record_five(world)
        _raw("DELETE FROM {table} WHERE id = %s", [events[0].pk])

        with pytest.raises(CommandError, match=f"broken at event {events[1].pk}: its previous"):
            _verify()

    def test_reordered_events_are_named(self, world):
        """Swap every column but the id between events 2 and 3, as a reordering would."""
        events = _record_five(world)
        _swap_contents(events[1].pk, events[2].pk)

        with pytest.raises(CommandError) as broken:
            _verify()

        assert str(broken.value).startswith(
            f"Audit chain broken at event {events[1].pk}: its previous-hash"
        )


def _swap_contents(first: int, second: int) -> None:
    """Swap every column but the id between two events, as a reordering would."""
    columns = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname != "id"]
    rows = {
        pk: AuditEvent.objects.filter(pk=pk).values_list(*columns).get() for pk in (first, second)
    }
    hash_index = columns.index("hash")
    assignments = ", ".join(f"{connection.ops.quote_name(c)} = %s" for c in columns)
    # Column names come from the model, quoted; values are parameters.
    sql = "UPDATE {table} SET " + assignments + " WHERE id = %s"  # noqa: S608
    # A temporary hash for the second first, because `hash` is unique.
    placeholder = list(rows[second])
    placeholder[hash_index] = "f" * 64
    _raw(sql, [*_db_values(columns, placeholder), second])
    _raw(sql, [*_db_values(columns, list(rows[second])), first])
    _raw(sql, [*_db_values(columns, list(rows[first])), second])


def _db_values(columns: list[str], values: list[Any]) -> list[Any]:
    """Model values back to what a raw UPDATE accepts (JSON and dates)."""
    fields = {f.attname: f for f in AuditEvent._meta.concrete_fields}
    return [
        fields[column].get_db_prep_save(value, connection)
        for column, value in zip(columns, values, strict=True)
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_the_chain_intact(world):
    """Writers in parallel transactions each lock a lane's tail: no two events link
    to the same tail and no id is taken twice."""
    writers, per_writer = 8, 10
    start = threading.Barrier(writers)
    failures: list[BaseException] = []

    def write(index: int) -> None:
        try:
            start.wait()
            for n in range(per_writer):
                services.record(
                    actor=world.salford_lead,
                    action="view",
                    object_type="tests.Concurrent",
                    object_id=f"{index}-{n}",
                )
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    total = writers * per_writer
    assert AuditEvent.objects.count() == total
    assert f"Audit chain intact: {total} events" in _verify()
    assert AuditEvent.objects.values("id").distinct().count() == total


# -- Lanes (ADR 0011): concurrent appends take different chains ---------------------


@contextmanager
def _lanes_held(*lanes: int) -> Iterator[None]:
    """Another session holds these lanes' tails, as requests in flight would (for
    tests whose appends commit: a test's own open transaction keeps its lane)."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")
            for lane in lanes:
                cursor.execute("SELECT pg_advisory_lock(%s, %s)", [services._CHAIN_LOCK_KEY, lane])
        yield
    finally:
        # Released here: a closed session's locks go only when its backend exits,
        # which may be after the next append has looked for a free lane.
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock_all()")
        other.close()


def _first_lane() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid() %% %s", [services.LANES])
        return int(cursor.fetchone()[0])


def _record_in_two_lanes(world) -> list[AuditEvent]:
    """Five events alternating between two lanes: a b a b a."""
    actor = access.actor_for(world.bolton_member)
    own = _first_lane()
    events = []
    for n in range(5):
        if n % 2:
            with _lanes_held(own):
                events.append(services.record(actor=actor, action="list", obj=world.bolton))
        else:
            events.append(services.record(actor=actor, action="view", obj=world.bolton))
    return events


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
class TestLanes:
    def test_a_busy_lane_sends_the_event_to_the_next_free_one(self, world):
        own = _first_lane()
        first = services.record(actor=world.bolton_lead, action="view", obj=world.bolton)

        with _lanes_held(own, (own + 1) % services.LANES):
            moved = services.record(actor=world.bolton_lead, action="view", obj=world.bolton)
        back = services.record(actor=world.bolton_lead, action="view", obj=world.bolton)

        assert first.lane == own
        assert moved.lane == (own + 2) % services.LANES
        assert moved.prev_hash == GENESIS
        assert back.lane == own
        assert back.prev_hash == first.hash
        assert "Audit chain intact: 3 events" in _verify()

    def test_interleaved_lanes_verify(self, world):
        events = _record_in_two_lanes(world)

        assert len({e.lane for e in events}) == 2
        assert events[2].prev_hash == events[0].hash
        assert events[3].prev_hash == events[1].hash
        assert "Audit chain intact: 5 events" in _verify()

    def test_an_edit_in_another_lane_is_named(self, world):
        events = _record_in_two_lanes(world)
        _raw("UPDATE {table} SET object_id = %s WHERE id = %s", ["999", events[1].pk])

        with pytest.raises(CommandError, match=f"broken at event {events[1].pk}: its contents"):
            _verify()

    def test_a_deletion_in_another_lane_is_named(self, world):
        events = _record_in_two_lanes(world)
        _raw("DELETE FROM {table} WHERE id = %s", [events[1].pk])

        with pytest.raises(CommandError, match=f"broken at event {events[3].pk}: its previous"):
            _verify()

    def test_reordering_across_lanes_is_named(self, world):
        events = _record_in_two_lanes(world)
        _swap_contents(events[1].pk, events[2].pk)

        with pytest.raises(CommandError, match=f"broken at event {events[1].pk}"):
            _verify()

    def test_moving_an_event_to_another_lane_is_named(self, world):
        events = _record_in_two_lanes(world)
        _raw("UPDATE {table} SET lane = %s WHERE id = %s", [events[0].lane, events[3].pk])

        with pytest.raises(CommandError, match=f"broken at event {events[3].pk}"):
            _verify()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_audited_reads_do_not_wait_for_each_other(world):
    """A list's audit event written in one request's open transaction does not hold
    up another request's (before lanes, the second queued on one global lock until
    the first committed). Two connections; bounded waits, so a regression fails
    rather than hangs."""
    first_written, release_first, second_written = (threading.Event() for _ in range(3))
    failures: list[BaseException] = []

    def audited_read(written: threading.Event, hold: threading.Event | None) -> None:
        try:
            with transaction.atomic():
                services.record(actor=world.salford_member, action="list", obj=world.salford)
                written.set()
                if hold is not None:
                    hold.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=audited_read, args=(first_written, release_first))
    second = threading.Thread(target=audited_read, args=(second_written, None))
    first.start()
    try:
        assert first_written.wait(timeout=10)
        second.start()
        finished_while_first_open = second_written.wait(timeout=5)
    finally:
        release_first.set()
        first.join(timeout=30)
        second.join(timeout=30)

    assert finished_while_first_open, "the second read waited for the first to commit"
    assert failures == []
    assert "Audit chain intact: 2 events" in _verify()
