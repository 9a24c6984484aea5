"""The data model of a branch repository: frozen values, no I/O.

Every value carries its :class:`~zhibu.model.findings.Source`. Roster questions
("who counts on this date", "who votes", "who sat on the committee") are
answered here so rules, documents and commands all get the same answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Iterable

from .findings import NOWHERE, Source
from .periods import ThemeDay
from .vocabulary import (
    COUNTS_AS,
    ELECTION_KINDS,
    EXPECTS_ALL,
    EXPECTS_COMMITTEE,
    EXPECTS_GROUP,
    NO_VOTE_DISCIPLINE,
    PERSONAL_KINDS,
    YEAR_END_TYPES,
)

FAR_PAST = dt.date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class BranchConfig:
    name: str
    parent: str
    category: str
    short_name: str | None = None
    code: str | None = None
    founded: dt.date | None = None
    groups: tuple[str, ...] = ()
    group_since: tuple[tuple[str, dt.date], ...] = ()  # (group, date set up), when zhibu.yaml says
    theme_day: ThemeDay | None = None
    standard: tuple[str, ...] = ()
    venue: str | None = None  # 党员活动阵地 (an addition to format 1: optional, ignored by older readers)
    source: Source = NOWHERE

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


@dataclass(frozen=True, slots=True)
class Leave:
    date: dt.date
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Discipline:
    kind: str
    start: dt.date
    until: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        return self.start <= day and (self.until is None or day < self.until)


@dataclass(frozen=True, slots=True)
class Member:
    name: str
    status: str  # 正式党员 | 预备党员
    admitted: dt.date | None
    joined: dt.date
    full_since: dt.date | None = None
    gender: str | None = None
    left: Leave | None = None
    group: str | None = None
    tags: tuple[str, ...] = ()
    discipline: Discipline | None = None
    dues_paid_to: tuple[int, int] | None = None  # (year, month) the 介绍信 says dues were paid to
    source: Source = NOWHERE

    def dues_owed_from(self) -> tuple[int, int]:
        """The first (year, month) whose dues this branch collects.

        Admitted here (joined on the day of admission): the month of admission, since a
        预备党员 pays from the day the 党员大会 admits them. Transferred in: the month
        after the transfer (the sending branch collects through the month of the 介绍信),
        or the month after ``dues_paid_to`` when the letter says so.
        """
        if self.dues_paid_to is not None:
            year, month = self.dues_paid_to
        elif self.admitted is not None and self.joined == self.admitted:
            return self.joined.year, self.joined.month
        else:
            year, month = self.joined.year, self.joined.month
        return (year + 1, 1) if month == 12 else (year, month + 1)

    def counted_on(self, day: dt.date) -> bool:
        """Counts for ``day``: joined on or before it and not yet left (left.date > day)."""
        return self.joined <= day and (self.left is None or self.left.date > day)

    def full_member_on(self, day: dt.date) -> bool:
        """正式党员 on ``day``: 正式 now and converted by then (or no conversion date known)."""
        if self.status != "正式党员":
            return False
        return self.full_since is None or self.full_since <= day

    def votes_on(self, day: dt.date) -> bool:
        """Has a vote on ``day``: a counted 正式党员 not under 留党察看."""
        if not (self.counted_on(day) and self.full_member_on(day)):
            return False
        d = self.discipline
        return not (d is not None and d.kind == NO_VOTE_DISCIPLINE and d.active_on(day))


@dataclass(frozen=True, slots=True)
class Seat:
    """A person in a committee role."""

    name: str
    role: str
    approved: dt.date | None = None
    source: Source = NOWHERE


@dataclass(frozen=True, slots=True)
class CommitteeChange:
    date: dt.date
    name: str
    role: str
    action: str  # 离任 | 补选 | 调整
    reason: str | None = None
    approved: dt.date | None = None
    source: Source = NOWHERE


@dataclass(frozen=True, slots=True)
class Term:
    elected: dt.date
    seats: tuple[Seat, ...]
    changes: tuple[CommitteeChange, ...] = ()
    term_years: int | None = None
    extended_to: dt.date | None = None
    source: Source = NOWHERE

    def seats_on(self, day: dt.date) -> tuple[Seat, ...]:
        """Who holds which role on ``day`` (changes on ``day`` already applied)."""
        seats = {(s.name, s.role): s for s in self.seats}
        for change in sorted(self.changes, key=lambda c: c.date):
            if change.date > day:
                break
            if change.action == "离任":
                for key in [k for k in seats if k[0] == change.name and k[1] == change.role] or [
                    k for k in seats if k[0] == change.name
                ]:
                    del seats[key]
            elif change.action == "补选":
                seats[(change.name, change.role)] = Seat(change.name, change.role, change.approved, change.source)
            elif change.action == "调整":
                for key in [k for k in seats if k[0] == change.name]:
                    del seats[key]
                seats[(change.name, change.role)] = Seat(change.name, change.role, change.approved, change.source)
        return tuple(sorted(seats.values(), key=lambda s: (_ROLE_ORDER.get(s.role, 99), s.name)))

    def default_years(self, category: str, *, village: int = 5, other: int = 3) -> int:
        """Term length when ``term_years`` is absent: 5 years for 村 and 社区, 3 for every other
        branch, whenever elected (《关于党的基层组织任期的意见》2018; a pack may change these)."""
        return village if category in ("村", "社区") else other

    def nominal_end(self, category: str, **defaults: int) -> dt.date:
        """Last day of the term before any extension."""
        years = self.term_years or self.default_years(category, **defaults)
        try:  # the same date ``years`` later begins the next term
            anniversary = self.elected.replace(year=self.elected.year + years)
        except ValueError:  # elected on 29 February: the next term begins on 1 March
            anniversary = dt.date(self.elected.year + years, 3, 1)
        return anniversary - dt.timedelta(days=1)

    def ends(self, category: str, **defaults: int) -> dt.date:
        """Last day of the term, after any approved extension."""
        nominal = self.nominal_end(category, **defaults)
        return max(nominal, self.extended_to) if self.extended_to else nominal


_ROLE_ORDER = {
    role: i for i, role in enumerate(("书记", "副书记", "组织委员", "宣传委员", "纪检委员", "青年委员", "统战委员", "委员"))
}


@dataclass(frozen=True, slots=True)
class Committee:
    terms: tuple[Term, ...] = ()  # oldest first
    group_leaders: tuple[tuple[str, str], ...] = ()  # (group, leader now: the last in turn)
    source: Source = NOWHERE
    # (group, ((leader, since or None), …)) oldest first, when committee.yaml records the turns
    leader_history: tuple[tuple[str, tuple[tuple[str, dt.date | None], ...]], ...] = ()

    def term_on(self, day: dt.date) -> Term | None:
        """The sitting term on ``day``: the last one elected on or before it."""
        sitting = None
        for term in self.terms:
            if term.elected <= day:
                sitting = term
        return sitting

    def seats_on(self, day: dt.date) -> tuple[Seat, ...]:
        term = self.term_on(day)
        return term.seats_on(day) if term else ()

    def names_on(self, day: dt.date) -> tuple[str, ...]:
        return tuple(sorted({s.name for s in self.seats_on(day)}))

    def holder_of(self, role: str, day: dt.date) -> str | None:
        for seat in self.seats_on(day):
            if seat.role == role:
                return seat.name
        return None

    def has_committee_on(self, day: dt.date) -> bool:
        """A committee in the standard's sense: at least three people sit on it."""
        return len(self.names_on(day)) >= 3

    def leader_of(self, group: str) -> str | None:
        return dict(self.group_leaders).get(group)

    def leader_on(self, group: str, day: dt.date) -> str | None:
        """The 党小组组长 of ``group`` on ``day``: the last leader whose ``since`` is on or before it
        (a leader without ``since`` has led from the start)."""
        turns = dict(self.leader_history).get(group)
        if turns is None:
            return self.leader_of(group)
        leader = None
        for name, since in turns:
            if since is None or since <= day:
                leader = name
        return leader


