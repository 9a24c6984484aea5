"""Statistics of a year's records: how many of each kind were held each month, against the standard.

The ledger (一册) prints this table and committees collect it as a spreadsheet;
it counts through the same function as the frequency rules of ``zhibu check``
(:func:`zhibu.rules.counting.counted`: a combined event counts once for each of
its types; a talk counts as 谈心谈话; 学习 and 活动 count what the 一表 counts),
so the paper and the check cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model.branch import Branch
from ..model.periods import Period, period_word
from ..model.vocabulary import PLAN_KINDS, RECORD_TYPES, TALK, YEAR_END_TYPES
from ..rules import counting
from ..rules.registry import Context, Rule

ROW_LABELS: tuple[str, ...] = (*RECORD_TYPES, TALK, *PLAN_KINDS)


@dataclass(frozen=True)
class StatsRow:
    label: str  # a record type, 谈心谈话, or 学习 / 活动
    months: tuple[int, ...]  # twelve counts, January first
    requirement: str  # the standard for this row, e.g. "每月至少1次（B）", or ""
    carried: int = 0  # held in January–March of the next year for this one (for_year)

    @property
    def total(self) -> int:
        return sum(self.months) + self.carried


def _ledger_context(branch: Branch, rules, year: int) -> Context:
    """A context for counting ``year`` as the ledger does: every record on file counts (no as-of
    date cuts off a yearly meeting held early in the next year)."""
    whole = Period(year, "year")
    return Context(branch, dt.date.max, whole.start, whole.end, rules or {})


def _year_counts(ctx: Context, year: int, label: str) -> tuple[tuple[int, ...], list]:
    """The twelve monthly counts of ``label`` in ``year`` and the records held in the next year
    that count for it, from the one count the frequency rules use (:func:`counting.counted`
    over the whole year: a yearly meeting held for the previous year counts there, not in the
    month it was held)."""
    record_type, counts_as = (None, label) if label in PLAN_KINDS else (label, None)
    months = [0] * 12
    carried = []
    for event in counting.counted(ctx, Period(year, "year"), record_type, counts_as):
        if event.item.date.year == year:
            months[event.item.date.month - 1] += 1
        else:
            carried.append(event.item)
    return tuple(months), carried


def carried_records(branch: Branch, year: int, label: str) -> list:
    """Yearly meetings (组织生活会, 民主评议党员) held early in ``year + 1`` that count for ``year``."""
    if label not in YEAR_END_TYPES:
        return []
    return _year_counts(_ledger_context(branch, None, year), year, label)[1]


def requirement(rule: Rule) -> str:
    """The standard of a frequency rule in a few words: 每季度至少1次（每个党小组）."""
    per = {"branch": "", "group": "（每个党小组）", "member": "（每名党员）"}[rule.param("per")]
    return f"每{period_word(rule.param('period'))}至少{rule.param('min')}次{per}（{rule.pack}）"


def year_table(branch: Branch, rules: dict[str, Rule], year: int) -> list[StatsRow]:
    """One row per record type (and 谈心谈话, 学习, 活动): counts per month and the requirement."""
    wanted: dict[str, list[str]] = {}
    for rule in rules.values():
        if rule.kind == "frequency":
            label = rule.param("counts_as") or rule.param("type")
            wanted.setdefault(label, []).append(requirement(rule))
        elif rule.kind == "talk-coverage":
            wanted.setdefault(TALK, []).append(f"{rule.title}（{rule.pack}）")
        elif rule.kind == "secretary-lecture":
            wanted.setdefault("党课", []).append(f"{rule.title}（{rule.pack}）")
    ctx = _ledger_context(branch, rules, year)
    rows = []
    for label in ROW_LABELS:
        months, carried = _year_counts(ctx, year, label)
        rows.append(StatsRow(label, months, "；".join(wanted.get(label, ())), len(carried)))
    return rows
