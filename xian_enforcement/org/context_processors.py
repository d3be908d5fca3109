"""Template context every page needs: platform name, the user's unit and role, unread count."""

from django.conf import settings

from .choices import Role
from .scoping import ADMIN_ROLES, scope_for


def platform(request):
    user = getattr(request, "user", None)
    ctx = {"PLATFORM_NAME": settings.PLATFORM_NAME}
    if user is None or not user.is_authenticated:
        return ctx
    scope = scope_for(user)
    officer = getattr(user, "officer", None) if hasattr(user, "officer") else None
    ctx.update(
        {
            "xian_scope": scope,
            # The three administrators (三员分立) see no business menus: those pages refuse them.
            "xian_admin_only": bool(scope.roles) and scope.roles <= ADMIN_ROLES,
            "xian_officer": officer,
            "xian_unit_label": _unit_label(officer) if officer else "",
            "xian_role_labels": [Role(r).label for r in Role.values if r in scope.roles],
            "unread_count": _unread_count(user),
        }
    )
    return ctx


def _unit_label(officer) -> str:
    """ "region · department" for the header: two one-row reads of the names."""
    from .models import Department, Region

    region = list(Region.objects.filter(pk=officer.region_id).values("name"))
    department = ""
    if officer.department_id:
        found = list(Department.objects.filter(pk=officer.department_id).values("short_name", "name"))
        department = (found[0]["short_name"] or found[0]["name"]) if found else ""
    return f"{region[0]['name'] if region else ''} · {department}"


def _unread_count(user) -> int:
    from xian_enforcement.notices.selectors import unread_count

    return unread_count(user)
