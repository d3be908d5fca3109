"""Formats for Simplified Chinese.

Numbers: Django's zh-hans locale sets no thousands separator, so counts read 2228 while amounts
read ¥19,602,500.00. Government statistics group by three.

Dates typed or prefilled: Django's zh-hans lists ``%Y/%m/%d`` first, and a ``DateInput`` writes its
value in the first input format; a browser's ``<input type="date">`` accepts only ISO and drops
``2026/01/01`` (the prefilled date vanished and the form failed with "必填"). ISO comes first; the
other formats are still accepted when typed."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403
from django.conf.locale.zh_Hans.formats import DATE_INPUT_FORMATS as _DJANGO_DATE_INPUT_FORMATS

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
DATE_INPUT_FORMATS = ["%Y-%m-%d", *(f for f in _DJANGO_DATE_INPUT_FORMATS if f != "%Y-%m-%d")]
