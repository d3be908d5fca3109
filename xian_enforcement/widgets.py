"""Widgets shared by every room."""

from __future__ import annotations

from django import forms

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """``<input type="date">`` whose value is always ISO ``yyyy-mm-dd``, in every language.

    A browser's date input accepts only ISO in its ``value`` and silently drops anything else:
    Django's ``DateInput`` writes its value in the language's first ``DATE_INPUT_FORMATS``, which
    for zh-hans is ``2026/01/01``, so a prefilled date showed empty and the form then said
    "必填". The format modules (``xian_enforcement/formats``) also put ISO first, for a plain
    ``forms.DateInput`` someone adds later; this widget does not depend on them."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or ISO_DATE)


def model_choices(
    field: forms.ModelChoiceField, *labels: str, order_by: tuple[str, ...] = ()
) -> list[tuple[object, str]]:
    """The choices of ``field`` as a list of (pk, label), read with one ordinary query of the
    primary key and the ``labels`` columns (the label is the first that is not empty). Django's
    ``ModelChoiceIterator`` reads through ``QuerySet.iterator()``: on PostgreSQL a server-side
    cursor (DECLARE, FETCH, CLOSE: three round trips), and an instance per option; the list of
    tuples is a single ordinary query."""
    queryset = field.queryset.select_related(None)
    if order_by:
        queryset = queryset.order_by(*order_by)
    choices: list[tuple[object, str]] = [("", field.empty_label)] if field.empty_label is not None else []
    rows = queryset.values_list("pk", *labels)
    return choices + [(pk, next((x for x in rest if x), rest[-1])) for pk, *rest in rows]
