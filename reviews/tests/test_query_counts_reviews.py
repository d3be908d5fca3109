"""performance.md target 6 for the review room: every list page runs the same number of queries
with 3 and with 30 case files / reviews / campaigns; target 7: a province campaign draws in all
its counties' departments (REV-10/REV-11/REV-12), reproducibly (``verify_sample``); target 1/2:
on PostgreSQL the queue's main query reads the case table through its partial index."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.choices import LitigationState, ReconsiderationState
from cases.models import CaseCategory, CaseFile
from reviews import sampling, selectors
from reviews.choices import GroupRole
from reviews.models import InspectionCampaign, SampledFile, SampleExclusion
from tests.factories import CaseFileFactory, DepartmentFactory, RegionFactory, certified_officer
from xian_enforcement.org.choices import DepartmentKind

from .factories import locked_review, submitted_review

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _frozen_today():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def make_files(department, n: int, *, start: int = 0) -> list[CaseFile]:
    """``n`` closed files in every state the queue shows: transferred (awaiting self-review),
    not yet transferred (awaiting transfer) and excluded by REV-12 (every third)."""
    made = []
    handler, co = certified_officer(department), certified_officer(department)
    for i in range(start, start + n):
        made.append(
            CaseFileFactory(
                department=department,
                main_handler=handler,
                co_handlers=[co],
                filed_on=datetime.date(2026, 1, 5),
                closed_on=datetime.date(2026, 6, 1) - datetime.timedelta(days=i % 40),
                status="closed",
                transferred_for_review_on=datetime.date(2026, 6, 10) if i % 2 == 0 else None,
                litigation=LitigationState.PENDING if i % 3 == 2 else LitigationState.NONE,
            )
        )
    return made


def count_queries(client, url: str) -> int:
    response = client.get(url)  # warm per-process caches (content types, sessions)
    assert response.status_code == 200, url
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_perf_6_review_queue_same_queries_with_3_and_30_files_and_reviews(client, users, dept):
    """Target 6 (REV-5/REV-6/REV-7/REV-12): the legal head's queue with all four lists filled
    (awaiting transfer, awaiting self-review with draft/submitted records, excluded, awaiting
    my signature) runs as many queries with 30 files as with 3."""
    small = make_files(dept, 3)
    submitted_review(small[0], users["legal_officer"])
    client.force_login(users["legal_head"])
    url = reverse("reviews:index")
    before = count_queries(client, url)

    large = make_files(dept, 27, start=3)
    transferred = [c for c in large if c.transferred_for_review_on and not c.excluded_from_review]
    for case in transferred[:3]:
        submitted_review(case, users["legal_officer"])
    locked_review(transferred[3], users)
    response = client.get(url)
    for key in ("review_page", "transfer_page", "excluded_page", "sign_page"):
        assert response.context[key].object_list, key
    assert count_queries(client, url) == before


@pytest.mark.parametrize("role", ["legal_officer", "bureau_staff"])
def test_perf_6_review_queue_same_queries_for_each_reader(client, users, dept, other_dept, role):
    """Target 6: the department view and the county table at 3 and 30 files."""
    make_files(dept, 3)
    make_files(other_dept, 3)
    client.force_login(users[role])
    url = reverse("reviews:index")
    before = count_queries(client, url)
    make_files(dept, 27, start=3)
    make_files(other_dept, 27, start=3)
    assert count_queries(client, url) == before


def _campaign(region, *, title="检查", seed_value="2026-03-02 上证综指收盘 3245.12", by=None) -> InspectionCampaign:
    seed_date = datetime.date(2026, 3, 2)
    return InspectionCampaign.objects.create(
        region=region,
        year=2026,
        title=title,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
        public_value=seed_value,
        seed_date=seed_date,
        seed=sampling.make_seed(seed_value, seed_date),
        sample_size=5,
        created_by=by,
    )


def test_perf_6_campaign_list_same_queries_with_3_and_30_campaigns(client, users, region):
    """Target 6 (REV-10): the inspection list."""
    for i in range(3):
        _campaign(region, title=f"检查{i}")
    client.force_login(users["bureau_staff"])
    url = reverse("reviews:campaigns")
    before = count_queries(client, url)
    for i in range(3, 30):
        _campaign(region, title=f"检查{i}")
    assert count_queries(client, url) == before


def test_perf_6_campaign_detail_same_queries_before_and_after_the_draw_at_two_sizes(
    client, users, region, dept, other_dept
):
    """Target 6 (REV-10/REV-11/REV-12/REV-16): the inspection page before its draw (3 vs 30
    files) and after it (samples, strata, exclusions, review group: 3 vs 30 files)."""
    bureau_staff = users["bureau_staff"]
    client.force_login(bureau_staff)
    make_files(dept, 3)
    make_files(other_dept, 3)
    first = _campaign(region, by=bureau_staff)
    sampling.campaign_add_member(campaign=first, by=bureau_staff, officer=bureau_staff.officer, role=GroupRole.LEADER)
    url = reverse("reviews:campaign", args=[first.pk])
    before_draw_small = count_queries(client, url)
    sampling.campaign_draw(campaign=first, by=bureau_staff)
    drawn_small = count_queries(client, url)

    make_files(dept, 27, start=3)
    make_files(other_dept, 27, start=3)
    second = _campaign(region, title="第二次检查", by=bureau_staff)
    for officer in (bureau_staff.officer, certified_officer(dept), certified_officer(other_dept)):
        sampling.campaign_add_member(campaign=second, by=bureau_staff, officer=officer, role=GroupRole.MEMBER)
    url = reverse("reviews:campaign", args=[second.pk])
    assert count_queries(client, url) == before_draw_small
    sampling.campaign_draw(campaign=second, by=bureau_staff)
    assert SampledFile.objects.filter(campaign=second).count() > SampledFile.objects.filter(campaign=first).count()
    assert SampleExclusion.objects.filter(campaign=second).exists()
    assert count_queries(client, url) == drawn_small


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("reviews:coverage", "bureau_staff"),
        ("reviews:coverage", "legal_officer"),
        ("reviews:library", "bureau_staff"),
        ("reviews:summaries", "bureau_staff"),
        ("reviews:assessment", "bureau_staff"),
    ],
)
def test_perf_6_other_review_pages_same_queries_with_3_and_30_files(client, users, dept, other_dept, name, role):
    """Target 6 (REV-6, REV-8, REV-9, REV-16): coverage, the excellent-file library, the
    half-year summaries and the annual assessment, with 3 and 30 files (some locked reviews)."""
    files = make_files(dept, 3)
    locked_review(files[0], users)
    client.force_login(users[role])
    url = reverse(name)
    before = count_queries(client, url)
    more = make_files(dept, 27, start=3) + make_files(other_dept, 27, start=3)
    for case in [c for c in more if c.department_id == dept.pk and c.transferred_for_review_on][:2]:
        if not case.excluded_from_review:
            locked_review(case, users)
    assert count_queries(client, url) == before


# --- REV-11 across a province ------------------------------------------------------------------


@pytest.fixture
def province_counties(region):
    """The fixture county and a second county under one province, one more county elsewhere."""
    province = RegionFactory(code="140000", name="山西省")
    region.parent = province
    region.save(update_fields=["parent"])
    second = RegionFactory(code="141029", name="乡宁县", parent=province)
    elsewhere = RegionFactory(code="150000", name="别省")
    return province, region, second, elsewhere


def _department(county, name):
    return DepartmentFactory(region=county, name=name, short_name=name, kind=DepartmentKind.COUNTY_DEPARTMENT)


def _files(department, n, **kwargs):
    handler, co = certified_officer(department), certified_officer(department)
    defaults = {
        "filed_on": datetime.date(2026, 2, 1),
        "closed_on": datetime.date(2026, 4, 1),
        "status": "closed",
        "main_handler": handler,
        "co_handlers": [co],
    }
    return [CaseFileFactory(department=department, **(defaults | kwargs)) for _ in range(n)]


def test_rev_11_province_campaign_draws_five_per_department_and_category_in_every_county(
    users, province_counties, dept
):
    """REV-11/REV-12, performance.md target 7: a campaign on a region with counties draws 5 per
    (department, sampling group) across all the counties' departments, ranked by
    sha256(seed:id); REV-12 exclusions are listed; files of other provinces are not drawn; the
    draw is the same when re-run and ``verify_sample`` agrees."""
    province, _county, second, elsewhere = province_counties
    licensing = CaseCategory.objects.get(code="licensing")
    a = _files(dept, 7)
    a_licensing = _files(dept, 2, category=licensing)
    b_dept = _department(second, "乡宁县市场监管局")
    b = _files(b_dept, 6)
    under_review = _files(b_dept, 1, reconsideration=ReconsiderationState.PENDING)
    outside = _files(_department(elsewhere, "别省某局"), 4)
    campaign = _campaign(province)

    draw = sampling.compute_draw(campaign)
    assert draw.candidates == {(dept.pk, "行政处罚"): 7, (dept.pk, "行政许可"): 2, (b_dept.pk, "行政处罚"): 6}
    for files, stratum in (
        (a, (dept.pk, "行政处罚")),
        (a_licensing, (dept.pk, "行政许可")),
        (b, (b_dept.pk, "行政处罚")),
    ):
        expected = sorted((sampling.draw_key(campaign.seed, f.pk), f.pk) for f in files)[:5]
        assert draw.picks[stratum] == [(pk, key) for key, pk in expected]
    assert set(draw.excluded) == {under_review[0].pk}
    assert not draw.case_ids() & {f.pk for f in outside}
    assert len(draw.case_ids()) == 5 + 2 + 5
    assert sampling.compute_draw(campaign).picks == draw.picks  # seeded: the same again

    sampling.campaign_draw(campaign=campaign, by=users["bureau_staff"])
    assert set(SampledFile.objects.filter(campaign=campaign).values_list("case_file_id", flat=True)) == draw.case_ids()
    assert sampling.campaign_verify(campaign).same
    out = StringIO()
    call_command("verify_sample", str(campaign.pk), stdout=out)
    assert "12" in out.getvalue()


def test_rev_11_county_campaign_still_draws_only_its_own_departments(users, province_counties, dept):
    """REV-10: a county's campaign (no child regions) is unchanged: only its departments."""
    _province, county, second, _elsewhere = province_counties
    mine = _files(dept, 3)
    _files(_department(second, "乡宁县某局"), 3)
    draw = sampling.compute_draw(_campaign(county))
    assert draw.case_ids() == {f.pk for f in mine}


