"""Reads of case files, limited to what the user may see (NetBox ``restrict(user, action)``).

Jurisdiction (security.md): county-wide roles (bureau staff, leaders, review group) read every
file of their county; department roles read their department's files; a case handler reads the
files they handle. Writers: the legal office of the department, and the handlers of a file.
Outside the jurisdiction → 404; readable but not writable → 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from xian_enforcement.org.models import Officer
from xian_enforcement.org.scoping import Scope, scope_for

from .models import CaseAttachment, CaseCategory, CaseFile, PowerItem


def _read_filter(scope: Scope) -> Q | None:
    """The Q that limits case files to ``scope``; None means nothing at all."""
    parts: list[Q] = []
    if scope.is_county_wide:
        parts.append(Q(department__region_id=scope.region_id))
    if scope.reads_department:
        parts.append(Q(department_id=scope.department_id))
    if scope.is_handler:
        co = CaseFile.co_handlers.through.objects.filter(casefile_id=OuterRef("pk"), officer_id=scope.officer_id)
        parts.append(Q(main_handler_id=scope.officer_id) | Q(Exists(co)))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def can_list_cases(user) -> bool:
    return _read_filter(scope_for(user)) is not None


def case_files_visible_to(user) -> QuerySet[CaseFile]:
    q = _read_filter(scope_for(user))
    if q is None:
        return CaseFile.objects.none()
    return CaseFile.objects.filter(q)


def case_list_queryset(user) -> QuerySet[CaseFile]:
    """The list page's queryset: visible files with what each row shows, in a fixed number of
    queries whatever the page size."""
    return (
        case_files_visible_to(user)
        .select_related("department", "category", "main_handler")
        .prefetch_related(Prefetch("co_handlers", queryset=Officer.objects.only("id", "name")))
    )


def can_create_case(user, department_id: int | None = None) -> bool:
    scope = scope_for(user)
    if scope.department_id is None or scope.is_read_only:
        return False
    if department_id is not None and department_id != scope.department_id:
        return False
    return scope.writes_department or scope.is_handler


def can_edit_case(user, case: CaseFile) -> bool:
    scope = scope_for(user)
    if scope.is_read_only:
        return False
    if scope.writes_department and case.department_id == scope.department_id:
        return True
    if scope.is_handler and case.department_id == scope.department_id:
        return case.main_handler_id == scope.officer_id or case.co_handlers.filter(pk=scope.officer_id).exists()
    return False


def case_file_for_user(user, pk: int, *, write: bool = False) -> CaseFile:
    """The one helper that fetches a case file for a user: 404 outside their jurisdiction,
    403 when they may read it but not change it (healthchecks ``_get_rw_check_for_user``)."""
    case = (
        case_files_visible_to(user)
        .select_related("department", "category", "power_item", "main_handler", "legal_review_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(_("没有找到该案卷，或不在您的管辖范围内。"))
    if write and not can_edit_case(user, case):
        raise PermissionDenied(_("您可以查看该案卷，但无权修改：只有本部门法制机构人员和该案承办人可以修改。"))
    return case


def attachment_for_user(user, pk: int, *, write: bool = False) -> CaseAttachment:
    attachment = CaseAttachment.objects.select_related("case_file").filter(pk=pk).first()
    if attachment is None:
        raise Http404(_("没有找到该附件。"))
    case_file_for_user(user, attachment.case_file_id, write=write)
    return attachment


def categories() -> QuerySet[CaseCategory]:
    return CaseCategory.objects.filter(is_active=True)


def power_items_visible_to(user) -> QuerySet[PowerItem]:
    """Power lists are public within the county; units see their own, county roles all."""
    scope = scope_for(user)
    qs = PowerItem.objects.select_related("department", "category")
    if scope.is_county_wide:
        return qs.filter(department__region_id=scope.region_id)
    if scope.department_id is not None and scope.roles:
        return qs.filter(department_id=scope.department_id)
    return qs.none()


def year_figures(user, year: int) -> dict:
    """Figures for the home page: files filed and closed in ``year``, 罚没金额 of files decided in
    it, and closed files still awaiting transfer for self-review (REV-5). One query."""
    from django.db.models import Count, DecimalField, Sum, Value
    from django.db.models.functions import Coalesce

    zero = Value(0, output_field=DecimalField(max_digits=14, decimal_places=2))
    return case_files_visible_to(user).aggregate(
        filed=Count("pk", filter=Q(filed_on__year=year)),
        closed=Count("pk", filter=Q(closed_on__year=year)),
        amount=Coalesce(Sum("fine_amount", filter=Q(decided_on__year=year)), zero)
        + Coalesce(Sum("confiscation_amount", filter=Q(decided_on__year=year)), zero),
        awaiting_transfer=Count("pk", filter=Q(closed_on__isnull=False, transferred_for_review_on__isnull=True)),
    )
