"""Rules about the organisation (队伍): size, committee, roles, the 书记, the term.

State rules judge the branch as it stood on the last day of the checked
range; deadline rules (the term) judge it on the as-of date.
"""

from __future__ import annotations

import datetime as dt
import itertools

from ..model.findings import Severity
from ..model.periods import Period, add_months, add_years
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
    "支委会由3至5人组成，一般不超过7人（少于3人为错误，多于7人降一级报告，6至7人降两级作为提示）。",
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
    # "由3至5人组成" has no 一般: fewer than three is the rule's own severity. "一般不超过7人"
    # allows exceptions, so more than seven is one step softer, and six or seven (inside
    # what the text allows "一般") two steps softer.
    if size < rule.param("min") and not leaders_only:
        yield ctx.finding(rule, f"{day} 支委会只有 {size} 人，少于 {rule.param('min')} 人。", _committee_src(ctx))
    elif size > rule.param("max"):
        yield ctx.finding(
            rule,
            f"{day} 支委会有 {size} 人，超过 {rule.param('max')} 人（一般不超过 {rule.param('max')} 人）。",
            _committee_src(ctx),
            severity=_softer(rule.severity, 1),
        )
    elif size > rule.param("normal_max"):
        yield ctx.finding(
            rule,
            f"{day} 支委会有 {size} 人，多于 {rule.param('min')} 至 {rule.param('normal_max')} 人的组成（一般不超过 {rule.param('max')} 人）。",
            _committee_src(ctx),
            severity=_softer(rule.severity, 2),
        )


def _softer(severity: Severity, steps: int) -> Severity:
    return Severity(max(Severity.INFO, severity - 10 * steps))


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
        Param("term_years_village", "down", "int", "村、社区支委会的任期年数"),
        Param("term_years_other", "within", "int", "其他支委会的任期年数（一般3年）", bounds=(3, 5)),
        # Accepted so that packs written for the old reading still load; it changes nothing.
        Param("term_years_after_2022", "down", "int", "已停用：任期不再按选举日期区分，此项设置无效"),
    )


def term_defaults(rule: Rule | None, rules=None) -> dict[str, int]:
    """The default term lengths a term rule uses: its own parameters, else those of
    ``org.term-expired`` (where a T pack sets its system's default), else the baseline's."""
    shared = (rules or {}).get("org.term-expired")

    def value(name: str, fallback: int) -> int:
        for source in (rule, shared):
            if source is not None and source.param(name) is not None:
                return source.param(name)
        return fallback

    return {"village": value("term_years_village", 5), "other": value("term_years_other", 3)}


def term_end(ctx: Context, rule: Rule, term) -> dt.date:
    """Last day of ``term`` after any approved extension, with this rule's default lengths."""
    return term.ends(ctx.branch.config.category, **term_defaults(rule, ctx.rules))


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


def secretary_tenures(committee) -> list[tuple[dt.date, str, object]]:
    """(first day, name, source) of each 书记 tenure, oldest first: the holder on each
    election and change date, kept when it differs from the holder just before."""
    out: list[tuple[dt.date, str, object]] = []
    for term in committee.terms:
        days = sorted({term.elected} | {c.date for c in term.changes if c.date >= term.elected})
        for day in days:
            if committee.term_on(day) is not term:
                continue  # a later term was elected before this change
            holder = committee.holder_of("书记", day)
            if holder and (not out or out[-1][1] != holder or day == term.elected):
                seat = next(s for s in term.seats_on(day) if s.role == "书记")
                out.append((day, holder, seat.source))
    return out


def party_age_from(member) -> dt.date | None:
    """The day 党龄 starts: 转正 (full_since); for a 正式党员 without it, a year after admission."""
    if member.status != "正式党员":
        return None
    if member.full_since:
        return member.full_since
    return add_years(member.admitted, 1) if member.admitted else None


