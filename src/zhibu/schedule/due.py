"""What the standard requires soon: the reminders behind ``zhibu due`` and ``zhibu calendar``.

Everything here is computed from the same rules and data as ``zhibu check``:
the frequency rules of the merged standard (so a T pack's tighter rule shows
too), counted as the rules count; the 主题党日 on the branch's calendar; the
committee's term as ``org.term-expired`` reckons it; the probation as
``member.probation-overdue`` reckons it; and the plan items not yet carried
out, by the definition of "done" that ``plan.item-not-done`` uses.

A *requirement* (meet a frequency rule in a period) is due by the period's
last day and is listed only while it is not yet met; *dated* reminders (a
plan item, the 主题党日, the term, the end of a probation) are due on their day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..model.branch import Branch
from ..model.periods import Period, add_months, add_years, periods_between
from ..model.vocabulary import TALK
from ..report.stats import requirement
from ..rules.counting import tallies
from ..rules.org import term_end
from ..rules.plans import carrying_record
from ..rules.registry import KINDS, Context, Rule
from ..rules.waivers import waiver_for
from ..standard.layers import Standard
from ..store.holidays import Calendar, theme_day_date, weekday_name

REQUIREMENT, PLAN, THEME_DAY, TERM, PROBATION = "requirement", "plan", "theme-day", "term", "probation"
_ORDER = {PROBATION: 0, TERM: 1, THEME_DAY: 2, PLAN: 3, REQUIREMENT: 4}
_MEETINGS = frozenset({"支部党员大会", "支部委员会", "党小组会", "党课", "组织生活会"})
# Rule kinds judged per period whose outstanding part is worth a reminder (besides frequency).
_PERIOD_KINDS = ("secretary-lecture", "talk-coverage")


@dataclass(frozen=True)
class DueItem:
    """One thing to do. ``date`` is the day to show it on; ``deadline`` the last day it can be done."""

    date: dt.date
    deadline: dt.date
    kind: str  # REQUIREMENT, PLAN, THEME_DAY, TERM or PROBATION
    title: str  # a few Chinese words: 支部委员会, 党小组会：第一党小组, 计划：…
    detail: str  # a Chinese sentence: what is missing and what the standard says
    key: str  # stable identity (calendar UIDs): rule code and period, plan item id, …
    code: str | None = None  # the rule it comes from
    pack: str | None = None
    done: bool = False  # plan items: carried out by a record (then ``record`` names it)
    record: str | None = None
    people: tuple[str, ...] = field(default=())  # whom it concerns, when it is about people

    @property
    def sort_key(self) -> tuple:
        return (self.date, _ORDER[self.kind], self.deadline, self.title, self.key)


def branch_calendar(root: Path | None, branch: Branch) -> tuple[Calendar, str | None]:
    """The branch's working-day calendar, or the package's with a note when holidays.yaml is broken."""
    from ..errors import ZhibuError

    try:
        return Calendar.for_branch(root, branch), None
    except ZhibuError as exc:
        return Calendar(), f"{exc.message}（已按国家法定节假日推算主题党日）"


def due_items(
    branch: Branch,
    standard: Standard,
    first: dt.date,
    last: dt.date,
    *,
    calendar: Calendar | None = None,
    as_of: dt.date | None = None,
) -> list[DueItem]:
    """Reminders due between ``first`` and ``last`` (inclusive), sorted by date.

    With ``as_of`` (``zhibu due``), what was due before it and is still pending
    (a term that has run out, a probation that has ended) is included too, and
    waivers that expired before it no longer count. Without it (``zhibu calendar``)
    the result depends on the data alone.
    """
    calendar = calendar or Calendar()
    if as_of is not None:
        branch = known_on(branch, as_of)
    ctx = Context(branch, first, first, last, standard.rules, holidays=calendar)
    items: list[DueItem] = []
    for rule in standard.rules.values():
        if rule.kind == "frequency":
            items.extend(_frequency(ctx, rule, first, last, as_of))
        elif rule.kind in _PERIOD_KINDS:
            items.extend(_period_rule(ctx, rule, first, last, as_of))
    items.extend(_plan_items(branch, first, last))
    items.extend(_term(ctx, standard, first, last, as_of))
    items.extend(_probation(branch, standard, first, last, as_of))
    return sorted(items, key=lambda item: item.sort_key)


def known_on(branch: Branch, day: dt.date) -> Branch:
    """The branch as it stood on ``day``: records and talks dated later do not count yet.

    ``zhibu due --as-of`` asks what was still to do on that day, as ``zhibu check --as-of``
    judges only what had happened by it; a record of a later date (the demo's whole year, or a
    meeting registered in advance) must not make a requirement look met.
    """
    return replace(
        branch,
        records=tuple(r for r in branch.records if r.date <= day),
        talks=tuple(t for t in branch.talks if t.date <= day),
    )


# --- requirements of the standard ------------------------------------------------------------


def _periods(ctx: Context, kind: str, rule: Rule | None = None) -> list[Period]:
    """Periods of ``kind`` whose last day falls in the range and which the check judges
    for the branch's founding date (:meth:`Context.judged_periods` with ``upcoming``)."""
    return ctx.judged_periods(kind, rule, upcoming=True)


