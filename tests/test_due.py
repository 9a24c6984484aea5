"""zhibu due and zhibu calendar: reminders from the standard, and an RFC 5545 file that parses back."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from conftest import DEFAULT_ZHIBU, git, record_text
from hypothesis import given, settings
from hypothesis import strategies as st

from zhibu.schedule import ical

THEME_ZHIBU = DEFAULT_ZHIBU + "theme_day: 每月最后一个周五\nstandard:\n  - standards/T-示例区.yaml\n"
T_PACK = """\
pack: T-示例区
layer: T
title: 示例区要求
version: 2026.1
rules:
  - code: meeting.committee-monthly
    min: 2
"""


def branch_files(**extra) -> dict:
    files = {"zhibu.yaml": THEME_ZHIBU, "standards/T-示例区.yaml": T_PACK}
    files.update(extra)
    return files


COMMITTEE_0305 = record_text()  # a 支部委员会 on 2026-03-05
GROUP_1 = record_text(
    type="党小组会", date="2026-03-11", group="第一党小组", host="陈志强", recorder="陈志强", attendees="[王建国, 陈志强, 孙悦]"
)
LECTURE = record_text(
    type="党课", date="2026-02-12", lecturer="王建国", recorder="李晓梅", attendees="[王建国, 李晓梅, 陈志强, 刘芳, 赵磊, 孙悦]"
)


def due_json(run, root, *args) -> dict:
    result = run("due", "-C", root, "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def by_title(data: dict) -> dict:
    return {item["title"]: item for item in data["items"]}


def test_due_lists_this_months_and_quarters_requirements(make_branch, run):
    root = make_branch(branch_files(**{"records/2026/2026-03-05-支部委员会.yaml": COMMITTEE_0305}))
    data = due_json(run, root, "--as-of", "2026-03-10")
    items = by_title(data)
    assert data["as_of"] == "2026-03-10" and data["until"] == "2026-04-10"
    # The T pack asks for two 支委会 a month: one held, one to go, and it says whose rule that is.
    committee = items["支部委员会"]
    assert committee["date"] == "2026-03-31" and committee["code"] == "meeting.committee-monthly"
    assert committee["pack"] == "T-示例区"
    assert "已召开 1 次，还差 1 次" in committee["detail"] and "每月至少2次" in committee["detail"]
    assert items["党小组会：第一党小组"]["date"] == "2026-03-31"
    assert items["党小组会：第二党小组"]["date"] == "2026-03-31"
    # The 主题党日 on the branch's fixed day (the last Friday of March 2026 is the 27th).
    assert items["主题党日"]["date"] == "2026-03-27" and items["主题党日"]["kind"] == "theme-day"
    assert items["党课"]["date"] == "2026-03-31" and "第一季度" in items["党课"]["detail"]
    assert items["支部党员大会"]["date"] == "2026-03-31"
    assert {"学习（一表）", "活动（一表）"} <= set(items)
    assert "组织生活会" not in items  # due at the end of the year, beyond the 31 days
    assert data["later"] > 0
    dates = [item["date"] for item in data["items"]]
    assert dates == sorted(dates)


def test_met_requirements_disappear(make_branch, run):
    root = make_branch(
        branch_files(
            **{
                "records/2026/2026-03-05-支部委员会.yaml": COMMITTEE_0305,
                "records/2026/2026-03-06-支部委员会.yaml": record_text(date="2026-03-06"),
                "records/2026/2026-03-11-党小组会.yaml": GROUP_1,
                "records/2026/2026-02-12-党课.yaml": LECTURE,
            }
        )
    )
    # The group met on 2026-03-11: on that very day its requirement counts as met.
    items = by_title(due_json(run, root, "--as-of", "2026-03-11"))
    assert "支部委员会" not in items
    assert "党小组会：第一党小组" not in items and "党小组会：第二党小组" in items
    assert "党课" not in items


def test_records_after_the_as_of_date_do_not_count_yet(make_branch, run):
    # A meeting registered for later (or a whole past year, as in the demo) does not make this
    # month's requirement look met on an earlier as-of date, as zhibu check would not count it.
    root = make_branch(
        branch_files(
            **{
                "records/2026/2026-03-05-支部委员会.yaml": COMMITTEE_0305,
                "records/2026/2026-03-06-支部委员会.yaml": record_text(date="2026-03-06"),
                "records/2026/2026-03-11-党小组会.yaml": GROUP_1,
            }
        )
    )
    items = by_title(due_json(run, root, "--as-of", "2026-03-10"))
    assert "党小组会：第一党小组" in items and "党小组会：第二党小组" in items
    assert "支部委员会" not in items
    committee_before = by_title(due_json(run, root, "--as-of", "2026-03-05"))["支部委员会"]
    assert "已召开 1 次，还差 1 次" in committee_before["detail"]


def test_a_waiver_removes_the_requirement(make_branch, run):
    waivers = "waivers:\n  - {code: meeting.committee-monthly, period: 2026-03, reason: 合并召开, approved: 2026-03-01}\n"
    root = make_branch(branch_files(**{"waivers.yaml": waivers}))
    assert "支部委员会" not in by_title(due_json(run, root, "--as-of", "2026-03-10"))


def test_text_output_names_dates_rules_and_what_comes_later(make_branch, run):
    root = make_branch(branch_files())
    result = run("due", "-C", root, "--as-of", "2026-03-10", "--days", "7")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("2026-03-10 起 7 天内（至 2026-03-17）需要办理的事项：")
    assert "（没有）" in out
    assert re.search(r"共 0 项。另有 \d+ 项在 2026-03-17 之后", out)
    result = run("due", "-C", root, "--as-of", "2026-03-10")
    assert "2026-03-27 周五  主题党日" in result.stdout
    assert "依据：meeting.committee-monthly（T-示例区）" in result.stdout


def test_probation_ending_and_overdue(make_branch, run):
    root = make_branch(branch_files())
    item = by_title(due_json(run, root, "--as-of", "2026-09-20"))["预备期满：孙悦"]
    assert item["date"] == "2026-10-12" and item["code"] == "member.probation-overdue" and item["people"] == ["孙悦"]
    result = run("due", "-C", root, "--as-of", "2026-11-02")
    assert "2026-10-12 周一（已逾期）  预备期满：孙悦" in result.stdout
    extended = make_branch(
        branch_files(**{"development.yaml": "people:\n  - {name: 孙悦, admitted: 2025-10-12, full: {extended_to: 2027-04-12}}\n"})
    )
    items = by_title(due_json(run, extended, "--as-of", "2027-04-01"))
    assert items["预备期满：孙悦"]["date"] == "2027-04-12" and "延长预备期" in items["预备期满：孙悦"]["detail"]


def test_converted_member_is_no_longer_due(make_branch, run):
    from conftest import DEFAULT_MEMBERS

    members = DEFAULT_MEMBERS.replace(
        "    status: 预备党员\n    admitted: 2025-10-12\n",
        "    status: 正式党员\n    admitted: 2025-10-12\n    full_since: 2026-10-12\n",
    )
    root = make_branch(branch_files(**{"members.yaml": members}))
    assert "预备期满：孙悦" not in by_title(due_json(run, root, "--as-of", "2026-09-20"))


def test_term_prepare_end_and_overdue(make_branch, run):
    root = make_branch(branch_files())  # elected 2023-06-20 (高校): three years, ends 2026-06-19
    prepare = by_title(due_json(run, root, "--as-of", "2025-12-10"))["换届准备"]
    assert prepare["date"] == "2025-12-19" and prepare["code"] == "org.term-expiring"
    end = by_title(due_json(run, root, "--as-of", "2026-06-01"))["支委会任期届满"]
    assert end["date"] == "2026-06-19" and end["code"] == "org.term-expired"
    late = run("due", "-C", root, "--as-of", "2026-07-01")
    assert "2026-06-19 周五（已逾期）  支委会任期届满" in late.stdout


def test_term_end_follows_a_t_pack_default(make_branch, run):
    # A T pack may set its system's default term within 3–5 years; committee show agrees with due.
    pack = T_PACK + "  - code: org.term-expired\n    term_years_other: 5\n"
    root = make_branch(branch_files(**{"standards/T-示例区.yaml": pack}))
    end = by_title(due_json(run, root, "--as-of", "2028-06-01"))["支委会任期届满"]
    assert end["date"] == "2028-06-19"
    assert "任期 5 年，至 2028-06-19" in run("committee", "show", "-C", root, "--on", "2026-07-01").stdout


PLAN_2026 = """\
year: 2026
items:
  - {id: 2026-03-学习-1, month: 3, kind: 学习, topic: 学习全国两会精神, type: 集中学习, date: 2026-03-06, owner: 陈志强}
  - {id: 2026-03-活动-1, month: 3, kind: 活动, topic: 学雷锋志愿服务, type: 实践活动}
  - {id: 2026-04-学习-1, month: 4, kind: 学习, topic: 清明节缅怀先烈, date: 2026-04-03}
