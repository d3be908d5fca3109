"""TOL-19 complaints (reporter identity never visible to the accused's unit: view, search,
export; feedback before closing; clarification) and TOL-14d publication scopes."""

from __future__ import annotations

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.exports import export_content
from tests.factories import certified_officer
from tolerance import selectors, services
from tolerance.models import Complaint
from tolerance.tests.factories import decide, investigating
from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.errors import DomainError

pytestmark = pytest.mark.django_db
REPORTER = "举报人王秘密"
PHONE = "13912345678"


def _complaint(users, anonymous=False, **kw):
    return services.complaint_register(
        by_user=users["bureau_staff"],
        accused=users["handler"].officer,
        data={
            "received_on": datetime.date(2026, 4, 2),
            "channel": "12345热线",
            "summary": "反映执法人员检查时态度粗暴",
            "anonymous": anonymous,
            "reporter_name": "" if anonymous else REPORTER,
            "reporter_contact": "" if anonymous else PHONE,
            **kw,
        },
    )


def test_tol_19_reporter_identity_encrypted_at_rest(users):
    complaint = _complaint(users)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reporter_name, reporter_contact FROM tolerance_complaint WHERE id = %s", [complaint.pk])
        raw = cursor.fetchone()
    assert all(value.startswith("enc:") for value in raw)
    assert REPORTER not in raw[0]
    assert Complaint.objects.get().reporter_name == REPORTER


def test_tol_19_only_handlers_register(users):
    for role in ("legal_head", "leader", "handler", "review_group"):
        with pytest.raises(DomainError) as exc:
            services.complaint_register(
                by_user=users[role], accused=users["handler"].officer, data={"received_on": datetime.date(2026, 4, 2)}
            )
        assert exc.value.rule_id == "TOL-19"


def test_tol_19_real_name_needs_reporter(users):
    with pytest.raises(DomainError, match="举报人姓名"):
        _complaint(users, reporter_name="")
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("role", ["legal_head", "legal_officer", "unit_head", "party_member"])
def test_tol_19_reporter_never_visible_to_accused_unit_view_search_export(client, users, role):
    complaint = _complaint(users)
    client.force_login(users[role])
    detail = client.get(reverse("tolerance:complaint", args=[complaint.pk]))
    assert detail.status_code == 200
    assert "反映执法人员检查时态度粗暴" in detail.content.decode()
    assert REPORTER not in detail.content.decode() and PHONE not in detail.content.decode()
    listing = client.get(reverse("tolerance:complaints"))
    assert complaint.number in listing.content.decode()
    assert REPORTER not in listing.content.decode()
    search = client.get(reverse("tolerance:complaints"), {"q": "王秘密"})
    assert complaint.number not in search.content.decode()
    export = client.get(reverse("tolerance:complaint_export"))
    cells = [
        str(c) for row in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True) for c in row
    ]
    assert "举报人" not in cells
    assert not any(REPORTER in c or PHONE in c for c in cells)
    reveal = client.post(reverse("tolerance:complaint_reporter", args=[complaint.pk]), {"reason": "想看看是谁举报"})
    assert reveal.status_code == 403 and REPORTER not in reveal.content.decode()
    assert not AuditEvent.objects.filter(event_type="unmask").exists()


def test_tol_19_accused_officer_sees_no_complaint(client, users):
    complaint = _complaint(users)
    client.force_login(users["handler"])
    # security.md: an object outside the user's jurisdiction is 404 (not 403: its existence is not revealed).
    assert client.get(reverse("tolerance:complaint", args=[complaint.pk])).status_code == 404
    assert client.get(reverse("tolerance:complaints")).status_code == 403