# --- PostgreSQL --------------------------------------------------------------------------------


def _require_postgresql():
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (DATABASE_URL); run it in the PostgreSQL pass", pytrace=False)


@pytest.mark.services
def test_perf_7_postgresql_draw_equals_the_python_draw_for_a_province(users, province_counties, dept):
    """Target 7, REV-11/REV-12: the draw ranked by PostgreSQL (one window query) picks, counts
    and excludes exactly what the Python ranking does (``verify_sample`` depends on it)."""
    _require_postgresql()
    province, _county, second, _elsewhere = province_counties
    b_dept = _department(second, "乡宁县市场监管局")
    _files(dept, 9)
    _files(dept, 3, category=CaseCategory.objects.get(code="licensing"))
    _files(b_dept, 6)
    _files(b_dept, 2, litigation=LitigationState.PENDING)
    _files(dept, 1, reconsideration=ReconsiderationState.PENDING, category=CaseCategory.objects.get(code="licensing"))
    campaign = _campaign(province)
    sql = sampling.compute_draw(campaign)
    python = sampling._compute_draw_python(campaign, sampling.campaign_region_ids(province.pk))
    assert (sql.picks, sql.candidates, sql.excluded) == (python.picks, python.candidates, python.excluded)
    assert len(sql.case_ids()) == 5 + 3 + 5


