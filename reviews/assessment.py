"""REV-8 annual handler assessment (with TOL-15: tolerated files are not counted) and the
re-assessment that reinstates a suspended handler."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import tolerance.selectors
from cases.models import CaseFile
from xian_enforcement.errors import DomainError
from xian_enforcement.notices import services as notices
from xian_enforcement.org.choices import CertificateStatus, Role
from xian_enforcement.org.models import Certificate, CertificateStatusChange, Officer
from xian_enforcement.org.scoping import scope_for
from xian_enforcement.org.services import certificate_change_status

from .choices import Consequence, Grade, ReviewStatus
from .conf import rule
from .models import HandlerAssessment, SampledFile, SelfReview


@dataclass(frozen=True)
class Thresholds:
    criticism: int
    no_award: int
    suspend: int
    text: str
    short: str = ""


def thresholds_for(main_cases: int) -> Thresholds:
    """REV-8 thresholds for a handler with ``main_cases`` cases as main handler. The article
    covers ≤ 10 cases; above that the default scales the thresholds per started block of 10
    (configurable: REV_8_SCALE_ABOVE, REV_8_PER_CASES)."""
    per = rule("REV_8_PER_CASES")
    base = (rule("REV_8_CRITICISM_AT"), rule("REV_8_NO_AWARD_AT"), rule("REV_8_SUSPEND_AT"))
    if main_cases <= per or not rule("REV_8_SCALE_ABOVE"):
        text = _(
            "第八条：主办案件 %(per)s 件以内，不合格 %(a)s 件通报批评，%(b)s 件不得评为先进和优秀，%(c)s 件以上暂停执法资格"
        ) % {
            "per": per,
            "a": base[0],
            "b": base[1],
            "c": base[2],
        }
        levels = "/".join(str(b) for b in base)
        if main_cases > per:
            text += _("（主办超过 %(per)s 件，按配置不折算，仍适用上述标准）") % {"per": per}
            short = _("主办 %(n)s 件，不折算：%(t)s") % {"n": main_cases, "t": levels}
        else:
            short = _("主办 %(n)s 件：%(t)s") % {"n": main_cases, "t": levels}
        return Thresholds(*base, text, short)
    factor = math.ceil(main_cases / per)
    scaled = tuple(b * factor for b in base)
    text = _(
        "第八条未规定主办超过 %(per)s 件的情形；按本平台配置，每 %(per)s 件为一档折算（主办 %(n)s 件，折算 %(f)s 档）："
        "不合格 %(a)s 件通报批评，%(b)s 件不得评为先进和优秀，%(c)s 件以上暂停执法资格"
    ) % {"per": per, "n": main_cases, "f": factor, "a": scaled[0], "b": scaled[1], "c": scaled[2]}
    short = _("主办 %(n)s 件，%(f)s 档：%(t)s") % {
        "n": main_cases,
        "f": factor,
        "t": "/".join(str(b) for b in scaled),
    }
    return Thresholds(*scaled, text, short)


def scaling_text() -> str:
    """The rule for handlers with more than ``per`` main cases, stated without an example (the
    assessment page's header; each handler's row shows the thresholds that applied)."""
    per = rule("REV_8_PER_CASES")
    if not rule("REV_8_SCALE_ABOVE"):
        return _("主办超过 %(per)s 件的，按配置不折算，仍适用上述标准") % {"per": per}
    return _(
        "第八条未规定主办超过 %(per)s 件的情形；按本平台配置，每 %(per)s 件（不足 %(per)s 件按 %(per)s 件计）为一档，"
        "三项标准按档数倍增。每人适用的标准见“适用规则”列（通报批评/不得评优/暂停执法资格）"
    ) % {"per": per}


def consequence_for(main_cases: int, unqualified: int) -> tuple[str, str]:
    t = thresholds_for(main_cases)
    if unqualified >= t.suspend:
        return Consequence.SUSPENDED, t.text
    if unqualified >= t.no_award:
        return Consequence.NO_AWARD, t.text
    if unqualified >= t.criticism:
        return Consequence.CRITICISM, t.text
    return Consequence.NONE, t.text


def unqualified_files(officer_id: int, year: int) -> tuple[int, set[int], set[int]]:
    """(main cases of the year, unqualified file ids, of which tolerated per TOL-15). A file
    counts once even if both the self-review and an inspection found it unqualified."""
    cases = CaseFile.objects.filter(main_handler_id=officer_id, closed_on__year=year)
    main_cases = cases.count()
    ids = set(
        SelfReview.objects.filter(case_file__in=cases, status=ReviewStatus.LOCKED, grade=Grade.UNQUALIFIED).values_list(
            "case_file_id", flat=True
        )
    ) | set(
        SampledFile.objects.filter(case_file__in=cases, grade=Grade.UNQUALIFIED).values_list("case_file_id", flat=True)
    )
    tolerated = set(tolerance.selectors.tolerated_case_file_ids(ids)) & ids if ids else set()
    return main_cases, ids, tolerated


def _require_assessor(user, officer: Officer) -> None:
    scope = scope_for(user)
    if scope.is_read_only:
        raise DomainError(_("县领导只读，不能评定考核（REV-8）。"), rule_id="REV-8")
    if scope.has(Role.BUREAU_STAFF) and scope.region_id == officer.region_id:
        return
    if scope.has(Role.LEGAL_HEAD) and scope.department_id == officer.department_id:
        return
    raise DomainError(_("执法人员年度评查考核由司法局或本部门法制机构负责人评定（REV-8）。"), rule_id="REV-8")


@transaction.atomic
def handler_assess(*, officer: Officer, year: int, by) -> HandlerAssessment:
    """REV-8: count, apply the thresholds, record the consequence; suspension suspends every
    active certificate (the handler can no longer be assigned and leaves the public list)."""
    _require_assessor(by, officer)
    return _assess(officer=officer, year=year, by=by)


def handlers_assess_year(*, year: int) -> int:
    """REV-8, at year end (beat entry ``rev8-year-end-assessment``): assess every handler with
    main cases closed in ``year`` who has no assessment of that year yet, and apply the
    consequences. Idempotent: a second run finds every handler assessed and does nothing; an
    interrupted run resumes where it stopped (one transaction per handler). Returns the number
    of handlers assessed."""
    officer_ids = (
        CaseFile.objects.filter(closed_on__year=year, main_handler__isnull=False)
        .exclude(main_handler__review_assessments__year=year)
        .values_list("main_handler_id", flat=True)
        .distinct()
    )
    done = 0
    for officer in Officer.objects.filter(pk__in=list(officer_ids)).select_related("user").order_by("pk"):
        with transaction.atomic():
            if HandlerAssessment.objects.select_for_update().filter(officer=officer, year=year).exists():
                continue  # a concurrent run or a person assessed this handler meanwhile
            _assess(officer=officer, year=year, by=None)
            done += 1
    return done


def _assess(*, officer: Officer, year: int, by) -> HandlerAssessment:
    main_cases, ids, tolerated = unqualified_files(officer.pk, year)
    counted = len(ids - tolerated)
    consequence, text = consequence_for(main_cases, counted)
    note = ""
    if tolerated:
        numbers = "、".join(
            CaseFile.objects.filter(pk__in=tolerated).order_by("number").values_list("number", flat=True)
        )
        note = _("TOL-15：%(n)s 件案卷经容错免责认定，不作为执法过错，不计入不合格：%(list)s") % {
            "n": len(tolerated),
            "list": numbers,
        }
    assessment, _created = HandlerAssessment.objects.select_for_update().update_or_create(
        officer=officer,
        year=year,
        defaults={
            "main_cases": main_cases,
            "unqualified": counted,
            "tolerated": len(tolerated),
            "tolerated_note": note[:300],
            "consequence": consequence,
            "rule_applied": text[:300],
            "assessed_at": timezone.now(),
            "assessed_by": by,
        },
    )
    if consequence == Consequence.SUSPENDED and not assessment.reassessed_on:
        for cert in Certificate.objects.filter(officer=officer, status=CertificateStatus.ACTIVE):
            certificate_change_status(
                certificate=cert,
                to_status=CertificateStatus.SUSPENDED,
                reason=_("%(y)s 年度不合格案卷 %(n)s 件，暂停执法资格，培训考核合格后恢复") % {"y": year, "n": counted},
                rule_id="REV-8",
                changed_by=by,
            )
    if consequence != Consequence.NONE:
        _notify_officer(assessment, officer)
    return assessment


def _notify_officer(assessment: HandlerAssessment, officer: Officer) -> None:
    """The officer is told the consequence and the rule that gave it, once per consequence."""
    body = _("%(y)s 年度主办案件 %(m)s 件，不合格案卷 %(n)s 件（%(rule)s）。") % {
        "y": assessment.year,
        "m": assessment.main_cases,
        "n": assessment.unqualified,
        "rule": thresholds_for(assessment.main_cases).short,
    }
    if assessment.consequence == Consequence.SUSPENDED:
        body += _("执法证已暂停，不能承办新案件；参加培训并考核合格后恢复。")
    notices.notify(
        recipient=officer.user,
        title=_("%(y)s 年度案卷评查考核：%(c)s（REV-8）")
        % {"y": assessment.year, "c": Consequence(assessment.consequence).label},
        body=body,
        rule_id="REV-8",
        dedupe_key=f"rev8:{assessment.pk}:{assessment.consequence}",
    )


@transaction.atomic
def handler_reassessment_pass(
    *, assessment: HandlerAssessment, by, on: datetime.date | None = None
) -> HandlerAssessment:
    """REV-8: a passed re-assessment after training reinstates the certificates this rule
    suspended."""
    assessment = HandlerAssessment.objects.select_for_update().select_related("officer").get(pk=assessment.pk)
    _require_assessor(by, assessment.officer)
    if assessment.consequence != Consequence.SUSPENDED:
        raise DomainError(_("只有被暂停执法资格的人员需要培训后考核（REV-8）。"), rule_id="REV-8")
    if assessment.reassessed_on:
        raise DomainError(_("已记录考核合格。"), rule_id="REV-8")
    assessment.reassessed_on = on or timezone.localdate()
    assessment.save(update_fields=["reassessed_on"])
    suspended_by_rev8 = CertificateStatusChange.objects.filter(
        certificate__officer=assessment.officer, to_status=CertificateStatus.SUSPENDED, rule_id="REV-8"
    ).values("certificate_id")
    for cert in Certificate.objects.filter(pk__in=suspended_by_rev8, status=CertificateStatus.SUSPENDED):
        certificate_change_status(
            certificate=cert,
            to_status=CertificateStatus.ACTIVE,
            reason=_("培训后考核合格，恢复执法资格"),
            rule_id="REV-8",
            changed_by=by,
        )
    notices.notify(
        recipient=assessment.officer.user,
        title=_("培训后考核合格，执法资格已恢复（REV-8）"),
        body=_("%(y)s 年度评查考核暂停的执法证已恢复有效。") % {"y": assessment.year},
        rule_id="REV-8",
        dedupe_key=f"rev8:{assessment.pk}:reinstated",
    )
    return assessment