"""
STUDY_0306 = record_text(
    type="集中学习", date="2026-03-06", plan="2026-03-学习-1", attendees="[王建国, 李晓梅, 陈志强, 刘芳, 赵磊, 孙悦]"
)


def test_plan_items_not_yet_done(make_branch, run):
    root = make_branch(branch_files(**{"plans/2026.yaml": PLAN_2026, "records/2026/2026-03-06-集中学习.yaml": STUDY_0306}))
    items = by_title(due_json(run, root, "--as-of", "2026-03-10"))
    assert "计划学习：学习全国两会精神" not in items  # carried out by the record that names it
    undated = items["计划活动：学雷锋志愿服务"]
    assert undated["date"] == "2026-03-31" and "本月内完成" in undated["detail"]
    assert items["计划学习：清明节缅怀先烈"]["date"] == "2026-04-03"
    passed = run("due", "-C", root, "--as-of", "2026-04-05")
    assert "2026-04-03 周五（已过，2026-04-30 前仍可办理）  计划学习：清明节缅怀先烈" in passed.stdout


def test_due_outside_a_branch_is_a_clear_error(tmp_path, run):
    result = run("due", cwd=tmp_path)
    assert result.exit_code == 2 and "zhibu.yaml" in result.stderr


# --- iCalendar ------------------------------------------------------------------------------


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert all(b"\n" not in line and b"\r" not in line for line in lines), "bare LF or CR"
    return lines


def unfold(data: bytes) -> list[str]:
    """RFC 5545 3.1 unfolding: a line starting with a space continues the previous one."""
    out: list[bytes] = []
    for line in physical_lines(data):
        if line.startswith(b" "):
            out[-1] += line[1:]
        else:
            out.append(line)
    return [line.decode("utf-8") for line in out]


def unescape(text: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m[1] in "nN" else m[1], text)


def parse_ics(data: bytes) -> tuple[dict, list[dict]]:
    """(calendar properties, events), each event a dict of name -> (params, value)."""
    calendar, events, stack = {}, [], []
    for line in unfold(data):
        head, value = line.split(":", 1)
        name, *params = head.split(";")
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
        elif name == "END":
            assert stack.pop() == value
        elif stack == ["VCALENDAR"]:
            calendar[name] = value
        elif stack == ["VCALENDAR", "VEVENT"]:
            events[-1][name] = (tuple(params), value)
        elif stack[:2] == ["VCALENDAR", "VTIMEZONE"]:
            calendar.setdefault("VTIMEZONE", []).append(line)
    assert stack == []
    return calendar, events


def export(run, root, *args) -> bytes:
    result = run("calendar", "-C", root, "-o", "-", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


LONG_TOPIC = "学习贯彻党的二十届四中全会精神，结合本单位实际研究部署“十五五”时期党建工作; 讨论\\附件清单"


@pytest.fixture
def calendar_branch(git_branch):
    plan = PLAN_2026 + f"  - {{id: 2026-05-学习-1, month: 5, kind: 学习, topic: '{LONG_TOPIC}', date: 2026-05-08}}\n"
    return git_branch(branch_files(**{"plans/2026.yaml": plan, "records/2026/2026-03-06-集中学习.yaml": STUDY_0306}))


def test_ics_is_crlf_folded_at_75_octets_and_utf8_safe(calendar_branch, run):
    data = export(run, calendar_branch, "--year", "2026")
    lines = physical_lines(data)
    assert max(len(line) for line in lines) <= 75
    assert any(len(line) == 75 or len(line) >= 73 for line in lines)  # long lines were folded, not avoided
    for line in lines:
        line.decode("utf-8")  # no line ends or starts inside a Chinese character
    assert sum(1 for line in lines if line.startswith(b" ")) > 10


def test_ics_parses_back_with_the_plan_and_the_requirements(calendar_branch, run):
    calendar, events = parse_ics(export(run, calendar_branch, "--year", "2026"))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] == ical.PRODID
    assert calendar["X-WR-TIMEZONE"] == "Asia/Shanghai"
    assert "TZOFFSETTO:+0800" in calendar["VTIMEZONE"] and "TZID:Asia/Shanghai" in calendar["VTIMEZONE"]
    summaries = {unescape(e["SUMMARY"][1]): e for e in events}
    done = summaries["✓ 学习：学习全国两会精神"]
    assert done["DTSTART"] == (("VALUE=DATE",), "20260306") and done["DTEND"] == (("VALUE=DATE",), "20260307")
    assert "records/2026/2026-03-06-集中学习.yaml" in unescape(done["DESCRIPTION"][1])
    long = summaries[f"学习：{LONG_TOPIC}"]  # commas, semicolons and backslashes survive escaping
    assert long["DTSTART"][1] == "20260508"
    assert "截止：支部委员会" in summaries and "主题党日（固定日）" in summaries
    theme_days = sorted(e["DTSTART"][1] for e in events if unescape(e["SUMMARY"][1]) == "主题党日（固定日）")
    assert theme_days[:3] == ["20260130", "20260227", "20260327"]
    assert "预备期满：孙悦" in summaries and summaries["预备期满：孙悦"]["DTSTART"][1] == "20261012"
    uids = [e["UID"][1] for e in events]
    assert len(uids) == len(set(uids)) and all(u.endswith("@zhibu") for u in uids)


def test_ics_is_deterministic_and_uids_are_stable(calendar_branch, run, repo):
    first = export(run, calendar_branch, "--year", "2026")
    assert export(run, calendar_branch, "--year", "2026") == first  # the same records, the same bytes
    stamp = parse_ics(first)[1][0]["DTSTAMP"][1]
    committed = dt.datetime.fromtimestamp(int(git(calendar_branch, "log", "-1", "--format=%ct")), dt.timezone.utc)
    assert stamp == committed.strftime("%Y%m%dT%H%M%SZ")  # from the history, not the clock
    before = {unescape(e["SUMMARY"][1]): e["UID"][1] for e in parse_ics(first)[1]}
    # A new record (one more 支委会) and a new commit: the plan's events keep their UIDs.
    (calendar_branch / "records/2026/2026-03-05-支部委员会.yaml").write_text(COMMITTEE_0305, encoding="utf-8")
    git(calendar_branch, "add", "-A")
    git(calendar_branch, "commit", "-q", "-m", "记录")
    second = export(run, calendar_branch, "--year", "2026")
    after = {unescape(e["SUMMARY"][1]): e["UID"][1] for e in parse_ics(second)[1]}
    for summary in ("✓ 学习：学习全国两会精神", "活动：学雷锋志愿服务", "预备期满：孙悦", "主题党日（固定日）"):
        assert after[summary] == before[summary]
    assert parse_ics(second)[1][0]["SEQUENCE"][1] == str(int(parse_ics(first)[1][0]["SEQUENCE"][1]) + 1)


def test_uid_derives_from_branch_and_item():
    assert ical.uid("中共甲支部委员会", "plan/2026-03-学习-1") == ical.uid("中共甲支部委员会", "plan/2026-03-学习-1")
    assert ical.uid("中共甲支部委员会", "plan/2026-03-学习-1") != ical.uid("中共乙支部委员会", "plan/2026-03-学习-1")


def test_ics_without_git_stamps_the_start_of_the_year(make_branch, run):
    root = make_branch(branch_files(**{"plans/2026.yaml": PLAN_2026}))
    _calendar, events = parse_ics(export(run, root, "--year", "2026"))
    assert {e["DTSTAMP"][1] for e in events} == {"20260101T000000Z"}


def test_timed_events_are_in_asia_shanghai(calendar_branch, run):
    _calendar, events = parse_ics(export(run, calendar_branch, "--year", "2026", "--time", "9:30"))
    event = next(e for e in events if unescape(e["SUMMARY"][1]) == "活动：学雷锋志愿服务")
    assert event["DTSTART"] == (("TZID=Asia/Shanghai",), "20260331T093000")
    assert event["DTEND"] == (("TZID=Asia/Shanghai",), "20260331T103000")
    assert all(e["DTSTART"][0] == ("TZID=Asia/Shanghai",) for e in events)


def test_calendar_writes_a_file_and_refuses_a_bad_time(calendar_branch, run, tmp_path):
    target = tmp_path / "支部日历.ics"
    result = run("calendar", "-C", calendar_branch, "--year", "2026", "-o", target)
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes() == export(run, calendar_branch, "--year", "2026")
    assert "2026 年" in result.stdout
    bad = run("calendar", "-C", calendar_branch, "--time", "25:00", "-o", tmp_path / "x.ics")
    assert bad.exit_code == 2 and "25:00" in bad.stderr
    assert not (tmp_path / "x.ics").exists()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=400))
def test_fold_never_exceeds_75_octets_nor_splits_a_character(text):
    line = "DESCRIPTION:" + ical.escape_text(text)
    folded = ical.fold(line)
    physical = physical_lines(folded)
    assert all(len(p) <= 75 for p in physical)
    for p in physical:
        p.decode("utf-8")
    assert unfold(folded) == [line]
    assert unescape(line.split(":", 1)[1]) == text


def test_escape_text():
    assert ical.escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
