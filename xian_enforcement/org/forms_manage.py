"""Forms of the administrators' pages (三员分立)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .models import Officer


class AccountCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("用户名"),
        regex=r"^[A-Za-z0-9_.@-]{3,150}$",
        error_messages={"invalid": _("用户名只能包含字母、数字和 _ . @ -，3–150 个字符。")},
    )
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    officer = forms.ModelChoiceField(
        label=_("关联执法人员"),
        queryset=Officer.objects.none(),
        required=False,
        help_text=_("部门角色（执法人员、法制机构人员等）要求账户关联本部门的人员。"),
    )

    def __init__(self, *args, officers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if officers is not None:
            self.fields["officer"].queryset = officers


class AccountUpdateForm(forms.Form):
    full_name = forms.CharField(label=_("姓名"), max_length=150)
    email = forms.EmailField(label=_("电子邮箱"), required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False)


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("角色"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