@pytest.mark.services
def test_perf_2_queue_main_query_uses_the_partial_index_not_a_seq_scan(users, dept):
    """Targets 1/2 (REV-5/REV-6): with 3,000 files in one department the planner would read
    the whole case table for the "awaiting self-review" page (shown by dropping the index); with
    migration 0006's partial index it is an index scan that stops after a page."""
    _require_postgresql()
    template = make_files(dept, 1)[0]
    rows = []
    for i in range(3000):
        row = CaseFile.objects.get(pk=template.pk)
        row.pk = None
        row.number = f"隰测罚〔2026〕计划{i}号"
        row.transferred_for_review_on = datetime.date(2026, 6, 10) if i % 10 else None
        row.closed_on = datetime.date(2026, 6, 1) - datetime.timedelta(days=i % 90)
        rows.append(row)
    CaseFile.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_casefile")
    page = selectors.awaiting_self_review(users["legal_officer"])[:50]
    assert "Seq Scan on cases_casefile" not in page.explain()
    assert "reviews_case_await_review_idx" in page.explain()
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX reviews_case_await_review_idx")  # rolled back with the test
    assert "Seq Scan on cases_casefile" in page.explain()


def test_perf_1_drawn_campaign_page_lists_the_draw_page_by_page(client, users, region, dept, other_dept, monkeypatch):
    """Target 1 (REV-11/REV-12): a drawn campaign's strata, samples and exclusions are paged,
    each with its own page parameter (a province draws tens of thousands of files)."""
    from reviews import views_inspection

    monkeypatch.setattr(views_inspection, "DRAW_PAGE_SIZE", 2)
    _files(dept, 3)
    _files(other_dept, 3)
    bureau_staff = users["bureau_staff"]
    campaign = _campaign(region, by=bureau_staff)
    sampling.campaign_draw(campaign=campaign, by=bureau_staff)
    client.force_login(bureau_staff)
    url = reverse("reviews:campaign", args=[campaign.pk])
    first = client.get(url)
    page = first.context["samples_page"]
    assert page.paginator.count == 6 and len(page.object_list) == 2
    assert "p_samples=2" in first.content.decode()
    second = client.get(url, {"p_samples": 3}).context["samples_page"]
    assert {s.pk for s in second.object_list}.isdisjoint({s.pk for s in page.object_list})
    assert sum(len(client.get(url, {"p_samples": n}).context["samples_page"].object_list) for n in (1, 2, 3)) == 6


