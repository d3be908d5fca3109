"""Pages: each view allowed / refused (403) / outside (404) / anonymous (login redirect); query
counts constant at two data sizes; bad input gives a clear message and saves nothing; the PDF."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import certified_officer
from tolerance import services
from tolerance.models import Application, Complaint, Decision
from tolerance.tests.factories import codes, decide, decision_data, draft, investigating

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(users, other_dept):
    application = investigating(users)
    decision = decide(users, investigating(users))
    complaint = services.complaint_register(
        by_user=users["bureau_staff"],
        accused=users["handler"].officer,
        data={"received_on": datetime.date(2026, 4, 2), "channel": "来信", "summary": "反映", "reporter_name": "某甲"},
    )
    outsider = certified_officer(other_dept, roles=["legal_head", "party_member"]).user
    return {"app": application, "decision": decision, "complaint": complaint, "outsider": outsider}


def _url(name, world):
    pk = {
        "application": world["app"].pk,
        "application_edit": world["app"].pk,
        "decide": world["app"].pk,
        "decision_pdf": world["decision"].application_id,
        "correction": world["decision"].correction.pk,
        "complaint": world["complaint"].pk,
    }.get(name)
    return reverse(f"tolerance:{name}", args=[pk] if pk else [])


# (url name, allowed role, refused role or None, outside → 404?)
GET_CASES = [
    ("index", "handler", None, False),
    ("catalogue", "handler", None, False),
    ("application_create", "handler", "leader", False),
    ("application", "handler", None, True),
    ("decide", "party_member", "legal_officer", True),
    ("decision_pdf", "handler", None, True),
    ("correction", "handler", None, True),
    ("risk", "legal_head", "handler", False),
    ("complaints", "bureau_staff", "handler", False),
    ("complaint_create", "bureau_staff", "legal_head", False),
    ("complaint", "bureau_staff", None, False),
]


@pytest.mark.parametrize(("name", "allowed", "refused", "outside"), GET_CASES)
def test_get_pages(client, users, world, name, allowed, refused, outside):
    url = _url(name, world)
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(users[allowed])
    assert client.get(url).status_code == 200
    if refused:
        client.force_login(users[refused])
        assert client.get(url).status_code == 403
    if outside:
        client.force_login(world["outsider"])
        assert client.get(url).status_code == 404


def test_complaint_outside_is_404_and_readers_cannot_handle(client, users, world):
    client.force_login(world["outsider"])
    assert client.get(_url("complaint", world)).status_code == 404
    url = reverse("tolerance:complaint_conclude", args=[world["complaint"].pk])
    assert client.post(url, {"outcome": "untrue"}).status_code == 404
    client.force_login(users["review_group"])
    response = client.post(url, {"outcome": "untrue"})
    assert response.status_code == 403 and "TOL-19" in response.content.decode()


def test_publications_open_to_anonymous(client, world):
    assert client.get(reverse("tolerance:publications")).status_code == 200


POSTS = [
    ("application_submit", "legal_head", "party_member"),
    ("application_investigate", "legal_officer", "handler"),
    ("notify", "legal_officer", "handler"),
    ("application_close", "legal_officer", "handler"),
]


@pytest.mark.parametrize(("name", "allowed", "refused"), POSTS)
def test_post_steps_refused_outside_and_anonymous(client, users, world, name, allowed, refused):
    url = reverse(f"tolerance:{name}", args=[world["app"].pk])
    assert client.post(url).status_code == 302 and "/accounts/login/" in client.post(url)["Location"]
    client.force_login(users[refused])
    response = client.post(url)
    assert response.status_code == 403
    assert "TOL-14" in response.content.decode()
    client.force_login(world["outsider"])
    assert client.post(url).status_code == 404


def test_leader_is_read_only(client, users, world):
    client.force_login(users["leader"])
    assert client.post(reverse("tolerance:application_investigate", args=[world["app"].pk])).status_code == 403


def test_correction_issue_refused_for_subject(client, users, world):
    client.force_login(users["handler"])
    url = reverse("tolerance:correction_issue", args=[world["decision"].correction.pk])
    assert client.post(url, {"reasons": "x"}).status_code == 403
    client.force_login(world["outsider"])
    assert client.post(url).status_code == 404


def test_step_refusal_shown_as_message(client, users, world):
    client.force_login(users["legal_officer"])
    response = client.post(reverse("tolerance:application_close", args=[world["app"].pk]), follow=True)
    assert "不能办结" in response.content.decode() and "TOL-14b" in response.content.decode()


def test_create_application_via_form(client, users):
    client.force_login(users["handler"])
    data = {
        "officer": users["handler"].officer.pk,
        "act_date": "2026-03-01",
        "act": "经过",
        "error_category": "procedure",
        "field": "market",
        "circumstances": [c.pk for c in codes("TOL-11.5")],
        "statement": "理由",
    }
    response = client.post(reverse("tolerance:application_create"), data)
    application = Application.objects.get()
    assert response["Location"] == reverse("tolerance:application", args=[application.pk])


def test_bad_application_input_saves_nothing(client, users):
    client.force_login(users["handler"])
    response = client.post(reverse("tolerance:application_create"), {"officer": users["handler"].officer.pk})
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode() or "This field is required" in response.content.decode()
    assert not Application.objects.exists()


def test_decision_form_veto_refusal_shown_and_nothing_saved(client, users):
    application = investigating(users)
    client.force_login(users["party_member"])
    data = {k: v for k, v in decision_data(veto=True, veto_reason="越权").items() if v not in (False, None)}
    data.update({"accepted": [c.pk for c in codes("TOL-11.5")], "members_present": [users["party_member"].officer.pk]})
    response = client.post(reverse("tolerance:decide", args=[application.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "不予容错" in html and "TOL-13" in html
    assert not Decision.objects.exists()
    data["outcome"] = "not_tolerated"
    response = client.post(reverse("tolerance:decide", args=[application.pk]), data)
    assert response.status_code == 302
    assert Decision.objects.get().outcome == "not_tolerated"


def test_decision_pdf_renders(client, users, world):
    client.force_login(users["handler"])
    response = client.get(_url("decision_pdf", world))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_detail_shows_notice_and_ack(client, users, world):
    services.decision_notify(decision=world["decision"], by_user=users["legal_officer"])
    client.force_login(users["handler"])
    url = reverse("tolerance:application", args=[world["decision"].application_id])
    html = client.get(url).content.decode()
    assert 'id="my-notice"' in html and "确认收到" in html
    notice = world["decision"].notices.get(recipient=users["handler"])
    client.post(reverse("tolerance:notice_ack", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.acknowledged_at is not None
    client.force_login(users["legal_head"])
    assert client.post(reverse("tolerance:notice_ack", args=[notice.pk])).status_code == 404


def _grow(users, n):
    for _ in range(n):
        decide(users, investigating(users), publication_scope="public")
        draft(users["handler"])
        services.complaint_register(
            by_user=users["bureau_staff"],
            accused=users["handler"].officer,
            data={"received_on": datetime.date(2026, 4, 2), "channel": "来信", "summary": "反映", "anonymous": True},
        )


@pytest.mark.parametrize(
    ("name", "role"),
    [("index", "legal_head"), ("publications", "legal_head"), ("risk", "bureau_staff"), ("complaints", "bureau_staff")],
)
def test_query_counts_constant(client, users, name, role):
    client.force_login(users[role])
    url = reverse(f"tolerance:{name}")
    _grow(users, 3)  # both sizes past the TOL-18 threshold, so the warnings list is filled
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _grow(users, 4)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    assert Complaint.objects.count() == 7


def test_home_panel_for_party_member(client, users):
    investigating(users)
    client.force_login(users["party_member"])
    html = client.get(reverse("home")).content.decode()
    assert "待党组认定" in html


def test_services_reject_unknown_fields(users):
    with pytest.raises(ValueError):
        services.application_create(
            by_user=users["handler"], officer=users["handler"].officer, data={"nope": 1}, circumstances=[]
        )


def test_correction_pages_issue_report_extend(client, users, world):
    order = world["decision"].correction
    client.force_login(users["legal_head"])
    page = client.get(reverse("tolerance:correction", args=[order.pk])).content.decode()
    assert 'id="issue-form"' in page
    url = reverse("tolerance:correction_issue", args=[order.pk])
    bad = client.post(url, {"reasons": "r", "items": "a", "requirements": "q", "due_date": "2001-01-01"})
    assert bad.status_code == 200 and "整改期限须晚于今天" in bad.content.decode()
    due = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    client.post(url, {"reasons": "r", "items": "补正文书\n修订流程", "requirements": "q", "due_date": due})
    order.refresh_from_db()
    assert order.status == "issued" and order.items.count() == 2
    client.force_login(users["handler"])
    item = order.items.first()
    client.post(reverse("tolerance:item_report", args=[item.pk]), {"status": "done", "progress": "已补正"})
    item.refresh_from_db()
    assert item.status == "done"
    later = (datetime.date.today() + datetime.timedelta(days=60)).isoformat()
    client.post(reverse("tolerance:extension_create", args=[order.pk]), {"requested_due": later, "reason": "需检测"})
    ext = order.extensions.get()
    client.force_login(users["legal_head"])
    client.post(reverse("tolerance:extension_decide", args=[ext.pk]), {"approve": "1", "note": "同意"})
    order.refresh_from_db()
    assert order.due_date.isoformat() == later
    client.force_login(users["handler"])
    assert client.post(reverse("tolerance:extension_decide", args=[ext.pk]), {"approve": "1"}).status_code == 403


def test_complaint_pages_register_conclude_feedback_close(client, users):
    client.force_login(users["bureau_staff"])
    response = client.post(
        reverse("tolerance:complaint_create"),
        {"accused": users["handler"].officer.pk, "received_on": "2026-04-01", "channel": "来信", "summary": "反映"},
    )
    assert response.status_code == 200 and "举报人姓名" in response.content.decode()
    assert not Complaint.objects.exists()
    client.post(
        reverse("tolerance:complaint_create"),
        {
            "accused": users["handler"].officer.pk,
            "received_on": "2026-04-01",
            "channel": "来信",
            "summary": "反映",
            "reporter_name": "某乙",
        },
    )
    complaint = Complaint.objects.get()
    client.post(
        reverse("tolerance:complaint_conclude", args=[complaint.pk]),
        {"outcome": "unfounded", "outcome_note": "查无实据"},
    )
    refused = client.post(reverse("tolerance:complaint_close", args=[complaint.pk]), follow=True)
    assert "须先向举报人反馈" in refused.content.decode()
    client.post(reverse("tolerance:complaint_feedback", args=[complaint.pk]), {"text": "已反馈"})
    client.post(reverse("tolerance:complaint_close", args=[complaint.pk]))
    complaint.refresh_from_db()
    assert complaint.status == "closed"


def test_edit_draft_allowed_refused_outside_and_after_submit(client, users, world):
    application = draft(users["handler"])
    url = reverse("tolerance:application_edit", args=[application.pk])
    assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(users["party_member"])
    assert client.get(url).status_code == 404  # someone else's draft is not theirs to read
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(users["handler"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "officer": users["handler"].officer.pk,
            "act_date": "2026-03-02",
            "act": "改后的经过",
            "error_category": "facts",
            "field": "market",
            "circumstances": [c.pk for c in codes("TOL-11.6")],
            "statement": "理由",
        },
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.act == "改后的经过" and application.error_category == "facts"
    edit_submitted = client.get(reverse("tolerance:application_edit", args=[world["app"].pk]), follow=True)
    assert "只有草稿可以修改" in edit_submitted.content.decode()


def test_evidence_download_scoped(client, users, world):
    evidence = world["app"].evidence.get()
    url = reverse("tolerance:evidence", args=[evidence.pk])
    client.force_login(users["legal_head"])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(world["outsider"])
    assert client.get(url).status_code == 404
