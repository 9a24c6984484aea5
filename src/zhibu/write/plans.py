"""一表: drafting a year's plan, and the plan against what was actually held.

``zhibu plan new`` drafts ``plans/<YYYY>.yaml``: every month at least one
学习 and one 活动 item, topics from the T packs' ``monthly_topics`` where the
committee published some, the 主题党日 dated by the branch's ``theme_day``
(moved off holidays on China's official calendar when the rule says so).
``zhibu plan check`` lists each item as done, missing or pending, with the
record that carried it out, and the records that count as 学习/活动 but
carry no item. Both read the same definition of "done" as ``zhibu check``
(:func:`zhibu.rules.plans.carrying_record`), so they cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ZhibuError
from ..format import kinds
from ..format.load import Loaded
from ..model.branch import Branch, Plan, PlanItem, Record
from ..model.periods import Period
from ..model.vocabulary import PLAN_KINDS
from ..rules.plans import carrying_record
from ..store.holidays import Calendar, theme_day_date, unknown_year_warning
from .change import Change, Outcome, apply

STUDY, ACTIVITY = PLAN_KINDS
LECTURE_MONTHS = (3, 6, 9, 12)
"""The first 学习 of each quarter's last month is a 党课 (B asks for one a quarter)."""

# Generic topics for months without a topic from the T packs. Standing texts only
# (the Party Constitution, the regulations every branch studies), never a year's news.
GENERIC_STUDY = {
    1: "学习习近平新时代中国特色社会主义思想",
    2: "学习《中国共产党章程》",
    3: "书记讲党课（题目待定）",
    4: "学习《中国共产党纪律处分条例》",
    5: "学习《中国共产党支部工作条例（试行）》",
    6: "党课（题目待定）",
    7: "学习党史，纪念中国共产党成立{anniversary}周年",
    8: "学习《中国共产党廉洁自律准则》",
    9: "党课（题目待定）",
    10: "学习习近平总书记重要讲话和重要指示批示精神",
    11: "学习《中国共产党党员教育管理工作条例》",
    12: "党课（题目待定）",
}
GENERIC_ACTIVITY = "主题党日（主题待定）"
SEASONAL_ACTIVITY = {
    3: "学雷锋志愿服务",
    4: "清明节缅怀革命先烈",
    7: "庆祝中国共产党成立{anniversary}周年，重温入党誓词",
}

# A monthly topic is an activity when it names one of these; otherwise it is study.
# "学习：…" or "活动：…" at the start of a topic in a pack says so explicitly.
ACTIVITY_WORDS = (
    "主题党日",
    "志愿",
    "服务",
    "参观",
    "走访",
    "慰问",
    "缅怀",
    "祭扫",
    "瞻仰",
    "誓词",
    "实践",
    "活动",
    "共建",
    "联学",
    "调研",
    "观影",
    "寻访",
    "红色教育",
    "现场教学",
)
_KIND_PREFIX = re.compile(r"^\s*(学习|活动)\s*[：:]\s*")

PLAN_KEY_ORDER = tuple(f.name for f in kinds.PLAN_ITEM_FIELDS)


def plan_path(year: int) -> str:
    return f"plans/{year}.yaml"


def topic_kind(topic: str) -> tuple[str, str]:
    """(学习 or 活动, the topic without a kind prefix) for a topic from ``monthly_topics``."""
    match = _KIND_PREFIX.match(topic)
    if match:
        return match[1], topic[match.end() :].strip()
    text = topic.strip()
    return (ACTIVITY if any(word in text for word in ACTIVITY_WORDS) else STUDY), text


# --- drafting ------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A drafted plan: its items in order, a note per item id (date shifts), and warnings."""

    year: int
    items: tuple[PlanItem, ...]
    notes: dict = field(default_factory=dict)  # id -> Chinese note for the YAML comment
    warnings: tuple[str, ...] = ()


def owner_for(branch: Branch, item_type: str, day: dt.date) -> str | None:
    """Who answers for an item: the 书记 for a 党课, the 宣传委员 for study, the 组织委员 for
    activities; the 书记 when that seat is empty; nobody when there is no 书记 either."""
    committee = branch.committee
    role = {"党课": "书记", "集中学习": "宣传委员"}.get(item_type, "组织委员")
    return committee.holder_of(role, day) or committee.holder_of("书记", day)


