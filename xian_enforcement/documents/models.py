"""Official document numbers (发文字号): one counter per issuing unit, year and kind of document.

Why a core app of its own: two rooms issue numbered documents (reviews: 评查结果通知书; tolerance:
容错免责认定决定书), and tolerance never imports reviews, so the counter lives below both. It is
not ``org`` (who works where) and has no business rule of its own; a small app keeps its one
table and migration apart from the organisation's."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class DocumentSequence(models.Model):
    """The last number issued by ``department`` in ``year`` for documents of ``kind`` (a short
    code chosen by the room that issues them, e.g. ``tolerance_decision``). Numbers start at 1
    each year, go up by one, and are never reused; they are allocated only through
    ``services.document_number_allocate`` (row lock)."""

    # CASCADE: a counter is no record of its own; a unit can only be deleted once nothing it
    # issued refers to it (decisions and notices protect it), and then its counters go too.
    department = models.ForeignKey(
        "org.Department", on_delete=models.CASCADE, related_name="+", verbose_name=_("发文单位")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("文书种类"), max_length=30)
    last_number = models.PositiveIntegerField(_("已用到的序号"), default=0)

    class Meta:
        verbose_name = _("公文编号序列")
        verbose_name_plural = _("公文编号序列")
        ordering = ["department", "kind", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year", "kind"], name="docseq_unique_unit_year_kind")
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.kind} {self.year}: {self.last_number}"
