"""The public list of enforcement certificate holders (STA-5.2): no login; only name, unit, post,
certificate number and validity are published (security.md "Personal data")."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from . import selectors

PAGE_SIZE = 50


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
    page = Paginator(holders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "statistics/public_certificates.html",
        {
            "page": page,
            "today": today,
            "query": query,
            "regions": selectors.public_regions(),
            "region_code": region_code,
            "departments": departments,
            "department_id": department_id,
            "filtered": bool(query or department_id or region_code),
        },
    )
