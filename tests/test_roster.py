"""Roster by date, the committee over time, who is expected, term ends; Period and 主题党日."""

from __future__ import annotations

import datetime as dt

import pytest

from zhibu.model.branch import (
    Branch,
    BranchConfig,
    Committee,
    CommitteeChange,
    Discipline,
    Leave,
    Member,
    Record,
    Seat,
    Term,
)
from zhibu.model.periods import (
    Period,
    ThemeDay,
    add_months,
    parse_theme_day,
    periods_between,
    periods_of_year,
)

D = dt.date


def member(
    name, *, status="正式党员", joined=D(2015, 1, 1), left=None, group="第一党小组", full_since=D(2000, 1, 1), discipline=None
):
    return Member(
        name=name,
        status=status,
        admitted=D(1999, 1, 1),
        joined=joined,
        full_since=full_since if status == "正式党员" else None,
        left=Leave(left, "转出") if left else None,
        group=group,
        discipline=discipline,
    )


def branch(members=(), terms=(), category="高校", leaders=()):
    return Branch(
        config=BranchConfig(name="测试支部", parent="测试党委", category=category, groups=("第一党小组", "第二党小组")),
        members=tuple(members),
        committee=Committee(tuple(terms), tuple(leaders)),
    )


def names(members) -> list[str]:
    return sorted(m.name for m in members)


def record(types, day, group=None):
    return Record(types=tuple(types), date=day, group=group)


# --- members on a date -------------------------------------------------------------------------


MEETING = D(2026, 3, 5)


def test_joined_on_the_meeting_date_counts():
    b = branch([member("林静", joined=MEETING)])
    assert names(b.members_on(MEETING)) == ["林静"]
    assert names(b.members_on(MEETING - dt.timedelta(days=1))) == []


def test_left_on_the_meeting_date_does_not_count():
    b = branch([member("吴涛", left=MEETING)])
    assert names(b.members_on(MEETING)) == []
    assert names(b.members_on(MEETING - dt.timedelta(days=1))) == ["吴涛"]
    assert names(b.voters_on(MEETING)) == []


def test_left_before_joined_window_is_never_counted_after():
    b = branch([member("吴涛", joined=D(2020, 1, 1), left=D(2026, 1, 1))])
    assert b.members_on(D(2019, 12, 31)) == ()
    assert names(b.members_on(D(2025, 12, 31))) == ["吴涛"]
    assert b.members_on(D(2030, 1, 1)) == ()


def test_probationary_member_counts_but_does_not_vote():
    b = branch([member("孙悦", status="预备党员", joined=D(2025, 10, 12)), member("王建国")])
    assert names(b.members_on(MEETING)) == ["孙悦", "王建国"]
    assert names(b.voters_on(MEETING)) == ["王建国"]
    assert names(b.full_members_on(MEETING)) == ["王建国"]


def test_full_member_votes_from_the_conversion_date():
    converted = D(2025, 6, 25)
    b = branch([member("黄丽", joined=D(2024, 6, 25), full_since=converted)])
    assert names(b.voters_on(converted - dt.timedelta(days=1))) == []
    assert names(b.voters_on(converted)) == ["黄丽"]
    assert names(b.members_on(converted - dt.timedelta(days=1))) == ["黄丽"]


def test_probation_discipline_counts_but_does_not_vote_until_the_until_date():
    start, until = D(2026, 1, 10), D(2027, 1, 10)
    b = branch([member("周敏", discipline=Discipline("留党察看", start, until))])
    assert names(b.voters_on(start - dt.timedelta(days=1))) == ["周敏"]
    assert names(b.voters_on(start)) == []
    assert names(b.members_on(start)) == ["周敏"]  # still counted (应到), just no vote
    assert names(b.voters_on(until - dt.timedelta(days=1))) == []
    assert names(b.voters_on(until)) == ["周敏"]


def test_open_ended_probation_discipline():
    b = branch([member("周敏", discipline=Discipline("留党察看", D(2026, 1, 10)))])
    assert b.voters_on(D(2040, 1, 1)) == ()


def test_other_discipline_keeps_the_vote():
    b = branch([member("周敏", discipline=Discipline("严重警告", D(2026, 1, 10), D(2027, 1, 10)))])
    assert names(b.voters_on(MEETING)) == ["周敏"]


