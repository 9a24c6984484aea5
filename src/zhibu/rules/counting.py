"""Counting once: what a frequency rule counts, for the check, ``zhibu due`` and the ledger.

:func:`counted` is the one answer to "which records (or talks) count toward this type in this
period"; :func:`tallies` turns it into the counts a frequency rule judges, one per subject
(the branch, each 党小组, each member). The ``frequency`` kind (``rules/frequency.py``) reports
a shortfall from :func:`tallies`, ``zhibu due`` (``schedule/due.py``) lists what is still
short from the same call, and the ledger's statistics (``report/stats.py``) split the year's
:func:`counted` by month, so the paper, the reminder and the verdict cannot disagree.

The counting, in words:

- a record counts once for each of its types (a 支部党员大会 that is also a 党课 counts for both);
- ``counts_as: 学习 / 活动`` counts what the 一表 counts (:attr:`Record.plan_kinds`);
- a talk counts as 谈心谈话, for both people in it;
- a yearly meeting (组织生活会, 民主评议党员) counts for the year its ``for_year`` names: one held
  in January–March for the year before counts there (if held by the as-of date), not in the
  year it was held.
"""

from __future__ import annotations

from typing import NamedTuple

from ..model.periods import Period
from ..model.vocabulary import TALK, YEAR_END_TYPES
from .registry import Context, Rule


class Counted(NamedTuple):
    """One record or talk that counts, with whom it counts for."""

    item: object  # a Record, or a Talk for 谈心谈话
    people: tuple[str, ...]  # the attendees, or the two people who talked
    group: str | None  # the 党小组 of a record (None for a talk or a branch-wide record)


def counts_toward(record, record_type: str | None = None, counts_as: str | None = None) -> bool:
    """Whether ``record`` is of ``record_type`` or, with ``counts_as``, counts as that 一表 kind."""
    if counts_as:
        return counts_as in record.plan_kinds
    return record.has_type(record_type)


def counted(ctx: Context, period: Period, record_type: str | None = None, counts_as: str | None = None) -> list[Counted]:
    """Every record (or talk, for 谈心谈话) that counts toward ``record_type`` or ``counts_as``
    in ``period``, in date order."""
    if record_type == TALK and not counts_as:
        return [Counted(t, t.between, None) for t in ctx.branch.talks if period.contains(t.date)]
    return [
        Counted(r, r.attendees, r.group) for r in _dated_for(ctx, period, record_type) if counts_toward(r, record_type, counts_as)
    ]


def _dated_for(ctx: Context, period: Period, record_type: str | None) -> list:
    """Records that count for ``period`` by their date: those dated in it, except that a yearly
    meeting counts for the year its ``for_year`` names (held by the as-of date)."""
    records = ctx.records_in(period)
    if period.kind != "year" or record_type not in YEAR_END_TYPES:
        return records
    kept = [r for r in records if r.year_for(record_type) == period.year]
    following = Period(period.year + 1, "quarter", 1)
    carried = [
        r
        for r in ctx.records_in(following)
        if r.date <= ctx.as_of and r.has_type(record_type) and r.year_for(record_type) == period.year
    ]
    return kept + carried


def rule_counted(ctx: Context, rule: Rule, period: Period) -> list[Counted]:
    """:func:`counted` for a frequency rule's ``type`` or ``counts_as``."""
    return counted(ctx, period, rule.param("type"), rule.param("counts_as"))


def tallies(ctx: Context, rule: Rule, period: Period) -> list[tuple[str | None, int]]:
    """What a frequency rule counts in ``period``: ``(subject, count)`` for every subject it
    judges there, in a stable order.

    ``per: branch`` gives one pair with subject None; ``per: group`` one per 党小组 that existed
    on the first and the last day of the period; ``per: member`` one per member judged for it
    (:meth:`Context.member_judged`: a whole month, or ``min_share`` of a longer period).
    A rule with ``when: committee`` judges nothing in a period without a committee throughout.
    """
    branch = ctx.branch
    if rule.param("when") == "committee" and not _throughout(branch.committee.has_committee_on, period):
        return []
    events = rule_counted(ctx, rule, period)
    per = rule.param("per")
    if per == "branch":
        return [(None, len(events))]
    if per == "group":
        return [
            (group, sum(1 for e in events if e.group == group))
            for group in branch.config.groups
            if _throughout(lambda day: ctx.group_exists(group, day), period)
        ]
    if per == "member":
        return [
            (member.name, sum(1 for e in events if member.name in e.people))
            for member in branch.members
            if ctx.member_judged(member, period, rule)
        ]
    return []


def _throughout(check, period: Period) -> bool:
    """True when ``check(day)`` holds on the first and the last day of ``period``."""
    return check(period.start) and check(period.end)