@kind(
    "secretary-party-age",
    "支部书记一般应当具有1年以上党龄（党龄从转为正式党员之日算起，按任职之日判定）。",
    params=(Param("min_years", "up", "int", "书记至少的党龄年数"),),
    required=("min_years",),
)
def secretary_party_age(ctx: Context, rule: Rule):
    years = rule.param("min_years")
    tenures = secretary_tenures(ctx.branch.committee)
    for index, (first, name, where) in enumerate(tenures):
        following = tenures[index + 1][0] if index + 1 < len(tenures) else None
        if first > ctx.end or (following is not None and following <= ctx.start):
            continue  # this tenure lies outside the checked range
        member = ctx.branch.member(name)
        if member is None:
            continue  # format.bad-value reports a 委员 missing from the roster
        # Judged on the day of taking office; a tenure begun before the range is judged on
        # its first day in the range, so a shortfall already made good is not reported again.
        day = max(first, ctx.start)
        since = party_age_from(member)
        if since is not None and add_years(since, years) <= day:
            continue
        if since is None and member.status == "正式党员":
            continue  # neither 转正 nor admission known: nothing to judge
        age = "是预备党员，没有党龄" if since is None or since > day else f"党龄自 {since} 起算，不满 {years} 年"
        when = "当日" if day == first else f"至 {day} "
        yield ctx.finding(
            rule,
            f"{name} 自 {first} 任书记，{when}{age}。",
            where,
            subject=name,
        )


@kind(
    "term-late-election",
    "任期届满（经批准延期的，延期届满）后才选举新一届委员会。",
    params=_term_params(),
    required=(),
)
def term_late_election(ctx: Context, rule: Rule):
    terms = ctx.branch.committee.terms
    category = ctx.branch.config.category
    defaults = term_defaults(rule, ctx.rules)
    for earlier, later in itertools.pairwise(terms):
        if not ctx.start <= later.elected <= ctx.end:
            continue
        ends = earlier.ends(category, **defaults)
        late = (later.elected - ends).days - 1  # days after the term's last day, the day after it being on time
        if late <= 0:
            continue
        why = f"经批准延期至 {earlier.extended_to}" if earlier.extended_to and earlier.extended_to >= ends else "没有经批准的延期"
        yield ctx.finding(
            rule,
            f"{earlier.elected} 选举的委员会任期已于 {ends} 届满（{why}），{later.elected} 才选举新一届委员会，逾期 {late} 天。",
            later.source.at("elected"),
            period=Period.containing("month", later.elected).label,
        )


@kind(
    "term-extension-long",
    "经批准的延期换届，延长期限一般不超过规定的月数（从任期届满之日算起）。",
    params=(Param("max_months", "down", "int", "延长期限最多的月数"), *_term_params()),
    required=("max_months",),
)
def term_extension_long(ctx: Context, rule: Rule):
    committee = ctx.branch.committee
    category = ctx.branch.config.category
    defaults = term_defaults(rule, ctx.rules)
    months = rule.param("max_months")
    for index, term in enumerate(committee.terms):
        if term.extended_to is None or term.elected > ctx.end:
            continue
        following = committee.terms[index + 1].elected if index + 1 < len(committee.terms) else None
        if following is not None and following <= ctx.start:
            continue  # replaced before the checked range
        nominal = term.nominal_end(category, **defaults)
        # The extension runs from the day after the nominal end: a year of it ends the day
        # before the same date a year later (across a 29 February this is not nominal + 1 year).
        one_day = dt.timedelta(days=1)
        limit = add_months(nominal + one_day, months) - one_day
        if term.extended_to > limit:
            yield ctx.finding(
                rule,
                f"{term.elected} 选举的委员会任期 {nominal} 届满，经批准延期至 {term.extended_to}，"
                f"延长期限超过 {months} 个月（最迟至 {limit}）。",
                term.source.at("extended_to"),
                period=Period.containing("year", nominal).label,
            )


@kind("group-leader-missing", "每个党小组应设党小组组长（committee.yaml 的 group_leaders），按检查范围的最后一天判定。")
def group_leader_missing(ctx: Context, rule: Rule):
    day = ctx.end
    committee = ctx.branch.committee
    for group in ctx.branch.config.groups:
        if not ctx.group_exists(group, day):
            continue
        leader = committee.leader_on(group, day)
        member = ctx.branch.member(leader) if leader else None
        if member is not None and member.counted_on(day):
            continue
        # A leader who has left the branch leaves the group without one (format.bad-value
        # reports a leader missing from the roster altogether).
        gone = f"（组长 {leader} 已于 {member.left.date} 转出）" if member is not None and member.left else ""
        if leader and member is None:
            continue
        yield ctx.finding(
            rule,
            f"{day} {group}没有党小组组长{gone}。",
            committee.source.at("group_leaders") if committee.group_leaders else ctx.branch.config.source.at("groups"),
            subject=group,
        )
