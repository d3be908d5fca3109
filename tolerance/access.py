"""Who may do what in the tolerance room. Services call these to check who acts; selectors and
views use them to show only the actions a user may take.

Nobody acts as the unit on a matter about themselves (TOL-14a, security.md "never by the
applicant"): the officer concerned by an application may file, edit, submit, withdraw it, add
evidence, report their own correction progress and ask for an extension (they act as the
applicant), but never investigate, decide, deliver, publish, close it, issue its correction order
or decide its extensions, whatever roles they hold. A complaint handler never handles a
complaint about themselves (TOL-19). One predicate (``is_concerned``) says who is concerned.

The filer who applied *on behalf of* an officer (TOL-14b) is the unit opening the case, not a
party to it: they may go on investigating it as the unit's legal office."""

from __future__ import annotations

from django.db.models import Q

from xian_enforcement.org.choices import Role
from xian_enforcement.org.scoping import Scope, scope_for

from .choices import ApplicationStatus

# The unit's legal office investigates (TOL-14b) and keeps the file moving.
LEGAL_ROLES = (Role.LEGAL_OFFICER, Role.LEGAL_HEAD)
# The issuing unit of a correction order decides extensions (TOL-17).
ISSUER_ROLES = (Role.LEGAL_HEAD, Role.UNIT_HEAD, Role.PARTY_MEMBER)
# Complaint handlers (TOL-19): judicial bureau staff of the county.
COMPLAINT_ROLES = (Role.BUREAU_STAFF,)


# Who reads a unit's drafts: those who may also write them (TOL-14b: the unit applies on an
# officer's behalf). A draft is not yet an application: a party-group member, who decides, and the
# county-wide readers see it only once it is submitted.
DRAFT_READ_ROLES = (*LEGAL_ROLES, Role.UNIT_HEAD)


def application_read_q(scope: Scope, prefix: str = "") -> Q | None:
    """Applications ``scope`` reads: the county's (county-wide roles) or the department's
    (department roles), never someone else's draft unless the user may edit it; and always
    their own (the officer concerned, the filer)."""
    submitted = ~Q(**{f"{prefix}status": ApplicationStatus.DRAFT})
    parts = []
    if scope.is_county_wide:
        parts.append(Q(**{f"{prefix}department__region_id": scope.region_id}) & submitted)
    if scope.reads_department:
        in_department = Q(**{f"{prefix}department_id": scope.department_id})
        parts.append(in_department if scope.has(*DRAFT_READ_ROLES) else in_department & submitted)
    if scope.officer_id is not None and scope.user_id is not None:
        parts.append(Q(**{f"{prefix}officer_id": scope.officer_id}) | Q(**{f"{prefix}filed_by_id": scope.user_id}))
    if not parts:
        return None
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def _in_unit(scope: Scope, application, *roles) -> bool:
    return not scope.is_read_only and scope.department_id == application.department_id and scope.has(*roles)


def _concerned(scope: Scope, officer_id: int | None) -> bool:
    return scope.officer_id is not None and scope.officer_id == officer_id


def is_concerned(user, application) -> bool:
    """The user is the officer the application is about (whoever filed it)."""
    return _concerned(scope_for(user), application.officer_id)


def _acts_for_unit(scope: Scope, application, *roles) -> bool:
    """A holder of ``roles`` in the officer's unit who is not the officer concerned."""
    return _in_unit(scope, application, *roles) and not _concerned(scope, application.officer_id)


def can_apply(user) -> bool:
    scope = scope_for(user)
    # TOL-2: every enforcement officer may apply for themself; the unit may apply on their behalf.
    return not scope.is_read_only and scope.department_id is not None and scope.officer_id is not None


def can_apply_on_behalf(user) -> bool:
    scope = scope_for(user)
    return not scope.is_read_only and scope.department_id is not None and scope.has(*LEGAL_ROLES, Role.UNIT_HEAD)


def can_edit_draft(user, application) -> bool:
    scope = scope_for(user)
    if scope.is_read_only:
        return False
    return application.filed_by_id == user.pk or (
        scope.officer_id == application.officer_id or _in_unit(scope, application, *LEGAL_ROLES, Role.UNIT_HEAD)
    )


def can_investigate(user, application) -> bool:
    """TOL-14b: the unit's legal office investigates and closes, never the officer concerned
    (a legal officer's own application is investigated by a colleague)."""
    return _acts_for_unit(scope_for(user), application, *LEGAL_ROLES)


def can_decide(user, application) -> bool:
    """TOL-14a: party-group members of the officer's own unit, never the officer concerned."""
    return _acts_for_unit(scope_for(user), application, Role.PARTY_MEMBER)


def can_notify(user, application) -> bool:
    """TOL-14c/TOL-14d: the unit's legal office or a party-group member delivers and publishes
    the decision, never the officer concerned (who may hold one of those roles)."""
    return _acts_for_unit(scope_for(user), application, *LEGAL_ROLES, Role.PARTY_MEMBER)


def can_issue_correction(user, application) -> bool:
    """TOL-17: the issuing unit issues the order and decides extensions, never the officer the
    order is addressed to."""
    return _acts_for_unit(scope_for(user), application, *LEGAL_ROLES, *ISSUER_ROLES)


def is_subject(user, application) -> bool:
    scope = scope_for(user)
    return not scope.is_read_only and scope.officer_id == application.officer_id


def handles_complaints(user) -> bool:
    scope = scope_for(user)
    return not scope.is_read_only and scope.region_id is not None and scope.has(*COMPLAINT_ROLES)


def can_handle_complaint_about(user, officer_id: int | None) -> bool:
    """TOL-19: a handler registers, concludes, answers, closes and clarifies complaints, never
    one about themselves."""
    return handles_complaints(user) and not _concerned(scope_for(user), officer_id)


def reads_complaints(user) -> bool:
    scope = scope_for(user)
    return handles_complaints(user) or scope.is_county_wide or scope.reads_department
