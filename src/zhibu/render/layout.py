"""Printable documents as plain descriptions: titles, headings, paragraphs, tables, page breaks.

The functions here turn the model into a :class:`Document` (frozen values, no
python-docx): the 一表 plan table, a sign-in sheet, the minutes of a record and
the 一册 ledger of a year. :mod:`zhibu.render.docx` writes a description as a
.docx laid out per GB/T 9704-2012; tests compare the descriptions' .docx through
a normalised dump, and other renderers may reuse them.

Everything shown is computed from the records: 应到 from the roster on the day,
实到 from who is on the roster and in ``attendees``, the statistics from
:func:`zhibu.report.stats.year_table` (so the ledger counts as ``zhibu check`` does), its 标准
column in the committee's words (:mod:`zhibu.render.wording`: no pack ids, no tool names).
Order never depends on dict or file-system order.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from ..errors import ZhibuError
from ..model.branch import Branch, PlanItem, Record, Resolution
from ..model.vocabulary import EXPECTS_NOBODY, PLAN_KINDS, RECORD_TYPES, YEAR_END_TYPES
from ..report.stats import carried_records, year_table
from .wording import LAYER_WORDS

# --- the description ------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    """A paragraph in one of the document's roles.

    ``style``: ``body`` (正文, 仿宋), ``title`` (标题, 小标宋), ``heading1`` (黑体),
    ``heading2`` (楷体). ``indent``: the body's first-line indent of two
    characters; label lines such as 时间：… are written without it. ``align`` and
    ``size`` (points) override the style's when given.

    ``keep_with_next``: on the same page as the start of the next block (a paragraph's first
    lines, a table's first row). Titles and headings keep with what follows them
    (:func:`title`, :func:`heading`); so do the lines of a signature block and the paragraph
    before it (:func:`signature_block`). Every paragraph is also written with widow and
    orphan control: a paragraph broken across pages leaves at least two lines on each.
    """

    text: str
    style: str = "body"
    align: str | None = None
    indent: bool = True
    size: float | None = None
    keep_with_next: bool = False


@dataclass(frozen=True)
class Cell:
    text: str = ""
    align: str = "center"  # left | center | right
    header: bool = False  # set in the heading font (黑体), as table headers are


@dataclass(frozen=True)
class Merge:
    """Cells from (top, left) to (bottom, right), inclusive, shown as one; the text is the top-left cell's."""

    top: int
    left: int
    bottom: int
    right: int


@dataclass(frozen=True)
class Table:
    widths: tuple[float, ...]  # millimetres, one per column
    rows: tuple[tuple[Cell, ...], ...]
    header_rows: int = 1  # repeated at the top of every page
    merges: tuple[Merge, ...] = ()
    size: float = 12.0  # points
    row_height: float | None = None  # millimetres, at least; for rows people sign in
    cell_margin: float = 1.5  # millimetres left and right of the text in each cell
    keep_together: bool = False  # never split across pages (a short table moves whole to the next)
    # The paragraph just before the table (its heading or lead-in line, such as 有制度：1 个问题) is
    # kept on the page where the table starts. Rows are never split across pages, either way.
    keep_with_previous: bool = True

    def __post_init__(self):
        for i, row in enumerate(self.rows):
            if len(row) != len(self.widths):
                raise ValueError(f"row {i} has {len(row)} cells for {len(self.widths)} columns")
        covered: set[tuple[int, int]] = set()
        for m in self.merges:
            if not (0 <= m.top <= m.bottom < len(self.rows) and 0 <= m.left <= m.right < len(self.widths)):
                raise ValueError(f"merge {m} is outside the table")
            cells = {(r, c) for r in range(m.top, m.bottom + 1) for c in range(m.left, m.right + 1)}
            if cells & covered:
                raise ValueError(f"merge {m} overlaps another")
            covered |= cells


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Paragraph | Table | PageBreak


@dataclass(frozen=True)
class Document:
    """A document and the properties that make two renderings of the same data identical."""

    kind: str  # 计划表 | 签到表 | 会议记录 | 工作记录本: the core property "subject"
    title: str
    author: str  # the branch (short name, else name)
    date: dt.date  # created and modified: a date from the data, never "now"
    blocks: tuple[Block, ...]
    comments: str = ""  # where the content came from
    cover: bool = False  # the first page is a cover: no page number on it


# --- small helpers ----------------------------------------------------------------------


def para(text: str, style: str = "body", **kw) -> Paragraph:
    return Paragraph(text, style=style, **kw)


def label(name: str, value: str) -> Paragraph:
    """A label line such as 地点：学院会议室 (no first-line indent)."""
    return para(f"{name}：{value}", indent=False)


def title(text: str, **kw) -> Paragraph:
    return para(text, "title", align="center", indent=False, keep_with_next=True, **kw)


def heading(text: str, level: int = 1) -> Paragraph:
    return para(text, f"heading{level}", keep_with_next=True)


def signature_block(blocks: list[Block], *lines: str) -> list[Block]:
    """``blocks`` followed by an empty line and the signature ``lines``, all on one page with the
    end of the last paragraph before them: a page never holds only signature lines."""
    out = list(blocks)
    if out and isinstance(out[-1], Paragraph):
        out[-1] = replace(out[-1], keep_with_next=True)
    out.append(para("", indent=False, keep_with_next=True))
    for n, line in enumerate(lines, 1):
        out.append(para(line, align="right", indent=False, keep_with_next=n < len(lines)))
    return out


_WEEKDAYS = "一二三四五六日"
_NUMERALS = "一二三四五六七八九十"


def chinese_date(day: dt.date, weekday: bool = False) -> str:
    """2025年3月6日, with （星期四） when asked: GB/T writes dates in Arabic numerals."""
    text = f"{day.year}年{day.month}月{day.day}日"
    return text + (f"（星期{_WEEKDAYS[day.weekday()]}）" if weekday else "")


def numbered_heading(n: int, text: str) -> Paragraph:
    """一、议题 — the first level of GB/T's 层次序数."""
    return heading(f"{_NUMERALS[n - 1] if n <= 10 else n}、{text}")


_MEETING_NAMES = {
    "支部党员大会": "支部党员大会",
    "支部委员会": "支部委员会会议",
    "党小组会": "党小组会",
    "党课": "党课",
    "主题党日": "主题党日活动",
    "组织生活会": "组织生活会",
    "民主评议党员": "民主评议党员",
    "集中学习": "集中学习",
    "实践活动": "实践活动",
    "其他": "活动",
}


def meeting_name(record: Record) -> str:
    """What the meeting is called on paper: 支部委员会会议, 第一党小组会议, 支部党员大会暨党课."""
    names = []
    for record_type in record.types:
        if record_type == "党小组会" and record.group:
            names.append(f"{record.group}会议")
        elif record.year_for(record_type) != record.date.year:
            # A 2025年度组织生活会 held in January 2026 is named for the year it counts for.
            names.append(f"{record.year_for(record_type)}年度{_MEETING_NAMES.get(record_type, record_type)}")
        else:
            names.append(_MEETING_NAMES.get(record_type, record_type))
    return "暨".join(names)


def roster_order(branch: Branch, record: Record, names) -> list[str]:
    """``names`` in the order people list them: committee by role, then the roster, then the rest as written."""
    wanted = list(dict.fromkeys(names))
    order = [s.name for s in branch.committee_on(record.date)] + [m.name for m in branch.members]
    rank: dict[str, int] = {}
    for name in order:
        rank.setdefault(name, len(rank))
    as_written = {name: i for i, name in enumerate(wanted)}
    return sorted(wanted, key=lambda n: (rank.get(n, len(rank)), as_written[n]))


def expected_list(branch: Branch, record: Record) -> list[str]:
    return roster_order(branch, record, branch.expected_at(record))


def expects_nobody(record: Record) -> bool:
    return all(t in EXPECTS_NOBODY for t in record.types)


def _author(branch: Branch) -> str:
    return branch.config.display_name


def _member_group(branch: Branch, name: str) -> str:
    member = branch.member(name)
    return (member.group or "") if member else ""


# --- 一表: the year's plan --------------------------------------------------------------

PLAN_WIDTHS = (13.0, 13.0, 64.0, 22.0, 26.0, 18.0)  # 156 mm: the type area of A4 at GB/T margins


def plan_table(branch: Branch, year: int) -> Document:
    """The 一表: months down, 学习 and 活动 items with type, date and 责任人; months and kinds merged."""
    plan = branch.plan_for(year)
    if plan is None:
        raise ZhibuError(
            f"没有 {year} 年的计划（plans/{year}.yaml）。",
            f"先用 zhibu plan new --year {year} 生成计划草稿，或按 docs/format.md 编写 plans/{year}.yaml。",
        )
    kind_rank = {k: i for i, k in enumerate(PLAN_KINDS)}
    items = sorted(
        plan.items,
        key=lambda i: (i.month, kind_rank.get(i.kind, 9), i.date or dt.date.max, i.id or "", i.topic),
    )
    counts = {k: sum(1 for i in items if i.kind == k) for k in PLAN_KINDS}
    caption = f"{year}年度计划：" + "，".join(f"{k} {counts[k]} 项" for k in PLAN_KINDS)
    head = tuple(Cell(h, header=True) for h in ("月份", "类别", "内容", "形式", "计划日期", "责任人"))
    rows: list[tuple[Cell, ...]] = [(Cell(caption, header=True),) + (Cell(),) * 5, head]
    merges = [Merge(0, 0, 0, 5)]
    for month in range(1, 13):
        month_items = [i for i in items if i.month == month]
        first = len(rows)
        if not month_items:
            rows.append((Cell(f"{month}月"), Cell("—"), Cell("（本月未安排）", align="left"), Cell(), Cell(), Cell()))
            continue
        for n, item in enumerate(month_items):
            when = f"{item.date.month}月{item.date.day}日" if item.date else "待定"
            rows.append(
                (
                    Cell(f"{month}月" if n == 0 else ""),
                    Cell(item.kind if n == 0 or month_items[n - 1].kind != item.kind else ""),
                    Cell(item.topic, align="left"),
                    Cell(item.type or ""),
                    Cell(when),
                    Cell(item.owner or ""),
                )
            )
        last = len(rows) - 1
        if last > first:
            merges.append(Merge(first, 0, last, 0))
        start = 0  # runs of the same kind inside the month share one 类别 cell
        for n in range(1, len(month_items) + 1):
            if n == len(month_items) or month_items[n].kind != month_items[start].kind:
                if n - 1 > start:
                    merges.append(Merge(first + start, 1, first + n - 1, 1))
                start = n
    table = Table(PLAN_WIDTHS, tuple(rows), header_rows=2, merges=tuple(merges), size=12.0)
    name = branch.config.display_name
    blocks = (title(name), title(f"{year}年度学习活动计划表"), table)
    return Document(
        kind="计划表",
        title=f"{name}{year}年度学习活动计划表",
        author=_author(branch),
        date=dt.date(year, 1, 1),
        blocks=blocks,
        comments=f"由 zhibu 根据 plans/{year}.yaml 生成",
    )


# --- 签到表 ---------------------------------------------------------------------------------

SIGNIN_WIDTHS = (16.0, 30.0, 36.0, 46.0, 28.0)
GUEST_WIDTHS = (16.0, 30.0, 64.0, 46.0)
BLANK_GUEST_ROWS = 3
BLANK = "________"  # a line to write on: underscores print in every font (Word skips trailing underlined spaces)
MIN_BLANK_ROWS = 10


def _details(record: Record) -> list[Paragraph]:
    """The label lines common to the sign-in sheet and the minutes."""
    when = chinese_date(record.date, weekday=True) + (f" {record.time}" if record.time else "")
    lines = [label("时间", when), label("地点", record.place or "")]
    host = record.host or ""
    if record.delegated:
        host += f"（{record.delegated}）"
    lines.append(label("主持人", host))
    return lines


def _extra_details(record: Record) -> list[Paragraph]:
    lines = []
    if record.carried_over:
        lines.append(label("所属年度", f"{record.for_year}年度（次年召开，计入{record.for_year}年度）"))
    if record.group:
        lines.append(label("党小组", record.group))
    if record.lecturer:
        lines.append(label("主讲人", record.lecturer))
    if record.theme:
        lines.append(label("主题", record.theme))
    return lines


def planned_meeting(branch: Branch, item: PlanItem | None = None, **given) -> Record:
    """A meeting not held yet, as a record value to print its sign-in sheet from (never written).

    From a plan item (its type, date and topic) or from what is ``given`` (``types``, ``date``,
    ``group``, ``place``, ``time``, ``host``); what is given wins over the plan item. Printing a
    sheet before the meeting so needs no record dated in the future (``record.future-date``).
    """
    fields = {}
    if item is not None:
        fields = {"types": (item.type,) if item.type else (), "date": item.date, "topics": (item.topic,), "plan": item.id}
    fields.update({key: value for key, value in given.items() if value})
    return Record(**fields)


# The sign-in sheet fits one page for up to SIGNIN_ONE_PAGE people expected. The type area is 225 mm
# high; the titles, the details and the 列席 heading take about eight 10.2 mm grid lines, which leaves
# about 140 mm for the two tables. Up to SIGNIN_ONE_COLUMN people sign in one column of 8 mm rows
# (14 pt); more sign in two columns side by side with 5.5 mm rows (12 pt) and one blank 列席 row fewer. Beyond SIGNIN_ONE_PAGE the
# table goes on over the page, its header repeated; the 列席 table is never split. (Page counts
# measured in LibreOffice for 5 to 40 people: tests/test_pdf.py.)
SIGNIN_ONE_COLUMN = 10
SIGNIN_ONE_PAGE = 30
SIGNIN_TWO_WIDTHS = (12.0, 24.0, 42.0) * 2  # 序号 | 姓名 | 签名, twice: 156 mm


def signin_sheet(branch: Branch, record: Record) -> Document:
    """A sign-in sheet to print before the meeting: everyone expected that day, a signature column."""
    name = branch.config.display_name
    blocks: list[Block] = [title(name), title(f"{meeting_name(record)}签到表")]
    blocks += _details(record) + _extra_details(record)
    if expects_nobody(record):
        # 实践活动 and 其他 expect nobody in particular: blank rows for whoever comes.
        people = [""] * max(MIN_BLANK_ROWS, len(branch.members_on(record.date)))
        blocks.append(label("参加人数", f"{BLANK} 人"))
    else:
        people = expected_list(branch, record)
        blocks.append(para(f"应到 {len(people)} 人，实到 {BLANK} 人", indent=False))
    two_columns = len(people) > SIGNIN_ONE_COLUMN
    size, height = (12.0, 5.5) if two_columns else (14.0, 8.0)
    if two_columns:
        half = (len(people) + 1) // 2
        head = tuple(Cell(h, header=True) for h in ("序号", "姓名", "签名") * 2)
        rows = [head]
        for i in range(half):
            left = (Cell(str(i + 1)), Cell(people[i]), Cell())
            j = i + half
            right = (Cell(str(j + 1)), Cell(people[j]), Cell()) if j < len(people) else (Cell(), Cell(), Cell())
            rows.append(left + right)
        blocks.append(Table(SIGNIN_TWO_WIDTHS, tuple(rows), header_rows=1, size=size, row_height=height))
    else:
        head = tuple(Cell(h, header=True) for h in ("序号", "姓名", "党小组", "签名", "备注"))
        rows = [head] + [
            (Cell(str(i)), Cell(person), Cell(_member_group(branch, person) if person else ""), Cell(), Cell())
            for i, person in enumerate(people, 1)
        ]
        blocks.append(Table(SIGNIN_WIDTHS, tuple(rows), header_rows=1, size=size, row_height=height))
    # Attendees who are not 应到 (the person admitted at this meeting) sign with the guests.
    sitting_in = [*record.guests, *(n for n in _not_expected(branch, record) if n not in record.guests)]
    guests = [(Cell(str(i)), Cell(g), Cell(), Cell()) for i, g in enumerate(sitting_in, 1)]
    blank = BLANK_GUEST_ROWS - 1 if two_columns else BLANK_GUEST_ROWS
    guests += [(Cell(str(i)), Cell(), Cell(), Cell()) for i in range(len(guests) + 1, len(guests) + 1 + blank)]
    guest_head = tuple(Cell(h, header=True) for h in ("序号", "姓名", "单位及职务", "签名"))
    blocks.append(heading("列席人员"))
    blocks.append(Table(GUEST_WIDTHS, (guest_head, *guests), header_rows=1, size=size, row_height=height, keep_together=True))
    return _record_document(branch, record, "签到表", "签到表", blocks)


# --- 会议记录 -------------------------------------------------------------------------------


def _not_expected(branch: Branch, record: Record) -> list[str]:
    """Attendees who are not 应到 although the type expects people (the person admitted that day)."""
    if expects_nobody(record):
        return []
    expected = set(branch.expected_at(record))
    return [n for n in dict.fromkeys(record.attendees) if n not in expected]


def attendance(branch: Branch, record: Record) -> tuple[int, int] | None:
    """(应到, 实到) from the roster on the day; None for types that expect nobody in particular."""
    if expects_nobody(record):
        return None
    expected = branch.expected_at(record)
    attending = set(record.attendees)
    return len(expected), sum(1 for n in expected if n in attending)


def votes_text(resolution: Resolution) -> str:
    outcome = "通过" if resolution.adopted else "未通过"
    if resolution.votes is None and not (resolution.ballots or resolution.candidates):
        return f"（{outcome}）"
    parts = []
    if resolution.votes is not None:
        v = resolution.votes
        written = f"（含书面意见 {v.written} 份）" if v.written else ""
        parts.append(f"表决结果：赞成 {v.for_} 票，反对 {v.against} 票，弃权 {v.abstain} 票{written}，{outcome}。")
    if resolution.ballots is not None:
        parts.append(f"发出选票 {resolution.ballots.issued} 张，收回 {resolution.ballots.returned} 张。")
    if resolution.candidates:
        each = "，".join(f"{c.name} {c.votes} 票{'（当选）' if c.elected else ''}" for c in resolution.candidates)
        parts.append(f"得票：{each}。")
        if resolution.votes is None and not resolution.adopted:
            parts.append("选举未通过。")
    return "".join(parts)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(("。", "！", "？", "；", "：")) else text + "。"


def minutes_blocks(branch: Branch, record: Record) -> list[Block]:
    """The body of the 会议记录 (everything after the title)."""
    blocks: list[Block] = [label("会议类型", record.type_label)]
    blocks += _details(record)
    blocks.append(label("记录人", record.recorder or ""))
    blocks += _extra_details(record)

    n = 1
    blocks.append(numbered_heading(n, "出席情况"))
    counts = attendance(branch, record)
    if counts is None:
        blocks.append(label("参加人数", f"{len(record.attendees)} 人"))
    else:
        blocks.append(label("应到", f"{counts[0]} 人，实到 {counts[1]} 人"))
        if record.has_type("支部党员大会") and record.resolutions:
            voters = [m.name for m in branch.voters_on(record.date)]
            present = sum(1 for v in voters if v in set(record.attendees))
            blocks.append(label("有表决权的党员", f"应到 {len(voters)} 人，实到 {present} 人"))
    others = _not_expected(branch, record)
    present_names = roster_order(branch, record, [n for n in record.attendees if n not in others])
    blocks.append(label("到会人员", "、".join(present_names) or "无"))
    if others:
        # e.g. the person admitted at this meeting: present, but not yet a member to count.
        blocks.append(label("另有到会（不计入应到）", "、".join(roster_order(branch, record, others))))
    absent = [f"{a.name}（{a.reason or '未注明原因'}）" for a in record.absent]
    blocks.append(label("缺席人员", "；".join(absent) or "无"))
    if record.guests:
        blocks.append(label("列席人员", "、".join(record.guests)))

    if record.topics:
        n += 1
        blocks.append(numbered_heading(n, "会议议题"))
        blocks += [para(f"{i}. {topic}", indent=True) for i, topic in enumerate(record.topics, 1)]
    if record.content and record.content.strip():
        n += 1
        blocks.append(numbered_heading(n, "会议内容"))
        blocks += [para(line.strip()) for line in record.content.splitlines() if line.strip()]
    if record.resolutions:
        n += 1
        blocks.append(numbered_heading(n, "会议决议"))
        for i, res in enumerate(record.resolutions, 1):
            blocks.append(para(f"{i}. {_sentence(res.text)}{votes_text(res)}"))
    if record.attachments:
        n += 1
        blocks.append(numbered_heading(n, "附件"))
        blocks += [para(f"{i}. {a}") for i, a in enumerate(record.attachments, 1)]

    return signature_block(blocks, f"主持人（签字）：{BLANK * 2}", f"记录人（签字）：{BLANK * 2}")


def minutes(branch: Branch, record: Record) -> Document:
    """The 会议记录 of one record."""
    name = branch.config.display_name
    blocks = [title(name), title(f"{meeting_name(record)}记录"), *minutes_blocks(branch, record)]
    return _record_document(branch, record, "会议记录", "记录", blocks)


def _record_document(branch: Branch, record: Record, kind: str, suffix: str, blocks: list) -> Document:
    """A document about one record: titled by the branch, the meeting and its date."""
    return Document(
        kind=kind,
        title=f"{branch.config.display_name}{meeting_name(record)}{suffix}（{chinese_date(record.date)}）",
        author=_author(branch),
        date=record.date,
        blocks=tuple(blocks),
        comments=f"由 zhibu 根据 {record.source.path or _planned_from(record)} 生成",
    )


def _planned_from(record: Record) -> str:
    return f"计划条目 {record.plan}" if record.plan else "会议安排（尚未登记记录）"


# --- 一册: the ledger of a year -------------------------------------------------------------

CONTENTS_WIDTHS = (16.0, 24.0, 36.0, 80.0)
STATS_WIDTHS = (28.0, *(6.5,) * 12, 10.0, 40.0)  # 156 mm


def _summary(record: Record) -> str:
    if record.theme:
        return record.theme
    if record.topics:
        more = f"等 {len(record.topics)} 项" if len(record.topics) > 1 else ""
        return record.topics[0] + more
    return ""


def _pack_layers(rules: dict) -> dict[str, str]:
    return {rule.pack: rule.layer for rule in rules.values()}


def requirement_words(text: str, layers: dict[str, str]) -> str:
    """A requirement of :func:`zhibu.report.stats.year_table` as the record book prints it: 每季度至少1次（B） →
    每季度至少1次 (the 全市基本标准 goes without saying, the note below says so), （X-本支部） →
    （本支部特色要求）, a T pack's → （上级要求）."""
    if not layers:
        return text
    packs = "|".join(re.escape(p) for p in sorted(layers, key=len, reverse=True))

    def words(match: re.Match) -> str:
        layer = layers[match.group(1)]
        return "" if layer == "B" else f"（{LAYER_WORDS.get(layer, layer)}）"

    return re.sub(rf"（({packs})）(?=；|$)", words, text)


def statistics_table(branch: Branch, rules: dict, year: int) -> Table:
    """Meetings held per type and month against the standard: :func:`zhibu.report.stats.year_table`, as a table."""
    head = (
        Cell("类别", header=True),
        *(Cell(str(m), header=True) for m in range(1, 13)),
        Cell("全年", header=True),
        Cell("标准", header=True),
    )
    rows = [head]
    layers = _pack_layers(rules)
    for row in year_table(branch, rules, year):
        rows.append(
            (
                Cell(row.label),
                *(Cell(str(c)) for c in row.months),
                Cell(str(row.total)),
                Cell(requirement_words(row.requirement, layers) or "—", align="left"),
            )
        )
    return Table(STATS_WIDTHS, tuple(rows), header_rows=1, size=10.5, cell_margin=0.5)


def statistics_note(branch: Branch, rules: dict, year: int) -> Paragraph:
    """The note under the 统计表: how it counts, and whose requirements the 标准 column names."""
    layers = _pack_layers(rules)
    titles = {
        p.data["pack"]: str(p.data.get("title") or "")
        for p in branch.packs
        if isinstance(p.data, dict) and isinstance(p.data.get("pack"), str)
    }
    requirements = "；".join(row.requirement for row in year_table(branch, rules, year)) + "；"
    named = []
    for layer in ("T", "X"):
        packs = [p for p in layers if layers[p] == layer and f"（{p}）；" in requirements]
        if packs:
            books = "、".join(f"《{titles[p]}》" for p in packs if titles.get(p))
            named.append(
                f"注明“{LAYER_WORDS[layer]}”的出自{books}" if books else f"注明“{LAYER_WORDS[layer]}”的是{LAYER_WORDS[layer]}"
            )
    return para(
        "注：按月统计实际召开的次数，合并召开的会议在每种类型中各计一次，计数方法与体检报告相同；"
        "“标准”是该类会议的频次要求，未注明的是全市基本标准的要求" + "".join(f"，{n}" for n in named) + "。"
    )


def carried_note(branch: Branch, year: int) -> list[Paragraph]:
    """Which yearly meetings were held early in the next year for ``year`` (counted in 全年),
    and which held this year counted for the year before (not counted in their month)."""
    lines = []
    for record_type in sorted(YEAR_END_TYPES, key=RECORD_TYPES.index):
        later = carried_records(branch, year, record_type)
        if later:
            days = "、".join(chinese_date(r.date) for r in later)
            lines.append(para(f"{year}年度{_MEETING_NAMES.get(record_type, record_type)}于{days}召开，计入本年度“全年”合计。"))
        earlier = carried_records(branch, year - 1, record_type)
        if earlier:
            days = "、".join(chinese_date(r.date) for r in earlier)
            lines.append(
                para(
                    f"{days}召开的{year - 1}年度{_MEETING_NAMES.get(record_type, record_type)}计入{year - 1}年度，不计入本年各月。"
                )
            )
    return lines


def ledger(branch: Branch, rules: dict, year: int) -> Document:
    """The 一册: cover, contents, statistics (as ``zhibu check`` counts), then every record by date."""
    cfg = branch.config
    records = [r for r in branch.records if r.date.year == year]  # already sorted by (date, path)
    secretary = branch.secretary_on(dt.date(year, 12, 31)) or branch.secretary_on(dt.date(year, 1, 1))

    blocks: list[Block] = [para("", indent=False) for _ in range(4)]
    blocks.append(title(cfg.name))
    blocks.append(para("", indent=False))
    blocks.append(title("党支部工作记录", size=36.0))
    blocks.append(para("", indent=False))
    blocks.append(title(f"{year}年", size=26.0))
    blocks += [para("", indent=False) for _ in range(4)]
    blocks.append(para(f"上级党组织：{cfg.parent}", align="center", indent=False))
    if secretary:
        blocks.append(para(f"支部书记：{secretary}", align="center", indent=False))
    blocks.append(para(f"记录起止：{year}年1月至{year}年12月", align="center", indent=False))
    blocks.append(PageBreak())

    blocks.append(title("目　录"))
    blocks.append(para(f"本册依次收录：{year}年度组织生活统计表；全年会议和活动记录 {len(records)} 份，按日期排列。"))
    head = tuple(Cell(h, header=True) for h in ("序号", "日期", "会议（活动）", "主要内容"))
    rows = [head] + [
        (Cell(str(i)), Cell(f"{r.date.month}月{r.date.day}日"), Cell(meeting_name(r)), Cell(_summary(r), align="left"))
        for i, r in enumerate(records, 1)
    ]
    if not records:
        rows.append((Cell("—"), Cell("—"), Cell("—"), Cell("本年度尚无记录", align="left")))
    blocks.append(Table(CONTENTS_WIDTHS, tuple(rows), header_rows=1, size=12.0))
    blocks.append(PageBreak())

    blocks.append(title(f"{year}年度组织生活统计表"))
    blocks.append(statistics_table(branch, rules, year))
    blocks.append(statistics_note(branch, rules, year))
    blocks += carried_note(branch, year)

    for i, record in enumerate(records, 1):
        blocks.append(PageBreak())
        blocks.append(title(f"{meeting_name(record)}记录"))
        blocks.append(para(f"（第 {i} 份，共 {len(records)} 份）", align="center", indent=False))
        blocks += minutes_blocks(branch, record)

    last = records[-1].date if records else dt.date(year, 1, 1)
    return Document(
        kind="工作记录本",
        title=f"{cfg.display_name}{year}年党支部工作记录",
        author=_author(branch),
        date=last,
        blocks=tuple(blocks),
        comments=f"由 zhibu 根据 {year} 年的记录生成（{len(records)} 份）",
        cover=True,
    )
