"""Rules about how meetings are held: who lectures, which day, quorum, votes, who decides, who hosts."""

from __future__ import annotations

from ..model.findings import Severity
from ..model.periods import Period
from ..model.vocabulary import WRITTEN_OPINION_KINDS
from ..store.holidays import theme_day_date
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
            1 for r in ctx.records_in(period) if r.has_type("党课") and r.lecturer and r.lecturer == branch.secretary_on(r.date)
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


def _is_assembly(record) -> bool:
    return record.has_type("支部党员大会")


@kind(
    "quorum",
    "支部党员大会表决须有半数以上有表决权的党员到会，选举须有超过五分之四的应到会有选举权的党员到会；支委会须有半数以上委员到会。",
)
def quorum(ctx: Context, rule: Rule):
    branch = ctx.branch
    for record in ctx.records_in_range():
        if _is_assembly(record) and record.resolutions:
            voters = [m.name for m in branch.voters_on(record.date)]
            present = _present(record, voters)
            election = any(r.is_election for r in record.resolutions)
            if not voters:
                continue  # nobody with a vote on the roster: org.size and the roster rules report that
            if election and present * 5 <= len(voters) * 4:
                yield ctx.finding(
                    rule,
                    f"支部党员大会进行选举，但到会有选举权的党员 {present} 人，未超过应到 {len(voters)} 人的五分之四，选举无效。",
                    record.source.at("attendees"),
                    period=_month(record),
                )
            elif present * 2 <= len(voters):
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


def _electorate(branch, record) -> tuple[str, list[str]] | None:
    """Who decides at ``record``: (what to call them, their names), or None when nobody in particular."""
    if _is_assembly(record):
        return "应到会有表决权的党员", [m.name for m in branch.voters_on(record.date)]
    if record.has_type("支部委员会"):
        return "委员", list(branch.committee.names_on(record.date))
    return None


@kind(
    "vote", "决议通过须赞成票超过应到会有表决权党员（支委会为全体委员）的半数；选举中当选须赞成票超过应到会有选举权党员的半数。"
)
def vote(ctx: Context, rule: Rule):
    branch = ctx.branch
    for record in ctx.records_in_range():
        decided = _electorate(branch, record)
        if decided is None or not decided[1]:
            continue
        body, electorate = decided[0], len(decided[1])
        for resolution in record.resolutions:
            if not resolution.adopted:
                continue
            if resolution.is_election and resolution.candidates:
                if _is_assembly(record):
                    body = "应到会有选举权的党员"
                for candidate in resolution.candidates:
                    if candidate.elected and candidate.votes * 2 <= electorate:
                        yield ctx.finding(
                            rule,
                            f"选举中 {candidate.name} 得赞成票 {candidate.votes} 票，未超过{body} {electorate} 人的半数，却记为当选。",
                            candidate.source,
                            period=_month(record),
                            subject=candidate.name,
                        )
                continue
            if resolution.votes is None:
                continue
            if resolution.votes.for_ * 2 <= electorate:
                yield ctx.finding(
                    rule,
                    f"决议“{resolution.text}”赞成 {resolution.votes.for_} 票，未超过{body} {electorate} 人的半数，却记为通过。",
                    resolution.source.at("votes"),
                    period=_month(record),
                )


@kind(
    "vote-count",
    "表决票数不得多于到会的有表决权的人数（接收预备党员、转正另计会前提交的书面意见）；选票和候选人得票不得多于到会有选举权的人数。",
)
def vote_count(ctx: Context, rule: Rule):
    branch = ctx.branch
    for record in ctx.records_in_range():
        if not record.resolutions:
            continue
        decided = _electorate(branch, record)
        if decided is not None:
            body, names = decided[0].removeprefix("应到会"), decided[1]
        else:  # a 党小组会 or other meeting: the members with a vote who came
            body, names = "有表决权的党员", [m.name for m in branch.voters_on(record.date)]
        present = _present(record, names)
        absent = len(names) - present
        for resolution in record.resolutions:
            yield from _vote_count(ctx, rule, record, resolution, body, present, absent)


def _vote_count(ctx, rule, record, resolution, body, present, absent):
    where = resolution.source
    period = _month(record)
    votes = resolution.votes
    if votes is not None:
        written = votes.written if resolution.kind in WRITTEN_OPINION_KINDS else 0
        if written > absent:
            yield ctx.finding(
                rule,
                f"决议“{resolution.text}”计入书面意见 {written} 份，多于未到会的{body} {absent} 人。",
                where.at("votes"),
                period=period,
            )
        elif votes.total > present + written:
            extra = f"加书面意见 {written} 份" if written else ""
            yield ctx.finding(
                rule,
                f"决议“{resolution.text}”赞成、反对、弃权共 {votes.total} 票，多于到会的{body} {present} 人{extra}。",
                where.at("votes"),
                period=period,
            )
    if not resolution.is_election:
        return
    ballots = resolution.ballots
    if ballots is not None and ballots.issued > present:
        yield ctx.finding(
            rule,
            f"选举发出选票 {ballots.issued} 张，多于到会的{body} {present} 人。",
            ballots.source.at("issued"),
            period=period,
        )
    if ballots is not None and ballots.returned <= present:
        most, what = ballots.returned, f"收回的选票 {ballots.returned} 张"
    else:
        most, what = present, f"到会的{body} {present} 人"
    for candidate in resolution.candidates:
        if candidate.votes > most:
            yield ctx.finding(
                rule,
                f"候选人 {candidate.name} 得票 {candidate.votes} 票，多于{what}。",
                candidate.source.at("votes"),
                period=period,
                subject=candidate.name,
            )


@kind("ballots", "选举收回的选票多于发出的选票，选举无效。")
def ballots(ctx: Context, rule: Rule):
    for record in ctx.records_in_range():
        for resolution in record.resolutions:
            counted = resolution.ballots
            if resolution.is_election and counted is not None and counted.returned > counted.issued:
                yield ctx.finding(
                    rule,
                    f"选举收回选票 {counted.returned} 张，多于发出的 {counted.issued} 张，选举无效，应重新选举。",
                    counted.source.at("returned"),
                    period=_month(record),
                )


@kind(
    "decision-body",
    "接收预备党员、预备党员转正、延长预备期、取消预备党员资格、表彰表扬、纪律处分须由支部党员大会决定。",
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
