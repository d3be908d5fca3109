"""Issue 13, "workflow defects": a case number already used in the department and year is
refused once, in plain words, next to the number field, with the next free number suggested."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import services
from cases.models import CaseFile
from cases.numbers import next_free_number
from tests.factories import certified_officer
from xian_enforcement.errors import DomainError

from .test_services import create
from .test_views import _form

pytestmark = pytest.mark.django_db


@pytest.fixture
def main(dept):
    return certified_officer(dept, name="主办甲")


@pytest.fixture
def co(dept):
    return certified_officer(dept, name="协办乙")


def test_duplicate_number_says_so_plainly_and_suggests_the_next(dept, main, co):
    for n in (1, 2, 12):
        create(dept, main, [co], number=f"隰市监罚〔2026〕{n}号")
    with pytest.raises(DomainError) as exc:
        create(dept, main, [co], number="隰市监罚〔2026〕2号", title="另一案")
    assert exc.value.field == "number"
    assert exc.value.message == (
        "案号“隰市监罚〔2026〕2号”在本部门 2026 年度已经使用，请换一个案号。下一个可用的案号是“隰市监罚〔2026〕13号”。"
    )
    assert CaseFile.objects.count() == 3


def test_duplicate_number_on_update_suggests_the_next(dept, main, co):
    create(dept, main, [co], number="隰市监罚〔2026〕1号")
    second = create(dept, main, [co], number="隰市监罚〔2026〕2号")
    with pytest.raises(DomainError) as exc:
        services.case_file_update(case_file=second, data={"number": "隰市监罚〔2026〕1号"}, co_handlers=[co])
    assert "下一个可用的案号是“隰市监罚〔2026〕3号”" in exc.value.message


def test_next_free_number_keeps_padding_skips_other_shapes_and_other_units(dept, other_dept, main, co):
    create(dept, main, [co], number="隰市监罚〔2026〕007号")
    create(dept, main, [co], number="隰市监罚〔2026〕008号")
    create(dept, main, [co], number="隰市监罚〔2026〕9号")  # unpadded: 009 is still free but 9 is taken
    other = certified_officer(other_dept)
    create(other_dept, other, [certified_officer(other_dept)], number="隰市监罚〔2026〕50号")
    assert next_free_number(department_id=dept.pk, year=2026, number="隰市监罚〔2026〕007号") == "隰市监罚〔2026〕010号"
    assert next_free_number(department_id=dept.pk, year=2027, number="隰市监罚〔2027〕1号") == "隰市监罚〔2027〕2号"
    assert next_free_number(department_id=dept.pk, year=2026, number="无编号") is None


def test_duplicate_number_shown_once_on_the_page_next_to_the_field(client, users, dept):
    handler = users["handler"].officer
    co = certified_officer(dept)
    client.force_login(users["legal_officer"])
    client.post(reverse("cases:create"), _form(handler, co))
    response = client.post(reverse("cases:create"), _form(handler, co, title="另一案"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("已经使用") == 1
    assert "下一个可用的案号是“隰市监罚〔2026〕8号”" in html
    assert "已经存在" not in html  # Django's "包含 部门，年度 和 案号 的 案卷 已经存在" is gone
    assert html.index('name="number"') < html.index("已经使用")  # beside the field, not at the top
