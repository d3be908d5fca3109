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
from reviews.choices import Grade
from reviews.models import InspectionCampaign, SampledFile
from tests.factories import DepartmentFactory, RegionFactory, certified_officer

from .factories import reviewable_file, scored_items, template_for
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


@pytest.fixture
def assigned(users, dept):
    """A drawn campaign whose one sampled file is assigned to the review-group user."""
    case = reviewable_file(dept)
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    reviewer = users["review_group"].officer
    sampling.campaign_add_member(campaign=c, by=users["bureau_staff"], officer=reviewer, role="leader")
    sample = SampledFile.objects.get(campaign=c, case_file=case)
    sampling.sampled_file_assign(sample=sample, by=users["bureau_staff"], reviewer=reviewer)
    return sample


def test_rev_11_assigned_reviewer_grades_the_sampled_file_in_the_browser(client, users, assigned):
    case = assigned.case_file
    item = scored_items(template_for(case))[3]
    url = reverse("reviews:sample_grade", args=[assigned.pk])
    login(client, users["review_group"])
    page = client.get(reverse("reviews:campaign", args=[assigned.campaign_id])).content.decode()
    assert url in page
    form = client.get(url)
    assert form.status_code == 200 and f'name="deduct_{item.pk}"' in form.content.decode()
    response = client.post(
        url,
        {
            f"deduct_{item.pk}": "45",
            f"reason_{item.pk}": "主要证据缺失",
            "problems": "证据不足",
            "self_review_quality": "missed",
        },
        follow=True,
    )
    assert response.status_code == 200
    assigned.refresh_from_db()
    assert (assigned.score, assigned.grade, assigned.self_review_quality) == (85, Grade.QUALIFIED, "missed")
    assert assigned.findings[str(item.pk)] == [False, "45", "主要证据缺失"]
    html = response.content.decode()
    assert "合格" in html and "85" in html and "自查未发现问题" in html


def test_rev_11_only_the_assigned_reviewer_grades_others_403_outside_404_anonymous_login(
    client, users, assigned, bureau
):
    url = reverse("reviews:sample_grade", args=[assigned.pk])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    other = certified_officer(bureau, roles=["review_group"], name="另一评查员")
    sampling.campaign_add_member(campaign=assigned.campaign, by=users["bureau_staff"], officer=other, role="member")
    for user in (other.user, users["bureau_staff"], users["leader"]):
        assert login(client, user).get(url).status_code == 403
        assert client.post(url, {"self_review_quality": "missed"}).status_code == 403
    assert login(client, users["legal_head"]).get(url).status_code == 403
    other_region = RegionFactory(code="141000", name="临汾市")
    foreign = certified_officer(DepartmentFactory(region=other_region), roles=["review_group"]).user
    assert login(client, foreign).get(url).status_code == 404
    assigned.refresh_from_db()
    assert not assigned.grade and assigned.graded_at is None


def test_rev_10_assigned_reviewer_never_grades_own_units_file(client, users, assigned, dept):
    """Defence in depth: even if a reviewer's unit changed after assignment, REV-10 refuses."""
    reviewer = users["review_group"].officer
    reviewer.department = dept
    reviewer.save(update_fields=["department"])
    url = reverse("reviews:sample_grade", args=[assigned.pk])
    assert login(client, users["review_group"]).post(url, {"self_review_quality": "missed"}).status_code == 403
    assigned.refresh_from_db()
    assert not assigned.grade


@pytest.mark.parametrize(
    "bad",
    [
        {"self_review_quality": ""},  # the self-review grade is required
        {"self_review_quality": "bogus"},
        {"self_review_quality": "missed", "deduct": "abc"},
        {"self_review_quality": "missed", "deduct": "-3"},
        {"self_review_quality": "missed", "deduct": "5", "reason": ""},  # deduction without reason
    ],
)
def test_rev_11_bad_grading_input_saves_nothing(client, users, assigned, bad):
    item = scored_items(template_for(assigned.case_file))[0]
    data = {"self_review_quality": bad["self_review_quality"], "problems": "x"}
    if "deduct" in bad:
        data[f"deduct_{item.pk}"] = bad["deduct"]
        data[f"reason_{item.pk}"] = bad.get("reason", "理由")
    response = login(client, users["review_group"]).post(reverse("reviews:sample_grade", args=[assigned.pk]), data)
    assert response.status_code == 400 and "没有保存" in response.content.decode()
    assigned.refresh_from_db()
    assert not assigned.grade and assigned.score is None and assigned.graded_at is None


