"""The CSRF failure page (settings.CSRF_FAILURE_VIEW): Chinese, explains what to do."""

from __future__ import annotations

from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    return render(request, "403_csrf.html", {"reason": reason}, status=403)