@dataclass(frozen=True, slots=True)
class Absence:
    name: str
    reason: str | None
    source: Source = NOWHERE


@dataclass(frozen=True, slots=True)
class Votes:
    for_: int
    against: int = 0
    abstain: int = 0
    written: int = 0  # of these, written opinions of absent voters (发展党员工作细则: admission, conversion)

    @property
    def total(self) -> int:
        return self.for_ + self.against + self.abstain


@dataclass(frozen=True, slots=True)
class Candidate:
    """One person standing in an election, with the votes for them and whether recorded as elected."""

    name: str
    votes: int
    elected: bool = True
    source: Source = NOWHERE


@dataclass(frozen=True, slots=True)
class Ballots:
    issued: int
    returned: int
    source: Source = NOWHERE


@dataclass(frozen=True, slots=True)
class Resolution:
    text: str
    kind: str | None = None
    votes: Votes | None = None
    adopted: bool = True
    source: Source = NOWHERE
    person: str | None = None  # whom it decides about (接收, 转正, 延长预备期...), when written
    ballots: Ballots | None = None  # elections only
    candidates: tuple[Candidate, ...] = ()  # elections only

    @property
    def is_election(self) -> bool:
        return self.kind in ELECTION_KINDS


@dataclass(frozen=True, slots=True)
class Record:
    """One meeting or activity (一册). ``types`` has several entries for a combined event."""

    types: tuple[str, ...]
    date: dt.date
    place: str | None = None
    host: str | None = None
    recorder: str | None = None
    attendees: tuple[str, ...] = ()
    absent: tuple[Absence, ...] = ()
    guests: tuple[str, ...] = ()
    time: str | None = None
    group: str | None = None
    lecturer: str | None = None
    theme: str | None = None
    topics: tuple[str, ...] = ()
    content: str | None = None
    resolutions: tuple[Resolution, ...] = ()
    counts_as: tuple[str, ...] = ()
    plan: str | None = None
    delegated: str | None = None
    attachments: tuple[str, ...] = ()
    for_year: int | None = None  # the year a 组织生活会 or 民主评议党员 counts for, when not its own
    dues_published: bool = False  # the branch published its dues collection to its members here
    source: Source = NOWHERE

    def year_for(self, record_type: str) -> int:
        """The year this record counts for as ``record_type`` (``for_year`` moves only the
        yearly meetings of a combined event)."""
        if self.for_year is not None and record_type in YEAR_END_TYPES:
            return self.for_year
        return self.date.year

    @property
    def carried_over(self) -> bool:
        """Held in the next year for the previous one (a 组织生活会 for 2025 held in January 2026)."""
        return self.for_year is not None and self.for_year != self.date.year and bool(YEAR_END_TYPES.intersection(self.types))

    @property
    def type_label(self) -> str:
        return "、".join(self.types)

    def has_type(self, record_type: str) -> bool:
        return record_type in self.types

    @property
    def plan_kinds(self) -> frozenset[str]:
        """What this record counts as for 一表: 学习 and/or 活动."""
        kinds = {COUNTS_AS[t] for t in self.types if t in COUNTS_AS}
        kinds.update(self.counts_as)
        return frozenset(kinds)

    @property
    def absent_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.absent)

    @property
    def path(self) -> str | None:
        return self.source.path