def test_group_members_on():
    b = branch(
        [
            member("王建国"),
            member("陈志强", left=D(2026, 3, 1)),
            member("李晓梅", group="第二党小组"),
            member("林静", group="第二党小组", joined=D(2026, 3, 10)),
        ]
    )
    assert names(b.group_members_on("第一党小组", MEETING)) == ["王建国"]
    assert names(b.group_members_on("第二党小组", MEETING)) == ["李晓梅"]
    assert names(b.group_members_on("第二党小组", D(2026, 3, 10))) == ["李晓梅", "林静"]
    assert b.group_members_on("第三党小组", MEETING) == ()


# --- the committee over time -------------------------------------------------------------------


ELECTED = D(2023, 6, 20)
LEAVES = D(2025, 3, 1)
BY_ELECTION = D(2025, 3, 20)


def sample_term(**extra) -> Term:
    return Term(
        ELECTED,
        (
            Seat("王建国", "书记", D(2023, 7, 5)),
            Seat("李晓梅", "副书记", D(2023, 7, 5)),
            Seat("张伟", "组织委员"),
            Seat("陈志强", "宣传委员"),
            Seat("刘芳", "纪检委员"),
        ),
        (
            CommitteeChange(LEAVES, "刘芳", "纪检委员", "离任", "工作调动"),
            CommitteeChange(BY_ELECTION, "赵磊", "纪检委员", "补选"),
        ),
        **extra,
    )


def seat_names(b, day):
    return sorted(s.name for s in b.committee_on(day))


def test_committee_change_mid_month():
    b = branch(terms=[sample_term()])
    five = ["刘芳", "张伟", "李晓梅", "王建国", "陈志强"]
    four = ["张伟", "李晓梅", "王建国", "陈志强"]
    assert seat_names(b, LEAVES - dt.timedelta(days=1)) == five
    assert seat_names(b, LEAVES) == four  # 离任 takes effect on its date
    assert seat_names(b, BY_ELECTION - dt.timedelta(days=1)) == four
    assert seat_names(b, BY_ELECTION) == sorted(four + ["赵磊"])
    assert b.committee.holder_of("纪检委员", LEAVES) is None
    assert b.committee.holder_of("纪检委员", BY_ELECTION) == "赵磊"
    assert b.committee.holder_of("纪检委员", LEAVES - dt.timedelta(days=1)) == "刘芳"


def test_seats_come_in_role_order():
    b = branch(terms=[sample_term()])
    assert [s.role for s in b.committee_on(BY_ELECTION)] == ["书记", "副书记", "组织委员", "宣传委员", "纪检委员"]


def test_role_adjustment_replaces_the_old_role():
    term = Term(
        ELECTED,
        (Seat("王建国", "书记"), Seat("李晓梅", "组织委员"), Seat("陈志强", "宣传委员")),
        (CommitteeChange(D(2024, 5, 1), "李晓梅", "副书记", "调整"),),
    )
    b = branch(terms=[term])
    assert b.committee.holder_of("组织委员", D(2024, 4, 30)) == "李晓梅"
    assert b.committee.holder_of("组织委员", D(2024, 5, 1)) is None
    assert b.committee.holder_of("副书记", D(2024, 5, 1)) == "李晓梅"
    assert len(b.committee_on(D(2024, 5, 1))) == 3


def test_changes_listed_out_of_order_still_apply_by_date():
    term = sample_term()
    reversed_term = Term(term.elected, term.seats, tuple(reversed(term.changes)))
    b = branch(terms=[reversed_term])
    assert seat_names(b, BY_ELECTION) == ["张伟", "李晓梅", "王建国", "赵磊", "陈志强"]


def test_no_committee_before_the_first_election():
    b = branch(terms=[sample_term()])
    assert b.committee_on(ELECTED - dt.timedelta(days=1)) == ()
    assert b.secretary_on(ELECTED - dt.timedelta(days=1)) is None
    assert b.secretary_on(ELECTED) == "王建国"
    assert not b.committee.has_committee_on(ELECTED - dt.timedelta(days=1))


def test_new_term_replaces_the_old_one_on_its_election_day():
    old = Term(D(2020, 6, 1), (Seat("王建国", "书记"), Seat("刘芳", "组织委员"), Seat("张伟", "宣传委员")))
    new = Term(D(2023, 6, 20), (Seat("李晓梅", "书记"), Seat("陈志强", "组织委员"), Seat("赵磊", "宣传委员")))
    b = branch(terms=[old, new])
    assert b.committee.term_on(D(2023, 6, 19)) is old
    assert b.committee.term_on(D(2023, 6, 20)) is new
    assert seat_names(b, D(2023, 6, 19)) == ["刘芳", "张伟", "王建国"]
    assert b.secretary_on(D(2023, 6, 20)) == "李晓梅"


