"""The administrators' pages (三员分立, security.md "Access control"):

- /manage/accounts/ — the system administrator: accounts (create, edit, deactivate, reset password);
  roles are shown, never changed here.
- /manage/grants/ — the security administrator: roles and lockouts; no business data.
The audit administrator reads and exports the audit log at /audit/. Each page refuses the other
two administrators and every business role (403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xian_enforcement.errors import DomainError

from . import services_accounts as services
from .choices import Role
from .forms_manage import AccountCreateForm, AccountUpdateForm, RolesForm
from .models import Officer
from .scoping import scope_for

User = get_user_model()


def _require(request, role: str) -> None:
    if not scope_for(request.user).has(role):
        raise PermissionDenied(_("此页面仅限%(role)s使用（三员分立）。") % {"role": Role(role).label})


def _users(request):
    q = request.GET.get("q", "").strip()[:50]
    qs = User.objects.select_related("officer__department").prefetch_related("groups").order_by("username")
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__icontains=q) | Q(officer__name__icontains=q))
    return q, Paginator(qs, 50).get_page(request.GET.get("page"))


def _role_labels(user) -> list[str]:
    labels = dict(Role.choices)
    return [labels.get(g.name, g.name) for g in user.groups.all()]


def _account_crumbs():
    return [(_("账户管理"), reverse("manage:accounts"))]


def _free_officers(request):
    region_id = scope_for(request.user).region_id
    qs = Officer.objects.filter(user__isnull=True).select_related("department").order_by("department__order", "name")
    return qs.filter(region_id=region_id) if region_id else qs


@login_required
def account_list(request):
    _require(request, Role.SYSADMIN)
    q, page = _users(request)
    rows = [{"u": u, "roles": _role_labels(u)} for u in page]
    return render(request, "org/manage/account_list.html", {"page": page, "rows": rows, "q": q})


@login_required
def account_create(request):
    _require(request, Role.SYSADMIN)
    form = AccountCreateForm(request.POST or None, officers=_free_officers(request))
    if request.method == "POST" and form.is_valid():
        try:
            user, password = services.account_create(by=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            response = render(request, "org/manage/password_once.html", {"account": user, "password": password})
            response["Cache-Control"] = "no-store"
            return response
    return render(
        request,
        "org/manage/account_form.html",
        {"form": form, "crumbs": _account_crumbs(), "crumb_last": _("新建账户")},
        status=400 if form.errors else 200,
    )


@login_required
def account_edit(request, pk: int):
    _require(request, Role.SYSADMIN)
    account = get_object_or_404(User, pk=pk)
    initial = {"full_name": account.first_name, "email": account.email, "is_active": account.is_active}
    form = AccountUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(by=request.user, user=account, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("账户 %(u)s 已保存。") % {"u": account.username})
            return redirect("manage:accounts")
    return render(
        request,
        "org/manage/account_form.html",
        {
            "form": form,
            "account": account,
            "roles": _role_labels(account),
            "crumbs": _account_crumbs(),
            "crumb_last": account.username,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def account_reset_password(request, pk: int):
    _require(request, Role.SYSADMIN)
    account = get_object_or_404(User, pk=pk)
    try:
        password = services.account_reset_password(by=request.user, user=account)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("manage:account_edit", pk=account.pk)
    response = render(
        request, "org/manage/password_once.html", {"account": account, "password": password, "reset": True}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
def grant_list(request):
    _require(request, Role.SECADMIN)
    q, page = _users(request)
    rows = [{"u": u, "roles": _role_labels(u)} for u in page]
    return render(request, "org/manage/grant_list.html", {"page": page, "rows": rows, "q": q})


@login_required
def grant_edit(request, pk: int):
    _require(request, Role.SECADMIN)
    account = get_object_or_404(User.objects.select_related("officer__department"), pk=pk)
    current = sorted(account.groups.values_list("name", flat=True))
    form = RolesForm(request.POST or None, initial={"roles": current})
    if request.method == "POST" and form.is_valid():
        try:
            services.roles_set(by=request.user, user=account, roles=set(form.cleaned_data["roles"]))
        except DomainError as exc:
            form.add_error("roles" if exc.field == "roles" else None, exc.message)
        else:
            messages.success(request, _("已更新 %(u)s 的角色。") % {"u": account.username})
            return redirect("manage:grants")
    return render(
        request,
        "org/manage/grant_form.html",
        {
            "form": form,
            "account": account,
            "officer": getattr(account, "officer", None),
            "crumbs": [(_("角色授权"), reverse("manage:grants"))],
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def lockout_clear(request, pk: int):
    _require(request, Role.SECADMIN)
    account = get_object_or_404(User, pk=pk)
    cleared = services.lockout_clear(by=request.user, username=account.username)
    messages.success(
        request, _("已解除 %(u)s 的登录锁定（%(n)s 条失败记录）。") % {"u": account.username, "n": cleared}
    )
    return redirect("manage:grant_edit", pk=account.pk)
