"""Issue 12, the organisation's hard cases: the committee term and its procedure, a branch with
only a 书记, 党小组组长, the 书记's 党龄, and the boundaries said as the text says them.

Every case starts from the clean sample year (checked as of 2025-12-31 it has no findings) and
changes one thing, so each assertion is about exactly the rule under test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from zhibu.check import check_branch
from zhibu.examples import write_branch, write_clean_variant
from zhibu.model.findings import Severity

END_2025 = dt.date(2025, 12, 31)
ELECTED = "  - elected: 2024-07-05           # 支部党员大会换届选举；高校支部任期按标准默认3年\n"
CHANGES_END = "      - {date: 2025-03-20, name: 赵磊, role: 纪检委员, action: 补选}\n"
COMMITTEE_DEC = "records/2025/2025-12-04-支部委员会.yaml"
FULL_COMMITTEE = "attendees: [王建国, 李晓梅, 张伟, 陈志强, 赵磊]\n"


def make(tmp_path: Path, *, edits=(), files=None, remove=(), name="branch") -> Path:
    """The clean sample year with text replacements, added/replaced files and removals."""
    return write_clean_variant(tmp_path / name, edits=edits, files=files, remove=remove)


def check(root: Path, as_of=END_2025, year=None):
    return check_branch(root, as_of=as_of, year=year or as_of.year, strict=True)


def found(result, prefix: str):
    return [f for f in result.findings if f.code.startswith(prefix)]


def elected(day: str, comment: str = "", extra: str = "") -> tuple[str, str, str]:
    return ("committee.yaml", ELECTED, f"  - elected: {day}{comment}\n{extra}")


# --- 1. the committee term: 3 years (村、社区 5) whenever elected ---------------------------------


@pytest.mark.parametrize(
    ("as_of", "expired"),
    [(dt.date(2027, 7, 4), False), (dt.date(2027, 7, 5), True)],  # elected 2024-07-05: the last day is 2027-07-04
)
def test_a_university_committee_elected_after_2022_has_three_years(tmp_path, as_of, expired):
    result = check(make(tmp_path), as_of=as_of, year=2025)
    assert bool(found(result, "org.term-expired")) is expired


@pytest.mark.parametrize(
    ("category", "ends"), [("社区", dt.date(2029, 7, 4)), ("村", dt.date(2029, 7, 4)), ("企业", dt.date(2027, 7, 4))]
)
def test_village_and_community_committees_have_five_years(tmp_path, category, ends):
    root = make(tmp_path, edits=[("zhibu.yaml", "category: 高校", f"category: {category}")])
    assert not found(check(root, as_of=ends, year=2025), "org.term-expired")
    assert found(check(root, as_of=ends + dt.timedelta(days=1), year=2025), "org.term-expired")


def test_term_years_in_committee_yaml_overrides_the_default(tmp_path):
    root = make(tmp_path, edits=[elected("2024-07-05", extra="    term_years: 5\n")])
    assert not found(check(root, as_of=dt.date(2029, 7, 4), year=2025), "org.term-expired")
    assert found(check(root, as_of=dt.date(2029, 7, 5), year=2025), "org.term-expired")


def _pack(layer: str, years: int) -> tuple[dict, tuple]:
    pack = f"pack: {layer}-高校系统\nlayer: {layer}\ntitle: 高校系统\nversion: 1\nrules:\n  - code: org.term-expired\n    term_years_other: {years}\n"
    return {f"standards/{layer}.yaml": pack}, ("zhibu.yaml", "standard:\n", f"standard:\n  - standards/{layer}.yaml\n")


def test_a_t_pack_may_set_its_systems_default_within_three_to_five(tmp_path):
    files, edit = _pack("T", 5)
    root = make(tmp_path, files=files, edits=[edit])
    later = check(root, as_of=dt.date(2029, 7, 4), year=2025)
    assert not found(later, "org.term-expired") and not found(later, "standard.")
    assert found(check(root, as_of=dt.date(2029, 7, 5), year=2025), "org.term-expired")


@pytest.mark.parametrize(
    ("layer", "years", "code"),
    [("T", 6, "standard.bad-pack"), ("T", 2, "standard.bad-pack"), ("X", 5, "standard.weakens-baseline")],
)
def test_a_default_outside_three_to_five_or_an_x_pack_lengthening_it_is_refused(tmp_path, layer, years, code):
    files, edit = _pack(layer, years)
    result = check(make(tmp_path, files=files, edits=[edit]), as_of=dt.date(2027, 7, 5), year=2025)
    assert [f.code for f in found(result, "standard.")] == [code]
    assert found(result, "org.term-expired")  # the baseline's three years still apply


# --- 12. term procedure: a late election, an extension over a year --------------------------------

NEW_TERM = (
    "  - elected: {day}\n    members:\n      - {{name: 王建国, role: 书记, approved: {day}}}\n"
    "      - {{name: 李晓梅, role: 副书记, approved: {day}}}\n      - {{name: 张伟, role: 组织委员}}\n"
    "      - {{name: 陈志强, role: 宣传委员}}\n      - {{name: 赵磊, role: 纪检委员}}\ngroup_leaders:\n"
)


def _late(tmp_path, new_day: str, extra: str = "", name="branch"):
    # The previous term: elected 2022-03-18, three years, last day 2025-03-17.
    return make(
        tmp_path,
        name=name,
        edits=[elected("2022-03-18", extra=extra), ("committee.yaml", "group_leaders:\n", NEW_TERM.format(day=new_day))],
    )


@pytest.mark.parametrize(("day", "late"), [("2025-03-17", None), ("2025-03-18", None), ("2025-03-19", 1), ("2025-06-30", 104)])
def test_an_election_after_the_term_expired_is_reported(tmp_path, day, late):
    result = check(_late(tmp_path, day))
    findings = found(result, "org.term-late-election")
    if late is None:
        assert findings == []
    else:
        [finding] = findings
        assert finding.severity == Severity.ERROR and f"逾期 {late} 天" in finding.message
        assert finding.path == "committee.yaml" and finding.period == day[:7]
    assert not found(result, "org.term-expired")  # the new term is current


def test_an_election_within_an_approved_extension_is_on_time(tmp_path):
    root = _late(tmp_path, "2025-06-30", extra="    extended_to: 2025-06-30\n")
    assert not found(check(root), "org.term-late-election")
    root = _late(tmp_path, "2025-07-02", extra="    extended_to: 2025-06-30\n", name="later")
    [finding] = found(check(root), "org.term-late-election")
    assert "经批准延期至 2025-06-30" in finding.message and "逾期 1 天" in finding.message


def test_a_late_election_is_reported_in_the_year_it_was_held(tmp_path):
    root = _late(tmp_path, "2025-06-30")
    assert not found(check(root, as_of=dt.date(2026, 12, 31)), "org.term-late-election")


@pytest.mark.parametrize(
    ("elected_on", "extended_to", "reported"),
    [
        ("2022-03-18", "2026-03-17", False),  # last day 2025-03-17: exactly one year more
        ("2022-03-18", "2026-03-18", True),
        ("2020-03-01", "2024-02-29", False),  # last day 2023-02-28: a year more ends on 29 February
        ("2020-03-01", "2024-03-01", True),
    ],
)
def test_an_extension_over_one_year_is_a_warning(tmp_path, elected_on, extended_to, reported):
    root = make(tmp_path, edits=[elected(elected_on, extra=f"    extended_to: {extended_to}\n")])
    findings = found(check(root, as_of=dt.date(2025, 12, 31)), "org.term-extension-long")
    assert bool(findings) is reported
    assert all(f.severity == Severity.WARNING for f in findings)


# --- 3. a branch with only a 书记 -------------------------------------------------------------------

SMALL_MEMBERS = """\
members:
  - {name: 王建国, status: 正式党员, admitted: 1998-06-20, full_since: 1999-06-20, joined: 2012-09-01}
  - {name: 李晓梅, status: 正式党员, admitted: 2003-06-28, full_since: 2004-06-28, joined: 2012-09-01}
  - {name: 陈志强, status: 正式党员, admitted: 2006-05-12, full_since: 2007-05-12, joined: 2013-07-01}
  - {name: 刘芳, status: 正式党员, admitted: 2009-11-20, full_since: 2010-11-20, joined: 2014-09-01}
