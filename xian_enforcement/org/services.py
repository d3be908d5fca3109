"""Writes of organisation data."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.data_versions import bump_on_commit
from xian_enforcement.errors import DomainError

from .choices import CertificateStatus, Role
from .models import Certificate, CertificateStatusChange

ALLOWED_CERT_TRANSITIONS = {
    CertificateStatus.ACTIVE: {CertificateStatus.SUSPENDED, CertificateStatus.EXPIRED, CertificateStatus.REVOKED},
    CertificateStatus.SUSPENDED: {CertificateStatus.ACTIVE, CertificateStatus.REVOKED},
    CertificateStatus.EXPIRED: {CertificateStatus.ACTIVE},
    CertificateStatus.REVOKED: set(),
}


def ensure_role_groups() -> dict[str, Group]:
    """Create the role groups of architecture.md if missing (idempotent)."""
    return {role.value: Group.objects.get_or_create(name=role.value)[0] for role in Role}


@transaction.atomic
def certificate_change_status(
    *,
    certificate: Certificate,
    to_status: str,
    reason: str,
    changed_by=None,
    on: datetime.date | None = None,
    rule_id: str = "",
) -> Certificate:
    """Change a certificate's status, recording reason and date (history kept)."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not reason.strip():
        raise DomainError(_("变更执法证状态必须填写原因。"))
    if to_status not in ALLOWED_CERT_TRANSITIONS[CertificateStatus(certificate.status)]:
        raise DomainError(
            _("执法证不能从“%(a)s”变更为“%(b)s”。")
            % {"a": CertificateStatus(certificate.status).label, "b": CertificateStatus(to_status).label}
        )
    on = on or timezone.localdate()
    CertificateStatusChange.objects.create(
        certificate=certificate,
        from_status=certificate.status,
        to_status=to_status,
        reason=reason,
        rule_id=rule_id,
        changed_on=on,
        changed_by=changed_by,
    )
    certificate.status = to_status
    certificate.status_reason = reason
    certificate.status_changed_on = on
    certificate.full_clean()
    certificate.save()
    bump_on_commit("org")
    return certificate


def user_create(*, username: str, password: str | None, roles: list[str], email: str = ""):
    """Create a user with the given role groups (password None → unusable)."""
    User = get_user_model()
    user = User(username=username, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    groups = ensure_role_groups()
    user.groups.set([groups[r] for r in roles])
    return user
