"""Issue 13, zip bombs and oversized sheets: every xlsx upload is checked before openpyxl opens
it (inflated size and ratio of the zip members), the declared sheet dimension is ignored, values
beyond the template's columns are refused and blank rows count towards the row limit. Each bomb
is a small file built here and is refused in under a second with a clear message."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from openpyxl import Workbook

from xian_enforcement.spreadsheets.reader import Column, ImportFileError, read_table

COLUMNS = [Column("案号", "number", "text", True), Column("案由", "title", "text", True), Column("备注", "n", "text")]


def workbook(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rewrite(content: bytes, member: str, change) -> bytes:
    """The same package with one member's text changed (members are re-deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == member:
                data = change(data.decode()).encode()
            dst.writestr(info.filename, data)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def refused(content: bytes, match: str) -> None:
    start = time.perf_counter()
    with pytest.raises(ImportFileError) as exc:
        read_table(content, columns=COLUMNS)
    assert time.perf_counter() - start < 1.0
    assert re.search(match, exc.value.message), exc.value.message


def test_a_plain_file_reads_and_a_huge_declared_dimension_is_ignored(settings):
    settings.IMPORT_MAX_ROWS = 10
    content = rewrite(
        workbook([["案号", "案由"], ["A1", "x"]]),
        SHEET,
        lambda x: re.sub(r'ref="[^"]+"', 'ref="A1:XFD1048576"', x, count=1),
    )
    start = time.perf_counter()
    table = read_table(content, columns=COLUMNS)
    assert time.perf_counter() - start < 1.0
    assert table.rows == [(2, {"案号": "A1", "案由": "x"})]


def test_sparse_dimension_bomb_is_refused_within_a_second():
    """A cell at XFD1048576 under a declared A1:XFD1048576: old reading padded a million rows of
    16,384 cells."""
    far = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    content = rewrite(
        workbook([["案号", "案由"], ["A1", "x"]]),
        SHEET,
        lambda x: re.sub(r'ref="[^"]+"', 'ref="A1:XFD1048576"', x, count=1).replace("</sheetData>", far),
    )
    assert len(content) < 10_000
    refused(content, "超出模板的 3 列")


def test_a_far_row_inside_the_template_width_counts_blank_rows_and_is_refused(settings):
    settings.IMPORT_MAX_ROWS = 5000
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    content = rewrite(workbook([["案号", "案由"], ["A1", "x"]]), SHEET, lambda x: x.replace("</sheetData>", far))
    refused(content, "超过 5000 行（空行也计入行数）")


def test_blank_rows_count_towards_the_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 3
    refused(workbook([["案号", "案由"], ["A1", "x"], [None], [None], [None], ["A5", "y"]]), "超过 3 行")


def test_columns_beyond_the_template_are_refused():
    refused(workbook([["案号", "案由", "备注", "多余"], ["A1", "x", "", "y"]]), "第 1 行第 D 列")


def test_shared_strings_bomb_is_refused_before_openpyxl_reads_it():
    huge = "<si><t>" + "啊" * 1000 + "</t></si>"
    content = workbook([["案号", "案由"], ["A1", "x"]])
    # A sharedStrings.xml of 24 MB that deflates to a few kilobytes.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        with dst.open("xl/sharedStrings.xml", "w") as fh:
            fh.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            chunk = (huge * 100).encode()
            for _ in range(80):
                fh.write(chunk)
            fh.write(b"</sst>")
    bomb = out.getvalue()
    assert len(bomb) < 200_000
    refused(bomb, "疑似恶意构造")


def test_too_many_inflated_bytes_are_refused(monkeypatch):
    from xian_enforcement.spreadsheets import reader

    monkeypatch.setattr(reader, "MAX_UNCOMPRESSED", 1000)
    refused(workbook([["案号", "案由"], ["A1", "x"]]), "解压后过大")