def test_has_committee_needs_three_people():
    small = Term(D(2024, 1, 1), (Seat("王建国", "书记"), Seat("李晓梅", "副书记")))
    assert not branch(terms=[small]).committee.has_committee_on(D(2025, 1, 1))
    three = Term(
        D(2024, 1, 1),
        (Seat("王建国", "书记"), Seat("李晓梅", "组织委员"), Seat("陈志强", "宣传委员")),
        (CommitteeChange(D(2025, 1, 1), "陈志强", "宣传委员", "离任"),),
    )
    committee = branch(terms=[three]).committee
    assert committee.has_committee_on(D(2024, 12, 31))
    assert not committee.has_committee_on(D(2025, 1, 1))


def test_two_roles_one_person_counts_once():
    term = Term(D(2024, 1, 1), (Seat("王建国", "书记"), Seat("王建国", "纪检委员"), Seat("李晓梅", "组织委员")))
    committee = branch(terms=[term]).committee
    assert committee.names_on(D(2024, 1, 1)) == ("李晓梅", "王建国")
    assert not committee.has_committee_on(D(2024, 1, 1))


# --- expected_at ---------------------------------------------------------------------------------


@pytest.fixture
def roster():
    members = [
        member("王建国"),
        member("陈志强"),
        member("孙悦", status="预备党员", joined=D(2025, 10, 12)),
        member("李晓梅", group="第二党小组"),
        member("张伟", group="第二党小组"),
        member("赵磊", group="第二党小组"),
        member("刘芳", group="第二党小组", discipline=Discipline("留党察看", D(2026, 1, 1), D(2027, 1, 1))),
        member("吴涛", left=D(2026, 3, 1)),
    ]
    term = Term(D(2023, 6, 20), (Seat("王建国", "书记"), Seat("李晓梅", "组织委员"), Seat("陈志强", "宣传委员")))
    return branch(members, [term], leaders=(("第一党小组", "陈志强"), ("第二党小组", "张伟")))


EVERYONE = sorted(["王建国", "陈志强", "孙悦", "李晓梅", "张伟", "赵磊", "刘芳"])


@pytest.mark.parametrize("record_type", ["支部党员大会", "党课", "主题党日", "组织生活会", "民主评议党员", "集中学习"])
def test_expected_everyone_counted(roster, record_type):
    # 预备党员 and a member under 留党察看 are expected too; 吴涛 has left.
    assert list(roster.expected_at(record([record_type], MEETING))) == EVERYONE


def test_expected_committee(roster):
    assert list(roster.expected_at(record(["支部委员会"], MEETING))) == ["李晓梅", "王建国", "陈志强"]


def test_expected_group(roster):
    assert list(roster.expected_at(record(["党小组会"], MEETING, "第二党小组"))) == ["刘芳", "张伟", "李晓梅", "赵磊"]
    assert list(roster.expected_at(record(["党小组会"], MEETING, "第一党小组"))) == ["孙悦", "王建国", "陈志强"]
    assert roster.expected_at(record(["党小组会"], MEETING)) == ()  # no group named: nobody to check


@pytest.mark.parametrize("record_type", ["实践活动", "其他"])
def test_expected_nobody(roster, record_type):
    assert roster.expected_at(record([record_type], MEETING)) == ()


def test_expected_combined_event_is_the_union(roster):
    combined = record(["支部委员会", "党小组会"], MEETING, "第二党小组")
    assert list(roster.expected_at(combined)) == ["刘芳", "张伟", "李晓梅", "王建国", "赵磊", "陈志强"]
    assert list(roster.expected_at(record(["支部党员大会", "党课"], MEETING))) == EVERYONE
    assert list(roster.expected_at(record(["实践活动", "支部委员会"], MEETING))) == ["李晓梅", "王建国", "陈志强"]


def test_expected_follows_the_date(roster):
    before_leaving = D(2026, 2, 28)
    assert "吴涛" in roster.expected_at(record(["支部党员大会"], before_leaving))
    assert "孙悦" not in roster.expected_at(record(["支部党员大会"], D(2025, 10, 11)))


def test_group_leader(roster):
    assert roster.committee.leader_of("第二党小组") == "张伟"
    assert roster.committee.leader_of("第三党小组") is None


