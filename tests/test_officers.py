"""Officer register: scoped to the user's jurisdiction, certificate status shown, ID masked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import certified_officer
from xian_enforcement.org.services import certificate_change_status


@pytest.mark.django_db
def test_department_user_sees_only_own_officers(client, users, dept, other_dept):
    mine = certified_officer(dept, name="本部门甲")
    theirs = certified_officer(other_dept, name="外部门乙")
    client.force_login(users["legal_officer"])
    html = client.get(reverse("org:officer_list")).content.decode()
    assert mine.name in html
    assert theirs.name not in html
    assert client.get(reverse("org:officer_detail", args=[theirs.pk])).status_code == 404


@pytest.mark.django_db
def test_suspended_certificate_shown_as_such(client, users, dept):
    officer = certified_officer(dept, name="暂停丙")
    certificate_change_status(certificate=officer.certificates.get(), to_status="suspended", reason="REV-8 三件不合格")
    client.force_login(users["bureau_staff"])
    html = client.get(reverse("org:officer_list") + "?q=暂停丙").content.decode()
    assert "暂停" in html
    assert "持证有效" not in html


@pytest.mark.django_db
def test_officer_detail_masks_id_number(client, users, dept):
    officer = certified_officer(dept, id_number="141031198001015678")
    client.force_login(users["legal_head"])
    html = client.get(reverse("org:officer_detail", args=[officer.pk])).content.decode()
    assert "141031198001015678" not in html
    assert "141***********5678" in html


@pytest.mark.django_db
def test_admin_roles_refused(client, users):
    client.force_login(users["secadmin"])
    assert client.get(reverse("org:officer_list")).status_code == 403


@pytest.mark.django_db
def test_officer_list_query_count_constant(client, users, dept):
    client.force_login(users["bureau_staff"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("org:officer_list")).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for _ in range(30):
        certified_officer(dept)
    assert count() == small


@pytest.mark.django_db
def test_bureau_suspends_certificate_with_reason_recorded(client, users, dept):
    officer = certified_officer(dept)
    certificate = officer.certificates.get()
    client.force_login(users["bureau_staff"])
    url = reverse("org:certificate_status", args=[certificate.pk])
    response = client.post(url, {"to_status": "suspended", "reason": "年度三件不合格（REV-8）"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == "suspended"
    change = certificate.status_changes.get()
    assert (change.from_status, change.to_status, change.changed_by) == ("active", "suspended", users["bureau_staff"])
    assert change.reason == "年度三件不合格（REV-8）"


@pytest.mark.django_db
def test_certificate_status_change_needs_reason_and_allowed_transition(client, users, dept):
    officer = certified_officer(dept)
    certificate = officer.certificates.get()
    client.force_login(users["bureau_staff"])
    url = reverse("org:certificate_status", args=[certificate.pk])
    client.post(url, {"to_status": "suspended", "reason": ""})
    certificate.refresh_from_db()
    assert certificate.status == "active"
    client.post(url, {"to_status": "revoked", "reason": "违法违纪"})
    client.post(url, {"to_status": "active", "reason": "恢复"})
    certificate.refresh_from_db()
    assert certificate.status == "revoked"  # revoked is final


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("legal_head", 403), ("leader", 403), ("sysadmin", 404), ("handler", 403)]
)
def test_only_bureau_changes_certificates(client, users, dept, role, status):
    officer = certified_officer(dept)
    certificate = officer.certificates.get()
    client.force_login(users[role])
    response = client.post(
        reverse("org:certificate_status", args=[certificate.pk]), {"to_status": "suspended", "reason": "x"}
    )
    assert response.status_code == status
    certificate.refresh_from_db()
    assert certificate.status == "active"


@pytest.mark.django_db
def test_unmasking_an_id_number_needs_a_reason_and_is_audited(client, users, dept):
    """security.md "Data integrity": ordinary roles see ID numbers masked; unmasking is audited
    with a reason — one UNMASK row per reveal, naming the field and the reason, never the value."""
    from xian_enforcement.audit.models import AuditEvent

    officer = certified_officer(dept, id_number="141031198001015678")
    url = reverse("org:officer_unmask", args=[officer.pk])
    client.force_login(users["legal_head"])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert "141031198001015678" not in refused.content.decode()
    assert not AuditEvent.objects.filter(event_type="unmask").exists()
    shown = client.post(url, {"reason": "核对执法证申领材料"})
    assert shown.status_code == 200
    assert "141031198001015678" in shown.content.decode()
    assert "no-store" in shown["Cache-Control"]
    row = AuditEvent.objects.get(event_type="unmask")
    assert (row.user, row.detail["field"], row.detail["reason"]) == (
        users["legal_head"],
        "id_number",
        "核对执法证申领材料",
    )
    assert "141031198001015678" not in row.canonical()
    # the next plain view is masked again
    assert "141031198001015678" not in client.get(reverse("org:officer_detail", args=[officer.pk])).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [("legal_officer", 403), ("handler", 403), ("leader", 403), ("unit_head", 403)]
)
def test_unmasking_refused_for_ordinary_roles(client, users, dept, role, status):
    from xian_enforcement.audit.models import AuditEvent

    officer = certified_officer(dept, id_number="141031198001015678")
    client.force_login(users[role])
    page = client.get(reverse("org:officer_detail", args=[officer.pk]))
    assert "查看完整号码" not in page.content.decode()
    response = client.post(reverse("org:officer_unmask", args=[officer.pk]), {"reason": "想看看完整号码"})
    assert response.status_code == status
    assert "141031198001015678" not in response.content.decode()
    assert not AuditEvent.objects.filter(event_type="unmask").exists()


@pytest.mark.django_db
def test_bureau_staff_of_the_county_may_unmask(client, users, dept):
    officer = certified_officer(dept, id_number="141031198001015678")
    client.force_login(users["bureau_staff"])
    assert "查看完整号码" in client.get(reverse("org:officer_detail", args=[officer.pk])).content.decode()
    assert (
        "141031198001015678"
        in client.post(
            reverse("org:officer_unmask", args=[officer.pk]), {"reason": "吊销执法证前核对身份"}
        ).content.decode()
    )
