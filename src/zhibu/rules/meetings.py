"""Rules about how meetings are held: who lectures, which day, quorum, votes, who decides, who hosts."""

from __future__ import annotations

from ..holidays import theme_day_date
from ..model.findings import Severity
from ..model.periods import Period
from .registry import Context, Param, Rule, kind


def _month(record) -> str:
    return Period.containing("month", record.date).label


@kind(
    "secretary-lecture",
    "支部书记每年至少讲一次党课（记录中 lecturer 为当日书记）。",
    params=(Param("min", "up", "int", "每年至少的次数"), Param("period", "shorter", "period", "期间")),
    required=("min",),
)
def secretary_lecture(ctx: Context, rule: Rule):
    branch = ctx.branch
    for period in ctx.judged_periods(rule.param("period", "year")):
        secretaries = {branch.secretary_on(d) for d in (period.start, period.end)} - {None}
        if not secretaries:
            continue  # no 书记 to lecture: org.secretary-vacant reports that
        count = sum(
            1
            for r in ctx.records_in(period)
            if r.has_type("党课") and r.lecturer and r.lecturer == branch.secretary_on(r.date)
        )
        if count < rule.param("min"):
            who = "、".join(sorted(secretaries))
            yield ctx.finding(
                rule,
                f"{period.chinese}书记（{who}）讲党课 {count} 次，少于标准的 {rule.param('min')} 次。",
                period=period.label,
                subject=who,
            )


@kind("theme-day-fixed", "主题党日应在 zhibu.yaml 的 theme_day 规定的固定日举行。")
def theme_day_fixed(ctx: Context, rule: Rule):
    spec = ctx.branch.config.theme_day
    if spec is None:
        return
    by_month: dict[str, list] = {}
    for record in ctx.records_in_range():
        if record.has_type("主题党日"):
            by_month.setdefault(_month(record), []).append(record)
    for month, records in sorted(by_month.items()):
        first = records[0]
        # The same date `zhibu plan new` puts in the plan (a shift never leaves the month).
        expected = theme_day_date(spec, first.date.year, first.date.month, ctx.holidays).date
        if any(r.date == expected for r in records):
            continue
        yield ctx.finding(
            rule,
            f"{month} 的主题党日在 {first.date}，不在支部规定的固定日（{spec.chinese}：{expected}）。",
            first.source.at("date"),
            period=month,
        )


def _present(record, names) -> int:
    attendees = set(record.attendees)
    return sum(1 for name in names if name in attendees)


@kind("quorum", "支部党员大会表决须有半数以上有表决权的党员到会；支委会须有半数以上委员到会。")
def quorum(ctx: Context, rule: Rule):
    branch = ctx.branch
    for record in ctx.records_in_range():
        if record.has_type("支部党员大会") and record.resolutions:
            voters = [m.name for m in branch.voters_on(record.date)]
            present = _present(record, voters)
            if voters and present * 2 <= len(voters):
                yield ctx.finding(
                    rule,
                    f"支部党员大会作出决议，但到会有表决权的党员 {present} 人，未超过应到 {len(voters)} 人的半数。",
                    record.source.at("attendees"),
                    period=_month(record),
                )
        if record.has_type("支部委员会"):
            committee = branch.committee.names_on(record.date)
            present = _present(record, committee)
            if committee and present * 2 < len(committee):
                yield ctx.finding(
                    rule,
                    f"支部委员会到会委员 {present} 人，未超过委员 {len(committee)} 人的半数。",
                    record.source.at("attendees"),
                    period=_month(record),
                )
            elif committee and present * 2 == len(committee):
                # "须有半数以上委员到会": whether 以上 includes exactly half is read both ways;
                # the inclusive reading is common, so exactly half is a warning, not an error.
                yield ctx.finding(
                    rule,
                    f"支部委员会到会委员 {present} 人，恰好是委员 {len(committee)} 人的半数（“半数以上”是否含半数有不同理解）。",
                    record.source.at("attendees"),
                    period=_month(record),
                    severity=Severity(max(Severity.INFO, rule.severity - 10)),
                )


@kind("vote", "决议通过须赞成票超过应到会有表决权党员（支委会为全体委员）的半数。")
def vote(ctx: Context, rule: Rule):
    branch = ctx.branch
    for record in ctx.records_in_range():
        if record.has_type("支部党员大会"):
            body, electorate = "应到会有表决权的党员", len(branch.voters_on(record.date))
        elif record.has_type("支部委员会"):
            body, electorate = "委员", len(branch.committee.names_on(record.date))
        else:
            continue
        for resolution in record.resolutions:
            if not resolution.adopted or resolution.votes is None or electorate == 0:
                continue
            if resolution.votes.for_ * 2 <= electorate:
                yield ctx.finding(
                    rule,
                    f"决议“{resolution.text}”赞成 {resolution.votes.for_} 票，未超过{body} {electorate} 人的半数，却记为通过。",
                    resolution.source.at("votes"),
                    period=_month(record),
                )


@kind(
    "decision-body",
    "接收预备党员、预备党员转正、延长预备期、取消预备党员资格、纪律处分须由支部党员大会决定。",
    params=(Param("decisions", "superset", "texts", "须由支部党员大会决定的决议种类"),),
    required=("decisions",),
)
def decision_body(ctx: Context, rule: Rule):
    decisions = set(rule.param("decisions"))
    for record in ctx.records_in_range():
        if record.has_type("支部党员大会"):
            continue
        for resolution in record.resolutions:
            if resolution.kind in decisions:
                yield ctx.finding(
                    rule,
                    f"“{resolution.kind}”应由支部党员大会讨论决定，本记录是{record.type_label}。",
                    resolution.source.at("kind"),
                    period=_month(record),
                )


@kind("host", "支部党员大会、支委会由书记主持；他人主持的须写明委托（delegated）。")
def host(ctx: Context, rule: Rule):
    branch = ctx.branch
    for record in ctx.records_in_range():
        if not (record.has_type("支部党员大会") or record.has_type("支部委员会")):
            continue
        secretary = branch.secretary_on(record.date)
        if secretary is None or record.host is None or record.host == secretary or record.delegated:
            continue
        yield ctx.finding(
            rule,
            f"{record.type_label}由 {record.host} 主持，当日书记是 {secretary}，记录中没有写明委托。",
            record.source.at("host"),
            period=_month(record),
            subject=record.host,
        )


@kind("group-host", "党小组会由当日的党小组组长主持；他人主持的须写明委托（delegated）。")
def group_host(ctx: Context, rule: Rule):
    committee = ctx.branch.committee
    for record in ctx.records_in_range():
        if not record.has_type("党小组会") or not record.group or record.host is None or record.delegated:
            continue
        leader = committee.leader_on(record.group, record.date)
        if leader is None or record.host == leader:
            continue  # a group without a leader is org.group-leader-missing
        yield ctx.finding(
            rule,
            f"{record.group}党小组会由 {record.host} 主持，当日组长是 {leader}，记录中没有写明委托。",
            record.source.at("host"),
            period=_month(record),
            subject=record.host,
        )
