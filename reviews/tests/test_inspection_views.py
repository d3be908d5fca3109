"""Inspection pages (REV-10, REV-11, REV-12, REV-16): allowed / refused / outside /
anonymous, the draw and its re-run on the page, constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.choices import LitigationState
from reviews import sampling
from reviews.models import InspectionCampaign, SampledFile
from tests.factories import DepartmentFactory, RegionFactory, certified_officer

from .factories import reviewable_file
from .test_sampling import campaign

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


def test_rev_10_bureau_creates_a_campaign_with_a_published_seed(client, users):
    response = login(client, users["bureau_staff"]).post(
        reverse("reviews:campaigns"),
        {
            "title": "2026 年度检查",
            "year": 2026,
            "kind": "regular",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "public_value": "2026-03-02 上证综指收盘 3245.12",
            "seed_date": "2026-03-02",
        },
    )
    c = InspectionCampaign.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reviews:campaign", args=[c.pk])
    page = client.get(response["Location"]).content.decode()
    assert c.seed in page


def test_rev_11_bad_campaign_input_is_refused_and_saves_nothing(client, users):
    response = login(client, users["bureau_staff"]).post(
        reverse("reviews:campaigns"),
        {
            "title": "x",
            "year": 2026,
            "kind": "regular",
            "period_start": "2026-12-31",
            "period_end": "2026-01-01",
            "public_value": "v",
            "seed_date": "2026-03-02",
        },
    )
    assert response.status_code == 400 and "结束日期不能早于开始日期" in response.content.decode()
    assert not InspectionCampaign.objects.exists()


@pytest.mark.parametrize("role", ["review_group", "leader"])
def test_rev_10_county_roles_read_but_cannot_create(client, users, role):
    c = login(client, users[role])
    assert c.get(reverse("reviews:campaigns")).status_code == 200
    assert c.post(reverse("reviews:campaigns"), {}).status_code == 403


@pytest.mark.parametrize("role", ["legal_head", "handler", "sysadmin", "nobody"])
def test_rev_10_other_roles_refused_403(client, users, role):
    response = login(client, users[role]).get(reverse("reviews:campaigns"))
    assert response.status_code == 403 and "REV-10" in response.content.decode()


def test_rev_10_campaign_of_another_county_is_404(client, users):
    other_region = RegionFactory(code="141000", name="临汾市")
    staff = certified_officer(DepartmentFactory(region=other_region), roles=["bureau_staff"]).user
    foreign = campaign({"bureau_staff": staff})
    assert login(client, users["bureau_staff"]).get(reverse("reviews:campaign", args=[foreign.pk])).status_code == 404


def test_inspection_pages_send_anonymous_to_login(client, users):
    c = campaign(users)
    for url in (
        reverse("reviews:campaigns"),
        reverse("reviews:campaign", args=[c.pk]),
        reverse("reviews:campaign_verify", args=[c.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_rev_11_draw_from_the_page_then_verify_shows_the_same_files(client, users, dept):
    for _ in range(7):
        reviewable_file(dept)
    sued = reviewable_file(dept, litigation=LitigationState.PENDING)
    c = campaign(users)
    login(client, users["review_group"])
    assert client.post(reverse("reviews:campaign_draw", args=[c.pk])).status_code == 403
    login(client, users["bureau_staff"])
    response = client.post(reverse("reviews:campaign_draw", args=[c.pk]), follow=True)
    html = response.content.decode()
    assert "已抽取 5 件案卷，排除 1 件" in html
    assert sued.number in html and "行政诉讼" in html
    verify = login(client, users["leader"]).get(reverse("reviews:campaign_verify", args=[c.pk])).content.decode()
    assert "重新抽取得到相同的 5 件案卷" in verify


def test_rev_11_fewer_than_five_says_all_taken(client, users, dept):
    reviewable_file(dept)
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    html = login(client, users["bureau_staff"]).get(reverse("reviews:campaign", args=[c.pk])).content.decode()
    assert "不足 5 件，全部抽取" in html


def test_rev_10_assign_offers_only_members_of_other_units(client, users, dept, other_dept):
    case = reviewable_file(dept)
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    own = certified_officer(dept, roles=["review_group"], name="本单位抽调员")
    sampling.campaign_add_member(campaign=c, by=users["bureau_staff"], officer=own, role="seconded")
    sampling.campaign_add_member(
        campaign=c, by=users["bureau_staff"], officer=users["review_group"].officer, role="member"
    )
    html = login(client, users["bureau_staff"]).get(reverse("reviews:campaign", args=[c.pk])).content.decode()
    sample = SampledFile.objects.get(case_file=case)
    form = html.split(reverse("reviews:sample_assign", args=[sample.pk]))[1].split("</form>")[0]
    assert "本单位抽调员" not in form and users["review_group"].officer.name in form
    response = client.post(reverse("reviews:sample_assign", args=[sample.pk]), {"reviewer": own.pk}, follow=True)
    assert "REV-10" in response.content.decode()
    sample.refresh_from_db()
    assert sample.reviewer is None


def test_rev_11_campaign_page_query_count_is_constant(client, users, dept, other_dept):
    for _ in range(2):
        reviewable_file(dept)
    reviewable_file(dept, litigation=LitigationState.PENDING)
    small_campaign = campaign(users)
    sampling.campaign_draw(campaign=small_campaign, by=users["bureau_staff"])
    sampling.campaign_add_member(
        campaign=small_campaign, by=users["bureau_staff"], officer=users["review_group"].officer, role="leader"
    )
    for _ in range(12):
        reviewable_file(other_dept, closed_on=datetime.date(2026, 6, 1))
        reviewable_file(dept, litigation=LitigationState.PENDING)
    big_campaign = campaign(users)
    sampling.campaign_draw(campaign=big_campaign, by=users["bureau_staff"])
    sampling.campaign_add_member(
        campaign=big_campaign, by=users["bureau_staff"], officer=users["review_group"].officer, role="leader"
    )
    sampling.campaign_add_member(
        campaign=big_campaign, by=users["bureau_staff"], officer=users["legal_head"].officer, role="seconded"
    )
    login(client, users["bureau_staff"])

    def count(c):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("reviews:campaign", args=[c.pk])).status_code == 200
        return len(ctx)

    assert count(small_campaign) == count(big_campaign)

    def list_count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("reviews:campaigns"))
        return len(ctx)

    before = list_count()
    campaign(users)
    assert list_count() == before
