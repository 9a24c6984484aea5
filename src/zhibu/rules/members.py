"""Rules about members (党员): taking part in organisational life, probation, development, dues."""

from __future__ import annotations

import datetime as dt

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
    """Whole months up to the end of the range (ended by the as-of date), from a year before it,
    and not before the branch was founded."""
    first = add_months(ctx.start, -LOOKBACK_MONTHS)
    founded = ctx.branch.config.founded
    return [m for m in periods_between("month", first, ctx.end) if m.end <= ctx.as_of and not (founded and m.end < founded)]


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


def _probation_ends(member, extended: dict):
    """预备期满 of a member: one year after admission, or the approved end of an extension."""
    return extended.get(member.name) or add_years(member.admitted, 1)


@kind(
    "probation",
    "预备期满应及时讨论转正（或延长预备期）：期满仍为预备党员的即报告；已讨论的，晚于期满规定月数的报告。",
    params=(Param("discuss_within_months", "down", "int", "预备期满后几个月内讨论转正"),),
)
def probation(ctx: Context, rule: Rule):
    branch = ctx.branch
    extended = {a.name: a.extended_to for a in branch.applicants if a.extended_to}
    extensions = branch.decisions_about("延长预备期")
    cancelled = branch.decisions_about("取消预备党员资格")
    for member in branch.members_on(ctx.as_of):
        if member.status != "预备党员" or member.admitted is None:
            continue
        if (member.name in extensions and member.name not in extended) or member.name in cancelled:
            continue  # decided, but not recorded as such: member.probation-outcome reports that
        due = _probation_ends(member, extended)
        if due < ctx.as_of:
            yield ctx.finding(
                rule,
                f"预备党员 {member.name} {member.admitted} 入党，预备期已于 {due} 期满，名册中仍为预备党员。",
                member.source.at("status"),
                subject=member.name,
            )
    # Seen after the fact: the conversion was discussed, but late (the member may be full by now).
    months = rule.param("discuss_within_months", 1)
    for name, day, due, resolution in _conversions_in_range(ctx, extended):
        if name in extensions and name not in extended:
            continue  # extended, but the new end is not recorded: member.probation-outcome reports that
        if day > add_months(due, months):
            yield ctx.finding(
                rule,
                f"预备党员 {name} 的预备期于 {due} 期满，{day} 才召开支部党员大会讨论转正，晚于期满 {months} 个月以上。",
                resolution.source,
                period=_month_label(day),
                subject=name,
            )


def _conversions_in_range(ctx: Context, extended: dict):
    """(name, meeting day, end of probation, resolution) for each conversion a 党员大会 of the
    checked range decided, of a member of the roster: what the timing rules judge."""
    branch = ctx.branch
    decisions = branch.decisions_about("预备党员转正")
    for name, day in sorted(branch.conversion_meetings().items()):
        member = branch.member(name)
        if member is None or member.admitted is None or not (ctx.start <= day <= ctx.end):
            continue
        resolution = next(res for r, res in decisions[name] if r.date == day)
        yield name, day, _probation_ends(member, extended), resolution


def _month_label(day) -> str:
    return Period.containing("month", day).label


@kind("full-since", "正式党员的转正日期（full_since）应为预备期满之日（党龄自预备期满转为正式党员之日算起）。")
def full_since(ctx: Context, rule: Rule):
    branch = ctx.branch
    extended = {a.name: a.extended_to for a in branch.applicants if a.extended_to}
    extensions = branch.decisions_about("延长预备期")
    meetings = branch.conversion_meetings()
    for member in branch.members:
        if member.status != "正式党员" or member.full_since is None or member.admitted is None:
            continue
        meeting = meetings.get(member.name)
        # Judged when this branch decided the conversion in the range, or it took effect here in the range.
        when = meeting or member.full_since
        if not (ctx.start <= when <= ctx.end) or (meeting is None and member.joined > member.full_since):
            continue
        on_time = add_years(member.admitted, 1)
        if member.name in extended:
            expected, fits = extended[member.name], member.full_since == extended[member.name]
        elif member.name in extensions:
            # Extended without a recorded end: any end six months to a year after 预备期满 fits.
            expected = f"{add_months(on_time, 6)} 至 {add_years(on_time, 1)} 之间（延长后的预备期满）"
            fits = add_months(on_time, 6) <= member.full_since <= add_years(on_time, 1)
        else:
            expected, fits = on_time, member.full_since == on_time
        if fits:
            continue
        later = member.name not in extended and member.name not in extensions and member.full_since > on_time
        note = "；如曾延长预备期，在 development.yaml 中记录 full: {extended_to: 日期}" if later else ""
        yield ctx.finding(
            rule,
            f"{member.name} {member.admitted} 入党，转正日期应为预备期满的 {expected}，名册中为 {member.full_since}{note}。",
            member.source.at("full_since"),
            subject=member.name,
        )
    # The development ledger's 转正日期 says the same as the roster.
    for person in branch.applicants:
        member = branch.member(person.name)
        if person.full is None or member is None or member.full_since is None or person.full == member.full_since:
            continue
        if ctx.start <= person.full <= ctx.end or ctx.start <= member.full_since <= ctx.end:
            yield ctx.finding(
                rule,
                f"development.yaml 中 {person.name} 的转正日期为 {person.full}，名册中为 {member.full_since}，两处应一致（预备期满之日）。",
                person.source.at("full"),
                subject=person.name,
            )


