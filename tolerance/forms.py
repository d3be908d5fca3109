"""Forms of the tolerance room: they parse input; the services enforce the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import CaseFile
from xian_enforcement.org.choices import Role
from xian_enforcement.org.models import Officer
from xian_enforcement.widgets import DateInput

from .choices import ClarificationForm, ComplaintOutcome, ItemStatus, Outcome, PublicationScope
from .models import Application, Circumstance, Complaint, Decision

DATE = DateInput()


class CircumstanceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.text}"


class ApplicationForm(forms.ModelForm):
    officer = forms.ModelChoiceField(queryset=Officer.objects.none(), label=_("当事执法人员"))
    circumstances = CircumstanceField(queryset=Circumstance.objects.exclude(code="TOL-13"), label=_("申请适用的情形"))
    case_files = forms.ModelMultipleChoiceField(
        queryset=CaseFile.objects.none(),
        required=False,
        label=_("相关案卷（可选）"),
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    class Meta:
        model = Application
        fields = ["officer", "act_date", "act", "case_files", "error_category", "field", "circumstances", "statement"]
        widgets = {
            "act_date": DATE,
            "act": forms.Textarea(attrs={"rows": 4}),
            "statement": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, officers, case_files, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["case_files"].queryset = case_files
        if officers.count() == 1:
            self.fields["officer"].initial = officers.first()

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("act", "act_date", "error_category", "field", "statement")}


class FindingsForm(forms.Form):
    findings = forms.CharField(label=_("调查核实情况"), widget=forms.Textarea(attrs={"rows": 5}))


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回理由"), max_length=300)


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("证据文件（PDF、JPEG、PNG、ZIP）"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class DecisionForm(forms.ModelForm):
    accepted = CircumstanceField(queryset=Circumstance.objects.none(), required=False, label=_("认定的情形"))
    members_present = forms.ModelMultipleChoiceField(
        queryset=Officer.objects.none(), label=_("出席的党组成员"), widget=forms.CheckboxSelectMultiple
    )
    outcome = forms.ChoiceField(choices=Outcome.choices, widget=forms.RadioSelect, label=_("认定结论"))
    publication_scope = forms.ChoiceField(
        choices=PublicationScope.choices, initial=PublicationScope.UNIT, label=_("公开范围")
    )

    class Meta:
        model = Decision
        fields = [
            "facts",
            "legal_basis",
            "subjective",
            "objective",
            "procedure",
            "nature",
            "consequences",
            "recovery",
            "accepted",
            "c1",
            "c1_reason",
            "c2",
            "c2_reason",
            "c3",
            "c3_reason",
            "veto",
            "veto_reason",
            "members_present",
            "outcome",
            "publication_scope",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "facts",
                "legal_basis",
                "subjective",
                "objective",
                "procedure",
                "nature",
                "consequences",
                "recovery",
                "c1_reason",
                "c2_reason",
                "c3_reason",
                "veto_reason",
            )
        }

    def __init__(self, *args, application, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepted"].queryset = application.circumstances.all()
        self.fields["members_present"].queryset = Officer.objects.filter(
            department_id=application.department_id, user__groups__name=Role.PARTY_MEMBER
        ).exclude(pk=application.officer_id)
        officer = getattr(user, "officer", None) if user is not None else None
        if officer is not None and not self.is_bound:
            self.fields["members_present"].initial = [officer.pk]
        for name in (
            "subjective",
            "objective",
            "procedure",
            "nature",
            "consequences",
            "recovery",
            "facts",
            "legal_basis",
        ):
            self.fields[name].required = False  # the service names the rule that refuses

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("accepted", "members_present")}
        data["published_on"] = None
        return data


class PublishForm(forms.Form):
    publication_scope = forms.ChoiceField(choices=PublicationScope.choices, label=_("公开范围"))


class CorrectionIssueForm(forms.Form):
    reasons = forms.CharField(label=_("纠错原因"), widget=forms.Textarea(attrs={"rows": 3}))
    items = forms.CharField(
        label=_("整改事项（每行一项）"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("每行一项，逐项跟踪。")
    )
    requirements = forms.CharField(label=_("整改要求"), widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("整改期限"), widget=DATE)


class ItemReportForm(forms.Form):
    status = forms.ChoiceField(choices=ItemStatus.choices, label=_("状态"))
    progress = forms.CharField(label=_("整改进展"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionRequestForm(forms.Form):
    requested_due = forms.DateField(label=_("申请延长至"), widget=DATE)
    reason = forms.CharField(label=_("延期理由"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        choices=[("1", _("批准")), ("0", _("不予批准"))], coerce=lambda v: v == "1", label=_("审批")
    )
    note = forms.CharField(label=_("审批意见"), max_length=300, required=False)


class ComplaintForm(forms.ModelForm):
    accused = forms.ModelChoiceField(queryset=Officer.objects.none(), label=_("被反映人"))

    class Meta:
        model = Complaint
        fields = ["accused", "received_on", "channel", "summary", "anonymous", "reporter_name", "reporter_contact"]
        widgets = {"received_on": DATE, "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accused"].queryset = officers

    def service_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields if k != "accused"}


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(choices=ComplaintOutcome.choices, label=_("查处结果"))
    outcome_note = forms.CharField(label=_("查处情况"), widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ModelChoiceField(queryset=Decision.objects.none(), required=False, label=_("关联容错认定"))

    def __init__(self, *args, decisions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].queryset = decisions


class FeedbackForm(forms.Form):
    text = forms.CharField(label=_("反馈或说明内容"), widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.CharField(label=_("说明范围（匿名举报）"), max_length=100, required=False)


class ClarificationFormForm(forms.Form):
    scope = forms.CharField(label=_("澄清范围"), max_length=100)
    form = forms.ChoiceField(choices=ClarificationForm.choices, label=_("澄清方式"))
    on = forms.DateField(label=_("澄清日期"), widget=DATE)
    text = forms.CharField(label=_("澄清内容"), widget=forms.Textarea(attrs={"rows": 3}))
