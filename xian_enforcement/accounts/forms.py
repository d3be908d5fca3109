from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class OTPCodeForm(forms.Form):
    code = forms.CharField(
        label=_("6 位动态口令"),
        min_length=6,
        max_length=6,
        validators=[RegexValidator(r"^\d{6}$", _("请输入 6 位数字。"))],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "pattern": r"\d{6}"}
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()
