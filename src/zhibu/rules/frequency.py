"""The generic ``frequency`` kind: at least N records of a type per branch, group or member per period.

Packs instantiate it from data (a T pack's "谈心谈话每年不少于2次" is one).
"""

from __future__ import annotations

from ..model.periods import Period, period_word
from ..model.vocabulary import PLAN_KINDS, RECORD_TYPES, TALK
from . import counting
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


def _standard_text(rule: Rule) -> str:
    return f"每{period_word(rule.param('period'))}至少{rule.param('min')}次"


@kind(
    "frequency",
    "某类记录在每个期间（月、季度、半年、年）至少达到规定次数，可按支部、党小组或党员计数。",
    params=FREQUENCY_PARAMS,
    required=("per", "period", "min"),
    instantiable=True,
)
def frequency(ctx: Context, rule: Rule):
    minimum = rule.param("min")
    label = _label(rule)
    for period in ctx.judged_periods(rule.param("period"), rule):
        # Counted once for the check, zhibu due and the ledger: rules/counting.py.
        for subject, count in counting.tallies(ctx, rule, period):
            if count < minimum:
                yield _finding(ctx, rule, period, count, label, subject=subject)


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
