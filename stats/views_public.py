"""The public list of enforcement certificate holders (STA-5.2): no login; only name, unit, post,
certificate number and validity are published (security.md "Personal data")."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import selectors

PAGE_SIZE = 50
HOLDERS_DEFINITION = _("持证人数：执法人员中持有今天有效执法证的人数，与统计报表的持证人数同一口径（STA-5.2）")


class _Counted(Paginator):
    """A paginator told its count: the 持证人数 figure the list's rows are drawn from."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known = count

    @cached_property
    def count(self) -> int:
        return self._known


def certificates(request):
    today = timezone.localdate()
    region_code = request.GET.get("region", "").strip()[:12]
    query = request.GET.get("q", "").strip()[:50]
    departments = selectors.public_departments(region_code)
    try:
        department_id = int(request.GET.get("department", ""))
    except ValueError:
        department_id = None
    if department_id is not None and department_id not in {d.pk for d in departments}:
        department_id = None
    holders = selectors.public_certificate_holders(
        day=today, region_code=region_code, department_id=department_id, query=query
    )
    regions = selectors.public_regions()
    # 共 N 人 of a unit or a county is the dashboard's 持证人数 (STA-5.2, one selector); a name
    # search counts its own rows.
    count = None
    if not query:
        department = next((d for d in departments if d.pk == department_id), None)
        count = selectors.public_holder_count(
            day=today, regions=regions, region_code=region_code, department=department
        )
    page = (Paginator(holders, PAGE_SIZE) if count is None else _Counted(holders, PAGE_SIZE, count)).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "statistics/public_certificates.html",
        {
            "page": page,
            "today": today,
            "query": query,
            "regions": regions,
            "holders_definition": HOLDERS_DEFINITION,
            "unit_id": department_id if department_id is not None else "",
            "region_code": region_code,
            "departments": departments,
            "department_id": department_id,
            "filtered": bool(query or department_id or region_code),
        },
    )
