"""Importing the roster from a member-system export (``zhibu member import``).

Committees keep their members in the national member system and export them
as spreadsheets (.xlsx) or CSV, often in GBK. This module reads such a table,
maps its columns onto the roster's fields (a built-in mapping of the usual
headers, which a YAML file can override and extend with value mappings), and
turns it into one validated, committed edit of members.yaml: new members
added, changed fields of existing members (matched by name) updated, nobody
deleted, comments kept. A field the table does not carry is never touched:
``--joined`` and ``--group`` only fill in members the import adds.

Exports come as people make them: a merged title row, a 序号 column, headers
with hints (``入党时间(2019/10/24)``), two-row headers (入党情况 over 入党日期 and
转正日期), a 合计 row at the end. Every problem of the file is listed at once.

Personal data the format does not keep (身份证号, phone numbers, addresses …)
is never read: such columns are recognised by their header, reported by
name, and their cells are not even converted to text. A mapped value that
looks like an ID or mobile number is refused, and no message ever quotes it.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ZhibuError
from ..format.load import _ID_NUMBER, _MOBILE, Loaded
from ..model.dates import NotADate, read_date
from ..model.vocabulary import GENDERS, STATUSES
from .change import Change, Outcome, apply

FIELDS = ("name", "gender", "status", "admitted", "full_since", "joined", "group")
IGNORE = "ignore"
SKIP = "skip"
LABELS = {
    "name": "姓名",
    "gender": "性别",
    "status": "党员身份",
    "admitted": "入党时间",
    "full_since": "转正时间",
    "joined": "转入本支部时间",
    "group": "党小组",
}
DATE_FIELDS = ("admitted", "full_since", "joined")

# Headers of the usual exports (全国党员管理信息系统 and the tables committees make from it), after
# normalise_header. When an export has two columns for one field, the one listed first here is read.
DEFAULT_MAPPING: dict[str, str] = {
    "姓名": "name",
    "党员姓名": "name",
    "性别": "gender",
    "人员类别": "status",
    "党员状态": "status",
    "党员身份": "status",
    "党员类别": "status",
    "人员身份": "status",
    "预/正": "status",
    "正/预": "status",
    "预备/正式": "status",
    "正式/预备": "status",
    "党籍状态": "status",
    "政治面貌": "status",
    "入党时间": "admitted",
    "入党日期": "admitted",
    "加入党组织日期": "admitted",
    "加入党组织时间": "admitted",
    "加入中国共产党日期": "admitted",
    "接收为预备党员日期": "admitted",
    "接收预备党员时间": "admitted",
    "转正时间": "full_since",
    "转正日期": "full_since",
    "转为正式党员日期": "full_since",
    "转为正式党员时间": "full_since",
    "成为正式党员日期": "full_since",
    "转入本支部时间": "joined",
    "转入本支部日期": "joined",
    "进入本支部日期": "joined",
    "进入本支部时间": "joined",
    "进入支部日期": "joined",
    "进入支部时间": "joined",
    "进入当前支部日期": "joined",
    "转入当前党组织日期": "joined",
    "转入时间": "joined",
    "转入日期": "joined",
    "入册时间": "joined",
    "入册日期": "joined",
    "所在党小组": "group",
    "党小组": "group",
    "党小组名称": "group",
}
_PRIORITY = {header: rank for rank, header in enumerate(DEFAULT_MAPPING)}

# A header containing any of these holds personal data the roster deliberately does not keep.
PERSONAL_WORDS = (
    "身份证",
    "证件号",
    "公民身份号码",
    "身份号码",
    "手机",
    "电话",
    "联系方式",
    "住址",
    "地址",
    "户籍",
    "邮箱",
    "电子邮件",
    "微信",
    "QQ",
    "银行",
    "出生",
    "籍贯",
    "民族",
    "照片",
    "婚姻",
    "健康",
)

STATUS_WORDS = {
    "正式党员": "正式党员",
    "正式": "正式党员",
    "正": "正式党员",
    "中共党员": "正式党员",
    "中国共产党党员": "正式党员",
    "预备党员": "预备党员",
    "预备": "预备党员",
    "预": "预备党员",
    "中共预备党员": "预备党员",
    "中国共产党预备党员": "预备党员",
}
GENDER_WORDS = {"男": "男", "女": "女", "男性": "男", "女性": "女"}

# Fields whose cells must be one of a few words: (word -> format value, what the message expects).
_CHOICES = {
    "status": (STATUS_WORDS, "党员身份（正式党员 或 预备党员）"),
    "gender": (GENDER_WORDS, " 或 ".join(GENDERS)),
}

MAX_HEADER_ROW = 20
"""Exports often start with a title row or two; the header is looked for this far down."""

# Hints people put in headers: 入党时间(2019/10/24), 姓名（必填）, 性别[男/女], 【必填】.
_HEADER_HINT = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】|〔[^〔〕]*〕|<[^<>]*>")


def normalise_header(text) -> str:
    """A header as the mapping knows it: full-width forms folded (NFKC), hints in brackets,
    spaces, line breaks, ``*`` and a trailing colon removed."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = _HEADER_HINT.sub("", text)
    return re.sub(r"[\s*]+", "", text).rstrip(":")