@dataclass(frozen=True, slots=True)
class Talk:
    date: dt.date
    between: tuple[str, str]
    form: str | None = None
    source: Source = NOWHERE


@dataclass(frozen=True, slots=True)
class PlanItem:
    month: int
    kind: str  # 学习 | 活动
    topic: str
    id: str | None = None
    type: str | None = None
    date: dt.date | None = None
    owner: str | None = None
    source: Source = NOWHERE


@dataclass(frozen=True, slots=True)
class Plan:
    year: int
    items: tuple[PlanItem, ...] = ()
    source: Source = NOWHERE

    def items_of(self, month: int) -> tuple[PlanItem, ...]:
        return tuple(i for i in self.items if i.month == month)


@dataclass(frozen=True, slots=True)
class Applicant:
    """A person in the 发展党员 pipeline; each stage is a date or None."""

    name: str
    applied: dt.date | None = None
    talked: dt.date | None = None
    activist: dt.date | None = None
    candidate: dt.date | None = None
    admitted: dt.date | None = None
    full: dt.date | None = None
    extended_to: dt.date | None = None
    source: Source = NOWHERE


@dataclass(frozen=True, slots=True)
class Payment:
    name: str
    months: tuple[int, ...]
    amount: float | None = None
    date: dt.date | None = None
    source: Source = NOWHERE


@dataclass(frozen=True, slots=True)
class DuesLedger:
    year: int
    monthly: tuple[tuple[str, float], ...] = ()
    paid: tuple[Payment, ...] = ()
    source: Source = NOWHERE

    def months_paid(self, name: str) -> frozenset[int]:
        return frozenset(m for p in self.paid if p.name == name for m in p.months)


@dataclass(frozen=True, slots=True)
class Waiver:
    code: str
    period: str
    reason: str
    approved_by: str | None = None
    approved: dt.date | None = None
    expires: dt.date | None = None
    subject: str | None = None  # only findings about this member (or group, pair) are waived
    source: Source = NOWHERE


@dataclass(frozen=True, slots=True)
class PackFile:
    """A rule pack named in zhibu.yaml, as parsed data (interpreted by the standard)."""

    path: str
    data: object
    source: Source = NOWHERE
    problem: str | None = None  # "missing" or "unreadable" when there is no data to use