def draft_plan(branch: Branch, year: int, monthly_topics: dict, calendar: Calendar) -> Draft:
    """The year's plan as the branch would start it (nothing is written here)."""
    anniversary = year - 1921
    spec = branch.config.theme_day
    items: list[PlanItem] = []
    notes: dict[str, str] = {}
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        study, activity = [], []
        for topic in monthly_topics.get(Period(year, "month", month).label, ()):
            kind, text = topic_kind(str(topic))
            if text:
                (study if kind == STUDY else activity).append(text)
        if not study:
            study = [GENERIC_STUDY[month].format(anniversary=anniversary)]
        if not activity:
            activity = [SEASONAL_ACTIVITY.get(month, GENERIC_ACTIVITY).format(anniversary=anniversary)]
        for n, topic in enumerate(study, 1):
            item_type = "党课" if n == 1 and month in LECTURE_MONTHS else "集中学习"
            item_id = f"{year}-{month:02d}-{STUDY}-{n}"
            items.append(PlanItem(month, STUDY, topic, item_id, item_type, None, owner_for(branch, item_type, first)))
        for n, topic in enumerate(activity, 1):
            item_id = f"{year}-{month:02d}-{ACTIVITY}-{n}"
            if n == 1:
                item_type, date = "主题党日", None
                if spec is not None:
                    theme = theme_day_date(spec, year, month, calendar)
                    date = theme.date
                    if theme.note:
                        notes[item_id] = theme.note
            else:
                # A second activity topic of the month: a 实践活动 on a day the committee chooses.
                item_type, date = "实践活动", None
            items.append(PlanItem(month, ACTIVITY, topic, item_id, item_type, date, owner_for(branch, item_type, date or first)))
    warnings = []
    if spec is None:
        warnings.append(
            "zhibu.yaml 没有规定固定主题党日（theme_day），主题党日没有排日期。"
            "可在 zhibu.yaml 中写 theme_day: 每月最后一个周五（遇节假日顺延），再用 --force 重新生成。"
        )
    if year in calendar.unknown_years:
        warnings.append(unknown_year_warning(year))
    if branch.committee.holder_of("书记", dt.date(year, 1, 1)) is None and not any(i.owner for i in items):
        warnings.append("没有现任书记，责任人一栏留空，请支委会分工后填写。")
    return Draft(year, tuple(items), notes, tuple(warnings))


def render_plan(draft: Draft, branch: Branch) -> str:
    """``plans/<YYYY>.yaml`` text in the layout of format.md, with comments for the secretary."""
    from ..store import yamlio

    spec = branch.config.theme_day
    header = [
        f"{draft.year}年度计划（一表）草稿：由 zhibu plan new 生成，请支委会研究修改后执行。",
        f"主题党日：{spec.chinese}。" if spec else "主题党日：zhibu.yaml 未规定固定日期（theme_day）。",
        f"记录用 plan: 引用条目编号，如 plan: {draft.year}-03-学习-1。",
    ]
    seq = yamlio.new_seq()
    month_starts = []
    for item in draft.items:
        if not month_starts or draft.items[month_starts[-1]].month != item.month:
            month_starts.append(len(seq))
        entry = yamlio.new_map()
        for key in PLAN_KEY_ORDER:
            value = getattr(item, key)
            if value is not None:
                entry[key] = value
        if item.id in draft.notes and item.date is not None:
            yamlio.comment_after(entry, "date", draft.notes[item.id])
        seq.append(entry)
    for index in month_starts:
        yamlio.comment_before(seq, index, f"{draft.items[index].month}月")
    doc = yamlio.new_map({"year": draft.year, "items": seq})
    return "".join(f"# {line}\n" for line in header) + yamlio.dump_roundtrip(doc)


