"""Ledger (台账) import and power-list (权力清单, TOL-6) pages.

Imports take two steps: upload → preview (every row checked, every error listed, nothing saved)
→ confirm. The confirm step never trusts row data from the browser: the uploaded file is kept on
the server under ``MEDIA_ROOT/imports/<uuid>.xlsx``, its token is kept in the session, and the
file is checked again in full before anything is written.
"""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from xian_enforcement.audit.services import EventType, audit_event_record
from xian_enforcement.org.models import Department
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.org.selectors import departments_visible_to

from . import ledger, ledger_jobs, powerlist
from .ledger import XLSX_CONTENT_TYPE, ImportFileError, ImportRejected
from .models import LedgerImportJob

PAGE_SIZE = 50
PREVIEW_ROWS = 500
SESSION_PREFIX = "cases_io_pending:"


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel 文件（.xlsx）"),
        help_text=gettext_lazy("请使用下载的模板填写；上传后先预览，确认后才保存。"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )


class PowerImportForm(ImportUploadForm):
    department = forms.ModelChoiceField(label=gettext_lazy("导入到部门"), queryset=Department.objects.none())

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.order_fields(["department", "file"])


# --------------------------------------------------------------------------------------------
# Pending uploads (server-side, keyed in the session)
# --------------------------------------------------------------------------------------------


def _discard_pending(request, kind: str) -> None:
    pending = request.session.pop(SESSION_PREFIX + kind, None)
    if pending:
        default_storage.delete(pending["path"])


def _store_pending(request, kind: str, *, department: Department, content: bytes, name: str) -> str:
    _discard_pending(request, kind)
    token = uuid.uuid4().hex
    path = default_storage.save(f"imports/{token}.xlsx", ContentFile(content))
    request.session[SESSION_PREFIX + kind] = {
        "token": token,
        "path": path,
        "department": department.pk,
        "name": name[:200],
    }
    return token


def _load_pending(request, kind: str, token: str | None) -> tuple[dict, bytes] | None:
    pending = request.session.get(SESSION_PREFIX + kind)
    if not pending or not token or pending["token"] != token or not default_storage.exists(pending["path"]):
        return None
    with default_storage.open(pending["path"], "rb") as fh:
        return pending, fh.read()


def _read_upload(form) -> tuple[bytes, str]:
    upload = form.cleaned_data["file"]
    if upload.size > ledger.max_bytes():
        raise ImportFileError(
            _("文件过大（%(size)s 字节），上限 %(max)s 字节。请拆分后分批导入。")
            % {"size": upload.size, "max": ledger.max_bytes()}
        )
    return upload.read(), upload.name


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --------------------------------------------------------------------------------------------
# Ledger import
# --------------------------------------------------------------------------------------------


def _ledger_department(user) -> Department:
    """The department a user imports ledgers into: their own, for its legal office only."""
    scope = scope_for(user)
    if not scope.writes_department or scope.is_read_only:
        raise PermissionDenied(
            _("只有本部门法制机构人员和法制机构负责人可以导入案卷台账；执法人员请在案卷页面逐件登记。")
        )
    return departments_visible_to(user).get(pk=scope.department_id)


def _ledger_context(department, form, **extra) -> dict:
    return {
        "department": department,
        "form": form,
        "columns": ledger.LEDGER_COLUMNS,
        "max_rows": ledger.max_rows(),
        "crumbs": [(_("案卷"), reverse("cases:list")), (_("导入台账"), None)],
        **extra,
    }


@login_required
@require_GET
def ledger_template(request):
    department = _ledger_department(request.user)
    return _xlsx_response(ledger.ledger_template_workbook(department), "ledger-template.xlsx")


