"""The one DomainError presenter (xian_enforcement.errors): message + rule ID + status, in Chinese and
English, the same in every room."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy

from xian_enforcement.errors import DomainError, error_status, error_text, form_error

STA_2 = gettext_lazy("只有本单位法制机构人员或法制机构负责人可以填报和报送统计报表。")


class _Form(forms.Form):
    number = forms.CharField(required=False)


def test_message_carries_rule_id_in_chinese():
    with translation.override("zh-hans"):
        assert error_text(DomainError(STA_2, rule_id="STA-2")) == (
            "只有本单位法制机构人员或法制机构负责人可以填报和报送统计报表。（STA-2）"
        )


def test_message_carries_rule_id_in_english():
    with translation.override("en"):
        text = error_text(DomainError(STA_2, rule_id="STA-2"))
    assert text.startswith("Only the unit")
    assert text.endswith("statistics reports.（STA-2）")


def test_rule_id_not_repeated_when_the_message_names_it():
    assert error_text(DomainError("案卷已冻结（REV-7），只能以补正方式修改。", rule_id="REV-7")) == (
        "案卷已冻结（REV-7），只能以补正方式修改。"
    )


def test_message_without_rule_id_is_the_message():
    assert error_text(DomainError("统计期间无效。")) == "统计期间无效。"


def test_status_conflict_for_frozen_record_rev7_else_default():
    assert error_status(DomainError("x", rule_id="REV-7")) == 409
    assert error_status(DomainError("x", rule_id="STA-2")) == 400
    assert error_status(DomainError("x"), default=413) == 413


def test_form_error_lands_on_the_named_field_or_the_form():
    form = _Form(data={})
    assert form.is_valid()
    form_error(form, DomainError("编号重复。", field="number", rule_id="CAS-1"))
    form_error(form, DomainError("不能保存。", field="missing"))
    assert form.errors["number"] == ["编号重复。（CAS-1）"]
    assert form.non_field_errors() == ["不能保存。"]
