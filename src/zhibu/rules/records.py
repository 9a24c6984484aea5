"""Rules about one record at a time: who is named, who was expected, why they were absent.

These run in ``zhibu check`` and also before a command writes a record, so a
secretary learns about a misspelt name when typing it, not at inspection.
"""

from __future__ import annotations

import difflib
from collections import Counter
from typing import Iterator

from ..format.catalogue import make_finding
from ..model.branch import Branch, Record
from ..model.findings import Finding
from ..model.periods import Period


def _period(record: Record) -> str:
    return Period.containing("month", record.date).label


def unknown_people(branch: Branch, record: Record) -> Iterator[Finding]:
    """record.unknown-person: host, recorder, attendees and absentees must be on the roster that day."""
    day = record.date
    counted = {m.name for m in branch.members_on(day)}
    committee = {seat.name for seat in branch.committee.seats_on(day)}
    guests = set(record.guests)
    # A 支部委员会 on its own is attended by the committee; other members sit in as guests.
    committee_only = set(record.types) == {"支部委员会"}
    allowed = committee if committee_only else counted | committee
    src = record.source
    # (role, name, source, key path): a location is made only for a name that is reported.
    named = []
    if record.host:
        named.append(("主持人", record.host, src, ("host",)))
    if record.recorder:
        named.append(("记录人", record.recorder, src, ("recorder",)))
    named += [("到会人员", name, src, ("attendees", i)) for i, name in enumerate(record.attendees)]
    named += [("缺席人员", a.name, a.source, ("name",)) for a in record.absent]
    for role, name, source, key in named:
        if name in allowed or (role == "到会人员" and name in guests):
            continue
        if committee_only and name in counted and role in ("到会人员", "缺席人员"):
            message = f"{role} {name} 在 {day} 不是支委会委员"
            hint = "列席支委会的党员请写入 guests；核对委员名单（zhibu committee show --on 日期）。"
        elif (member := branch.member(name)) is not None:
            when = "尚未转入本支部" if member.joined > day else "已离开本支部"
            message = f"{role} {name} 在 {day} {when}，不在当日名册中"
            hint = "核对日期或名单；非本支部党员请写入 guests（列席）。"
        else:
            message = f"{role} {name} 不在党员名册中"
            close = difflib.get_close_matches(name, sorted(counted), n=1, cutoff=0.5)
            hint = (
                f"是否应为“{close[0]}”？"
                if close
                else "核对姓名写法；新转入的党员先用 zhibu member add 登记，非党员请写入 guests（列席）。"
            )
        yield make_finding("record.unknown-person", message, source.lazy(*key), hint, period=_period(record), subject=name)


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


# --- as rules of the standard ---------------------------------------------------------

from collections import defaultdict  # noqa: E402

from .registry import Context, Rule, kind, passive_kind  # noqa: E402

passive_kind("format", "文件格式检查，由读取器在载入时完成。")
passive_kind("standard", "标准本身的检查（规则包、例外登记），由分层合并时完成。")
passive_kind("internal", "zhibu 检查过程本身（发现数上限、规则出错），由检查流程完成。")

_SINGLE_RECORD = {
    "record.unknown-person": unknown_people,
    "record.attendance": attendance,
    "record.absent-reason": absent_reasons,
}


@kind("record", "逐条检查记录本身：人员、出勤、缺席原因、重复、日期。")
def record_rules(ctx: Context, rule: Rule):
    check = _SINGLE_RECORD.get(rule.code)
    if check is not None:
        for record in ctx.records_in_range():
            for found in check(ctx.branch, record):
                yield Finding(**_restamp(rule, found))
        return
    if rule.code == "record.future-date":
        for record in ctx.branch.records:
            if record.date > ctx.as_of:
                yield ctx.finding(
                    rule,
                    f"记录日期 {record.date} 晚于检查日期 {ctx.as_of}",
                    record.source.at("date"),
                    period=_period(record),
                )
        yield from _future_entries(ctx, rule)
    elif rule.code == "record.duplicate":
        seen = defaultdict(list)
        for record in ctx.records_in_range():
            seen[(frozenset(record.types), record.date, record.group)].append(record)
        for (_types, day, group), records in sorted(seen.items(), key=lambda kv: (kv[0][1], sorted(kv[0][0]), kv[0][2] or "")):
            if len(records) < 2:
                continue
            # The earlier file is the one without the CLI's "-<n>" suffix: compare names without ".yaml".
            first, *others = sorted(records, key=lambda r: (r.source.path or "").removesuffix(".yaml"))
            for record in others:
                yield ctx.finding(
                    rule,
                    f"与 {first.source.path} 类型、日期{'、党小组' if group else ''}相同，可能重复录入",
                    record.source.at(),
                    period=_period(record),
                    subject=group,
                )
    elif rule.code == "record.filename-date":
        for record in ctx.records_in_range():
            path = record.source.path or ""
            stem = path.rsplit("/", 1)[-1]
            named = stem[:10]
            folder = path.split("/")[1] if path.count("/") >= 2 else ""
            wrong_name = len(named) == 10 and named[4] == "-" and named != record.date.isoformat()
            wrong_folder = folder.isdigit() and int(folder) != record.date.year
            if wrong_name or wrong_folder:
                yield ctx.finding(
                    rule,
                    f"文件名或目录中的日期与记录日期 {record.date} 不一致",
                    record.source.at("date"),
                    period=_period(record),
                )


_DEVELOPMENT_STAGES = (
    ("applied", "递交入党申请书"),
    ("talked", "谈话"),
    ("activist", "确定为入党积极分子"),
    ("candidate", "确定为发展对象"),
    ("admitted", "接收为预备党员"),
    ("full", "转正"),
)


def _future_entries(ctx: Context, rule: Rule):
    """Talks, dues payments and 发展党员 dates after the as-of date: things that have not
    happened yet are not records, wherever they are written (the planned ``extended_to``
    of a probation is a date in the future by nature and is not one of them)."""
    as_of = ctx.as_of
    for talk in ctx.branch.talks:
        if talk.date > as_of:
            yield ctx.finding(
                rule,
                f"{talk.between[0]} 与 {talk.between[1]} 的谈心谈话日期 {talk.date} 晚于检查日期 {as_of}",
                talk.source.at("date"),
                period=Period.containing("month", talk.date).label,
            )
    for ledger in ctx.branch.dues:
        for payment in ledger.paid:
            if payment.date is not None and payment.date > as_of:
                yield ctx.finding(
                    rule,
                    f"{payment.name} 的党费交纳日期 {payment.date} 晚于检查日期 {as_of}",
                    payment.source.at("date"),
                    period=Period.containing("month", payment.date).label,
                    subject=payment.name,
                )
    for person in ctx.branch.applicants:
        for key, stage in _DEVELOPMENT_STAGES:
            day = getattr(person, key)
            if day is not None and day > as_of:
                yield ctx.finding(
                    rule,
                    f"{person.name} {stage}的日期 {day} 晚于检查日期 {as_of}",
                    person.source.at(key),
                    period=Period.containing("month", day).label,
                    subject=person.name,
                )


def _restamp(rule: Rule, found: Finding) -> dict:
    """A single-record finding re-issued under the rule's current severity, layer and source."""
    return {
        "code": rule.code,
        "severity": rule.severity,
        "message": found.message,
        "hint": found.hint,
        "path": found.path,
        "line": found.line,
        "period": found.period,
        "subject": found.subject,
        "layer": rule.layer,
        "pack": rule.pack,
        "source": rule.source,
    }
