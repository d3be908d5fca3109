"""The review room's entry page: the self-review transfer queue (REV-5, REV-12). Self-review
records, inspections and sampling arrive with the review issue; this page stays their entry."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from xian_enforcement.org.scoping import scope_for

from . import selectors

PAGE_SIZE = 50


def _page_url(request, param: str, number: int) -> str:
    params = request.GET.copy()
    params[param] = number
    return f"?{params.urlencode()}"


def _page(request, qs, param: str, *, deadlines: bool = False):
    """One paginated list of the page; each list has its own page parameter so that paging one
    keeps the others where they are."""
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get(param))
    if deadlines:
        page.object_list = selectors.attach_transfer_deadlines(list(page.object_list))
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
    if access.department:
        context["review_page"] = _page(request, selectors.awaiting_self_review(request.user), "p_review")
        context["can_start_review"] = scope_for(request.user).writes_department
        context["transfer_page"] = _page(
            request, selectors.awaiting_transfer(request.user), "p_transfer", deadlines=True
        )
        context["excluded_page"] = _page(request, selectors.excluded_from_review(request.user), "p_excluded")
    if access.department:
        context["sign_page"] = _page(request, selectors.awaiting_my_signature(request.user), "p_sign")
    if access.handler:
        context["mine_page"] = _page(
            request, selectors.my_files_awaiting_transfer(request.user), "p_mine", deadlines=True
        )
    return render(request, "reviews/index.html", context)
