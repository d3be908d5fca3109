"""The public list of certificate holders at /public/certificates/ (STA-5.2): no login, only
valid certificates, only the published columns, never personal data."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CertificateFactory, DepartmentFactory, OfficerFactory, RegionFactory
from xian_enforcement.org.choices import CertificateStatus
from xian_enforcement.org.crypto import mask_id_number

pytestmark = pytest.mark.django_db

URL = "/public/certificates/"
D = datetime.date
ID_NUMBER = "141031198507154321"
PHONE = "13912345678"


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def holder(department, name, *, number=None, post="执法队员", **cert):
    officer = OfficerFactory(department=department, region=department.region, name=name, post=post)
    kwargs = {"officer": officer, **cert}
    if number:
        kwargs["number"] = number
    return CertificateFactory(**kwargs)


@pytest.fixture
def certificates(dept, other_dept):
    return {
        "valid": holder(dept, "王有效", number="14103100100001", post="执法大队队长", valid_to=D(2028, 5, 31)),
        "other": holder(other_dept, "赵乡镇", number="14103100100002"),
        "suspended": holder(dept, "钱暂停", status=CertificateStatus.SUSPENDED),
        "revoked": holder(dept, "孙吊销", status=CertificateStatus.REVOKED),
        "expired_status": holder(dept, "李过期", status=CertificateStatus.EXPIRED),
        "expired_by_date": holder(dept, "周到期", valid_from=D(2020, 1, 1), valid_to=D(2026, 6, 29)),
        "not_yet": holder(dept, "吴未生效", valid_from=D(2026, 7, 1), valid_to=D(2030, 1, 1)),
        "last_day": holder(dept, "郑今天", valid_from=D(2020, 1, 1), valid_to=D(2026, 6, 30)),
    }


def test_url_name_is_stable():
    assert reverse("public:certificates") == URL


def test_sta_5_2_anonymous_sees_valid_holders_only(client, certificates):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("valid", "other", "last_day"):
        assert certificates[key].officer.name in html
        assert certificates[key].number in html
    for key in ("suspended", "revoked", "expired_status", "expired_by_date", "not_yet"):
        assert certificates[key].officer.name not in html, key
        assert certificates[key].number not in html, key
    assert response.context["page"].paginator.count == 3


def test_sta_5_2_shows_name_unit_post_number_and_validity(client, certificates):
    html = client.get(URL).content.decode()
    assert "王有效" in html and "市场监管局" in html and "执法大队队长" in html
    assert "14103100100001" in html and "2028年5月31日" in html


def test_sta_5_2_never_shows_id_number_or_phone(client, dept):
    officer = OfficerFactory(department=dept, region=dept.region, name="冯隐私", id_number=ID_NUMBER, phone=PHONE)
    CertificateFactory(officer=officer)
    html = client.get(URL).content.decode()
    assert "冯隐私" in html
    assert ID_NUMBER not in html
    assert mask_id_number(ID_NUMBER) not in html
    assert "19850715" not in html  # no fragment of it either (birth date, last four)
    assert ID_NUMBER[-4:] not in html
    assert PHONE not in html
    assert PHONE[:3] + "****" + PHONE[-4:] not in html
    assert PHONE[-4:] not in html


def test_search_by_name_or_certificate_number(client, certificates):
    response = client.get(URL, {"q": "王有"})
    assert [h["officer__name"] for h in response.context["page"].object_list] == ["王有效"]
    response = client.get(URL, {"q": "14103100100002"})
    assert [h["officer__name"] for h in response.context["page"].object_list] == ["赵乡镇"]
    response = client.get(URL, {"q": "钱暂停"})
    assert response.context["page"].paginator.count == 0
    assert "没有符合条件的持证人员" in response.content.decode()


def test_filter_by_department(client, certificates, dept, other_dept):
    names = [h["officer__name"] for h in client.get(URL, {"department": other_dept.pk}).context["page"].object_list]
    assert names == ["赵乡镇"]
    # An unknown or malformed department shows everyone rather than failing.
    assert client.get(URL, {"department": "x"}).status_code == 200
    assert client.get(URL, {"department": 999999}).context["page"].paginator.count == 3


def test_filter_by_region_defaults_to_all(client, certificates):
    elsewhere = DepartmentFactory(region=RegionFactory(code="141032", name="别县"), short_name="别县某局")
    holder(elsewhere, "陈别县")
    assert client.get(URL).context["page"].paginator.count == 4
    response = client.get(URL, {"region": "141032"})
    assert [h["officer__name"] for h in response.context["page"].object_list] == ["陈别县"]
    assert 'name="region"' in response.content.decode()
    response = client.get(URL, {"region": "141031"})
    assert "陈别县" not in response.content.decode()


def test_paginated_by_50_and_works_on_a_phone(client, dept):
    for i in range(51):
        holder(dept, f"人员{i:02d}")
    response = client.get(URL)
    page = response.context["page"]
    assert len(page.object_list) == 50 and page.paginator.num_pages == 2
    html = response.content.decode()
    assert "page=2" in html
    # A table for wide screens and cards for narrow ones.
    assert 'id="holder-table"' in html and 'id="holder-cards"' in html and "d-md-none" in html
    assert 'name="viewport"' in html
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) == 1


def test_logged_in_users_see_it_too(client, users, certificates):
    client.force_login(users["leader"])
    assert client.get(URL).status_code == 200


def test_hostile_names_are_escaped(client, dept):
    holder(dept, "<script>alert(1)</script>")
    html = client.get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_query_count_does_not_grow_with_the_data(client, dept, other_dept):
    """performance.md target 6: the same number of queries at two data sizes."""
    for i in range(3):
        holder(dept, f"甲{i}")
        holder(other_dept, f"乙{i}")
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, {"q": "甲"}).status_code == 200
    for i in range(3, 60):
        holder(dept, f"甲{i}")
        holder(other_dept, f"乙{i}")
    DepartmentFactory(region=dept.region)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL, {"q": "甲"}).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
