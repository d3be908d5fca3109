"""Who may see what: the jurisdiction of a user, from their roles and department.

Every selector in the domain apps starts from ``scope_for(user)``. The rule of thumb
(security.md "Access control"): an object outside the user's jurisdiction is 404; an object
they may read but not change is 403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.contrib.auth.models import AnonymousUser

from .choices import Role

# Roles that read everything in their county (region).
COUNTY_READ_ROLES = frozenset({Role.BUREAU_STAFF, Role.LEADER, Role.REVIEW_GROUP})
# Roles that read everything in their own department.
DEPARTMENT_READ_ROLES = frozenset({Role.LEGAL_OFFICER, Role.LEGAL_HEAD, Role.UNIT_HEAD, Role.PARTY_MEMBER})
# Roles that maintain their department's case files and ledgers.
DEPARTMENT_WRITE_ROLES = frozenset({Role.LEGAL_OFFICER, Role.LEGAL_HEAD})
# Read-only roles: every non-GET is refused for them (security.md).
READ_ONLY_ROLES = frozenset({Role.LEADER})
ADMIN_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN})


@dataclass(frozen=True)
class Scope:
    """The jurisdiction of one user, computed once per request."""

    user_id: int | None
    roles: frozenset[str] = field(default_factory=frozenset)
    officer_id: int | None = None
    region_id: int | None = None
    department_id: int | None = None

    @cached_property
    def is_county_wide(self) -> bool:
        return bool(self.roles & COUNTY_READ_ROLES) and self.region_id is not None

    @cached_property
    def reads_department(self) -> bool:
        return bool(self.roles & DEPARTMENT_READ_ROLES) and self.department_id is not None

    @cached_property
    def writes_department(self) -> bool:
        return bool(self.roles & DEPARTMENT_WRITE_ROLES) and self.department_id is not None

    @cached_property
    def is_handler(self) -> bool:
        return Role.HANDLER in self.roles and self.officer_id is not None

    @cached_property
    def is_read_only(self) -> bool:
        """Only read-only roles: leaders see the county and change nothing."""
        return bool(self.roles) and self.roles <= READ_ONLY_ROLES

    @cached_property
    def read_department_ids(self) -> tuple[int, ...]:
        """The departments a county-wide role reads: those of its region and, when it sits on a
        province or city (performance.md "province scale"), of every region below it. One query,
        once per request, and only where a county-wide list asks. A literal list rather than a
        join through the department: the planner estimates ``department_id = ANY(…)`` from the
        case table's own statistics, where through the join it guessed 9,026 rows for 187,619
        and sorted a whole county (or a province) to show its last page."""
        if self.region_id is None:
            return ()
        from django.db.models import Q

        from .models import Department, Region

        # the region and the regions below it, from the region table (a hundred-odd rows), then
        # their departments by the region index: the same condition written on the department
        # joined twice to its region scanned all of the province's departments
        below = Region.objects.filter(
            Q(pk=self.region_id) | Q(parent_id=self.region_id) | Q(parent__parent_id=self.region_id)
        )
        return tuple(
            Department.objects.filter(region_id__in=below.values("pk")).order_by("pk").values_list("pk", flat=True)
        )

    def has(self, *roles: str) -> bool:
        return bool(self.roles & set(roles))


ANONYMOUS_SCOPE = Scope(user_id=None)


def scope_for(user) -> Scope:
    """Return the user's jurisdiction, cached on the user object for the request."""
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return ANONYMOUS_SCOPE
    cached = getattr(user, "_xian_scope", None)
    if cached is not None:
        return cached
    roles = frozenset(user.groups.values_list("name", flat=True))
    officer = getattr(user, "officer", None) if hasattr(user, "officer") else None
    scope = Scope(
        user_id=user.pk,
        roles=roles,
        officer_id=officer.pk if officer else None,
        region_id=officer.region_id if officer else None,
        department_id=officer.department_id if officer else None,
    )
    user._xian_scope = scope
    return scope
