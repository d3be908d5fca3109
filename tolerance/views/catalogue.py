"""The circumstance catalogue of Art. 10–14 (TOL-10 … TOL-14), a reference for everyone logged in."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from .. import catalogue


@login_required
def catalogue_page(request):
    query = request.GET.get("q", "").strip()[:50]
    articles = catalogue.search(query)
    return render(
        request,
        "tolerance/catalogue.html",
        {
            "crumbs": [(_("容错纠错"), reverse("tolerance:index")), (_("情形目录"), None)],
            "articles": articles,
            "all_articles": catalogue.ARTICLES,
            "query": query,
            "match_count": sum(len(a.items) for a in articles),
        },
    )
