"""A small RFC 5545 (iCalendar) writer, and the branch's calendar: the plan and what falls due.

Written by hand rather than with a library because the subset needed is
small and the output must be reproducible byte for byte:

* lines end in CRLF and are folded at 75 octets, never inside a UTF-8
  character (a Chinese character is three octets);
* TEXT values escape backslash, semicolon, comma and newline;
* every event's UID is a hash of the branch's name and the event's own key
  (plan item id, rule code and period, …), so importing a new export updates
  the events of the last one instead of adding copies;
* DTSTAMP is the time of the last commit to the branch folder and SEQUENCE the
  number of commits, not the clock, so the same records give the same file.

Events are all-day (``VALUE=DATE``) unless a start time is asked for; timed
events are in Asia/Shanghai (UTC+8, no daylight saving), whose VTIMEZONE the
file carries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from ..model.branch import Branch
from .due import PLAN, PROBATION, REQUIREMENT, TERM, THEME_DAY, DueItem, due_items

TZID = "Asia/Shanghai"
PRODID = "-//zhibu//zhibu calendar//ZH"
MAX_OCTETS = 75

VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{TZID}",
    f"X-LIC-LOCATION:{TZID}",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "DTSTART:19700101T000000",
    "END:STANDARD",
    "END:VTIMEZONE",
)


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def branch_text(value: str) -> str:
    """A TEXT value taken from the branch: personal numbers masked, control characters shown as
    escapes (:func:`zhibu.model.redact.clean`; RFC 5545 allows no control character in TEXT)."""
    from ..model.redact import clean

    return escape_text(clean(value.replace("\r\n", "\n").replace("\r", "\n")))


def fold(line: str) -> bytes:
    """One content line as UTF-8 with CRLF, folded so that no physical line exceeds 75 octets.

    A fold never splits a multi-byte character: the cut moves back to the start
    of the character. Continuation lines begin with one space, which counts.
    """
    data = line.encode("utf-8")
    parts = []
    limit = MAX_OCTETS
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # a UTF-8 continuation byte
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = MAX_OCTETS - 1
    parts.append(data)
    return b"\r\n ".join(parts) + b"\r\n"


def uid(branch_name: str, key: str) -> str:
    """A stable event id: the same branch and event give the same UID in every export."""
    return hashlib.sha1(f"{branch_name}\n{key}".encode("utf-8")).hexdigest() + "@zhibu"


def _date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _utc(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def parse_time(text: str) -> dt.time | None:
    """``9:00`` / ``09:00`` / ``09：00`` as a time, or None."""
    match = re.fullmatch(r"\s*([01]?\d|2[0-3])\s*[:：]\s*([0-5]\d)\s*", text or "")
    return dt.time(int(match[1]), int(match[2])) if match else None


_SUMMARY_PREFIX = {REQUIREMENT: "截止：", THEME_DAY: "", TERM: "", PROBATION: ""}
_CATEGORY = {REQUIREMENT: "要求", THEME_DAY: "主题党日", PLAN: "计划", TERM: "换届", PROBATION: "转正"}


def summary(item: DueItem) -> str:
    if item.kind == PLAN:
        text = item.title.removeprefix("计划")
        return ("✓ " if item.done else "") + text
    if item.kind == THEME_DAY:
        return "主题党日（固定日）"
    return _SUMMARY_PREFIX[item.kind] + item.title


def description(item: DueItem) -> str:
    lines = [item.detail]
    if item.code and item.kind != PLAN:
        lines.append(f"依据：{item.code}" + (f"（{item.pack}）" if item.pack else ""))
    lines.append("由 zhibu calendar 根据支部记录生成；重新导出、导入会更新本事项。")
    return "\n".join(lines)


def calendar_bytes(
    name: str,
    items: list[DueItem],
    *,
    stamp: dt.datetime,
    sequence: int = 0,
    start: dt.time | None = None,
    minutes: int = 60,
    identity: str | None = None,
) -> bytes:
    """The VCALENDAR of ``items`` for the branch called ``name`` (shown as the calendar's name);
    ``identity`` (default ``name``) goes into every UID: the branch's full name."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{branch_text(name + ' 工作日历')}",
        f"X-WR-TIMEZONE:{TZID}",
        *VTIMEZONE,
    ]
    dtstamp = _utc(stamp)
    for item in items:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid(identity or name, item.key)}",
            f"DTSTAMP:{dtstamp}",
            f"LAST-MODIFIED:{dtstamp}",
            f"SEQUENCE:{sequence}",
        ]
        if start is None:
            lines += [f"DTSTART;VALUE=DATE:{_date(item.date)}", f"DTEND;VALUE=DATE:{_date(item.date + dt.timedelta(days=1))}"]
            trigger = "-PT15H"  # 09:00 the day before an all-day event
        else:
            begin = dt.datetime.combine(item.date, start)
            end = begin + dt.timedelta(minutes=minutes)
            lines += [
                f"DTSTART;TZID={TZID}:{begin.strftime('%Y%m%dT%H%M%S')}",
                f"DTEND;TZID={TZID}:{end.strftime('%Y%m%dT%H%M%S')}",
            ]
            trigger = "-PT1H"
        lines += [
            f"SUMMARY:{branch_text(summary(item))}",
            f"DESCRIPTION:{branch_text(description(item))}",
            f"CATEGORIES:{escape_text('党支部')},{escape_text(_CATEGORY[item.kind])}",
            "STATUS:CONFIRMED",
            "TRANSP:TRANSPARENT",
        ]
        if not item.done:
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{branch_text(summary(item))}",
                f"TRIGGER:{trigger}",
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return b"".join(fold(line) for line in lines)


def branch_ics(root: Path, branch: Branch, year: int, *, calendar=None, start: dt.time | None = None) -> tuple[bytes, int]:
    """The calendar of ``year`` for the branch at ``root``: (bytes, number of events).

    The plan's items (done or not), and the standard's requirements of the year
    that the records do not yet meet, the 主题党日 fixed days, the term and the
    probations, as :func:`zhibu.schedule.due.due_items` computes them from the data alone.
    """
    from ..standard.layers import build_standard
    from ..store import gitrepo

    items = due_items(branch, build_standard(branch), dt.date(year, 1, 1), dt.date(year, 12, 31), calendar=calendar)
    version = gitrepo.folder_version(root)
    stamp, sequence = version if version else (dt.datetime(year, 1, 1, tzinfo=dt.timezone.utc), 0)
    data = calendar_bytes(
        branch.config.display_name, items, stamp=stamp, sequence=sequence, start=start, identity=branch.config.name
    )
    return data, len(items)
