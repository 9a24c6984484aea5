"""The generic ``frequency`` kind: at least N records of a type per branch, group or member per period.

Packs instantiate it from data (a T pack's "谈心谈话每年不少于2次" is one).
"""

from __future__ import annotations

from ..model.periods import Period, period_word
from ..model.vocabulary import PLAN_KINDS, RECORD_TYPES, TALK
from .registry import MIN_SHARE_PARAM, Context, Param, Rule, kind

FREQUENCY_PARAMS = (
    Param("type", "fixed", "type", "计数的记录类型（或 谈心谈话）"),
    Param("counts_as", "fixed", "counts_as", "改为计数一表中计为 学习 或 活动 的记录"),
    Param("per", "fixed", "per", "按 branch（支部）、group（每个党小组）或 member（每名党员）计数"),
    Param("period", "shorter", "period", "期间：month quarter half year"),
    Param("min", "up", "int", "每个期间至少的次数"),
    Param("when", "fixed", "when", "committee：只在设有支委会的期间适用"),
    MIN_SHARE_PARAM,
)

_MEETINGS = frozenset({"支部党员大会", "支部委员会", "党小组会", "党课", "组织生活会"})


def _label(rule: Rule) -> str:
    if rule.param("counts_as"):
        return str(rule.param("counts_as"))
    return str(rule.param("type"))


def _matches(rule: Rule, record) -> bool:
    wanted_kind = rule.param("counts_as")
    if wanted_kind:
        return wanted_kind in record.plan_kinds
    return record.has_type(rule.param("type"))


def counts_toward(rule: Rule, record) -> bool:
    """Whether ``record`` counts toward a frequency rule (``zhibu due`` counts as the rule does)."""
    return _matches(rule, record)


def _standard_text(rule: Rule) -> str:
    return f"每{period_word(rule.param('period'))}至少{rule.param('min')}次"


def _whole_period(check, period: Period) -> bool:
    """True when ``check(day)`` holds on the first and the last day of ``period``."""
    return check(period.start) and check(period.end)


@kind(
    "frequency",
    "某类记录在每个期间（月、季度、半年、年）至少达到规定次数，可按支部、党小组或党员计数。",
    params=FREQUENCY_PARAMS,
    required=("per", "period", "min"),
    instantiable=True,
)
def frequency(ctx: Context, rule: Rule):
    per, minimum = rule.param("per"), rule.param("min")
    is_talk = rule.param("type") == TALK
    branch = ctx.branch
    label = _label(rule)
    for period in ctx.judged_periods(rule.param("period"), rule):
        if rule.param("when") == "committee" and not _whole_period(branch.committee.has_committee_on, period):
            continue  # the committee rules apply only to periods in which a committee existed
        if is_talk:
            events = [(t.between, t) for t in branch.talks if period.contains(t.date)]
        else:
            records = ctx.records_counted(period, rule.param("type"))
            events = [(r.attendees, r) for r in records if _matches(rule, r)]
        if per == "branch":
            if len(events) < minimum:
                yield _finding(ctx, rule, period, len(events), label)
        elif per == "group":
            for group in branch.config.groups:
                if not _whole_period(lambda d: ctx.group_exists(group, d), period):
                    continue  # a group is judged only for periods in which it existed
                count = sum(1 for _, event in events if getattr(event, "group", None) == group)
                if count < minimum:
                    yield _finding(ctx, rule, period, count, label, subject=group)
        elif per == "member":
            for member in branch.members:
                if not ctx.member_judged(member, period, rule):
                    continue  # a whole month, or at least half of a longer period (min_share)
                count = sum(1 for people, _ in events if member.name in people)
                if count < minimum:
                    yield _finding(ctx, rule, period, count, label, subject=member.name)


def _finding(ctx: Context, rule: Rule, period: Period, count: int, label: str, subject: str | None = None):
    who = subject or ""
    if count == 0:
        verb = "召开" if label in _MEETINGS else "开展"
        what = f"{period.chinese}{who}未{verb}{label}"
    else:
        what = f"{period.chinese}{who}{label}仅 {count} 次"
    message = f"{what}（标准：{rule.title or _standard_text(rule)}）。"
    hint = rule.hint or "补开并记录，或在 waivers.yaml 中登记经批准的例外。"
    return ctx.finding(rule, message, hint=hint, period=period.label, subject=subject)


def check_frequency_params(params: dict) -> str | None:
    """What is wrong with a frequency rule's parameters, in Chinese, or None."""
    if bool(params.get("type")) == bool(params.get("counts_as")):
        return "frequency 规则须写 type 或 counts_as 之一"
    if params.get("type") and params["type"] not in RECORD_TYPES and params["type"] != TALK:
        return f"type“{params['type']}”不是记录类型"
    if params.get("counts_as") and params["counts_as"] not in PLAN_KINDS:
        return "counts_as 只能是 学习 或 活动"
    return None
