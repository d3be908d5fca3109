"""The review room's entry page: the self-review transfer queue (REV-5, REV-12). Self-review
records, inspections and sampling arrive with the review issue; this page stays their entry."""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.choices import LitigationState, ReconsiderationState
from xian_enforcement.org.scoping import scope_for

from . import selectors

PAGE_SIZE = 50
# The queue's totals are exact up to this many files, "1,000 件以上" beyond (selectors.count_all).
QUEUE_COUNT_MAX = 1000
# The columns the two longest lists read (plain rows, not model instances).
REVIEW_ROW_FIELDS = (
    "id", "number", "title", "closed_on", "transferred_for_review_on", "category_name", "handler_name", "review_id",
    "review_status", "handled_by_me",
)  # fmt: skip
EXCLUDED_ROW_FIELDS = ("id", "number", "title", "closed_on", "reconsideration", "litigation")


def _page_url(request, param: str, number: int) -> str:
    params = request.GET.copy()
    params[param] = number
    return f"?{params.urlencode()}"


_SENTINEL = 987654321


def _url_maker(name: str):
    """``pk → URL`` for a URL name with one integer argument: ``reverse`` once, then string
    substitution per row (a ``{% url %}`` per row and column was a tenth of the queue's time)."""
    pattern = reverse(name, args=[_SENTINEL])
    return lambda pk: pattern.replace(str(_SENTINEL), str(pk))


def _attach_urls(rows, **names: str) -> None:
    """Set ``row.<attr>_url`` for each ``attr=(url name)``; the pk is ``row.pk`` or, for
    ``review``, ``row.review_id``."""
    makers = {attr: _url_maker(name) for attr, name in names.items()}
    for row in rows:
        for attr, make in makers.items():
            pk = row.review_id if attr == "review" else row.pk
            setattr(row, f"{attr}_url", make(pk) if pk else "")


def _attach_state_labels(rows) -> None:
    """REV-12 states as text, looked up once per page: ``get_FOO_display`` rebuilds its choices
    dict (hashing every lazy label) on each call, a quarter of the queue's rendering time."""
    reconsideration = {value: str(label) for value, label in ReconsiderationState.choices}
    litigation = {value: str(label) for value, label in LitigationState.choices}
    for row in rows:
        row.reconsideration_label = reconsideration.get(row.reconsideration, row.reconsideration)
        row.litigation_label = litigation.get(row.litigation, row.litigation)


