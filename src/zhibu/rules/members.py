"""Rules about members (党员): taking part in organisational life, probation, development, dues."""

from __future__ import annotations

from ..model.periods import Period, add_months, add_years, periods_between
from ..model.vocabulary import ORGANISATIONAL_LIFE
from .registry import Context, Param, Rule, kind

LOOKBACK_MONTHS = 12  # streaks may begin before the checked range (standard-b.md)


def _streaks(months: list[Period], bad) -> list[list[Period]]:
    """Maximal runs of consecutive months for which ``bad(month)`` holds; ``None`` breaks a run."""
    runs, current = [], []
    for month in months:
        verdict = bad(month)
        if verdict:
            current.append(month)
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _months_to_judge(ctx: Context) -> list[Period]:
    """Whole months up to the end of the range (ended by the as-of date), from a year before it."""
    first = add_months(ctx.start, -LOOKBACK_MONTHS)
    return [m for m in periods_between("month", first, ctx.end) if m.end <= ctx.as_of]


def _span(run: list[Period]) -> str:
    return f"{run[0].chinese}至{run[-1].chinese}" if len(run) > 1 else run[0].chinese


def _months_attended(ctx: Context, first: Period | None) -> dict[str, set[tuple[int, int]]]:
    """(year, month) pairs in which each person attended a record of organisational life."""
    attended: dict[str, set[tuple[int, int]]] = {}
    if first is None:
        return attended
    for record in ctx.branch.records:
        if record.date >= first.start and ORGANISATIONAL_LIFE.intersection(record.types):
            month = (record.date.year, record.date.month)
            for name in record.attendees:
                attended.setdefault(name, set()).add(month)
    return attended


@kind(
    "inactivity",
    "党员连续若干个整月未参加任何组织生活（三会一课、主题党日、组织生活会、民主评议、集中学习）。",
    params=(Param("months", "down", "int", "连续月数"),),
    required=("months",),
    instantiable=True,
)
def inactivity(ctx: Context, rule: Rule):
    threshold = rule.param("months")
    # A longer streak that a stricter inactivity rule reports is not reported again here.
    stricter = [
        r.param("months")
        for r in ctx.rules.values()
        if r.kind == "inactivity" and r.param("months") > threshold and r.severity >= rule.severity
    ]
    if not ctx.branch.records:
        return  # no records at all: nothing is known about attendance
    # Months before the branch's first record are unknown, not empty: the records may
    # simply have been kept elsewhere before the branch moved to zhibu.
    first_record = Period.containing("month", ctx.branch.records[0].date)
    months = [m for m in _months_to_judge(ctx) if m >= first_record]
    attended = ctx.shared("organisational-life", lambda: _months_attended(ctx, months[0] if months else None))
    for member in ctx.branch.members:
        seen = attended.get(member.name, frozenset())

        def inactive(month: Period, member=member, seen=seen):
            whole = member.counted_on(month.start) and member.counted_on(month.end)
            return whole and (month.year, month.index) not in seen

        for run in _streaks(months, inactive):
            if len(run) < threshold or run[-1].end < ctx.start:
                continue
            if any(len(run) >= longer for longer in stricter):
                continue
            yield ctx.finding(
                rule,
                f"{member.name} {_span(run)}连续 {len(run)} 个月未参加组织生活。",
                member.source,
                period=run[-1].label,
                subject=member.name,
            )


@kind("probation", "预备期满一年应及时讨论转正（或延长预备期）。")
def probation(ctx: Context, rule: Rule):
    extended = {a.name: a.extended_to for a in ctx.branch.applicants if a.extended_to}
    for member in ctx.branch.members_on(ctx.as_of):
        if member.status != "预备党员" or member.admitted is None:
            continue
        due = add_years(member.admitted, 1)
        if extended.get(member.name):
            due = extended[member.name]
        if due < ctx.as_of:
            yield ctx.finding(
                rule,
                f"预备党员 {member.name} {member.admitted} 入党，预备期已于 {due} 期满，名册中仍为预备党员。",
                member.source.at("status"),
                subject=member.name,
            )