def _waived(ctx: Context, code: str, period: Period, as_of: dt.date | None) -> bool:
    """A waiver for the branch as a whole covers the period (a waiver for one member leaves the
    requirement due for the others): :func:`zhibu.rules.waivers.waiver_for`, as the check asks."""
    return waiver_for(ctx.branch.waivers, code, period, None, as_of=as_of) is not None


def _frequency(ctx: Context, rule: Rule, first, last, as_of) -> list[DueItem]:
    minimum = rule.param("min")
    label = rule.param("counts_as") or rule.param("type")
    out = []
    for period in _periods(ctx, rule.param("period"), rule):
        if _waived(ctx, rule.code, period, as_of):
            continue
        # What the frequency rule counts, from the same call (rules/counting.py).
        counts = tallies(ctx, rule, period)
        standard_text = requirement(rule)
        if rule.param("per") == "member":
            short = [name for name, count in counts if count < minimum]
            if short:
                shown = "、".join(short[:8]) + (f"等 {len(short)} 人" if len(short) > 8 else "")
                out.append(
                    DueItem(
                        period.end,
                        period.end,
                        REQUIREMENT,
                        label,
                        f"{period.chinese}尚未达到要求：{shown}。标准：{standard_text}",
                        f"{rule.code}/{period.label}",
                        rule.code,
                        rule.pack,
                        people=tuple(short),
                    )
                )
            continue
        for subject, count in counts:
            if count < minimum:
                out.append(_requirement(ctx, rule, period, label, count, standard_text, subject=subject))
    return out


def _requirement(ctx: Context, rule: Rule, period: Period, label: str, count: int, standard_text: str, subject=None) -> DueItem:
    verb = "召开" if label in _MEETINGS else "开展"
    if count:
        so_far = f"已{verb} {count} 次，还差 {rule.param('min') - count} 次"
    else:
        so_far = f"尚无计为{label}的记录" if rule.param("counts_as") else f"尚未{verb}"
    title = label + ("（一表）" if rule.param("counts_as") else "") + (f"：{subject}" if subject else "")
    detail = f"{period.chinese}{so_far}。标准：{standard_text}"
    date = period.end
    kind = REQUIREMENT
    spec = ctx.branch.config.theme_day
    if label == "主题党日" and period.kind == "month" and spec is not None and not subject:
        fixed = theme_day_date(spec, period.year, period.index, ctx.holidays)
        detail += f"。支部固定日：{spec.chinese}，本月为 {fixed.date}（{weekday_name(fixed.date)}）"
        if fixed.note:
            detail += f"；{fixed.note}"
        date, kind = fixed.date, THEME_DAY
    key = f"{rule.code}/{period.label}" + (f"/{subject}" if subject else "")
    return DueItem(date, period.end, kind, title, detail, key, rule.code, rule.pack)


def _period_rule(ctx: Context, rule: Rule, first, last, as_of) -> list[DueItem]:
    """A rule judged per period (书记讲党课, 谈心谈话): what it would report if the period ended
    with the records as they are now."""
    evaluate = KINDS[rule.kind].evaluate
    out = []
    for period in _periods(ctx, rule.param("period", "year"), rule):
        if _waived(ctx, rule.code, period, as_of):
            continue
        judged = Context(ctx.branch, period.end, period.start, period.end, ctx.rules, holidays=ctx.holidays)
        findings = list(evaluate(judged, rule))
        if not findings:
            continue
        messages = [f.message.removeprefix(period.chinese).rstrip("。") for f in findings]
        shown = "；".join(messages[:3]) + (f"……共 {len(messages)} 项" if len(messages) > 3 else "")
        people = tuple(dict.fromkeys(f.subject for f in findings if f.subject))
        title = "书记讲党课" if rule.kind == "secretary-lecture" else TALK
        detail = f"{period.chinese}{shown}。标准：{rule.title}（{rule.pack}）"
        out.append(
            DueItem(
                period.end,
                period.end,
                REQUIREMENT,
                title,
                detail,
                f"{rule.code}/{period.label}",
                rule.code,
                rule.pack,
                people=people,
            )
        )
    return out