@login_required
def ledger_import(request):
    department = _ledger_department(request.user)
    if request.method != "POST":
        return render(request, "cases/ledger_import.html", _ledger_context(department, ImportUploadForm()))

    if "confirm" in request.POST:
        loaded = _load_pending(request, "ledger", request.POST.get("token"))
        if loaded is None or loaded[0]["department"] != department.pk:
            messages.error(request, _("导入预览已失效（已导入、已超时或已重新上传），请重新上传文件。"))
            return redirect("cases:ledger_import")
        pending, content = loaded
        try:
            result = ledger.ledger_import(department=department, content=content, user=request.user)
        except (ImportFileError, ImportRejected) as exc:
            _discard_pending(request, "ledger")
            ctx = _ledger_context(department, ImportUploadForm(), filename=pending["name"], rejected=True)
            if isinstance(exc, ImportRejected):
                ctx["result"] = exc.result
                status = 200
            else:
                ctx["file_error"] = exc.message
                status = 400
            return render(request, "cases/ledger_import.html", ctx, status=status)
        _discard_pending(request, "ledger")
        messages.success(
            request,
            _(
                "台账已导入：新增 %(c)s 件，更新 %(u)s 件，未变 %(n)s 件。已结案的案卷须在 30 日内移交法制机构自查（REV-5）。"
            )
            % {"c": result.created, "u": result.updated, "n": result.unchanged},
        )
        return redirect("cases:list")

    form = ImportUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "cases/ledger_import.html", _ledger_context(department, form), status=400)
    try:
        content, name = _read_upload(form)
        if len(content) > settings.IMPORT_SYNC_MAX_BYTES:
            # A large file is checked by a worker, not here: the page shows progress.
            _discard_pending(request, "ledger")
            job = ledger_jobs.ledger_job_create(
                owner=request.user, department=department, content=content, filename=name
            )
            return redirect("cases:ledger_job", job.pk)
        result = ledger.ledger_preview(department=department, content=content, user=request.user)
    except ImportFileError as exc:
        form.add_error("file", exc.message)
        return render(request, "cases/ledger_import.html", _ledger_context(department, form), status=400)
    token = None
    _discard_pending(request, "ledger")  # a new upload replaces any earlier preview
    if result.ok:
        token = _store_pending(request, "ledger", department=department, content=content, name=name)
    ctx = _ledger_context(
        department,
        ImportUploadForm(),
        result=result,
        token=token,
        filename=name,
        preview_plans=result.plans[:PREVIEW_ROWS],
    )
    return render(request, "cases/ledger_import.html", ctx)


def _own_ledger_job(user, pk) -> tuple[Department, LedgerImportJob]:
    """The user's own job, for their department as it is now (anyone else: 404)."""
    department = _ledger_department(user)
    job = LedgerImportJob.objects.filter(pk=pk, owner_id=user.pk, department=department).first()
    if job is None:
        raise Http404
    return department, job


def _ledger_job_context(department, job: LedgerImportJob) -> dict:
    result = ledger_jobs.result_of(job)
    ready = job.action == LedgerImportJob.PREVIEW and result is not None and result.ok
    return _ledger_context(
        department,
        ImportUploadForm(),
        job=job,
        stage_text=ledger_jobs.stage_text(job),
        result=result,
        rejected=job.result.get("rejected", False),
        file_error=job.result.get("file_error"),
        token=str(job.pk) if ready else None,
        filename=job.filename,
        preview_plans=result.plans[:PREVIEW_ROWS] if result else [],
        imported=job.action == LedgerImportJob.IMPORT and result is not None and result.ok,
    )


@login_required
def ledger_job(request, pk):
    """A large ledger's preview or import, running in the background: progress, then the
    result (every error with its row number, or the summary and 确认导入)."""
    department, job = _own_ledger_job(request.user, pk)
    if request.method == "POST":
        if "confirm" not in request.POST or not ledger_jobs.ledger_job_confirm(job):
            messages.error(request, _("导入预览已失效（已导入、已超时或已重新上传），请重新上传文件。"))
            return redirect("cases:ledger_import")
        return redirect("cases:ledger_job", job.pk)
    return render(request, "cases/ledger_job.html", _ledger_job_context(department, job))


@login_required
@require_GET
def ledger_job_progress(request, pk):
    """The fragment the job page swaps in every two seconds until the job ends."""
    department, job = _own_ledger_job(request.user, pk)
    return render(request, "cases/_ledger_job.html", _ledger_job_context(department, job))


# --------------------------------------------------------------------------------------------
# Power lists (TOL-6)
# --------------------------------------------------------------------------------------------


def _require_power_read(user) -> None:
    if not powerlist.can_read_power_list(user):
        raise PermissionDenied(
            _("您的角色无权查看权力清单（TOL-6）：权力清单对各部门人员、司法局、县领导和系统管理员开放。")
        )


def _power_filtered(request):
    _require_power_read(request.user)
    return powerlist.power_items_filtered(request.user, request.GET)


def _chips(filterset, params) -> list[tuple[str, str, str]]:
    """(label, shown value, query string without it) of each active filter, for removable chips."""
    if not filterset.is_bound or not filterset.form.is_valid():
        return []
    chips = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, ""):
            continue
        field = filterset.form.fields[name]
        shown = value
        if hasattr(field, "choices") and not hasattr(value, "pk"):
            shown = dict(field.choices).get(value, value)
        remaining = params.copy()
        remaining.pop(name, None)
        remaining.pop("page", None)
        chips.append((field.label, str(shown), remaining.urlencode()))
    return chips


@login_required
@require_GET
def power_list(request):
    filterset, qs = _power_filtered(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/poweritem_list.html",
        {
            "filter": filterset,
            "page": page,
            "chips": _chips(filterset, request.GET),
            "show_department": filterset.show_department,
            "can_maintain": powerlist.can_maintain_power_list(request.user),
            "crumbs": [(_("案卷"), reverse("cases:list")), (_("权力清单"), None)],
        },
    )


@login_required
@require_GET
def power_export(request):
    """A unit's own list is a direct download; the county's (county-wide roles, the county's
    system administrator) is always a background job, so that it cannot starve the web tier,
    made by ``powerlist.power_list_job_write`` and audited when it is."""
    filterset, qs = _power_filtered(request)
    summary = "；".join(f"{label}：{value}" for label, value, _p in _chips(filterset, request.GET)) or _("全部")
    title = _("权力清单（责任清单）")
    if powerlist.exports_county(request.user):
        from xian_enforcement.jobs.views import export_in_background

        params = {k: v for k, v in request.GET.items() if k != "page"}
        return export_in_background(
            request, kind="power_list", title=title, params=params, filter_summary=summary, rows_total=qs.count()
        )
    content = powerlist.power_items_workbook(
        qs, title=title, filter_summary=summary, with_department=filterset.show_department
    )
    audit_event_record(event_type=EventType.EXPORT, user=request.user, obj=title, detail={"filters": summary})
    return _xlsx_response(content, f"power-list-{timezone.localtime():%Y%m%d-%H%M}.xlsx")


def _power_departments(user):
    if not powerlist.can_maintain_power_list(user):
        raise PermissionDenied(
            _("只有本部门法制机构人员、法制机构负责人和系统管理员可以维护权力清单（TOL-6）；其他角色只能查看。")
        )
    return powerlist.power_list_departments(user)


@login_required
@require_GET
def power_template(request):
    _power_departments(request.user)
    return _xlsx_response(powerlist.power_template_workbook(), "power-list-template.xlsx")


def _power_context(form, departments, **extra) -> dict:
    return {
        "form": form,
        "departments": departments,
        "columns": powerlist.POWER_COLUMNS,
        "max_rows": ledger.max_rows(),
        "crumbs": [
            (_("案卷"), reverse("cases:list")),
            (_("权力清单"), reverse("cases:power_list")),
            (_("导入权力清单"), None),
        ],
        **extra,
    }


@login_required
def power_import(request):
    departments = _power_departments(request.user)
    single = departments.first() if departments.count() == 1 else None

    def make_form(*args):
        form = PowerImportForm(*args, departments=departments)
        if single is not None:
            # One department only (the legal office's own): whatever is posted, it is this one.
            del form.fields["department"]
        return form

    if request.method != "POST":
        return render(request, "cases/poweritem_import.html", _power_context(make_form(), departments, single=single))

    if "confirm" in request.POST:
        loaded = _load_pending(request, "powers", request.POST.get("token"))
        department = departments.filter(pk=loaded[0]["department"]).first() if loaded else None
        if department is None:
            messages.error(request, _("导入预览已失效（已导入、已超时或已重新上传），请重新上传文件。"))
            return redirect("cases:power_import")
        pending, content = loaded
        try:
            result = powerlist.power_list_import(department=department, content=content, user=request.user)
        except (ImportFileError, ImportRejected) as exc:
            _discard_pending(request, "powers")
            ctx = _power_context(make_form(), departments, single=single, department=department, rejected=True)
            ctx["filename"] = pending["name"]
            if isinstance(exc, ImportRejected):
                ctx["result"] = exc.result
                status = 200
            else:
                ctx["file_error"] = exc.message
                status = 400
            return render(request, "cases/poweritem_import.html", ctx, status=status)
        _discard_pending(request, "powers")
        messages.success(
            request,
            _("%(d)s的权力清单已导入：新增 %(c)s 项，更新 %(u)s 项，未变 %(n)s 项。")
            % {"d": department, "c": result.created, "u": result.updated, "n": result.unchanged},
        )
        return redirect(reverse("cases:power_list") + (f"?department={department.pk}" if single is None else ""))

    form = make_form(request.POST, request.FILES)
    if not form.is_valid():
        return render(
            request, "cases/poweritem_import.html", _power_context(form, departments, single=single), status=400
        )
    department = single or form.cleaned_data["department"]
    try:
        content, name = _read_upload(form)
        result = powerlist.power_list_preview(department=department, content=content)
    except ImportFileError as exc:
        form.add_error("file", exc.message)
        return render(
            request, "cases/poweritem_import.html", _power_context(form, departments, single=single), status=400
        )
    token = None
    _discard_pending(request, "powers")  # a new upload replaces any earlier preview
    if result.ok:
        token = _store_pending(request, "powers", department=department, content=content, name=name)
    ctx = _power_context(
        make_form(),
        departments,
        single=single,
        department=department,
        result=result,
        token=token,
        filename=name,
        preview_plans=result.plans[:PREVIEW_ROWS],
    )
    return render(request, "cases/poweritem_import.html", ctx)
