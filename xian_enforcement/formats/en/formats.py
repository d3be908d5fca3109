"""Formats for English: Django's, with ISO stated first for dates (a browser's
``<input type="date">`` accepts only ``yyyy-mm-dd`` as its value; see zh_Hans/formats.py)."""

from django.conf.locale.en.formats import *  # noqa: F403
from django.conf.locale.en.formats import DATE_INPUT_FORMATS as _DJANGO_DATE_INPUT_FORMATS

DATE_INPUT_FORMATS = ["%Y-%m-%d", *(f for f in _DJANGO_DATE_INPUT_FORMATS if f != "%Y-%m-%d")]
