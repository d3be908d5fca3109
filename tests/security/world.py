"""A fixture world for the URL walks of tests/security/: one real object of every kind a URL
needs, in the ``dept`` of conftest.py (so its department roles may see them), plus the
``foreign`` legal officer of ``other_dept`` (to whom those objects are out of scope: 404).

``url_kwargs(name, world)`` fills the path arguments of a URL pattern. A URL with arguments
that are not known here fails the walk: add it to ``KWARGS``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from cases import services as case_services
from reviews import half_year_summaries, sampling
from reviews.models import HandlerAssessment, SampledFile
from reviews.tests.factories import locked_review, reviewable_file
from stats.tests.factories import StatReportFactory, TrainingSessionFactory
from tests.factories import CaseFileFactory, certified_officer
from tolerance import services as tol_services
from tolerance.tests.factories import add_evidence, decide, investigating
from xian_enforcement.notices.models import Notification

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XSS = '<script>alert("x")</script>"\'><img src=x onerror=alert(1)>'
SHORT_XSS = '"><img src=x onerror=alert(1)>'  # for fields shorter than XSS
XSS_MARKERS = ('<script>alert("x")', "<img src=x onerror")


@dataclass
class World:
    users: dict
    objects: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.objects[key]


def build_world(users, dept, other_dept, bureau, region) -> World:
    world = World(users=dict(users))
    o = world.objects
    legal = users["legal_officer"]
    world.users["foreign_legal_officer"] = certified_officer(
        other_dept, roles=["legal_officer"], name="外单位法制员"
    ).user

    o["case"] = CaseFileFactory(department=dept)
    o["attachment"] = case_services.case_attachment_add(
        case_file=o["case"],
        upload=SimpleUploadedFile("笔录.pdf", PDF),
        uploaded_by=users["handler"],
        description="笔录",
    )
    o["reviewable"] = reviewable_file(dept)  # closed and transferred, no self-review yet
    o["review"] = locked_review(reviewable_file(dept), users)
    o["frozen_case"] = o["review"].case_file
    o["campaign"] = sampling.campaign_create(
        by=users["bureau_staff"],
        title="2026 年度层级监督检查",
        year=2026,
        kind="regular",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        public_value="2026-03-02 上证综指收盘 3245.12",
        seed_date=datetime.date(2026, 3, 2),
    )
    sampling.campaign_draw(campaign=o["campaign"], by=users["bureau_staff"])
    o["sample"] = SampledFile.objects.filter(campaign=o["campaign"]).order_by("pk").first()
    assert o["sample"] is not None, "the draw sampled the department's closed files"
    o["summary"] = half_year_summaries.summary_submit(by=legal, year=2026, half=1, text="上半年案卷评查总结")
    o["officer"] = users["handler"].officer
    o["certificate"] = o["officer"].certificates.order_by("pk").first()
    o["assessment"] = HandlerAssessment.objects.create(
        officer=o["officer"],
        year=2026,
        main_cases=3,
        unqualified=0,
        consequence="none",
        rule_applied="REV-8",
        assessed_at=timezone.now(),
        assessed_by=users["bureau_staff"],
    )

    # Tolerance: one decided application (with its draft-then-issued correction order), its
    # evidence, decision notices, an extension request; a complaint.
    application = investigating(world.users)
    o["evidence"] = application.evidence.order_by("pk").first()
    decision = decide(world.users, application)
    tol_services.decision_notify(decision=decision, by_user=users["legal_officer"])
    application.refresh_from_db()
    o["application"] = application
    o["decision"] = decision
    o["decision_notice"] = decision.notices.order_by("pk").first()
    order = tol_services.correction_issue(
        order=decision.correction,
        by_user=users["legal_head"],
        reasons="执法程序存在瑕疵",
        requirements="一个月内完成整改",
        items=["补正调查笔录"],
        due_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    o["correction"] = order
    o["correction_item"] = order.items.order_by("pk").first()
    o["extension"] = tol_services.extension_request(
        order=order,
        by_user=users["handler"],
        requested_due=timezone.localdate() + datetime.timedelta(days=45),
        reason="材料需补充",
    )
    o["draft_application"] = add_evidence_and_return(world)
    o["complaint"] = tol_services.complaint_register(
        by_user=users["bureau_staff"],
        accused=o["officer"],
        data={
            "received_on": datetime.date(2026, 4, 2),
            "channel": "12345热线",
            "summary": "反映执法人员检查时态度粗暴",
            "anonymous": False,
            "reporter_name": "举报人张三",
            "reporter_contact": "13900000000",
        },
    )
    o["report"] = StatReportFactory(department=dept)
    o["training"] = TrainingSessionFactory(organiser=dept, people=[o["officer"]])
    o["account"] = users["handler"]
    o["export_job"] = _export_job(legal)
    o["ledger_job"] = _ledger_job(legal, dept)
    o["notification"] = Notification.objects.create(
        recipient=legal, kind="info", title="请及时完成自查评查", body="案卷已移送", url="/reviews/", dedupe_key="w1"
    )
    return world


def _export_job(owner):
    """A finished export of the legal officer (xian_enforcement.jobs), when that app exists."""
    try:
        from xian_enforcement.jobs.models import ExportJob
    except ImportError:  # pragma: no cover
        return None
    return ExportJob.objects.create(owner=owner, kind="cases", title="案卷清单导出", status="pending")


def _ledger_job(owner, dept):
    """A large ledger's finished preview of the legal officer (cases.ledger_jobs, issue 13):
    only its owner sees it; the upload itself is not needed to show the result."""
    from cases.models import LedgerImportJob
    from xian_enforcement.jobs.models import JobStatus

    return LedgerImportJob.objects.create(
        owner=owner,
        department=dept,
        filename="执法案卷台账.xlsx",
        path="imports/world.xlsx",
        status=JobStatus.DONE,
        rows_done=1,
        rows_total=1,
        result={
            "ok": True,
            "rejected": False,
            "created": 0,
            "updated": 0,
            "unchanged": 0,
            "errors": [],
            "plans": [[2, "create", "隰市监罚〔2026〕99号", "新增"]],
        },
        finished_at=timezone.now(),
    )


def add_evidence_and_return(world: World):
    from tolerance.tests.factories import draft

    application = draft(world.users["handler"])
    add_evidence(application, world.users["handler"])
    return application


# url name → {kwarg: object key in World.objects} (the object's pk is used)
KWARGS = {
    "notices:mark_read": {"pk": "notification"},
    "org:officer_detail": {"pk": "officer"},
    "org:certificate_status": {"pk": "certificate"},
    "org:officer_unmask": {"pk": "officer"},
    "manage:account_edit": {"pk": "account"},
    "manage:account_reset_password": {"pk": "account"},
    "manage:grant_edit": {"pk": "account"},
    "manage:lockout_clear": {"pk": "account"},
    "jobs:detail": {"pk": "export_job"},
    "jobs:progress": {"pk": "export_job"},
    "jobs:download": {"pk": "export_job"},
    "cases:detail": {"pk": "case"},
    "cases:edit": {"pk": "case"},
    "cases:amend": {"pk": "frozen_case"},  # REV-7: a file whose self-review record is locked
    "cases:transfer": {"pk": "case"},
    "cases:attachment_upload": {"pk": "case"},
    "cases:attachment_download": {"pk": "attachment"},
    "cases:attachment_delete": {"pk": "attachment"},
    "cases:ledger_job": {"pk": "ledger_job"},
    "cases:ledger_job_progress": {"pk": "ledger_job"},
    "reviews:start": {"case_pk": "reviewable"},
    "reviews:detail": {"pk": "review"},
    "reviews:edit": {"pk": "review"},
    "reviews:preview": {"pk": "review"},
    "reviews:sign": {"pk": "review"},
    "reviews:recheck": {"pk": "review"},
    "reviews:record_pdf": {"pk": "review"},
    "reviews:notice": {"pk": "review"},
    "reviews:notice_pdf": {"pk": "review"},
    "reviews:campaign": {"pk": "campaign"},
    "reviews:campaign_draw": {"pk": "campaign"},
    "reviews:campaign_verify": {"pk": "campaign"},
    "reviews:campaign_member_add": {"pk": "campaign"},
    "reviews:campaign_refusal_add": {"pk": "campaign"},
    "reviews:sample_assign": {"pk": "sample"},
    "reviews:sample_grade": {"pk": "sample"},
    "reviews:summary_receive": {"pk": "summary"},
    "reviews:summary_attachment": {"pk": "summary"},
    "reviews:assess": {"officer_pk": "officer"},
    "reviews:reinstate": {"pk": "assessment"},
    "tolerance:application": {"pk": "application"},
    "tolerance:application_edit": {"pk": "draft_application"},
    "tolerance:application_submit": {"pk": "draft_application"},
    "tolerance:application_withdraw": {"pk": "draft_application"},
    "tolerance:application_investigate": {"pk": "application"},
    "tolerance:evidence_upload": {"pk": "draft_application"},
    "tolerance:decide": {"pk": "application"},
    "tolerance:notify": {"pk": "application"},
    "tolerance:publish": {"pk": "application"},
    "tolerance:application_close": {"pk": "application"},
    "tolerance:decision_pdf": {"pk": "application"},
    "tolerance:evidence": {"pk": "evidence"},
    "tolerance:notice_ack": {"pk": "decision_notice"},
    "tolerance:correction": {"pk": "correction"},
    "tolerance:correction_issue": {"pk": "correction"},
    "tolerance:extension_create": {"pk": "correction"},
    "tolerance:item_report": {"pk": "correction_item"},
    "tolerance:extension_decide": {"pk": "extension"},
    "tolerance:complaint": {"pk": "complaint"},
    "tolerance:complaint_conclude": {"pk": "complaint"},
    "tolerance:complaint_feedback": {"pk": "complaint"},
    "tolerance:complaint_close": {"pk": "complaint"},
    "tolerance:clarify": {"pk": "complaint"},
    "tolerance:complaint_reporter": {"pk": "complaint"},
    "statistics:report": {"pk": "report"},
    "statistics:report_refresh": {"pk": "report"},
    "statistics:report_submit": {"pk": "report"},
    "statistics:report_accept": {"pk": "report"},
    "statistics:report_return": {"pk": "report"},
    "statistics:report_export": {"pk": "report"},
    "statistics:training_detail": {"pk": "training"},
}

# Django admin's generated patterns: the decision (staff + OTP, else redirect to the admin
# sign-in) does not depend on the object, so fixed values are used.
ADMIN_KWARG_VALUES = {"object_id": "1", "content_type_id": "1", "url": "unknown/", "id": "1", "pk": "1"}


class UnknownURLArguments(LookupError):
    pass


def url_kwargs(name: str, pattern_kwargs: list[str], world: World, app_labels: list[str]) -> dict:
    if not pattern_kwargs:
        return {}
    if name.startswith("admin:"):
        values = dict(ADMIN_KWARG_VALUES)
        values["app_label"] = app_labels[0] if app_labels else "auth"
        missing = [k for k in pattern_kwargs if k not in values]
        if missing:
            raise UnknownURLArguments(f"{name}: no value for {missing} in tests/security/world.py ADMIN_KWARG_VALUES")
        return {k: values[k] for k in pattern_kwargs}
    if name not in KWARGS or set(KWARGS[name]) != set(pattern_kwargs):
        raise UnknownURLArguments(
            f"{name} takes {pattern_kwargs}: add it to KWARGS in tests/security/world.py "
            "(which world object fills each argument) and classify it in tests/security/urlwalk.py"
        )
    return {k: world[v].pk for k, v in KWARGS[name].items()}


def plant_payload(world: World) -> int:
    """security.md Input "XSS": store the hostile string in every free-text field (plain
    CharField/TextField without choices, long enough) of every object of the world and of the
    people in it. Returns how many field values were set."""
    from django.contrib.auth import get_user_model

    from xian_enforcement.org.models import Department

    targets = list(world.objects.values())
    for user in world.users.values():
        officer = getattr(user, "officer", None)
        if officer is not None:
            targets.append(officer)
    targets += list(Department.objects.all())
    targets += [world["application"].decision, world["report"]]
    skip_names = {
        "code",
        "number_prefix",
        "dedupe_key",
        "key",
        "seed",
        "sha256",
        "pdf_sha256",
        "content_type",
        "url",
        "rule_id",
        "digest",
        "rule_applied",
        "username",
        "password",
        "email",
        "short_name_en",
    }
    planted = 0
    seen = set()
    for obj in targets:
        if obj is None or (type(obj), obj.pk) in seen or isinstance(obj, get_user_model()):
            continue
        seen.add((type(obj), obj.pk))
        values = {}
        for f in obj._meta.concrete_fields:
            if type(f) not in (models.CharField, models.TextField) or f.choices or f.name in skip_names:
                continue
            if f.name.endswith(("_code", "_hash", "_sha256", "_digest")):
                continue
            # A running suffix keeps unique fields (and unique-together ones) unique.
            value = f"{XSS}#{planted}"
            if f.max_length is not None and f.max_length < len(value):
                value = f"{SHORT_XSS}#{planted}"
                if f.max_length < len(value):
                    continue
            values[f.name] = value
            planted += 1
        if values:
            type(obj)._base_manager.filter(pk=obj.pk).update(**values)
    return planted


def build_everything() -> World:
    """The conftest.py people (``region``, ``dept``, ``other_dept``, ``bureau``, ``users``) and
    the world, for module-scoped fixtures that cannot use the function-scoped ones."""
    from tests.factories import DepartmentFactory, OfficerFactory, RegionFactory, UserFactory
    from xian_enforcement.org.choices import DepartmentKind, Role

    region = RegionFactory()
    dept = DepartmentFactory(
        region=region, name="隰县市场监督管理局", short_name="市场监管局", kind=DepartmentKind.COUNTY_DEPARTMENT
    )
    other_dept = DepartmentFactory(region=region, name="龙泉镇", short_name="龙泉镇", kind=DepartmentKind.TOWNSHIP)
    bureau = DepartmentFactory(region=region, name="隰县司法局", short_name="司法局", kind=DepartmentKind.BUREAU)
    people = {}
    for role in (Role.HANDLER, Role.LEGAL_OFFICER, Role.LEGAL_HEAD, Role.UNIT_HEAD, Role.PARTY_MEMBER):
        people[role.value] = certified_officer(dept, roles=[role.value], name=f"{role.label}甲").user
    for role in (Role.BUREAU_STAFF, Role.REVIEW_GROUP):
        people[role.value] = certified_officer(bureau, roles=[role.value], name=f"{role.label}乙").user
    for role in (Role.LEADER, Role.SYSADMIN, Role.SECADMIN, Role.AUDITADMIN):
        user = UserFactory(roles=[role.value], username=f"u_{role.value}")
        OfficerFactory(user=user, department=None, region=region, name=f"{role.label}丙", is_enforcement_officer=False)
        people[role.value] = user
    people["nobody"] = UserFactory(username="u_nobody")
    return build_world(people, dept, other_dept, bureau, region)