def test_tol_19_handler_sees_reporter_view_and_export(client, users):
    complaint = _complaint(users)
    client.force_login(users["bureau_staff"])
    page = client.get(reverse("tolerance:complaint", args=[complaint.pk])).content.decode()
    assert REPORTER not in page  # shown only on request, with a reason (security.md: unmasking audited)
    assert REPORTER not in client.get(reverse("tolerance:complaints")).content.decode()
    url = reverse("tolerance:complaint_reporter", args=[complaint.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert not AuditEvent.objects.filter(event_type="unmask").exists()
    revealed = client.post(url, {"reason": "向举报人反馈查处结果"})
    assert REPORTER in revealed.content.decode() and PHONE in revealed.content.decode()
    row = AuditEvent.objects.get(event_type="unmask")
    assert row.detail["reason"] == "向举报人反馈查处结果" and row.detail["field"] == "reporter"
    assert REPORTER not in row.canonical()
    # The handlers' (county-wide) export runs in the background.
    export = export_content(client, reverse("tolerance:complaint_export"))
    rows = list(load_workbook(io.BytesIO(export)).active.iter_rows(values_only=True))
    assert "举报人" in rows[0] and REPORTER in rows[1]


def test_tol_19_handler_of_accused_unit_does_not_see_reporter(users, bureau):
    """A bureau officer accused: bureau handlers are then the accused's unit."""
    accused = certified_officer(bureau)
    complaint = services.complaint_register(
        by_user=users["bureau_staff"],
        accused=accused,
        data={"received_on": datetime.date(2026, 4, 2), "channel": "来信", "summary": "s", "reporter_name": REPORTER},
    )
    assert not selectors.reveals_reporter(users["bureau_staff"], complaint)


@pytest.mark.parametrize("outcome", ["untrue", "unfounded", "tolerated"])
def test_tol_19_real_name_feedback_required_before_closing(users, outcome):
    complaint = _complaint(users)
    decision = decide(users, investigating(users)) if outcome == "tolerated" else None
    services.complaint_conclude(
        complaint=complaint, by_user=users["bureau_staff"], outcome=outcome, note="经查", decision=decision
    )
    with pytest.raises(DomainError, match="须先向举报人反馈") as exc:
        services.complaint_close(complaint=complaint, by_user=users["bureau_staff"])
    assert exc.value.rule_id == "TOL-19"
    services.complaint_feedback(complaint=complaint, by_user=users["bureau_staff"], text="已电话反馈查处结果")
    services.complaint_close(complaint=complaint, by_user=users["bureau_staff"])
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.feedback_on


def test_tol_19_anonymous_needs_explanation_within_scope(users):
    complaint = _complaint(users, anonymous=True)
    services.complaint_conclude(
        complaint=complaint, by_user=users["bureau_staff"], outcome="unfounded", note="查无实据"
    )
    with pytest.raises(DomainError, match="一定范围内说明"):
        services.complaint_close(complaint=complaint, by_user=users["bureau_staff"])
    with pytest.raises(DomainError, match="范围"):
        services.complaint_feedback(complaint=complaint, by_user=users["bureau_staff"], text="说明", scope="")
    services.complaint_feedback(
        complaint=complaint, by_user=users["bureau_staff"], text="情况说明", scope="市场监管局全体干部"
    )
    services.complaint_close(complaint=complaint, by_user=users["bureau_staff"])
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.closed_on
    assert (complaint.explanation_scope, complaint.explanation_text) == ("市场监管局全体干部", "情况说明")
    assert complaint.feedback_text == ""  # an anonymous reporter gets no feedback, only the explanation


def test_tol_19_substantiated_closes_without_feedback(users):
    complaint = _complaint(users)
    services.complaint_conclude(
        complaint=complaint, by_user=users["bureau_staff"], outcome="substantiated", note="属实"
    )
    services.complaint_close(complaint=complaint, by_user=users["bureau_staff"])
    complaint.refresh_from_db()
    assert complaint.status == "closed" and complaint.closed_on
    assert complaint.feedback_on is None and complaint.feedback_text == ""


def test_tol_19_tolerated_needs_tolerated_decision_on_the_accused(users):
    complaint = _complaint(users)
    refused = decide(users, investigating(users), outcome="not_tolerated")
    with pytest.raises(DomainError, match="关联"):
        services.complaint_conclude(
            complaint=complaint, by_user=users["bureau_staff"], outcome="tolerated", note="x", decision=refused
        )


def test_tol_19_clarification_shown_on_officer_record(client, users):
    complaint = _complaint(users)
    with pytest.raises(DomainError):  # only after untrue / unfounded
        services.clarification_record(
            complaint=complaint,
            by_user=users["bureau_staff"],
            scope="s",
            form="meeting",
            on=datetime.date(2026, 5, 1),
            text="t",
        )
    services.complaint_conclude(complaint=complaint, by_user=users["bureau_staff"], outcome="untrue", note="经查不实")
    services.clarification_record(
        complaint=complaint,
        by_user=users["bureau_staff"],
        scope="全局干部大会",
        form="meeting",
        on=datetime.date(2026, 5, 1),
        text="经查，反映问题不实，予以澄清正名。",
    )
    client.force_login(users["legal_head"])
    page = client.get(reverse("org:officer_detail", args=[users["handler"].officer.pk]))
    assert "予以澄清正名" in page.content.decode()


# Publication (TOL-14d) ------------------------------------------------------------------------


@pytest.fixture
def published(users):
    """One decision per scope, all in ``dept``, the officer named 执法人员甲."""
    out = {}
    for scope in ("none", "unit", "county", "public"):
        decision = decide(users, investigating(users), publication_scope=scope)
        out[scope] = decision
    return out


def _seen(client, user=None) -> str:
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("tolerance:publications"))
    assert response.status_code == 200
    return response.content.decode()


def test_tol_14d_anonymous_sees_only_public_masked(client, published):
    html = _seen(client)
    assert published["public"].number in html
    for scope in ("none", "unit", "county"):
        assert published[scope].number not in html
    assert "执法人员甲" not in html and "执某" in html


@pytest.mark.parametrize(
    ("role", "scopes", "full_name"),
    [
        ("handler", {"unit", "county", "public"}, True),
        ("legal_head", {"unit", "county", "public"}, True),
        ("party_member", {"unit", "county", "public"}, True),
        ("bureau_staff", {"county", "public"}, False),
        ("review_group", {"county", "public"}, False),
        ("leader", {"county", "public"}, False),
        ("sysadmin", {"county", "public"}, False),
        ("nobody", {"public"}, False),
    ],
)
def test_tol_14d_each_role_sees_its_scope(client, users, published, role, scopes, full_name):
    html = _seen(client, users[role])
    for scope, decision in published.items():
        assert (decision.number in html) == (scope in scopes), scope
    assert ("执法人员甲" in html) == full_name


def test_tol_14d_other_department_sees_county_and_public_masked(client, users, published, other_dept):
    html = _seen(client, certified_officer(other_dept, roles=["legal_head"]).user)
    assert published["county"].number in html and published["public"].number in html
    assert published["unit"].number not in html
    assert "执法人员甲" not in html


def test_tol_14d_change_scope(users, published):
    decision = services.decision_publish(decision=published["none"], by_user=users["legal_officer"], scope="public")
    assert decision.published_on is not None
    with pytest.raises(DomainError) as exc:
        services.decision_publish(decision=decision, by_user=users["handler"], scope="none")
    assert exc.value.rule_id == "TOL-14d"


def test_tol_19_reporter_absent_from_audit_log(users):
    from auditlog.models import LogEntry

    complaint = _complaint(users)
    entries = LogEntry.objects.get_for_object(complaint)
    assert entries.exists()
    assert all(REPORTER not in str(e.changes) and PHONE not in str(e.changes) for e in entries)
