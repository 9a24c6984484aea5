"""Rules about the organisation (队伍): size, committee, roles, the 书记, the term.

State rules judge the branch as it stood on the last day of the checked
range; deadline rules (the term) judge it on the as-of date.
"""

from __future__ import annotations

import datetime as dt

from ..model.findings import Severity
from ..model.periods import add_months
from .registry import Context, Param, Rule, kind


def _committee_src(ctx: Context):
    term = ctx.branch.committee.term_on(ctx.end)
    return term.source if term else ctx.branch.committee.source


@kind(
    "org-size",
    "正式党员不少于3人，党员总数一般不超过50人。",
    params=(Param("min_full", "up", "int", "正式党员下限"), Param("max_members", "down", "int", "党员总数上限")),
    required=("min_full", "max_members"),
)
def org_size(ctx: Context, rule: Rule):
    day = ctx.end
    full = len(ctx.branch.full_members_on(day))
    total = len(ctx.branch.members_on(day))
    if full < rule.param("min_full"):
        yield ctx.finding(rule, f"{day} 正式党员 {full} 人，少于 {rule.param('min_full')} 人。", ctx.branch.config.source)
    if total > rule.param("max_members"):
        yield ctx.finding(rule, f"{day} 党员 {total} 人，超过 {rule.param('max_members')} 人。", ctx.branch.config.source)


@kind(
    "committee-required",
    "有正式党员7人以上的党支部应当设立支部委员会（3人以上）。",
    params=(Param("threshold", "down", "int", "应设支委会的正式党员人数"),),
    required=("threshold",),
)
def committee_required(ctx: Context, rule: Rule):
    day = ctx.end
    full = len(ctx.branch.full_members_on(day))
    if full >= rule.param("threshold") and not ctx.branch.committee.has_committee_on(day):
        yield ctx.finding(
            rule,
            f"{day} 有正式党员 {full} 人，应当设立支部委员会，但没有3人以上的委员会。",
            _committee_src(ctx),
        )


@kind(
    "committee-size",
    "支委会由3至5人组成，一般不超过7人（6至7人为警告，少于3人或多于7人为错误）。",
    params=(
        Param("min", "up", "int", "最少人数"),
        Param("normal_max", "down", "int", "一般最多人数"),
        Param("max", "down", "int", "最多人数"),
    ),
    required=("min", "normal_max", "max"),
)
def committee_size(ctx: Context, rule: Rule):
    day = ctx.end
    seats = ctx.branch.committee.seats_on(day)
    names = {s.name for s in seats}
    size = len(names)
    if size == 0:
        return
    leaders_only = all(s.role in ("书记", "副书记") for s in seats)
    if size < rule.param("min") and not leaders_only:
        yield ctx.finding(rule, f"{day} 支委会只有 {size} 人，少于 {rule.param('min')} 人。", _committee_src(ctx))
    elif size > rule.param("max"):
        yield ctx.finding(rule, f"{day} 支委会有 {size} 人，超过 {rule.param('max')} 人。", _committee_src(ctx))
    elif size > rule.param("normal_max"):
        softer = Severity(max(Severity.INFO, rule.severity - 10))
        yield ctx.finding(
            rule,
            f"{day} 支委会有 {size} 人，超过一般的 {rule.param('normal_max')} 人。",
            _committee_src(ctx),
            severity=softer,
        )


@kind(
    "committee-roles",
    "支委会设书记和组织委员、宣传委员、纪检委员，副书记最多1名。",
    params=(Param("roles", "superset", "texts", "应设的委员"), Param("max_deputies", "down", "int", "副书记最多人数")),
    required=("roles", "max_deputies"),
)
def committee_roles(ctx: Context, rule: Rule):
    day = ctx.end
    seats = ctx.branch.committee.seats_on(day)
    deputies = [s.name for s in seats if s.role == "副书记"]
    if len(deputies) > rule.param("max_deputies"):
        yield ctx.finding(
            rule,
            f"{day} 有 {len(deputies)} 名副书记（{'、'.join(deputies)}），最多 {rule.param('max_deputies')} 名。",
            _committee_src(ctx),
            severity=max(rule.severity, Severity.ERROR),
            subject="副书记",
        )
    if not ctx.branch.committee.has_committee_on(day):
        return  # a 书记-only branch has no委员 to divide the work
    held = {s.role for s in seats}
    for role in rule.param("roles"):
        if role not in held:
            yield ctx.finding(rule, f"{day} 支委会没有{role}。", _committee_src(ctx), subject=role)