@kind("conversion-early", "讨论转正的支部党员大会不得早于预备期满之日。")
def conversion_early(ctx: Context, rule: Rule):
    branch = ctx.branch
    extended = {a.name: a.extended_to for a in branch.applicants if a.extended_to}
    for name, day, due, resolution in _conversions_in_range(ctx, extended):
        if day < due:
            yield ctx.finding(
                rule,
                f"{day} 支部党员大会讨论 {name} 转正，其预备期到 {due} 才期满，提前了 {(due - day).days} 天。",
                resolution.source,
                period=_month_label(day),
                subject=name,
            )


@kind("probation-extension", "延长预备期只能一次，时间不少于半年、最长不超过一年。")
def probation_extension(ctx: Context, rule: Rule):
    branch = ctx.branch
    admitted = {m.name: m.admitted for m in branch.members if m.admitted}
    pending = {m.name for m in branch.members_on(ctx.as_of) if m.status == "预备党员"}
    extensions = branch.decisions_about("延长预备期")
    for person in branch.applicants:
        start = person.admitted or admitted.get(person.name)
        if person.extended_to is None or start is None:
            continue
        on_time = add_years(start, 1)
        decided = [r.date for r, _ in extensions.get(person.name, ())]
        # A probation still running is judged now; a finished one in the range it ended or was decided in.
        if person.name not in pending and not any(ctx.start <= d <= ctx.end for d in [on_time, *decided]):
            continue
        low, high = add_months(on_time, 6), add_years(on_time, 1)
        if not (low <= person.extended_to <= high):
            yield ctx.finding(
                rule,
                f"{person.name} 的预备期于 {on_time} 期满，延长至 {person.extended_to}；延长时间应不少于半年、不超过一年（{low} 至 {high}）。",
                person.source.at("full"),
                subject=person.name,
            )
    for name, decided in sorted(extensions.items()):
        judged = name in pending or any(ctx.start <= r.date <= ctx.end for r, _ in decided[1:])
        if len(decided) > 1 and judged and decided[1][0].date <= ctx.as_of:
            record, resolution = decided[1]
            yield ctx.finding(
                rule,
                f"{name} 的预备期已于 {decided[0][0].date} 延长过一次，{record.date} 又作出延长预备期的决议；预备期只能延长一次。",
                resolution.source,
                period=_month_label(record.date),
                subject=name,
            )


@kind("probation-outcome", "延长预备期、取消预备党员资格的决议应记入发展党员台账和名册。")
def probation_outcome(ctx: Context, rule: Rule):
    branch = ctx.branch
    extended = {a.name for a in branch.applicants if a.extended_to}
    for name, decided in sorted(branch.decisions_about("延长预备期").items()):
        record, resolution = decided[-1]
        member = branch.member(name)
        # Judged while the member is still 预备 (converted since: the extension has run its course).
        if member is None or member.status != "预备党员" or record.date > ctx.as_of:
            continue
        if name not in extended:
            yield ctx.finding(
                rule,
                f"{record.date} 支部党员大会决议延长 {name} 的预备期，development.yaml 中没有记录延长至何时。",
                resolution.source,
                period=_month_label(record.date),
                subject=name,
            )
    for name, decided in sorted(branch.decisions_about("取消预备党员资格").items()):
        record, resolution = decided[0]
        member = branch.member(name)
        if member is None or record.date > ctx.as_of:
            continue
        if not (ctx.start <= record.date <= ctx.end) and not member.counted_on(ctx.as_of):
            continue  # decided outside the range and off the roster by now: nothing left to report
        if member.status == "正式党员" or member.left is None:
            yield ctx.finding(
                rule,
                f"{record.date} 支部党员大会决议取消 {name} 的预备党员资格，名册中仍在册（应写明 left 及原因）。",
                member.source.at("left") if member.left else member.source,
                period=_month_label(record.date),
                subject=name,
            )