"""


def _small(tmp_path, seats: str, talks: list[tuple[str, str]], name="branch"):
    committee = f"terms:\n  - elected: 2024-07-05\n    members:\n{seats}"
    lines = "".join(f"  - {{date: 2025-0{i + 1}-10, between: [{a}, {b}]}}\n" for i, (a, b) in enumerate(talks))
    return write_branch(
        tmp_path / name,
        {
            "zhibu.yaml": "format: 1\nname: 中共测试学院行政支部委员会\nparent: 中共测试学院委员会\ncategory: 高校\nfounded: 2012-09-01\n",
            "members.yaml": SMALL_MEMBERS,
            "committee.yaml": committee,
            "talks/2025.yaml": "talks:\n" + lines,
        },
    )


SECRETARY = "      - {name: 王建国, role: 书记, approved: 2024-07-10}\n"
TALKS_WITH_ALL = [("王建国", "李晓梅"), ("王建国", "陈志强"), ("刘芳", "王建国")]


def test_a_secretary_only_branch_satisfies_the_yearly_talks_when_the_secretary_talks_with_everyone(tmp_path):
    result = check(_small(tmp_path, SECRETARY, TALKS_WITH_ALL))
    assert found(result, "talk.yearly") == []


def test_a_secretary_only_branch_reports_the_member_the_secretary_did_not_talk_with(tmp_path):
    result = check(_small(tmp_path, SECRETARY, TALKS_WITH_ALL[:2]))
    [finding] = found(result, "talk.yearly")
    assert finding.subject == "刘芳" and "与书记谈心谈话 0 次" in finding.message


def test_a_secretary_and_deputy_need_no_talk_with_each_other(tmp_path):
    seats = SECRETARY + "      - {name: 李晓梅, role: 副书记, approved: 2024-07-10}\n"
    result = check(_small(tmp_path, seats, [("王建国", "陈志强"), ("李晓梅", "刘芳")]))
    assert found(result, "talk.yearly") == []


def test_a_committee_member_still_needs_a_talk_with_another_committee_member(tmp_path):
    # The same talks in a branch with a committee of three: the pairs of 委员 now count.
    seats = SECRETARY + "      - {name: 李晓梅, role: 组织委员}\n      - {name: 陈志强, role: 宣传委员}\n"
    result = check(_small(tmp_path, seats, TALKS_WITH_ALL))
    assert [f.subject for f in found(result, "talk.yearly")] == ["李晓梅、陈志强"]


# --- 13. 党小组组长 ---------------------------------------------------------------------------------


def test_a_group_without_a_leader_is_reported(tmp_path):
    root = make(tmp_path, edits=[("committee.yaml", "  第二党小组: 郑凯\n", "")])
    [finding] = found(check(root), "org.group-leader-missing")
    assert finding.subject == "第二党小组" and finding.severity == Severity.WARNING


def test_a_leader_from_a_later_date_leaves_the_group_without_one_until_then(tmp_path):
    root = make(tmp_path, edits=[("committee.yaml", "  第二党小组: 郑凯\n", "  第二党小组: {name: 郑凯, since: 2026-01-05}\n")])
    assert [f.subject for f in found(check(root), "org.group-leader-missing")] == ["第二党小组"]
    assert not found(check(root, as_of=dt.date(2026, 1, 5)), "org.group-leader-missing")


def test_a_group_set_up_after_the_range_needs_no_leader_yet(tmp_path):
    root = make(
        tmp_path,
        edits=[
            (
                "zhibu.yaml",
                "groups: [第一党小组, 第二党小组]",
                "groups: [第一党小组, 第二党小组, {name: 第三党小组, since: 2026-01-01}]",
            )
        ],
    )
    assert not found(check(root), "org.group-leader-missing")


GROUP_NOV = "records/2025/2025-11-12-党小组会.yaml"


@pytest.mark.parametrize(
    ("edits", "reported"),
    [
        ([(GROUP_NOV, "host: 郑凯\n", "host: 张伟\n")], True),
        ([(GROUP_NOV, "host: 郑凯\n", "host: 张伟\ndelegated: 组长郑凯出差，委托张伟主持\n")], False),
        # 张伟 became leader on the day of the meeting: he hosts as the leader
        (
            [
                (GROUP_NOV, "host: 郑凯\n", "host: 张伟\n"),
                ("committee.yaml", "  第二党小组: 郑凯\n", "  第二党小组: [{name: 郑凯}, {name: 张伟, since: 2025-11-12}]\n"),
            ],
            False,
        ),
        # the day before: 郑凯 was still the leader
        (
            [
                (GROUP_NOV, "host: 郑凯\n", "host: 张伟\n"),
                ("committee.yaml", "  第二党小组: 郑凯\n", "  第二党小组: [{name: 郑凯}, {name: 张伟, since: 2025-11-13}]\n"),
            ],
            True,
        ),
    ],
)
def test_a_group_meeting_is_hosted_by_its_leader_or_a_recorded_stand_in(tmp_path, edits, reported):
    result = check(make(tmp_path, edits=edits))
    findings = [f for f in found(result, "meeting.group-host") if f.path == GROUP_NOV]
    assert bool(findings) is reported
    assert not found(result, "org.group-leader-missing")


@pytest.mark.parametrize(
    "leaders",
    [
        "  第二党小组: [{name: 郑凯, since: 2025-05-01}, {name: 张伟}]\n",  # only the first may omit since
        "  第二党小组: [{name: 郑凯, since: 2025-05-01}, {name: 张伟, since: 2025-05-01}]\n",
        "  第二党小组: {name: 郑凯, date: 2025-05-01}\n",
    ],
)
def test_a_malformed_leader_history_is_a_format_finding(tmp_path, leaders):
    root = make(tmp_path, edits=[("committee.yaml", "  第二党小组: 郑凯\n", leaders)])
    assert [f.code for f in check(root).findings if f.code.startswith("format.")] == ["format.bad-value"]


# --- 14. a 书记 with less than one year of 党龄 --------------------------------------------------------

HUANG = "    full_since: 2025-06-25\n"


@pytest.mark.parametrize(
    ("full_since", "reported"),
    [("2025-06-25", False), ("2025-06-26", True)],  # the new 书记 takes office on 2026-06-25
)
def test_a_secretary_with_less_than_one_year_of_party_age_is_a_warning(tmp_path, full_since, reported):
    change = CHANGES_END + (
        "      - {date: 2026-06-25, name: 王建国, role: 书记, action: 离任}\n"
        "      - {date: 2026-06-25, name: 黄丽, role: 书记, action: 补选, approved: 2026-06-30}\n"
    )
    root = make(
        tmp_path, edits=[("committee.yaml", CHANGES_END, change), ("members.yaml", HUANG, f"    full_since: {full_since}\n")]
    )
    findings = found(check(root, as_of=dt.date(2026, 12, 31)), "org.secretary-party-age")
    assert bool(findings) is reported
    assert all(f.severity == Severity.WARNING and f.subject == "黄丽" for f in findings)


def test_party_age_is_a_calendar_year_not_365_days(tmp_path):
    # 2024-03-01 to 2025-02-28 is 364 days; 2023-03-01 to 2024-02-29 is 365 days but not a year.
    root = make(
        tmp_path, edits=[elected("2024-02-29"), ("members.yaml", "    full_since: 1999-06-20\n", "    full_since: 2023-03-01\n")]
    )
    [finding] = found(check(root, as_of=dt.date(2024, 12, 31), year=2024), "org.secretary-party-age")
    assert "王建国 自 2024-02-29 任书记" in finding.message


def test_a_probationary_secretary_has_no_party_age(tmp_path):
    root = make(
        tmp_path,
        edits=[
            (
                "members.yaml",
                "    status: 正式党员\n    admitted: 1998-06-20\n    full_since: 1999-06-20\n",
                "    status: 预备党员\n    admitted: 2025-06-20\n",
            )
        ],
    )
    findings = found(check(root), "org.secretary-party-age")
    assert findings and "预备党员" in findings[0].message


def test_a_shortfall_made_good_before_the_range_is_not_reported_again(tmp_path):
    root = make(tmp_path, edits=[("members.yaml", "    full_since: 1999-06-20\n", "    full_since: 2023-12-20\n")])
    assert found(check(root, as_of=dt.date(2024, 12, 31), year=2024), "org.secretary-party-age")  # took office 2024-07-05
    assert not found(check(root), "org.secretary-party-age")  # on 2025-01-01 he had a year


# --- 18. boundaries: exactly half of the committee, more than seven --------------------------------


@pytest.mark.parametrize(
    ("present", "severity"),
    [("[王建国, 李晓梅, 张伟]", None), ("[王建国, 李晓梅]", Severity.WARNING), ("[王建国]", Severity.ERROR)],
)
def test_a_committee_meeting_with_exactly_half_present_is_a_warning(tmp_path, present, severity):
    # A committee of four on 2025-12-04 (赵磊 left on 2025-11-30).
    members = sorted({"王建国", "李晓梅", "张伟", "陈志强"} - set(present.strip("[]").split(", ")))
    absent = "".join(f"  - {{name: {n}, reason: 出差}}\n" for n in members)
    root = make(
        tmp_path,
        edits=[
            (
                "committee.yaml",
                CHANGES_END,
                CHANGES_END + "      - {date: 2025-11-30, name: 赵磊, role: 纪检委员, action: 离任}\n",
            ),
            (COMMITTEE_DEC, FULL_COMMITTEE, f"attendees: {present}\nabsent:\n{absent}"),
        ],
    )
    result = check(root)
    quorum = found(result, "meeting.quorum")
    assert [f.severity for f in quorum] == ([severity] if severity else [])


def _seats(n: int) -> str:
    names = ["刘芳", "周敏", "黄丽", "郑凯", "林静"][:n]
    return "".join(f"      - {{date: 2025-12-01, name: {name}, role: 委员, action: 补选}}\n" for name in names)


@pytest.mark.parametrize(("added", "severity"), [(0, None), (1, Severity.INFO), (2, Severity.INFO), (3, Severity.WARNING)])
def test_committee_size_six_or_seven_is_a_note_and_more_than_seven_a_warning(tmp_path, added, severity):
    root = make(tmp_path, edits=[("committee.yaml", CHANGES_END, CHANGES_END + _seats(added))])
    sizes = found(check(root), "org.committee-size")
    assert [f.severity for f in sizes] == ([severity] if severity else [])


def test_committee_of_two_is_an_error(tmp_path):
    leave = "".join(
        f"      - {{date: 2025-12-01, name: {n}, role: {r}, action: 离任}}\n"
        for n, r in [("张伟", "组织委员"), ("陈志强", "宣传委员"), ("赵磊", "纪检委员")]
    )
    root = make(
        tmp_path,
        edits=[("committee.yaml", CHANGES_END, CHANGES_END + leave), ("committee.yaml", "role: 副书记", "role: 组织委员")],
    )
    sizes = found(check(root), "org.committee-size")
    assert [f.severity for f in sizes] == [Severity.ERROR]


def test_a_pack_written_for_the_old_five_year_reading_still_loads(tmp_path):
    pack = "pack: T-旧\nlayer: T\ntitle: 旧包\nversion: 1\nrules:\n  - code: org.term-expired\n    term_years_after_2022: 5\n"
    root = make(
        tmp_path, files={"standards/T.yaml": pack}, edits=[("zhibu.yaml", "standard:\n", "standard:\n  - standards/T.yaml\n")]
    )
    result = check(root, as_of=dt.date(2027, 7, 5), year=2025)
    assert not found(result, "standard.")
    assert found(result, "org.term-expired")  # three years, whatever the old parameter says


def test_a_leader_who_left_the_branch_leaves_the_group_without_one(tmp_path):
    # 郑凯 transfers out on 2025-12-15; committee.yaml still names him.
    root = make(
        tmp_path,
        edits=[
            (
                "members.yaml",
                "    joined: 2019-09-01\n",
                "    joined: 2019-09-01\n    left: {date: 2025-12-15, reason: 组织关系转出}\n",
            )
        ],
    )
    [finding] = found(check(root), "org.group-leader-missing")
    assert finding.subject == "第二党小组" and "郑凯 已于 2025-12-15 转出" in finding.message
    assert not found(check(root, as_of=dt.date(2025, 12, 14)), "org.group-leader-missing")
