"""``manage.py seed_demo``: the demo county is complete, obeys the rules, and loads once."""

from __future__ import annotations

import ast
import datetime
import io
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from cases.models import CaseFile, PowerItem
from cases.services import REV5_KIND
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org import demo
from xian_enforcement.org.choices import CertificateStatus, DepartmentKind, Role
from xian_enforcement.org.models import Certificate, CertificateStatusChange, Department, Officer, OrgUnit

pytestmark = pytest.mark.django_db

SMALL = ("--cases", "300")
PASSWORD = "Another-Demo-2026!"


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *SMALL, *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    User = get_user_model()
    return {
        "departments": Department.objects.count(),
        "units": OrgUnit.objects.count(),
        "officers": Officer.objects.count(),
        "users": User.objects.count(),
        "certificates": Certificate.objects.count(),
        "status_changes": CertificateStatusChange.objects.count(),
        "power_items": PowerItem.objects.count(),
        "case_files": CaseFile.objects.count(),
        "co_handlers": CaseFile.co_handlers.through.objects.count(),
        "deadlines": Deadline.objects.count(),
    }


@pytest.fixture(scope="class")
def county(django_db_setup, django_db_blocker):
    """One demo county, seeded once for the read-only tests of ``TestSeededCounty`` (seeding takes
    seconds). It lives in an outer transaction, each test's own transaction nests inside it as a
    savepoint, and it is rolled back when the class is done, so the tests after it start empty."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        yield SimpleNamespace(output=seed("--password", PASSWORD), today=timezone.localdate())
        transaction.set_rollback(True)


def seeded_cases() -> list[CaseFile]:
    return list(CaseFile.objects.annotate(n_co=Count("co_handlers")).prefetch_related("co_handlers"))


def open_rev5_files() -> dict[int, CaseFile]:
    """Closed files not yet transferred for review: the ones REV-5 gives a deadline."""
    return {c.pk: c for c in seeded_cases() if c.closed_on and not c.transferred_for_review_on}


def rev5_deadlines():
    return Deadline.objects.filter(kind=REV5_KIND, content_type=ContentType.objects.get_for_model(CaseFile))


TOWNSHIP_USERS = ["demo_handler", "demo_legal", "demo_legal_head", "demo_unit_head", "demo_party"]


@pytest.mark.usefixtures("county")
class TestSeededCounty:
    """``seed_demo`` builds a complete county that obeys the rules (one behaviour per test)."""

    # Organisation: the county government plus every unit of the csv, each with its offices.

    def test_the_county_has_its_government_and_at_least_30_departments(self):
        departments = Department.objects.filter(region__code="141031")
        assert departments.count() >= 30
        assert departments.filter(kind=DepartmentKind.GOVERNMENT, name="隰县人民政府").exists()

    def test_every_unit_has_a_legal_office_and_an_enforcement_office(self):
        for dept in Department.objects.filter(region__code="141031").exclude(kind=DepartmentKind.GOVERNMENT):
            kinds = set(dept.units.values_list("kind", flat=True))
            assert kinds == {"legal_office", "enforcement"}, dept

    def test_every_unit_has_5_to_15_power_items(self):
        for dept in Department.objects.filter(region__code="141031").exclude(kind=DepartmentKind.GOVERNMENT):
            assert 5 <= dept.power_items.count() <= 15, dept

    def test_the_county_has_350_to_450_officers(self):
        assert 350 <= Officer.objects.count() <= 450

    def test_every_power_item_cites_a_law(self):
        assert PowerItem.objects.filter(legal_basis__startswith="《").count() == PowerItem.objects.count()

    # Demo accounts: one per role, in the right groups; the five department roles in 龙泉镇.

    def test_each_demo_account_has_its_one_role_the_password_and_an_email(self):
        User = get_user_model()
        for username, role, *_rest in demo.DEMO_ACCOUNTS:
            user = User.objects.get(username=username)
            assert list(user.groups.values_list("name", flat=True)) == [role.value]
            assert user.check_password(PASSWORD)
            assert user.email == f"{username}@xian.example"

    def test_the_five_department_accounts_work_in_longquan_township(self):
        depts = {Officer.objects.get(user__username=u).department for u in TOWNSHIP_USERS}
        assert len(depts) == 1
        (township,) = depts
        assert township.kind == DepartmentKind.TOWNSHIP and township.name == "龙泉镇"

    def test_the_township_accounts_hold_a_valid_certificate_today(self, county):
        for username in TOWNSHIP_USERS:
            officer = Officer.objects.get(user__username=username)
            assert officer.certificates.get().is_valid_on(county.today)

    def test_the_bureau_account_works_in_the_justice_bureau(self):
        assert Officer.objects.get(user__username="demo_bureau").department.kind == DepartmentKind.BUREAU

    def test_the_leader_and_the_three_administrators_are_county_staff_not_enforcement_officers(self):
        for username in ("demo_leader", "demo_sysadmin", "demo_secadmin", "demo_auditadmin"):
            officer = Officer.objects.get(user__username=username)
            assert officer.department.kind == DepartmentKind.GOVERNMENT
            assert not officer.is_enforcement_officer

    def test_generated_officers_are_handlers_who_cannot_sign_in(self):
        generated = get_user_model().objects.get(username="o0001")
        assert not generated.has_usable_password()
        assert generated.groups.filter(name=Role.HANDLER).exists()

    # Certificates: a few expired and suspended, each with its recorded change.

    def test_some_certificates_are_expired_and_some_suspended(self):
        statuses = Counter(Certificate.objects.values_list("status", flat=True))
        assert statuses[CertificateStatus.EXPIRED] >= 3
        assert statuses[CertificateStatus.SUSPENDED] >= 2

    def test_every_certificate_not_active_has_its_recorded_change_with_a_reason(self):
        for cert in Certificate.objects.exclude(status=CertificateStatus.ACTIVE):
            change = cert.status_changes.get()
            assert change.to_status == cert.status and change.reason

    def test_certificate_numbers_are_14_digits_of_the_county(self):
        assert all(len(c.number) == 14 and c.number.startswith("14103100") for c in Certificate.objects.all())

    def test_id_numbers_have_18_characters(self):
        assert all(len(o.id_number) == 18 for o in Officer.objects.exclude(id_number=""))

    # Case files: stage dates in order, ≥ 2 officers holding a valid certificate at filing,
    # derived status, unique number per department and year.

    def test_250_to_350_case_files_of_the_last_three_years(self, county):
        cases = seeded_cases()
        assert 250 <= len(cases) <= 350
        assert {c.year for c in cases} <= {county.today.year, county.today.year - 1, county.today.year - 2}

    def test_stage_dates_are_in_order_and_none_is_in_the_future(self, county):
        for case in seeded_cases():
            dates = [value for _name, _label, value in case.stage_dates() if value]
            assert dates == sorted(dates), case
            assert max(dates) <= county.today

    def test_every_file_has_a_co_handler_besides_its_main_handler(self):
        for case in seeded_cases():
            assert case.n_co >= 1 and case.main_handler_id not in {o.pk for o in case.co_handlers.all()}

    def test_every_file_status_is_derived_from_its_dates(self):
        for case in seeded_cases():
            assert case.status == case.derived_status()

    def test_every_handler_held_a_valid_certificate_on_the_filing_day(self):
        certificates = {c.officer_id: c for c in Certificate.objects.all()}

        def held_on(officer_id: int, day: datetime.date) -> bool:
            cert = certificates[officer_id]
            until = cert.valid_to
            if cert.status_changed_on:
                until = min(until, cert.status_changed_on - datetime.timedelta(days=1))
            return cert.valid_from <= day <= until

        for case in seeded_cases():
            for officer_id in [case.main_handler_id, *(o.pk for o in case.co_handlers.all())]:
                assert held_on(officer_id, case.filed_on), case

    def test_every_file_passes_model_validation(self):
        invalid = {}
        for case in seeded_cases():
            try:
                case.full_clean(exclude=["co_handlers", "penalty_kinds"])
            except ValidationError as exc:
                invalid[case.pk] = exc.message_dict
        assert not invalid

    def test_file_numbers_are_unique_per_department_and_year(self):
        numbers = Counter((c.department_id, c.year, c.number) for c in seeded_cases())
        assert max(numbers.values()) == 1

    def test_some_files_carry_a_fine(self):
        assert any(c.fine_amount > 0 for c in seeded_cases())

    # REV-5: a deadline for every closed file not yet transferred, and only for those.

    def test_rev_5_deadline_for_every_closed_file_not_transferred_and_only_those(self):
        open_files = open_rev5_files()
        assert open_files
        assert set(rev5_deadlines().values_list("object_id", flat=True)) == set(open_files)

    def test_rev_5_deadline_runs_30_days_from_closing_for_the_main_handler(self):
        open_files = open_rev5_files()
        for deadline in rev5_deadlines().select_related("assignee"):
            case = open_files[deadline.object_id]
            assert deadline.rule_id == "REV-5" and deadline.status == "open" and deadline.stage == 0
            assert deadline.start_date == case.closed_on
            assert deadline.due_date == case.closed_on + datetime.timedelta(days=30)
            assert deadline.next_action_on == deadline.compute_next_action()
            assert deadline.assignee.officer.pk == case.main_handler_id
            assert deadline.url == f"/cases/{case.pk}/"
            assert deadline.escalate_roles == ["legal_head", "legal_officer"]

    def test_demo_handler_has_an_overdue_and_a_due_soon_deadline(self, county):
        mine = rev5_deadlines().filter(assignee__username="demo_handler")
        assert mine.filter(due_date__lt=county.today).exists()  # overdue
        week = county.today + datetime.timedelta(days=7)
        assert mine.filter(due_date__gte=county.today, due_date__lte=week).exists()  # due soon

    def test_demo_handler_handles_at_least_three_files(self):
        assert CaseFile.objects.filter(main_handler__user__username="demo_handler").count() >= 3

    # The report lists the accounts with their password and the counts.

    def test_report_lists_the_accounts_with_their_password(self, county):
        assert "demo_auditadmin" in county.output and PASSWORD in county.output and "审计管理员" in county.output

    def test_report_counts_the_case_files(self, county):
        assert f"案卷 {CaseFile.objects.count()} 件" in county.output


def test_second_run_changes_nothing_but_resets_the_passwords():
    seed()
    before = counts()
    User = get_user_model()
    User.objects.filter(username="demo_handler").update(password="!")
    output = seed("--password", PASSWORD)
    assert counts() == before
    assert "已存在" in output
    assert User.objects.get(username="demo_handler").check_password(PASSWORD)
    assert User.objects.get(username="demo_leader").check_password(PASSWORD)


def test_reset_rebuilds_the_same_county():
    seed()
    before = counts()
    seed("--reset")
    assert counts() == before
    assert Department.objects.filter(code=demo.MARKER_CODE).count() == 1


def test_weak_password_is_refused():
    with pytest.raises(CommandError):
        seed("--password", "short")
    assert not Department.objects.exists()


def test_region_with_real_departments_is_left_alone(region):
    Department.objects.create(
        region=region, kind=DepartmentKind.BUREAU, name="隰县司法局", short_name="司法局", code="X1"
    )
    with pytest.raises(CommandError):
        seed()
    assert Department.objects.count() == 1


def test_core_does_not_import_the_case_room_at_import_time():
    root = Path(demo.__file__).parent
    for path in [root / "demo.py", root / "management" / "commands" / "seed_demo.py"]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        modules += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        assert not [m for m in modules if m and m.split(".")[0] in {"cases", "reviews", "stats", "tolerance"}], path


def test_seed_demo_refuses_production_without_the_explicit_flag(monkeypatch):
    """Issue 13: with DJANGO_DEBUG=false seed_demo refuses, unless --i-know-this-is-not-production."""
    monkeypatch.setenv("DJANGO_DEBUG", "false")
    with pytest.raises(CommandError, match="--i-know-this-is-not-production"):
        seed()
    assert not demo.demo_exists()
    assert not get_user_model().objects.filter(username__startswith="demo_").exists()
    out = io.StringIO()
    call_command("seed_demo", "--cases", "0", "--i-know-this-is-not-production", stdout=out)
    assert demo.demo_exists()
