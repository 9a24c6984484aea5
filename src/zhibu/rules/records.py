"""Rules about one record at a time: who is named, who was expected, why they were absent.

These run in ``zhibu check`` and also before a command writes a record, so a
secretary learns about a misspelt name when typing it, not at inspection.
"""

from __future__ import annotations

import difflib
from collections import Counter
from typing import Iterator

from ..catalogue import make_finding
from ..model.branch import Branch, Record
from ..model.findings import Finding
from ..model.periods import Period


def _period(record: Record) -> str:
    return Period.containing("month", record.date).label


def unknown_people(branch: Branch, record: Record) -> Iterator[Finding]:
    """record.unknown-person: host, recorder, attendees and absentees must be on the roster that day."""
    day = record.date
    counted = {m.name for m in branch.members_on(day)}
    committee = set(branch.committee.names_on(day))
    guests = set(record.guests)
    # A 支部委员会 on its own is attended by the committee; other members sit in as guests.
    committee_only = set(record.types) == {"支部委员会"}
    allowed = committee if committee_only else counted | committee
    everyone = {m.name for m in branch.members}
    src = record.source
    named = []
    if record.host:
        named.append(("主持人", record.host, src.at("host")))
    if record.recorder:
        named.append(("记录人", record.recorder, src.at("recorder")))
    named += [("到会人员", name, src.at("attendees", i)) for i, name in enumerate(record.attendees)]
    named += [("缺席人员", a.name, a.source.at("name")) for a in record.absent]
    for role, name, where in named:
        if name in allowed or (role == "到会人员" and name in guests):
            continue
        if committee_only and name in counted and role in ("到会人员", "缺席人员"):
            message = f"{role} {name} 在 {day} 不是支委会委员"
            hint = "列席支委会的党员请写入 guests；核对委员名单（zhibu committee show --on 日期）。"
        elif name in everyone:
            member = branch.member(name)
            when = "尚未转入本支部" if member.joined > day else "已离开本支部"
            message = f"{role} {name} 在 {day} {when}，不在当日名册中"
            hint = "核对日期或名单；非本支部党员请写入 guests（列席）。"
        else:
            message = f"{role} {name} 不在党员名册中"
            close = difflib.get_close_matches(name, sorted(counted), n=1, cutoff=0.5)
            hint = f"是否应为“{close[0]}”？" if close else "核对姓名写法；新转入的党员先用 zhibu member add 登记，非党员请写入 guests（列席）。"
        yield make_finding("record.unknown-person", message, where, hint, period=_period(record), subject=name)


def attendance(branch: Branch, record: Record) -> Iterator[Finding]:
    """record.attendance: every expected person exactly once in attendees or absent."""
    expected = branch.expected_at(record)
    if not expected:
        return
    listed = Counter(record.attendees) + Counter(record.absent_names)
    src = record.source
    for name in expected:
        if listed[name] == 0:
            yield make_finding(
                "record.attendance",
                f"应到人员 {name} 既不在 attendees 中，也不在 absent 中",
                src.at("attendees"),
                f"到会的加入 attendees；缺席的写入 absent 并注明原因，如 {{name: {name}, reason: 出差}}。",
                period=_period(record),
                subject=name,
            )
    for name, count in sorted(listed.items()):
        if count > 1:
            both = name in record.attendees and name in record.absent_names
            yield make_finding(
                "record.attendance",
                f"{name} 同时出现在 attendees 和 absent 中" if both else f"{name} 被重复记录了 {count} 次",
                src.at("absent" if both else "attendees"),
                "每人只能记录一次：到会或缺席。",
                period=_period(record),
                subject=name,
            )


def absent_reasons(branch: Branch, record: Record) -> Iterator[Finding]:
    """record.absent-reason: every absentee has a reason."""
    for absence in record.absent:
        if not absence.reason:
            yield make_finding(
                "record.absent-reason",
                f"缺席人员 {absence.name} 没有写明原因",
                absence.source,
                f"写成 {{name: {absence.name}, reason: 出差}} 这样的形式。",
                period=_period(record),
                subject=absence.name,
            )


def record_findings(branch: Branch, record: Record) -> list[Finding]:
    """All single-record findings for ``record`` (used before writing one)."""
    return [*unknown_people(branch, record), *attendance(branch, record), *absent_reasons(branch, record)]
