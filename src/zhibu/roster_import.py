"""Importing the roster from a member-system export (``zhibu member import``).

Committees keep their members in the national member system and export them
as spreadsheets (.xlsx) or CSV, often in GBK. This module reads such a table,
maps its columns onto the roster's fields (a built-in mapping of the usual
headers, which a YAML file can override), and turns it into one validated,
committed edit of members.yaml: new members added, changed fields of existing
members (matched by name) updated, nobody deleted, comments kept.

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
from dataclasses import dataclass, field
from pathlib import Path

from .change import Change, Outcome, apply
from .errors import ZhibuError
from .load import _ID_NUMBER, _MOBILE, Loaded
from .model.vocabulary import GENDERS, STATUSES
from .model.dates import NotADate, read_date

FIELDS = ("name", "gender", "status", "admitted", "full_since", "joined", "group")
IGNORE = "ignore"
LABELS = {
    "name": "姓名", "gender": "性别", "status": "党员身份", "admitted": "入党时间", "full_since": "转正时间",
    "joined": "转入本支部时间", "group": "党小组",
}
DATE_FIELDS = ("admitted", "full_since", "joined")

# Headers of the usual exports (全国党员管理信息系统 and the tables committees make from it).
DEFAULT_MAPPING: dict[str, str] = {
    "姓名": "name", "党员姓名": "name",
    "性别": "gender",
    "人员类别": "status", "党员状态": "status", "党员身份": "status", "党员类别": "status", "人员身份": "status",
    "入党时间": "admitted", "入党日期": "admitted", "加入党组织日期": "admitted", "加入中国共产党日期": "admitted",
    "接收为预备党员日期": "admitted", "接收预备党员时间": "admitted",
    "转正时间": "full_since", "转正日期": "full_since", "转为正式党员日期": "full_since",
    "转入时间": "joined", "转入日期": "joined", "入册时间": "joined", "入册日期": "joined",
    "转入本支部时间": "joined", "转入本支部日期": "joined", "进入支部日期": "joined", "进入支部时间": "joined",
    "进入当前支部日期": "joined", "转入当前党组织日期": "joined",
    "所在党小组": "group", "党小组": "group", "党小组名称": "group",
}

# A header containing any of these holds personal data the roster deliberately does not keep.
PERSONAL_WORDS = (
    "身份证", "证件号", "公民身份号码", "身份号码", "手机", "电话", "联系方式", "住址", "地址", "户籍",
    "邮箱", "电子邮件", "微信", "QQ", "银行", "出生", "籍贯", "民族", "照片", "婚姻", "健康",
)

STATUS_WORDS = {"正式党员": "正式党员", "正式": "正式党员", "预备党员": "预备党员", "预备": "预备党员"}
GENDER_WORDS = {"男": "男", "女": "女", "男性": "男", "女性": "女"}

# Fields whose cells must be one of a few words: (word -> format value, what the message expects).
_CHOICES = {
    "status": (STATUS_WORDS, "党员身份（正式党员 或 预备党员）"),
    "gender": (GENDER_WORDS, " 或 ".join(GENDERS)),
}

MAX_HEADER_ROW = 20
"""Exports often start with a title row or two; the header is looked for this far down."""


def normalise_header(text) -> str:
    return re.sub(r"[\s\u3000*＊]+", "", str(text or "")).removesuffix("（必填）").removesuffix("(必填)")


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


def read_table(path: Path) -> Table:
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ZhibuError(f"找不到文件 {path}。")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".xls":
        raise ZhibuError(f"{path.name} 是旧版 Excel（.xls）文件，zhibu 读取 .xlsx 和 .csv。", "在 Excel 或 WPS 中“另存为” .xlsx 后重试。")
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
        raise ZhibuError(f"{path.name} 第 {reader.line_num} 行不是有效的 CSV：{exc}", "在 Excel 或 WPS 中重新另存为 CSV 后重试。") from None
    return Table(rows, numbers, f"{encoding} 编码的 CSV")


def _read_xlsx(path: Path) -> Table:
    from .render.xlsx import read_sheets

    first = None
    for title, rows in read_sheets(path):
        table = Table(rows, list(range(1, len(rows) + 1)), f".xlsx（工作表“{title}”）")
        first = first or table
        if _header_index(table, DEFAULT_MAPPING) is not None:
            return table
    return first or Table([], [], ".xlsx")


# --- the mapping -------------------------------------------------------------------------------


def read_mapping(path: Path) -> dict[str, str]:
    """A mapping file: ``列名: 字段`` per line (字段 one of name gender status admitted full_since
    joined group, or ignore)."""
    from .store.yamlio import YamlProblem, parse

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
    if isinstance(data, dict) and set(data) == {"columns"}:
        data = data["columns"]
    if not isinstance(data, dict) or not data:
        raise ZhibuError(f"对照表 {path.name} 应为“列名: 字段”的映射。", "例如：\n  党员类别: status\n  入党日期: admitted")
    out = {}
    for key, value in data.items():
        line = doc.lines.get((key,)) or doc.lines.get(("columns", key))
        where = f"对照表 {path.name}" + (f" 第 {line} 行" if line else "")
        header = normalise_header(key)
        if value is None or value is False:
            value = IGNORE
        if value not in (*FIELDS, IGNORE):
            raise ZhibuError(f"{where}：字段“{value}”无效。", f"可用的字段：{' '.join(FIELDS)}，或 {IGNORE}（不导入该列）。")
        if value != IGNORE and is_personal(header):
            raise ZhibuError(f"{where}：列“{key}”是个人信息，名册不保存，不能导入。", "删去这一行，或写 ignore。")
        out[header] = value
    return out


def _header_index(table: Table, mapping: dict[str, str]) -> int | None:
    for index, row in enumerate(table.rows[:MAX_HEADER_ROW]):
        headers = [normalise_header(cell) for cell in row]
        if any(mapping.get(h) == "name" for h in headers):
            return index
    return None


@dataclass
class Columns:
    fields: dict[int, str]  # column index -> field
    personal: list[str]  # headers of ignored personal-data columns
    other: list[str]  # headers of other ignored columns
    headers: list[str]


def map_columns(headers: list[str], mapping: dict[str, str], name: str) -> Columns:
    fields: dict[int, str] = {}
    personal, other = [], []
    seen: dict[str, str] = {}
    for index, raw in enumerate(headers):
        header = normalise_header(raw)
        if not header:
            continue
        target = mapping.get(header)
        if target and target != IGNORE and not is_personal(header):
            if target in seen:
                raise ZhibuError(
                    f"{name} 中“{seen[target]}”和“{header}”两列都对应{LABELS[target]}（{target}）。",
                    "用 --mapping 对照表把其中一列写成 ignore。",
                )
            seen[target] = header
            fields[index] = target
        elif is_personal(header):
            personal.append(header)
        else:
            other.append(header)
    return Columns(fields, personal, other, [normalise_header(h) for h in headers])


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
    if re.fullmatch(r"\d{5}", text):
        return parse_date(int(text))
    try:
        return read_date(text)
    except NotADate:
        return None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class Imported:
    """What the table says: members by name (format keys -> values), in table order."""

    members: dict[str, dict] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # name -> row number
    columns: Columns | None = None
    described: str = ""


def read_members(path: Path, mapping: dict[str, str] | None = None, *, joined: dt.date | None = None) -> Imported:
    """Read and check the table; every wrong row is reported at once (RowErrors)."""
    table = read_table(path)
    full_mapping = {**DEFAULT_MAPPING, **(mapping or {})}
    header_at = _header_index(table, full_mapping)
    if header_at is None:
        raise ZhibuError(
            f"{path.name} 的前 {MAX_HEADER_ROW} 行中找不到“姓名”列（表头）。",
            "确认这是党员信息导出表；表头不同时，用 --mapping 对照表指定哪一列是姓名，如“党员姓名: name”。",
        )
    columns = map_columns(list(table.rows[header_at]), full_mapping, path.name)
    if "status" not in columns.fields.values():
        raise ZhibuError(
            f"{path.name} 中没有党员身份列（人员类别、党员状态或党员身份）。",
            "用 --mapping 对照表指定哪一列是党员身份，如“党员类别: status”。",
        )
    out = Imported(columns=columns, described=table.described)
    errors: list[str] = []
    for row, number in zip(table.rows[header_at + 1 :], table.numbers[header_at + 1 :]):
        cells = {f: row[i] if i < len(row) else None for i, f in columns.fields.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        where = f"第 {number} 行"
        for f, value in cells.items():
            text = str(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
            if _ID_NUMBER.search(text) or _MOBILE.search(text):
                errors.append(f"{where}“{columns.headers[_index_of(columns, f)]}”列的内容像身份证号或手机号，拒绝导入（未显示该内容）")
                cells[f] = None
        if _blank(cells.get("name")):
            errors.append(f"{where}没有姓名")
            continue
        name = normalise_name(cells["name"])
        if name in out.members:
            errors.append(f"{where}的 {name} 与第 {out.rows[name]} 行重名")
            continue
        member: dict = {"name": name}
        for f in FIELDS[1:]:
            value = cells.get(f)
            if _blank(value):
                continue
            header = columns.headers[_index_of(columns, f)]
            if f in DATE_FIELDS:
                day = parse_date(value)
                if day is None:
                    errors.append(f"{where} {name} 的{header}“{value}”不是完整日期")
                    continue
                member[f] = day
            elif f in _CHOICES:
                words, expected = _CHOICES[f]
                chosen = words.get(str(value).strip())
                if chosen is None:
                    errors.append(f"{where} {name} 的{header}“{value}”不是{expected}")
                    continue
                member[f] = chosen
            else:
                member[f] = str(value).strip()
        if joined is not None:
            member.setdefault("joined", joined)
        out.members[name] = member
        out.rows[name] = number
    if errors:
        shown = "\n  ".join(errors[:20]) + (f"\n  ……共 {len(errors)} 处" if len(errors) > 20 else "")
        hint = "改正表格后重试。"
        if any("不是党员身份" in e for e in errors):
            hint = "入党积极分子、发展对象还不是党员，请从表中删去（发展党员记在 development.yaml）；" + hint
        raise RowErrors(f"{path.name} 有 {len(errors)} 处无法导入，没有写入任何内容：\n  {shown}", hint)
    return out


def _index_of(columns: Columns, target: str) -> int:
    return next(i for i, f in columns.fields.items() if f == target)


# --- comparing with the roster --------------------------------------------------------------


@dataclass
class Plan:
    added: list[dict] = field(default_factory=list)  # format keys of new members
    changed: list[tuple[str, list[tuple[str, object, object]]]] = field(default_factory=list)  # (name, [(field, old, new)])
    missing: list[str] = field(default_factory=list)  # in the roster (counted now), not in the table
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not self.added and not self.changed


def plan_import(loaded: Loaded, imported: Imported, today: dt.date) -> Plan:
    """What importing would add and change; checks what a new member needs."""
    branch = loaded.branch
    existing = {m.name: m for m in branch.members}
    groups = branch.config.groups
    plan = Plan()
    problems: list[str] = []
    for name, row in imported.members.items():
        where = f"第 {imported.rows[name]} 行 {name}"
        group = row.get("group")
        if group is not None and group not in groups:
            known = "、".join(groups) if groups else "（zhibu.yaml 中没有党小组）"
            problems.append(f"{where} 的党小组“{group}”不在 zhibu.yaml 的 groups 中：{known}")
            continue
        member = existing.get(name)
        if member is None:
            missing = [LABELS[f] for f in ("status", "admitted", "joined") if f not in row]
            if row.get("status") == "正式党员" and "full_since" not in row:
                missing.append(LABELS["full_since"])
            if groups and "group" not in row:
                missing.append(LABELS["group"])
            if missing:
                problems.append(f"{where} 是新党员，缺少{'、'.join(missing)}")
                continue
            if row.get("status") == "预备党员":
                row = {k: v for k, v in row.items() if k != "full_since"}
            plan.added.append(row)
            continue
        diffs = []
        for f in FIELDS[1:]:
            if f not in row:
                continue
            old = getattr(member, f)
            if old != row[f]:
                diffs.append((f, old, row[f]))
        if row.get("status") == "预备党员" and member.full_since is not None:
            diffs.append(("full_since", member.full_since, None))
        if diffs:
            plan.changed.append((name, diffs))
        else:
            plan.unchanged += 1
    if problems:
        raise RowErrors(
            "以下行无法导入，没有写入任何内容：\n  " + "\n  ".join(problems[:20]),
            "在表格中补全后重试；表中没有转入本支部时间时，可用 --joined 日期 统一指定。",
        )
    plan.missing = [m.name for m in branch.members_on(today) if m.name not in imported.members]
    return plan


def apply_import(root: Path, imported: Imported, source_name: str, *, today: dt.date, commit: bool, dry_run: bool) -> tuple[Outcome | None, Plan]:
    """Write the import as one change of members.yaml (round-trip: comments and order kept)."""
    from .edit import _edit_file, _member_entry, _require_readable, _yaml_value
    from .store import yamlio

    result: dict = {}

    def build(loaded: Loaded) -> Change:
        _require_readable(loaded, "members.yaml")
        plan = plan_import(loaded, imported, today)
        result["plan"] = plan
        if plan.empty:
            raise _NothingToDo()

        def mutate(doc):
            if doc.get("members") is None:
                doc["members"] = yamlio.new_seq()
            for row in plan.added:
                ordered = {k: row[k] for k in ("name", "gender", "status", "admitted", "full_since", "joined", "group") if k in row}
                doc["members"].append(yamlio.new_map({k: _yaml_value(k, v) for k, v in ordered.items()}, flow=True))
            for name, diffs in plan.changed:
                entry = _member_entry(doc, name)
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
        summary = "，".join(f"{LABELS[f]} {show(row[f])}" for f in FIELDS[1:] if f in row)
        rows.append(["新增", row["name"], "", "", summary])
    for name, diffs in plan.changed:
        for i, (f, old, new) in enumerate(diffs):
            rows.append(["修改" if i == 0 else "", name if i == 0 else "", f"{LABELS[f]}（{f}）", show(old), show(new) or "（删除）"])
    return rows
