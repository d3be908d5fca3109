"""Dates of aware datetimes are the local (Asia/Shanghai) dates: 00:00–08:00 in Beijing is the
previous day in UTC, where the database keeps them. A browser journey that ran at 16:00 UTC showed
a notice delivered "第 -1 日" after its decision."""

from __future__ import annotations

import datetime

from django.template import Context, Template

from xian_enforcement.org.templatetags.xian import daysafter

AT_BEIJING_0100 = datetime.datetime(2026, 11, 27, 17, 0, tzinfo=datetime.UTC)  # 2026-11-28 01:00 +08:00


def test_cn_date_of_an_aware_datetime_is_the_local_date():
    html = Template("{% load xian %}{{ when|cn_date }}").render(Context({"when": AT_BEIJING_0100}))
    assert html == "2026年11月28日"


def test_daysafter_takes_the_local_date_of_an_aware_datetime():
    html = Template("{% load xian %}{{ when|daysafter:start }}").render(
        Context({"when": AT_BEIJING_0100, "start": datetime.date(2026, 11, 28)})
    )
    assert html == "0"
    assert daysafter(datetime.date(2026, 12, 5), datetime.date(2026, 11, 28)) == 7
