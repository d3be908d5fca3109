"""三员分立 (security.md "Access control"): the system administrator (accounts, reference data; no
grants, no audit), the security administrator (grants roles; no business data) and the audit
administrator (reads and exports the audit log only) have disjoint powers; each admin action is
audited; no superuser is needed (``create_admins`` bootstraps the three)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from xian_enforcement.audit.models import AuditEvent
from xian_enforcement.errors import DomainError
from xian_enforcement.org import services_accounts as services

User = get_user_model()
ADMIN_PAGES = {
    "sysadmin": [reverse("manage:accounts"), reverse("manage:account_create"), reverse("admin:index")],
    "secadmin": [reverse("manage:grants")],
    "auditadmin": [reverse("audit:list")],
}


def refused_status(url: str) -> int:
    """A signed-in user without the role: Django's admin site sends them to its login (302, then
    home); every other page is deny-by-default 403 (security.md "Access control")."""
    return 302 if url.startswith("/admin/") else 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["sysadmin", "secadmin", "auditadmin"])
def test_three_admins_reach_only_their_own_pages(client, users, role):
    client.force_login(users[role])
    for owner, urls in ADMIN_PAGES.items():
        for url in urls:
            status = client.get(url).status_code
            if owner == role:
                assert status == 200, url
            else:
                assert status == refused_status(url), (role, url, status)
                if url.startswith("/admin/"):  # admin's own login form is never offered: back home
                    assert client.get(url, follow=True).redirect_chain[-1][0] == reverse("home")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["secadmin", "auditadmin", "sysadmin"])
def test_admins_see_no_business_data(client, users, role):
    """Business pages (case files, reviews, complaints, statistics) refuse all three administrators."""
    client.force_login(users[role])
    for name in ("cases:list", "tolerance:complaints", "statistics:dashboard"):
        assert client.get(reverse(name)).status_code == 403, name


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["legal_officer", "bureau_staff", "leader", "handler"])
def test_business_roles_reach_no_admin_page(client, users, role):
    client.force_login(users[role])
    for urls in ADMIN_PAGES.values():
        for url in urls:
            assert client.get(url).status_code == refused_status(url), (role, url)


@pytest.mark.django_db
def test_sysadmin_opens_an_account_with_a_temporary_password_and_no_roles(client, users):
    client.force_login(users["sysadmin"])
    response = client.post(reverse("manage:account_create"), {"username": "zhangsan", "full_name": "张三"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    account = User.objects.get(username="zhangsan")
    password = response.context["password"]
    assert account.check_password(password) and len(password) == 12
    assert not account.groups.exists()
    assert account.password_state.must_change
    row = AuditEvent.objects.get(event_type="account")
    assert row.user == users["sysadmin"] and row.detail["action"] == "create"
    assert password not in row.canonical()


@pytest.mark.django_db
def test_sysadmin_cannot_grant_roles(users):
    with pytest.raises(DomainError, match="三员分立"):
        services.roles_set(by=users["sysadmin"], user=users["handler"], roles={"bureau_staff"})
    assert not AuditEvent.objects.filter(event_type="grant").exists()


@pytest.mark.django_db
def test_secadmin_grants_and_revokes_with_before_and_after_audited(client, users):
    target = users["legal_officer"]
    client.force_login(users["secadmin"])
    response = client.post(reverse("manage:grant_edit", args=[target.pk]), {"roles": ["legal_officer", "legal_head"]})
    assert response.status_code == 302
    assert set(target.groups.values_list("name", flat=True)) == {"legal_officer", "legal_head"}
    row = AuditEvent.objects.get(event_type="grant")
    assert row.detail["before"] == ["legal_officer"] and row.detail["granted"] == ["legal_head"]
    assert row.user == users["secadmin"]


@pytest.mark.django_db
def test_secadmin_cannot_change_own_roles_or_combine_admin_roles(users):
    with pytest.raises(DomainError, match="自己"):
        services.roles_set(by=users["secadmin"], user=users["secadmin"], roles={"secadmin", "auditadmin"})
    with pytest.raises(DomainError, match="兼任"):
        services.roles_set(by=users["secadmin"], user=users["sysadmin"], roles={"sysadmin", "auditadmin"})
    with pytest.raises(DomainError, match="兼任"):
        services.roles_set(by=users["secadmin"], user=users["auditadmin"], roles={"auditadmin", "bureau_staff"})
    assert set(users["sysadmin"].groups.values_list("name", flat=True)) == {"sysadmin"}


@pytest.mark.django_db
def test_department_roles_need_an_officer_of_a_department(client, users):
    loose = User.objects.create_user("loose", password="Xx-1234567890")
    client.force_login(users["secadmin"])
    response = client.post(reverse("manage:grant_edit", args=[loose.pk]), {"roles": ["handler"]})
    assert response.status_code == 400
    assert "不能授予部门角色" in response.content.decode()
    assert not loose.groups.exists()


@pytest.mark.django_db
def test_sysadmin_resets_a_password_other_sessions_end(client, users, password):
    from django.test import Client

    target = users["handler"]
    other = Client()
    other.force_login(target)
    assert other.get(reverse("home")).status_code == 200
    client.force_login(users["sysadmin"])
    response = client.post(reverse("manage:account_reset_password", args=[target.pk]))
    assert response.status_code == 200
    target.refresh_from_db()
    assert target.check_password(response.context["password"])
    assert other.get(reverse("home")).status_code == 302  # the old session is gone
    assert AuditEvent.objects.filter(event_type="account", detail__action="reset_password").count() == 1


@pytest.mark.django_db
def test_sysadmin_deactivates_an_account_but_not_their_own(client, users):
    client.force_login(users["sysadmin"])
    target = users["handler"]
    client.post(reverse("manage:account_edit", args=[target.pk]), {"full_name": "某", "email": ""})
    target.refresh_from_db()
    assert not target.is_active
    own = client.post(reverse("manage:account_edit", args=[users["sysadmin"].pk]), {"full_name": "x", "email": ""})
    assert own.status_code == 400
    users["sysadmin"].refresh_from_db()
    assert users["sysadmin"].is_active


@pytest.mark.django_db
def test_admin_site_shows_reference_data_only(client, users):
    client.force_login(users["sysadmin"])
    html = client.get(reverse("admin:index")).content.decode()
    assert "/admin/org/department/" in html and "/admin/cases/casecategory/" in html
    for hidden in ("/admin/auth/user/", "/admin/auth/group/", "/admin/auditlog/", "/admin/cases/casefile/"):
        assert hidden not in html
    assert client.get("/admin/auth/user/").status_code == 404
    assert client.get("/admin/cases/casefile/").status_code == 404
    assert client.get(reverse("admin:org_department_changelist")).status_code == 200


@pytest.mark.django_db
def test_a_superuser_without_the_role_does_not_enter_the_admin_site(client):
    root = User.objects.create_superuser("root", password="Xx-1234567890!")
    client.force_login(root)
    assert client.get(reverse("admin:index")).status_code == 302


@pytest.mark.django_db
def test_create_admins_bootstraps_three_distinct_accounts_once(capsys):
    call_command("create_admins")
    out = capsys.readouterr().out
    for role in ("sysadmin", "secadmin", "auditadmin"):
        user = User.objects.get(username=role)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert not user.is_superuser and not user.is_staff
        assert user.password_state.must_change
        assert role in out
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_admins")
    assert AuditEvent.objects.filter(event_type="grant", detail__action="bootstrap").count() == 3


@pytest.mark.django_db
def test_create_admins_refuses_one_person_for_two_roles():
    with pytest.raises(CommandError, match="three different"):
        call_command("create_admins", "--secadmin", "sysadmin")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_anonymous_admin_login_goes_to_the_platform_sign_in(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


@pytest.mark.django_db
def test_admin_site_password_change_is_the_platforms_audited_page(client, users):
    client.force_login(users["sysadmin"])
    response = client.get(reverse("admin:password_change"))
    assert response.status_code == 302 and response["Location"] == reverse("password_change")
