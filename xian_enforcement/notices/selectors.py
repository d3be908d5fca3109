"""Reads of deadlines and notifications, limited to the user."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from xian_enforcement.org.scoping import scope_for

from .choices import DeadlineStatus
from .models import Deadline, Notification


def unread_count(user) -> int:
    """The header's badge on every page."""
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()


def notifications_for(user) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).select_related("deadline")


def deadlines_for(user) -> QuerySet[Deadline]:
    """Open deadlines the user must act on or watch: their own, plus their department's for
    department roles, plus the county's for county-wide roles."""
    scope = scope_for(user)
    q = Q(assignee_id=user.pk)
    if scope.reads_department:
        q |= Q(department_id=scope.department_id)
    if scope.is_county_wide:
        q |= Q(department__region_id=scope.region_id)
    return (
        Deadline.objects.filter(q, status=DeadlineStatus.OPEN).select_related("department").order_by("due_date", "id")
    )


def todo_for(user, today: datetime.date | None = None) -> dict[str, list[Deadline]]:
    """The home page's to-do list: overdue and due within DUE_SOON_DAYS."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=settings.RULES["DUE_SOON_DAYS"])
    rows = list(deadlines_for(user).filter(due_date__lte=soon)[:200])
    return {
        "overdue": [d for d in rows if d.due_date < today],
        "due_soon": [d for d in rows if d.due_date >= today],
    }


def deadlines_of(obj) -> QuerySet[Deadline]:
    """Every deadline on one object (open, met or cancelled), with its extensions, for the
    object's page: who owed what by when, and whether it was met."""
    from django.contrib.contenttypes.models import ContentType

    return Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).prefetch_related("extensions")
