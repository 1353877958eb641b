"""Findings services and policies: writing, triangulation, moderation, publication,
corrections and the factual-accuracy check. Every "Bad input" case of issue 12 has
a test here, and every refusal writes nothing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from findings import selectors, services
from findings.models import Finding, FindingComment, ModerationDecision, ModerationMeeting, Quote
from reviews import services as reviews
from tenancy.access import actor_for
from tests.findings_factories import Team, team_at_work

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    with team_at_work(world) as built:
        yield built


class nothing_written:
    """Asserts a block wrote no finding, quote, comment, moderation row or audit event,
    and changed no finding."""

    TABLES = (Finding, Quote, FindingComment, ModerationMeeting, ModerationDecision, AuditEvent)

    def __enter__(self):
        self.before = [m.objects.count() for m in self.TABLES]
        self.rows = list(Finding.objects.order_by("pk").values("status", "text", "version"))
        return self

    def __exit__(self, *exc):
        assert [m.objects.count() for m in self.TABLES] == self.before
        assert list(Finding.objects.order_by("pk").values("status", "text", "version")) == self.rows
        return False


# --- writing --------------------------------------------------------------------------------


def test_a_team_member_drafts_a_finding_with_themes_and_evidence(team: Team):
    finding = team.draft(
        "Meetings are well chaired.",
        theme_codes=["meetings_overload", "voice_of_the_child"],
        rating="good_practice",
    )

    assert finding.status == "draft" and finding.version == 1 and finding.position == 1
    assert sorted(finding.themes.values_list("code", flat=True)) == [
        "meetings_overload",
        "voice_of_the_child",
    ]
    assert set(finding.evidence.all()) == {team.document, team.meeting}
    event = AuditEvent.objects.get(
        action="create", object_type="findings.Finding", object_id=str(finding.pk)
    )
    assert "Meetings" not in str(event.detail)  # ids and codes only
    assert team.draft("Second.").position == 2


def test_an_unknown_theme_code_is_refused_and_nothing_written(team: Team):
    with nothing_written(), pytest.raises(ValidationFailed) as refused:
        team.draft(theme_codes=["meetings_overload", "made_up_theme"])
    assert refused.value.field_errors == {
        "themes": ["‘made_up_theme’ is not a theme of the shared list: choose themes from the list"]
    }


@pytest.mark.parametrize("foreign", ["unshared", "bolton_item", "missing", "malformed"])
def test_evidence_of_another_review_or_partnership_is_refused_as_if_missing(team: Team, foreign):
    ids = {
        "unshared": team.unshared.pk,
        "bolton_item": team.bolton_item.pk,
        "missing": 999999,
        "malformed": "x",
    }
    with nothing_written(), pytest.raises(ValidationFailed) as refused:
        team.draft(evidence_ids=[team.document.pk, ids[foreign]])
    assert refused.value.field_errors == {
        "evidence": ["Select evidence from this review's evidence"]
    }


def test_an_area_of_another_review_is_refused(team: Team, world):
    from reviews.models import ReviewArea

    other = ReviewArea.objects.exclude(review=team.review).first()
    assert other is not None
    with nothing_written(), pytest.raises(ValidationFailed) as refused:
        services.finding_create(
            actor=team.writer, review_id=team.review.pk, area_id=other.pk, kind="strength", text="x"
        )
    assert refused.value.field_errors == {"area": ["Select an area of focus of this review"]}


@pytest.mark.parametrize(
    "who", ["salford_lead", "salford_manager", "salford_member", "bolton_member", "outsider"]
)
def test_anyone_off_the_team_posting_a_finding_gets_not_found(team: Team, world, who):
    with nothing_written(), pytest.raises(NotFound):
        services.finding_create(
            actor=actor_for(getattr(world, who)),
            review_id=team.review.pk,
            area_id=team.areas[0].pk,
            kind="strength",
            text="Written from outside the team.",
        )


def test_the_reviewing_lead_off_the_team_is_told_why(team: Team):
    with nothing_written(), pytest.raises(PermissionDenied) as refused:
        services.finding_create(
            actor=team.reviewing_lead,
            review_id=team.review.pk,
            area_id=team.areas[0].pk,
            kind="strength",
            text="x",
        )
    assert refused.value.message == (
        "Only members of the review team can do this, while their access is open."
    )


def test_reviewed_partnership_posting_to_a_teams_finding_gets_not_found(team: Team, world):
    finding = team.draft()
    for who in ("salford_lead", "salford_member"):
        actor = actor_for(getattr(world, who))
        with nothing_written():
            with pytest.raises(NotFound):
                services.finding_update(
                    actor=actor, finding_id=finding.pk, version=1, text="Changed by Salford"
                )
            with pytest.raises(NotFound):
                services.quote_add(
                    actor=actor, finding_id=finding.pk, text="x", attributed_to="x", consent=True
                )
            with pytest.raises(NotFound):
                services.finding_propose(actor=actor, finding_id=finding.pk)


def test_a_stale_version_is_a_conflict_that_keeps_both_texts(team: Team):
    finding = team.draft("First words.")
    services.finding_update(
        actor=team.adviser, finding_id=finding.pk, version=1, text="The adviser's words."
    )

    with nothing_written(), pytest.raises(services.EditConflict) as conflict:
        services.finding_update(
            actor=team.writer, finding_id=finding.pk, version=1, text="The writer's words."
        )
    assert conflict.value.current_text == "The adviser's words."
    assert conflict.value.your_text == "The writer's words."
    assert conflict.value.current_version == 2
    assert isinstance(conflict.value, Conflict)

    saved = services.finding_update(
        actor=team.writer, finding_id=finding.pk, version=2, text="Both, merged."
    )
    assert (saved.text, saved.version) == ("Both, merged.", 3)


def test_an_untriangulated_finding_cannot_be_proposed(team: Team):
    finding = team.draft(evidence_ids=[team.document.pk])
    with nothing_written(), pytest.raises(ValidationFailed) as refused:
        services.finding_propose(actor=team.writer, finding_id=finding.pk)
    assert refused.value.field_errors == {
        "evidence": [
            "Link evidence of at least 2 different kinds before proposing this finding "
            "(it has only document)"
        ]
    }


def test_the_handbook_sets_how_many_kinds_triangulate(team: Team):
    version = team.review.handbook_version
    version.triangulation_kinds = 3
    version.save(update_fields=["triangulation_kinds"])
    finding = team.draft()
    with pytest.raises(ValidationFailed):
        services.finding_propose(actor=team.writer, finding_id=finding.pk)
    services.finding_update(
        actor=team.writer,
        finding_id=finding.pk,
        version=1,
        evidence_ids=[team.document.pk, team.meeting.pk, team.interview.pk],
    )
    proposed = services.finding_propose(actor=team.writer, finding_id=finding.pk)
    assert proposed.status == "proposed"
    assert services.triangulation(team.writer, proposed)[0] == ["document", "interview", "meeting"]


def test_quotes_are_attributed_to_a_role_and_warn_for_small_groups(team: Team):
    finding = team.draft()
    quote = services.quote_add(
        actor=team.writer,
        finding_id=finding.pk,
        text="We deal with things and don't wait for the next meeting.",
        attributed_to="Voluntary sector partner",
        consent=True,
        group_size=3,
    )
    assert quote.small_group
    with nothing_written(), pytest.raises(ValidationFailed) as refused:
        services.quote_add(
            actor=team.writer, finding_id=finding.pk, text="", attributed_to="", consent=True
        )
    assert set(refused.value.field_errors) == {"text", "attributed_to"}


# --- moderation and publication ---------------------------------------------------------


def _moderated(team: Team) -> dict[str, Finding]:
    """Three proposed findings, then agreed, amended and rejected at one meeting."""
    agreed = team.proposed("Agreed as written.")
    amended = team.proposed("Needs better words.")
    rejected = team.proposed("Not borne out.")
    team.move("moderation")
    meeting = team.meeting_now()
    services.finding_moderate(
        actor=team.writer, finding_id=agreed.pk, meeting_id=meeting.pk, outcome="agreed"
    )
    services.finding_moderate(
        actor=team.adviser,
        finding_id=amended.pk,
        meeting_id=meeting.pk,
        outcome="amended",
        amended_text="Better words.",
        dissent="The adviser preferred the first wording.",
    )
    services.finding_moderate(
        actor=team.writer, finding_id=rejected.pk, meeting_id=meeting.pk, outcome="rejected"
    )
    return {"agreed": agreed, "amended": amended, "rejected": rejected}


def test_moderation_agrees_amends_and_rejects_keeping_the_wording_and_dissent(team: Team):
    found = _moderated(team)
    statuses = dict(Finding.objects.values_list("pk", "status"))
    assert statuses == {
        found["agreed"].pk: "agreed",
        found["amended"].pk: "agreed",
        found["rejected"].pk: "rejected",
    }
    decision = ModerationDecision.objects.get(finding=found["amended"])
    assert (decision.text_before, decision.text_after) == ("Needs better words.", "Better words.")
    assert decision.dissent == "The adviser preferred the first wording."
    assert Finding.objects.get(pk=found["amended"].pk).text == "Better words."


def test_a_meeting_needs_attendees_from_the_team(team: Team, world):
    team.move("moderation")
    with nothing_written(), pytest.raises(ValidationFailed) as refused:
        services.moderation_meeting_record(
            actor=team.writer,
            review_id=team.review.pk,
            held_on=team.during.date(),
            attendee_ids=[world.salford_lead.pk],
        )
    assert refused.value.field_errors == {"attendees": ["Select who attended from the review team"]}


def test_a_draft_cannot_be_moderated_and_an_agreed_finding_cannot_be_edited(team: Team):
    draft = team.draft()
    found = _moderated(team)
    meeting = ModerationMeeting.objects.get()
    with nothing_written(), pytest.raises(Conflict):
        services.finding_moderate(
            actor=team.writer, finding_id=draft.pk, meeting_id=meeting.pk, outcome="agreed"
        )
    agreed = Finding.objects.get(pk=found["agreed"].pk)
    with nothing_written(), pytest.raises(Conflict) as refused:
        services.finding_update(
            actor=team.writer, finding_id=agreed.pk, version=agreed.version, text="Sneaky"
        )
    assert refused.value.message == "An agreed finding changes only at moderation."


def test_no_publication_while_a_finding_is_unmoderated(team: Team):
    _moderated(team)
    team.draft("Still a draft.")
    team.move("reporting")
    with nothing_written(), pytest.raises(Conflict) as refused:
        services.findings_publish(
            actor=team.reviewing_lead, review_id=team.review.pk, confirmed=True
        )
    assert refused.value.message == (
        "No publication while a finding is unmoderated: 1 finding is still draft or proposed."
    )
    # Nor through the review's own lifecycle.
    with pytest.raises(Conflict) as guarded:
        reviews.review_transition(
            actor=team.reviewing_lead, review_id=team.review.pk, to_status="published"
        )
    assert "unmoderated" in guarded.value.message


def test_publication_publishes_exactly_the_agreed_findings(team: Team, world):
    found = _moderated(team)
    team.move("reporting")
    # Before publication the reviewed partnership sees nothing at all.
    assert not selectors.finding_list(actor=team.reviewed_lead, review_id=team.review.pk).exists()
    # Agreed findings are not published by moving the review on by hand.
    with pytest.raises(Conflict):
        reviews.review_transition(
            actor=team.reviewing_lead, review_id=team.review.pk, to_status="published"
        )
    with nothing_written(), pytest.raises(PermissionDenied):
        services.findings_publish(actor=team.writer, review_id=team.review.pk, confirmed=True)
    with nothing_written(), pytest.raises(ValidationFailed):
        services.findings_publish(
            actor=team.reviewing_lead, review_id=team.review.pk, confirmed=False
        )

    assert (
        services.findings_publish(
            actor=team.reviewing_lead, review_id=team.review.pk, confirmed=True
        )
        == 2
    )

    team.review.refresh_from_db()
    assert team.review.status == "published"
    seen = selectors.finding_list(actor=team.reviewed_lead, review_id=team.review.pk)
    assert {f.pk for f in seen} == {found["agreed"].pk, found["amended"].pk}
    assert all(f.status == "published" for f in seen)
    # Moderation notes and decisions never reach the reviewed partnership.
    assert all(not f.decisions.all() for f in seen)
    # Only leads of the reviewed partnership; nobody else outside.
    for who in ("salford_member", "salford_manager", "bolton_member"):
        assert not selectors.finding_list(
            actor=actor_for(getattr(world, who)), review_id=team.review.pk
        ).exists()


def test_a_published_finding_is_immutable_and_a_correction_is_a_new_version(team: Team):
    found = _moderated(team)
    team.move("reporting")
    services.findings_publish(actor=team.reviewing_lead, review_id=team.review.pk, confirmed=True)
    published = Finding.objects.get(pk=found["agreed"].pk)

    with nothing_written(), pytest.raises(Conflict) as refused:
        services.finding_update(
            actor=team.writer, finding_id=published.pk, version=published.version, text="Edited"
        )
    assert refused.value.message == (
        "A published finding cannot be changed. Publish a correction instead."
    )

    correction = services.finding_correct(
        actor=team.reviewing_lead,
        finding_id=published.pk,
        text="Agreed as written, corrected.",
        reason="A date was wrong.",
    )
    old = Finding.objects.get(pk=published.pk)
    assert (old.text, old.status, old.version) == (published.text, "published", published.version)
    assert correction.supersedes_id == old.pk and correction.status == "published"
    assert AuditEvent.objects.filter(
        object_type="findings.Finding", object_id=str(correction.pk), action="create"
    ).exists()
    with pytest.raises(Conflict):
        services.finding_correct(
            actor=team.reviewing_lead, finding_id=old.pk, text="Again", reason="Twice"
        )


def test_the_factual_accuracy_check_shows_agreed_findings_to_leads_for_comment(team: Team, world):
    version = team.review.handbook_version
    version.factual_accuracy_check = True
    version.save(update_fields=["factual_accuracy_check"])
    found = _moderated(team)
    assert not selectors.finding_list(actor=team.reviewed_lead, review_id=team.review.pk).exists()
    team.move("reporting")

    seen = selectors.finding_list(actor=team.reviewed_lead, review_id=team.review.pk)
    assert {f.pk for f in seen} == {found["agreed"].pk, found["amended"].pk}
    comment = services.finding_comment(
        actor=team.reviewed_lead, finding_id=found["agreed"].pk, text="The date is 9 November."
    )
    assert comment.finding_id == found["agreed"].pk
    # Comment only: they cannot edit, and their plain members see nothing.
    with nothing_written(), pytest.raises(NotFound):
        services.finding_update(
            actor=team.reviewed_lead, finding_id=found["agreed"].pk, version=5, text="Edited"
        )
    assert not selectors.finding_list(
        actor=actor_for(world.salford_member), review_id=team.review.pk
    ).exists()
    with nothing_written(), pytest.raises(NotFound):
        services.finding_comment(
            actor=team.reviewed_lead, finding_id=found["rejected"].pk, text="Hidden"
        )


# --- reading: flags and query counts ----------------------------------------------------------


def test_flags_give_the_services_answers(team: Team, world):
    draft = team.draft()
    proposed = team.proposed("Proposed.")
    flags = selectors.finding_permissions(
        actor=team.writer, review=team.review, findings=[draft, proposed]
    )
    assert flags[draft.pk].can_edit and flags[draft.pk].can_propose
    assert flags[proposed.pk].can_edit and not flags[proposed.pk].can_propose
    assert not flags[proposed.pk].can_moderate  # moderation is not open in fieldwork
    lead = selectors.finding_permissions(
        actor=team.reviewing_lead, review=team.review, findings=[draft]
    )[draft.pk]
    assert not (lead.can_edit or lead.can_propose or lead.can_moderate or lead.can_comment)


def test_the_findings_list_costs_the_same_whatever_its_length(team: Team):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            rows = list(selectors.finding_list(actor=team.writer, review_id=team.review.pk))
            selectors.finding_permissions(actor=team.writer, review=team.review, findings=rows)
            for row in rows:
                list(row.themes.all()), list(row.evidence.all()), list(row.quotes.all())
        return len(captured)

    finding = team.draft(theme_codes=["meetings_overload"])
    services.quote_add(
        actor=team.writer, finding_id=finding.pk, text="x", attributed_to="Police", consent=True
    )
    one = queries()
    for n in range(12):
        team.draft(f"More {n}", area=n % 3, theme_codes=["learning_culture"])
    assert queries() == one
