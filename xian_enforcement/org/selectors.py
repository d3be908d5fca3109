"""Reads of organisation data, limited to what the user may see."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .choices import CertificateStatus, DepartmentKind
from .models import Certificate, Department, Officer
from .scoping import scope_for


def departments_visible_to(user) -> QuerySet[Department]:
    """County-wide roles see their county's departments; others their own department."""
    scope = scope_for(user)
    qs = Department.objects.select_related("region")
    if scope.is_county_wide:
        return qs.filter(region_id=scope.region_id)
    if scope.department_id is not None and (scope.reads_department or scope.is_handler):
        return qs.filter(pk=scope.department_id)
    return qs.none()


def enforcement_departments(region_id: int) -> QuerySet[Department]:
    """Departments that file case files (not the county government itself)."""
    return Department.objects.filter(region_id=region_id).exclude(kind=DepartmentKind.GOVERNMENT)


def valid_certificate_exists(day: datetime.date | None = None) -> Exists:
    day = day or timezone.localdate()
    return Exists(
        Certificate.objects.filter(
            officer_id=OuterRef("pk"), status=CertificateStatus.ACTIVE, valid_from__lte=day, valid_to__gte=day
        )
    )


def assignable_officers(department_id: int | None, day: datetime.date | None = None) -> QuerySet[Officer]:
    """Officers of a department who hold a valid certificate on ``day``: only they can be
    assigned as handlers (REV-13 veto "无执法资格")."""
    qs = Officer.objects.filter(is_enforcement_officer=True).annotate(certified=valid_certificate_exists(day))
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs.filter(certified=True).order_by("name", "id")


def officers_visible_to(user) -> QuerySet[Officer]:
    """Officers of the departments the user may see, with their current certificate status
    annotated (one query for the page, whatever its size)."""
    from django.db.models import OuterRef, Subquery

    latest = Certificate.objects.filter(officer_id=OuterRef("pk")).order_by("-valid_to", "-id")
    return (
        Officer.objects.filter(department__in=departments_visible_to(user), is_enforcement_officer=True)
        .select_related("department")
        .annotate(
            certified=valid_certificate_exists(),
            cert_number=Subquery(latest.values("number")[:1]),
            cert_status=Subquery(latest.values("status")[:1]),
            cert_valid_to=Subquery(latest.values("valid_to")[:1]),
        )
        .order_by("department__order", "department_id", "name", "id")
    )


def can_manage_certificates(user, officer: Officer) -> bool:
    """The judicial bureau of the officer's county manages enforcement certificates."""
    from .choices import Role
    from .scoping import scope_for

    scope = scope_for(user)
    return scope.has(Role.BUREAU_STAFF) and not scope.is_read_only and scope.region_id == officer.region_id


def can_unmask_id_number(user, officer: Officer) -> bool:
    """Who may see an officer's full ID number (with a reason, audited): the judicial bureau of the
    officer's county (certificates) and the legal office head of the officer's department."""
    from .choices import Role
    from .scoping import scope_for

    scope = scope_for(user)
    if scope.is_read_only:
        return False
    if scope.has(Role.BUREAU_STAFF) and scope.region_id == officer.region_id:
        return True
    return scope.has(Role.LEGAL_HEAD) and scope.department_id == officer.department_id