def is_personal(header: str) -> bool:
    return any(word in header for word in PERSONAL_WORDS)


_CJK = "\u3400-\u9fff\uf900-\ufaff"


def normalise_name(text: str) -> str:
    """Spaces that pad a two-character name (王　芳) go; a space between Latin words stays."""
    text = str(text).replace("\u3000", " ").strip()
    text = re.sub(f"(?<=[{_CJK}·])\\s+(?=[{_CJK}·])", "", text)
    return re.sub(r"\s+", " ", text)


# --- reading the table --------------------------------------------------------------------


@dataclass
class Table:
    """A spreadsheet as rows of cells; ``numbers`` are the row numbers people see (Excel's, or the CSV line)."""

    rows: list[list]
    numbers: list[int]
    described: str  # e.g. "GBK/GB18030 编码的 CSV"


def read_table(path: Path, columns: dict[str, str] | None = None) -> Table:
    """The table in ``path``; of a workbook, the sheet whose header ``columns`` (normalised
    header -> field) recognise best."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ZhibuError(f"找不到文件 {path}。")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, columns or DEFAULT_MAPPING)
    if suffix == ".xls":
        raise ZhibuError(
            f"{path.name} 是旧版 Excel（.xls）文件，zhibu 读取 .xlsx 和 .csv。", "在 Excel 或 WPS 中“另存为” .xlsx 后重试。"
        )
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    raise ZhibuError(f"无法识别 {path.name} 的格式。", "请提供 .xlsx 或 .csv 文件（在 Excel 或 WPS 中“另存为”）。")


def decode_text(raw: bytes, name: str) -> tuple[str, str]:
    """(text, what encoding it was) for a CSV from Excel, WPS or the member system."""
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "UTF-8（带 BOM）"
        except UnicodeDecodeError:
            pass
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    else:
        try:
            return raw.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            try:
                return raw.decode("gb18030"), "GBK/GB18030"
            except UnicodeDecodeError:
                pass
    raise ZhibuError(
        f"{name} 的编码无法识别（不是 UTF-8，也不是 GBK/GB18030）。",
        "在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后重试。",
    )


def _read_csv(path: Path) -> Table:
    text, encoding = decode_text(path.read_bytes(), path.name)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        delimiter = dialect.delimiter
    except csv.Error:  # one column, or too little text to tell
        first_line = sample.splitlines()[0] if sample.strip() else ""
        delimiter = "\t" if "\t" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows, numbers = [], []
    try:
        for row in reader:
            rows.append(row)
            numbers.append(reader.line_num)
    except csv.Error as exc:
        raise ZhibuError(
            f"{path.name} 第 {reader.line_num} 行不是有效的 CSV：{exc}", "在 Excel 或 WPS 中重新另存为 CSV 后重试。"
        ) from None
    return Table(rows, numbers, f"{encoding} 编码的 CSV")


def _read_xlsx(path: Path, columns: dict[str, str]) -> Table:
    from ..render.xlsx import read_sheets

    # The first sheet whose header names a member and something about them; an explanation
    # sheet (a row "姓名 | 必填 | …", as in zhibu's own template) names only the member.
    with_name = None
    tables = []
    for title, rows in read_sheets(path):
        table = Table(rows, list(range(1, len(rows) + 1)), f".xlsx（工作表“{title}”）")
        tables.append(table)
        at = _header_index(table, columns)
        if at is None:
            continue
        headers, _start = header_rows(table, at, columns)
        if len({columns.get(h) for h in headers} - {None, IGNORE}) >= 2:
            return table
        with_name = with_name or table
    return with_name or (tables[0] if tables else Table([], [], ".xlsx"))


# --- the mapping -------------------------------------------------------------------------------


@dataclass
class Mapping:
    """What a ``--mapping`` file says: headers onto fields, and cell words onto values.

    ``values`` maps a field to {word in the table: value in the roster, IGNORE (as if the cell
    were empty) or SKIP (the row is not imported)}.
    """

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, object]] = field(default_factory=dict)


_FIELD_NAMES = {**{f: f for f in FIELDS}, **{label: f for f, label in LABELS.items()}}
_MAPPING_EXAMPLE = (
    "例如：\n  columns:\n    党员类别: status\n    入党日期: admitted\n  values:\n    status:\n      在册党员: 正式党员"
)


def read_mapping(path: Path) -> Mapping:
    """A mapping file: ``列名: 字段`` per line (字段 one of name gender status admitted full_since
    joined group, or ignore); or ``columns:`` with those lines and ``values:`` with, per field,
    ``表中的写法: 名册中的值`` (or ignore, or skip)."""
    from ..store.yamlio import YamlProblem, parse

    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise ZhibuError(f"无法读取对照表 {path}：{exc.strerror}。") from None
    except UnicodeDecodeError:
        raise ZhibuError(f"对照表 {path.name} 不是 UTF-8 编码。", "用编辑器另存为 UTF-8 后重试。") from None
    try:
        doc = parse(text)
    except YamlProblem as problem:
        raise ZhibuError(f"对照表 {path.name} 第 {problem.line} 行：{problem.message}") from None
    data = doc.data
    structured = isinstance(data, dict) and bool(data) and set(data) <= {"columns", "values"}
    columns = (data.get("columns") or {}) if structured else data
    values = (data.get("values") or {}) if structured else {}
    if not isinstance(columns, dict) or not isinstance(values, dict) or not (columns or values):
        raise ZhibuError(f"对照表 {path.name} 应为“列名: 字段”的映射。", _MAPPING_EXAMPLE)

    def where(*keys) -> str:
        line = doc.lines.get(keys)
        return f"对照表 {path.name}" + (f" 第 {line} 行" if line else "")

    out = Mapping()
    prefix = ("columns",) if structured else ()
    for key, value in columns.items():
        header = normalise_header(key)
        if value is None or value is False:
            value = IGNORE
        target = _FIELD_NAMES.get(str(value).strip(), IGNORE if value == IGNORE else None)
        if target is None:
            raise ZhibuError(
                f"{where(*prefix, key)}：字段“{value}”无效。", f"可用的字段：{' '.join(FIELDS)}，或 {IGNORE}（不导入该列）。"
            )
        if target != IGNORE and is_personal(header):
            raise ZhibuError(f"{where(*prefix, key)}：列“{key}”是个人信息，名册不保存，不能导入。", "删去这一行，或写 ignore。")
        out.columns[header] = target
    for key, words in values.items():
        target = _FIELD_NAMES.get(str(key).strip())
        if target is None or target == "name":
            raise ZhibuError(
                f"{where('values', key)}：values 下的“{key}”不是可对照取值的字段。",
                f"可用的字段：{' '.join(FIELDS[1:])}。",
            )
        if not isinstance(words, dict):
            raise ZhibuError(f"{where('values', key)}：{key} 下应为“表中的写法: 名册中的值”。", _MAPPING_EXAMPLE)
        table = out.values.setdefault(target, {})
        for word, value in words.items():
            table[_cell_word(word)] = _mapped_value(target, value, where("values", key, word))
    return out


def _mapped_value(target: str, value, where: str):
    """A value of the ``values`` section, checked as the roster will check it."""
    if value is None or value is False or value == IGNORE:
        return IGNORE
    if value == SKIP:
        return SKIP
    if target in DATE_FIELDS:
        day = parse_date(value)
        if day is None:
            raise ZhibuError(f"{where}：“{value}”不是日期。", f"写成 2019-07-01，或 {IGNORE}（当作空白）、{SKIP}（跳过这一行）。")
        return day
    text = str(value).strip()
    allowed = {"status": STATUSES, "gender": GENDERS}.get(target)
    if allowed and text not in allowed:
        raise ZhibuError(f"{where}：“{value}”不是{LABELS[target]}的取值。", f"可用：{' '.join(allowed)}，或 {IGNORE}、{SKIP}。")
    return text


def _cell_word(value) -> str:
    """A cell's text as value mappings compare it: full-width forms folded, spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _header_index(table: Table, columns: dict[str, str]) -> int | None:
    for index, row in enumerate(table.rows[:MAX_HEADER_ROW]):
        headers = [normalise_header(cell) for cell in row]
        if any(columns.get(h) == "name" for h in headers):
            return index
    return None


