"""Forms of the organisation pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CertificateStatus


class CertificateStatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("新状态"), choices=CertificateStatus.choices)
    reason = forms.CharField(
        label=_("原因"), max_length=200, help_text=_("例如：年度考核三件案卷不合格，暂停执法资格（REV-8）。")
    )
