"""Table rows of the review queue's two longest lists, built in Python.

The queue shows up to four 50-row lists on one page; through the template engine each row cost
~60 µs (a dozen variable lookups, a translation block, a CSRF tag), half the page's rendering
time against performance.md target 1 (p95 ≤ 2 × F). The markup is the template's, escaped by
``format_html``; the strings are the template's msgids."""

from __future__ import annotations

import datetime

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from xian_enforcement.org.templatetags.xian import cn_date, rule

register = template.Library()


@register.simple_tag(takes_context=True)
def awaiting_review_rows(context, rows, today: datetime.date, can_start_review: bool) -> SafeString:
    """REV-5/REV-6/REV-7: rows of "已移交、待自查" (files transferred, record not locked)."""
    draft, to_sign, start, not_started = _("草稿"), _("待签署"), _("开始自查"), _("未开始")
    # REV-7: a file the user handled is reviewed by a colleague of the legal office.
    own = _("本人承办，由其他法制机构人员自查")
    csrf = ""
    if can_start_review and any(not row.review_id for row in rows):
        csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(context["request"]))

    def action(row) -> SafeString:
        if row.review_id:
            label = draft if row.review_status == "draft" else to_sign
            return format_html('<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>', row.review_url, label)
        if can_start_review and getattr(row, "handled_by_me", False):
            return format_html('<span class="text-muted small">{}</span>', own)
        if can_start_review:
            return format_html(
                '<form method="post" action="{}" class="d-inline">{}<button class="btn btn-sm btn-primary" '
                'type="submit">{}</button></form>',
                row.start_url,
                csrf,
                start,
            )
        return format_html('<span class="text-muted small">{}</span>', not_started)

    def days(row) -> int:
        return (today - row.transferred_for_review_on).days if row.transferred_for_review_on else 0

    return format_html_join(
        "\n",
        '<tr>\n<td class="text-nowrap"><a href="{}">{}</a></td>\n<td>{}</td>\n'
        '<td class="text-nowrap">{}</td>\n<td class="text-nowrap">{}</td>\n<td class="text-nowrap">{}</td>\n'
        '<td class="text-nowrap">{}</td>\n<td class="text-end text-nowrap">{}</td>\n'
        '<td class="text-nowrap">{}</td>\n</tr>',
        (
            (
                row.detail_url,
                row.number,
                row.title,
                row.category_name,
                row.handler_name,
                cn_date(row.closed_on),
                cn_date(row.transferred_for_review_on),
                _("%(n)s 天") % {"n": days(row)},
                action(row),
            )
            for row in rows
        ),
    )


@register.simple_tag
def excluded_rows(rows) -> SafeString:
    """REV-12: rows of "不再评查" (closed files under reconsideration or litigation)."""
    badge = format_html('<span class="badge text-bg-warning">{}</span> {}', _("不再评查"), rule("REV-12"))
    return format_html_join(
        "\n",
        '<tr>\n<td class="text-nowrap"><a href="{}">{}</a></td>\n<td>{}</td>\n'
        '<td class="text-nowrap">{}</td>\n<td class="text-nowrap">{}</td>\n<td class="text-nowrap">{}</td>\n'
        '<td class="text-nowrap">{}</td>\n</tr>',
        (
            (
                row.detail_url,
                row.number,
                row.title,
                cn_date(row.closed_on),
                row.reconsideration_label,
                row.litigation_label,
                badge,
            )
            for row in rows
        ),
    ) or mark_safe("")
