"""Case numbers (案号): unique within a department and year (``casefile_unique_number``). When
a number is already taken the clerk is told so once, in plain words, next to the number field,
with the next free number of the same series (隰市监罚〔2026〕7号 taken → the series'
highest number plus one, e.g. 隰市监罚〔2026〕13号)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from xian_enforcement.errors import DomainError

from .models import CaseFile

# the last run of digits is the serial number; what comes before and after names the series
_SERIAL = re.compile(r"(\d+)(\D*)$")


def number_taken(*, department_id: int, year: int, number: str, exclude_pk: int | None = None) -> bool:
    qs = CaseFile.objects.filter(department_id=department_id, year=year, number=number)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def next_free_number(*, department_id: int, year: int, number: str) -> str | None:
    """The number after the highest of ``number``'s series in the department and year (same text
    before and after the serial), keeping the serial's zero padding; None when ``number`` has no
    serial to count on. One query over the series' numbers."""
    match = _SERIAL.search(number)
    if match is None:
        return None
    prefix, digits, suffix = number[: match.start()], match.group(1), match.group(2)
    serials = [int(digits)]
    for other in CaseFile.objects.filter(
        department_id=department_id, year=year, number__startswith=prefix, number__endswith=suffix
    ).values_list("number", flat=True):
        middle = other[len(prefix) : len(other) - len(suffix)] if suffix else other[len(prefix) :]
        if middle.isdigit():
            serials.append(int(middle))
    candidate = max(serials) + 1
    while True:  # a number of another shape may sit there already (never more than a few steps)
        text = f"{prefix}{str(candidate).zfill(len(digits))}{suffix}"
        if not number_taken(department_id=department_id, year=year, number=text):
            return text
        candidate += 1


def duplicate_number_error(*, department_id: int, year: int, number: str) -> DomainError:
    """The one message for a taken case number, on the ``number`` field."""
    message = _("案号“%(number)s”在本部门 %(year)s 年度已经使用，请换一个案号。") % {"number": number, "year": year}
    suggestion = next_free_number(department_id=department_id, year=year, number=number)
    if suggestion:
        message += _("下一个可用的案号是“%(next)s”。") % {"next": suggestion}
    return DomainError(message, field="number")
