"""Reading an uploaded xlsx file into rows, safely (security.md "Input").

Before openpyxl opens anything, :func:`package_check` reads the zip's central directory and
refuses a package whose members are too large once uncompressed or compressed too well (a zip
bomb: a sharedStrings.xml or sheet of hundreds of megabytes in a file of a few hundred
kilobytes). Python's ``zipfile`` never inflates a member beyond its declared size (the CRC check
fails first), so the declared sizes bound the work.

The sheet is then read row by row from its XML with openpyxl's streaming parser, **ignoring the
declared dimension** (``<dimension ref="A1:XFD1048576">`` would make openpyxl pad every row to
16,384 cells and yield a million empty rows): only the cells present are looked at, a value in a
column beyond the template is refused at once, and a row's number counts towards the row limit
whether or not the rows before it were blank, so a lone cell in row 1,000,000 is refused
without reading a million rows.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._reader import WorkSheetParser

# Zip bomb limits: all members together once inflated, and the inflation ratio of any member
# larger than RATIO_MIN_SIZE (a real ledger of 10,000 rows inflates about 10 to 20 times).
MAX_UNCOMPRESSED = 64 * 1024 * 1024
MAX_RATIO = 100
RATIO_MIN_SIZE = 1024 * 1024
MAX_MEMBERS = 200
HEADER_ROWS = 5


def max_rows() -> int:
    """Rows per import (settings ``IMPORT_MAX_ROWS`` may override the default)."""
    return getattr(settings, "IMPORT_MAX_ROWS", 5000)


def max_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_BYTES", 10 * 1024 * 1024)


class ImportFileError(Exception):
    """The file as a whole cannot be read (not xlsx, corrupt, empty, too large, wrong columns)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class CellError(Exception):
    """One cell's value is not acceptable; the message is shown with the row and column."""


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    kind: str
    required: bool = False
    width: int = 14
    help: str = ""
    example: Any = None


@dataclass
class Table:
    columns: dict[str, int]
    rows: list[tuple[int, dict[str, Any]]]


def _norm_header(value: Any) -> str:
    text = re.sub(r"\s+", "", str(value or ""))
    text = text.rstrip("*＊")
    return re.sub(r"[（(]元[）)]$", "", text)


def _bomb() -> ImportFileError:
    return ImportFileError(
        _("文件解压后过大或压缩比异常，疑似恶意构造的文件，已拒绝。请用 Excel 打开后“另存为”新的 .xlsx 文件再上传。")
    )