class _OpenEndedPage(Page):
    """A page of a list whose total is known only up to ``QUEUE_COUNT_MAX``: any page number is
    allowed, and whether a next page exists is read from the rows (one more than a page)."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def has_other_pages(self) -> bool:
        return self.more or self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _page(
    request,
    qs,
    param: str,
    *,
    count: int,
    deadlines: bool = False,
    urls: dict[str, str] | None = None,
    fields: tuple[str, ...] = (),
):
    """One paginated list of the page; each list has its own page parameter so that paging one
    keeps the others where they are. ``count``: its total from ``selectors.count_all``, capped at
    ``QUEUE_COUNT_MAX`` (``page.count_capped``: the heading then says "1,000 件以上").
    ``fields``: read only these columns, as plain rows with attributes rather than model instances
    (building deferred-field instances costs more than the rows)."""

    def rows_between(start: int, stop: int) -> list:
        return list((qs.values(*fields) if fields else qs)[start:stop])

    paginator = Paginator([], PAGE_SIZE)
    capped = count > QUEUE_COUNT_MAX
    if capped:
        paginator.count = QUEUE_COUNT_MAX  # the cached property: not recounted
        try:
            number = max(1, int(request.GET.get(param) or 1))
        except ValueError:
            number = 1
        start = (number - 1) * PAGE_SIZE
        rows = rows_between(start, start + PAGE_SIZE + 1)
        if not rows and number > 1:  # past the end: the first page, as get_page does
            number, rows = 1, rows_between(0, PAGE_SIZE + 1)
        page = _OpenEndedPage(rows[:PAGE_SIZE], number, paginator, more=len(rows) > PAGE_SIZE)
    else:
        paginator.count = count
        page = paginator.get_page(request.GET.get(param))  # the number, validated against the count
        page.object_list = rows_between((page.number - 1) * PAGE_SIZE, page.number * PAGE_SIZE)
    page.count_capped = capped
    if fields:
        page.object_list = [SimpleNamespace(pk=row["id"], **row) for row in page.object_list]
    if deadlines:
        page.object_list = selectors.attach_transfer_deadlines(list(page.object_list))
    else:
        page.object_list = list(page.object_list)
    _attach_urls(page.object_list, **(urls or {"detail": "cases:detail"}))
    page.prev_url = _page_url(request, param, page.previous_page_number()) if page.has_previous() else ""
    page.next_url = _page_url(request, param, page.next_page_number()) if page.has_next() else ""
    return page


@login_required
def index(request):
    """REV-5: closed files owe a transfer to the legal office within 30 days; REV-12: files under
    reconsideration or litigation are not reviewed."""
    access = selectors.queue_access(request.user)
    today = timezone.localdate()
    context = {
        "crumbs": [(_("评查"), None)],
        "access": access,
        "today": today,
        "transfer_days": settings.RULES["REV_5_TRANSFER_DAYS"],
    }
    if access.county:
        context["county_rows"] = selectors.county_transfer_table(request.user, today)
        context["overdue_now_definition"] = selectors.OVERDUE_NOW_DEFINITION
        context["awaiting_definition"] = selectors.AWAITING_NOW_DEFINITION
    # The four totals in one statement (``count_all``).
    user = request.user
    lists: dict[str, QuerySet] = {}
    if access.department:
        lists["p_review"] = selectors.awaiting_self_review(user)
        lists["p_transfer"] = selectors.awaiting_transfer(user)
        lists["p_excluded"] = selectors.excluded_from_review(user)
        lists["p_sign"] = selectors.awaiting_my_signature(user)
        lists["p_amended"] = selectors.amended_after_review(user)
    if access.handler:
        lists["p_mine"] = selectors.my_files_awaiting_transfer(user)
    counts = dict(zip(lists, selectors.count_all(list(lists.values()), cap=QUEUE_COUNT_MAX), strict=True))
    if access.department:
        context["review_page"] = _page(
            request,
            lists["p_review"],
            "p_review",
            count=counts["p_review"],
            urls={"detail": "cases:detail", "review": "reviews:detail", "start": "reviews:start"},
            fields=REVIEW_ROW_FIELDS,
        )
        context["can_start_review"] = scope_for(request.user).writes_department
        context["transfer_page"] = _page(
            request, lists["p_transfer"], "p_transfer", count=counts["p_transfer"], deadlines=True
        )
        context["excluded_page"] = _page(
            request,
            lists["p_excluded"],
            "p_excluded",
            count=counts["p_excluded"],
            fields=EXCLUDED_ROW_FIELDS,
        )
        _attach_state_labels(context["excluded_page"].object_list)
        context["sign_page"] = _page(
            request, lists["p_sign"], "p_sign", count=counts["p_sign"], urls={"detail": "reviews:detail"}
        )
        if counts["p_amended"]:  # REV-7: files amended after review; rarely any, so read only then
            context["amended_page"] = _page(
                request,
                lists["p_amended"],
                "p_amended",
                count=counts["p_amended"],
                urls={"detail": "reviews:detail"},
                fields=selectors.AMENDED_ROW_FIELDS,
            )
    if access.handler:
        context["mine_page"] = _page(
            request,
            lists["p_mine"],
            "p_mine",
            count=counts["p_mine"],
            deadlines=True,
            urls={"detail": "cases:detail", "transfer": "cases:transfer"},
        )
    return render(request, "reviews/index.html", context)
