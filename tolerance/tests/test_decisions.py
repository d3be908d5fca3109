"""Decision rules: TOL-3, TOL-10 … TOL-13, TOL-14a (who decides; never the officer concerned;
concurrent decisions yield one)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.factories import certified_officer
from tolerance import services
from tolerance.choices import ApplicationStatus, Outcome
from tolerance.models import CorrectionOrder, Decision
from tolerance.tests.factories import codes, decide, decision_data, draft, investigating, party_member
from xian_enforcement.errors import DomainError

pytestmark = pytest.mark.django_db


def test_tol_13_veto_wins_over_every_circumstance(users):
    application = investigating(users, cites=("TOL-10.5", "TOL-11.5"))
    with pytest.raises(DomainError) as exc:
        decide(users, application, accepted=("TOL-10.5", "TOL-11.5"), veto=True, veto_reason="超出法定职责范围")
    assert exc.value.rule_id == "TOL-13"
    with pytest.raises(DomainError):
        decide(users, application, accepted=("TOL-11.5",), veto=True, veto_reason="违反程序", outcome="mitigated")
    decision = decide(
        users, application, accepted=("TOL-11.5",), veto=True, veto_reason="违反程序", outcome="not_tolerated"
    )
    assert decision.outcome == Outcome.NOT_TOLERATED
    assert not CorrectionOrder.objects.exists()


def test_tol_13_veto_needs_reason(users):
    application = investigating(users)
    with pytest.raises(DomainError, match="理由") as exc:
        decide(users, application, veto=True, veto_reason="", outcome="not_tolerated")
    assert exc.value.rule_id == "TOL-13"


@pytest.mark.parametrize("missing", ["c1", "c2", "c3"])
def test_tol_11_exemption_needs_all_three_conditions(users, missing):
    application = investigating(users)
    with pytest.raises(DomainError) as exc:
        decide(users, application, **{missing: False})
    assert exc.value.rule_id == "TOL-11"
    assert not Decision.objects.exists()


def test_tol_11_each_condition_needs_a_reason(users):
    application = investigating(users)
    with pytest.raises(DomainError) as exc:
        decide(users, application, c2_reason="  ")
    assert exc.value.rule_id == "TOL-11"
    assert exc.value.field == "c2_reason"


def test_tol_11_without_all_conditions_mitigation_is_allowed(users):
    application = investigating(users)
    decision = decide(users, application, c3=False, c3_reason="", outcome="mitigated")
    assert decision.outcome == Outcome.MITIGATED
    assert CorrectionOrder.objects.filter(decision=decision, status="draft").exists()  # TOL-16


def test_tol_11_exemption_with_all_conditions(users):
    decision = decide(users, investigating(users))
    assert decision.outcome == Outcome.EXEMPT
    assert decision.application.status == ApplicationStatus.DECIDED


def test_tol_10_duty_performed_means_exemption(users):
    application = investigating(users, cites=("TOL-10.2",))
    with pytest.raises(DomainError) as exc:
        decide(users, application, accepted=("TOL-10.2",), outcome="not_tolerated", c1=False, c2=False, c3=False)
    assert exc.value.rule_id == "TOL-10"
    decision = decide(users, application, accepted=("TOL-10.2",), c1=False, c2=False, c3=False)
    assert decision.outcome == Outcome.EXEMPT


def test_tol_12_mitigation_needs_art_11_or_12(users):
    application = investigating(users, cites=("TOL-12.2",))
    with pytest.raises(DomainError) as exc:
        decide(users, application, accepted=(), outcome="mitigated")
    assert exc.value.rule_id == "TOL-12"
    with pytest.raises(DomainError):  # Art. 12 alone never exempts
        decide(users, application, accepted=("TOL-12.2",), outcome="exempt")
    assert decide(users, application, accepted=("TOL-12.2",), outcome="mitigated").outcome == Outcome.MITIGATED


def test_tol_14a_accepted_circumstances_must_be_cited(users):
    application = investigating(users, cites=("TOL-11.5",))
    with pytest.raises(DomainError, match=r"TOL-11\.1"):
        decide(users, application, accepted=("TOL-11.1",))


def test_tol_3_facts_basis_and_evidence_required(users):
    application = investigating(users)
    for field in ("facts", "legal_basis"):
        with pytest.raises(DomainError) as exc:
            decide(users, application, **{field: ""})
        assert exc.value.rule_id == "TOL-3"
    application.evidence.all().delete()
    with pytest.raises(DomainError, match="证据") as exc:
        decide(users, application)
    assert exc.value.rule_id == "TOL-3"
    assert not Decision.objects.exists()


def test_tol_14a_six_analysis_fields_required(users):
    application = investigating(users)
    with pytest.raises(DomainError, match="性质程度") as exc:
        decide(users, application, nature="")
    assert exc.value.rule_id == "TOL-14a"


@pytest.mark.parametrize("role", ["handler", "legal_officer", "legal_head", "unit_head", "bureau_staff", "leader"])
def test_tol_14a_only_party_members_decide(users, role):
    application = investigating(users)
    with pytest.raises(DomainError) as exc:
        services.decision_record(
            application=application,
            by_user=users[role],
            data=decision_data(),
            accepted=codes("TOL-11.5"),
            members_present=[users["party_member"].officer],
        )
    assert exc.value.rule_id == "TOL-14a"


def test_tol_14a_party_member_of_another_unit_cannot_decide(users, other_dept):
    application = investigating(users)
    stranger = party_member(other_dept).user
    with pytest.raises(DomainError, match="所在单位的党组成员"):
        services.decision_record(
            application=application,
            by_user=stranger,
            data=decision_data(),
            accepted=codes("TOL-11.5"),
            members_present=[stranger.officer],
        )


def test_tol_14a_officer_concerned_cannot_decide_own(users, dept):
    party = users["party_member"]
    application = draft(party, cites=("TOL-11.5",))
    from tolerance.tests.factories import add_evidence

    add_evidence(application, party)
    services.application_submit(application=application, by_user=party)
    services.application_investigate(application=application, by_user=users["legal_officer"], findings="属实")
    with pytest.raises(DomainError, match="当事人不能") as exc:
        services.decision_record(
            application=application,
            by_user=party,
            data=decision_data(),
            accepted=codes("TOL-11.5"),
            members_present=[party.officer],
        )
    assert exc.value.rule_id == "TOL-14a"
    # Another member may decide, but the officer concerned cannot sit among the members present.
    other = party_member(dept)
    with pytest.raises(DomainError, match="当事人不能"):
        services.decision_record(
            application=application,
            by_user=other.user,
            data=decision_data(),
            accepted=codes("TOL-11.5"),
            members_present=[other, party.officer],
        )
    services.decision_record(
        application=application,
        by_user=other.user,
        data=decision_data(),
        accepted=codes("TOL-11.5"),
        members_present=[other],
    )


def test_tol_14a_members_present_must_be_party_members(users, dept):
    application = investigating(users)
    with pytest.raises(DomainError, match="不是本单位党组成员"):
        services.decision_record(
            application=application,
            by_user=users["party_member"],
            data=decision_data(),
            accepted=codes("TOL-11.5"),
            members_present=[certified_officer(dept)],
        )


def test_tol_14b_decision_needs_investigation_first(users):
    application = draft(users["handler"])
    with pytest.raises(DomainError) as exc:
        decide(users, application)
    assert exc.value.rule_id == "TOL-14b"


def test_tol_14a_second_decision_refused(users):
    application = investigating(users)
    decide(users, application)
    with pytest.raises(DomainError):
        decide(users, application)
    assert Decision.objects.count() == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_tol_14a_concurrent_decisions_yield_one(users, dept):
    assert connection.vendor == "postgresql"
    application = investigating(users)
    second = party_member(dept, name="党组成员戊")
    results: list[str] = []
    barrier = threading.Barrier(2)

    def run(user):
        from django.db import connection as conn

        try:
            barrier.wait()
            services.decision_record(
                application=application,
                by_user=user,
                data=decision_data(),
                accepted=codes("TOL-11.5"),
                members_present=[user.officer],
            )
            results.append("ok")
        except DomainError:
            results.append("refused")
        finally:
            conn.close()

    threads = [threading.Thread(target=run, args=(u,)) for u in (users["party_member"], second.user)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["ok", "refused"]
    assert Decision.objects.filter(application=application).count() == 1
