"""Spreadsheets that committees collect: the 一表, the ledger's statistics and records, batch
results — and reading the member system's exports for ``zhibu member import``.

The only module that imports openpyxl (imported inside the functions, so the
CLI starts fast). Output is deterministic: workbook properties (author, dates)
come from the data, and the zip entries carry a fixed timestamp, so the same
records give the same bytes on any machine on any day.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
import zipfile
from pathlib import Path

from ..model.branch import Branch, Plan
from ..model.vocabulary import PLAN_KINDS

PLAN_SHEET = "年度计划"
STATS_SHEET = "统计"
RECORDS_SHEET = "记录"

PLAN_HEADERS = ("月份", "类别", "编号", "内容", "形式", "计划日期", "责任人")
RECORD_HEADERS = ("日期", "类型", "党小组", "地点", "主持人", "记录人", "应到", "实到", "缺席", "议题", "文件")
MONTH_HEADERS = tuple(f"{m}月" for m in range(1, 13))
STATS_HEADERS = ("类型", *MONTH_HEADERS, "全年", "标准")

# Display widths (Excel column units ≈ one Latin character; a Chinese character takes two).
PLAN_WIDTHS = (6, 6, 16, 60, 10, 12, 10)
RECORD_WIDTHS = (12, 18, 12, 24, 10, 10, 6, 6, 30, 60, 44)
STATS_WIDTHS = (14, *([6] * 12), 7, 44)

DATE_FORMAT = "yyyy-mm-dd"


def write_plan_xlsx(plan: Plan, branch: Branch, path: Path) -> Path:
    """The plan as one sheet: a row per item, months in order, 学习 before 活动."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = PLAN_SHEET
    rows = _Rows(ws, PLAN_HEADERS, PLAN_WIDTHS, dates=(6,), wrap=(4,))
    items = sorted(plan.items, key=lambda i: (i.month, PLAN_KINDS.index(i.kind) if i.kind in PLAN_KINDS else 9))
    for item in items:
        rows.append([f"{item.month}月", item.kind, item.id, item.topic, item.type, item.date, item.owner])
    name = branch.config.display_name
    dates = [i.date for i in plan.items if i.date]
    when = max(dates) if dates else dt.date(plan.year, 1, 1)
    _properties(wb, branch, f"{name}{plan.year}年度计划（一表）", "年度计划", when)
    return _save(wb, path, when)


def write_ledger_xlsx(branch: Branch, rules, year: int, path: Path) -> Path:
    """The ledger for committees: a statistics sheet (zhibu.report.stats.year_table: a row per
    record type, months 1-12, the year, the standard) and a sheet with a row per record.

    ``rules`` are the merged standard's rules (``build_standard(branch).rules``).
    """
    from openpyxl import Workbook

    from ..report.stats import year_table

    wb = Workbook()
    stats = wb.active
    stats.title = STATS_SHEET
    stat_rows = _Rows(stats, STATS_HEADERS, STATS_WIDTHS, wrap=(len(STATS_HEADERS),), centre=tuple(range(2, 15)))
    for row in year_table(branch, rules, year):
        stat_rows.append([row.label, *row.months, row.total, row.requirement or None])

    sheet = wb.create_sheet(RECORDS_SHEET)
    record_rows = _Rows(sheet, RECORD_HEADERS, RECORD_WIDTHS, dates=(1,), wrap=(9, 10), centre=(7, 8))
    records = [r for r in branch.records if r.date.year == year]
    for r in records:
        expected = branch.expected_at(r)
        absent = "；".join(f"{a.name}（{a.reason}）" if a.reason else a.name for a in r.absent)
        record_rows.append(
            [
                r.date,
                r.type_label,
                r.group,
                r.place,
                r.host,
                r.recorder,
                len(expected) if expected else None,
                # 实到 counts the expected who came, as the minutes do (not the person admitted that day).
                sum(1 for n in set(r.attendees) if n in expected) if expected else len(r.attendees),
                absent or None,
                "\n".join(r.topics),
                r.source.path,
            ]
        )
    when = records[-1].date if records else dt.date(year, 1, 1)
    _properties(wb, branch, f"{branch.config.display_name}{year}年会议记录统计", "会议记录（一册）", when)
    return _save(wb, path, when)