# --- term ends -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("elected", "category", "years", "ends"),
    [
        # 3 years (村、社区 5) whenever elected: the 2022 党章 keeps "三年至五年" (issue 12)
        (D(2023, 6, 20), "高校", 3, D(2026, 6, 19)),
        (D(2022, 10, 22), "高校", 3, D(2025, 10, 21)),
        (D(2022, 10, 21), "高校", 3, D(2025, 10, 20)),
        (D(2022, 10, 21), "村", 5, D(2027, 10, 20)),
        (D(2024, 2, 29), "高校", 3, D(2027, 2, 28)),  # from 29 February: the next term begins on 1 March
        (D(2021, 3, 1), "社区", 5, D(2026, 2, 28)),
        (D(2021, 3, 1), "企业", 3, D(2024, 2, 29)),
    ],
)
def test_term_default_years_and_end(elected, category, years, ends):
    term = Term(elected, (Seat("王建国", "书记"),))
    assert term.default_years(category) == years
    assert term.ends(category) == ends


def test_explicit_term_years_win():
    term = Term(D(2023, 6, 20), (Seat("王建国", "书记"),), term_years=5)
    assert term.ends("高校") == D(2028, 6, 19)
    assert Term(D(2023, 6, 20), (Seat("王建国", "书记"),), term_years=3).ends("村") == D(2026, 6, 19)


def test_a_pack_default_applies_only_without_term_years():
    assert Term(D(2023, 6, 20), (Seat("王建国", "书记"),)).ends("高校", other=5) == D(2028, 6, 19)
    assert Term(D(2023, 6, 20), (Seat("王建国", "书记"),), term_years=3).ends("高校", other=5) == D(2026, 6, 19)


def test_extension_moves_the_end():
    term = Term(D(2021, 6, 20), (Seat("王建国", "书记"),), extended_to=D(2024, 12, 31))
    assert term.ends("高校") == D(2024, 12, 31)


def test_extension_never_shortens_a_term():
    term = Term(D(2023, 6, 20), (Seat("王建国", "书记"),), extended_to=D(2024, 1, 1))
    assert term.ends("高校") == D(2026, 6, 19)


# --- periods -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03", Period(2026, "month", 3)),
        ("2026-3", Period(2026, "month", 3)),
        ("2026Q1", Period(2026, "quarter", 1)),
        ("2026q4", Period(2026, "quarter", 4)),
        ("2026H2", Period(2026, "half", 2)),
        ("2026", Period(2026, "year", 1)),
        (" 2026-12 ", Period(2026, "month", 12)),
        ("2026-13", None),
        ("2026-00", None),
        ("2026Q5", None),
        ("2026H3", None),
        ("26-03", None),
        ("2026年3月", None),
        ("", None),
    ],
)
def test_period_parse(text, expected):
    assert Period.parse(text) == expected


def test_period_bounds():
    assert (Period(2026, "month", 2).start, Period(2026, "month", 2).end) == (D(2026, 2, 1), D(2026, 2, 28))
    assert Period(2024, "month", 2).end == D(2024, 2, 29)
    assert (Period(2026, "quarter", 1).start, Period(2026, "quarter", 1).end) == (D(2026, 1, 1), D(2026, 3, 31))
    assert (Period(2026, "quarter", 4).start, Period(2026, "quarter", 4).end) == (D(2026, 10, 1), D(2026, 12, 31))
    assert (Period(2026, "half", 2).start, Period(2026, "half", 2).end) == (D(2026, 7, 1), D(2026, 12, 31))
    assert (Period(2026, "year").start, Period(2026, "year").end) == (D(2026, 1, 1), D(2026, 12, 31))


def test_period_labels_round_trip():
    for kind in ("month", "quarter", "half", "year"):
        for period in periods_of_year(2026, kind):
            assert Period.parse(period.label) == period
    assert Period(2026, "month", 3).label == "2026-03"
    assert Period(2026, "quarter", 2).chinese == "2026年第二季度"
    assert Period(2026, "half", 1).chinese == "2026年上半年"
    assert Period(2026, "month", 3).chinese == "2026年3月"


def test_period_containing_contains_covers_next():
    q = Period.containing("quarter", D(2026, 6, 30))
    assert q == Period(2026, "quarter", 2)
    assert q.contains(D(2026, 4, 1)) and not q.contains(D(2026, 7, 1))
    assert Period(2026, "year").covers(q)
    assert not q.covers(Period(2026, "half", 1))
    assert Period(2026, "month", 12).next() == Period(2027, "month", 1)
    assert Period(2026, "quarter", 4).next() == Period(2027, "quarter", 1)
    assert Period(2026, "year").next() == Period(2027, "year")