@kind(
    "development-period",
    "确定为入党积极分子满规定的培养期（按日历年计，不是365天）后才能列为发展对象。",
    params=(
        Param("years", "up", "int", "培养期年数，按日历计：2024-02-29 起的一年到 2025-02-28 满"),
        Param("min_days", "up", "int", "另设的最少天数（规则包可加）"),
    ),
)
def development_period(ctx: Context, rule: Rule):
    years, min_days = rule.param("years"), rule.param("min_days")
    for person in ctx.branch.applicants:
        if person.activist and person.candidate and ctx.start <= person.candidate <= ctx.end:
            days = (person.candidate - person.activist).days
            due = add_years(person.activist, years) if years else None
            if (due is not None and person.candidate < due) or (min_days is not None and days < min_days):
                wanted = f"培养满{years}年最早在 {due}" if due is not None and person.candidate < due else f"不足 {min_days} 天"
                yield ctx.finding(
                    rule,
                    f"{person.name} {person.activist} 确定为入党积极分子，{person.candidate} 即列为发展对象，只隔 {days} 天（{wanted}）。",
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


class _DuesBook:
    """Who owed which month and when each month was paid, across the years' ledgers.

    A month is owed by a member counted in it from the month :meth:`Member.dues_owed_from`
    names (and not before the branch was founded). A payment's ``date`` says when its
    months were paid; an undated payment is taken as paid in each month it covers.
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.ledgers = {ledger.year: ledger for ledger in ctx.branch.dues}
        self.paid: dict[str, dict[tuple[int, int], dt.date]] = {}  # name -> month -> earliest day paid
        self.payment_months: dict[str, set[tuple[int, int]]] = {}  # name -> months with a payment made in them
        self.payment_at: dict[tuple[str, tuple[int, int]], object] = {}  # (name, month paid) -> the payment
        for ledger in ctx.branch.dues:
            for payment in ledger.paid:
                for month in payment.months:
                    key = (ledger.year, month)
                    made = payment.date or _month_end(key)
                    if made > ctx.as_of:
                        continue  # not paid yet on the as-of date (record.future-date reports it)
                    known = self.paid.setdefault(payment.name, {})
                    if key not in known or made < known[key]:
                        known[key] = made
                        self.payment_at[(payment.name, key)] = payment
                    self.payment_months.setdefault(payment.name, set()).add((made.year, made.month))

    def known(self, month: Period) -> bool:
        return month.year in self.ledgers

    def owes(self, member, month: Period) -> bool:
        founded = self.ctx.branch.config.founded
        if founded and month.end < founded:
            return False
        if (month.year, month.index) < member.dues_owed_from():
            return False
        return member.joined <= month.end and (member.left is None or member.left.date > month.start)

    def paid_by(self, member, key: tuple[int, int], day: dt.date) -> bool:
        made = self.paid.get(member.name, {}).get(key)
        return made is not None and made <= day

    def paid_on(self, member, key: tuple[int, int]) -> dt.date | None:
        return self.paid.get(member.name, {}).get(key)


def _month_end(key: tuple[int, int]) -> dt.date:
    return Period(key[0], "month", key[1]).end


@kind(
    "dues",
    "党费按月交纳：某月期满未交（设 months 时为连续若干个月没有交纳任何党费，事后一次补交的也算）。",
    params=(Param("months", "down", "int", "连续未交的月数（不设则逐月检查）"),),
    instantiable=True,
)
def dues(ctx: Context, rule: Rule):
    book = ctx.shared("dues-book", lambda: _DuesBook(ctx))
    if not book.ledgers:
        return  # without a dues ledger nothing is known about payments
    streak = rule.param("months")
    # Months of a longer streak that a stricter dues rule reports are not reported again here.
    stricter = [
        r.param("months")
        for r in ctx.rules.values()
        if r.kind == "dues"
        and r.param("months")
        and (streak is None or r.param("months") > streak)
        and r.severity >= rule.severity
    ]
    months = _months_to_judge(ctx)

    def unpaid(member, month: Period):
        """Owed and not paid by the as-of date (the monthly rule)."""
        if not book.known(month):
            return None  # no ledger for that year: unknown, not unpaid
        return book.owes(member, month) and not book.paid_by(member, (month.year, month.index), ctx.as_of)

    def without_payment(member, month: Period):
        """A month in which the member owed dues, had not paid that month's by its end and paid
        nothing in it (党章第九条 "不交纳党费"): paying several months late in one lump does
        not undo the months without payment; paying ahead does not leave months without."""
        if not book.known(month):
            return None
        key = (month.year, month.index)
        if not book.owes(member, month):
            return False
        return not book.paid_by(member, key, month.end) and key not in book.payment_months.get(member.name, ())

    for member in ctx.branch.members:
        if streak is None:
            runs = _streaks(months, lambda month, member=member: without_payment(member, month))
            reported = {m.label for run in runs if run[-1].end >= ctx.start and any(len(run) >= n for n in stricter) for m in run}
            for month in months:
                if month.start >= ctx.start and month.label not in reported and unpaid(member, month):
                    ledger = book.ledgers[month.year]
                    yield ctx.finding(
                        rule,
                        f"{member.name} {month.chinese}党费未交纳。",
                        ledger.source.at("monthly", member.name),
                        period=month.label,
                        subject=member.name,
                    )
            continue
        runs = _streaks(months, lambda month, member=member: without_payment(member, month))
        for run in runs:
            if any(len(run) >= longer for longer in stricter):
                continue
            if len(run) >= streak and run[-1].end >= ctx.start:
                ledger = book.ledgers[run[-1].year]
                where = ledger.source.at("monthly", member.name)
                message = f"{member.name} {_span(run)}连续 {len(run)} 个月未交纳党费"
                first_key = (run[0].year, run[0].index)
                late = book.paid_on(member, first_key)
                if late is not None:
                    payment = book.payment_at.get((member.name, first_key))
                    where = payment.source if payment is not None else where
                    message += f"，{late} 才补交（补交党费的时间一般不得超过6个月）"
                yield ctx.finding(rule, message + "。", where, period=run[-1].label, subject=member.name)


@kind(
    "dues-amount",
    "党费足额交纳：一次交纳的金额少于党费账中核定的月交纳额乘以所交月数。",
)
def dues_amount(ctx: Context, rule: Rule):
    for ledger in ctx.branch.dues:
        if not (ctx.start.year <= ledger.year <= ctx.end.year):
            continue
        assessed = dict(ledger.monthly)
        for payment in ledger.paid:
            monthly = assessed.get(payment.name)
            if monthly is None or payment.amount is None:
                continue  # nothing to compare with
            due = round(monthly * len(payment.months), 2)
            if payment.amount + 0.005 < due:
                months = "、".join(f"{m}月" for m in payment.months)
                yield ctx.finding(
                    rule,
                    f"{payment.name} 交纳 {ledger.year}年{months}党费 {payment.amount:.2f} 元，少于核定的 {due:.2f} 元（每月 {monthly:.2f} 元）。",
                    payment.source.at("amount"),
                    period=Period(ledger.year, "month", max(payment.months)).label,
                    subject=payment.name,
                )


@kind(
    "dues-published",
    "党支部每年至少向党员公布1次党费收缴、使用情况（有当年党费账的年份，须有一条写明 dues_published: true 的当年记录）。",
)
def dues_published(ctx: Context, rule: Rule):
    ledgers = {ledger.year: ledger for ledger in ctx.branch.dues}
    for period in ctx.judged_periods("year", rule):
        ledger = ledgers.get(period.year)
        if ledger is None:
            continue  # dues not kept in this repository for that year: nothing to publish from it
        if any(r.dues_published for r in ctx.records_in(period)):
            continue
        yield ctx.finding(
            rule,
            f"{period.chinese}没有向党员公布党费收缴、使用情况的记录。",
            ledger.source,
            period=period.label,
        )