BATCH_SUMMARY_HEADERS = ("支部目录", "支部名称", "状态", "错误", "警告", "提示", "已豁免", "得分", "星级", "风险提示", "原因")
BATCH_SUMMARY_WIDTHS = (36, 44, 10, 6, 6, 6, 7, 7, 6, 36, 40)
BATCH_FINDING_HEADERS = ("支部目录", "支部名称", "规则码", "级别", "层级", "规则包", "期间", "文件", "行", "对象", "问题", "提示")
BATCH_FINDING_WIDTHS = (36, 44, 28, 7, 6, 16, 9, 40, 5, 12, 70, 50)


def write_batch_xlsx(entries: list[dict], summary: dict, registry: dict | None, as_of: dt.date, path: Path) -> Path:
    """A committee's workbook from batch entries: a row per branch (with the rating when
    rated), a row per finding, the risk indicators, and the registry comparison when given."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    summary_rows = _Rows(ws, BATCH_SUMMARY_HEADERS, BATCH_SUMMARY_WIDTHS, wrap=(10, 11), centre=(3, 4, 5, 6, 7, 8, 9))
    ranked = sorted(entries, key=lambda e: (-(e.get("rating") or {}).get("score", -1), e["root"]))
    for e in ranked:
        rating = e.get("rating") or {}
        summary_rows.append(
            [
                e["root"],
                e.get("name"),
                e["status"],
                e["summary"]["error"],
                e["summary"]["warning"],
                e["summary"]["info"],
                e["summary"]["waived"],
                rating.get("score"),
                rating.get("stars"),
                "、".join(i["key"] for i in e.get("indicators", [])) or None,
                e.get("reason"),
            ]
        )
    findings = _Rows(wb.create_sheet("问题"), BATCH_FINDING_HEADERS, BATCH_FINDING_WIDTHS, wrap=(11, 12), centre=(4, 5, 9))
    for e in entries:
        for f in e.get("findings", []):
            findings.append(
                [
                    e["root"],
                    e.get("name"),
                    f["code"],
                    f["severity"],
                    f["layer"],
                    f["pack"],
                    f["period"],
                    f["path"],
                    f["line"],
                    f["subject"],
                    f["message"],
                    f["hint"],
                ]
            )
    if any(e.get("rating") for e in entries):
        risks = _Rows(wb.create_sheet("风险提示"), ("支部目录", "支部名称", "风险提示", "说明"), (36, 44, 24, 80), wrap=(4,))
        for e in ranked:
            for indicator in e.get("indicators", []):
                risks.append([e["root"], e.get("name"), indicator["key"], indicator["detail"]])
    if registry is not None:
        reg = _Rows(wb.create_sheet("登记情况"), ("情况", "支部", "说明"), (20, 44, 60), styled=False)
        for item in registry["missing"]:
            reg.append(["已登记但未找到", item["name"], item["path"]])
        for item in registry["unregistered"]:
            reg.append(["找到但未登记", item["root"], ""])
        for item in registry["wrong_pack"]:
            reg.append(["未使用规定规则包", item["name"], f"应使用 {item['required']}，实际：{'、'.join(item['uses'])}"])
    stamp = dt.datetime(as_of.year, as_of.month, as_of.day)
    props = wb.properties
    props.creator = props.lastModifiedBy = "zhibu"
    props.title = f"党支部批量检查结果（截至 {as_of}）"
    props.subject = "批量检查"
    props.description = f"{summary['branches']} 个支部：{summary['with_errors']} 个有错误，{summary['unreadable']} 个无法读取。"
    props.created = props.modified = stamp
    return _save(wb, path, as_of)


def read_sheets(path: Path):
    """(title, rows of cell values) for each sheet of an .xlsx, the active sheet first."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from ..errors import ZhibuError

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        raise ZhibuError(
            f"{path.name} 不是可读取的 .xlsx 文件（{type(exc).__name__}）。", "在 Excel 或 WPS 中打开并另存为 .xlsx 后重试。"
        ) from None
    try:
        sheets = list(dict.fromkeys(s for s in (book.active, *book.worksheets) if s is not None))
        return [(sheet.title, [list(row) for row in sheet.iter_rows(values_only=True)]) for sheet in sheets]
    finally:
        book.close()


# --- the roster import template (zhibu member template) -----------------------------------

