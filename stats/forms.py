"""Forms of the statistics room."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from xian_enforcement.org.models import Department, Officer


class TrainingForm(forms.Form):
    organiser = forms.ModelChoiceField(
        Department.objects.none(), label=_("举办单位"), widget=forms.Select(attrs={"class": "form-select"})
    )
    title = forms.CharField(
        label=_("培训名称"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    content = forms.CharField(label=_("培训内容"), widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}))
    held_on = forms.DateField(
        label=_("培训日期"), widget=forms.DateInput(attrs={"type": "date", "class": "form-control"})
    )
    hours = forms.DecimalField(
        label=_("学时"),
        min_value=Decimal("0.5"),
        max_value=Decimal("24"),
        decimal_places=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}),
    )
    attendees = forms.ModelMultipleChoiceField(
        Officer.objects.none(),
        label=_("参训人员"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8, "class": "form-select"}),
    )
    sheet = forms.FileField(
        label=_("签到表（Excel）"),
        required=False,
        help_text=_("第一个工作表须有“姓名”列，可加“执法证号”“单位”列；任何一行有误则整表不导入。"),
    )

    def __init__(self, *args, departments=None, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].queryset = departments if departments is not None else Department.objects.none()
        self.fields["attendees"].queryset = officers if officers is not None else Officer.objects.none()
        self.fields["attendees"].label_from_instance = lambda o: (
            f"{o.name}（{o.department.short_name if o.department else ''}）"
        )
