"""Applications (TOL-2, TOL-14b), the workflow and its history, TOL-15 and TOL-16 closing, the
interfaces other rooms call."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import CaseFileFactory, OfficerFactory, certified_officer
from tolerance import selectors, services
from tolerance.choices import ApplicationStatus
from tolerance.models import Application, Circumstance
from tolerance.tests.factories import add_evidence, application_data, codes, decide, draft, investigating
from xian_enforcement.errors import DomainError

pytestmark = pytest.mark.django_db


def test_catalogue_seeded_as_reference_data():
    assert Circumstance.objects.filter(code__startswith="TOL-10.").count() == 11
    assert Circumstance.objects.filter(code__regex=r"^TOL-11\.[0-9]$").count() == 9
    assert Circumstance.objects.filter(code__startswith="TOL-11.C").count() == 3
    assert Circumstance.objects.filter(code__startswith="TOL-12.").count() == 3
    assert Circumstance.objects.get(code="TOL-13").kind == "veto"


def test_tol_14b_officer_applies_for_themself(users):
    application = draft(users["handler"])
    assert application.status == ApplicationStatus.DRAFT
    assert not application.on_behalf
    assert application.department == users["handler"].officer.department  # TOL-2: the unit owns it


def test_tol_14b_unit_applies_on_behalf(users, dept):
    officer = certified_officer(dept)
    application = draft(users["legal_officer"], officer=officer)
    assert application.on_behalf
    assert application.officer == officer
    assert application.events.get().note == "单位代为申请"


def test_tol_14b_handler_cannot_apply_for_someone_else(users, dept):
    with pytest.raises(DomainError) as exc:
        draft(users["handler"], officer=certified_officer(dept))
    assert exc.value.rule_id == "TOL-14b"


def test_tol_2_only_registered_officers_of_own_department(users, dept, other_dept):
    with pytest.raises(DomainError) as exc:
        draft(users["legal_officer"], officer=certified_officer(other_dept))
    assert exc.value.rule_id == "TOL-2"
    staff = OfficerFactory(department=dept, is_enforcement_officer=False)
    with pytest.raises(DomainError) as exc:
        draft(users["legal_officer"], officer=staff)
    assert exc.value.rule_id == "TOL-2"
    assert not Application.objects.exists()


def test_tol_2_case_files_must_be_of_the_department(users, other_dept):
    foreign = CaseFileFactory(department=other_dept)
    with pytest.raises(DomainError) as exc:
        draft(users["handler"], case_files=[foreign])
    assert exc.value.rule_id == "TOL-2"


def test_tol_13_cannot_be_cited_and_a_circumstance_is_required(users):
    with pytest.raises(DomainError) as exc:
        draft(users["handler"], cites=("TOL-13",))
    assert exc.value.rule_id == "TOL-13"
    with pytest.raises(DomainError) as exc:
        draft(users["handler"], cites=())
    assert exc.value.rule_id == "TOL-10"


def test_tol_14b_workflow_and_history(users):
    application = investigating(users)
    decision = decide(users, application)
    services.decision_notify(decision=decision, by_user=users["legal_officer"])
    order = decision.correction
    services.correction_issue(
        order=order,
        by_user=users["legal_head"],
        reasons="程序瑕疵",
        requirements="完善制度",
        items=["补正文书"],
        due_date=datetime.date.today() + datetime.timedelta(days=30),
    )
    services.application_close(application=application, by_user=users["legal_officer"])
    steps = list(application.events.values_list("to_status", flat=True))
    assert steps == ["draft", "submitted", "investigating", "decided", "notified", "closed"]


def test_tol_14b_steps_only_from_their_state_and_by_their_actors(users):
    application = draft(users["handler"])
    with pytest.raises(DomainError):  # not yet submitted
        services.application_investigate(application=application, by_user=users["legal_officer"], findings="x")
    services.application_submit(application=application, by_user=users["handler"])
    with pytest.raises(DomainError):
        services.application_submit(application=application, by_user=users["handler"])
    with pytest.raises(DomainError) as exc:
        services.application_investigate(application=application, by_user=users["party_member"], findings="x")
    assert exc.value.rule_id == "TOL-14b"
    with pytest.raises(DomainError, match="调查核实情况"):
        services.application_investigate(application=application, by_user=users["legal_officer"], findings=" ")


def test_withdraw_before_decision_only(users):
    application = investigating(users)
    with pytest.raises(DomainError, match="理由"):
        services.application_withdraw(application=application, by_user=users["handler"], reason="")
    services.application_withdraw(application=application, by_user=users["handler"], reason="情况已说明")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    other = investigating(users)
    decide(users, other)
    with pytest.raises(DomainError):
        services.application_withdraw(application=other, by_user=users["handler"], reason="晚了")


def test_tol_16_close_refused_until_correction_issued(users):
    application = investigating(users)
    decision = decide(users, application)
    services.decision_notify(decision=decision, by_user=users["legal_officer"])
    with pytest.raises(DomainError) as exc:
        services.application_close(application=application, by_user=users["legal_officer"])
    assert exc.value.rule_id == "TOL-16"


def test_tol_16_not_tolerated_closes_without_correction(users):
    application = investigating(users)
    decision = decide(users, application, outcome="not_tolerated")
    assert not hasattr(decision, "correction") or decision.correction is None
    services.decision_notify(decision=decision, by_user=users["legal_officer"])
    services.application_close(application=application, by_user=users["legal_officer"])


def test_evidence_type_checked_by_content(users):
    application = draft(users["handler"])
    with pytest.raises(DomainError, match="文件类型"):
        services.evidence_add(
            application=application,
            by_user=users["handler"],
            upload=SimpleUploadedFile("x.pdf", b"\x7fELF" + b"\x00" * 64),
        )
    add_evidence(application, users["handler"])
    assert application.evidence.count() == 1


def test_tol_15_tolerated_case_file_ids(users, dept):
    tolerated, refused, untouched = (CaseFileFactory(department=dept) for _ in range(3))
    decide(users, investigating(users, case_files=[tolerated]))
    decide(users, investigating(users, case_files=[refused]), outcome="not_tolerated")
    investigating(users, case_files=[untouched])
    ids = [tolerated.pk, refused.pk, untouched.pk]
    assert selectors.tolerated_case_file_ids(ids) == {tolerated.pk}
    assert selectors.tolerated_case_file_ids([]) == set()


def test_decision_outcomes_counts_visible_decisions_of_the_year(users, other_dept):
    decide(users, investigating(users), on=datetime.date(2026, 5, 1))
    decide(users, investigating(users), outcome="mitigated", c3=False, on=datetime.date(2026, 6, 1))
    decide(users, investigating(users), outcome="not_tolerated", on=datetime.date(2025, 6, 1))
    assert selectors.decision_outcomes(users["bureau_staff"], 2026) == {"exempt": 1, "mitigated": 1}
    assert selectors.decision_outcomes(users["legal_head"], 2025) == {"not_tolerated": 1}
    outsider = certified_officer(other_dept, roles=["legal_head"]).user
    assert selectors.decision_outcomes(outsider, 2026) == {}
    assert selectors.decision_outcomes(users["nobody"], 2026) == {}


def test_application_data_validated(users):
    with pytest.raises(DomainError, match="行为日期"):
        draft(users["handler"], act_date=datetime.date.today() + datetime.timedelta(days=3))
    with pytest.raises(DomainError):
        services.application_create(
            by_user=users["handler"],
            officer=users["handler"].officer,
            data=application_data(error_category="nonsense"),
            circumstances=codes("TOL-11.5"),
        )
    assert not Application.objects.exists()
