"""Row-level behaviour of ``CaseFile``: derived status, REV-12 exclusion, ``clean`` and DB constraints."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.choices import STAGES, CaseStatus, LitigationState, ReconsiderationState
from cases.models import CaseFile
from tests.factories import CaseFileFactory, certified_officer

pytestmark = pytest.mark.django_db

D = datetime.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def unsaved(dept):
    """Build an unsaved file of ``dept`` (its main handler is saved, the file is not)."""
    officer = certified_officer(dept)

    def build(**kwargs) -> CaseFile:
        return CaseFileFactory.build(department=dept, main_handler=officer, **kwargs)

    return build


def test_derived_status_is_filed_with_only_a_filing_date(unsaved):
    assert unsaved().derived_status() == CaseStatus.FILED


@pytest.mark.parametrize(
    ("name", "status"),
    list(zip([n for n, _ in STAGES], CaseStatus.values, strict=True)),
)
def test_derived_status_matches_each_stage(unsaved, name, status):
    case = unsaved(**{name: D})
    assert case.derived_status() == status


def test_derived_status_uses_the_latest_stage_set_not_the_latest_date(unsaved):
    # An archived file is "archived" even when the later stages carry the same date.
    case = unsaved(decided_on=D, archived_on=D)
    assert case.derived_status() == CaseStatus.ARCHIVED


@pytest.mark.parametrize(
    ("reconsideration", "litigation", "excluded"),
    [
        (ReconsiderationState.NONE, LitigationState.NONE, False),
        (ReconsiderationState.PENDING, LitigationState.NONE, True),
        (ReconsiderationState.UPHELD, LitigationState.NONE, True),
        (ReconsiderationState.NONE, LitigationState.PENDING, True),
        (ReconsiderationState.NONE, LitigationState.LOST, True),
        (ReconsiderationState.CORRECTED, LitigationState.WON, True),
    ],
)
def test_rev_12_excluded_from_review(unsaved, reconsideration, litigation, excluded):
    case = unsaved(reconsideration=reconsideration, litigation=litigation)
    assert case.excluded_from_review is excluded


def test_total_amount_adds_fine_and_confiscation(unsaved):
    case = unsaved(fine_amount=Decimal("100.50"), confiscation_amount=Decimal("0.25"))
    assert case.total_amount == Decimal("100.75")


def test_clean_names_both_stages_in_the_message(unsaved):
    case = unsaved(decided_on=D + datetime.timedelta(days=5), served_on=D + datetime.timedelta(days=4))
    with pytest.raises(ValidationError) as exc:
        case.clean()
    message = exc.value.message_dict["served_on"][0]
    assert "送达" in message
    assert "决定" in message
    assert (D + datetime.timedelta(days=5)).isoformat() in message


def test_clean_rev_5_transfer_needs_closing_date(unsaved):
    case = unsaved(transferred_for_review_on=D)
    with pytest.raises(ValidationError) as exc:
        case.clean()
    assert "closed_on" in exc.value.message_dict  # the field the edit form has


def test_clean_rev_5_transfer_not_before_closing(unsaved):
    case = unsaved(closed_on=D + datetime.timedelta(days=3), transferred_for_review_on=D + datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as exc:
        case.clean()
    assert "closed_on" in exc.value.message_dict


def test_clean_accepts_a_consistent_file(unsaved):
    """REV-5: transfer on the closing day itself is allowed; clean() raises nothing and the
    file is closed."""
    case = unsaved(closed_on=D + datetime.timedelta(days=3), transferred_for_review_on=D + datetime.timedelta(days=3))
    assert case.clean() is None
    assert case.derived_status() == CaseStatus.CLOSED


def test_db_unique_number_per_department_and_year():
    case = CaseFileFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFileFactory(department=case.department, year=case.year, number=case.number)


def test_db_check_constraint_refuses_negative_fine():
    case = CaseFileFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseFile.objects.filter(pk=case.pk).update(fine_amount=Decimal("-5"))
    case.refresh_from_db()
    assert case.fine_amount == Decimal("500.00")