TEMPLATE_SHEET = "党员名册"
TEMPLATE_HELP_SHEET = "填写说明"
TEMPLATE_CHOICES_SHEET = "选项"
TEMPLATE_ROWS = 500
"""Rows below the header that carry the drop-down lists and date formats."""

TEMPLATE_STAMP = dt.date(2026, 1, 1)
"""The template's fixed date (properties, zip entries): the same template is the same bytes."""


def write_import_template_xlsx(columns, notes, path: Path) -> Path:
    """The blank roster import template: a sheet with the columns (``roster_import.TemplateColumn``)
    and an example row, drop-down lists for the columns with choices (kept on a hidden sheet, so
    any group name works), a date format on date columns, and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    _header(ws, [c.header for c in columns], [c.width for c in columns])
    ws.append([None] * len(columns))
    choices = wb.create_sheet(TEMPLATE_CHOICES_SHEET)
    choices.sheet_state = "hidden"
    lists = 0
    last = TEMPLATE_ROWS + 1
    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        cell = ws.cell(row=2, column=index)
        _set_value(cell, column.example)
        if isinstance(column.example, dt.date):
            cell.number_format = DATE_FORMAT
            for row in range(3, last + 1):
                ws.cell(row=row, column=index).number_format = DATE_FORMAT
        if column.choices:
            lists += 1
            at = lists
            _set_value(choices.cell(row=1, column=at), column.header)
            for offset, choice in enumerate(column.choices, 2):
                _set_value(choices.cell(row=offset, column=at), choice)
            where = get_column_letter(at)
            rule = DataValidation(
                type="list",
                formula1=f"'{TEMPLATE_CHOICES_SHEET}'!${where}$2:${where}${len(column.choices) + 1}",
                allow_blank=True,
                showDropDown=False,
                showErrorMessage=True,
                showInputMessage=True,
                errorTitle="取值无效",
                error=f"请从下拉列表中选择{column.header}。"[:225],
                promptTitle=column.header[:32],
                prompt=column.explain[:255],
            )
        else:
            rule = DataValidation(
                allow_blank=True, showInputMessage=True, promptTitle=column.header[:32], prompt=column.explain[:255]
            )
        rule.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(rule)
    for cell in ws[2]:
        cell.font = Font(name="宋体", color="808080")  # the example row, in grey

    guide = wb.create_sheet(TEMPLATE_HELP_SHEET)
    rows = _Rows(guide, ("列名", "是否必填", "填写说明", "可选的值"), (16, 14, 70, 30), wrap=(3, 4))
    for column in columns:
        rows.append((column.header, column.required, column.explain, "、".join(column.choices) or None))
    guide.append([])
    for number, note in enumerate(notes, 1):
        guide.append([None])
        cell = guide.cell(row=guide.max_row, column=1)
        _set_value(cell, f"{number}. {note}")
        cell.alignment = Alignment(vertical="top")
    guide.freeze_panes = None
    guide.auto_filter.ref = None

    stamp = dt.datetime(TEMPLATE_STAMP.year, TEMPLATE_STAMP.month, TEMPLATE_STAMP.day)
    props = wb.properties
    props.creator = props.lastModifiedBy = "zhibu"
    props.title = "党员名册导入模板"
    props.subject = "zhibu member import"
    props.created = props.modified = stamp
    return _save(wb, path, TEMPLATE_STAMP)


def write_import_template_csv(columns, path: Path) -> Path:
    """The template as CSV: the header and the example row, UTF-8 with a BOM (so Excel reads the
    Chinese) and CRLF line ends, as Excel writes CSV."""
    import csv

    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in columns])
    writer.writerow([_csv_text(c.example) for c in columns])
    return _write_atomic(Path(path), b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))


def _csv_text(value) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else str(value)
    # Excel runs a CSV cell starting with = + - @ as a formula; a leading apostrophe keeps it text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


# --- helpers -------------------------------------------------------------------------


def _header(ws, headers, widths) -> None:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws.append(list(headers))
    thin = Side(style="thin", color="808080")
    for col, width in enumerate(widths, 1):
        cell = ws.cell(row=1, column=col)
        cell.font = Font(name="黑体", bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.border = Border(bottom=thin)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"


class _Rows:
    """A sheet's header, then rows appended one by one in constant time each.

    (openpyxl's ``ws.max_row`` and ``ws[row]`` scan every cell of the sheet, so styling the
    row just appended through them made a workbook quadratic in its rows.) Each text cell is
    cleaned (:func:`zhibu.model.redact.clean`) and stored as text: openpyxl would store a
    string starting with "=" as a live formula and one like "#N/A" as an error value. Such a
    cell also gets Excel's quote prefix, so editing it later does not turn it into a formula.
    """

    def __init__(self, ws, headers, widths, *, dates=(), wrap=(), centre=(), styled: bool = True):
        from openpyxl.styles import Alignment, Font

        _header(ws, headers, widths)
        self.ws = ws
        self.row = 1
        self.dates = set(dates)
        self.font = Font(name="宋体") if styled else None
        self.alignments = {
            col: Alignment(vertical="top", wrap_text=col in wrap, horizontal="center" if col in centre else None)
            for col in range(1, len(headers) + 1)
        }
        self.styles: dict[tuple[int, bool], object] = {}

    def append(self, values) -> None:
        from copy import copy

        self.row += 1
        for col, value in enumerate(values, 1):
            cell = self.ws.cell(row=self.row, column=col)
            if self.font is not None:
                # Setting font and alignment hashes them against the workbook's lists each time
                # (three quarters of the writing time); a column's cells share one style array,
                # so the first cell's is copied (the same indices, the same bytes).
                key = (col, col in self.dates and value is not None)
                if key in self.styles:
                    cell._style = copy(self.styles[key])
                else:
                    cell.font = self.font
                    cell.alignment = self.alignments[col]
                    if key[1]:
                        cell.number_format = DATE_FORMAT
                    self.styles[key] = copy(cell._style)
            _set_value(cell, value)


def _set_value(cell, value) -> None:
    from ..model.redact import FORMULA_STARTS, clean

    if not isinstance(value, str):
        cell.value = value
        return
    text = clean(value)
    cell.value = text
    cell.data_type = "s"  # text, never a formula or an error value, whatever it starts with
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _properties(wb, branch: Branch, title: str, subject: str, when: dt.date) -> None:
    stamp = dt.datetime(when.year, when.month, when.day)
    from ..model.redact import clean

    props = wb.properties
    props.creator = clean(branch.config.name)
    props.lastModifiedBy = clean(branch.config.name)
    props.title = clean(title)
    props.subject = subject
    props.description = clean(f"由 zhibu 根据支部记录生成；上级党组织：{branch.config.parent}")
    props.created = stamp
    props.modified = stamp


# Printing (GB/T 9704's A4, and committees print what they collect): every sheet fits the page
# width, landscape when its columns are wider than a portrait page holds, the header row repeats
# on every page, the workbook's title (branch and year) heads each page and the footer numbers
# them. Column widths are in characters; a portrait A4 page with 15 mm margins holds about 95.
_PORTRAIT_COLUMNS = 95


def _print_setup(wb) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    from ..model.redact import clean

    title = wb.properties.title or ""
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        width = sum((ws.column_dimensions[get_column_letter(c)].width or 8.43) for c in range(1, ws.max_column + 1))
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if width > _PORTRAIT_COLUMNS else "portrait"
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages down as the rows need
        ws.print_title_rows = "1:1"
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.6
        ws.page_margins.top = ws.page_margins.bottom = 0.8
        # & starts a code in Excel's header syntax: a title's own & is doubled.
        ws.oddHeader.center.text = f"{clean(title)} {ws.title}".strip().replace("&", "&&")
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def _save(wb, path: Path, when: dt.date) -> Path:
    """Set every sheet up for printing, then write the workbook atomically with fixed zip
    timestamps (openpyxl's save() stamps now)."""
    from openpyxl.writer.excel import ExcelWriter

    _print_setup(wb)

    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()  # writes every part and closes the archive
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return _write_atomic(Path(path), out.getvalue())


def _write_atomic(path: Path, data: bytes) -> Path:
    from ..errors import ZhibuError

    folder = path.parent if str(path.parent) else Path(".")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.chmod(temp, 0o644)  # mkstemp makes it private; a spreadsheet is meant to be shared
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    except PermissionError:
        raise ZhibuError(
            f"无法写入 {path}：没有写权限。", "换一个有写权限的位置，或关闭正在打开这个文件的 Excel/WPS 后重试。"
        ) from None
    except OSError as exc:
        raise ZhibuError(f"无法写入 {path}：{exc.strerror or exc}。", "检查路径是否正确、磁盘是否已满。") from None
    return path
