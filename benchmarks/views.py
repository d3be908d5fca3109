"""The floor page F of performance.md: 50 case files from the database in a simple template,
behind the same login and middleware as every page. Mounted only in the bench urlconf."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from cases.models import CaseFile


@login_required
def floor(request):
    rows = CaseFile.objects.select_related("department").order_by("-filed_on", "-id")[:50]
    return render(request, "bench/floor.html", {"rows": rows})