def header_rows(table: Table, at: int, columns: dict[str, str]) -> tuple[list[str], int]:
    """The header of each column and the index of the first data row, for a header found at ``at``.

    Two-row headers are read as one: a group heading merged across (入党情况) over the columns
    it spans (入党日期, 转正日期), and headings merged down (姓名) that leave the other row empty
    in their column. A merged cell's value is in its first cell only, so for each column the
    lower row's text wins and the upper row's fills in where the lower is empty.
    """

    def texts(index: int) -> list[str]:
        return [normalise_header(cell) for cell in table.rows[index]]

    def known(header: str) -> bool:
        return bool(header) and (header in columns or is_personal(header))

    row = texts(at)
    width = max(len(r) for r in table.rows[max(at - 1, 0) : at + 2])
    row += [""] * (width - len(row))
    upper = lower = None
    if at > 0:  # the name is in the second header row; the row above heads some columns
        above = texts(at - 1)
        if any(known(h) and not row[i] for i, h in enumerate(above)):
            upper, lower, start = above, row, at + 1
    if upper is None and at + 1 < len(table.rows):
        below = texts(at + 1)
        names = [i for i, h in enumerate(row) if columns.get(h) == "name"]
        if all(i >= len(below) or not below[i] or columns.get(below[i]) == "name" for i in names) and any(
            known(h) for h in below
        ):
            upper, lower, start = row, below, at + 2
    if upper is None:
        return row, at + 1
    upper += [""] * (width - len(upper))
    lower += [""] * (width - len(lower))
    # A group heading spans several columns but is written in the first only: carry it right
    # over the columns whose upper cell is empty and whose lower cell has a heading.
    spanned, heading = [], ""
    for up, low in zip(upper, lower):
        heading = up or (heading if low else "")
        spanned.append(heading if not up and low else up)
    return [_joined_header(up, low, known) for up, low in zip(spanned, lower)], start


