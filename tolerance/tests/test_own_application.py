"""Issue 13, "workflow defects": a party-group member does not read other people's drafts, and
the officer concerned neither delivers (TOL-14c) nor publishes (TOL-14d) the decision on their
own application, even when they hold a role that may do it for others."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import certified_officer
from tolerance import selectors, services
from tolerance.choices import PublicationScope
from tolerance.models import Application, Decision
from xian_enforcement.errors import DomainError

from .factories import add_evidence, codes, decision_data, draft, party_member

pytestmark = pytest.mark.django_db


# Drafts ---------------------------------------------------------------------------------------


def test_party_member_does_not_see_other_peoples_drafts(client, users):
    mine = draft(users["party_member"])
    theirs = draft(users["handler"])
    submitted = draft(users["handler"])
    add_evidence(submitted, users["handler"])
    services.application_submit(application=submitted, by_user=users["handler"])

    party = users["party_member"]
    visible = set(selectors.applications_visible_to(party).values_list("pk", flat=True))
    assert visible == {mine.pk, submitted.pk}
    client.force_login(party)
    assert client.get(reverse("tolerance:application", args=[theirs.pk])).status_code == 404
    listing = client.get(reverse("tolerance:index")).content.decode()
    assert submitted.number in listing and theirs.number not in listing
    assert client.get(reverse("tolerance:application", args=[mine.pk])).status_code == 200


def test_drafts_stay_readable_by_those_who_may_edit_them(users):
    """TOL-14b: the filer, the officer concerned, and the unit's legal office and head (who apply
    on an officer's behalf) still read the draft."""
    theirs = draft(users["handler"])
    for role in ("handler", "legal_officer", "legal_head", "unit_head"):
        assert selectors.applications_visible_to(users[role]).filter(pk=theirs.pk).exists(), role
    for role in ("party_member", "bureau_staff", "leader"):
        assert not selectors.applications_visible_to(users[role]).filter(pk=theirs.pk).exists(), role


def test_party_member_who_is_also_unit_head_reads_drafts(users, dept):
    head = certified_officer(dept, roles=["party_member", "unit_head"], name="党组兼负责人").user
    theirs = draft(users["handler"])
    assert selectors.applications_visible_to(head).filter(pk=theirs.pk).exists()


# The officer concerned (TOL-14c, TOL-14d) -------------------------------------------------------


def _decided_for(users, subject) -> Decision:
    """A decided application of ``subject`` (a legal officer or party member of the unit), filed,
    investigated and decided by others."""
    application = draft(subject)
    add_evidence(application, subject)
    services.application_submit(application=application, by_user=subject)
    services.application_investigate(application=application, by_user=users["legal_head"], findings="属实。")
    deciding = (
        users["party_member"] if subject != users["party_member"] else party_member(subject.officer.department).user
    )
    return services.decision_record(
        application=Application.objects.get(pk=application.pk),
        by_user=deciding,
        data=decision_data(),
        accepted=codes("TOL-11.5"),
        members_present=[deciding.officer],
    )


@pytest.mark.parametrize("role", ["legal_officer", "party_member"])
def test_tol_14c_officer_concerned_cannot_notify_own_decision(client, users, role):
    subject = users[role]
    decision = _decided_for(users, subject)
    with pytest.raises(DomainError) as exc:
        services.decision_notify(decision=decision, by_user=subject)
    assert exc.value.rule_id == "TOL-14c"
    client.force_login(subject)
    response = client.post(reverse("tolerance:notify", args=[decision.application_id]))
    assert response.status_code == 403 and "TOL-14c" in response.content.decode()
    decision.refresh_from_db()
    assert decision.notified_on is None and not decision.notices.filter(delivered_at__isnull=False).exists()
    # the unit's legal head still delivers it
    assert services.decision_notify(decision=decision, by_user=users["legal_head"]) > 0


@pytest.mark.parametrize("role", ["legal_officer", "party_member"])
def test_tol_14d_officer_concerned_cannot_publish_own_decision(client, users, role):
    subject = users[role]
    decision = _decided_for(users, subject)
    with pytest.raises(DomainError) as exc:
        services.decision_publish(decision=decision, by_user=subject, scope=PublicationScope.PUBLIC)
    assert exc.value.rule_id == "TOL-14d"
    client.force_login(subject)
    response = client.post(
        reverse("tolerance:publish", args=[decision.application_id]), {"publication_scope": PublicationScope.PUBLIC}
    )
    assert response.status_code == 403 and "TOL-14d" in response.content.decode()
    decision.refresh_from_db()
    assert decision.publication_scope == PublicationScope.UNIT
    # the page offers the subject neither step
    assert selectors.actions_for(subject, decision.application)["notify"] is False
