"""Issue 13, formula injection: the core writer stores user text as text in write-only and in
normal sheets; numbers stay numbers."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from xian_enforcement.spreadsheets.writer import cell_write, row_append, sheet_cell, workbook_bytes

TEXTS = ["=1+1", "+SUM(A1)", "-2", "@x", "\tx", "\rx", "#N/A", '=HYPERLINK("http://x","y")']
EXPECTED = ["=1+1", "+SUM(A1)", "-2", "@x", "\tx", "\nx", "#N/A", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("write_only", [True, False])
def test_user_text_is_never_a_formula_and_numbers_stay_numbers(write_only):
    wb = Workbook(write_only=write_only)
    ws = wb.create_sheet("s") if write_only else wb.active
    row_append(ws, [*TEXTS, -2, Decimal("-3.50"), datetime.date(2026, 1, 2), None])
    ws.append([sheet_cell(ws, "=9", number_format="@"), sheet_cell(ws, -7)])
    if not write_only:
        cell_write(ws, 3, 1, "=2+2")
    back = load_workbook(io.BytesIO(workbook_bytes(wb))).active
    row = list(back[1])
    assert [c.value for c in row[: len(TEXTS)]] == EXPECTED
    assert all(c.data_type == "s" for c in row[: len(TEXTS)])
    # The leading characters that spreadsheets read as a formula are marked quotePrefix.
    assert all(c.quotePrefix for c in row[:6]) and not row[6].quotePrefix
    assert (row[8].value, row[8].data_type) == (-2, "n")
    assert (row[9].value, row[9].data_type) == (-3.5, "n")
    assert row[10].value.date() == datetime.date(2026, 1, 2)
    assert (back["A2"].value, back["A2"].data_type, back["B2"].value) == ("=9", "s", -7)
    if not write_only:
        assert (back["A3"].value, back["A3"].data_type) == ("=2+2", "s")


def test_control_characters_do_not_break_the_workbook():
    wb = Workbook()
    row_append(wb.active, ["a\x00b\x07c", "line1\r\nline2"])
    back = load_workbook(io.BytesIO(workbook_bytes(wb))).active
    assert [c.value for c in back[1]] == ["abc", "line1\nline2"]