def _joined_header(upper: str, lower: str, known) -> str:
    """One header from a two-row one: the lower row's (入党日期), or the two read together when
    only that is a header zhibu knows (入党情况 over 日期 → 入党日期), else the upper row's."""
    if not lower:
        return upper
    if known(lower) or not upper:
        return lower
    for joined in (upper + lower, upper.removesuffix("情况") + lower, upper.removesuffix("信息") + lower):
        if known(joined):
            return joined
    return lower


@dataclass
class Columns:
    fields: dict[int, str]  # column index -> field
    personal: list[str]  # headers of ignored personal-data columns
    other: list[str]  # headers of other ignored columns
    headers: list[str]
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (header not read, header read instead)


def map_columns(headers: list[str], mapping: dict[str, str], name: str, chosen: dict[str, str] | None = None) -> Columns:
    """Which column holds which field. ``chosen`` are the mapping file's own columns: two of
    them for one field is an error; of two built-in headers for one field the one listed first
    in DEFAULT_MAPPING is read, and a chosen header wins over a built-in one."""
    chosen = chosen or {}
    headers = [normalise_header(h) for h in headers]
    fields: dict[int, str] = {}
    personal, other = [], []
    seen: dict[str, int] = {}  # field -> column
    duplicates: list[tuple[int, int]] = []

    def rank(header: str) -> int:
        return -1 if header in chosen else _PRIORITY.get(header, len(_PRIORITY))

    for index, header in enumerate(headers):
        if not header:
            continue
        target = chosen.get(header) or mapping.get(header)
        if is_personal(header):
            personal.append(header)
        elif target and target != IGNORE:
            if target in seen:
                first = seen[target]
                if rank(headers[first]) == rank(header):
                    raise ZhibuError(
                        f"{name} 中“{headers[first]}”和“{header}”两列都对应{LABELS[target]}（{target}）。",
                        "用 --mapping 对照表把其中一列写成 ignore。",
                    )
                if rank(header) < rank(headers[first]):
                    del fields[first]
                    duplicates.append((first, index))
                    seen[target] = index
                    fields[index] = target
                else:
                    duplicates.append((index, first))
                continue
            seen[target] = index
            fields[index] = target
        else:
            other.append(header)
    pairs = [(headers[loser], headers[winner]) for loser, winner in sorted(duplicates)]
    return Columns(dict(sorted(fields.items())), personal, other, headers, pairs)


# --- rows into members -----------------------------------------------------------------------


class RowErrors(ZhibuError):
    """Several rows of the table are wrong; the message lists them."""


_EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value) -> dt.date | None:
    """A date in the shapes exports use: 2001-06-18, 2001/6/18, 2001.6.18, 2001年6月18日,
    20010618, an Excel date cell, or an Excel serial number. None when it is none of these."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial (1954–2119) in a cell without a date format
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        value = str(int(value)) if float(value).is_integer() else str(value)
    text = str(value).strip()
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):
        return parse_date(int(float(text)))
    try:
        return read_date(text)
    except NotADate:
        return None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_text(value) -> str:
    """A cell as text for the ID/phone check: numbers too (an ID typed into a number cell)."""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value) if isinstance(value, (str, int, float)) else ""


_TOTAL = re.compile(r"(?:合计|总计|小计|共计)(?::?共?\d+[人名])?:?")
_HEAD_COUNT = re.compile(r"(?:合计|总计|共计|共)?:?\d+[人名]")
_EXAMPLE = re.compile(r"\(?示例")


def _skip_reason(name, cells: list) -> str | None:
    """Why a row that is no member is left out: the 合计 row of an export, a footer such as
    制表人：…, the template's example row. A name never has a colon or starts with 示例."""
    texts = [_cell_word(c) for c in cells if not _blank(c) and isinstance(c, str)]
    if any(_TOTAL.fullmatch(t) for t in texts):
        return "合计行"
    if not _blank(name):
        word = _cell_word(name)
        if _HEAD_COUNT.fullmatch(word):
            return "合计行"
        if _EXAMPLE.match(word):
            return "示例行"
        if ":" in word:
            return "说明行"
    return None


@dataclass
class Imported:
    """What the table says: members by name (format keys -> values), in table order, and every
    problem found reading it (not raised here: plan_import lists them with its own)."""

    members: dict[str, dict] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # name -> row number
    columns: Columns | None = None
    described: str = ""
    source: str = ""
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    unreadable: dict[str, set] = field(default_factory=dict)  # name -> fields whose cell was wrong
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row number, why)


