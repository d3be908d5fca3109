"""TOL-14d: the publications page, open to anonymous visitors (public decisions only), and the
decision PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from xian_enforcement.documents.services import document_disposition
from xian_enforcement.org.scoping import scope_for

from .. import selectors
from ..pdf import decision_pdf


def publications(request):
    """No login required: anonymous visitors see public decisions only; personal data masked
    outside the applicant's unit."""
    page = Paginator(selectors.publications_for(request.user), 30).get_page(request.GET.get("page"))
    department_id = scope_for(request.user).department_id
    rows = [
        {
            "d": d,
            "name": d.application.officer.name
            if department_id == d.application.department_id
            else selectors.mask_name(d.application.officer.name),
        }
        for d in page
    ]
    crumbs = [(_("容错纠错"), None), (_("认定结论公开"), None)] if request.user.is_authenticated else []
    return render(request, "tolerance/publications.html", {"page": page, "rows": rows, "crumbs": crumbs})


@login_required
def decision_pdf_view(request, pk: int):
    application = selectors.application_for_user(request.user, pk)
    decision = getattr(application, "decision", None)
    if decision is None:
        raise Http404(_("该申请尚未认定。"))
    response = HttpResponse(decision_pdf(decision), content_type="application/pdf")
    response["Content-Disposition"] = document_disposition(decision.document_number)
    return response
