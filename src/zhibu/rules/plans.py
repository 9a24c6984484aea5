"""一表 rules (the Beijing baseline) and 谈心谈话 coverage."""

from __future__ import annotations

import itertools

from ..model.findings import Source
from ..model.periods import Period
from ..model.vocabulary import PLAN_KINDS
from .registry import MIN_SHARE_PARAM, Context, Param, Rule, kind


def _checked_years(ctx: Context) -> range:
    return range(ctx.start.year, ctx.end.year + 1)


def _planned_months(ctx: Context, year: int) -> list[int]:
    """The months of ``year`` a plan must cover: those the branch existed for in whole
    (a branch founded mid-year plans from its first whole month)."""
    return [m for m in range(1, 13) if ctx.branch_judged(Period(year, "month", m))]


@kind("plan-missing", "被检查的年度应有年度计划 plans/<年>.yaml。")
def plan_missing(ctx: Context, rule: Rule):
    for year in _checked_years(ctx):
        if not _planned_months(ctx, year):
            continue  # founded in the last month of the year or later: nothing to plan
        if ctx.branch.plan_for(year) is None:
            yield ctx.finding(
                rule, f"没有 {year} 年的年度计划（plans/{year}.yaml）。", Source(f"plans/{year}.yaml"), period=str(year)
            )


@kind("plan-month", "年度计划每个月都要有学习和活动安排。")
def plan_month(ctx: Context, rule: Rule):
    for year in _checked_years(ctx):
        plan = ctx.branch.plan_for(year)
        if plan is None:
            continue
        for month in _planned_months(ctx, year):
            kinds = {item.kind for item in plan.items_of(month)}
            missing = [k for k in PLAN_KINDS if k not in kinds]
            if missing:
                yield ctx.finding(
                    rule,
                    f"{year}年{month}月的计划没有{'和'.join(missing)}安排。",
                    plan.source.at("items"),
                    period=Period(year, "month", month).label,
                )


def item_done(item, records) -> bool:
    """A plan item is done by a record of its month that names it, or failing that
    one whose type matches and counts as the item's kind (format.md)."""
    return carrying_record(item, records) is not None


def carrying_record(item, records):
    """The record of its month that carries a plan item out (see :func:`item_done`), or None.

    ``records`` are the records of the item's month in date order; the first
    that names the item wins, then the first unclaimed one that matches.
    """
    if item.id:
        for r in records:
            if r.plan == item.id:
                return r
    for r in records:
        if r.plan:
            continue
        if item.kind in r.plan_kinds and (not item.type or r.has_type(item.type)):
            return r
    return None


@kind("plan-items", "计划中的每一项当月应有记录落实。")
def plan_items(ctx: Context, rule: Rule):
    for year in _checked_years(ctx):
        plan = ctx.branch.plan_for(year)
        if plan is None:
            continue
        for period in ctx.judged_periods("month"):
            if period.year != year:
                continue
            records = ctx.records_in(period)
            for item in plan.items_of(period.index):
                if not item_done(item, records):
                    name = f"{item.id} " if item.id else ""
                    yield ctx.finding(
                        rule,
                        f"计划条目 {name}“{item.topic}”（{item.kind}）在{period.chinese}没有对应记录。",
                        item.source,
                        period=period.label,
                        subject=item.id,
                    )


@kind(
    "talk-coverage",
    "每名党员每年至少与1名支委谈心谈话1次；每两名支委之间每年至少谈话1次；不设支委会的支部，书记与每名党员谈话。",
    params=(Param("min", "up", "int", "每年至少的次数"), Param("period", "shorter", "period", "期间"), MIN_SHARE_PARAM),
    required=("min",),
)
def talk_coverage(ctx: Context, rule: Rule):
    branch = ctx.branch
    minimum = rule.param("min")
    for period in ctx.judged_periods(rule.param("period", "year"), rule):
        talks = [t for t in branch.talks if period.contains(t.date) and t.date <= ctx.as_of]
        with_committee: dict[str, int] = {}
        pairs: dict[frozenset, int] = {}
        for t in talks:
            sitting = set(branch.committee.names_on(t.date))
            a, b = t.between
            if b in sitting:
                with_committee[a] = with_committee.get(a, 0) + 1
            if a in sitting:
                with_committee[b] = with_committee.get(b, 0) + 1
            key = frozenset(t.between)
            pairs[key] = pairs.get(key, 0) + 1
        # A branch without a committee (fewer than 7 正式党员) has only a 书记 (and perhaps a
        # 副书记): they talk with every member, and need no talk "with another 支委" themselves.
        leaders_only = not branch.committee.has_committee_on(period.end)
        exempt = set(branch.committee.names_on(period.end)) if leaders_only else set()
        with_whom = "、".join(s.role for s in branch.committee.seats_on(period.end)) if leaders_only else "支委"
        for member in branch.members:
            if not ctx.member_judged(member, period, rule):
                continue  # judged when in the branch for at least half of the period (min_share)
            if member.name not in exempt and with_committee.get(member.name, 0) < minimum:
                yield ctx.finding(
                    rule,
                    f"{period.chinese}{member.name} 与{with_whom or '支委'}谈心谈话 {with_committee.get(member.name, 0)} 次，少于 {minimum} 次。",
                    period=period.label,
                    subject=member.name,
                )
        if not branch.committee.has_committee_on(period.end):
            continue
        # Pairs of 委员 who sat together at some point of the period.
        moments = (
            {period.start, period.end}
            | {c.date for term in branch.committee.terms for c in term.changes if period.contains(c.date)}
            | {term.elected for term in branch.committee.terms if period.contains(term.elected)}
        )
        together = set()
        for moment in moments:
            names = sorted(branch.committee.names_on(moment))
            together.update(frozenset(p) for p in itertools.combinations(names, 2))
        for pair in sorted(together, key=sorted):
            if pairs.get(pair, 0) < minimum:
                a, b = sorted(pair)
                yield ctx.finding(
                    rule,
                    f"{period.chinese}支委 {a} 与 {b} 之间没有谈心谈话记录。",
                    period=period.label,
                    subject=f"{a}、{b}",
                )
