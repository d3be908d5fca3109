"""The county dashboard's unit table rows, built in Python.

Thirty-odd units through the template engine (a URL tag, four ``intcomma`` and a ``yuan`` filter,
a translated badge per row) were a fifth of the dashboard's time with its cache cleared
(performance.md target 1). Same markup and strings; every value escaped by ``format_html``."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from xian_enforcement.org.templatetags.xian import yuan

register = template.Library()


def _int(n: int) -> str:
    """As ``intcomma`` shows an integer in both languages (1,234,567)."""
    return f"{n:,}"


@register.simple_tag
def department_rows(departments, year: int) -> SafeString:
    """``<tr>`` per unit: filed, closed, 罚没金额, hearings, and the REV-5 overdue badge."""
    cases = reverse("cases:list")
    none = format_html('<span class="text-success">{}</span>', 0)

    def overdue(n: int) -> SafeString:
        if not n:
            return none
        return format_html(
            '<span class="badge text-bg-danger"><i class="bi bi-exclamation-octagon" aria-hidden="true"></i> {}</span>',
            _("逾期 %(n)s 件") % {"n": _int(n)},
        )

    return format_html_join(
        "\n",
        '<tr data-unit="{}">\n<th scope="row" class="fw-normal"><a href="{}?department={}&amp;year={}">{}</a></th>\n'
        '<td class="text-end">{}</td>\n<td class="text-end">{}</td>\n<td class="text-end money">{}</td>\n'
        '<td class="text-end">{}</td>\n<td class="text-end" data-figure="overdue_transfers">{}</td>\n</tr>',
        (
            (
                d.pk,
                cases,
                d.pk,
                year,
                d.short_name or d.name,
                _int(d.filed),
                _int(d.closed),
                yuan(d.amount),
                _int(d.hearings),
                overdue(d.overdue),
            )
            for d in departments
        ),
    )


@register.simple_tag
def below_target_rows(rows: list[dict]) -> SafeString:
    """``<tr>`` per unit below target (``stats.views._below_target``): REV-6 self-review rate,
    REV-5 on-time transfer rate, STA-2 overdue reports, REV-9 overdue summaries of the period,
    each unit linking to its overdue files."""
    cases, reports = reverse("cases:list"), reverse("statistics:reports")
    dash = "—"

    def rate(value, part: int, whole: int) -> SafeString | str:
        if value is None:
            return dash
        css = "text-danger fw-semibold" if value < 100 else ""
        return format_html(
            '<span class="{}">{}%</span> <span class="small text-muted">{}/{}</span>', css, value, part, whole
        )

    def late_reports(n: int) -> SafeString:
        if not n:
            return format_html("{}", 0)
        return format_html('<a class="badge text-bg-danger text-decoration-none" href="{}">{}</a>', reports, n)

    def late_summaries(n: int) -> SafeString:
        return format_html('<span class="badge text-bg-danger">{}</span>', n) if n else format_html("{}", 0)

    return format_html_join(
        "",
        '<tr data-unit="{}">\n<th scope="row" class="fw-normal"><a href="{}?department={}&amp;overdue=on">{}</a></th>\n'
        '<td class="text-end" data-figure="coverage">{}</td>\n<td class="text-end" data-figure="transfer_rate">{}</td>\n'
        '<td class="text-end" data-figure="reports">{}</td>\n<td class="text-end" data-figure="summaries">{}</td>\n</tr>',
        (
            (
                r["department"].pk,
                cases,
                r["department"].pk,
                r["department"].short_name or r["department"].name,
                rate(r["rate"], r["reviewed"], r["reviewable"]),
                rate(r["transfer_rate"], r["on_time"], r["due"]),
                late_reports(r["reports"]),
                late_summaries(r["summaries"]),
            )
            for r in rows
        ),
    )
