"""Permission matrix of the case pages (security.md "Access control"): each role × a file of
its own department / of another department × list, detail, edit, export, attachment.

Expected statuses: 200 allowed; 302 allowed as a background job (a county-wide export, issue
13); 403 readable but not writable, or a role without case access; 404 outside the jurisdiction. The matrix is data, so any change to access is a visible diff.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.services import case_attachment_add
from tests.factories import CaseFileFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# role: {action: (own department, other department)}
MATRIX = {
    "handler": {"list": 200, "export": 200, "detail": (200, 404), "edit": (200, 404), "attachment": (200, 404)},
    "legal_officer": {"list": 200, "export": 200, "detail": (200, 404), "edit": (200, 404), "attachment": (200, 404)},
    "legal_head": {"list": 200, "export": 200, "detail": (200, 404), "edit": (200, 404), "attachment": (200, 404)},
    "unit_head": {"list": 200, "export": 200, "detail": (200, 404), "edit": (403, 404), "attachment": (200, 404)},
    "party_member": {"list": 200, "export": 200, "detail": (200, 404), "edit": (403, 404), "attachment": (200, 404)},
    "bureau_staff": {"list": 200, "export": 302, "detail": (200, 200), "edit": (403, 403), "attachment": (200, 200)},
    "review_group": {"list": 200, "export": 302, "detail": (200, 200), "edit": (403, 403), "attachment": (200, 200)},
    "leader": {"list": 200, "export": 302, "detail": (200, 200), "edit": (403, 403), "attachment": (200, 200)},
    "sysadmin": {"list": 403, "export": 403, "detail": (404, 404), "edit": (404, 404), "attachment": (404, 404)},
    "secadmin": {"list": 403, "export": 403, "detail": (404, 404), "edit": (404, 404), "attachment": (404, 404)},
    "auditadmin": {"list": 403, "export": 403, "detail": (404, 404), "edit": (404, 404), "attachment": (404, 404)},
    "nobody": {"list": 403, "export": 403, "detail": (404, 404), "edit": (404, 404), "attachment": (404, 404)},
}


@pytest.fixture
def files(users, dept, other_dept):
    """A file of ``dept`` handled by the handler user, and a file of ``other_dept``; each with an
    attachment. Bureau and leaders belong to the same county as both."""
    handler = users["handler"].officer
    own = CaseFileFactory(department=dept, main_handler=handler)
    other = CaseFileFactory(department=other_dept)
    attachments = {}
    for key, case in (("own", own), ("other", other)):
        upload = SimpleUploadedFile("记录.pdf", PDF, content_type="application/pdf")
        attachments[key] = case_attachment_add(case_file=case, upload=upload, uploaded_by=None)
    return {"own": own, "other": other, "attachments": attachments}


def _url(action: str, files: dict, where: str) -> str:
    if action == "list":
        return reverse("cases:list")
    if action == "export":
        return reverse("cases:export")
    if action == "attachment":
        return reverse("cases:attachment_download", args=[files["attachments"][where].pk])
    return reverse(f"cases:{action}", args=[files[where].pk])


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(MATRIX))
def test_case_pages_permission_matrix(client, users, files, role):
    client.force_login(users[role])
    seen = {}
    for action, expected in MATRIX[role].items():
        if isinstance(expected, tuple):
            for where, status in zip(("own", "other"), expected, strict=True):
                seen[(action, where)] = (client.get(_url(action, files, where)).status_code, status)
        else:
            seen[(action, "-")] = (client.get(_url(action, files, "own")).status_code, expected)
    wrong = {k: v for k, v in seen.items() if v[0] != v[1]}
    assert not wrong, f"{role}: (got, expected) {wrong}"


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_on_every_case_page(client, files):
    for action in ("list", "export", "detail", "edit", "attachment"):
        response = client.get(_url(action, files, "own"))
        assert response.status_code == 302, action
        assert response["Location"].startswith("/accounts/login/"), action


@pytest.mark.django_db
def test_handler_does_not_see_colleagues_files_of_same_department(client, users, dept):
    """A handler reads the files they handle, not every file of the department."""
    colleague_case = CaseFileFactory(department=dept)
    client.force_login(users["handler"])
    assert client.get(reverse("cases:detail", args=[colleague_case.pk])).status_code == 404
    listing = client.get(reverse("cases:list")).content.decode()
    assert colleague_case.number not in listing


@pytest.mark.django_db
def test_list_shows_only_own_department_for_department_roles(client, users, files):
    client.force_login(users["legal_officer"])
    html = client.get(reverse("cases:list")).content.decode()
    assert files["own"].number in html
    assert files["other"].number not in html


@pytest.mark.django_db
def test_county_roles_see_both_departments(client, users, files):
    client.force_login(users["leader"])
    html = client.get(reverse("cases:list")).content.decode()
    assert files["own"].number in html
    assert files["other"].number in html


@pytest.mark.django_db
def test_leader_post_to_edit_is_refused(client, users, files):
    client.force_login(users["leader"])
    response = client.post(reverse("cases:edit", args=[files["own"].pk]), {"title": "x"})
    assert response.status_code == 403


@pytest.mark.django_db
def test_refusal_says_why(client, users, files):
    """ux.md: a refused action says which rule refused it, never a bare 'permission denied'."""
    client.force_login(users["unit_head"])
    response = client.get(reverse("cases:edit", args=[files["own"].pk]))
    assert response.status_code == 403
    assert "只有本部门法制机构人员和该案承办人可以修改" in response.content.decode()


@pytest.mark.django_db
def test_attachment_download_headers(client, users, files):
    client.force_login(users["legal_officer"])
    response = client.get(_url("attachment", files, "own"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF
