"""Self-review record pages (REV-7, REV-13, REV-14, REV-15): start, fill (with a live htmx
score), submit, sign, the two PDFs, the notice to the handler, and the REV-6 coverage table.
Views stay thin: one fetch helper, one service, render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.selectors import case_file_for_user
from xian_enforcement.documents.services import document_disposition
from xian_enforcement.errors import DomainError, error_text

from . import recheck, scoring, selectors, services
from .choices import ItemKind, ReviewStatus, SignerRole, Stage
from .pdf import record_pdf


def _crumbs(review, last: str):
    return [
        (_("评查"), reverse("reviews:index")),
        (review.case_file.number, reverse("cases:detail", args=[review.case_file_id])),
        (last, None),
    ]


@login_required
@require_POST
def review_start(request, case_pk: int):
    case = case_file_for_user(request.user, case_pk)
    if not selectors.can_write_review_of(request.user, case):
        from django.core.exceptions import PermissionDenied

        if selectors.handled(request.user, case):
            raise PermissionDenied(selectors.HANDLER_MAY_NOT_REVIEW)
        raise PermissionDenied(_("只有本部门法制机构人员或法制机构负责人可以开始自查（REV-7）。"))
    try:
        review = services.self_review_start(case_file=case, by=request.user)
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("reviews:index")
    messages.success(request, _("已开始自查。逐项勾选否决项、填写扣分和理由，保存草稿后提交签署（REV-7）。"))
    return redirect("reviews:edit", pk=review.pk)


def _rows(review, values) -> list[dict]:
    """Checklist rows for the form: each item with the posted or saved values."""
    saved = {f.item_id: f for f in review.findings.all()}
    rows = []
    for item in review.template.items.all():
        f = saved.get(item.pk)
        if values is not None:
            failed = bool(values.get(f"veto_{item.pk}"))
            deduct = values.get(f"deduct_{item.pk}", "")
            reason = values.get(f"reason_{item.pk}", "")
        else:
            failed = bool(f and f.failed)
            deduct = f.deduction if f and not f.failed else ""
            reason = f.reason if f else ""
        rows.append({"item": item, "failed": failed, "deduct": deduct, "reason": reason})
    return rows


def _grouped(rows):
    veto = [r for r in rows if r["item"].kind == ItemKind.VETO]
    stages = []
    for stage in Stage:
        stage_rows = [r for r in rows if r["item"].kind == ItemKind.SCORED and r["item"].stage == stage]
        if stage_rows:
            points = sum(r["item"].points for r in stage_rows)
            stages.append({"label": stage.label, "rows": stage_rows, "points": points})
    return veto, stages


def _preview(review, data):
    findings, errors = services.parse_findings(review.template, data)
    result = scoring.compute(list(review.template.items.all()), {k: (f, d) for k, (f, d, _r) in findings.items()})
    return result, errors


@login_required
def review_edit(request, pk: int):
    review = selectors.review_for_user(request.user, pk, write=True)
    if review.status != ReviewStatus.DRAFT:
        messages.info(request, _("自查记录已提交，不能再修改。"))
        return redirect("reviews:detail", pk=review.pk)
    data = request.POST if request.method == "POST" else None
    errors: list[str] = []
    if data is not None:
        findings, errors = services.parse_findings(review.template, data)
        if not errors:
            try:
                services.self_review_save(
                    review=review,
                    by=request.user,
                    findings=findings,
                    problems_substance=data.get("problems_substance", ""),
                    problems_procedure=data.get("problems_procedure", ""),
                )
                if data.get("action") == "submit":
                    services.self_review_submit(review=review, by=request.user)
            except DomainError as exc:
                errors = [error_text(exc)]
            else:
                if data.get("action") == "submit":
                    messages.success(
                        request,
                        _(
                            "自查记录已提交。请法制机构负责人和执法机构负责人分别登录签署；两人签署后记录锁定，通知书送达主办人（REV-7）。"
                        ),
                    )
                    return redirect("reviews:detail", pk=review.pk)
                messages.success(request, _("草稿已保存。"))
                return redirect("reviews:edit", pk=review.pk)
    rows = _rows(review, data)
    veto, stages = _grouped(rows)
    result = _preview(review, data)[0] if data is not None else review
    return render(
        request,
        "reviews/review_form.html",
        {
            "review": review,
            "case": review.case_file,
            "veto_rows": veto,
            "stages": stages,
            "result": result,
            "errors": errors,
            "problems_substance": data.get("problems_substance", "") if data else review.problems_substance,
            "problems_procedure": data.get("problems_procedure", "") if data else review.problems_procedure,
            "crumbs": _crumbs(review, _("填写自查记录")),
        },
        status=400 if errors else 200,
    )


@login_required
@require_POST
def review_preview(request, pk: int):
    """htmx: the live score and grade of the form as typed (nothing saved)."""
    review = selectors.review_for_user(request.user, pk, write=True)
    result, errors = _preview(review, request.POST)
    return render(request, "reviews/_score.html", {"result": result, "errors": errors})


@login_required
def review_detail(request, pk: int):
    review = selectors.review_for_user(request.user, pk)
    rows = _rows(review, None)
    veto, stages = _grouped(rows)
    signatures = {s.role: s for s in review.signatures.all()}
    can_sign = [
        (role, SignerRole(role).label)
        for role in services.signer_roles_for(request.user, review)
        if role not in signatures and review.status == ReviewStatus.SUBMITTED
    ]
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "case": review.case_file,
            "veto_rows": veto,
            "stages": stages,
            "signatures": [(role, label, signatures.get(role)) for role, label in SignerRole.choices],
            "can_sign": can_sign,
            # REV-7: a head who handled the file does not sign; if no other holder of the post
            # exists, the page says so.
            "handled_file": selectors.handled(request.user, review.case_file),
            "missing_signers": [SignerRole(r).label for r in services.missing_signers(review)],
            "can_edit": review.status == ReviewStatus.DRAFT
            and selectors.can_write_review_of(request.user, review.case_file),
            "notice": getattr(review, "notice", None) if review.is_locked else None,
            **_recheck_context(request.user, review),
            "crumbs": _crumbs(review, _("自查记录")),
        },
    )


def _recheck_context(user, review) -> dict:
    """REV-7: the amendments awaiting re-review (for a record marked "案卷在评查后被更正"), the
    re-review form for the legal office, and the re-reviews made so far."""
    pending = recheck.pending_amendments(review) if review.case_amended else []
    return {
        "pending_amendments": pending,
        "latest_amendment": pending[-1] if pending else None,
        "can_recheck": recheck.can_recheck(user, review),
        "rechecks": recheck.rechecks_of(review),
    }


@login_required
@require_POST
def review_recheck(request, pk: int):
    """REV-7: the legal office re-reviews a record whose file was amended after review and
    confirms, with its reasons, that the record still stands. Outside the jurisdiction 404;
    readable but not the department's legal office 403."""
    review = selectors.review_for_user(request.user, pk)
    if not selectors.can_write_review_of(request.user, review.case_file):
        from django.core.exceptions import PermissionDenied

        if selectors.handled(request.user, review.case_file):
            raise PermissionDenied(selectors.HANDLER_MAY_NOT_REVIEW)
        raise PermissionDenied(_("只有本部门法制机构人员或法制机构负责人可以重新评查（REV-7）。"))
    try:
        seen = int(request.POST.get("amendment") or 0) or None
    except ValueError:
        seen = None
    try:
        recheck.self_review_recheck(
            review=review, by=request.user, reason=request.POST.get("reason", ""), seen_amendment_id=seen
        )
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect(reverse("reviews:detail", args=[review.pk]) + "#recheck")
    messages.success(
        request,
        _("已重新评查：原自查记录仍然成立，签署和锁定保持不变；“案卷在评查后被更正”标记已清除（REV-7）。"),
    )
    return redirect(reverse("reviews:detail", args=[review.pk]) + "#rechecks")


@login_required
@require_POST
def review_sign(request, pk: int):
    review = selectors.review_for_user(request.user, pk)
    if selectors.handled(request.user, review.case_file):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(
            _("您承办了该案卷（主办或协办），不能为其自查记录签署；须由本部门同一岗位的其他负责人签署（REV-7）。")
        )
    try:
        services.self_review_sign(review=review, by=request.user, role=request.POST.get("role", ""))
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect("reviews:detail", pk=review.pk)
    review.refresh_from_db()
    if review.is_locked:
        messages.success(request, _("已签署。两位负责人均已签署，记录已锁定，评查结果通知书已送达主办人（REV-7）。"))
    else:
        messages.success(request, _("已签署。待另一位负责人签署后记录锁定（REV-7）。"))
    return redirect("reviews:detail", pk=review.pk)


def _pdf_response(content: bytes, title: str) -> HttpResponse:
    """The PDF, named by what it is (案号, 文号), never a database id."""
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = document_disposition(title)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def review_record_pdf(request, pk: int):
    review = selectors.review_for_user(request.user, pk)
    return _pdf_response(record_pdf(review), f"{review.case_file.number}评查记录表")


def _notice_or_404(review):
    notice = getattr(review, "notice", None) if review.is_locked else None
    if notice is None:
        raise Http404(_("该自查记录尚未签署锁定，还没有评查结果通知书。"))
    return notice


@login_required
def review_notice(request, pk: int):
    """REV-7: the written notice; opening it as the recipient records the reading."""
    review = selectors.review_for_user(request.user, pk)
    notice = _notice_or_404(review)
    if services.notice_mark_read(notice=notice, by=request.user):
        notice.refresh_from_db()
        messages.info(request, _("已记录您阅读评查结果通知书的时间。"))
    return render(
        request,
        "reviews/notice.html",
        {"review": review, "case": review.case_file, "notice": notice, "crumbs": _crumbs(review, _("评查结果通知书"))},
    )


@login_required
def review_notice_pdf(request, pk: int):
    review = selectors.review_for_user(request.user, pk)
    notice = _notice_or_404(review)
    with notice.pdf.open("rb") as fh:
        content = fh.read()
    return _pdf_response(content, notice.document_number)


@login_required
def coverage(request):
    """REV-6 (rate 100%) and REV-12 (exclusions shown, not in the denominator)."""
    selectors.coverage_access(request.user)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year + 1)
    return render(
        request,
        "reviews/coverage.html",
        {
            "rows": selectors.coverage(request.user, year),
            "coverage_definition": selectors.COVERAGE_DEFINITION,
            "year": year,
            "years": list(range(today.year, today.year - 5, -1)),
            "crumbs": [(_("评查"), reverse("reviews:index")), (_("自查率"), None)],
        },
    )


@login_required
def library(request):
    """REV-16: excellent files shared for study, personal data masked."""
    from django.core.paginator import Paginator

    page = Paginator(selectors.excellent_library(request.user), 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    page.prev_url = page.next_url = ""
    if page.has_previous():
        params["page"] = page.previous_page_number()
        page.prev_url = f"?{params.urlencode()}"
    if page.has_next():
        params["page"] = page.next_page_number()
        page.next_url = f"?{params.urlencode()}"
    for r in page.object_list:
        r.party_masked = selectors.mask_party(r.case_file.party_name, r.case_file.party_kind)
    return render(
        request,
        "reviews/library.html",
        {"page": page, "crumbs": [(_("评查"), reverse("reviews:index")), (_("优秀案卷"), None)]},
    )