def _secretary_vacant_since(ctx: Context, day: dt.date) -> dt.date | None:
    """The first day of the vacancy that includes ``day`` (None if a 书记 sits on ``day``)."""
    committee = ctx.branch.committee
    if committee.holder_of("书记", day):
        return None
    # The 书记 can only change on an election or a change date: walk back over those.
    moments = sorted(
        {t.elected for t in committee.terms} | {c.date for t in committee.terms for c in t.changes},
        reverse=True,
    )
    start = None
    for moment in moments:
        if moment > day:
            continue
        if committee.holder_of("书记", moment - dt.timedelta(days=1)):
            return moment
        start = moment
    return start or ctx.branch.config.founded


@kind(
    "secretary-vacant",
    "书记空缺应及时补选；空缺超过规定天数为错误。",
    params=(Param("error_after_days", "down", "int", "空缺多少天后为错误"),),
    required=("error_after_days",),
)
def secretary_vacant(ctx: Context, rule: Rule):
    day = ctx.end
    if not ctx.branch.members_on(day):
        return
    committee = ctx.branch.committee
    if committee.holder_of("书记", day):
        return
    since = _secretary_vacant_since(ctx, day)
    limit = rule.param("error_after_days")
    where = _committee_src(ctx)
    for term in committee.terms:  # point at the change that left the seat empty, when there is one
        for change in term.changes:
            if change.date == since and change.role == "书记" and change.action in ("离任", "调整"):
                where = change.source
    if since is not None and (day - since).days > limit:
        yield ctx.finding(
            rule,
            f"书记自 {since} 起空缺，至 {day} 已 {(day - since).days} 天，超过 {limit} 天。",
            where,
            severity=max(rule.severity, Severity.ERROR),
            subject="书记",
        )
    else:
        when = f"自 {since} 起" if since else ""
        yield ctx.finding(rule, f"书记{when}空缺（{day}）。", where, subject="书记")


@kind("secretary-approval", "书记、副书记应报上级党组织批准（committee.yaml 中写 approved）。")
def secretary_approval(ctx: Context, rule: Rule):
    for seat in ctx.branch.committee.seats_on(ctx.end):
        if seat.role in ("书记", "副书记") and seat.approved is None:
            yield ctx.finding(rule, f"{seat.role} {seat.name} 没有上级批准日期。", seat.source, subject=seat.name)


def _term_params():
    return (
        Param("term_years_after_2022", "down", "int", "2022年10月22日后选举的任期年数"),
        Param("term_years_village", "down", "int", "此前选举的村、社区任期年数"),
        Param("term_years_other", "down", "int", "此前选举的其他单位任期年数"),
    )


def term_end(ctx: Context, rule: Rule, term) -> dt.date:
    """Last day of ``term`` with this rule's default lengths (a pack may shorten them)."""
    return term.ends(
        ctx.branch.config.category,
        after_2022=rule.param("term_years_after_2022", 5),
        village=rule.param("term_years_village", 5),
        other=rule.param("term_years_other", 3),
    )


@kind("term-expired", "支委会任期届满应当按期换届（经批准延期的以延期后为准）。", params=_term_params(), required=())
def term_expired(ctx: Context, rule: Rule):
    term = ctx.branch.committee.term_on(ctx.as_of)
    if term is None or term is not ctx.branch.committee.terms[-1]:
        return
    ends = term_end(ctx, rule, term)
    if ends < ctx.as_of:
        yield ctx.finding(
            rule,
            f"{term.elected} 选举的委员会任期已于 {ends} 届满，至 {ctx.as_of} 未换届。",
            term.source.at("elected"),
        )


@kind(
    "term-expiring",
    "任期届满前提前提醒做好换届准备。",
    params=(Param("months_before", "up", "int", "提前几个月提醒"), *_term_params()),
    required=("months_before",),
)
def term_expiring(ctx: Context, rule: Rule):
    term = ctx.branch.committee.term_on(ctx.as_of)
    if term is None or term is not ctx.branch.committee.terms[-1]:
        return
    ends = term_end(ctx, rule, term)
    if ctx.as_of <= ends <= add_months(ctx.as_of, rule.param("months_before")):
        yield ctx.finding(
            rule,
            f"本届委员会任期将于 {ends} 届满，请提前做好换届准备。",
            term.source.at("elected"),
        )
