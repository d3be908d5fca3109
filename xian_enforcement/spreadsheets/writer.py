"""Writing cells so that text stays text (security.md "Output": no formula injection).

openpyxl infers a cell's type from its value: a ``str`` that starts with ``=`` becomes a formula
(``data_type 'f'``, written as ``<f>``) and one equal to an error code such as ``#N/A`` becomes
an error cell, in write-only mode as in normal mode. Every export therefore goes through
:func:`cell_value_set` (or the helpers built on it), which

* stores every string as a string cell (``data_type 's'``, an inline string): the file holds the
  literal text and Excel, LibreOffice and WPS never evaluate it;
* marks a string that starts with ``=``, ``+``, ``-``, ``@``, a tab or a line break with the cell
  style ``quotePrefix`` (what Excel itself sets when a user types a leading apostrophe), so that
  editing the cell in Excel does not turn it into a formula either. The apostrophe is **not** part
  of the value: the text reads back unchanged;
* drops the control characters that XML cannot carry (openpyxl would refuse the whole workbook)
  and writes a carriage return as a line feed (XML parsers turn a raw CR into LF anyway; Excel's
  own line break inside a cell is LF); longer text is cut at Excel's cell limit (32,767).

Numbers, dates, ``Decimal`` and ``None`` are written as they are: a negative amount stays a
number.
"""

from __future__ import annotations

import io
import re
from typing import Any

from django.utils.functional import Promise
from openpyxl.cell.cell import Cell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The characters that make a spreadsheet program read typed text as a formula (OWASP "CSV
# injection"); LF is included because a CR is written as LF.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_CELL_TEXT = 32767


def clean_text(value: Any) -> str:
    """The text as a cell can hold it: no XML-illegal control characters, CR written as LF."""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("", text)[:MAX_CELL_TEXT]


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def cell_value_set(cell: Cell, value: Any) -> Cell:
    """Put ``value`` into ``cell``: text as a string cell (never a formula or an error code),
    anything else as openpyxl writes it."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str):
        text = clean_text(value)
        cell.value = None
        cell._value = text  # bypass openpyxl's inference ('=' → formula, '#N/A' → error)
        cell.data_type = "s"
        if looks_like_formula(text):
            cell.quotePrefix = True
        return cell
    cell.value = value
    return cell


def sheet_cell(ws, value: Any = None, *, font=None, alignment=None, number_format: str | None = None) -> Cell:
    """A free-standing cell for ``ws`` (write-only or normal), for ``ws.append`` / :func:`row_append`."""
    cell = cell_value_set(Cell(ws, row=1, column=1), value)
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    if number_format:
        cell.number_format = number_format
    return cell


def row_append(ws, values) -> None:
    """Append one row: every value through :func:`cell_value_set`; cells made by
    :func:`sheet_cell` are kept as they are."""
    ws.append([v if isinstance(v, Cell) else sheet_cell(ws, v) for v in values])


def cell_write(ws, row: int, column: int, value: Any) -> Cell:
    """Set one cell of a normal (not write-only) sheet."""
    return cell_value_set(ws.cell(row=row, column=column), value)


def workbook_bytes(wb) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