def test_periods_between_overlapping():
    months = periods_between("month", D(2025, 11, 15), D(2026, 2, 1))
    assert [p.label for p in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [p.label for p in periods_between("quarter", D(2026, 3, 31), D(2026, 4, 1))] == ["2026Q1", "2026Q2"]
    assert len(periods_of_year(2026, "month")) == 12 and len(periods_of_year(2026, "half")) == 2


def test_add_months_clamps_to_month_end():
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)


# --- 主题党日 ------------------------------------------------------------------------------------------


def test_last_friday_in_a_month_with_five_fridays():
    rule = parse_theme_day("每月最后一个周五")
    assert rule == ThemeDay(weekday=5, nth=-1)
    assert rule.nominal_date(2026, 1) == D(2026, 1, 30)  # Fridays: 2, 9, 16, 23, 30
    assert rule.nominal_date(2026, 7) == D(2026, 7, 31)  # Fridays: 3, 10, 17, 24, 31
    assert rule.nominal_date(2026, 2) == D(2026, 2, 27)  # four Fridays


def test_nth_weekday():
    rule = parse_theme_day("每月第1个周五")
    assert rule == ThemeDay(weekday=5, nth=1)
    assert rule.nominal_date(2026, 5) == D(2026, 5, 1)
    assert parse_theme_day("每月第二个星期三").nominal_date(2026, 3) == D(2026, 3, 11)
    assert parse_theme_day("每月第3个周日").nominal_date(2026, 3) == D(2026, 3, 15)
    assert parse_theme_day("每月最后一个星期天") == ThemeDay(weekday=7, nth=-1)


def test_day_31_clamps_in_short_months():
    rule = parse_theme_day("每月31日")
    assert rule.nominal_date(2026, 2) == D(2026, 2, 28)
    assert rule.nominal_date(2024, 2) == D(2024, 2, 29)
    assert rule.nominal_date(2026, 4) == D(2026, 4, 30)
    assert rule.nominal_date(2026, 3) == D(2026, 3, 31)
    assert parse_theme_day("每月20号").nominal_date(2026, 3) == D(2026, 3, 20)


def test_dict_forms():
    assert parse_theme_day({"day": 20}) == ThemeDay(day=20)
    assert parse_theme_day({"weekday": 5, "nth": 1}) == ThemeDay(weekday=5, nth=1)
    assert parse_theme_day({"weekday": 5, "nth": -1}) == ThemeDay(weekday=5, nth=-1)
    assert parse_theme_day({"day": 20, "shift": "next-workday"}) == ThemeDay(day=20, shift_to_workday=True)
    assert parse_theme_day({"rule": "每月20日", "顺延": "节假日"}) == ThemeDay(day=20, shift_to_workday=True)
    assert parse_theme_day({"规则": "每月最后一个周五", "顺延": "节假日"}) == ThemeDay(weekday=5, nth=-1, shift_to_workday=True)


def test_shift_written_in_the_text():
    assert parse_theme_day("每月20日（遇节假日顺延）") == ThemeDay(day=20, shift_to_workday=True)
    assert parse_theme_day("每月最后一个周五，遇节假日顺延") == ThemeDay(weekday=5, nth=-1, shift_to_workday=True)
    assert ThemeDay(day=20, shift_to_workday=True).chinese == "每月20日（遇节假日顺延）"


@pytest.mark.parametrize(
    "value",
    [
        "每月32日",
        "每月0日",
        "每周五",
        "每月第6个周五",
        "随时",
        "",
        None,
        20,
        True,
        {"day": 0},
        {"day": 32},
        {"day": True},
        {"day": "20"},
        {"weekday": 8, "nth": 1},
        {"weekday": 5, "nth": 0},
        {"weekday": 5, "nth": 6},
        {"weekday": True, "nth": 1},
        {"weekday": 5, "nth": False},
        {"weekday": 5},
        {},
        {"rule": 5},
    ],
)
def test_malformed_theme_days_are_none(value):
    assert parse_theme_day(value) is None


def test_chinese_round_trip():
    for text in ("每月20日", "每月第2个周三", "每月最后一个周五"):
        assert parse_theme_day(text).chinese == text