@dataclass(frozen=True, slots=True)
class Branch:
    """Everything a branch repository says, as values. Built by :mod:`zhibu.format.load`."""

    config: BranchConfig
    members: tuple[Member, ...] = ()
    committee: Committee = field(default_factory=Committee)
    records: tuple[Record, ...] = ()  # sorted by (date, path)
    talks: tuple[Talk, ...] = ()
    plans: tuple[Plan, ...] = ()
    applicants: tuple[Applicant, ...] = ()
    dues: tuple[DuesLedger, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    packs: tuple[PackFile, ...] = ()
    # Derived indexes (conversion meetings...), built on first use; not part of the value.
    _derived: dict = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)

    # --- roster queries -----------------------------------------------------

    def member(self, name: str) -> Member | None:
        for m in self.members:
            if m.name == name:
                return m
        return None

    def members_on(self, day: dt.date) -> tuple[Member, ...]:
        """Members counted on ``day`` (joined <= day < left)."""
        return tuple(m for m in self.members if m.counted_on(day))

    def voters_on(self, day: dt.date) -> tuple[Member, ...]:
        """应到会有表决权的党员: counted 正式党员 not under 留党察看.

        A 预备党员 has no vote until the 支部党员大会 decides the conversion (党章第七条), even
        though ``full_since`` is back-dated to 预备期满: a member whose conversion meeting is
        recorded votes only after that meeting's day, so not at the meeting deciding it.
        """
        decided = self.conversion_meetings()
        return tuple(m for m in self.members if m.votes_on(day) and decided.get(m.name, FAR_PAST) < day)

    def resolution_person(self, resolution: Resolution) -> str | None:
        """Whom a resolution decides about: its ``person``, else the one roster or pipeline name in its text."""
        if resolution.person:
            return resolution.person
        if resolution.kind not in PERSONAL_KINDS:
            return None
        names = {m.name for m in self.members} | {a.name for a in self.applicants}
        found = [n for n in names if n and n in resolution.text]
        # "王芳" inside "王芳（大）" is the same mention: keep only names no other found name contains.
        found = [n for n in found if not any(n != o and n in o for o in found)]
        return found[0] if len(found) == 1 else None

    def decisions_about(self, kind: str) -> dict[str, tuple[tuple[Record, Resolution], ...]]:
        """Adopted resolutions of ``kind`` by the person they decide about, in record order."""
        key = ("decisions", kind)
        if key not in self._derived:
            found: dict[str, list[tuple[Record, Resolution]]] = {}
            for record in self.records:
                for resolution in record.resolutions:
                    if resolution.kind == kind and resolution.adopted:
                        person = self.resolution_person(resolution)
                        if person:
                            found.setdefault(person, []).append((record, resolution))
            self._derived[key] = {name: tuple(items) for name, items in found.items()}
        return self._derived[key]

    def conversion_meetings(self) -> dict[str, dt.date]:
        """Name -> day of the first recorded 支部党员大会 that decided the person's conversion."""
        key = ("conversions",)
        if key not in self._derived:
            meetings: dict[str, dt.date] = {}
            for name, decided in self.decisions_about("预备党员转正").items():
                days = [record.date for record, _ in decided if record.has_type("支部党员大会")]
                if days:
                    meetings[name] = days[0]
            self._derived[key] = meetings
        return self._derived[key]

    def full_members_on(self, day: dt.date) -> tuple[Member, ...]:
        return tuple(m for m in self.members if m.counted_on(day) and m.full_member_on(day))

    def group_members_on(self, group: str, day: dt.date) -> tuple[Member, ...]:
        return tuple(m for m in self.members_on(day) if m.group == group)

    def committee_on(self, day: dt.date) -> tuple[Seat, ...]:
        return self.committee.seats_on(day)

    def secretary_on(self, day: dt.date) -> str | None:
        return self.committee.holder_of("书记", day)

    def expected_at(self, record: Record) -> tuple[str, ...]:
        """Names expected (应到) at a record, per format.md; union over a combined event's types."""
        names: set[str] = set()
        day = record.date
        for record_type in record.types:
            if record_type in EXPECTS_ALL:
                # A person admitted that day is not yet a member at the meeting admitting them.
                names.update(m.name for m in self.members_on(day) if m.admitted is None or m.admitted < day)
            elif record_type in EXPECTS_COMMITTEE:
                names.update(self.committee.names_on(day))
            elif record_type in EXPECTS_GROUP and record.group:
                names.update(m.name for m in self.group_members_on(record.group, day) if m.admitted is None or m.admitted < day)
        return tuple(sorted(names))

    # --- other lookups ---------------------------------------------------------

    def plan_for(self, year: int) -> Plan | None:
        for plan in self.plans:
            if plan.year == year:
                return plan
        return None

    def dues_for(self, year: int) -> DuesLedger | None:
        for ledger in self.dues:
            if ledger.year == year:
                return ledger
        return None

    def records_between(self, first: dt.date, last: dt.date) -> tuple[Record, ...]:
        return tuple(r for r in self.records if first <= r.date <= last)

    def records_of(self, record_type: str) -> Iterable[Record]:
        return (r for r in self.records if record_type in r.types)

    def talks_in(self, year: int) -> tuple[Talk, ...]:
        return tuple(t for t in self.talks if t.date.year == year)
