"""Statistics of a year's records: how many of each kind were held each month, against the standard.

The ledger (一册) prints this table and committees collect it as a spreadsheet;
it counts exactly as the frequency rules of ``zhibu check`` do (a combined
event counts once for each of its types; a talk counts as 谈心谈话; 学习 and
活动 count what the 一表 counts), so the paper and the check cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model.branch import Branch
from ..model.periods import period_word
from ..model.vocabulary import (
    CARRY_OVER_LAST_MONTH,
    PLAN_KINDS,
    RECORD_TYPES,
    TALK,
    YEAR_END_TYPES,
)
from ..rules.registry import Rule

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


def count(branch: Branch, year: int, label: str, month: int) -> int:
    """Records of ``label`` in a month, counted as the frequency rules count them."""
    if label == TALK:
        return sum(1 for t in branch.talks if t.date.year == year and t.date.month == month)
    records = (r for r in branch.records if r.date.year == year and r.date.month == month)
    if label in PLAN_KINDS:
        return sum(1 for r in records if label in r.plan_kinds)
    # A yearly meeting held for the previous year counts there, not in the month it was held.
    return sum(1 for r in records if r.has_type(label) and r.year_for(label) == year)


def carried_records(branch: Branch, year: int, label: str) -> list:
    """Yearly meetings (组织生活会, 民主评议党员) held early in ``year + 1`` that count for ``year``."""
    if label not in YEAR_END_TYPES:
        return []
    return [
        r for r in branch.records
        if r.date.year == year + 1 and r.date.month <= CARRY_OVER_LAST_MONTH and r.has_type(label) and r.year_for(label) == year
    ]


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
    return [
        StatsRow(
            label,
            tuple(count(branch, year, label, m) for m in range(1, 13)),
            "；".join(wanted.get(label, ())),
            len(carried_records(branch, year, label)),
        )
        for label in ROW_LABELS
    ]