def read_members(path: Path, mapping: Mapping | None = None) -> Imported:
    """Read the table; problems of its rows are collected in ``Imported.problems``."""
    mapping = mapping or Mapping()
    full_mapping = {**DEFAULT_MAPPING, **mapping.columns}
    table = read_table(path, full_mapping)
    header_at = _header_index(table, full_mapping)
    if header_at is None:
        raise ZhibuError(
            f"{path.name} 的前 {MAX_HEADER_ROW} 行中找不到“姓名”列（表头）。",
            "确认这是党员信息导出表；表头不同时，用 --mapping 对照表指定哪一列是姓名，如“党员姓名: name”。",
        )
    headers, start = header_rows(table, header_at, full_mapping)
    columns = map_columns(headers, DEFAULT_MAPPING, path.name, mapping.columns)
    out = Imported(columns=columns, described=table.described, source=path.name)
    readable = [i for i, h in enumerate(columns.headers) if h and not is_personal(h)]
    header_of = {f: columns.headers[i] for i, f in columns.fields.items()}
    for row, number in zip(table.rows[start:], table.numbers[start:]):
        cells = {f: row[i] if i < len(row) else None for i, f in columns.fields.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        where = f"第 {number} 行"
        problems: list[str] = []
        bad: set[str] = set()  # fields whose cell is there but cannot be used
        for f, value in cells.items():
            text = _as_text(value)
            if _ID_NUMBER.search(text) or _MOBILE.search(text):
                problems.append(f"{where}“{header_of[f]}”列的内容像身份证号或手机号，拒绝导入（未显示该内容）")
                cells[f] = None
                bad.add(f)
        reason = _skip_reason(cells.get("name"), [row[i] for i in readable if i < len(row)])
        if reason:
            out.skipped.append((number, reason))
            continue
        if _blank(cells.get("name")):
            out.problems.extend((number, p) for p in problems)
            if "name" not in bad:
                out.problems.append((number, f"{where}没有姓名"))
            continue
        name = normalise_name(cells["name"])
        if name in out.members:
            out.problems.extend((number, p) for p in [*problems, f"{where}的 {name} 与第 {out.rows[name]} 行重名"])
            continue
        member: dict = {"name": name}
        skipped_by = None
        for f in FIELDS[1:]:
            value = cells.get(f)
            if _blank(value):
                continue
            header = header_of[f]
            mapped = mapping.values.get(f, {}).get(_cell_word(value))
            if mapped == SKIP:
                skipped_by = f"{header}为“{str(value).strip()}”，按对照表跳过"
                break
            if mapped == IGNORE:
                continue
            if mapped is not None:
                member[f] = mapped
            elif f in DATE_FIELDS:
                day = parse_date(value)
                if day is None:
                    problems.append(f"{where} {name} 的{header}“{value}”不是完整日期")
                    bad.add(f)
                    continue
                member[f] = day
            elif f in _CHOICES:
                words, expected = _CHOICES[f]
                chosen = words.get(_cell_word(value))
                if chosen is None:
                    problems.append(f"{where} {name} 的{header}“{str(value).strip()}”不是{expected}")
                    bad.add(f)
                    continue
                member[f] = chosen
            else:
                member[f] = str(value).strip()
        if skipped_by:
            out.skipped.append((number, skipped_by))
            out.problems.extend((number, p) for p in problems if "身份证号或手机号" in p)
            continue
        out.problems.extend((number, p) for p in problems)
        if bad:
            out.unreadable[name] = bad
        out.members[name] = member
        out.rows[name] = number
    return out


# --- comparing with the roster --------------------------------------------------------------


@dataclass(frozen=True)
class Defaults:
    """Values for members the import adds, where the table has none (``--joined``, ``--group``).
    Never applied to a member already in the roster."""

    joined: dt.date | None = None
    group: str | None = None


_OPTION_OF = {"joined": "--joined", "group": "--group"}


@dataclass
class Plan:
    added: list[dict] = field(default_factory=list)  # format keys of new members
    changed: list[tuple[str, list[tuple[str, object, object]]]] = field(default_factory=list)  # (name, [(field, old, new)])
    missing: list[str] = field(default_factory=list)  # in the roster (counted now), not in the table
    unchanged: int = 0
    defaulted: dict[str, set] = field(default_factory=dict)  # name of a new member -> fields from Defaults

    @property
    def empty(self) -> bool:
        return not self.added and not self.changed


def plan_import(loaded: Loaded, imported: Imported, today: dt.date, defaults: Defaults = Defaults()) -> Plan:
    """What importing would add and change. Raises RowErrors listing every problem of the
    table at once: those found reading it and those found comparing it with the roster."""
    branch = loaded.branch
    existing = {m.name: m for m in branch.members}
    groups = branch.config.groups
    known_groups = "、".join(groups) if groups else "（zhibu.yaml 中没有党小组）"
    if defaults.group is not None and defaults.group not in groups:
        raise ZhibuError(
            f"--group 指定的党小组“{defaults.group}”不在 zhibu.yaml 的 groups 中：{known_groups}。",
            "用 zhibu.yaml 中的党小组名称。",
        )
    plan = Plan()
    problems: list[tuple[int, str]] = list(imported.problems)
    wanted: set[str] = set()  # options and columns that would fix a problem
    has_status = "status" in (imported.columns.fields.values() if imported.columns else ())
    for name, row in imported.members.items():
        number = imported.rows[name]
        where = f"第 {number} 行 {name}"
        unreadable = imported.unreadable.get(name, set())
        group = row.get("group")
        if group is not None and group not in groups:
            problems.append((number, f"{where} 的党小组“{group}”不在 zhibu.yaml 的 groups 中：{known_groups}"))
            unreadable = unreadable | {"group"}
        member = existing.get(name)
        status = row.get("status", member.status if member else None)
        if status == "预备党员" and row.get("full_since") is not None:
            problems.append((number, f"{where} 是预备党员，却有转正时间 {row['full_since']}"))
            continue
        if member is None:
            row = dict(row)
            filled = set()
            for f in ("joined", "group"):
                default = getattr(defaults, f)
                if f not in row and f not in unreadable and default is not None and (f != "group" or groups):
                    row[f] = default
                    filled.add(f)
            missing = [f for f in ("status", "admitted", "joined") if f not in row]
            if row.get("status") == "正式党员" and "full_since" not in row:
                missing.append("full_since")
            if groups and "group" not in row:
                missing.append("group")
            missing = [f for f in missing if f not in unreadable]
            if missing:
                said = []
                for f in missing:
                    option = _OPTION_OF.get(f)
                    said.append(f"{LABELS[f]}（表中没有时用 {option} 指定）" if option else LABELS[f])
                    wanted.add(f)
                problems.append((number, f"{where} 是新党员，缺少{'、'.join(said)}"))
                continue
            if unreadable:
                continue
            plan.added.append(row)
            if filled:
                plan.defaulted[name] = filled
            continue
        if member.status == "正式党员" and row.get("status") == "预备党员":
            since = f"（{member.full_since} 转正）" if member.full_since else ""
            problems.append(
                (
                    number,
                    f"{where} 在表中是预备党员，名册中是正式党员{since}：表格可能不是最新的，名册确有错时用 zhibu member edit 改正",
                )
            )
            continue
        if (
            row.get("status") == "正式党员"
            and member.status == "预备党员"
            and "full_since" not in row
            and "full_since" not in unreadable
        ):
            problems.append((number, f"{where} 在表中是正式党员，名册中是预备党员：表中没有转正时间"))
            wanted.add("full_since")
            continue
        diffs = []
        for f in FIELDS[1:]:
            if f not in row:
                continue
            old = getattr(member, f)
            if old != row[f]:
                diffs.append((f, old, row[f]))
        if diffs:
            plan.changed.append((name, diffs))
        else:
            plan.unchanged += 1
    if problems:
        raise RowErrors(_problems_message(imported, problems), _problems_hint(problems, wanted, has_status))
    plan.missing = [m.name for m in branch.members_on(today) if m.name not in imported.members]
    return plan


MAX_SHOWN = 100
"""Problems listed in one message; a file with more is probably the wrong file or sheet."""


def _problems_message(imported: Imported, problems: list[tuple[int, str]]) -> str:
    ordered = [text for _number, text in sorted(problems, key=lambda p: p[0])]  # stable: a row's own order kept
    shown = "\n  ".join(ordered[:MAX_SHOWN]) + (f"\n  ……共 {len(ordered)} 处" if len(ordered) > MAX_SHOWN else "")
    return f"{imported.source or '表格'} 有 {len(ordered)} 处无法导入，没有写入任何内容：\n  {shown}"


def _problems_hint(problems: list[tuple[int, str]], wanted: set[str], has_status: bool) -> str:
    hints = []
    texts = [text for _number, text in problems]
    if any("不是党员身份" in t for t in texts):
        hints.append("入党积极分子、发展对象还不是党员，请从表中删去（发展党员记在 development.yaml）")
    options = [
        f"{_OPTION_OF[f]} {LABELS[f]}" if f == "group" else f"{_OPTION_OF[f]} 日期" for f in ("joined", "group") if f in wanted
    ]
    if options:
        hints.append(
            f"表中没有{'、'.join(LABELS[f] for f in ('joined', 'group') if f in wanted)}时，用 {'、'.join(options)} 给新党员统一指定（已有党员不受影响）"
        )
    if "status" in wanted and not has_status:
        hints.append("表中没有党员身份列（人员类别、政治面貌等）时，用 --mapping 对照表指定，如“党员类别: status”")
    if any("不是" in t and ("完整日期" not in t) for t in texts):
        hints.append("表中的写法不同时，可在 --mapping 对照表的 values 中对照（见 docs/editors.md）")
    hints.append("改正表格后重试")
    return "；".join(hints) + "。"


def apply_import(
    root: Path,
    imported: Imported,
    source_name: str,
    *,
    today: dt.date,
    commit: bool,
    dry_run: bool,
    defaults: Defaults = Defaults(),
) -> tuple[Outcome | None, Plan]:
    """Write the import as one change of members.yaml (round-trip: comments, order and every
    untouched entry kept byte for byte)."""
    from ..store import yamlio
    from .edit import _edit_file, _require_readable, _yaml_value

    result: dict = {}

    def build(loaded: Loaded) -> Change:
        _require_readable(loaded, "members.yaml")
        plan = plan_import(loaded, imported, today, defaults)
        result["plan"] = plan
        if plan.empty:
            raise _NothingToDo()

        def mutate(doc):
            if doc.get("members") is None:
                doc["members"] = yamlio.new_seq()
            for row in plan.added:
                ordered = {
                    k: row[k] for k in ("name", "gender", "status", "admitted", "full_since", "joined", "group") if k in row
                }
                doc["members"].append(yamlio.new_map({k: _yaml_value(k, v) for k, v in ordered.items()}, flow=True))
            entries = {}  # one pass over the roster, so an import stays linear in its size
            for item in doc["members"]:
                if isinstance(item, dict):
                    entries.setdefault(item.get("name"), item)
            for name, diffs in plan.changed:
                entry = entries.get(name)
                if entry is None:
                    raise ZhibuError(f"members.yaml 中找不到 {name} 的条目。")
                for f, _old, new in diffs:
                    if new is None:
                        entry.pop(f, None)
                    elif f in entry or not hasattr(entry, "insert"):
                        entry[f] = _yaml_value(f, new)
                    else:  # a new key goes where format.md puts it (full_since after admitted)
                        entry.insert(_position(list(entry), f), f, _yaml_value(f, new))

        text = _edit_file(loaded, "members.yaml", lambda: yamlio.new_map({"members": yamlio.new_seq()}), mutate)
        message = f"名册 导入 {source_name}：新增 {len(plan.added)} 人，修改 {len(plan.changed)} 人"
        change = Change(message, summary=f"已导入：新增 {len(plan.added)} 人，修改 {len(plan.changed)} 人。")
        change.put("members.yaml", text)
        return change

    try:
        outcome = apply(root, build, commit=commit, dry_run=dry_run)
    except _NothingToDo:
        return None, result["plan"]
    return outcome, result["plan"]


_KEY_ORDER = ("name", "gender", "status", "admitted", "full_since", "joined", "left", "group", "tags", "discipline")


def _position(keys: list, key: str) -> int:
    """Index at which ``key`` goes among ``keys``: after the last key that comes before it."""
    rank = _KEY_ORDER.index(key)
    position = 0
    for index, existing in enumerate(keys):
        if existing in _KEY_ORDER and _KEY_ORDER.index(existing) < rank:
            position = index + 1
    return position


class _NothingToDo(Exception):
    pass


def preview_rows(plan: Plan) -> list[list[str]]:
    """The table shown before writing: 操作, 姓名, 字段, 原值, 新值."""

    def show(value) -> str:
        return "" if value is None else str(value)

    rows = []
    for row in plan.added:
        filled = plan.defaulted.get(row["name"], set())
        summary = "，".join(
            f"{LABELS[f]} {show(row[f])}" + (f"（{_OPTION_OF[f]}）" if f in filled else "") for f in FIELDS[1:] if f in row
        )
        rows.append(["新增", row["name"], "", "", summary])
    for name, diffs in plan.changed:
        for i, (f, old, new) in enumerate(diffs):
            rows.append(
                ["修改" if i == 0 else "", name if i == 0 else "", f"{LABELS[f]}（{f}）", show(old), show(new) or "（删除）"]
            )
    return rows


# --- the import template (``zhibu member template``) -------------------------------------------


@dataclass(frozen=True)
class TemplateColumn:
    """A column of the blank import template: its header (one zhibu reads), whether it must be
    filled, what goes in it, the example row's value and, for closed vocabularies, the choices."""

    field: str
    required: str
    explain: str
    example: object
    choices: tuple[str, ...] = ()
    width: int = 14

    @property
    def header(self) -> str:
        return LABELS[self.field]


TEMPLATE_EXAMPLE_NAME = "（示例）张明"
"""The example row's name: rows whose name starts with （示例） are skipped on import."""

TEMPLATE_DATE_HINT = "日期，如 2019-07-01、2019/7/1 或 2019年7月1日"


def template_columns(groups: tuple[str, ...] = ()) -> list[TemplateColumn]:
    """The template's columns, in members.yaml's order; 党小组 offers the branch's groups."""
    group_explain = (
        "所在党小组，从下拉列表中选择（zhibu.yaml 中的党小组）。"
        if groups
        else "所在党小组，须与 zhibu.yaml 中 groups 的写法一致；支部不设党小组的留空。"
    )
    return [
        TemplateColumn(
            "name",
            "必填",
            "党员姓名，与名册中的写法一致。已在名册中的党员按姓名对应，只更新这一行中填写了的内容。",
            TEMPLATE_EXAMPLE_NAME,
            width=16,
        ),
        TemplateColumn("gender", "选填", "男 或 女。", "男", GENDERS, width=8),
        TemplateColumn(
            "status",
            "新党员必填",
            "正式党员 或 预备党员（入党积极分子、发展对象不是党员，不填入本表）。",
            "正式党员",
            STATUSES,
            width=12,
        ),
        TemplateColumn(
            "admitted", "新党员必填", f"入党时间，即接收为预备党员的日期。{TEMPLATE_DATE_HINT}。", dt.date(2015, 6, 20)
        ),
        TemplateColumn(
            "full_since", "正式党员必填", f"转为正式党员的日期，预备党员不填。{TEMPLATE_DATE_HINT}。", dt.date(2016, 6, 20)
        ),
        TemplateColumn(
            "joined",
            "新党员必填",
            f"组织关系转入本支部的日期；不填时可在导入时用 --joined 统一指定。{TEMPLATE_DATE_HINT}。",
            dt.date(2020, 9, 1),
            width=16,
        ),
        TemplateColumn(
            "group",
            "新党员必填" if groups else "设有党小组时新党员必填",
            group_explain + "不填时可在导入时用 --group 统一指定。",
            groups[0] if groups else "第一党小组",
            tuple(groups),
            width=16,
        ),
    ]


TEMPLATE_NOTES = (
    "每行填写一名党员，从第 3 行起填写；第 2 行是示例，姓名以“（示例）”开头的行导入时跳过，可以删除或改写。",
    "不要填写身份证号、手机号、住址等个人信息：名册不保存，zhibu 也不会读取这些列。",
    "已在名册中的党员只更新填写了的内容，留空的不会被清除；名册中有、表中没有的党员不会被删除。",
    "填好后先试运行：zhibu member import 名册导入模板.xlsx --dry-run，核对将要新增、修改的内容后再正式导入。",
)