def package_check(content: bytes) -> None:
    """Refuse what is not a zip, and a zip whose members would inflate too much, before any XML
    is parsed."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise ImportFileError(
            _(
                "无法读取该文件：只接受 Excel 2007 及以上版本的 .xlsx 文件。若是 .xls 或 .csv，请在 Excel 中“另存为” .xlsx 后再上传。"
            )
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError(_("文件已损坏或不是有效的 Excel 工作簿（.xlsx），无法读取。"))
    if len(members) > MAX_MEMBERS:
        raise _bomb()
    total = 0
    for member in members:
        total += member.file_size
        if total > MAX_UNCOMPRESSED:
            raise _bomb()
        if member.file_size > RATIO_MIN_SIZE and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _bomb()


def _sheet_rows(wb, ws):
    """(row number, {column: value}) of every row element present, from the sheet's XML, with
    the declared dimension ignored (no padding, no invented empty rows)."""
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=True,
            epoch=wb.epoch,
            date_formats=wb._date_formats,
            timedelta_formats=wb._timedelta_formats,
        )
        for row_number, cells in parser.parse():
            yield row_number, {c["column"]: c["value"] for c in cells if c["value"] is not None}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_table(content: bytes, *, columns: list[Column], extra_headers: tuple[str, ...] = ()) -> Table:
    """Read the first sheet of an xlsx workbook into rows keyed by column header.

    The header row is the first of the top five rows that holds every required column (so an
    export with a title row can be imported again). Blank rows are skipped but count towards the
    row limit; row numbers are the sheet's own. A value in a column beyond the template's width
    (its columns plus ``extra_headers``) refuses the file. Raises ``ImportFileError`` with a
    message for the user."""
    limit, size_limit = max_rows(), max_bytes()
    if not content:
        raise ImportFileError(_("上传的文件是空的，请选择填写好的 Excel 台账文件（.xlsx）。"))
    if len(content) > size_limit:
        raise ImportFileError(
            _("文件过大（%(size)s 字节），上限 %(max)s 字节。请拆分后分批导入。")
            % {"size": len(content), "max": size_limit}
        )
    package_check(content)
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged package
        raise ImportFileError(
            _("文件已损坏或不是有效的 Excel 工作簿（.xlsx），无法读取。请用 Excel 打开检查后重新保存。")
        )
    width = len(columns) + len(extra_headers)
    required = [c.header for c in columns if c.required]
    header_map: dict[str, int] | None = None
    header_row = 0
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        if not wb.worksheets:
            raise ImportFileError(_("工作簿中没有工作表。"))
        wb_ws = wb.worksheets[0]
        for row_number, cells in _sheet_rows(wb, wb_ws):
            beyond = [c for c in cells if c > width]
            if beyond:
                raise ImportFileError(
                    _(
                        "第 %(row)s 行第 %(col)s 列有内容，超出模板的 %(width)s 列：请删除模板以外的列后重新上传。"
                        " / Row %(row)s has a value in column %(col)s, beyond the template's %(width)s columns."
                    )
                    % {"row": row_number, "col": get_column_letter(min(beyond)), "width": width}
                )
            if header_map is None:
                if row_number > HEADER_ROWS:
                    break
                names = {_norm_header(v): i for i, v in cells.items() if _norm_header(v)}
                if all(h in names for h in required):
                    header_map, header_row = names, row_number
                continue
            if row_number - header_row > limit:
                raise ImportFileError(
                    _(
                        "文件超过 %(max)s 行（空行也计入行数），请拆分为多个文件分批导入。"
                        " / The file has more than %(max)s rows (blank rows count)."
                    )
                    % {"max": limit}
                )
            if all(_blank(v) for v in cells.values()):
                continue
            rows.append((row_number, {h: cells.get(i) for h, i in header_map.items()}))
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(_("文件已损坏或不是有效的 Excel 工作簿（.xlsx），无法读取。"))
    finally:
        wb.close()
    if header_map is None:
        raise ImportFileError(
            _("没有找到表头行：第一个工作表的前 5 行中须有列“%(cols)s”。请使用下载的模板填写。")
            % {"cols": "、".join(required)}
        )
    if not rows:
        raise ImportFileError(_("文件中没有数据行：请在表头下方逐行填写后再上传。"))
    return Table(columns=header_map, rows=rows)


# --------------------------------------------------------------------------------------------
# Cell converters: each returns a Python value or raises CellError with a Chinese reason.
# --------------------------------------------------------------------------------------------


def to_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$"),
]


def to_date(value: Any) -> datetime.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A date typed into a cell formatted as a number: Excel's serial day number (2000–2099).
        if 36526 <= value < 73051:
            result = from_excel(value)
            return result.date() if isinstance(result, datetime.datetime) else result
        raise CellError(_("不是有效的日期"))
    text = str(value).strip().split(" ")[0]
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(*(int(g) for g in match.groups()))
            except ValueError:
                break
    raise CellError(_("“%(v)s”不是有效的日期，请填写 Excel 日期或 YYYY-MM-DD 格式的文本") % {"v": text[:40]})


def to_amount(value: Any) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal("0.00")
    if isinstance(value, bool):
        raise CellError(_("金额须为数字"))
    text = value if isinstance(value, str) else str(value)
    text = re.sub(r"[,，¥￥元\s]", "", text)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(_("“%(v)s”不是有效的金额，请填写数字（单位：元）") % {"v": str(value)[:40]})
    if not amount.is_finite():
        raise CellError(_("金额须为数字"))
    if amount < 0:
        raise CellError(_("金额不能为负数"))
    if amount != amount.quantize(Decimal("0.01")):
        raise CellError(_("金额最多保留两位小数"))
    if amount >= Decimal("1000000000000"):
        raise CellError(_("金额过大"))
    return amount.quantize(Decimal("0.01"))


def to_int(value: Any, *, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(Decimal(str(value).strip()))
        if Decimal(str(value).strip()) != number:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise CellError(_("“%(v)s”不是整数") % {"v": str(value)[:40]})
    if not low <= number <= high:
        raise CellError(_("须在 %(low)s 至 %(high)s 之间") % {"low": low, "high": high})
    return number


_YES = {"是", "y", "yes", "true", "1", "有"}
_NO = {"否", "n", "no", "false", "0", "无"}


def to_bool(value: Any, *, default: bool = False) -> bool:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        return value
    text = to_text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(_("“%(v)s”无效，请填写“是”或“否”") % {"v": text[:20]})


def split_list(value: Any) -> list[str]:
    text = to_text(value)
    return [part for part in re.split(r"[、,，;；\s]+", text) if part]


def choice_lookup(choices) -> dict[str, str]:
    """Map the Chinese label (and its short form before “（”), the current language's label and
    the stored value of each choice to the value."""
    mapping: dict[str, str] = {}
    for value, label in choices.choices:
        mapping[value] = value
        mapping[str(label)] = value
    with translation.override("zh-hans"):
        for value, label in choices.choices:
            mapping[str(label)] = value
            mapping[str(label).split("（")[0]] = value
    return mapping


def to_choice(value: Any, mapping: dict[str, str], *, default: str) -> str:
    text = to_text(value)
    if not text:
        return default
    if text in mapping:
        return mapping[text]
    with translation.override("zh-hans"):
        allowed = "、".join(dict.fromkeys(k for k in mapping if re.search(r"[\u4e00-\u9fff]", k) and "（" not in k))
    raise CellError(_("“%(v)s”无效，可选值：%(allowed)s") % {"v": text[:40], "allowed": allowed})
