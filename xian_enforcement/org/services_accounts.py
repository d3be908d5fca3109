"""三员分立 (security.md "Access control"): account and role writes, each with its one owner.

- The system administrator creates accounts, changes names, deactivates and resets passwords; never
  roles.
- The security administrator grants and revokes roles and clears lockouts; never accounts' data.
- Neither changes their own roles or account state, and an administrator role is never combined
  with another role: the three powers stay with three different people.
Every write here is audited (ACCOUNT or GRANT rows, with before/after).
"""

from __future__ import annotations

import secrets
import string

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from xian_enforcement.audit.choices import EventType
from xian_enforcement.audit.services import audit_event_record
from xian_enforcement.errors import DomainError

from .choices import Role
from .scoping import ADMIN_ROLES, DEPARTMENT_READ_ROLES, scope_for

User = get_user_model()
# Roles that only make sense for a user linked to an officer of a department.
DEPARTMENT_BOUND_ROLES = DEPARTMENT_READ_ROLES | {Role.HANDLER}


def temporary_password() -> str:
    """12 characters from all four classes (meets the complexity validator); shown once."""
    alphabet = string.ascii_letters + string.digits + "!@#$%^&*-_"
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(12))
        classes = [
            any(c.islower() for c in candidate),
            any(c.isupper() for c in candidate),
            any(c.isdigit() for c in candidate),
            any(not c.isalnum() for c in candidate),
        ]
        if all(classes):
            return candidate


def _require(by, role: str) -> None:
    if not scope_for(by).has(role):
        raise DomainError(
            _("只有%(role)s可以执行此操作（三员分立）。") % {"role": Role(role).label}, rule_id="security.md"
        )


def _require_temporary(user) -> None:
    from xian_enforcement.accounts.services import password_state_require_change

    password_state_require_change(user)


@transaction.atomic
def account_create(*, by, username: str, full_name: str, email: str = "", officer=None) -> tuple[object, str]:
    """The system administrator opens an account; the returned temporary password must be
    changed at first sign-in. No roles: granting is the security administrator's."""
    _require(by, Role.SYSADMIN)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("用户名“%(u)s”已被使用。") % {"u": username}, field="username")
    if officer is not None and officer.user_id is not None:
        raise DomainError(_("该执法人员已有账户。"), field="officer")
    password = temporary_password()
    user = User(username=username, first_name=full_name, email=email, is_active=True)
    user.set_password(password)
    user.save()
    _require_temporary(user)
    if officer is not None:
        officer.user = user
        officer.save(update_fields=["user"])
    audit_event_record(
        event_type=EventType.ACCOUNT,
        user=by,
        obj=f"user#{user.pk} {username}",
        detail={"action": "create", "username": username, "officer": officer.pk if officer else None},
    )
    return user, password


@transaction.atomic
def account_update(*, by, user, full_name: str, email: str, is_active: bool) -> None:
    _require(by, Role.SYSADMIN)
    if user.pk == by.pk and not is_active:
        raise DomainError(_("不能停用自己的账户。"))
    before = {"full_name": user.first_name, "email": user.email, "is_active": user.is_active}
    user.first_name, user.email, user.is_active = full_name, email, is_active
    user.save(update_fields=["first_name", "email", "is_active"])
    after = {"full_name": user.first_name, "email": user.email, "is_active": user.is_active}
    if before != after:
        audit_event_record(
            event_type=EventType.ACCOUNT,
            user=by,
            obj=f"user#{user.pk} {user.username}",
            detail={"action": "update", "before": before, "after": after},
        )


@transaction.atomic
def account_reset_password(*, by, user) -> str:
    """A new temporary password (shown once, must be changed at first sign-in); the user's other
    sessions end because the session hash changes with the password."""
    _require(by, Role.SYSADMIN)
    if user.pk == by.pk:
        raise DomainError(_("请通过“修改密码”修改自己的密码。"))
    password = temporary_password()
    user.set_password(password)
    user.save()
    _require_temporary(user)
    audit_event_record(
        event_type=EventType.ACCOUNT,
        user=by,
        obj=f"user#{user.pk} {user.username}",
        detail={"action": "reset_password"},
    )
    return password


@transaction.atomic
def roles_set(*, by, user, roles: set[str]) -> None:
    """The security administrator sets a user's roles (grant and revoke in one step)."""
    _require(by, Role.SECADMIN)
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise DomainError(_("未知角色：%(r)s") % {"r": "、".join(sorted(unknown))})
    if user.pk == by.pk:
        raise DomainError(_("不能修改自己的角色（三员分立）。"))
    if not user.is_active:
        raise DomainError(_("账户已停用，不能授权。"))
    if user.is_superuser:
        raise DomainError(_("超级用户不参与日常授权；请由系统管理员停用该账户。"))
    admin = set(roles) & ADMIN_ROLES
    if admin and len(roles) > 1:
        raise DomainError(
            _("管理员角色不能与其他任何角色兼任（三员分立：系统、安全、审计管理员由不同人员担任）。"), field="roles"
        )
    officer = getattr(user, "officer", None) if hasattr(user, "officer") else None
    needs_department = set(roles) & DEPARTMENT_BOUND_ROLES
    if needs_department and (officer is None or officer.department_id is None):
        raise DomainError(
            _("账户未关联部门的执法人员，不能授予部门角色：%(r)s。")
            % {"r": "、".join(str(Role(r).label) for r in sorted(needs_department))},
            field="roles",
        )
    before = sorted(user.groups.values_list("name", flat=True))
    groups = [Group.objects.get_or_create(name=r)[0] for r in sorted(roles)]
    user.groups.set(groups)
    after = sorted(roles)
    if before != after:
        audit_event_record(
            event_type=EventType.GRANT,
            user=by,
            obj=f"user#{user.pk} {user.username}",
            detail={
                "before": before,
                "after": after,
                "granted": sorted(set(after) - set(before)),
                "revoked": sorted(set(before) - set(after)),
            },
        )


def lockout_clear(*, by, username: str) -> int:
    """The security administrator clears the sign-in lockout of an account (every IP)."""
    _require(by, Role.SECADMIN)
    from axes.utils import reset

    cleared = reset(username=username)
    audit_event_record(
        event_type=EventType.GRANT, user=by, obj=f"lockout {username}", detail={"action": "unlock", "cleared": cleared}
    )
    return cleared
