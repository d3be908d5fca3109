"""Shared check of the formula-injection tests (issue 13): read an exported workbook back with
openpyxl and find every payload as a literal string cell."""

from __future__ import annotations

import io

from openpyxl import load_workbook

# What users type, and what the cell must hold: a CR is written as LF (XML 1.0 normalises a raw
# CR to LF; Excel's line break in a cell is LF), everything else unchanged.
PAYLOADS = {"=1+1": "=1+1", "+SUM(A1)": "+SUM(A1)", "-2": "-2", "@x": "@x", "\tx": "\tx", "\rx": "\nx"}
STRIPPED = {"=1+1": "=1+1", "+SUM(A1)": "+SUM(A1)", "-2": "-2", "@x": "@x"}  # fields that strip blanks


def cells_of(content: bytes) -> list:
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def assert_text_cells(content: bytes, expected) -> list:
    """Every expected text is in some cell as a string cell ('s'), not a formula ('f'), and no
    cell of the workbook is a formula. Returns the cells."""
    cells = cells_of(content)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell was written as a formula"
    by_value = {}
    for c in cells:
        if isinstance(c.value, str):
            by_value.setdefault(c.value, c)
    for text in expected:
        assert text in by_value, f"{text!r} not exported as written"
        assert by_value[text].data_type == "s"
    return cells
