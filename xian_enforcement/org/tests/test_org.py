"""Organisation and people: encrypted identity numbers, certificate status history, jurisdiction
(``scope_for``) and who may be assigned to a case (REV-13 无执法资格)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from tests.factories import CertificateFactory, OfficerFactory, certified_officer
from xian_enforcement.errors import DomainError
from xian_enforcement.org.choices import CertificateStatus, Role
from xian_enforcement.org.crypto import mask_id_number
from xian_enforcement.org.models import Certificate, CertificateStatusChange, Officer
from xian_enforcement.org.scoping import ANONYMOUS_SCOPE, scope_for
from xian_enforcement.org.selectors import assignable_officers
from xian_enforcement.org.services import certificate_change_status

pytestmark = pytest.mark.django_db

ID_NUMBER = "141031198001011234"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- encrypted identity number -------------------------------------------------------------


def _raw_id_number(officer_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("select id_number from org_officer where id = %s", [officer_id])
        return cursor.fetchone()[0]


def test_id_number_is_encrypted_at_rest(dept):
    officer = OfficerFactory(department=dept, id_number=ID_NUMBER)
    raw = _raw_id_number(officer.pk)
    assert raw.startswith("enc:")
    assert ID_NUMBER not in raw
    # No run of six digits of the number appears in the stored token.
    assert not [ID_NUMBER[i : i + 6] for i in range(len(ID_NUMBER) - 5) if ID_NUMBER[i : i + 6] in raw]
    assert Officer.objects.get(pk=officer.pk).id_number == ID_NUMBER


def test_id_number_ciphertext_differs_between_officers_with_same_number(dept):
    a = OfficerFactory(department=dept, id_number=ID_NUMBER)
    b = OfficerFactory(department=dept, id_number=ID_NUMBER)
    assert _raw_id_number(a.pk) != _raw_id_number(b.pk)


def test_id_number_survives_resave_without_double_encryption(dept):
    officer = OfficerFactory(department=dept, id_number=ID_NUMBER)
    officer = Officer.objects.get(pk=officer.pk)
    officer.post = "队长"
    officer.save()
    assert Officer.objects.get(pk=officer.pk).id_number == ID_NUMBER
    officer.id_number = "14103119900202567X"
    officer.save()
    assert Officer.objects.get(pk=officer.pk).id_number == "14103119900202567X"
    assert "567X" not in _raw_id_number(officer.pk)


def test_id_number_masked_shows_three_stars_four(dept):
    officer = OfficerFactory(department=dept, id_number=ID_NUMBER)
    officer = Officer.objects.get(pk=officer.pk)
    assert officer.id_number_masked == "141" + "*" * 11 + "1234"


@pytest.mark.parametrize(
    ("value", "masked"), [("", ""), ("1234567", "*******"), ("12345678", "123*5678"), (ID_NUMBER, "141***********1234")]
)
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


def test_empty_id_number_is_stored_empty(dept):
    officer = OfficerFactory(department=dept, id_number="")
    assert _raw_id_number(officer.pk) == ""
    assert Officer.objects.get(pk=officer.pk).id_number_masked == ""


# --- certificate status --------------------------------------------------------------------


def test_certificate_status_change_records_history(dept, users):
    officer = certified_officer(dept)
    certificate = officer.certificates.get()
    by = users[Role.BUREAU_STAFF.value]
    on = datetime.date(2026, 5, 6)
    certificate_change_status(
        certificate=certificate, to_status=CertificateStatus.SUSPENDED, reason="涉嫌违纪", changed_by=by, on=on
    )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.SUSPENDED
    assert certificate.status_reason == "涉嫌违纪"
    assert certificate.status_changed_on == on
    change = CertificateStatusChange.objects.get(certificate=certificate)
    assert (change.from_status, change.to_status) == (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED)
    assert change.reason == "涉嫌违纪"
    assert change.changed_on == on
    assert change.changed_by == by

    certificate_change_status(certificate=certificate, to_status=CertificateStatus.ACTIVE, reason="恢复", on=on)
    history = list(certificate.status_changes.order_by("id").values_list("from_status", "to_status"))
    assert history == [
        (CertificateStatus.ACTIVE, CertificateStatus.SUSPENDED),
        (CertificateStatus.SUSPENDED, CertificateStatus.ACTIVE),
    ]


def test_certificate_revoked_cannot_become_active(dept):
    certificate = CertificateFactory(officer=OfficerFactory(department=dept), status=CertificateStatus.REVOKED)
    with pytest.raises(DomainError):
        certificate_change_status(certificate=certificate, to_status=CertificateStatus.ACTIVE, reason="申诉")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert not CertificateStatusChange.objects.exists()


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (CertificateStatus.EXPIRED, CertificateStatus.SUSPENDED),
        (CertificateStatus.SUSPENDED, CertificateStatus.EXPIRED),
        (CertificateStatus.ACTIVE, CertificateStatus.ACTIVE),
    ],
)
def test_certificate_other_disallowed_transitions(dept, start, target):
    certificate = CertificateFactory(officer=OfficerFactory(department=dept), status=start)
    with pytest.raises(DomainError):
        certificate_change_status(certificate=certificate, to_status=target, reason="原因")
    assert not CertificateStatusChange.objects.exists()


@pytest.mark.parametrize("reason", ["", "  "])
def test_certificate_status_change_needs_a_reason(dept, reason):
    certificate = certified_officer(dept).certificates.get()
    with pytest.raises(DomainError):
        certificate_change_status(certificate=certificate, to_status=CertificateStatus.SUSPENDED, reason=reason)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ACTIVE
    assert not CertificateStatusChange.objects.exists()


def test_certificate_change_defaults_to_today(dept):
    certificate = certified_officer(dept).certificates.get()
    certificate_change_status(certificate=certificate, to_status=CertificateStatus.EXPIRED, reason="到期")
    from django.utils import timezone

    assert Certificate.objects.get(pk=certificate.pk).status_changed_on == timezone.localdate()


# --- jurisdiction --------------------------------------------------------------------------

# role → (is_county_wide, reads_department, writes_department, is_handler, is_read_only)
EXPECTED_SCOPES = {
    Role.HANDLER: (False, False, False, True, False),
    Role.LEGAL_OFFICER: (False, True, True, False, False),
    Role.LEGAL_HEAD: (False, True, True, False, False),
    Role.UNIT_HEAD: (False, True, False, False, False),
    Role.PARTY_MEMBER: (False, True, False, False, False),
    Role.BUREAU_STAFF: (True, False, False, False, False),
    Role.REVIEW_GROUP: (True, False, False, False, False),
    Role.LEADER: (True, False, False, False, True),
    Role.SYSADMIN: (False, False, False, False, False),
    Role.SECADMIN: (False, False, False, False, False),
    Role.AUDITADMIN: (False, False, False, False, False),
}


@pytest.mark.parametrize("role", list(EXPECTED_SCOPES))
def test_scope_for_each_role(users, dept, bureau, region, role):
    user = users[role.value]
    scope = scope_for(user)
    flags = (
        scope.is_county_wide,
        scope.reads_department,
        scope.writes_department,
        scope.is_handler,
        scope.is_read_only,
    )
    assert flags == EXPECTED_SCOPES[role], role
    assert scope.roles == frozenset({role.value})
    assert scope.user_id == user.pk
    assert scope.region_id == region.pk
    assert scope.officer_id == user.officer.pk
    if role in (Role.BUREAU_STAFF, Role.REVIEW_GROUP):
        assert scope.department_id == bureau.pk
    elif role in (Role.LEADER, Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN):
        assert scope.department_id is None
    else:
        assert scope.department_id == dept.pk


def test_county_wide_role_without_region_is_not_county_wide(users):
    """A county-wide role needs a profile (region) to see anything: a bare account sees nothing."""
    from django.contrib.auth.models import Group

    user = users["nobody"]
    user.groups.add(Group.objects.get_or_create(name=Role.BUREAU_STAFF.value)[0])
    scope = scope_for(type(user).objects.get(pk=user.pk))
    assert scope.roles == frozenset({Role.BUREAU_STAFF.value})
    assert scope.is_county_wide is False


def test_scope_for_user_without_profile_or_roles(users):
    scope = scope_for(users["nobody"])
    assert scope.roles == frozenset()
    assert (scope.is_county_wide, scope.reads_department, scope.writes_department, scope.is_handler) == (
        False,
        False,
        False,
        False,
    )
    assert scope.is_read_only is False
    assert scope.department_id is None


def test_scope_for_anonymous():
    from django.contrib.auth.models import AnonymousUser

    assert scope_for(AnonymousUser()) is ANONYMOUS_SCOPE
    assert scope_for(None) is ANONYMOUS_SCOPE


def test_leader_with_another_role_is_not_read_only(users, dept):
    from django.contrib.auth.models import Group

    user = users[Role.LEADER.value]
    user.groups.add(Group.objects.get_or_create(name=Role.BUREAU_STAFF.value)[0])
    assert scope_for(type(user).objects.get(pk=user.pk)).is_read_only is False


# --- assignable officers (REV-13 无执法资格) -------------------------------------------------

TODAY = datetime.date(2026, 6, 1)


def test_rev_13_assignable_officers_only_validly_certified_enforcement_staff(dept, other_dept):
    valid = certified_officer(dept, name="甲有效")
    suspended = OfficerFactory(department=dept, name="乙暂停")
    CertificateFactory(officer=suspended, status=CertificateStatus.SUSPENDED)
    revoked = OfficerFactory(department=dept, name="丙吊销")
    CertificateFactory(officer=revoked, status=CertificateStatus.REVOKED)
    expired_status = OfficerFactory(department=dept, name="丁过期状态")
    CertificateFactory(officer=expired_status, status=CertificateStatus.EXPIRED)
    expired_date = OfficerFactory(department=dept, name="戊已到期")
    CertificateFactory(
        officer=expired_date, valid_from=datetime.date(2016, 1, 1), valid_to=TODAY - datetime.timedelta(1)
    )
    not_yet = OfficerFactory(department=dept, name="己未生效")
    CertificateFactory(officer=not_yet, valid_from=TODAY + datetime.timedelta(1), valid_to=datetime.date(2031, 1, 1))
    uncertified = OfficerFactory(department=dept, name="庚无证")
    clerk = certified_officer(dept, name="辛文员", is_enforcement_officer=False)
    foreign = certified_officer(other_dept, name="壬外单位")
    last_day = OfficerFactory(department=dept, name="癸末日")
    CertificateFactory(officer=last_day, valid_from=datetime.date(2016, 1, 1), valid_to=TODAY)

    names = set(assignable_officers(dept.pk, TODAY).values_list("name", flat=True))
    assert names == {"甲有效", "癸末日"}
    assert not {o.name for o in (suspended, revoked, expired_status, expired_date, not_yet, uncertified, clerk)} & names
    assert foreign.name not in names
    assert foreign.name in set(assignable_officers(None, TODAY).values_list("name", flat=True))
    assert valid.pk in set(assignable_officers(None, TODAY).values_list("pk", flat=True))


def test_rev_13_officer_with_one_bad_and_one_valid_certificate_is_assignable_once(dept):
    officer = certified_officer(dept, name="甲换证")
    CertificateFactory(officer=officer, status=CertificateStatus.REVOKED)
    rows = list(assignable_officers(dept.pk, TODAY))
    assert rows == [officer]


def test_rev_13_suspending_removes_the_officer_from_assignable(dept):
    officer = certified_officer(dept)
    assert officer in assignable_officers(dept.pk, TODAY)
    certificate_change_status(
        certificate=officer.certificates.get(), to_status=CertificateStatus.SUSPENDED, reason="停职"
    )
    assert officer not in assignable_officers(dept.pk, TODAY)
