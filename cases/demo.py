"""Demo data of the case room: power lists and three years of case files for the demo county.

Called by the core's ``seed_demo`` (``xian_enforcement.org.demo``) through its dotted path
``cases.demo.build``; ``cases.demo.reset`` deletes what ``build`` made. Rows are inserted with
``bulk_create`` (case files, their M2M rows and the REV-5 deadlines of closed files not yet
transferred, with the same fields ``cases.services`` would set), so they bypass the per-row audit
trail; the data obey every rule the services check (stage dates in order, two officers holding a
valid certificate on the filing date, case numbers unique per department and year).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils.translation import gettext as _

from xian_enforcement.notices.choices import DeadlineStatus
from xian_enforcement.notices.models import Deadline
from xian_enforcement.org.choices import DepartmentKind, Role, UnitKind

from .choices import LitigationState, PartyKind, ReconsiderationState
from .models import CaseCategory, CaseFile, PenaltyKind, PowerItem
from .services import REV5_KIND

DEFAULT_CASES = 7500

LAWS = {
    "食安": "《中华人民共和国食品安全法》",
    "药管": "《中华人民共和国药品管理法》",
    "特设": "《中华人民共和国特种设备安全法》",
    "价格": "《中华人民共和国价格法》",
    "明码": "《明码标价和禁止价格欺诈规定》",
    "广告": "《中华人民共和国广告法》",
    "商标": "《中华人民共和国商标法》",
    "专利": "《中华人民共和国专利法》",
    "土地": "《中华人民共和国土地管理法》",
    "矿产": "《中华人民共和国矿产资源法》",
    "测绘": "《中华人民共和国测绘法》",
    "大气": "《中华人民共和国大气污染防治法》",
    "水污": "《中华人民共和国水污染防治法》",
    "固废": "《中华人民共和国固体废物污染环境防治法》",
    "环评": "《中华人民共和国环境影响评价法》",
    "建筑": "《中华人民共和国建筑法》",
    "质量": "《建设工程质量管理条例》",
    "房开": "《城市房地产开发经营管理条例》",
    "燃气": "《城镇燃气管理条例》",
    "市容": "《城市市容和环境卫生管理条例》",
    "绿化": "《城市绿化条例》",
    "规划": "《中华人民共和国城乡规划法》",
    "运输": "《中华人民共和国道路运输条例》",
    "公路": "《中华人民共和国公路法》",
    "路保": "《公路安全保护条例》",
    "农药": "《农药管理条例》",
    "种子": "《中华人民共和国种子法》",
    "兽药": "《兽药管理条例》",
    "渔业": "《中华人民共和国渔业法》",
    "水法": "《中华人民共和国水法》",
    "河道": "《中华人民共和国河道管理条例》",
    "水保": "《中华人民共和国水土保持法》",
    "森林": "《中华人民共和国森林法》",
    "野保": "《中华人民共和国野生动物保护法》",
    "森防": "《森林防火条例》",
    "网吧": "《互联网上网服务营业场所管理条例》",
    "娱乐": "《娱乐场所管理条例》",
    "旅游": "《中华人民共和国旅游法》",
    "文物": "《中华人民共和国文物保护法》",
    "公卫": "《公共场所卫生管理条例》",
    "医机": "《医疗机构管理条例》",
    "职病": "《中华人民共和国职业病防治法》",
    "安全": "《中华人民共和国安全生产法》",
    "危化": "《危险化学品安全管理条例》",
    "烟花": "《烟花爆竹安全管理条例》",
    "民教": "《中华人民共和国民办教育促进法》",
    "校外": "《校外培训行政处罚暂行办法》",
    "劳监": "《劳动保障监察条例》",
    "工资": "《保障农民工工资支付条例》",
    "医保": "《医疗保障基金使用监督管理条例》",
    "社团": "《社会团体登记管理条例》",
    "殡葬": "《殡葬管理条例》",
    "节能": "《中华人民共和国节约能源法》",
    "无线": "《中华人民共和国无线电管理条例》",
    "食盐": "《食盐专营办法》",
    "会计": "《中华人民共和国会计法》",
    "采购": "《中华人民共和国政府采购法》",
    "统计": "《中华人民共和国统计法》",
    "许可": "《中华人民共和国行政许可法》",
    "煤炭": "《中华人民共和国煤炭法》",
    "电设": "《电力设施保护条例》",
    "优抚": "《军人抚恤优待条例》",
    "气灾": "《气象灾害防御条例》",
    "气象": "《中华人民共和国气象法》",
    "消防": "《中华人民共和国消防法》",
    "治安": "《中华人民共和国治安管理处罚法》",
    "道交": "《中华人民共和国道路交通安全法》",
    "律师": "《中华人民共和国律师法》",
    "公证": "《中华人民共和国公证法》",
    "法服": "《基层法律服务工作者管理办法》",
}

# Enforcement field → items "类|名称|法|条". 类: 罚 penalty (名称 is the offence: the power item
# is "对…的行政处罚", the case "<相对人><offence>案"), 检 inspection, 许 licence, 强 coercion,
# 征 levy, 给 payment, 确 confirmation.
CATALOGUE = {
    "综合行政执法": [
        "罚|未取得乡村建设规划许可证进行建设|规划|第六十五条",
        "罚|露天焚烧秸秆、落叶等产生烟尘污染的物质|大气|第一百一十九条",
        "罚|农村村民未经批准非法占用土地建设住宅|土地|第七十八条",
        "罚|擅自倾倒、堆放、丢弃生活垃圾|固废|第一百一十一条",
        "罚|在禁止区域内野外用火|森防|第五十条",
        "检|农村自建房安全隐患排查|安全|第六十五条",
        "检|乡村建设规划日常巡查|规划|第五十三条",
    ],
    "行政执法监督": [
        "罚|律师私自接受委托、收取费用|律师|第四十八条",
        "罚|基层法律服务工作者违规执业|法服|第四十四条",
        "罚|公证员违规办理公证|公证|第四十一条",
        "检|律师事务所执业活动|律师|第五十二条",
        "检|法律服务机构执业情况|法服|第三十八条",
    ],
    "食品安全": [
        "罚|生产经营不符合食品安全标准的食品|食安|第一百二十四条",
        "罚|未取得食品经营许可从事食品经营活动|食安|第一百二十二条",
        "罚|未按规定查验、记录进货票证|食安|第一百二十六条",
        "罚|经营超过保质期的食品|食安|第一百二十四条",
        "许|食品经营许可|食安|第三十五条",
        "检|食品生产经营监督检查|食安|第一百一十条",
        "强|查封、扣押不符合食品安全标准的食品|食安|第一百一十条",
    ],
    "药品": [
        "罚|销售劣药|药管|第一百一十七条",
        "罚|未取得药品经营许可证销售药品|药管|第一百一十五条",
        "检|药品零售企业监督检查|药管|第九十九条",
    ],
    "特种设备": [
        "罚|使用未经定期检验的特种设备|特设|第八十四条",
        "罚|特种设备作业人员未取得相应资格|特设|第八十六条",
        "检|特种设备使用单位监督检查|特设|第六十一条",
        "强|查封、扣押存在严重事故隐患的特种设备|特设|第六十一条",
    ],
    "价格": [
        "罚|经营者不按规定明码标价|明码|第二十一条",
        "罚|利用虚假的或者使人误解的价格手段诱骗交易|价格|第四十条",
    ],
    "广告": [
        "罚|发布虚假广告|广告|第五十五条",
        "罚|发布违反广告准则的广告|广告|第五十七条",
    ],
    "知识产权": [
        "罚|销售侵犯注册商标专用权的商品|商标|第六十条",
        "罚|假冒专利|专利|第六十八条",
    ],
    "土地": [
        "罚|未经批准非法占用土地|土地|第七十七条",
        "罚|占用耕地建窑、建坟|土地|第七十五条",
        "检|土地利用动态巡查|土地|第六十七条",
    ],
    "矿产": [
        "罚|未取得采矿许可证擅自采矿|矿产|第三十九条",
        "罚|超越批准的矿区范围采矿|矿产|第四十条",
    ],
    "测绘": ["罚|未取得测绘资质证书从事测绘活动|测绘|第五十五条"],
    "大气": [
        "罚|超过大气污染物排放标准排放大气污染物|大气|第九十九条",
        "罚|施工工地未采取扬尘防治措施|大气|第一百一十五条",
        "检|大气污染源现场检查|大气|第二十九条",
    ],
    "水": ["罚|超标排放水污染物|水污|第八十三条", "罚|违法设置排污口|水污|第八十四条"],
    "固废": ["罚|未按规定贮存、处置工业固体废物|固废|第一百零二条"],
    "环评": [
        "罚|建设项目环境影响评价文件未经批准擅自开工建设|环评|第三十一条",
        "检|建设项目环境保护“三同时”检查|环评|第二十八条",
    ],
    "建筑市场": [
        "罚|未取得施工许可证擅自施工|建筑|第六十四条",
        "罚|施工单位未按照工程设计图纸或者施工技术标准施工|质量|第六十四条",
        "许|建筑工程施工许可|建筑|第七条",
        "检|在建工程质量安全监督检查|质量|第四十七条",
    ],
    "房地产": ["罚|未取得资质等级证书从事房地产开发经营|房开|第三十四条"],
    "燃气": ["罚|未取得燃气经营许可证从事燃气经营活动|燃气|第四十五条", "检|燃气经营单位安全检查|燃气|第四十一条"],
    "市容": [
        "罚|在街道两侧和公共场地堆放物料、擅自搭建建筑物构筑物|市容|第三十六条",
        "罚|随意倾倒垃圾、污水|市容|第三十四条",
        "罚|占道经营|市容|第三十四条",
        "检|市容环境卫生责任区巡查|市容|第十条",
    ],
    "园林": ["罚|擅自占用城市绿化用地|绿化|第二十七条", "罚|损坏城市树木花草|绿化|第二十六条"],
    "户外广告": ["罚|未经批准擅自设置户外广告设施|市容|第三十六条", "许|设置大型户外广告审批|市容|第十一条"],
    "道路运输": [
        "罚|未取得道路运输经营许可擅自从事道路运输经营|运输|第六十三条",
        "罚|客运车辆不按批准的线路运营|运输|第六十八条",
        "许|道路货物运输经营许可|运输|第二十四条",
        "检|道路运输企业安全生产监督检查|运输|第五十八条",
        "强|暂扣无道路运输证件的车辆|运输|第六十三条",
    ],
    "路政": [
        "罚|车辆超限运输|路保|第六十四条",
        "罚|擅自占用、挖掘公路|公路|第七十六条",
        "检|公路路产路权巡查|公路|第七十条",
    ],
    "农药": ["罚|经营假农药、劣质农药|农药|第五十五条", "检|农资经营门店监督检查|农药|第四十一条"],
    "种子": ["罚|销售假种子、劣种子|种子|第七十四条"],
    "兽药": ["罚|经营假、劣兽药|兽药|第五十六条"],
    "渔政": ["罚|使用电鱼方法进行捕捞|渔业|第三十八条"],
    "水资源": [
        "罚|未经批准擅自取水|水法|第六十九条",
        "许|取水许可|水法|第四十八条",
        "征|水资源税（费）征收|水法|第四十八条",
    ],
    "河道": ["罚|在河道管理范围内违法采砂|河道|第四十四条", "检|河道采砂专项检查|河道|第三十五条"],
    "水土保持": ["罚|生产建设项目未编报水土保持方案|水保|第五十三条", "征|水土保持补偿费征收|水保|第三十二条"],
    "林木采伐": [
        "罚|滥伐林木|森林|第七十六条",
        "罚|未经批准擅自改变林地用途|森林|第七十三条",
        "许|林木采伐许可|森林|第五十六条",
    ],
    "野生动物": ["罚|非法猎捕、出售陆生野生动物|野保|第四十八条"],
    "森林防火": ["罚|森林防火期内未经批准擅自在林区内野外用火|森防|第五十条", "检|森林防火专项检查|森防|第二十四条"],
    "文化市场": [
        "罚|互联网上网服务营业场所接纳未成年人|网吧|第三十一条",
        "罚|娱乐场所超时营业|娱乐|第四十八条",
        "检|文化市场经营场所日常检查|娱乐|第三十四条",
    ],
    "旅游": ["罚|旅行社未经许可经营出境旅游业务|旅游|第九十五条"],
    "文物": ["罚|在文物保护单位保护范围内擅自进行建设工程|文物|第六十五条"],
    "公共卫生": [
        "罚|公共场所经营者未取得卫生许可证擅自营业|公卫|第十四条",
        "检|公共场所卫生监督检查|公卫|第十五条",
        "许|公共场所卫生许可|公卫|第八条",
    ],
    "医疗": ["罚|未取得医疗机构执业许可证擅自执业|医机|第四十三条", "检|医疗机构依法执业监督检查|医机|第四十条"],
    "职业卫生": ["罚|未按规定组织劳动者进行职业健康检查|职病|第七十一条"],
    "安全生产": [
        "罚|生产经营单位未按规定对从业人员进行安全生产教育和培训|安全|第九十七条",
        "罚|未采取措施消除事故隐患|安全|第一百零二条",
        "检|生产经营单位安全生产执法检查|安全|第六十五条",
        "强|查封、扣押不符合安全生产标准的设施、设备|安全|第六十五条",
    ],
    "危险化学品": [
        "罚|未取得危险化学品经营许可证经营危险化学品|危化|第七十七条",
        "许|危险化学品经营许可|危化|第三十三条",
    ],
    "烟花爆竹": ["罚|未经许可经营烟花爆竹|烟花|第三十六条", "许|烟花爆竹经营（零售）许可|烟花|第十九条"],
    "民办教育": ["罚|民办学校擅自分立、合并|民教|第六十二条"],
    "校外培训": ["罚|未经审批开展学科类校外培训|校外|第十六条", "检|校外培训机构日常检查|校外|第七条"],
    "劳动保障监察": [
        "罚|克扣或者无故拖欠劳动者工资|工资|第五十四条",
        "罚|用人单位未按规定订立书面劳动合同|劳监|第二十六条",
        "检|用人单位遵守劳动保障法律法规情况检查|劳监|第十八条",
    ],
    "医保基金": [
        "罚|定点医药机构骗取医疗保障基金支出|医保|第四十条",
        "检|定点医药机构医保基金使用检查|医保|第二十七条",
    ],
    "社会组织": ["罚|社会团体未按规定参加年度检查|社团|第三十条"],
    "殡葬": ["罚|在公墓和农村公益性墓地以外的其他地方埋葬遗体|殡葬|第二十条"],
    "节能": ["罚|使用国家明令淘汰的用能设备|节能|第七十一条"],
    "价格监督": ["罚|经营者不执行政府指导价、政府定价|价格|第三十九条", "检|价格监督检查|价格|第三十四条"],
    "无线电": ["罚|擅自设置、使用无线电台（站）|无线|第七十条"],
    "盐业": ["罚|非食盐定点批发企业经营食盐批发业务|食盐|第二十六条"],
    "会计": ["罚|不依法设置会计账簿|会计|第四十二条", "检|会计信息质量检查|会计|第三十三条"],
    "政府采购": ["罚|采购人未按规定方式采购|采购|第七十一条"],
    "统计违法": [
        "罚|拒绝提供统计资料或者提供不真实、不完整的统计资料|统计|第四十一条",
        "检|统计执法检查|统计|第三十五条",
    ],
    "行政许可": [
        "许|食品经营许可|食安|第三十五条",
        "许|建筑工程施工许可|建筑|第七条",
        "许|公共场所卫生许可|公卫|第八条",
        "许|道路货物运输经营许可|运输|第二十四条",
        "许|取水许可|水法|第四十八条",
        "许|药品零售企业经营许可|药管|第五十二条",
        "检|被许可人从事许可事项活动情况检查|许可|第六十一条",
    ],
    "煤炭": ["罚|煤矿企业未按规定配备安全设施|煤炭|第五十九条", "检|煤矿安全生产监督检查|煤炭|第五十一条"],
    "电力": ["罚|危害电力设施安全|电设|第三十条"],
    "优抚": ["给|优抚对象抚恤补助金发放|优抚|第二十五条", "确|伤残等级评定|优抚|第二十二条"],
    "防雷": ["罚|防雷装置未经验收擅自投入使用|气灾|第四十五条", "许|防雷装置设计审核和竣工验收|气灾|第二十三条"],
    "气象探测": ["罚|侵占、损毁气象探测设施|气象|第三十五条"],
    "消防监督": [
        "罚|消防设施、器材未保持完好有效|消防|第六十条",
        "罚|占用、堵塞、封闭疏散通道、安全出口|消防|第六十条",
        "罚|公众聚集场所未经消防安全检查擅自投入使用|消防|第五十八条",
        "检|消防监督检查|消防|第五十三条",
        "强|临时查封危及公共安全的场所|消防|第五十四条",
    ],
    "治安": [
        "罚|殴打他人|治安|第四十三条",
        "罚|盗窃公私财物|治安|第四十九条",
        "罚|以营利为目的参与赌博|治安|第七十条",
        "罚|寻衅滋事|治安|第二十六条",
        "检|旅馆业治安管理检查|治安|第三十九条",
    ],
    "交通管理": [
        "罚|饮酒后驾驶机动车|道交|第九十一条",
        "罚|未取得机动车驾驶证驾驶机动车|道交|第九十九条",
        "罚|驾驶拼装或者已达到报废标准的机动车|道交|第一百条",
        "强|扣留机动车|道交|第九十五条",
    ],
}
CATEGORY_CODES = {"罚": "punishment", "检": "inspection", "许": "licensing", "强": "coercion", "征": "levy"}
CATEGORY_CODES |= {"给": "payment", "确": "confirmation"}
CODE_PREFIX = {
    "punishment": "XZCF",
    "inspection": "XZJC",
    "licensing": "XZXK",
    "coercion": "XZQZ",
    "levy": "XZZS",
    "payment": "XZGF",
    "confirmation": "XZQR",
}
CASE_NUMBER_CHAR = {
    "punishment": "罚",
    "inspection": "检",
    "licensing": "许",
    "coercion": "强",
    "levy": "征",
    "payment": "给",
    "confirmation": "确",
}
# How often a power item of each category is used for a case (relative).
CATEGORY_WEIGHT = {"punishment": 10, "inspection": 8, "licensing": 2, "coercion": 1, "levy": 1}
# Case volume by department (relative): townships small, four departments large.
VOLUME = {
    "市场监管局": 18,
    "公安局": 16,
    "城管局": 14,
    "交通运输局": 14,
    "审批局": 5,
    "自然资源局": 4,
    "生态环境分局": 4,
    "应急管理局": 4,
    "住建局": 3,
    "农业农村局": 3,
    "卫体局": 3,
    "消防大队": 3,
    "林业局": 3,
    "文旅局": 2,
    "水利局": 2,
    "司法局": 0.4,
}
ABBREVIATIONS = {
    "市场监管局": "市监",
    "公安局": "公",
    "城管局": "城管",
    "交通运输局": "交运",
    "生态环境分局": "环",
    "自然资源局": "自然资",
    "住建局": "住建",
    "农业农村局": "农",
    "卫体局": "卫",
    "应急管理局": "应急",
    "消防大队": "消",
    "文旅局": "文旅",
    "审批局": "审批",
    "人社局": "人社",
    "医保局": "医保",
    "退役军人局": "退役",
}
POSTS = {"punishment": "执法岗", "inspection": "检查岗", "licensing": "审批岗", "coercion": "执法岗", "levy": "征收岗"}

COMPANY_NAMES = [
    "鑫源",
    "华泰",
    "宏达",
    "晋隆",
    "恒通",
    "玉露",
    "金梨",
    "午城",
    "黄河",
    "吕梁",
    "紫川",
    "龙泉",
    "昕泰",
    "瑞丰",
    "鼎盛",
    "永兴",
    "汇丰",
    "盛世",
    "隆昌",
    "福源",
    "兴旺",
    "众诚",
]
COMPANY_TRADES = [
    "商贸有限公司",
    "建筑工程有限公司",
    "运输有限公司",
    "餐饮管理有限公司",
    "农业开发有限公司",
    "果品专业合作社",
    "建材有限公司",
    "能源有限公司",
    "物流有限公司",
    "医药连锁有限公司",
    "超市",
    "饭店",
    "加油站",
    "养殖专业合作社",
    "网吧",
    "宾馆",
]
SURNAMES = "王李张刘杨郭赵贺高冯任武薛梁韩马白乔贾田吕曹孙史崔段郝霍温侯阎秦卫范康牛胡宋程董靳"
GIVEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊芳娜敏静丽艳娟霞燕玲婷雪慧琳颖倩红梅兰英"
POLICE_ORGAN = "隰县公安局"


def _weight(dept) -> float:
    if dept.kind == DepartmentKind.TOWNSHIP:
        return 1.0
    return VOLUME.get(dept.short_name, 0.6)


def _abbreviation(dept) -> str:
    if dept.short_name in ABBREVIATIONS:
        return ABBREVIATIONS[dept.short_name]
    name = dept.short_name
    for suffix in ("分局", "大队", "局", "镇", "乡"):
        name = name.removesuffix(suffix)
    return name[:2]


def _items_for(dept, rng: random.Random) -> list[tuple[str, str, str, str]]:
    """(category code, name, legal basis, offence-or-name) for a department: 5–15 items."""
    items = []
    fields = [f for f in dept.enforcement_fields.split(";") if f]
    for f in fields:
        for spec in CATALOGUE.get(f, []):
            kind, text, law, article = spec.split("|")
            code = CATEGORY_CODES[kind]
            name = f"对{text}的行政处罚" if code == "punishment" else text
            items.append((code, name, f"{LAWS[law]}{article}", text))
    # Fillers so that every list has at least 5 items, at least one inspection among them.
    basis = f"{LAWS['许可']}第六十一条"
    fillers = [
        (f"{f}{kind}", basis)
        for kind in ("领域日常监督检查", "领域专项执法检查", "领域“双随机、一公开”抽查")
        for f in fields
    ]
    while fillers and (len(items) < 5 or not any(i[0] == "inspection" for i in items)):
        name, law = fillers.pop(0)
        items.append(("inspection", name, law, name))
    target = rng.randint(5, 15)
    if len(items) > target:
        keep = [i for i in items if i[0] in ("punishment", "inspection")][:2]
        rest = [i for i in items if i not in keep]
        items = keep + rng.sample(rest, target - len(keep))
    return items[:15]


class Parties:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self) -> str:
        rng = self.rng
        given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
        return rng.choice(SURNAMES) + given

    def company(self) -> str:
        rng = self.rng
        place = rng.choice(["隰县", "隰县", "山西", "临汾", ""])
        return f"{place}{rng.choice(COMPANY_NAMES)}{rng.choice(COMPANY_TRADES)}"

    def pick(self, dept) -> tuple[str, str]:
        share = 0.8 if dept.kind == DepartmentKind.TOWNSHIP or dept.short_name == "公安局" else 0.35
        if self.rng.random() < share:
            return PartyKind.PERSON, self.person()
        return PartyKind.ORGANISATION, self.company()


def _days(rng: random.Random, low: int, high: int) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


# Stages per category: (field, min days, max days after the previous stage).
FLOWS = {
    "punishment": [
        ("investigated_on", 3, 40),
        ("decided_on", 2, 25),
        ("served_on", 0, 7),
        ("executed_on", 1, 30),
        ("closed_on", 0, 10),
    ],
    "inspection": [("investigated_on", 0, 10), ("closed_on", 0, 15)],
    "licensing": [("investigated_on", 1, 10), ("decided_on", 1, 10), ("served_on", 0, 3), ("closed_on", 0, 3)],
    "coercion": [("decided_on", 0, 2), ("served_on", 0, 1), ("executed_on", 0, 30), ("closed_on", 1, 20)],
}
DEFAULT_FLOW = [("decided_on", 3, 20), ("served_on", 0, 5), ("executed_on", 1, 20), ("closed_on", 0, 5)]


def build(county, *, cases: int | None = None, rng: random.Random) -> dict[str, int]:
    """Power lists and case files for ``county`` (a xian_enforcement.org.demo.DemoCounty)."""
    total = DEFAULT_CASES if cases is None else cases
    today, start = county.today, county.start
    categories = {c.code: c for c in CaseCategory.objects.all()}
    penalties = {p.code: p for p in PenaltyKind.objects.all()}

    # Power lists (TOL-6).
    power, texts = [], []
    for dept in county.departments:
        for k, (code, name, basis, text) in enumerate(_items_for(dept, rng), start=1):
            texts.append(text)
            power.append(
                PowerItem(
                    department=dept,
                    code=f"{CODE_PREFIX[code]}-{dept.code[-3:]}-{k:03d}",
                    name=name,
                    category=categories[code],
                    legal_basis=basis,
                    responsible_post=f"{dept.short_name}{POSTS.get(code, '执法岗')}",
                    liability_form="不履行或者不正确履行职责的，依照《行政执法责任制规定》追究执法过错责任",
                )
            )
    power = PowerItem.objects.bulk_create(power)
    items_by_dept = defaultdict(list)
    for item in power:
        items_by_dept[item.department_id].append(item)
    offence = {item.pk: text for item, text in zip(power, texts, strict=True)}
    code_of = {c.pk: code for code, c in categories.items()}

    # How many case files each department gets.
    weights = [_weight(d) for d in county.departments]
    scale = total / sum(weights)
    per_dept = [
        max(1, round(w * scale)) if total >= len(weights) else (1 if i < total else 0) for i, w in enumerate(weights)
    ]

    parties = Parties(rng)
    span = (today - start).days
    township = next(d for d in county.departments if d.name == "龙泉镇")
    demo_handler = county.demo.get("demo_handler")
    demo_legal = county.demo.get("demo_legal")
    rows: list[tuple[CaseFile, list[int], list[str]]] = []
    for dept, n_cases in zip(county.departments, per_dept, strict=True):
        officers = county.officers.get(dept.pk, [])
        enforcers = [o for o in officers if o.unit_kind != UnitKind.LEGAL_OFFICE]
        reviewers = [o for o in officers if Role.LEGAL_OFFICER in o.roles or Role.LEGAL_HEAD in o.roles]
        if dept == township and demo_legal:
            reviewers = [demo_legal]
        items = items_by_dept[dept.pk]
        item_weights = [CATEGORY_WEIGHT.get(code_of[i.category_id], 0.5) for i in items]
        dates = sorted(start + datetime.timedelta(days=rng.randint(0, span)) for _ in range(n_cases))
        if dept == township and demo_handler:
            # The demo handler's closed files: one overdue for transfer, one due within a week.
            dates += [today - datetime.timedelta(days=95), today - datetime.timedelta(days=70)]
        for index, filed in enumerate(dates):
            special = None
            if dept == township and demo_handler and index >= n_cases:
                special = "overdue" if index == n_cases else "due_soon"
            if special:
                item = next(i for i in items if code_of[i.category_id] == "punishment")
            else:
                item = rng.choices(items, weights=item_weights)[0]
            cat = code_of[item.category_id]
            # Handlers: certified on the filing date.
            pool = [o for o in enforcers if o.certified_on(filed)] or [o for o in officers if o.certified_on(filed)]
            if len(pool) < 2:
                continue
            if special or (dept == township and demo_handler and rng.random() < 0.35):
                main = demo_handler
                others = [o for o in pool if o.officer_id != main.officer_id]
            else:
                main, *others = rng.sample(pool, len(pool))
            co = rng.sample(others, min(len(others), rng.choice((1, 1, 2))))
            party_kind, party = parties.pick(dept)
            case = CaseFile(
                department=dept,
                year=filed.year,
                number="",
                category_id=item.category_id,
                power_item=item,
                party_kind=party_kind,
                party_name=party,
                main_handler_id=main.officer_id,
                created_by_id=main.user_id,
                filed_on=filed,
                full_record_kept=rng.random() < 0.92,
            )
            case.title = _title(cat, offence[item.pk], item.name, party)[:200]
            _stages(case, cat, rng, today, special)
            penalty_codes = _penalties(case, cat, dept, rng, penalties) if cat == "punishment" else []
            if case.decided_on and (case.major_decision or rng.random() < 0.08) and reviewers:
                reviewer = rng.choice(reviewers)
                case.legal_review_by_id = reviewer.officer_id
                earliest = case.investigated_on or case.filed_on
                case.legal_review_on = max(earliest, case.decided_on - _days(rng, 1, 5))
            if cat == "punishment" and case.decided_on:
                if rng.random() < 0.85:
                    case.publicised_on = min(today, case.decided_on + _days(rng, 1, 7))
                    case.publicity_url = f"https://xixian.example/gongshi/{dept.code}/{filed.year}/{len(rows) + 1}"
                if rng.random() < 0.025:
                    case.reconsideration = rng.choice(
                        [ReconsiderationState.PENDING, ReconsiderationState.UPHELD, ReconsiderationState.CORRECTED]
                    )
                elif rng.random() < 0.01:
                    case.litigation = rng.choice([LitigationState.PENDING, LitigationState.WON, LitigationState.LOST])
            if (
                cat in ("punishment", "inspection")
                and dept.short_name != "公安局"
                and case.investigated_on
                and rng.random() < 0.006
            ):
                case.transferred_to_police_on = case.investigated_on + _days(rng, 0, 5)
                if case.transferred_to_police_on > today:
                    case.transferred_to_police_on = today
                case.police_organ = POLICE_ORGAN
                case.police_receipt = f"隰公受案〔{case.transferred_to_police_on.year}〕{rng.randint(1, 900)}号"
            case.status = case.derived_status()
            rows.append((case, [o.officer_id for o in co], penalty_codes))

    # Case numbers: in filing order, per department, year and kind of decision.
    rows.sort(key=lambda r: (r[0].department_id, r[0].filed_on))
    counters: dict[tuple, int] = defaultdict(int)
    abbreviations = {d.pk: _abbreviation(d) for d in county.departments}
    for case, _co, _p in rows:
        char = CASE_NUMBER_CHAR.get(code_of[case.category_id], "案")
        key = (case.department_id, case.year, char)
        counters[key] += 1
        case.number = f"隰{abbreviations[case.department_id]}{char}〔{case.year}〕{counters[key]}号"

    created = CaseFile.objects.bulk_create([r[0] for r in rows], batch_size=1000)
    co_through = CaseFile.co_handlers.through
    co_through.objects.bulk_create(
        [
            co_through(casefile_id=c.pk, officer_id=o)
            for c, (_case, co, _p) in zip(created, rows, strict=True)
            for o in co
        ],
        batch_size=2000,
    )
    pk_through = CaseFile.penalty_kinds.through
    pk_through.objects.bulk_create(
        [
            pk_through(casefile_id=c.pk, penaltykind_id=penalties[code].pk)
            for c, (_case, _co, codes) in zip(created, rows, strict=True)
            for code in codes
        ],
        batch_size=2000,
    )

    # REV-5 deadlines for closed files not yet transferred (as cases.services._sync_rev5_deadline).
    ct = ContentType.objects.get_for_model(CaseFile)
    users = {o.officer_id: o.user_id for offs in county.officers.values() for o in offs}
    deadlines = []
    for case in created:
        if case.closed_on and not case.transferred_for_review_on:
            deadline = Deadline(
                rule_id="REV-5",
                kind=REV5_KIND,
                title=_("移交案卷自查：%(number)s") % {"number": case.number},
                content_type=ct,
                object_id=case.pk,
                url=reverse("cases:detail", args=[case.pk]),
                department_id=case.department_id,
                assignee_id=users.get(case.main_handler_id),
                escalate_roles=[Role.LEGAL_HEAD.value, Role.LEGAL_OFFICER.value],
                start_date=case.closed_on,
                due_date=case.closed_on + datetime.timedelta(days=settings.RULES["REV_5_TRANSFER_DAYS"]),
                remind_days=list(settings.RULES["REV_5_REMIND_DAYS"]),
                stage=0,
                status=DeadlineStatus.OPEN,
            )
            deadline.next_action_on = deadline.compute_next_action()
            deadlines.append(deadline)
    Deadline.objects.bulk_create(deadlines, batch_size=1000)
    return {"power_items": len(power), "case_files": len(created), "rev5_deadlines": len(deadlines)}


def _title(cat: str, text: str, name: str, party: str) -> str:
    if cat == "punishment":
        return f"{party}{text}案"
    if cat == "licensing":
        return f"{party}申请{name}"
    return f"{name}（{party}）"


def _stages(case: CaseFile, cat: str, rng: random.Random, today: datetime.date, special: str | None) -> None:
    """Fill the stage dates after filing; stop at today. Closed files are mostly transferred for
    self-review within 30 days; the rest carry an open REV-5 deadline."""
    if special:
        # The demo handler's two files: closed 40 days ago (overdue) and 26 days ago (due soon).
        closed = today - datetime.timedelta(days=40 if special == "overdue" else 26)
        filed = case.filed_on
        case.investigated_on = filed + datetime.timedelta(days=12)
        case.decided_on = filed + datetime.timedelta(days=25)
        case.served_on = filed + datetime.timedelta(days=27)
        case.executed_on = closed - datetime.timedelta(days=3)
        case.closed_on = closed
        return
    flow = FLOWS.get(cat, DEFAULT_FLOW)
    day = case.filed_on
    stalled = rng.random() < 0.01  # a few files stuck for a long time
    for name, low, high in flow:
        day = day + _days(rng, low, high)
        if day > today or (stalled and name == "decided_on"):
            return
        setattr(case, name, day)
    closed = case.closed_on
    r = rng.random()
    if r < 0.85:
        delay = rng.randint(1, 20)
    elif r < 0.96:
        delay = rng.randint(21, 30)
    elif (today - closed).days <= 120:
        delay = None  # a recent file forgotten: its REV-5 deadline is overdue or nearly so
    else:
        delay = rng.randint(25, 30)
    if delay is not None and closed + datetime.timedelta(days=delay) <= today:
        case.transferred_for_review_on = closed + datetime.timedelta(days=delay)
        archived = case.transferred_for_review_on + _days(rng, 10, 90)
        if archived <= today and rng.random() < 0.8:
            case.archived_on = archived


def _penalties(case: CaseFile, cat: str, dept, rng: random.Random, penalties: dict) -> list[str]:
    """Penalty kinds and amounts of a penalty case (once decided)."""
    if not case.decided_on:
        return []
    codes: list[str] = []
    organisation = case.party_kind == PartyKind.ORGANISATION
    r = rng.random()
    if dept.short_name == "公安局" and rng.random() < 0.12:
        codes.append("detention")
    if r < 0.18:
        codes.append("warning")
    else:
        codes.append("fine")
        # Log-scale, skewed to small fines: 200 to 20,000 yuan for persons, to 200,000 for companies.
        top = 5.3 if organisation else 4.3
        exponent = 2.3 + (top - 2.3) * rng.random() ** 1.8
        case.fine_amount = Decimal(max(200, int(round(10**exponent, -2))))
    if rng.random() < 0.1:
        codes.append("confiscation")
        case.confiscation_amount = Decimal(rng.randint(5, 500) * 100)
    if organisation:
        extra = rng.random()
        if extra < 0.02:
            codes.append("licence_suspension")
        elif extra < 0.035:
            codes.append("production_halt")
        elif extra < 0.042:
            codes.append("licence_revocation")
    total = case.fine_amount + case.confiscation_amount
    heavy = {"licence_revocation", "production_halt", "detention"} & set(codes)
    threshold = Decimal(50_000) if organisation else Decimal(10_000)
    if total >= threshold or heavy:
        case.major_decision = True
        case.hearing_held = rng.random() < 0.35
    return codes


def reset(departments) -> dict[str, int]:
    """Delete the case room's demo data for ``departments`` (deadlines go with the departments)."""
    ct = ContentType.objects.get_for_model(CaseFile)
    files = CaseFile.objects.filter(department__in=departments)
    Deadline.objects.filter(content_type=ct, object_id__in=files.values("pk")).delete()
    n_cases = files.delete()[1].get(CaseFile._meta.label, 0)
    n_items = PowerItem.objects.filter(department__in=departments).delete()[0]
    return {"case_files": n_cases, "power_items": n_items}
