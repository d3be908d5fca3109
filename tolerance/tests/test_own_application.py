"""Issue 13, "workflow defects": a party-group member does not read other people's drafts, and
the officer concerned neither delivers (TOL-14c) nor publishes (TOL-14d) the decision on their
own application, even when they hold a role that may do it for others."""

from __future__ import annotations

import datetime

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
    submitted.refresh_from_db()
    assert submitted.number in listing
    assert reverse("tolerance:application", args=[theirs.pk]) + '"' not in listing  # drafts share 草稿（未编号）
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


# Nobody acts as the unit on a matter about themselves (TOL-14a/b, TOL-17, TOL-19) ---------------


def _colleague(users, subject, role):
    """Another holder of ``role`` in the unit than ``subject``."""
    if users[role] != subject:
        return users[role]
    return certified_officer(subject.officer.department, roles=[role], name=f"{role}同事").user


def _submitted_by(subject):
    application = draft(subject)
    add_evidence(application, subject)
    services.application_submit(application=application, by_user=subject)
    return Application.objects.get(pk=application.pk)


def _decided(users, subject) -> Decision:
    application = _submitted_by(subject)
    services.application_investigate(
        application=application, by_user=_colleague(users, subject, "legal_officer"), findings="属实。"
    )
    deciding = _colleague(users, subject, "party_member")
    return services.decision_record(
        application=Application.objects.get(pk=application.pk),
        by_user=deciding,
        data=decision_data(),
        accepted=codes("TOL-11.5"),
        members_present=[deciding.officer],
    )


@pytest.mark.parametrize("role", ["legal_officer", "legal_head"])
def test_tol_14b_officer_concerned_cannot_investigate_own_application(client, users, role):
    """A legal officer's own application is investigated by a colleague of the legal office."""
    subject = users[role]
    application = _submitted_by(subject)
    assert selectors.actions_for(subject, application)["investigate"] is False
    client.force_login(subject)
    page = client.get(reverse("tolerance:application", args=[application.pk])).content.decode()
    assert reverse("tolerance:application_investigate", args=[application.pk]) not in page
    response = client.post(
        reverse("tolerance:application_investigate", args=[application.pk]), {"findings": "本人认为属实。"}
    )
    assert response.status_code == 403 and "TOL-14b" in response.content.decode()
    with pytest.raises(DomainError) as exc:
        services.application_investigate(application=application, by_user=subject, findings="本人认为属实。")
    assert exc.value.rule_id == "TOL-14b"
    application.refresh_from_db()
    assert application.status == "submitted" and application.findings == "" and application.investigated_by is None
    colleague = _colleague(users, subject, role)
    services.application_investigate(application=application, by_user=colleague, findings="经核实属实。")
    application.refresh_from_db()
    assert application.status == "investigating" and application.investigated_by == colleague


def test_tol_14b_officer_concerned_cannot_close_own_application(client, users):
    subject = users["legal_officer"]
    decision = _decided(users, subject)
    services.decision_notify(decision=decision, by_user=users["legal_head"])
    order = decision.correction
    services.correction_issue(
        order=order,
        by_user=users["legal_head"],
        reasons="程序瑕疵",
        requirements="补正文书",
        items=["补正查封文书"],
        due_date=datetime.date.today() + datetime.timedelta(days=30),
    )
    application = Application.objects.get(pk=decision.application_id)
    assert selectors.actions_for(subject, application)["investigate"] is False
    client.force_login(subject)
    response = client.post(reverse("tolerance:application_close", args=[application.pk]))
    assert response.status_code == 403
    with pytest.raises(DomainError) as exc:
        services.application_close(application=application, by_user=subject)
    assert exc.value.rule_id == "TOL-14b"
    application.refresh_from_db()
    assert application.status == "notified" and application.closed_on is None
    colleague = _colleague(users, subject, "legal_officer")
    services.application_close(application=application, by_user=colleague)
    application.refresh_from_db()
    assert application.status == "closed"


@pytest.mark.parametrize("role", ["legal_head", "unit_head", "party_member"])
def test_tol_17_officer_concerned_cannot_issue_own_correction_order(client, users, role):
    subject = users[role]
    order = _decided(users, subject).correction
    due = datetime.date.today() + datetime.timedelta(days=30)
    form = {"reasons": "程序瑕疵", "requirements": "补正文书", "items": "补正查封文书", "due_date": due.isoformat()}
    client.force_login(subject)
    page = client.get(reverse("tolerance:correction", args=[order.pk])).content.decode()
    assert reverse("tolerance:correction_issue", args=[order.pk]) not in page
    response = client.post(reverse("tolerance:correction_issue", args=[order.pk]), form)
    assert response.status_code == 403 and "TOL-17" in response.content.decode()
    kwargs = {**form, "items": [form["items"]], "due_date": due}
    with pytest.raises(DomainError) as exc:
        services.correction_issue(order=order, by_user=subject, **kwargs)
    assert exc.value.rule_id == "TOL-17"
    order.refresh_from_db()
    assert order.status == "draft" and order.issued_by is None
    services.correction_issue(order=order, by_user=_colleague(users, subject, role), **kwargs)
    order.refresh_from_db()
    assert order.status == "issued"


