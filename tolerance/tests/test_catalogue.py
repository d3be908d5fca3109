"""The circumstance catalogue of Art. 10–14 (TOL-10 … TOL-14) and its page at /tolerance/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tolerance import catalogue

EXPECTED_CODES = (
    [f"TOL-10.{i}" for i in range(1, 12)]
    + [f"TOL-11.{i}" for i in range(1, 10)]
    + [f"TOL-11.C{i}" for i in range(1, 4)]
    + [f"TOL-12.{i}" for i in range(1, 4)]
    + ["TOL-13"]
)

# Phrases copied from the regulation (隰政办发〔2022〕63号), one per item, so that this test does
# not depend on the shared regulation file being present.
KNOWN_PHRASES = {
    "TOL-10.1": "已经按照法定职责、法定程序、岗位职责，履行行政执法职责的",
    "TOL-10.2": "因行政相对人隐瞒、伪造、毁灭证据或者提供虚假材料",
    "TOL-10.3": "被执行人仍违法生产经营的",
    "TOL-10.4": "因当事人擅自隐匿、转移、变卖、损毁被查封、扣押的物品导致危害后果发生的",
    "TOL-10.5": "因不能预见、不能避免或不能克服等不可抗力因素",
    "TOL-10.6": "因其他有关部门错误或者不当行政行为",
    "TOL-10.7": "因标准缺失或者现有科学技术水平的限制不能发现问题",
    "TOL-10.8": "在整改期间不执行整改要求导致发生事故的",
    "TOL-10.9": "在按法律程序办理或者移送过程中发生事故的",
    "TOL-10.10": "特别在“三定”职责中不属于自己职责的",
    "TOL-10.11": "其他履职尽责依法不应当追究责任的情形",
    "TOL-11.1": "贯彻执行上级指示决策部署中，为推动发展、攻坚克难",
    "TOL-11.2": "全面深化改革、推进体制机制创新中，先行先试、突破常规",
    "TOL-11.3": "打好污染防治攻坚战等重点工作中",
    "TOL-11.4": "因国家政策调整、法律法规调整、上级决策部署发生变化",
    "TOL-11.5": "为防止执法风险，临机决断",
    "TOL-11.6": "因执法对象故意隐瞒或未如实反映情况",
    "TOL-11.7": "因行政管理相对人主观故意违法，执法人员已经采取法定措施，仍然造成事故发生的",
    "TOL-11.8": "因勇于破除障碍、触及固有利益",
    "TOL-11.9": "其他可以容错免责的情形",
    "TOL-11.C1": "法律没有明令禁止的",
    "TOL-11.C2": "没有造成重大损失和严重不良影响的",
    "TOL-11.C3": "积极主动消除不良影响、挽回损失的",
    "TOL-12.1": "主动采取措施有效避免损失或者挽回影响的",
    "TOL-12.2": "积极配合问责调查，并主动承担责任的",
    "TOL-12.3": "其他依法可以从轻、减轻追究责任的",
    "TOL-13": "违反法定的职责范围和法定程序的，不予容错",
}


def _regulation_text() -> str:
    """The regulation as published (此件公开发布), kept in docs/regulations/ so the check needs
    nothing outside the repository."""
    return (Path(settings.BASE_DIR) / "docs" / "regulations" / "xi-county-2022-63.txt").read_text(encoding="utf-8")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_tol_every_circumstance_code_exists_exactly_once():
    codes = [item.code for item in catalogue.CATALOGUE]
    for code in EXPECTED_CODES:
        assert codes.count(code) == 1, code
    assert len(codes) == len(set(codes))


def test_tol_every_item_has_text_a_kind_and_an_article():
    for item in catalogue.CATALOGUE:
        assert item.text.strip(), item.code
        assert item.kind in catalogue.Kind.values
        assert item.article.startswith("第")


@pytest.mark.parametrize(("code", "phrase"), sorted(KNOWN_PHRASES.items()))
def test_tol_item_text_is_the_regulations_wording(code, phrase):
    assert phrase in catalogue.BY_CODE[code].text


def test_tol_kinds_follow_the_articles():
    kinds = {item.code: item.kind for item in catalogue.CATALOGUE}
    assert {kinds[f"TOL-10.{i}"] for i in range(1, 12)} == {catalogue.Kind.DUTY_PERFORMED}
    assert {kinds[f"TOL-11.{i}"] for i in range(1, 10)} == {catalogue.Kind.TOLERANCE}
    assert {kinds[f"TOL-11.C{i}"] for i in range(1, 4)} == {catalogue.Kind.CONDITION}
    assert {kinds[f"TOL-12.{i}"] for i in range(1, 4)} == {catalogue.Kind.MITIGATION}
    assert kinds["TOL-13"] == catalogue.Kind.VETO
    assert len(catalogue.items_of_kind(catalogue.Kind.CONDITION)) == 3


def test_tol_14c_procedure_carries_the_7_day_notice():
    assert "7 日内告知相关单位及当事人" in catalogue.BY_CODE["TOL-14c"].text
    assert "党组统一领导" in catalogue.BY_CODE["TOL-14a"].text
    assert "个人也可以直接向单位提出容错认定申请" in catalogue.BY_CODE["TOL-14b"].text


def test_tol_catalogue_texts_appear_verbatim_in_the_regulation_file():
    text = _regulation_text()
    squashed = _squash(text)
    for item in catalogue.CATALOGUE:
        assert _squash(item.text) in squashed, item.code
    for article in catalogue.ARTICLES:
        for section in article.sections:
            assert _squash(section.lead) in squashed, article.number


def test_search_matches_codes_and_text():
    assert [i.code for a in catalogue.search("tol-11.c2") for i in a.items] == ["TOL-11.C2"]
    found = [i.code for a in catalogue.search("不可抗力") for i in a.items]
    assert found == ["TOL-10.5", "TOL-11.5"]
    assert catalogue.search("") == catalogue.ARTICLES
    assert catalogue.search("没有这个词") == ()


# --- the page ---------------------------------------------------------------------------------

URL = "/tolerance/catalogue/"


def test_url_name_is_stable():
    assert reverse("tolerance:index") == "/tolerance/"  # the module's landing page
    assert reverse("tolerance:catalogue") == URL


@pytest.mark.django_db
def test_landing_page_links_to_catalogue(client, users):
    client.force_login(users["handler"])
    assert URL in client.get("/tolerance/").content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["handler", "party_member", "leader", "bureau_staff", "sysadmin", "nobody"])
def test_everyone_logged_in_reads_the_catalogue_grouped_with_codes(client, users, role):
    client.force_login(users[role])
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for code in EXPECTED_CODES:
        assert f">{code}<" in html
    for heading in ("第十条", "第十一条", "第十二条", "第十三条", "第十四条"):
        assert heading in html
    assert html.index("TOL-10.11") < html.index("TOL-11.1<") < html.index("TOL-11.C1") < html.index("TOL-12.1")


@pytest.mark.django_db
def test_search_on_the_page_keeps_only_matching_items(client, users):
    client.force_login(users["handler"])
    html = client.get(URL, {"q": "挽回损失"}).content.decode()
    assert ">TOL-11.C3<" in html
    assert ">TOL-10.1<" not in html
    assert "找到" in html
