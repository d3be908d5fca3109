"""Demo data of the tolerance room: applications in every state, party-group decisions with
notices, correction orders, a risk warning, complaints and a clarification for the demo county.

Called by ``seed_demo`` through its dotted path ``tolerance.demo.build`` (after
``cases.demo.build``); ``tolerance.demo.reset`` deletes what ``build`` made. Everything goes
through the services, so the data obey every rule (a few dozen rows: fast enough)."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q

from cases.models import CaseFile
from xian_enforcement.notices.models import Deadline, Notification
from xian_enforcement.org.choices import Role

from . import services
from .choices import EnforcementField, ErrorCategory
from .models import (
    Application,
    Circumstance,
    Clarification,
    Complaint,
    CorrectionOrder,
    Decision,
    DecisionNotice,
    RiskWarning,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ACTS = [
    ("在食品安全专项检查中，为防止问题食品流入市场，临机决定先行登记保存，事后补办审批手续。", "procedure", "TOL-11.5"),
    ("开展扬尘治理攻坚时，对施工工地责令停工整改，后因上级政策调整，处理结果未达预期。", "law", "TOL-11.4"),
    ("相对人提供虚假营业执照复印件，致使作出的行政许可决定存在错误。", "facts", "TOL-10.2"),
    ("检查中执法对象故意隐瞒仓库存货情况，未及时发现过期产品。", "evidence", "TOL-11.6"),
    ("因暴雨导致道路中断，未能在法定期限内送达处罚决定书。", "time_limit", "TOL-10.5"),
    ("自由裁量时未充分考虑当事人主动消除违法后果的情节，罚款偏重，已主动纠正。", "discretion", "TOL-12.1"),
    ("现场检查笔录未载明检查人员执法证号，已补正。", "document", "TOL-11.9"),
]
ANALYSIS = {
    "subjective": "主观上出于履职担当，无谋取私利的故意。",
    "objective": "客观上政策界限不够明确，现场情况紧急。",
    "procedure": "事后及时补办手续，经集体研究。",
    "nature": "属于探索性失误，情节轻微。",
    "consequences": "未造成重大损失和严重不良影响。",
    "recovery": "已主动消除影响，挽回全部损失。",
}


def _users(county, dept_id):
    """The role holders of a department: role → User."""
    User = get_user_model()
    holders = {}
    for person in county.officers.get(dept_id, []):
        for role in person.roles:
            holders.setdefault(role, person.user_id)
    users = {u.pk: u for u in User.objects.filter(pk__in=holders.values())}
    return {role: users[pk] for role, pk in holders.items()}


def _handlers(county, dept_id, exclude):
    User = get_user_model()
    ids = [p.user_id for p in county.officers.get(dept_id, []) if Role.HANDLER in p.roles and p.user_id not in exclude]
    return list(User.objects.filter(pk__in=ids).select_related("officer"))


def _apply(holders, handler, rng, act, category, code, today, case_files=()):
    application = services.application_create(
        by_user=handler,
        officer=handler.officer,
        data={
            "act": act,
            "act_date": today - datetime.timedelta(days=rng.randint(10, 60)),
            "error_category": category,
            "field": rng.choice(EnforcementField.values[:-1]),
            "statement": "本人在履职中出现上述失误，符合所引情形，特申请容错免责认定。",
        },
        circumstances=Circumstance.objects.filter(code__in=[code, "TOL-12.1"]),
        case_files=case_files,
    )
    services.evidence_add(
        application=application,
        by_user=handler,
        upload=SimpleUploadedFile("情况说明.pdf", PDF),
        description="情况说明及现场照片",
    )
    return application


def _advance(holders, application, stage, code, rng, today):
    """Take an application through the workflow up to ``stage``."""
    if stage == "draft":
        return
    services.application_submit(application=application, by_user=application.officer.user)
    if stage == "submitted":
        return
    services.application_investigate(
        application=application,
        by_user=holders[Role.LEGAL_OFFICER],
        findings="经调取执法记录仪视频、询问相关人员，申请所述情况属实。",
    )
    if stage == "investigating":
        return
    kind = code.split(".")[0]
    outcome = "exempt" if kind in ("TOL-10", "TOL-11") else "mitigated"
    if rng.random() < 0.15:
        outcome = "not_tolerated"
    party = holders[Role.PARTY_MEMBER]
    decision = services.decision_record(
        application=application,
        by_user=party,
        data={
            "facts": "经调查核实，" + application.act,
            "legal_basis": "《隰县行政执法尽职免责和容错纠错制度（试行）》（隰政办发〔2022〕63号）第十条至第十四条",
            **ANALYSIS,
            **{f"c{i}": True for i in (1, 2, 3)},
            **{f"c{i}_reason": r for i, r in ((1, "法律法规未明令禁止"), (2, "未造成损失"), (3, "已主动纠正"))},
            "veto": outcome == "not_tolerated",
            "veto_reason": "超出法定程序" if outcome == "not_tolerated" else "",
            "outcome": outcome,
            "publication_scope": rng.choice(["unit", "county", "public"]),
        },
        accepted=Circumstance.objects.filter(code=code),
        members_present=[party.officer],
        on=today - datetime.timedelta(days=rng.randint(0, 3)) if stage == "decided" else None,
    )
    if stage == "decided":
        return
    services.decision_notify(decision=decision, by_user=holders[Role.LEGAL_OFFICER])
    order = CorrectionOrder.objects.filter(decision=decision).first()
    if order is None or stage == "notified":
        return
    services.correction_issue(
        order=order,
        by_user=holders[Role.LEGAL_HEAD],
        reasons="执法过程中存在程序瑕疵，需举一反三、完善制度。",
        requirements="逐项整改，按期报送整改材料；单位分析原因、完善相关制度。",
        items=["补正相关执法文书", "组织科室学习相关法律法规", "修订现场检查工作流程"],
        due_date=today + datetime.timedelta(days=rng.randint(20, 40)),
    )
    if stage == "closed":
        services.application_close(application=application, by_user=holders[Role.LEGAL_OFFICER])


def build(county, *, cases=None, rng: random.Random) -> dict[str, int]:
    """Tolerance data for ``county`` (a xian_enforcement.org.demo.DemoCounty)."""
    today = county.today
    demo_handler = county.demo.get("demo_handler")
    stages = ["closed", "notified", "decided", "investigating", "submitted", "draft", "issued"]
    for index, dept in enumerate(county.departments[:10]):
        holders = _users(county, dept.pk)
        if not {Role.PARTY_MEMBER, Role.LEGAL_OFFICER, Role.LEGAL_HEAD} <= set(holders):
            continue
        handlers = _handlers(county, dept.pk, exclude={u.pk for u in holders.values()})
        if demo_handler and demo_handler.department_id == dept.pk:
            demo_user = get_user_model().objects.select_related("officer").get(pk=demo_handler.user_id)
            handlers = [demo_user] + [h for h in handlers if h.pk != demo_user.pk]
            plan = ["issued", "investigating", "decided", "closed", "submitted", "draft"]
        else:
            plan = rng.sample(stages, k=3 if index % 2 else 4)
        for n, stage in enumerate(plan):
            if not handlers:
                break
            handler = handlers[n % len(handlers)]
            act, category, code = ACTS[(index + n) % len(ACTS)]
            files = list(CaseFile.objects.filter(department=dept, main_handler=handler.officer)[:1])
            application = _apply(holders, handler, rng, act, category, code, today, files)
            _advance(holders, application, "closed" if stage == "closed" else stage, code, rng, today)
    _risk_demo(county, rng, today)
    _complaints(county, today)
    return {
        "tolerance_applications": Application.objects.filter(department__in=county.departments).count(),
        "tolerance_decisions": Decision.objects.filter(application__department__in=county.departments).count(),
        "complaints": Complaint.objects.filter(region=county.region).count(),
    }


def _risk_demo(county, rng, today):
    """Three submitted applications of one category in one department: a TOL-18 warning."""
    for dept in county.departments[10:]:
        holders = _users(county, dept.pk)
        handlers = _handlers(county, dept.pk, exclude={u.pk for u in holders.values()})
        if len(handlers) < 2 or Role.LEGAL_OFFICER not in holders:
            continue
        for n in range(3):
            application = _apply(
                holders, handlers[n % len(handlers)], rng, ACTS[0][0], ErrorCategory.PROCEDURE, "TOL-11.5", today
            )
            services.application_submit(application=application, by_user=application.officer.user)
        return


def _complaints(county, today):
    bureau_staff = county.demo.get("demo_bureau")
    demo_handler = county.demo.get("demo_handler")
    if bureau_staff is None or demo_handler is None:
        return
    User = get_user_model()
    staff = User.objects.select_related("officer").get(pk=bureau_staff.user_id)
    accused = User.objects.select_related("officer").get(pk=demo_handler.user_id).officer
    base = {"received_on": today - datetime.timedelta(days=20), "channel": "12345政务服务热线"}
    real = services.complaint_register(
        by_user=staff,
        accused=accused,
        data={
            **base,
            "summary": "反映执法人员在检查中刁难商户。",
            "reporter_name": "刘某某",
            "reporter_contact": "139****0000",
        },
    )
    services.complaint_conclude(
        complaint=real, by_user=staff, outcome="untrue", note="经调取执法记录仪视频，反映问题不实。"
    )
    services.complaint_feedback(complaint=real, by_user=staff, text="已向举报人电话反馈查处结果。")
    services.complaint_close(complaint=real, by_user=staff)
    services.clarification_record(
        complaint=real,
        by_user=staff,
        scope="龙泉镇全体干部职工",
        form="meeting",
        on=today - datetime.timedelta(days=5),
        text="经查，信访反映问题不实，予以澄清正名，消除不良影响。",
    )
    services.complaint_register(
        by_user=staff,
        accused=accused,
        data={
            **base,
            "received_on": today - datetime.timedelta(days=3),
            "summary": "匿名反映执法不公。",
            "anonymous": True,
        },
    )


def reset(departments) -> dict[str, int]:
    """Delete the tolerance room's demo data for ``departments``."""
    apps = Application.objects.filter(department__in=departments)
    for model, ids in (
        (Decision, Decision.objects.filter(application__in=apps).values_list("pk", flat=True)),
        (CorrectionOrder, CorrectionOrder.objects.filter(decision__application__in=apps).values_list("pk", flat=True)),
    ):
        Deadline.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=list(ids)).delete()
    Notification.objects.filter(Q(rule_id__startswith="TOL-"), recipient__officer__department__in=departments).delete()
    Clarification.objects.filter(officer__department__in=departments).delete()
    n_complaints = Complaint.objects.filter(accused_department__in=departments).delete()[0]
    RiskWarning.objects.filter(region__departments__in=departments).delete()
    DecisionNotice.objects.filter(decision__application__in=apps).delete()
    CorrectionOrder.objects.filter(decision__application__in=apps).delete()
    Decision.objects.filter(application__in=apps).delete()
    n_apps = apps.delete()[0]
    return {"tolerance_applications": n_apps, "complaints": n_complaints}
