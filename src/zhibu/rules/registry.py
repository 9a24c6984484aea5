"""Rule kinds, the rules built from them, and the context they run in.

A *kind* is code: what a rule checks and which parameters it takes, with the
direction in which each parameter is stricter (so a pack can tighten but
never loosen). A *rule* is data: a kind with a code, severity, source text
and parameter values, taken from the baseline B and the branch's packs. The
registry of kinds is filled at import time and never changed afterwards;
each check builds its own list of rules from data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Callable, Iterable, Mapping

from ..model.branch import Branch, Record
from ..model.findings import NOWHERE, Finding, Severity, Source
from ..model.periods import DEFAULT_MIN_SHARE, Period, covers_share, periods_between

PERIOD_ORDER = {"month": 1, "quarter": 2, "half": 3, "year": 4}


@dataclass(frozen=True)
class Param:
    """A rule parameter. ``stricter`` is how a later pack may change it:
    ``up`` (only raise), ``down`` (only lower), ``shorter`` (a shorter period),
    ``superset`` (only add items), ``within`` (a T pack may set any value inside
    ``bounds``, because the regulation leaves that choice to the system; an X
    pack may only lower it), or ``fixed`` (part of what the rule *is*)."""

    name: str
    stricter: str
    type: str  # int | period | text | texts | per | when | share
    doc: str
    default: object = None  # the value a rule has when it does not set the parameter
    bounds: tuple[int, int] | None = None  # inclusive limits of a ``within`` parameter


@dataclass(frozen=True)
class Kind:
    name: str
    doc: str
    params: Mapping[str, Param]
    required: tuple[str, ...]
    evaluate: Callable[["Context", "Rule"], Iterable[Finding]] | None
    instantiable: bool  # may a pack create a new rule of this kind?


KINDS: dict[str, Kind] = {}


def kind(name: str, doc: str, *, params: Iterable[Param] = (), required: Iterable[str] = (), instantiable: bool = False):
    """Register the function that evaluates rules of kind ``name``."""

    def register(func):
        if name in KINDS:
            raise RuntimeError(f"rule kind {name} registered twice")
        KINDS[name] = Kind(name, doc, MappingProxyType({p.name: p for p in params}), tuple(required), func, instantiable)
        return func

    return register


def passive_kind(name: str, doc: str) -> None:
    """A kind whose findings come from elsewhere (the loader, the layering); it only carries metadata."""
    KINDS[name] = Kind(name, doc, MappingProxyType({}), (), None, False)


@dataclass(frozen=True)
class Rule:
    """One rule of the merged standard, with where each of its settings came from."""

    code: str
    kind: str
    severity: Severity
    title: str
    source: str
    hint: str
    params: Mapping[str, object]
    layer: str  # the layer of the last pack that set anything on this rule
    pack: str
    origin: Mapping[str, str] = field(default_factory=dict)  # setting -> pack id that set it

    def param(self, name: str, default=None):
        return self.params.get(name, default)


def min_share(rule: Rule | None) -> float:
    """The share of a longer period a member (or a new branch) must cover to be judged."""
    value = rule.param("min_share") if rule is not None else None
    return DEFAULT_MIN_SHARE if value is None else float(value)


MIN_SHARE_PARAM = Param(
    "min_share",
    "down",
    "share",
    "按党员计数时，季度、半年、年中在册达到该比例（默认 0.5，即一半）的党员才判定；月须整月在册",
    DEFAULT_MIN_SHARE,
)


@dataclass
class Context:
    """What a rule sees: the branch, the as-of date, the checked range, and the whole standard."""

    branch: Branch
    as_of: dt.date
    start: dt.date  # first day of the checked range
    end: dt.date  # last day of the checked range (never after as_of)
    rules: Mapping[str, Rule]
    holidays: object = None  # zhibu.store.holidays.Calendar, for rules about dates
    audit: object = None  # zhibu.history.trail.Trail when the branch is a git repository
    # (sha, verdict, author, date) of every commit as git verified them, read by the check
    # only when a rule asks for signatures; or why they could not be read. Values, so that
    # the rules never call git themselves.
    signatures: tuple = ()
    signatures_unread: str | None = None
    witnessed: list = field(default_factory=list)  # (sha, who recorded it, rewritten?) from witnesses and close tags
    notes: list = field(default_factory=list)  # lines for the report that are not findings
    _by_month: dict | None = field(default=None, repr=False)
    _shared: dict = field(default_factory=dict, repr=False)

    def shared(self, key: str, compute: Callable[[], object]):
        """A value computed once per check and shared by the rules that need it."""
        if key not in self._shared:
            self._shared[key] = compute()
        return self._shared[key]

    def judged_periods(self, period_kind: str, rule: Rule | None = None, *, upcoming: bool = False) -> list[Period]:
        """Periods of ``period_kind`` inside the range that have ended by the as-of date
        and in which the branch existed long enough to be judged (:meth:`branch_judged`).

        With ``upcoming`` (``zhibu due``: what falls due in the range), the periods whose last
        day falls in the range instead, begun before it or not and ended or not. The one
        place that decides which periods a rule judges."""
        out = []
        for period in periods_between(period_kind, self.start, self.end):
            if upcoming:
                if not self.start <= period.end <= self.end:
                    continue
            elif period.start < self.start or period.end > self.as_of:
                continue
            if not self.branch_judged(period, rule):
                continue
            out.append(period)
        return out

    def branch_judged(self, period: Period, rule: Rule | None = None) -> bool:
        """A branch founded during ``period`` is judged for it as a member who joined then
        would be: a whole month, or at least ``min_share`` of a longer period; the months
        before ``founded`` are never judged."""
        founded = self.branch.config.founded
        return founded is None or covers_share(period, founded, None, min_share(rule))

    def member_judged(self, member, period: Period, rule: Rule | None = None) -> bool:
        """A per-member rule judges a member who counted for the whole month, or for at
        least ``min_share`` (default one half) of a quarter, half-year or year."""
        until = member.left.date if member.left else None
        return covers_share(period, member.joined, until, min_share(rule))

    def group_exists(self, group: str, day: dt.date) -> bool:
        """A 党小组 exists on ``day`` once it is set up (``since`` in zhibu.yaml) and has a member."""
        since = dict(self.branch.config.group_since).get(group)
        if since is not None and day < since:
            return False
        return bool(self.branch.group_members_on(group, day))

    def records_in(self, period: Period) -> list[Record]:
        """Records dated inside ``period``, in date order (from a month index built once)."""
        if self._by_month is None:
            index: dict[tuple[int, int], list[Record]] = {}
            for record in self.branch.records:
                index.setdefault((record.date.year, record.date.month), []).append(record)
            self._by_month = index
        out: list[Record] = []
        for month in range(period.start.month, period.end.month + 1):
            out.extend(self._by_month.get((period.year, month), ()))
        return out

    def records_in_range(self) -> list[Record]:
        return [r for r in self.branch.records if self.start <= r.date <= self.end]

    def finding(
        self,
        rule: Rule,
        message: str,
        where: Source = NOWHERE,
        hint: str | None = None,
        *,
        period: str | None = None,
        subject: str | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        return Finding(
            code=rule.code,
            severity=severity or rule.severity,
            message=message,
            hint=rule.hint if hint is None else hint,
            path=where.path,
            line=where.line,
            period=period,
            subject=subject,
            layer=rule.layer,
            pack=rule.pack,
            source=rule.source,
        )