# --- the plan, the term, the probation --------------------------------------------------------


def _plan_items(branch: Branch, first, last) -> list[DueItem]:
    out = []
    for plan in branch.plans:
        for period in periods_between("month", first, last):
            if period.year != plan.year or not (first <= period.end and period.start <= last):
                continue
            records = [r for r in branch.records if period.contains(r.date)]
            counters: dict[str, int] = {}
            for item in plan.items_of(period.index):
                counters[item.kind] = counters.get(item.kind, 0) + 1
                date = item.date or period.end
                # A planned day that has passed still leaves the rest of the month to do it.
                if date > last or period.end < first:
                    continue
                carried = carrying_record(item, records)
                what = f"{item.kind}：{item.topic}"
                detail_parts = [f"{plan.year}年{period.index}月计划"]
                if item.type:
                    detail_parts.append(f"类型 {item.type}")
                detail_parts.append(f"计划日期 {item.date}" if item.date else "本月内完成，未定具体日期")
                if item.owner:
                    detail_parts.append(f"责任人 {item.owner}")
                if item.id:
                    detail_parts.append(f"条目 {item.id}")
                if carried is not None:
                    detail_parts.append(f"已由 {carried.source.path} 落实")
                key = f"plan/{item.id}" if item.id else f"plan/{period.label}/{item.kind}/{counters[item.kind]}"
                out.append(
                    DueItem(
                        date,
                        period.end,
                        PLAN,
                        f"计划{what}",
                        "，".join(detail_parts),
                        key,
                        "plan.item-not-done",
                        done=carried is not None,
                        record=carried.source.path if carried is not None else None,
                        people=(item.owner,) if item.owner else (),
                    )
                )
    return out


def _term(ctx: Context, standard: Standard, first, last, as_of) -> list[DueItem]:
    committee = ctx.branch.committee
    if not committee.terms:
        return []
    term = committee.terms[-1]
    expired = standard.rules.get("org.term-expired")
    expiring = standard.rules.get("org.term-expiring")
    rule = expired or expiring
    if rule is None:
        return []
    ends = term_end(ctx, rule, term)
    out = []
    if first <= ends <= last or (as_of is not None and ends < as_of):
        late = as_of is not None and ends < as_of
        detail = f"{term.elected} 选举的支部委员会任期{'已于' if late else '将于'} {ends} 届满，应按期换届"
        detail += "；经上级批准延期的，在 committee.yaml 中写 extended_to" if late else "（召开支部党员大会选举新一届委员会）"
        out.append(DueItem(ends, ends, TERM, "支委会任期届满", detail, f"term-end/{term.elected}", rule.code, rule.pack))
    if expiring is not None and ends >= (as_of or first):
        months = expiring.param("months_before")
        prepare = add_months(ends, -months)
        if first <= prepare <= last and prepare > term.elected:
            detail = f"任期将于 {ends} 届满，标准要求提前 {months} 个月做好换届准备（向上级请示、酝酿候选人）"
            out.append(
                DueItem(prepare, ends, TERM, "换届准备", detail, f"term-prepare/{term.elected}", expiring.code, expiring.pack)
            )
    return out


def _probation(branch: Branch, standard: Standard, first, last, as_of) -> list[DueItem]:
    rule = standard.rules.get("member.probation-overdue")
    extended = {a.name: a.extended_to for a in branch.applicants if a.extended_to}
    out = []
    for member in branch.members:
        if member.status != "预备党员" or member.admitted is None:
            continue
        ends = extended.get(member.name) or add_years(member.admitted, 1)
        if not member.counted_on(as_of or ends):
            continue
        late = as_of is not None and ends < as_of
        if not (first <= ends <= last or late):
            continue
        longer = "（延长预备期）" if member.name in extended else ""
        detail = (
            f"{member.name} {member.admitted} 入党，预备期{longer}{'已于' if late else '于'} {ends} 期满，"
            "应及时召开支部党员大会讨论能否转为正式党员，转正后更新名册"
        )
        out.append(
            DueItem(
                ends,
                ends,
                PROBATION,
                f"预备期满：{member.name}",
                detail,
                f"probation/{member.name}/{member.admitted}",
                rule.code if rule else None,
                rule.pack if rule else None,
                people=(member.name,),
            )
        )
    return out
