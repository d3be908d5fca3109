"""Forms of the review room."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xian_enforcement.widgets import DateInput

from .choices import CampaignKind, GroupRole, RefusalKind, SelfReviewQuality


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("类型"), choices=CampaignKind.choices)
    period_start = forms.DateField(label=_("抽查结案日期自"), widget=DateInput())
    period_end = forms.DateField(label=_("抽查结案日期至"), widget=DateInput())
    public_value = forms.CharField(
        label=_("公开随机数来源"),
        max_length=200,
        help_text=_(
            "抽样前公布、任何人可查的数值，例如“2026-03-02 上证综指收盘 3245.12”。种子 = SHA-256（来源|日期）。"
        ),
    )
    seed_date = forms.DateField(label=_("种子日期"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["period_start"].initial = datetime.date(today.year, 1, 1)
        self.fields["period_end"].initial = today
        self.fields["seed_date"].initial = today
        self.fields["title"].initial = _("%(y)s 年度层级监督检查") % {"y": today.year}
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )


class MemberForm(forms.Form):
    officer = forms.ModelChoiceField(label=_("人员"), queryset=None)
    role = forms.ChoiceField(label=_("职务"), choices=GroupRole.choices)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["officer"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["role"].widget.attrs["class"] = "form-select form-select-sm"


class SampleGradeForm(forms.Form):
    """REV-11: the inspection's grade of the unit's self-review of a sampled file, and the
    problems found; the checklist itself is read by ``services.parse_findings``."""

    self_review_quality = forms.ChoiceField(
        label=_("自查质量"), choices=[("", "—"), *SelfReviewQuality.choices], required=True
    )
    problems = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["self_review_quality"].widget.attrs["class"] = "form-select"
        self.fields["problems"].widget.attrs["class"] = "form-control"


class RefusalForm(forms.Form):
    """REV-17: a unit refused the inspection or did not cooperate."""

    department = forms.ModelChoiceField(label=_("单位"), queryset=None)
    kind = forms.ChoiceField(label=_("情形"), choices=RefusalKind.choices)
    note = forms.CharField(label=_("情况说明"), max_length=300)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["kind"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["note"].widget.attrs["class"] = "form-control form-control-sm"
