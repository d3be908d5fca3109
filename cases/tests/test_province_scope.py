"""Province scale (performance.md target 3): a county-wide role sitting on a province (or city)
region reads the case files of every county below it; a county user still reads only their county."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CaseFileFactory, DepartmentFactory, OfficerFactory, RegionFactory, UserFactory
from xian_enforcement.org.choices import DepartmentKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(region):
    shanxi = RegionFactory(code="140000", name="山西省")
    region.parent = shanxi
    region.save()
    neighbour = RegionFactory(code="141032", name="永和县", parent=shanxi)
    other_dept = DepartmentFactory(
        region=neighbour, name="永和县市场监督管理局", short_name="永和市场", kind=DepartmentKind.COUNTY_DEPARTMENT
    )
    return shanxi, neighbour, other_dept


def _user_on(region, role: str, username: str):
    user = UserFactory(roles=[role], username=username)
    OfficerFactory(user=user, department=None, region=region, name=username, is_enforcement_officer=False)
    return user


def test_province_bureau_reads_every_county_below_it(client, users, dept, province):
    shanxi, _neighbour, other_dept = province
    here = CaseFileFactory(department=dept, title="隰县案卷")
    there = CaseFileFactory(department=other_dept, title="永和案卷")
    client.force_login(_user_on(shanxi, "bureau_staff", "sheng_bureau"))
    html = client.get(reverse("cases:list")).content.decode()
    assert here.title in html and there.title in html
    assert client.get(reverse("cases:detail", args=[there.pk])).status_code == 200


def test_county_bureau_still_reads_only_its_county(client, users, dept, province):
    _shanxi, _neighbour, other_dept = province
    there = CaseFileFactory(department=other_dept, title="永和案卷")
    mine = CaseFileFactory(department=dept, title="隰县案卷")
    client.force_login(users["bureau_staff"])
    html = client.get(reverse("cases:list")).content.decode()
    assert mine.title in html and there.title not in html
    assert client.get(reverse("cases:detail", args=[there.pk])).status_code == 404


def test_province_leader_reads_but_cannot_write(client, dept, province):
    shanxi, _neighbour, _other = province
    case = CaseFileFactory(department=dept)
    client.force_login(_user_on(shanxi, "leader", "sheng_leader"))
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert client.post(reverse("cases:edit", args=[case.pk]), {}).status_code == 403
