"""Case-file forms (crispy-forms, Bootstrap 5). Rules are checked in ``cases.services``; a
``DomainError`` is shown next to the field it names."""

from __future__ import annotations

from crispy_forms.bootstrap import InlineCheckboxes
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from xian_enforcement.org.models import Officer
from xian_enforcement.org.selectors import assignable_officers

from .models import CaseFile, PenaltyKind, PowerItem
from .services import CASE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseFileForm(forms.ModelForm):
    co_handlers = forms.ModelMultipleChoiceField(
        label=_("协办人"),
        queryset=None,
        required=False,
        help_text=_("主办人与协办人合计不少于 2 人，且均须持有有效执法证（REV-13）。按住 Ctrl 可多选。"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    penalty_kinds = forms.ModelMultipleChoiceField(
        label=_("处罚种类"),
        queryset=PenaltyKind.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    publicity_url = forms.URLField(label=_("公示链接"), required=False, assume_scheme="https")

    class Meta:
        model = CaseFile
        fields = [f for f in CASE_FIELDS if f != "year"]
        widgets = dict.fromkeys(
            [
                "filed_on",
                "investigated_on",
                "decided_on",
                "served_on",
                "executed_on",
                "closed_on",
                "archived_on",
                "legal_review_on",
                "publicised_on",
                "transferred_to_police_on",
            ],
            DATE,
        )
        help_texts = {
            "number": _("同一部门同一年度内唯一。"),
            "closed_on": _("结案后 30 日内须移交法制机构自查（REV-5）。"),
            "major_decision": _("重大执法决定须经法制审核（TOL-8）。"),
            "transferred_to_police_on": _("涉嫌行政拘留、刑事犯罪的案件应及时移送公安机关（TOL-9）。"),
            "reconsideration": _("提起行政复议、行政诉讼的案卷不再评查（REV-12）。"),
        }

    def __init__(self, *args, department, **kwargs):
        super().__init__(*args, **kwargs)
        officers = assignable_officers(department.pk)
        if self.instance.pk:
            # Keep officers already on the file selectable even if their certificate lapsed since.
            current = [self.instance.main_handler_id, *self.instance.co_handlers.values_list("pk", flat=True)]
            officers = Officer.objects.filter(pk__in=list(officers.values_list("pk", flat=True)) + current)
            self.initial.setdefault("co_handlers", current[1:])
            self.initial.setdefault("penalty_kinds", list(self.instance.penalty_kinds.values_list("pk", flat=True)))
        self.fields["main_handler"].queryset = officers
        self.fields["co_handlers"].queryset = officers
        self.fields["legal_review_by"].queryset = department.officers.all()
        self.fields["power_item"].queryset = PowerItem.objects.filter(department=department, is_active=True)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("基本信息"),
                Row(
                    Column("number", css_class="col-md-4"),
                    Column("category", css_class="col-md-3"),
                    Column("power_item", css_class="col-md-5"),
                ),
                "title",
                Row(Column("party_kind", css_class="col-md-4"), Column("party_name", css_class="col-md-8")),
                css_id="sec-basic",
            ),
            Fieldset(
                _("承办人员"),
                Row(Column("main_handler", css_class="col-md-4"), Column("co_handlers", css_class="col-md-8")),
                css_id="sec-officers",
            ),
            Fieldset(
                _("办理环节"),
                HTML('<p class="text-muted small">' + str(_("各环节日期不得早于前一环节。")) + "</p>"),
                Row(
                    *[
                        Column(name, css_class="col-6 col-md-3")
                        for name in (
                            "filed_on",
                            "investigated_on",
                            "decided_on",
                            "served_on",
                            "executed_on",
                            "closed_on",
                            "archived_on",
                        )
                    ]
                ),
                css_id="sec-stages",
            ),
            Fieldset(
                _("处罚与金额"),
                InlineCheckboxes("penalty_kinds"),
                Row(
                    Column("fine_amount", css_class="col-md-4"),
                    Column("confiscation_amount", css_class="col-md-4"),
                    Column("hearing_held", css_class="col-md-4 pt-md-4"),
                ),
                css_id="sec-penalty",
            ),
            Fieldset(
                _("法制审核与公示（TOL-8）"),
                Row(Column("major_decision", css_class="col-md-4"), Column("full_record_kept", css_class="col-md-4")),
                Row(Column("legal_review_by", css_class="col-md-6"), Column("legal_review_on", css_class="col-md-6")),
                Row(Column("publicised_on", css_class="col-md-4"), Column("publicity_url", css_class="col-md-8")),
                css_id="sec-review",
            ),
            Fieldset(
                _("移送（TOL-9）"),
                Row(
                    Column("transferred_to_police_on", css_class="col-md-4"),
                    Column("police_organ", css_class="col-md-4"),
                    Column("police_receipt", css_class="col-md-4"),
                ),
                css_id="sec-police",
            ),
            Fieldset(
                _("复议与诉讼（REV-12）"),
                Row(Column("reconsideration", css_class="col-md-6"), Column("litigation", css_class="col-md-6")),
                css_id="sec-litigation",
            ),
            Submit("save", _("保存")),
        )

    def service_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in CASE_FIELDS}


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("文件"), help_text=_("PDF、JPEG、PNG、DOCX、XLSX 或 ZIP，按内容识别类型。"))
    description = forms.CharField(label=_("说明"), max_length=200, required=False)


class CaseFileAmendmentForm(CaseFileForm):
    """REV-7: the amendment (更正) of a frozen file by the legal office: the case form's fields
    and the reason, which is required."""

    reason = forms.CharField(
        label=_("更正理由"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("写明更正什么、为什么更正、依据什么（如更正决定书文号）。更正前后的内容将存档并记入审计日志。"),
    )

    # A frozen file takes a new document only as part of an amendment (REV-7).
    attachment = forms.FileField(
        label=_("补充附件"),
        required=False,
        help_text=_("如更正需补入文书（如更正决定书、送达回证），在此上传；PDF、JPEG、PNG、DOCX、XLSX 或 ZIP。"),
    )
    attachment_description = forms.CharField(label=_("附件说明"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        layout = self.helper.layout
        layout.fields[-1] = Fieldset(
            _("更正理由（REV-7）"), "reason", "attachment", "attachment_description", css_id="sec-reason"
        )
        layout.fields.append(Submit("save", _("保存更正")))