@pytest.mark.services
def test_perf_2_rev_16_library_page_reads_its_partial_index(users, dept):
    """Target 2 (REV-16): the excellent-file library's page is an ordered scan of migration
    0007's partial index, not a sort of every review joined to a full scan of the case table."""
    from reviews.choices import Grade, ReviewStatus
    from reviews.models import SelfReview

    from .factories import template_for

    _require_postgresql()
    template_case = make_files(dept, 1)[0]
    cases = []
    for i in range(3000):
        row = CaseFile.objects.get(pk=template_case.pk)
        row.pk = None
        row.number = f"隰测罚〔2026〕库{i}号"
        cases.append(row)
    cases = CaseFile.objects.bulk_create(cases)
    checklist, reviewer = template_for(template_case), users["legal_officer"]
    SelfReview.objects.bulk_create(
        SelfReview(
            case_file=case,
            department_id=case.department_id,
            template=checklist,
            reviewer=reviewer,
            reviewer_name="法制审核员",
            year=2026,
            status=ReviewStatus.LOCKED,
            grade=Grade.EXCELLENT if i % 2 else Grade.QUALIFIED,
            score=90 + i % 10,
            locked_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC) + datetime.timedelta(minutes=i),
        )
        for i, case in enumerate(cases)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_casefile")
        cursor.execute("ANALYZE reviews_selfreview")
        cursor.execute("ANALYZE org_department")
    page = selectors.excellent_library(users["bureau_staff"])[:50]
    plan = page.explain()
    assert "selfreview_library_idx" in plan, plan
    assert "Seq Scan on cases_casefile" not in plan and "Sort Key" not in plan
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX selfreview_library_idx")  # rolled back with the test
    assert "Sort Key: reviews_selfreview.score DESC" in page.explain()
