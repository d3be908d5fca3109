"""Filters of the case list (django-filter)."""

from __future__ import annotations

from functools import cache

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xian_enforcement.notices.choices import DeadlineStatus
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org.models import Department, Officer
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.org.selectors import departments_visible_to
from xian_enforcement.widgets import model_choices

from .choices import CaseStatus
from .models import CaseCategory, CaseFile

SORTS = {
    "filed": ("filed_on", "id"),
    "-filed": ("-filed_on", "-id"),
    "closed": ("closed_on", "id"),
    "-closed": ("-closed_on", "-id"),
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    "amount": ("fine_amount", "id"),
    "-amount": ("-fine_amount", "-id"),
}


class CaseFileFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q")
    department = django_filters.ModelChoiceFilter(
        label=_("部门"), queryset=Department.objects.none(), empty_label=_("全部")
    )
    category = django_filters.ModelChoiceFilter(
        label=_("类别"), queryset=CaseCategory.objects.filter(is_active=True), empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(label=_("状态"), choices=CaseStatus.choices, empty_label=_("全部"))
    year = django_filters.NumberFilter(label=_("年度"))
    handler = django_filters.ModelChoiceFilter(
        label=_("承办人"), queryset=Officer.objects.none(), method="filter_handler", empty_label=_("全部")
    )
    overdue = django_filters.BooleanFilter(
        label=_("移交自查逾期（REV-5）"), method="filter_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = CaseFile
        fields = ["q", "department", "category", "status", "year", "handler", "overdue"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        departments = departments_visible_to(user)
        self.filters["department"].queryset = departments
        handlers = Officer.objects.filter(department__in=departments, is_enforcement_officer=True).only("id", "name")
        choose_department_first = False
        if scope_for(user).is_county_wide:
            # A county has hundreds of officers, a large one thousands: too many to render as
            # 承办人 options on every page (performance.md target 1). For a county-wide role the
            # list offers the chosen department's officers.
            chosen = (self.data or {}).get("department", "")
            if str(chosen).isdigit():
                handlers = handlers.filter(department_id=int(chosen))
            else:
                handlers, choose_department_first = handlers.none(), True
        self.filters["handler"].queryset = handlers
        self.filters["year"].field.widget.attrs.update({"min": 2000, "max": timezone.localdate().year + 1})
        if choose_department_first:
            self.form.fields["handler"].empty_label = _("（先选择部门）")
        fields = self.form.fields
        # Choices read when the form is rendered (callables), so the export and the background job,
        # which share this filter set, do not query them; labels as str() of each model shows them
        # (Department: short name, else name).
        department, category, handler = fields["department"], fields["category"], fields["handler"]
        # (cached: the widget reads its choices twice when it renders, for the required attribute)
        department.widget = forms.Select(
            choices=cache(
                lambda: model_choices(department, "short_name", "name", order_by=("region_id", "order", "id"))
            )
        )
        category.widget = forms.Select(choices=cache(lambda: model_choices(category, "name")))
        handler.widget = forms.Select(choices=cache(lambda: model_choices(handler, "name", order_by=("name", "id"))))
        fields["status"].widget = forms.Select(choices=fields["status"].choices)
        for name, field in self.form.fields.items():
            if name == "overdue":
                field.widget.attrs["class"] = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value) | Q(party_name__icontains=value))

    def filter_handler(self, queryset, name, value):
        co = CaseFile.co_handlers.through.objects.filter(officer_id=value.pk).values("casefile_id")
        return queryset.filter(Q(main_handler_id=value.pk) | Q(pk__in=co))

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        today = timezone.localdate()
        overdue = Deadline.objects.filter(kind="rev5_transfer", status=DeadlineStatus.OPEN, due_date__lt=today).values(
            "object_id"
        )
        return queryset.filter(pk__in=overdue)