@pytest.mark.parametrize("role", ["legal_head", "unit_head", "party_member"])
def test_tol_17_officer_concerned_cannot_decide_own_extension(client, users, role):
    """The order is addressed to the subject: they request the extension, never decide it."""
    from tolerance.models import ExtensionRequest

    subject = users[role]
    order = _decided(users, subject).correction
    due = datetime.date.today() + datetime.timedelta(days=30)
    issuer = _colleague(users, subject, "legal_officer")
    services.correction_issue(
        order=order, by_user=issuer, reasons="程序瑕疵", requirements="补正文书", items=["补正"], due_date=due
    )
    request = services.extension_request(
        order=order, by_user=subject, requested_due=due + datetime.timedelta(days=30), reason="材料需上级审批"
    )
    client.force_login(subject)
    page = client.get(reverse("tolerance:correction", args=[order.pk])).content.decode()
    assert reverse("tolerance:extension_decide", args=[request.pk]) not in page
    response = client.post(reverse("tolerance:extension_decide", args=[request.pk]), {"approve": "1", "note": ""})
    assert response.status_code == 403 and "TOL-17" in response.content.decode()
    with pytest.raises(DomainError) as exc:
        services.extension_decide(request=request, by_user=subject, approve=True)
    assert exc.value.rule_id == "TOL-17"
    request.refresh_from_db()
    order.refresh_from_db()
    assert request.status == "pending" and request.decided_by is None and order.due_date == due
    services.extension_decide(request=request, by_user=_colleague(users, subject, role), approve=True)
    order.refresh_from_db()
    assert ExtensionRequest.objects.get(pk=request.pk).status == "approved" and order.due_date > due


def _complaint_about(by_user, accused):
    return services.complaint_register(
        by_user=by_user,
        accused=accused,
        data={
            "received_on": datetime.date(2026, 4, 2),
            "channel": "12345热线",
            "summary": "反映执法人员检查时态度粗暴",
            "anonymous": False,
            "reporter_name": "举报人",
            "reporter_contact": "13900000000",
        },
    )


def test_tol_19_handler_cannot_register_a_complaint_about_themselves(client, users):
    from tolerance.models import Complaint

    subject = users["bureau_staff"]
    with pytest.raises(DomainError) as exc:
        _complaint_about(subject, subject.officer)
    assert exc.value.rule_id == "TOL-19"
    client.force_login(subject)
    form = client.get(reverse("tolerance:complaint_create")).context["form"]
    assert subject.officer not in form.fields["accused"].queryset
    assert users["handler"].officer in form.fields["accused"].queryset
    assert not Complaint.objects.exists()
    colleague = _colleague(users, subject, "bureau_staff")
    assert _complaint_about(colleague, subject.officer).accused == subject.officer


def test_tol_19_handler_cannot_handle_or_clarify_a_complaint_about_themselves(client, users):
    """Conclude, feedback, close and clarification (澄清正名) of a complaint about oneself are
    refused; the accused does not even read it (404: the reporter is protected). A colleague
    handles it."""
    subject = users["bureau_staff"]
    colleague = _colleague(users, subject, "bureau_staff")
    complaint = _complaint_about(colleague, subject.officer)
    client.force_login(subject)
    for name, data in (
        ("complaint", None),
        ("complaint_conclude", {"outcome": "untrue", "outcome_note": "经查不实"}),
        ("clarify", {"scope": "本单位", "form": "meeting", "on": "2026-05-01", "text": "澄清"}),
    ):
        url = reverse(f"tolerance:{name}", args=[complaint.pk])
        assert (client.get(url) if data is None else client.post(url, data)).status_code == 404, name
    with pytest.raises(DomainError) as exc:
        services.complaint_conclude(complaint=complaint, by_user=subject, outcome="untrue", note="经查不实")
    assert exc.value.rule_id == "TOL-19"
    complaint.refresh_from_db()
    assert complaint.status == "open" and complaint.outcome == ""
    services.complaint_conclude(complaint=complaint, by_user=colleague, outcome="untrue", note="经查不实")
    for step in (
        lambda u: services.complaint_feedback(complaint=complaint, by_user=u, text="已电话反馈"),
        lambda u: services.clarification_record(
            complaint=complaint, by_user=u, scope="本单位", form="meeting", on=datetime.date(2026, 5, 1), text="澄清"
        ),
        lambda u: services.complaint_close(complaint=complaint, by_user=u),
    ):
        with pytest.raises(DomainError) as exc:
            step(subject)
        assert exc.value.rule_id == "TOL-19"
        step(colleague)
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.accused.clarifications.count() == 1
