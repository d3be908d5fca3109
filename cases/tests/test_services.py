"""Rules on case files, applied by ``cases.services`` (rules.md REV-5, REV-12, REV-13, TOL-6, TOL-9)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from cases import services
from cases.choices import STAGES, CaseStatus, LitigationState, ReconsiderationState
from cases.models import CaseFile
from tests.factories import CertificateFactory, OfficerFactory, PowerItemFactory, category, certified_officer
from xian_enforcement.errors import DomainError
from xian_enforcement.notices.choices import DeadlineStatus
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org.choices import CertificateStatus, Role
from xian_enforcement.org.services import certificate_change_status

pytestmark = pytest.mark.django_db

FILED = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def main(dept):
    return certified_officer(dept, name="张主办")


@pytest.fixture
def co(dept):
    return certified_officer(dept, name="李协办")


def case_data(main, **overrides):
    data = {
        "number": "隰市监罚〔2026〕1号",
        "category": category(),
        "title": "销售过期食品案",
        "party_name": "某超市",
        "main_handler": main,
        "filed_on": FILED,
        "fine_amount": Decimal("2000.00"),
    }
    data.update(overrides)
    return data


def create(dept, main, co_handlers, **overrides) -> CaseFile:
    return services.case_file_create(department=dept, data=case_data(main, **overrides), co_handlers=co_handlers)


# --- creating a valid file -------------------------------------------------------------------


def test_valid_case_file_is_created_with_year_from_filing_date(dept, main, co):
    case = create(dept, main, [co])
    case.refresh_from_db()
    assert case.year == 2026
    assert case.status == CaseStatus.FILED
    assert set(case.co_handlers.values_list("pk", flat=True)) == {co.pk}
    assert case.fine_amount == Decimal("2000.00")


# --- stage dates ---------------------------------------------------------------------------


def _dates_in_order(upto: int) -> dict[str, datetime.date]:
    return {name: FILED + datetime.timedelta(days=i * 5) for i, (name, _label) in enumerate(STAGES[: upto + 1])}


@pytest.mark.parametrize("index", range(1, len(STAGES)))
def test_stage_date_before_previous_stage_is_refused(dept, main, co, index):
    dates = _dates_in_order(index)
    name, label = STAGES[index]
    prev_name, prev_label = STAGES[index - 1]
    dates[name] = dates[prev_name] - datetime.timedelta(days=1)
    with pytest.raises(DomainError) as exc:
        create(dept, main, [co], **dates)
    assert exc.value.field == name
    assert f"{label}日期不能早于{prev_label}日期" in exc.value.message
    assert not CaseFile.objects.exists()


@pytest.mark.parametrize("index", range(1, len(STAGES)))
def test_stage_date_equal_to_previous_stage_is_accepted(dept, main, co, index):
    dates = dict.fromkeys((name for name, _ in STAGES[: index + 1]), FILED)
    case = create(dept, main, [co], **dates)
    assert case.pk


def test_stage_date_is_compared_with_the_latest_earlier_stage_that_is_set(dept, main, co):
    """A gap (no investigation or decision date) does not hide an out-of-order closing date."""
    with pytest.raises(DomainError) as exc:
        create(dept, main, [co], closed_on=FILED - datetime.timedelta(days=1))
    assert "结案日期不能早于立案日期" in exc.value.message


def test_stage_order_is_checked_on_update_too(dept, main, co):
    case = create(dept, main, [co], decided_on=FILED + datetime.timedelta(days=10))
    with pytest.raises(DomainError) as exc:
        services.case_file_update(
            case_file=case, data={"served_on": FILED + datetime.timedelta(days=9)}, co_handlers=[co]
        )
    assert "送达日期不能早于决定日期" in exc.value.message
    case.refresh_from_db()
    assert case.served_on is None


# --- officers (REV-13) ---------------------------------------------------------------------


def test_rev_13_case_needs_two_officers(dept, main):
    with pytest.raises(DomainError) as exc:
        create(dept, main, [])
    assert exc.value.rule_id == "REV-13"
    assert exc.value.field == "co_handlers"
    assert not CaseFile.objects.exists()


def test_rev_13_main_handler_repeated_as_co_handler_counts_once(dept, main):
    with pytest.raises(DomainError) as exc:
        create(dept, main, [main])
    assert exc.value.rule_id == "REV-13"


def test_rev_13_removing_co_handler_on_update_is_refused(dept, main, co):
    case = create(dept, main, [co])
    with pytest.raises(DomainError) as exc:
        services.case_file_update(case_file=case, data={"title": "改名"}, co_handlers=[])
    assert exc.value.rule_id == "REV-13"
    assert case.co_handlers.count() == 1


@pytest.mark.parametrize("status", [CertificateStatus.SUSPENDED, CertificateStatus.REVOKED, CertificateStatus.EXPIRED])
def test_rev_13_officer_with_unusable_certificate_is_refused(dept, main, status):
    officer = OfficerFactory(department=dept, name="王无证")
    CertificateFactory(officer=officer, status=status)
    with pytest.raises(DomainError) as exc:
        create(dept, main, [officer])
    assert exc.value.rule_id == "REV-13"
    assert "王无证" in exc.value.message
    assert "张主办" not in exc.value.message


def test_rev_13_officer_whose_certificate_ran_out_before_filing_is_refused(dept, main):
    officer = OfficerFactory(department=dept, name="赵过期")
    CertificateFactory(officer=officer, valid_from=datetime.date(2015, 1, 1), valid_to=FILED - datetime.timedelta(1))
    with pytest.raises(DomainError) as exc:
        create(dept, main, [officer])
    assert exc.value.rule_id == "REV-13"
    assert "赵过期" in exc.value.message


def test_rev_13_officer_without_certificate_is_refused(dept, main):
    officer = OfficerFactory(department=dept, name="钱无证")
    with pytest.raises(DomainError) as exc:
        create(dept, main, [officer])
    assert exc.value.rule_id == "REV-13"
    assert "钱无证" in exc.value.message


def test_rev_13_uncertified_main_handler_is_refused_on_main_handler_field(dept, co):
    officer = OfficerFactory(department=dept, name="孙无证")
    with pytest.raises(DomainError) as exc:
        create(dept, officer, [co])
    assert exc.value.rule_id == "REV-13"
    assert exc.value.field == "main_handler"


def test_rev_13_non_enforcement_staff_with_certificate_is_refused(dept, main):
    officer = certified_officer(dept, name="周文员", is_enforcement_officer=False)
    with pytest.raises(DomainError) as exc:
        create(dept, main, [officer])
    assert exc.value.rule_id == "REV-13"


def test_rev_13_later_suspension_does_not_block_editing_the_file(dept, main, co):
    case = create(dept, main, [co])
    certificate_change_status(certificate=co.certificates.get(), to_status=CertificateStatus.SUSPENDED, reason="停职")
    case = services.case_file_update(
        case_file=case, data={"decided_on": FILED + datetime.timedelta(days=3)}, co_handlers=[co]
    )
    assert case.status == CaseStatus.DECIDED
    assert list(case.co_handlers.all()) == [co]


def test_rev_13_suspended_officer_cannot_be_added_to_an_existing_file(dept, main, co):
    case = create(dept, main, [co])
    newcomer = certified_officer(dept, name="吴新人")
    certificate_change_status(
        certificate=newcomer.certificates.get(), to_status=CertificateStatus.SUSPENDED, reason="x"
    )
    with pytest.raises(DomainError) as exc:
        services.case_file_update(case_file=case, data={}, co_handlers=[co, newcomer])
    assert exc.value.rule_id == "REV-13"
    assert "吴新人" in exc.value.message


def test_officer_of_another_department_is_refused(dept, other_dept, main):
    foreign = certified_officer(other_dept, name="郑外单位")
    with pytest.raises(DomainError) as exc:
        create(dept, main, [foreign])
    assert "郑外单位" in exc.value.message
    assert "不属于本部门" in exc.value.message
    assert not CaseFile.objects.exists()


# --- case number ---------------------------------------------------------------------------


def test_case_number_may_repeat_in_another_year(dept, main, co):
    create(dept, main, [co])
    other = create(dept, main, [co], filed_on=datetime.date(2027, 1, 5))
    assert other.year == 2027
    assert CaseFile.objects.filter(number="隰市监罚〔2026〕1号").count() == 2


def test_case_number_may_repeat_in_another_department(dept, other_dept, main, co):
    create(dept, main, [co])
    other = create(other_dept, certified_officer(other_dept), [certified_officer(other_dept)])
    assert other.pk
    assert CaseFile.objects.filter(number="隰市监罚〔2026〕1号").count() == 2


def test_duplicate_case_number_in_same_department_and_year_is_a_domain_error(dept, main, co):
    create(dept, main, [co])
    with pytest.raises(DomainError) as exc:
        create(dept, main, [co], title="另一案")
    assert "案号" in exc.value.message or "已存在" in exc.value.message
    assert CaseFile.objects.count() == 1


def test_duplicate_case_number_on_update_is_a_domain_error(dept, main, co):
    create(dept, main, [co])
    second = create(dept, main, [co], number="隰市监罚〔2026〕2号")
    with pytest.raises(DomainError):
        services.case_file_update(case_file=second, data={"number": "隰市监罚〔2026〕1号"}, co_handlers=[co])
    second.refresh_from_db()
    assert second.number == "隰市监罚〔2026〕2号"


def test_duplicate_case_number_is_refused_by_the_database_as_well(dept, main, co):
    case = create(dept, main, [co])
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFile.objects.create(
            department=dept,
            year=case.year,
            number=case.number,
            category=case.category,
            title="绕过服务",
            party_name="某人",
            main_handler=main,
            filed_on=FILED,
        )


# --- amounts -------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["fine_amount", "confiscation_amount"])
def test_negative_amount_is_refused(dept, main, co, field):
    with pytest.raises(DomainError) as exc:
        create(dept, main, [co], **{field: Decimal("-0.01")})
    assert exc.value.field == field
    assert not CaseFile.objects.exists()


def test_zero_and_missing_amounts_are_accepted_as_decimal_zero(dept, main, co):
    case = create(dept, main, [co], fine_amount=Decimal("0"), confiscation_amount=None)
    case.refresh_from_db()
    assert case.fine_amount == Decimal("0.00")
    assert case.confiscation_amount == Decimal("0.00")
    assert isinstance(case.confiscation_amount, Decimal)


def test_amounts_keep_cents_exactly(dept, main, co):
    case = create(dept, main, [co], fine_amount=Decimal("0.10"), confiscation_amount=Decimal("0.20"))
    case.refresh_from_db()
    assert case.total_amount == Decimal("0.30")


@pytest.mark.parametrize("field", ["fine_amount", "confiscation_amount"])
def test_negative_amount_is_refused_by_the_database(dept, main, co, field):
    case = create(dept, main, [co])
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFile.objects.filter(pk=case.pk).update(**{field: Decimal("-1.00")})


# --- power items (TOL-6) -------------------------------------------------------------------


def test_tol_6_power_item_of_own_department_is_accepted(dept, main, co):
    item = PowerItemFactory(department=dept)
    case = create(dept, main, [co], power_item=item)
    assert case.power_item == item


def test_tol_6_power_item_of_another_department_is_refused(dept, other_dept, main, co):
    item = PowerItemFactory(department=other_dept)
    with pytest.raises(DomainError) as exc:
        create(dept, main, [co], power_item=item)
    assert exc.value.rule_id == "TOL-6"
    assert exc.value.field == "power_item"
    assert not CaseFile.objects.exists()


# --- police transfer (TOL-9), legal review -------------------------------------------------


def test_tol_9_police_transfer_needs_receiving_organ(dept, main, co):
    with pytest.raises(DomainError) as exc:
        create(dept, main, [co], transferred_to_police_on=FILED + datetime.timedelta(days=4))
    assert exc.value.field == "police_organ"
    assert "TOL-9" in exc.value.message


def test_tol_9_police_transfer_with_receiving_organ_is_accepted(dept, main, co):
    case = create(
        dept, main, [co], transferred_to_police_on=FILED + datetime.timedelta(days=4), police_organ="隰县公安局"
    )
    assert case.police_organ == "隰县公安局"


def test_legal_review_date_needs_reviewer(dept, main, co):
    with pytest.raises(DomainError) as exc:
        create(dept, main, [co], legal_review_on=FILED + datetime.timedelta(days=6))
    assert exc.value.field == "legal_review_by"


def test_legal_review_date_with_reviewer_is_accepted(dept, main, co, users):
    reviewer = users[Role.LEGAL_HEAD.value].officer
    case = create(dept, main, [co], legal_review_on=FILED + datetime.timedelta(days=6), legal_review_by=reviewer)
    assert case.legal_review_by == reviewer


def test_unknown_field_is_a_programming_error(dept, main, co):
    with pytest.raises(ValueError):
        create(dept, main, [co], status=CaseStatus.CLOSED)


# --- status --------------------------------------------------------------------------------


def test_status_follows_latest_stage_date(dept, main, co):
    case = create(dept, main, [co])
    assert case.status == CaseStatus.FILED
    expected = [
        ("investigated_on", CaseStatus.INVESTIGATING),
        ("decided_on", CaseStatus.DECIDED),
        ("served_on", CaseStatus.SERVED),
        ("executed_on", CaseStatus.EXECUTED),
        ("closed_on", CaseStatus.CLOSED),
        ("archived_on", CaseStatus.ARCHIVED),
    ]
    for i, (name, status) in enumerate(expected, start=1):
        case = services.case_file_update(
            case_file=case, data={name: FILED + datetime.timedelta(days=i)}, co_handlers=[co]
        )
        case.refresh_from_db()
        assert case.status == status, name


def test_status_goes_back_when_the_latest_date_is_removed(dept, main, co):
    case = create(
        dept, main, [co], decided_on=FILED + datetime.timedelta(days=2), closed_on=FILED + datetime.timedelta(9)
    )
    assert case.status == CaseStatus.CLOSED
    case = services.case_file_update(case_file=case, data={"closed_on": None}, co_handlers=[co])
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED


def test_status_skips_missing_intermediate_stages(dept, main, co):
    case = create(dept, main, [co], executed_on=FILED + datetime.timedelta(days=3))
    assert case.status == CaseStatus.EXECUTED


# --- REV-12 --------------------------------------------------------------------------------


def test_rev_12_file_under_reconsideration_or_litigation_is_excluded_from_review(dept, main, co):
    case = create(dept, main, [co])
    assert case.excluded_from_review is False
    case = services.case_file_update(
        case_file=case, data={"reconsideration": ReconsiderationState.PENDING}, co_handlers=[co]
    )
    assert case.excluded_from_review is True
    case = services.case_file_update(
        case_file=case,
        data={"reconsideration": ReconsiderationState.NONE, "litigation": LitigationState.WON},
        co_handlers=[co],
    )
    assert case.excluded_from_review is True
    case = services.case_file_update(case_file=case, data={"litigation": LitigationState.NONE}, co_handlers=[co])
    assert case.excluded_from_review is False


# --- REV-5 transfer deadline ---------------------------------------------------------------

CLOSED = datetime.date(2026, 4, 1)


def rev5(case) -> Deadline:
    return Deadline.objects.get(kind=services.REV5_KIND, object_id=case.pk)


def test_rev_5_open_file_has_no_transfer_deadline(dept, main, co):
    create(dept, main, [co])
    assert not Deadline.objects.exists()


def test_rev_5_closing_opens_transfer_deadline(dept, main, co, users):
    case = create(dept, main, [co], closed_on=CLOSED)
    deadline = rev5(case)
    assert deadline.kind == "rev5_transfer"
    assert deadline.rule_id == "REV-5"
    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.start_date == CLOSED
    assert deadline.due_date == CLOSED + datetime.timedelta(days=30)
    assert deadline.remind_days == [20, 27]
    assert deadline.next_action_on == CLOSED + datetime.timedelta(days=20)
    assert deadline.assignee == main.user
    assert deadline.department == dept
    assert set(deadline.escalate_roles) == {Role.LEGAL_HEAD, Role.LEGAL_OFFICER}
    assert deadline.subject == case
    assert str(case.pk) in deadline.url


def test_rev_5_closing_through_update_opens_the_deadline(dept, main, co):
    case = create(dept, main, [co])
    services.case_file_update(case_file=case, data={"closed_on": CLOSED}, co_handlers=[co])
    assert rev5(case).due_date == datetime.date(2026, 5, 1)


def test_rev_5_transfer_meets_the_deadline(dept, main, co):
    case = create(dept, main, [co], closed_on=CLOSED)
    case = services.case_file_transfer_for_review(
        case_file=case, by_user=main.user, on=CLOSED + datetime.timedelta(days=5)
    )
    assert case.transferred_for_review_on == CLOSED + datetime.timedelta(days=5)
    deadline = rev5(case)
    assert deadline.status == DeadlineStatus.MET
    assert deadline.met_at is not None
    assert deadline.next_action_on is None


def test_rev_5_transfer_before_closing_is_refused(dept, main, co):
    case = create(dept, main, [co])
    with pytest.raises(DomainError) as exc:
        services.case_file_transfer_for_review(case_file=case, by_user=main.user, on=FILED)
    assert exc.value.rule_id == "REV-5"
    case.refresh_from_db()
    assert case.transferred_for_review_on is None


def test_rev_5_transfer_twice_is_refused(dept, main, co):
    case = create(dept, main, [co], closed_on=CLOSED)
    services.case_file_transfer_for_review(case_file=case, by_user=main.user, on=CLOSED + datetime.timedelta(days=1))
    with pytest.raises(DomainError) as exc:
        services.case_file_transfer_for_review(case_file=case, by_user=main.user, on=CLOSED + datetime.timedelta(9))
    assert exc.value.rule_id == "REV-5"
    case.refresh_from_db()
    assert case.transferred_for_review_on == CLOSED + datetime.timedelta(days=1)


def test_rev_5_transfer_dated_before_closing_is_refused(dept, main, co):
    case = create(dept, main, [co], closed_on=CLOSED)
    with pytest.raises(Exception):  # noqa: B017 - ValidationError or DomainError, either refuses
        services.case_file_transfer_for_review(case_file=case, by_user=main.user, on=CLOSED - datetime.timedelta(1))
    case.refresh_from_db()
    assert case.transferred_for_review_on is None
    assert rev5(case).status == DeadlineStatus.OPEN


def test_rev_5_removing_the_closing_date_cancels_the_deadline(dept, main, co):
    case = create(dept, main, [co], closed_on=CLOSED)
    services.case_file_update(case_file=case, data={"closed_on": None}, co_handlers=[co])
    deadline = rev5(case)
    assert deadline.status == DeadlineStatus.CANCELLED
    assert deadline.next_action_on is None


def test_rev_5_closing_again_after_reopening_reopens_the_deadline(dept, main, co):
    """A file closed, reopened (closing date removed) and closed again owes the transfer again."""
    case = create(dept, main, [co], closed_on=CLOSED)
    services.case_file_update(case_file=case, data={"closed_on": None}, co_handlers=[co])
    new_close = CLOSED + datetime.timedelta(days=10)
    services.case_file_update(case_file=case, data={"closed_on": new_close}, co_handlers=[co])
    deadline = rev5(case)
    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.due_date == new_close + datetime.timedelta(days=30)
    assert deadline.next_action_on == new_close + datetime.timedelta(days=20)


def test_rev_5_changing_the_closing_date_moves_the_deadline(dept, main, co):
    case = create(dept, main, [co], closed_on=CLOSED)
    new_close = CLOSED + datetime.timedelta(days=7)
    services.case_file_update(case_file=case, data={"closed_on": new_close}, co_handlers=[co])
    deadline = rev5(case)
    assert Deadline.objects.count() == 1
    assert deadline.status == DeadlineStatus.OPEN
    assert deadline.start_date == new_close
    assert deadline.due_date == new_close + datetime.timedelta(days=30)
    assert deadline.next_action_on == new_close + datetime.timedelta(days=20)
    assert deadline.stage == 0


def test_rev_5_editing_without_changing_the_closing_date_keeps_the_steps_taken(dept, main, co):
    from xian_enforcement.notices.services import deadline_scan

    case = create(dept, main, [co], closed_on=CLOSED)
    assert deadline_scan(today=CLOSED + datetime.timedelta(days=20)) == 1
    services.case_file_update(case_file=case, data={"title": "改案由"}, co_handlers=[co])
    deadline = rev5(case)
    assert deadline.stage == 1
    assert deadline.next_action_on == CLOSED + datetime.timedelta(days=27)


def test_rev_5_changing_the_main_handler_reassigns_the_deadline(dept, main, co):
    case = create(dept, main, [co], closed_on=CLOSED)
    services.case_file_update(case_file=case, data={"main_handler": co}, co_handlers=[main])
    assert rev5(case).assignee == co.user


def test_rev_5_refused_write_leaves_no_deadline(dept, main):
    with pytest.raises(DomainError):
        create(dept, main, [], closed_on=CLOSED)
    assert not Deadline.objects.exists()


# --- races (PostgreSQL) --------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_duplicate_case_numbers_give_a_domain_error_not_integrity_error(dept, main, co, monkeypatch):
    """Two clerks save the same number at once: both pass validation, the database refuses the
    second insert. The service must turn that into a DomainError (a form error), not a 500."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (DATABASE_URL); run it in the PostgreSQL pass", pytrace=False)
    barrier = threading.Barrier(2)
    original = services.validate_handlers

    def validate_then_wait(**kwargs):
        original(**kwargs)
        barrier.wait(timeout=10)  # both writers have passed every check before either inserts

    monkeypatch.setattr(services, "validate_handlers", validate_then_wait)
    outcomes: list[object] = []

    def write(title):
        try:
            outcomes.append(create(dept, main, [co], title=title))
        except Exception as exc:
            outcomes.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(t,)) for t in ("甲案", "乙案")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(outcomes) == 2
    assert len(errors) == 1
    assert isinstance(errors[0], DomainError), f"{type(errors[0]).__name__}: {errors[0]}"
    assert CaseFile.objects.filter(number="隰市监罚〔2026〕1号").count() == 1