def new_plan(root: Path, year: int, *, force: bool = False, commit: bool = True, dry_run: bool = False) -> tuple[Outcome, Draft]:
    """Draft ``plans/<year>.yaml`` and write it through :func:`zhibu.write.change.apply`.

    Raises:
        ZhibuError: the plan exists (without ``force``), or holidays.yaml is broken.
        InvalidChange: the draft would not load cleanly (a bug; nothing is written).
    """
    from ..standard.layers import build_standard

    if not 1921 <= year <= 2200:
        raise ZhibuError(f"年份 {year} 无效。", "写四位年份，如 --year 2027。")
    rel = plan_path(year)
    drafted: list[Draft] = []

    def build(loaded: Loaded) -> Change:
        exists = (loaded.root / rel).exists()
        if exists and not force:
            raise ZhibuError(
                f"{rel} 已存在，未覆盖。",
                f"查看：zhibu plan show --year {year}；确要重新生成草稿，加 --force（原文件的改动会被覆盖，git 历史中仍可找回）。",
            )
        branch = loaded.branch
        calendar = Calendar.for_branch(loaded.root, branch)
        draft = draft_plan(branch, year, build_standard(branch).monthly_topics, calendar)
        drafted.append(draft)
        verb = "重新生成" if exists else "新建"
        change = Change(
            f"计划 {verb} {year} 年度计划（一表）草稿：{len(draft.items)} 项",
            summary=f"已写入 {rel}（12 个月，{len(draft.items)} 项）。请支委会研究修改后执行。",
        )
        change.put(rel, render_plan(draft, branch))
        return change

    outcome = apply(root, build, commit=commit, dry_run=dry_run)
    return outcome, drafted[-1]


# --- plan against actual ------------------------------------------------------------

DONE, MISSING, PENDING = "done", "missing", "pending"
STATE_WORDS = {DONE: "已完成", MISSING: "未完成", PENDING: "待办"}


@dataclass(frozen=True)
class ItemState:
    item: PlanItem
    state: str  # done | missing | pending
    record: Record | None = None  # the record that carried it out


@dataclass(frozen=True)
class Unplanned:
    record: Record
    note: str = ""  # e.g. the record names an id the plan does not have


@dataclass(frozen=True)
class PlanStatus:
    plan: Plan
    as_of: dt.date
    items: tuple[ItemState, ...]
    unplanned: tuple[Unplanned, ...]

    def count(self, state: str) -> int:
        return sum(1 for s in self.items if s.state == state)


def month_records(branch: Branch, year: int, month: int) -> list[Record]:
    return [r for r in branch.records if r.date.year == year and r.date.month == month]


def plan_status(branch: Branch, plan: Plan, as_of: dt.date) -> PlanStatus:
    """Each item done (with its record), missing (month ended, no record) or pending; and the
    records that count as 学习/活动 but carry no item of their month."""
    states: list[ItemState] = []
    unplanned: list[Unplanned] = []
    ids = {item.id for item in plan.items if item.id}
    for month in range(1, 13):
        records = month_records(branch, plan.year, month)
        carriers: set[int] = set()
        for item in sorted(plan.items_of(month), key=_item_order):
            record = carrying_record(item, records)
            if record is not None:
                carriers.add(id(record))
                states.append(ItemState(item, DONE, record))
            elif Period(plan.year, "month", month).end <= as_of:
                states.append(ItemState(item, MISSING))
            else:
                states.append(ItemState(item, PENDING))
        for record in records:
            if id(record) in carriers or not record.plan_kinds:
                continue
            note = ""
            if record.plan and record.plan not in ids:
                note = f"plan: {record.plan} 不是计划中的条目编号"
            elif record.plan:
                note = f"plan: {record.plan} 是其他月份的条目"
            unplanned.append(Unplanned(record, note))
    return PlanStatus(plan, as_of, tuple(states), tuple(unplanned))


def _item_order(item: PlanItem) -> tuple:
    return (item.month, PLAN_KINDS.index(item.kind) if item.kind in PLAN_KINDS else 9)


def sorted_items(plan: Plan) -> list[PlanItem]:
    """Items by month, 学习 before 活动, otherwise in file order."""
    return sorted(plan.items, key=_item_order)


def require_plan(loaded: Loaded, year: int) -> Plan:
    """The plan of ``year``, or a ZhibuError naming the file and how to make or mend it."""
    branch = loaded.branch
    plan = branch.plan_for(year)
    if plan is not None:
        return plan
    rel = plan_path(year)
    if (loaded.root / rel).exists():
        problems = [f for f in loaded.findings if f.path == rel and f.severity.label == "error"]
        detail = "；".join(f"第 {f.line} 行 {f.message}" if f.line else f.message for f in problems[:3])
        raise ZhibuError(
            f"{rel} 无法读取" + (f"：{detail}。" if detail else "。"), "改正这个文件后重试（zhibu check 会列出全部问题）。"
        )
    years = [p.year for p in branch.plans]
    have = f"已有：{'、'.join(f'{y} 年' for y in years)}（用 --year 选择）；" if years else ""
    raise ZhibuError(f"没有 {year} 年的年度计划（{rel}）。", f"{have}新建草稿：zhibu plan new --year {year}")