@kind(
    "development-period",
    "确定为入党积极分子满规定天数后才能列为发展对象。",
    params=(Param("min_days", "up", "int", "积极分子培养的最少天数"),),
    required=("min_days",),
)
def development_period(ctx: Context, rule: Rule):
    for person in ctx.branch.applicants:
        if person.activist and person.candidate and ctx.start <= person.candidate <= ctx.end:
            days = (person.candidate - person.activist).days
            if days < rule.param("min_days"):
                yield ctx.finding(
                    rule,
                    f"{person.name} {person.activist} 确定为入党积极分子，{person.candidate} 即列为发展对象，只隔 {days} 天。",
                    person.source.at("candidate"),
                    subject=person.name,
                )


@kind(
    "development-talk",
    "收到入党申请书后规定时间内应派人谈话。",
    params=(Param("months", "down", "int", "几个月内谈话"),),
    required=("months",),
)
def development_talk(ctx: Context, rule: Rule):
    for person in ctx.branch.applicants:
        if person.applied is None:
            continue
        deadline = add_months(person.applied, rule.param("months"))
        if not (ctx.start <= deadline <= ctx.end) and not (person.talked and ctx.start <= person.talked <= ctx.end):
            continue
        if person.talked is None and deadline < ctx.as_of:
            yield ctx.finding(
                rule,
                f"{person.name} {person.applied} 递交入党申请书，至 {ctx.as_of} 尚未谈话。",
                person.source.at("applied"),
                subject=person.name,
            )
        elif person.talked is not None and person.talked > deadline:
            yield ctx.finding(
                rule,
                f"{person.name} {person.applied} 递交入党申请书，{person.talked} 才谈话，超过 {rule.param('months')} 个月。",
                person.source.at("talked"),
                subject=person.name,
            )


@kind(
    "dues",
    "党费按月交纳：某月期满未交（设 months 时为连续若干个月未交）。",
    params=(Param("months", "down", "int", "连续未交的月数（不设则逐月检查）"),),
    instantiable=True,
)
def dues(ctx: Context, rule: Rule):
    ledgers = {ledger.year: ledger for ledger in ctx.branch.dues}
    if not ledgers:
        return  # without a dues ledger nothing is known about payments
    streak = rule.param("months")
    # Months of a longer streak that a stricter dues rule reports are not reported again here.
    stricter = [
        r.param("months")
        for r in ctx.rules.values()
        if r.kind == "dues" and r.param("months") and (streak is None or r.param("months") > streak) and r.severity >= rule.severity
    ]

    def unpaid(member, month: Period):
        ledger = ledgers.get(month.year)
        if ledger is None:
            return None  # no ledger for that year: unknown, not unpaid
        counted = member.joined <= month.end and (member.left is None or member.left.date > month.start)
        return counted and month.index not in ledger.months_paid(member.name)

    months = _months_to_judge(ctx)
    for member in ctx.branch.members:
        runs = _streaks(months, lambda month, member=member: unpaid(member, month))
        if streak is None:
            reported = {m.label for run in runs if run[-1].end >= ctx.start and any(len(run) >= n for n in stricter) for m in run}
            for month in months:
                if month.start >= ctx.start and month.label not in reported and unpaid(member, month):
                    ledger = ledgers[month.year]
                    yield ctx.finding(
                        rule,
                        f"{member.name} {month.chinese}党费未交纳。",
                        ledger.source.at("monthly", member.name),
                        period=month.label,
                        subject=member.name,
                    )
            continue
        for run in runs:
            if any(len(run) >= longer for longer in stricter):
                continue
            if len(run) >= streak and run[-1].end >= ctx.start:
                ledger = ledgers[run[-1].year]
                yield ctx.finding(
                    rule,
                    f"{member.name} {_span(run)}连续 {len(run)} 个月未交纳党费。",
                    ledger.source.at("monthly", member.name),
                    period=run[-1].label,
                    subject=member.name,
                )