def test_rev_17_unit_recorded_as_refusing_the_inspection_is_flagged_with_the_reason(client, users, dept, other_dept):
    from reviews.annual import unit_rows
    from reviews.models import InspectionRefusal

    c = campaign(users)
    url = reverse("reviews:campaign_refusal_add", args=[c.pk])
    data = {"department": dept.pk, "kind": "refused", "note": "拒不提供案卷台账"}
    assert login(client, users["review_group"]).post(url, data).status_code == 403
    assert not InspectionRefusal.objects.exists()
    assert login(client, users["bureau_staff"]).post(url, {**data, "note": ""}).status_code == 302
    assert not InspectionRefusal.objects.exists()  # a reason is required
    page = client.post(url, data, follow=True).content.decode()
    assert "拒不提供案卷台账" in page and "不接受行政执法案卷评查" in page
    rows = {d.pk: d for d in unit_rows(dept.region_id, 2026, today=datetime.date(2026, 3, 1))}
    assert rows[dept.pk].flagged
    (reason,) = rows[dept.pk].flag_reasons
    assert "不接受行政执法案卷评查或不积极开展" in reason and "REV-17" in reason
    assert not rows[other_dept.pk].flagged and rows[other_dept.pk].flag_reasons == []
    assert not unit_rows(dept.region_id, 2025, dept.pk, today=datetime.date(2025, 3, 1))[0].flagged


def test_rev_17_neglected_inspection_flags_the_unit_too(users, dept, other_dept):
    from reviews.annual import unit_rows

    c = campaign(users)
    sampling.campaign_record_refusal(
        campaign=c, by=users["bureau_staff"], department=other_dept, kind="neglected", note="未按期报送台账"
    )
    rows = {d.pk: d for d in unit_rows(dept.region_id, 2026, today=datetime.date(2026, 3, 1))}
    assert rows[other_dept.pk].flagged and "不积极开展评查" in rows[other_dept.pk].flag_reasons[0]
    assert not rows[dept.pk].flagged


def test_rev_11_every_unit_and_category_of_the_power_lists_is_listed_with_no_files_said(
    client, users, dept, other_dept
):
    """REV-11: the inspection lists every unit × sampling category of the units' power lists,
    with "无可抽案卷" where a category had nothing to draw from — not only where files were."""
    from tests.factories import PowerItemFactory, category

    PowerItemFactory(department=dept, category=category("punishment"))
    PowerItemFactory(department=dept, category=category("licensing"))
    PowerItemFactory(department=dept, category=category("levy"))
    PowerItemFactory(department=dept, category=category("requisition"))  # same group as 征收
    PowerItemFactory(department=dept, category=category("inspection"))  # not a sampling category
    PowerItemFactory(department=other_dept, category=category("coercion"))
    for _ in range(2):
        reviewable_file(dept)  # 行政处罚 only
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    html = login(client, users["bureau_staff"]).get(reverse("reviews:campaign", args=[c.pk])).content.decode()
    table = html[html.index('id="strata-table"') : html.index("</table>", html.index('id="strata-table"'))]
    rows = table.split("<tr>")[2:]
    cells = [(r.split("</td>")[0].split(">")[-1], r.split("</td>")[1].split(">")[-1]) for r in rows]
    assert sorted(cells) == sorted(
        [
            ("市场监管局", "行政处罚"),
            ("市场监管局", "行政许可"),
            ("市场监管局", "行政征收或征用"),
            ("龙泉镇", "行政强制"),
        ]
    )
    # grouped by unit, categories in the reference order (处罚, 许可, 强制, 征收或征用)
    assert [g for d, g in cells if d == "市场监管局"] == ["行政处罚", "行政许可", "行政征收或征用"]
    by_cell = dict(zip(cells, rows, strict=True))
    assert "无可抽案卷" not in by_cell[("市场监管局", "行政处罚")]
    for empty in [("市场监管局", "行政许可"), ("市场监管局", "行政征收或征用"), ("龙泉镇", "行政强制")]:
        assert "无可抽案卷" in by_cell[empty]


def test_rev_11_strata_table_pages_by_unit_and_keeps_a_units_categories_together(client, users, dept, region):
    """REV-11: the listing pages by unit (every unit × category still listed once across the
    pages; a unit's categories never split between pages)."""
    from reviews.views_inspection import STRATA_UNITS_PER_PAGE
    from tests.factories import PowerItemFactory, category

    units = [dept] + [DepartmentFactory(region=region, order=k + 1) for k in range(STRATA_UNITS_PER_PAGE)]
    for unit in units:
        PowerItemFactory(department=unit, category=category("punishment"))
        PowerItemFactory(department=unit, category=category("coercion"))
    c = campaign(users)
    sampling.campaign_draw(campaign=c, by=users["bureau_staff"])
    login(client, users["bureau_staff"])
    seen = []
    for page in (1, 2):
        html = client.get(reverse("reviews:campaign", args=[c.pk]) + f"?p_strata={page}").content.decode()
        table = html[html.index('id="strata-table"') : html.index("</table>", html.index('id="strata-table"'))]
        seen += [r.split("</td>")[:2] for r in table.split("<tr>")[2:]]
        assert f"（{len(units)} 个单位）" in html
    assert len(seen) == 2 * len(units)  # each unit × {行政处罚, 行政强制} once
    names = [cells[0].split(">")[-1] for cells in seen]
    last_of_page_1 = STRATA_UNITS_PER_PAGE * 2 - 1
    assert names[last_of_page_1] == names[last_of_page_1 - 1] != names[last_of_page_1 + 1]
