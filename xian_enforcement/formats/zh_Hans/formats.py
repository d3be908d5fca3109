"""Number formats for Simplified Chinese: Django's zh-hans locale sets no thousands separator,
so counts read 2228 while amounts read ¥19,602,500.00. Government statistics group by three."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
