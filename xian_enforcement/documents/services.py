"""Allocating official document numbers (发文字号): 〔2026〕3号 of a unit, per year and kind.

``document_number_allocate`` takes the unit's counter row with ``SELECT … FOR UPDATE`` inside the
caller's transaction, so two documents issued at once get distinct consecutive numbers, and a
rolled-back issue gives its number back (the next one reuses it: no gaps from failed issues).
The number is stored on the document when it is issued and never recomputed."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.http import content_disposition_header

from .models import DocumentSequence


@dataclass(frozen=True)
class DocumentNumber:
    """An issued number: the serial (1, 2, …) and the text printed on the document."""

    serial: int
    text: str


def document_number_text(*, department, year: int, serial: int, word: str) -> str:
    """The printed form: the unit's abbreviation (``Department.short_name``, the name if it has
    none) and the document's word, then 〔year〕serial号: 市场监管局容认〔2026〕3号."""
    prefix = (department.short_name or department.name or "").strip()
    return f"{prefix}{word}〔{year}〕{serial}号"


@transaction.atomic
def document_number_allocate(*, department, year: int, kind: str, word: str) -> DocumentNumber:
    """The next number of ``department``'s ``kind`` documents in ``year`` (1 for the first of
    the year). Call it inside the transaction that stores the document."""
    try:
        with transaction.atomic():
            sequence, _created = DocumentSequence.objects.select_for_update().get_or_create(
                department=department, year=year, kind=kind
            )
    except IntegrityError:  # another transaction created the row first: wait for it and lock it
        sequence = DocumentSequence.objects.select_for_update().get(department=department, year=year, kind=kind)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    serial = sequence.last_number
    return DocumentNumber(
        serial=serial, text=document_number_text(department=department, year=year, serial=serial, word=word)
    )


def document_disposition(title: str, *, extension: str = "pdf", as_attachment: bool = False) -> str:
    """The Content-Disposition of a document download named by its number, never a database
    id: ``inline; filename*=utf-8''…`` (RFC 5987/6266) for 市场监管局容认〔2026〕3号.pdf. Path
    separators and control characters are replaced so the name is one safe file name."""
    name = "".join("_" if ch in '/\\"' or ord(ch) < 32 or ord(ch) == 127 else ch for ch in title).strip() or "document"
    return content_disposition_header(as_attachment, f"{name}.{extension}")
