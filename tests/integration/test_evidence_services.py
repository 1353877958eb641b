"""Evidence services: adding, changing, restricting, sharing, requests, the sweep
and downloads. Every rule has a tenant-B case; every refusal writes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from guardian.models import GroupObjectPermission, UserObjectPermission

from audit.models import AuditEvent
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from evidence import selectors, services
from evidence.models import (
    DocumentRequest,
    EvidenceItem,
    EvidenceItemGroupObjectPermission,
    EvidenceItemUserObjectPermission,
    EvidenceShare,
)
from reviews import services as reviews
from reviews.models import Review
from tenancy import access
from tenancy.access import actor_for
from tests.evidence_factories import fieldwork, make_item, share_directly

pytestmark = pytest.mark.django_db


class Nothing:
    """Asserts that a block wrote no evidence, share, grant, request or audit event."""

    TABLES = (
        EvidenceItem,
        EvidenceShare,
        EvidenceItemGroupObjectPermission,
        EvidenceItemUserObjectPermission,
        DocumentRequest,
        AuditEvent,
    )

    def __enter__(self):
        self.before = [m.objects.count() for m in self.TABLES]
        self.statuses = list(DocumentRequest.objects.values_list("status", flat=True))
        return self

    def __exit__(self, *exc):
        assert [m.objects.count() for m in self.TABLES] == self.before
        assert list(DocumentRequest.objects.values_list("status", flat=True)) == self.statuses
        return False


def nothing_written() -> Nothing:
    return Nothing()


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-id")[0]


def meeting(**override):
    return {
        "kind": "meeting",
        "title": "Partnership board, October",
        "meeting_name": "Safeguarding partnership board",
        "meeting_date": timezone.localdate() - timedelta(days=7),
        "working_well": "Partners challenge each other constructively.",
        **override,
    }


def interview(**override):
    return {
        "kind": "interview",
        "title": "Interview: designated nurse",
        "interviewee_role": "Designated nurse",
        "interviewed_by": "peer_team",
        "notes": "Described the escalation route.",
        **override,
    }


def salford_areas(world):
    return list(Review.objects.get(reviewed_partnership=world.salford).areas.all())


# evidence_add ---------------------------------------------------------------------------


def test_any_member_adds_evidence_to_their_library_and_it_is_audited(world):
    work = fieldwork(world)
    areas = list(work.review.areas.all()[:2])
    item = services.evidence_add(
        actor=actor_for(world.salford_member),
        partnership_id=world.salford.pk,
        area_ids=[a.pk for a in areas],
        **meeting(),
    )
    item.refresh_from_db()
    assert (item.partnership, item.review, item.added_by) == (
        world.salford,
        None,
        world.salford_member,
    )
    assert item.meeting_name == "Safeguarding partnership board"
    assert set(item.areas.all()) == set(areas)
    event = last_event()
    assert (event.action, event.object_type, event.object_id) == (
        "create",
        "evidence.EvidenceItem",
        str(item.pk),
    )
    assert event.owning_partnership_id == world.salford.pk
    assert event.actor_id == world.salford_member.pk
    assert event.detail["areas"] == [a.pk for a in areas]


def test_fields_of_another_kind_are_not_stored(world):
    item = services.evidence_add(
        actor=actor_for(world.salford_member),
        partnership_id=world.salford.pk,
        **meeting(interviewee_role="Should not be kept"),
    )
    assert EvidenceItem.objects.get(pk=item.pk).interviewee_role == ""


def test_interviewee_named_only_with_consent(world):
    named = services.evidence_add(
        actor=actor_for(world.salford_member),
        partnership_id=world.salford.pk,
        **interview(name_consented=True, interviewee_name="Sam Jones"),
    )
    assert (named.interviewee_name, named.name_consented) == ("Sam Jones", True)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        pytest.param(
            {"kind": "video", "title": "x"}, {"kind": ["Select the kind of evidence"]}, id="kind"
        ),
        pytest.param({"kind": "other", "title": "  "}, {"title": ["Enter a title"]}, id="title"),
        pytest.param(
            {"kind": "other", "title": "x" * 201},
            {"title": ["Title must be 200 characters or fewer"]},
            id="title-long",
        ),
        pytest.param(
            {"kind": "other", "title": "a\x00b"},
            {"title": ["Title must not contain a null character"]},
            id="title-nul",
        ),
        pytest.param(
            {"kind": "other", "title": "x", "sensitivity": "secret"},
            {"sensitivity": ["Select how sensitive the evidence is"]},
            id="sensitivity",
        ),
        pytest.param(
            {"kind": "document", "title": "Threshold document"},
            {"file": ["Select a file to upload"]},
            id="document-without-file",
        ),
        pytest.param(
            {"kind": "data", "title": "Re-referrals"},
            {"description": ["Enter a description of the data, or upload a file"]},
            id="data-without-file-or-description",
        ),
        pytest.param(
            meeting(meeting_name="", meeting_date=None, working_well=""),
            {
                "meeting_name": ["Enter the name of the meeting"],
                "meeting_date": ["Enter the date of the meeting"],
                "working_well": ["Enter what is working well, or what is not working so well"],
            },
            id="meeting-empty",
        ),
        pytest.param(
            meeting(meeting_date=timezone.localdate() + timedelta(days=1)),
            {"meeting_date": ["Date of the meeting must be today or in the past"]},
            id="meeting-future",
        ),
        pytest.param(
            meeting(meeting_date="2026-01-01"),
            {"meeting_date": ["Date of the meeting must be a real date"]},
            id="meeting-date-not-a-date",
        ),
        pytest.param(
            meeting(not_working_well="x" * 20_001),
            {
                "not_working_well": [
                    "What is not working so well must be 20,000 characters or fewer"
                ]
            },
            id="meeting-long",
        ),
        pytest.param(
            interview(interviewee_role="", interviewed_by="someone"),
            {
                "interviewee_role": ["Enter the interviewee's role"],
                "interviewed_by": ["Select who carried out the interview"],
            },
            id="interview-empty",
        ),
        pytest.param(
            interview(interviewee_name="Sam Jones"),
            {
                "interviewee_name": [
                    "Only record the interviewee's name if they consented to being named"
                ]
            },
            id="interview-name-without-consent",
        ),
        pytest.param(
            interview(name_consented=True),
            {"interviewee_name": ["Enter the interviewee's name"]},
            id="interview-consent-without-name",
        ),
    ],
)
def test_each_kind_is_validated_with_a_message_per_field_and_nothing_written(world, fields, errors):
    with nothing_written(), pytest.raises(ValidationFailed) as caught:
        services.evidence_add(
            actor=actor_for(world.salford_member), partnership_id=world.salford.pk, **fields
        )
    assert caught.value.message == "The evidence could not be added."
    assert caught.value.field_errors == errors


def test_a_file_is_only_for_documents_and_data(world):
    upload = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    with nothing_written(), pytest.raises(ValidationFailed) as caught:
        services.evidence_add(
            actor=actor_for(world.salford_member),
            partnership_id=world.salford.pk,
            upload=upload,
            **meeting(),
        )
    assert caught.value.field_errors == {"file": ["Only a document or data can have a file"]}


def test_an_unknown_field_name_is_a_programming_error(world):
    with nothing_written(), pytest.raises(TypeError, match="favourite_colour"):
        services.evidence_add(
            actor=actor_for(world.salford_member),
            partnership_id=world.salford.pk,
            kind="other",
            title="x",
            favourite_colour="blue",
        )


def test_areas_must_be_of_a_review_of_the_same_partnership(world):
    fieldwork(world)
    # Salford reviews Bolton too: those areas are Bolton's review's, not Salford's.
    bolton_area = Review.objects.get(reviewed_partnership=world.bolton).areas.all()[0]
    for bad in (bolton_area.pk, 999_999, "abc"):
        with nothing_written(), pytest.raises(ValidationFailed) as caught:
            services.evidence_add(
                actor=actor_for(world.salford_member),
                partnership_id=world.salford.pk,
                kind="other",
                title="x",
                area_ids=[salford_areas(world)[0].pk, bad],
            )
        assert caught.value.field_errors == {"areas": ["Select areas of focus from the list"]}


def test_another_partnership_cannot_add_to_the_library(world):
    for who in ("bolton_lead", "adviser", "staff", "outsider"):
        with nothing_written(), pytest.raises(NotFound):
            services.evidence_add(
                actor=actor_for(getattr(world, who)),
                partnership_id=world.salford.pk,
                kind="other",
                title="x",
            )


def test_restricted_item_is_granted_to_its_adder_only(world):
    item = services.evidence_add(
        actor=actor_for(world.salford_member),
        partnership_id=world.salford.pk,
        kind="other",
        title="Case file",
        sensitivity="restricted",
    )
    grants = EvidenceItemUserObjectPermission.objects.filter(content_object=item)
    assert list(grants.values_list("user_id", "permission__codename")) == [
        (world.salford_member.pk, "view_evidenceitem")
    ]
    # Written to the direct table, never the generic one.
    assert not UserObjectPermission.objects.exists()
    assert access.visible(actor_for(world.salford_member), EvidenceItem).filter(pk=item.pk).exists()
    assert (
        not access.visible(actor_for(world.salford_lead), EvidenceItem).filter(pk=item.pk).exists()
    )


# review_evidence_add ------------------------------------------------------------------------


def test_team_member_in_window_adds_the_teams_own_notes(world):
    work = fieldwork(world)
    area = work.review.areas.all()[0]
    with time_machine.travel(work.during, tick=False):
        note = services.review_evidence_add(
            actor=actor_for(world.bolton_manager),
            review_id=work.review.pk,
            area_ids=[area.pk],
            **interview(interviewed_by="adviser"),
        )
    assert (note.review, note.partnership, note.added_by) == (
        work.review,
        None,
        world.bolton_manager,
    )
    event = last_event()
    assert (event.action, event.object_id) == ("create", str(note.pk))
    # The team's notes are the reviewing partnership's work: its log.
    assert event.owning_partnership_id == world.bolton.pk


@pytest.mark.parametrize("who", ["bolton_lead", "bolton_member", "salford_lead"])
def test_only_the_team_adds_notes(world, who):
    work = fieldwork(world)
    with (
        time_machine.travel(work.during, tick=False),
        nothing_written(),
        pytest.raises(PermissionDenied) as caught,
    ):
        services.review_evidence_add(
            actor=actor_for(getattr(world, who)), review_id=work.review.pk, **meeting()
        )
    assert caught.value.message == (
        "Only members of the review team can add its notes, while their access is open."
    )


def test_notes_cannot_be_added_outside_the_window_or_by_strangers(world):
    work = fieldwork(world)
    with (
        time_machine.travel(work.closes, tick=False),
        nothing_written(),
        pytest.raises(PermissionDenied),
    ):
        services.review_evidence_add(
            actor=actor_for(world.bolton_manager), review_id=work.review.pk, **meeting()
        )
    with nothing_written(), pytest.raises(NotFound):
        services.review_evidence_add(
            actor=actor_for(world.outsider), review_id=work.review.pk, **meeting()
        )


def test_team_notes_are_observations_interviews_or_other_and_areas_of_this_review(world):
    work = fieldwork(world)
    other_area = Review.objects.get(reviewed_partnership=world.bolton).areas.all()[0]
    with (
        time_machine.travel(work.during, tick=False),
        nothing_written(),
        pytest.raises(ValidationFailed) as caught,
    ):
        services.review_evidence_add(
            actor=actor_for(world.bolton_manager),
            review_id=work.review.pk,
            kind="document",
            title="x",
            area_ids=[other_area.pk],
        )
    assert caught.value.message == "The notes could not be added."
    assert caught.value.field_errors == {
        "kind": ["Select a meeting observation, an interview or other notes"],
        "areas": ["Select areas of focus from the list"],
    }


# evidence_update / evidence_delete -----------------------------------------------------------


def _add(world, user=None, **fields):
    return services.evidence_add(
        actor=actor_for(user or world.salford_member),
        partnership_id=world.salford.pk,
        **({"kind": "other", "title": "Original"} | fields),
    )


def test_the_adder_or_a_manager_changes_an_item_and_it_is_audited(world):
    item = _add(world)
    services.evidence_update(actor=actor_for(world.salford_member), item_id=item.pk, title="New")
    services.evidence_update(
        actor=actor_for(world.salford_manager), item_id=item.pk, description="Because"
    )
    item.refresh_from_db()
    assert (item.title, item.description) == ("New", "Because")
    event = last_event()
    assert (event.action, event.detail["fields"]) == ("update", ["description"])
    assert event.owning_partnership_id == world.salford.pk


def test_another_member_cannot_change_or_delete_an_item(world):
    item = _add(world, world.salford_manager)
    other = make_item(world, by=world.salford_lead)
    del other
    member = actor_for(world.salford_member)
    message = (
        "Only the person who added this evidence, or a lead or business manager of "
        "Salford SCP, can {} it."
    )
    with nothing_written(), pytest.raises(PermissionDenied) as caught:
        services.evidence_update(actor=member, item_id=item.pk, title="Mine now")
    assert caught.value.message == message.format("change")
    with nothing_written(), pytest.raises(PermissionDenied) as caught:
        services.evidence_delete(actor=member, item_id=item.pk)
    assert caught.value.message == message.format("delete")
    with nothing_written(), pytest.raises(NotFound):
        services.evidence_update(actor=actor_for(world.bolton_lead), item_id=item.pk, title="x")
    with nothing_written(), pytest.raises(NotFound):
        services.evidence_delete(actor=actor_for(world.bolton_lead), item_id=item.pk)


def test_update_validates_like_add_and_writes_nothing(world):
    item = _add(world, **meeting())
    with nothing_written(), pytest.raises(ValidationFailed) as caught:
        services.evidence_update(
            actor=actor_for(world.salford_member),
            item_id=item.pk,
            title="",
            meeting_date=timezone.localdate() + timedelta(days=3),
        )
    assert caught.value.message == "The evidence could not be saved."
    assert caught.value.field_errors == {
        "title": ["Enter a title"],
        "meeting_date": ["Date of the meeting must be today or in the past"],
    }
    item.refresh_from_db()
    assert item.title == "Partnership board, October"


def test_an_update_that_changes_nothing_records_nothing(world):
    item = _add(world)
    with nothing_written():
        services.evidence_update(
            actor=actor_for(world.salford_member), item_id=item.pk, title="Original"
        )


def test_restricting_keeps_the_actor_and_unrestricting_drops_every_grant(world):
    item = _add(world)
    services.evidence_update(
        actor=actor_for(world.salford_manager), item_id=item.pk, sensitivity="restricted"
    )
    grants = EvidenceItemUserObjectPermission.objects.filter(content_object=item)
    assert set(grants.values_list("user_id", flat=True)) == {world.salford_manager.pk}
    # The member who added it no longer sees it.
    member = actor_for(world.salford_member)
    assert not access.visible(member, EvidenceItem).filter(pk=item.pk).exists()

    services.evidence_update(
        actor=actor_for(world.salford_manager), item_id=item.pk, sensitivity="official"
    )
    assert not grants.exists()
    assert access.visible(member, EvidenceItem).filter(pk=item.pk).exists()


def test_delete_removes_the_item_and_is_audited(world):
    item = _add(world)
    services.evidence_delete(actor=actor_for(world.salford_member), item_id=item.pk)
    assert not EvidenceItem.objects.filter(pk=item.pk).exists()
    event = last_event()
    assert (event.action, event.object_id, event.owning_partnership_id) == (
        "delete",
        str(item.pk),
        world.salford.pk,
    )


def test_an_item_shared_with_a_live_review_cannot_be_deleted_until_unshared(world):
    work = fieldwork(world)
    item = _add(world)
    manager = actor_for(world.salford_manager)
    services.evidence_share(actor=manager, item_ids=[item.pk], review_id=work.review.pk)
    with nothing_written(), pytest.raises(Conflict) as caught:
        services.evidence_delete(actor=manager, item_id=item.pk)
    assert caught.value.message == (
        "This evidence is shared with the review by Bolton SCP. Stop sharing it before deleting it."
    )
    services.evidence_unshare(actor=manager, item_id=item.pk, review_id=work.review.pk)
    services.evidence_delete(actor=manager, item_id=item.pk)
    assert not EvidenceItem.objects.filter(pk=item.pk).exists()


def test_team_notes_are_changed_by_the_team_and_frozen_at_publication(world):
    work = fieldwork(world)
    with time_machine.travel(work.during, tick=False):
        note = services.review_evidence_add(
            actor=actor_for(world.bolton_manager), review_id=work.review.pk, **meeting()
        )
        services.evidence_update(
            actor=actor_for(world.bolton_manager), item_id=note.pk, title="Board, revised"
        )
        with nothing_written(), pytest.raises(NotFound):
            services.evidence_update(actor=actor_for(world.bolton_lead), item_id=note.pk, title="x")
        bolton = actor_for(world.bolton_lead)
        for status in ("moderation", "reporting", "published"):
            reviews.review_transition(actor=bolton, review_id=work.review.pk, to_status=status)
        with nothing_written(), pytest.raises(Conflict) as caught:
            services.evidence_delete(actor=actor_for(world.bolton_manager), item_id=note.pk)
    assert caught.value.message == "The team's notes cannot change once the review is published."


# Restricted access, person by person ----------------------------------------------------------


def test_restricted_item_is_opened_to_a_member_and_closed_again(world):
    item = _add(world, world.salford_manager, sensitivity="restricted")
    manager = actor_for(world.salford_manager)
    services.evidence_restrict_grant(actor=manager, item_id=item.pk, user_id=world.salford_lead.pk)
    assert last_event().action == "grant"
    assert last_event().detail["user"] == world.salford_lead.pk
    lead = actor_for(world.salford_lead)
    assert access.visible(lead, EvidenceItem).filter(pk=item.pk).exists()
    with nothing_written():  # granting twice changes nothing
        services.evidence_restrict_grant(
            actor=manager, item_id=item.pk, user_id=world.salford_lead.pk
        )

    services.evidence_restrict_revoke(actor=manager, item_id=item.pk, user_id=world.salford_lead.pk)
    assert last_event().action == "revoke"
    assert (
        not access.visible(actor_for(world.salford_lead), EvidenceItem).filter(pk=item.pk).exists()
    )


def test_restricted_access_is_only_for_members_of_the_owning_partnership(world):
    item = _add(world, world.salford_manager, sensitivity="restricted")
    for user_id in (world.bolton_lead.pk, world.adviser.pk, 999_999, "x"):
        with nothing_written(), pytest.raises(ValidationFailed) as caught:
            services.evidence_restrict_grant(
                actor=actor_for(world.salford_manager), item_id=item.pk, user_id=user_id
            )
        assert caught.value.field_errors == {"user": ["Select a member of Salford SCP"]}


def test_restricted_access_rules(world):
    item = _add(world, world.salford_manager, sensitivity="restricted")
    ordinary = _add(world, world.salford_manager)
    manager = actor_for(world.salford_manager)
    with nothing_written(), pytest.raises(Conflict) as caught:
        services.evidence_restrict_grant(
            actor=manager, item_id=ordinary.pk, user_id=world.salford_lead.pk
        )
    assert caught.value.message == "Only restricted evidence is opened to people one by one."
    with nothing_written(), pytest.raises(Conflict) as caught:
        services.evidence_restrict_revoke(
            actor=manager, item_id=item.pk, user_id=world.salford_manager.pk
        )
    assert caught.value.message == (
        "At least one person must keep access to restricted evidence. "
        "Give someone else access first."
    )
    # A lead without the grant cannot see the item, so cannot open it to anyone.
    with nothing_written(), pytest.raises(NotFound):
        services.evidence_restrict_grant(
            actor=actor_for(world.salford_lead), item_id=item.pk, user_id=world.salford_lead.pk
        )


# Sharing ----------------------------------------------------------------------------------


def test_a_manager_shares_items_with_the_review_team_through_a_direct_group_grant(world):
    work = fieldwork(world)
    first, second = _add(world, title="Threshold document"), _add(world, title="Annual report")
    shares = services.evidence_share(
        actor=actor_for(world.salford_manager),
        item_ids=[first.pk, second.pk],
        review_id=work.review.pk,
    )
    assert [s.item for s in shares] == [first, second]
    assert set(EvidenceShare.objects.values_list("item_id", "review_id")) == {
        (first.pk, work.review.pk),
        (second.pk, work.review.pk),
    }
    grants = EvidenceItemGroupObjectPermission.objects.filter(group=work.review.team_group)
    assert set(grants.values_list("content_object_id", "permission__codename")) == {
        (first.pk, "view_evidenceitem"),
        (second.pk, "view_evidenceitem"),
    }
    assert not GroupObjectPermission.objects.exists()  # never the generic table
    events = AuditEvent.objects.filter(action="share").order_by("id")
    assert [(e.object_id, e.owning_partnership_id, e.detail["review"]) for e in events] == [
        (str(first.pk), world.salford.pk, work.review.pk),
        (str(second.pk), world.salford.pk, work.review.pk),
    ]
    with time_machine.travel(work.during, tick=False):
        reviewer = actor_for(world.bolton_manager)
        assert set(selectors.evidence_list(actor=reviewer)) == {first, second}


def test_sharing_again_changes_nothing(world):
    work = fieldwork(world)
    item = _add(world)
    manager = actor_for(world.salford_manager)
    services.evidence_share(actor=manager, item_ids=[item.pk], review_id=work.review.pk)
    with nothing_written():
        shares = services.evidence_share(
            actor=manager, item_ids=[item.pk], review_id=work.review.pk
        )
    assert len(shares) == 1


def test_a_foreign_or_missing_item_id_in_a_share_is_not_found_and_nothing_is_written(world):
    work = fieldwork(world)
    own = _add(world)
    bolton = make_item(world, world.bolton, by=world.bolton_member)
    restricted = make_item(world, sensitivity="restricted")
    for bad in (bolton.pk, 999_999, "abc", restricted.pk):
        with nothing_written(), pytest.raises(NotFound) as caught:
            services.evidence_share(
                actor=actor_for(world.salford_manager),
                item_ids=[own.pk, bad],
                review_id=work.review.pk,
            )
        assert caught.value.message == "Not found."


def test_sharing_with_a_review_of_another_partnership_is_refused(world):
    fieldwork(world)
    review_of_bolton = Review.objects.get(reviewed_partnership=world.bolton)
    salford_item = _add(world)
    with nothing_written(), pytest.raises(PermissionDenied) as caught:
        services.evidence_share(
            actor=actor_for(world.salford_manager),
            item_ids=[salford_item.pk],
            review_id=review_of_bolton.pk,
        )
    assert caught.value.message == (
        "Evidence can only be shared with a review of the partnership that owns it."
    )


def test_a_reviewer_cannot_share_their_own_partnerships_evidence_into_the_review(world):
    work = fieldwork(world)
    bolton_item = make_item(world, world.bolton, by=world.bolton_manager)
    with (
        time_machine.travel(work.during, tick=False),
        nothing_written(),
        pytest.raises(PermissionDenied),
    ):
        services.evidence_share(
            actor=actor_for(world.bolton_manager),
            item_ids=[bolton_item.pk],
            review_id=work.review.pk,
        )


def test_only_managers_share_and_strangers_get_not_found(world):
    work = fieldwork(world)
    item = _add(world)
    with nothing_written(), pytest.raises(PermissionDenied) as caught:
        services.evidence_share(
            actor=actor_for(world.salford_member), item_ids=[item.pk], review_id=work.review.pk
        )
    assert caught.value.message == (
        "Only a lead or business manager of Salford SCP can share its evidence."
    )
    for who in ("outsider", "staff", "analyst"):
        with nothing_written(), pytest.raises(NotFound):
            services.evidence_share(
                actor=actor_for(getattr(world, who)), item_ids=[item.pk], review_id=work.review.pk
            )
    with nothing_written(), pytest.raises(NotFound):
        services.evidence_share(
            actor=actor_for(world.salford_manager), item_ids=[item.pk], review_id=999_999
        )


def test_nothing_to_share_is_a_validation_error(world):
    work = fieldwork(world)
    with nothing_written(), pytest.raises(ValidationFailed) as caught:
        services.evidence_share(
            actor=actor_for(world.salford_manager), item_ids=[], review_id=work.review.pk
        )
    assert caught.value.field_errors == {"item_ids": ["Select the evidence to share"]}


def test_files_being_scanned_or_that_failed_cannot_be_shared(world):
    work = fieldwork(world)
    scanning = make_item(world, kind="document", title="Board minutes", scan_status="scanning")
    failed = make_item(world, kind="document", title="Old audit", scan_status="failed")
    with nothing_written(), pytest.raises(ValidationFailed) as caught:
        services.evidence_share(
            actor=actor_for(world.salford_manager),
            item_ids=[scanning.pk, failed.pk],
            review_id=work.review.pk,
        )
    assert caught.value.field_errors == {
        "item_ids": [
            '"Board minutes" is still being checked for viruses. Share it when the check '
            "has finished",
            '"Old audit" failed the virus check and cannot be shared',
        ]
    }


def test_nothing_is_shared_with_a_published_or_closed_review(world):
    work = fieldwork(world)
    item = _add(world)
    bolton = actor_for(world.bolton_lead)
    for status in ("moderation", "reporting", "published"):
        reviews.review_transition(actor=bolton, review_id=work.review.pk, to_status=status)
    with nothing_written(), pytest.raises(Conflict) as caught:
        services.evidence_share(
            actor=actor_for(world.salford_manager), item_ids=[item.pk], review_id=work.review.pk
        )
    assert caught.value.message == "Evidence cannot be shared with a review that is published."


def test_unsharing_removes_the_share_and_the_grant_at_once(world):
    work = fieldwork(world)
    item = _add(world)
    manager = actor_for(world.salford_manager)
    services.evidence_share(actor=manager, item_ids=[item.pk], review_id=work.review.pk)
    with time_machine.travel(work.during, tick=False):
        assert selectors.evidence_get(actor=actor_for(world.bolton_manager), item_id=item.pk)
        services.evidence_unshare(actor=manager, item_id=item.pk, review_id=work.review.pk)
        with pytest.raises(NotFound):
            selectors.evidence_get(actor=actor_for(world.bolton_manager), item_id=item.pk)
    assert not EvidenceShare.objects.exists()
    assert not EvidenceItemGroupObjectPermission.objects.exists()
    event = last_event()
    assert (event.action, event.object_id, event.owning_partnership_id) == (
        "revoke",
        str(item.pk),
        world.salford.pk,
    )
    assert event.detail["review"] == work.review.pk


def test_unshare_refusals(world):
    work = fieldwork(world)
    item = _add(world)
    services.evidence_share(
        actor=actor_for(world.salford_manager), item_ids=[item.pk], review_id=work.review.pk
    )
    with nothing_written(), pytest.raises(PermissionDenied) as caught:
        services.evidence_unshare(
            actor=actor_for(world.salford_member), item_id=item.pk, review_id=work.review.pk
        )
    assert caught.value.message == (
        "Only a lead or business manager of Salford SCP can stop sharing its evidence."
    )
    with (
        time_machine.travel(work.during, tick=False),
        nothing_written(),
        pytest.raises(PermissionDenied),
    ):  # a reviewer cannot unshare
        services.evidence_unshare(
            actor=actor_for(world.bolton_manager), item_id=item.pk, review_id=work.review.pk
        )
    with nothing_written(), pytest.raises(NotFound):
        services.evidence_unshare(
            actor=actor_for(world.salford_manager), item_id=item.pk, review_id=999_999
        )


# Document requests ---------------------------------------------------------------------------


def _ask(world, work, title="Your threshold document"):
    with time_machine.travel(work.during, tick=False):
        return services.document_request_create(
            actor=actor_for(world.bolton_manager),
            review_id=work.review.pk,
            title=title,
            detail="The current version, please.",
        )


def test_the_team_asks_for_a_document_and_it_is_audited_for_the_reviewed_partnership(world):
    work = fieldwork(world)
    request = _ask(world, work)
    assert (request.status, request.requested_by) == ("open", world.bolton_manager)
    event = last_event()
    assert (event.action, event.object_type, event.owning_partnership_id) == (
        "create",
        "evidence.DocumentRequest",
        world.salford.pk,
    )


def test_the_reviewing_lead_may_ask_without_a_window_and_others_may_not(world):
    work = fieldwork(world)
    services.document_request_create(
        actor=actor_for(world.bolton_lead), review_id=work.review.pk, title="Budget"
    )
    for who in ("bolton_member", "salford_lead"):
        with nothing_written(), pytest.raises(PermissionDenied) as caught:
            services.document_request_create(
                actor=actor_for(getattr(world, who)), review_id=work.review.pk, title="x"
            )
        assert caught.value.message == (
            "Only the review team, or a lead of Bolton SCP, can ask for documents."
        )
    with nothing_written(), pytest.raises(PermissionDenied):  # window not open yet
        services.document_request_create(
            actor=actor_for(world.bolton_manager), review_id=work.review.pk, title="x"
        )
    with nothing_written(), pytest.raises(NotFound):
        services.document_request_create(
            actor=actor_for(world.outsider), review_id=work.review.pk, title="x"
        )


def test_a_request_needs_a_title(world):
    work = fieldwork(world)
    with nothing_written(), pytest.raises(ValidationFailed) as caught:
        services.document_request_create(
            actor=actor_for(world.bolton_lead),
            review_id=work.review.pk,
            title=" ",
            detail="x" * 2001,
        )
    assert caught.value.message == "The request could not be sent."
    assert caught.value.field_errors == {
        "title": ["Enter what you are asking for"],
        "detail": ["Details must be 2,000 characters or fewer"],
    }


def test_sharing_in_answer_marks_the_request_answered_and_unsharing_reopens_it(world):
    work = fieldwork(world)
    request = _ask(world, work)
    item = _add(world)
    manager = actor_for(world.salford_manager)
    services.evidence_share(
        actor=manager, item_ids=[item.pk], review_id=work.review.pk, request_id=request.pk
    )
    request.refresh_from_db()
    assert (request.status, request.answered_by) == ("answered", world.salford_manager)
    assert EvidenceShare.objects.get().request == request
    assert last_event().detail["request"] == request.pk

    services.evidence_unshare(actor=manager, item_id=item.pk, review_id=work.review.pk)
    request.refresh_from_db()
    assert (request.status, request.answered_by) == ("open", None)


def test_a_request_of_another_review_is_not_found_when_sharing(world):
    work = fieldwork(world)
    review_of_bolton = Review.objects.get(reviewed_partnership=world.bolton)
    foreign = DocumentRequest.objects.create(
        review=review_of_bolton, title="x", requested_by=world.salford_lead
    )
    item = _add(world)
    with nothing_written(), pytest.raises(NotFound):
        services.evidence_share(
            actor=actor_for(world.salford_manager),
            item_ids=[item.pk],
            review_id=work.review.pk,
            request_id=foreign.pk,
        )


def test_withdrawing_a_request(world):
    work = fieldwork(world)
    request = _ask(world, work)
    with nothing_written(), pytest.raises(PermissionDenied) as caught:
        services.document_request_withdraw(
            actor=actor_for(world.salford_lead), request_id=request.pk
        )
    assert caught.value.message == (
        "Only the review team, or a lead of Bolton SCP, can withdraw a request."
    )
    with nothing_written(), pytest.raises(NotFound):
        services.document_request_withdraw(actor=actor_for(world.outsider), request_id=request.pk)
    services.document_request_withdraw(actor=actor_for(world.bolton_lead), request_id=request.pk)
    request.refresh_from_db()
    assert request.status == "withdrawn"
    assert (last_event().action, last_event().detail["status"]) == ("update", "withdrawn")
    with nothing_written(), pytest.raises(Conflict) as conflict:
        services.document_request_withdraw(
            actor=actor_for(world.bolton_lead), request_id=request.pk
        )
    assert conflict.value.message == "Only an open request can be withdrawn."
    item = _add(world)
    with nothing_written(), pytest.raises(Conflict):
        services.evidence_share(
            actor=actor_for(world.salford_manager),
            item_ids=[item.pk],
            review_id=work.review.pk,
            request_id=request.pk,
        )


# The sweep -------------------------------------------------------------------------------


def _close(world, review) -> None:
    bolton = actor_for(world.bolton_lead)
    for status in ("moderation", "reporting", "published"):
        reviews.review_transition(actor=bolton, review_id=review.pk, to_status=status)
    reviews.review_transition(
        actor=actor_for(world.salford_lead), review_id=review.pk, to_status="closed"
    )


def test_the_sweep_deletes_grants_of_closed_reviews_once(world):
    work = fieldwork(world)
    first, second = _add(world), _add(world)
    services.evidence_share(
        actor=actor_for(world.salford_manager),
        item_ids=[first.pk, second.pk],
        review_id=work.review.pk,
    )
    assert services.evidence_grants_sweep() == 0  # the review is still open
    _close(world, work.review)

    assert services.evidence_grants_sweep() == 2
    assert not EvidenceItemGroupObjectPermission.objects.exists()
    events = AuditEvent.objects.filter(action="revoke", object_type="evidence.EvidenceItem")
    assert sorted(int(e.object_id) for e in events) == [first.pk, second.pk]
    assert {(e.actor_id, e.owning_partnership_id, e.detail["reason"]) for e in events} == {
        (None, world.salford.pk, "review closed")
    }
    # The shares stay as the record of what the review was given.
    assert EvidenceShare.objects.count() == 2

    with nothing_written():
        assert services.evidence_grants_sweep() == 0


def test_an_item_shared_only_with_closed_reviews_can_be_deleted(world):
    work = fieldwork(world)
    item = _add(world)
    services.evidence_share(
        actor=actor_for(world.salford_manager), item_ids=[item.pk], review_id=work.review.pk
    )
    _close(world, work.review)
    services.evidence_delete(actor=actor_for(world.salford_manager), item_id=item.pk)
    assert not EvidenceItem.objects.exists()


# Downloads and reading -----------------------------------------------------------------------


def _ready_file(world, **fields):
    item = make_item(
        world,
        kind="document",
        title="Threshold document",
        original_name="threshold.pdf",
        content_type="application/pdf",
        scan_status="ready",
        **fields,
    )
    item.file.save("evidence/abc123.pdf", ContentFile(b"%PDF-1.7 threshold"), save=True)
    return item


def test_a_reviewer_downloads_a_shared_ready_file_in_the_window_and_it_is_audited(world):
    work = fieldwork(world)
    item = _ready_file(world)
    share_directly(item, work.review, world.salford_manager)
    with time_machine.travel(work.during, tick=False):
        download = services.evidence_download(
            actor=actor_for(world.bolton_manager), item_id=item.pk
        )
    with download.file as handle:
        assert handle.read() == b"%PDF-1.7 threshold"
    assert (download.filename, download.content_type) == ("threshold.pdf", "application/pdf")
    event = last_event()
    assert (event.action, event.actor_id, event.owning_partnership_id) == (
        "download",
        world.bolton_manager.pk,
        world.salford.pk,
    )


def test_downloading_after_the_window_closed_is_not_found(world):
    work = fieldwork(world)
    item = _ready_file(world)
    share_directly(item, work.review, world.salford_manager)
    with time_machine.travel(work.closes, tick=False), nothing_written(), pytest.raises(NotFound):
        services.evidence_download(actor=actor_for(world.bolton_manager), item_id=item.pk)
    with nothing_written(), pytest.raises(NotFound):
        services.evidence_download(actor=actor_for(world.bolton_lead), item_id=item.pk)


def test_only_ready_files_are_downloaded(world):
    scanning = make_item(world, kind="document", scan_status="scanning")
    scanning.file.save("evidence/s.pdf", ContentFile(b"x"), save=True)
    failed = make_item(world, kind="document", scan_status="failed")
    failed.file.save("evidence/f.pdf", ContentFile(b"x"), save=True)
    no_file = make_item(world, kind="other")
    member = actor_for(world.salford_member)
    with nothing_written(), pytest.raises(Conflict) as caught:
        services.evidence_download(actor=member, item_id=scanning.pk)
    assert caught.value.message == (
        "This file is still being checked for viruses. Try again in a few minutes."
    )
    with nothing_written(), pytest.raises(Conflict) as caught:
        services.evidence_download(actor=member, item_id=failed.pk)
    assert caught.value.message == "This file failed the virus check and cannot be downloaded."
    with nothing_written(), pytest.raises(NotFound):
        services.evidence_download(actor=member, item_id=no_file.pk)


def test_viewing_is_audited_in_the_owners_log(world):
    item = make_item(world)
    services.evidence_viewed(actor=actor_for(world.salford_member), item=item)
    event = last_event()
    assert (event.action, event.object_id, event.owning_partnership_id, event.actor_id) == (
        "view",
        str(item.pk),
        world.salford.pk,
        world.salford_member.pk,
    )


def test_listing_writes_one_event_per_owning_partnership_naming_the_ids(world):
    work = fieldwork(world)
    shared = [make_item(world, title=f"Salford {n}") for n in range(2)]
    for item in shared:
        share_directly(item, work.review, world.salford_manager)
    own = make_item(world, world.bolton, by=world.bolton_member)
    with time_machine.travel(work.during, tick=False):
        note = make_item(world, review=work.review, by=world.bolton_manager)
        reviewer = actor_for(world.bolton_manager)
        page = list(selectors.evidence_list(actor=reviewer))
        assert set(page) == {*shared, own, note}
        events = services.evidence_listed(actor=reviewer, items=page)
    by_owner = {e.owning_partnership_id: sorted(e.detail["ids"]) for e in events}
    assert by_owner == {
        world.salford.pk: sorted(i.pk for i in shared),
        world.bolton.pk: sorted([own.pk, note.pk]),
    }
    assert {e.action for e in events} == {"list"}
    assert services.evidence_listed(actor=reviewer, items=[]) == []


def test_every_service_writes_its_audit_event(world):
    """One line per service: the action each one records."""
    work = fieldwork(world)
    manager = actor_for(world.salford_manager)
    seen = []

    def did(action):
        seen.append(last_event().action)
        assert seen[-1] == action

    item = _add(world, world.salford_manager, sensitivity="restricted")
    did("create")
    services.evidence_restrict_grant(actor=manager, item_id=item.pk, user_id=world.salford_lead.pk)
    did("grant")
    services.evidence_restrict_revoke(actor=manager, item_id=item.pk, user_id=world.salford_lead.pk)
    did("revoke")
    services.evidence_update(actor=manager, item_id=item.pk, sensitivity="official")
    did("update")
    services.evidence_share(actor=manager, item_ids=[item.pk], review_id=work.review.pk)
    did("share")
    services.evidence_unshare(actor=manager, item_id=item.pk, review_id=work.review.pk)
    did("revoke")
    services.evidence_viewed(actor=manager, item=item)
    did("view")
    services.evidence_listed(actor=manager, items=[item])
    did("list")
    request = services.document_request_create(
        actor=actor_for(world.bolton_lead), review_id=work.review.pk, title="Budget"
    )
    did("create")
    services.document_request_withdraw(actor=actor_for(world.bolton_lead), request_id=request.pk)
    did("update")
    with time_machine.travel(work.during, tick=False):
        services.review_evidence_add(
            actor=actor_for(world.bolton_manager), review_id=work.review.pk, **meeting()
        )
    did("create")
    services.evidence_delete(actor=manager, item_id=item.pk)
    did("delete")
