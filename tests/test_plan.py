"""一表: `zhibu plan new|show|check|export`, the 主题党日 calendar and holidays.yaml."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import DEFAULT_ZHIBU, SAMPLE, git, init_repo
from wcwidth import wcswidth, wcwidth

from zhibu.format.load import load_branch
from zhibu.model.periods import parse_theme_day
from zhibu.store import holidays
from zhibu.store.holidays import Calendar, theme_day_date
from zhibu.store.yamlio import parse
from zhibu.write.plans import new_plan, plan_status, topic_kind

D = dt.date


def config(theme_day: str | None, extra: str = "") -> str:
    text = DEFAULT_ZHIBU + (f"theme_day: {theme_day}\n" if theme_day else "")
    return text + extra


def draft_of(root: Path, year: int):
    """The draft `plan new` would write (through the whole path, nothing written)."""
    outcome, draft = new_plan(root, year, dry_run=True)
    assert not outcome.written
    return draft


def theme_dates(draft) -> dict[int, dt.date]:
    return {i.month: i.date for i in draft.items if i.type == "主题党日"}


# --- the 主题党日 of each theme_day form, across holidays and 调休 ------------------------------
#
# 2026 (chinesecalendar): New Year 01-01..01-03 off, 01-04 (Sunday) a working day;
# Spring Festival 02-15..02-23 off, 02-14 and 02-28 (Saturdays) working days;
# National Day 10-01..10-07 off, 09-20 (Sunday) and 10-10 (Saturday) working days.

FORMS = [
    # every form of format.md, with and without 顺延
    ("每月第1个周五（遇节假日顺延）", {10: D(2026, 10, 8), 2: D(2026, 2, 6), 5: D(2026, 5, 6)}),
    ("每月第3个周五（遇节假日顺延）", {2: D(2026, 2, 24), 10: D(2026, 10, 16)}),
    ("每月1日（遇节假日顺延）", {1: D(2026, 1, 4), 10: D(2026, 10, 8), 2: D(2026, 2, 2), 3: D(2026, 3, 2)}),
    ("每月20日（遇节假日顺延）", {2: D(2026, 2, 24), 9: D(2026, 9, 20)}),  # 09-20: a 调休 Sunday
    ("每月最后一个周五（遇节假日顺延）", {1: D(2026, 1, 30), 2: D(2026, 2, 27), 10: D(2026, 10, 30)}),
    ("{rule: 每月第1个周四, 顺延: 节假日}", {10: D(2026, 10, 8), 1: D(2026, 1, 4)}),
    # dict forms; a 调休 Saturday is a working day, so a Saturday rule stays on it
    ("{weekday: 6, nth: 2, shift: next-workday}", {10: D(2026, 10, 10), 2: D(2026, 2, 14), 3: D(2026, 3, 16)}),
    ("{day: 14, 顺延: 节假日}", {2: D(2026, 2, 14), 3: D(2026, 3, 16)}),
    # 顺延 that would leave the month goes back to the month's last working day
    ("{day: 31, shift: next-workday}", {1: D(2026, 1, 30), 5: D(2026, 5, 29), 2: D(2026, 2, 28)}),  # 02-28: 调休 Saturday
    ("{weekday: 5, nth: -1, 顺延: 节假日}", {1: D(2026, 1, 30), 10: D(2026, 10, 30)}),
    # without 顺延 the rule's own date stands, holiday or not
    ("每月1日", {10: D(2026, 10, 1), 1: D(2026, 1, 1)}),
    ("{weekday: 5, nth: 1}", {10: D(2026, 10, 2)}),
    ("{day: 20}", {2: D(2026, 2, 20)}),
    ("每月最后一个周五", {1: D(2026, 1, 30)}),
]


@pytest.mark.parametrize("theme_day, expected", FORMS, ids=[f[0] for f in FORMS])
def test_theme_day_forms_across_holidays_and_tiaoxiu(make_branch, theme_day, expected):
    root = make_branch({"zhibu.yaml": config(theme_day)})
    draft = draft_of(root, 2026)
    dates = theme_dates(draft)
    assert len(dates) == 12 and all(d is not None and d.month == m for m, d in dates.items())
    for month, day in expected.items():
        assert dates[month] == day, (month, dates[month], day)
    assert draft.warnings == ()


def test_shifted_dates_are_explained_in_the_file(git_branch, run):
    root = git_branch({"zhibu.yaml": config("每月第1个周五（遇节假日顺延）")})
    result = run("plan", "new", "--year", "2026", "-C", root)
    assert result.exit_code == 0, result.stderr
    text = (root / "plans/2026.yaml").read_text(encoding="utf-8")
    assert "date: 2026-10-08  # 10月2日（周五）为节假日或休息日，顺延至10月8日（周四）" in text
    assert text.startswith("# 2026年度计划（一表）草稿")


def test_check_agrees_with_the_plan_on_a_shift_that_would_leave_the_month(git_branch):
    """The rule meeting.theme-day-fixed and `plan new` compute the 主题党日 the same way."""
    from zhibu.check import check_branch

    record = (
        "type: 主题党日\ndate: 2026-01-30\nplace: 活动室\nhost: 王建国\nrecorder: 李晓梅\n"
        "attendees: [王建国, 李晓梅, 陈志强, 刘芳, 赵磊]\nabsent: [{name: 孙悦, reason: 出差}]\n"
        "theme: 新春慰问\ntopics: [新春走访慰问老党员]\n"
    )
    root = git_branch({"zhibu.yaml": config("{day: 31, 顺延: 节假日}"), "records/2026/2026-01-30-主题党日.yaml": record})
    assert theme_dates(draft_of(root, 2026))[1] == D(2026, 1, 30)
    result = check_branch(root, as_of=D(2026, 2, 15), year=2026, strict=True)
    assert not [f for f in result.findings if f.code == "meeting.theme-day-fixed"]
    # and the rule still fires for a date off the rule
    moved = record.replace("2026-01-30", "2026-01-29")
    root2 = git_branch({"zhibu.yaml": config("{day: 31, 顺延: 节假日}"), "records/2026/2026-01-29-主题党日.yaml": moved})
    found = [
        f
        for f in check_branch(root2, as_of=D(2026, 2, 15), year=2026, strict=True).findings
        if f.code == "meeting.theme-day-fixed"
    ]
    assert len(found) == 1 and "2026-01-30" in found[0].message


def test_theme_day_date_directly():
    cal = Calendar()
    spec = parse_theme_day("每月第3个周五（遇节假日顺延）")
    spring = theme_day_date(spec, 2026, 2, cal)
    assert (spring.date, spring.nominal) == (D(2026, 2, 24), D(2026, 2, 20))
    assert spring.note == "2月20日（周五）为节假日或休息日，顺延至2月24日（周二）"
    back = theme_day_date(parse_theme_day({"day": 31, "shift": "next-workday"}), 2026, 1, cal)
    assert back.date == D(2026, 1, 30) and "改为提前至1月30日" in back.note
    assert theme_day_date(parse_theme_day("每月1日"), 2026, 10, cal).note is None


# --- a year without holiday data, and holidays.yaml ----------------------------------------


@pytest.fixture
def known_until_2026(monkeypatch):
    """chinesecalendar as release 1.11.0 has it: data up to 2026. A later release that knows 2027
    must not change what these tests mean, so newer years are hidden from them."""
    real = holidays._package_is_workday
    monkeypatch.setattr(holidays, "_package_is_workday", lambda day: None if day.year > 2026 else real(day))


def test_the_real_package_raises_for_a_year_it_does_not_know_and_we_fall_back(make_branch):
    root = make_branch({"zhibu.yaml": config("每月1日（遇节假日顺延）")})
    draft = draft_of(root, 2100)  # no release will know 2100 for a long time
    assert theme_dates(draft)[5] == D(2100, 5, 3)  # 2100-05-01 is a Saturday: weekdays only
    assert len(draft.warnings) == 1 and draft.warnings[0].startswith("2100年的法定节假日和调休数据未知")


@pytest.mark.usefixtures("known_until_2026")
def test_a_year_the_package_does_not_know_falls_back_to_weekdays_with_a_warning(git_branch, run):
    root = git_branch({"zhibu.yaml": config("每月1日（遇节假日顺延）")})
    draft = draft_of(root, 2027)
    dates = theme_dates(draft)
    # weekdays only: 2027-01-01 is a Friday (a holiday in fact, unknown here), 05-01 a Saturday
    assert dates[1] == D(2027, 1, 1)
    assert dates[5] == D(2027, 5, 3)
    assert dates[8] == D(2027, 8, 2)  # 08-01 is a Sunday
    assert len(draft.warnings) == 1
    warning = draft.warnings[0]
    assert "2027年的法定节假日和调休数据未知" in warning
    assert "pip install -U chinesecalendar" in warning and "holidays.yaml" in warning
    assert "周一至周五" in warning
    # the CLI shows it on stderr and still writes the plan
    result = run("plan", "new", "--year", "2027", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "注意：2027年的法定节假日和调休数据未知" in result.stderr
    assert (root / "plans/2027.yaml").is_file()


@pytest.mark.usefixtures("known_until_2026")
def test_no_warning_for_an_unknown_year_when_the_rule_has_no_shift(make_branch):
    root = make_branch({"zhibu.yaml": config("每月1日")})
    assert draft_of(root, 2027).warnings == ()


HOLIDAYS_2027 = """\
# 2027年部分放假安排（测试用）
holidays: [2027-01-01, 2027-05-01, 2027-05-03, 2027-05-04, 2027-05-05]
workdays: [2027-05-08]
"""


@pytest.mark.usefixtures("known_until_2026")
def test_holidays_yaml_supplies_an_unknown_year(make_branch):
    root = make_branch({"zhibu.yaml": config("每月1日（遇节假日顺延）"), "holidays.yaml": HOLIDAYS_2027})
    draft = draft_of(root, 2027)
    dates = theme_dates(draft)
    assert dates[1] == D(2027, 1, 4)  # 01-01 off, 02-03 weekend
    assert dates[5] == D(2027, 5, 6)  # 05-01..05-05 off (05-02 a Sunday)
    assert dates[8] == D(2027, 8, 2)  # other days: weekdays
    assert draft.warnings == ()  # the year is supplied: no warning


def test_holidays_yaml_takes_precedence_over_the_package(make_branch):
    # 2026-10-02 is a holiday for chinesecalendar; a branch may say it works (e.g. 值班安排)
    # and may add a day off of its own (2026-03-06, say 校庆).
    holidays = "holidays: [2026-03-06]\nworkdays: [2026-10-02]\n"
    root = make_branch({"zhibu.yaml": config("每月第1个周五（遇节假日顺延）"), "holidays.yaml": holidays})
    dates = theme_dates(draft_of(root, 2026))
    assert dates[10] == D(2026, 10, 2)
    assert dates[3] == D(2026, 3, 9)
    assert dates[2] == D(2026, 2, 6)  # untouched days follow the package


PACK = """\
pack: T-示例区教育工委
layer: T
title: 示例区教育工委党支部工作特色要求
version: 2027.1
holidays: [2027-01-01, 2027-05-03]
workdays: []
"""


@pytest.mark.usefixtures("known_until_2026")
def test_a_t_pack_may_supply_holidays_and_the_branch_file_wins(make_branch):
    zhibu = config("每月1日（遇节假日顺延）", "standard: [standards/T-示例区教育工委.yaml]\n")
    root = make_branch({"zhibu.yaml": zhibu, "standards/T-示例区教育工委.yaml": PACK})
    draft = draft_of(root, 2027)
    dates = theme_dates(draft)
    assert dates[1] == D(2027, 1, 4) and dates[5] == D(2027, 5, 4)
    assert draft.warnings == ()
    root2 = make_branch(
        {"zhibu.yaml": zhibu, "standards/T-示例区教育工委.yaml": PACK, "holidays.yaml": "workdays: [2027-05-03]\n"}
    )
    assert theme_dates(draft_of(root2, 2027))[5] == D(2027, 5, 3)


@pytest.mark.parametrize(
    "text, needles",
    [
        ("holidays: [2027-01-01, 2027-13-01]\n", ["holidays.yaml 第 1 行", "2027-13-01", "不是有效日期"]),
        ("holidays: 2027-01-01\n", ["holidays.yaml 第 1 行", "应为日期列表"]),
        ("holiday: [2027-01-01]\n", ["holidays.yaml 第 1 行", "未定义的键“holiday”"]),
        ("holidays: [2027-01-01]\nworkdays: [2027-01-01]\n", ["holidays.yaml", "同时列在 holidays 和 workdays 中"]),
        ("holidays: [2027-01-01\n", ["holidays.yaml", "第"]),
        (b"holidays: [2027-01-01]  # \xb7\xc5\xbc\xd9\n", ["holidays.yaml：不是 UTF-8 编码", "iconv"]),
    ],
)
def test_a_broken_holidays_yaml_is_refused_with_the_file_and_the_fix(git_branch, run, repo, text, needles):
    root = git_branch({"zhibu.yaml": config("每月1日（遇节假日顺延）"), "holidays.yaml": text})
    head = repo(root).head()
    result = run("plan", "new", "--year", "2027", "-C", root)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and result.stderr.startswith("错误：")
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert not (root / "plans/2027.yaml").exists() and repo(root).head() == head


# --- the draft: topics, kinds, owners, ids ------------------------------------------------------

TOPICS_PACK = """\
pack: T-示例区教育工委
layer: T
title: 示例区教育工委党支部工作特色要求
version: 2026.1
monthly_topics:
  2026-03: [学习贯彻全国两会精神]
  2026-04: [清明节缅怀革命先烈主题教育, "学习：《中国共产党章程》第二章"]
  2026-05: [参观“五四”运动纪念馆, 青年党员志愿服务, 学习习近平总书记给青年的回信精神]
"""


def test_monthly_topics_from_a_t_pack_are_used(make_branch):
    zhibu = config("每月最后一个周五", "standard: [standards/T-示例区教育工委.yaml]\n")
    root = make_branch({"zhibu.yaml": zhibu, "standards/T-示例区教育工委.yaml": TOPICS_PACK})
    items = {i.id: i for i in draft_of(root, 2026).items}
    assert items["2026-03-学习-1"].topic == "学习贯彻全国两会精神"
    assert items["2026-03-学习-1"].type == "党课"  # the quarter's 党课 month keeps its 党课
    assert items["2026-04-活动-1"].topic == "清明节缅怀革命先烈主题教育"
    assert items["2026-04-活动-1"].type == "主题党日" and items["2026-04-活动-1"].date == D(2026, 4, 24)
    assert items["2026-04-学习-1"].topic == "《中国共产党章程》第二章"
    assert items["2026-05-活动-1"].topic == "参观“五四”运动纪念馆" and items["2026-05-活动-1"].type == "主题党日"
    assert items["2026-05-活动-2"].topic == "青年党员志愿服务" and items["2026-05-活动-2"].type == "实践活动"
    assert items["2026-05-学习-1"].topic == "学习习近平总书记给青年的回信精神"
    # months without topics get generic ones
    assert items["2026-01-学习-1"].topic == "学习习近平新时代中国特色社会主义思想"
    assert items["2026-01-活动-1"].topic == "主题党日（主题待定）"
    assert items["2026-07-活动-1"].topic == "庆祝中国共产党成立105周年，重温入党誓词"


def test_every_month_has_study_and_activity_with_ids_and_owners(make_branch):
    root = make_branch({"zhibu.yaml": config("每月最后一个周五")})
    draft = draft_of(root, 2026)
    for month in range(1, 13):
        kinds = [i.kind for i in draft.items if i.month == month]
        assert "学习" in kinds and "活动" in kinds
    for item in draft.items:
        assert item.id.startswith(f"2026-{item.month:02d}-{item.kind}-")
    assert len({i.id for i in draft.items}) == len(draft.items)
    owners = {(i.type, i.owner) for i in draft.items}
    # default branch: 王建国 书记, 李晓梅 组织委员, 陈志强 宣传委员
    assert owners == {("党课", "王建国"), ("集中学习", "陈志强"), ("主题党日", "李晓梅")}
    assert [i.month for i in draft.items if i.type == "党课"] == [3, 6, 9, 12]


def test_owner_falls_back_to_the_secretary(make_branch):
    committee = "terms:\n  - elected: 2023-06-20\n    members:\n      - {name: 王建国, role: 书记}\n"
    root = make_branch({"zhibu.yaml": config("每月最后一个周五"), "committee.yaml": committee})
    assert {i.owner for i in draft_of(root, 2026).items} == {"王建国"}


def test_no_theme_day_leaves_the_date_open_and_says_so(make_branch):
    root = make_branch({"zhibu.yaml": config(None)})
    draft = draft_of(root, 2026)
    assert all(d is None for d in theme_dates(draft).values())
    assert any("theme_day" in w for w in draft.warnings)


@pytest.mark.parametrize(
    "topic, kind, text",
    [
        ("学习贯彻全国两会精神", "学习", "学习贯彻全国两会精神"),
        ("清明节缅怀革命先烈主题教育", "活动", "清明节缅怀革命先烈主题教育"),
        ("活动：观看红色电影", "活动", "观看红色电影"),
        ("学习: 志愿服务条例", "学习", "志愿服务条例"),
        ("重温入党誓词", "活动", "重温入党誓词"),
    ],
)
def test_topic_kind(topic, kind, text):
    assert topic_kind(topic) == (kind, text)


# --- writing: one commit, refusals, dry run -------------------------------------------------


def test_plan_new_writes_one_commit_with_a_valid_plan(git_branch, run, repo):
    root = git_branch({"zhibu.yaml": config("每月最后一个周五（遇节假日顺延）")})
    before = repo(root).count()
    result = run("plan", "new", "--year", "2026", "-C", root)
    assert result.exit_code == 0, result.stderr
    r = repo(root)
    assert r.count() == before + 1
    assert r.changed() == ["plans/2026.yaml"]
    assert r.message() == "计划 新建 2026 年度计划（一表）草稿：24 项"
    assert r.status() == ""
    assert "已写入 plans/2026.yaml" in result.stdout and "已提交" in result.stdout
    loaded = load_branch(root)
    assert not [f for f in loaded.findings if f.path == "plans/2026.yaml"]
    plan = loaded.branch.plan_for(2026)
    assert len(plan.items) == 24
    data = parse((root / "plans/2026.yaml").read_text(encoding="utf-8")).data
    assert list(data["items"][1]) == ["id", "month", "kind", "topic", "type", "date", "owner"]
    # zhibu check finds the plan complete: no plan.missing, no plan.month-incomplete
    from zhibu.check import check_branch

    codes = {f.code for f in check_branch(root, as_of=D(2026, 1, 5), year=2026).findings}
    assert "plan.missing" not in codes and "plan.month-incomplete" not in codes


def test_plan_new_refuses_to_overwrite_without_force(git_branch, run, repo):
    root = git_branch(
        {
            "zhibu.yaml": config("每月最后一个周五"),
            "plans/2026.yaml": "year: 2026\nitems:\n  - {month: 1, kind: 学习, topic: 自己写的计划}\n",
        }
    )
    head = repo(root).head()
    original = (root / "plans/2026.yaml").read_bytes()
    result = run("plan", "new", "--year", "2026", "-C", root)
    assert result.exit_code == 2
    assert "错误：plans/2026.yaml 已存在，未覆盖。" in result.stderr and "--force" in result.stderr
    assert (root / "plans/2026.yaml").read_bytes() == original and repo(root).head() == head
    result = run("plan", "new", "--year", "2026", "--force", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert repo(root).message().startswith("计划 重新生成 2026 年度计划")
    assert "自己写的计划" not in (root / "plans/2026.yaml").read_text(encoding="utf-8")


def test_dry_run_and_no_commit(git_branch, run, repo):
    root = git_branch({"zhibu.yaml": config("每月最后一个周五")})
    head = repo(root).head()
    result = run("plan", "new", "--year", "2026", "--dry-run", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "试运行" in result.stdout and "--- plans/2026.yaml" in result.stdout and "2026-01-学习-1" in result.stdout
    assert not (root / "plans").exists() and repo(root).head() == head
    result = run("plan", "new", "--year", "2026", "--no-commit", "-C", root)
    assert result.exit_code == 0 and (root / "plans/2026.yaml").is_file()
    assert repo(root).head() == head and "plans/" in repo(root).status()


def test_plan_new_validates_the_year(git_branch, run):
    root = git_branch({})
    result = run("plan", "new", "--year", "27", "-C", root)
    assert result.exit_code == 2 and "年份 27 无效" in result.stderr


# --- show ----------------------------------------------------------------------------------------


@pytest.fixture
def sample(tmp_path):
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    init_repo(root)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "示例")
    return root


def _columns(line: str) -> dict[int, str]:
    """Display column -> character (a wide character occupies its first column)."""
    out, col = {}, 0
    for char in line:
        out[col] = char
        col += max(wcwidth(char), 0)
    return out


def assert_aligned(table_lines: list[str]) -> None:
    widths = {wcswidth(line) for line in table_lines}
    assert len(widths) == 1, widths
    rule = next(line for line in table_lines if set(line.strip()) <= {"-", " "} and "-" in line)
    gaps = [i for i, ch in enumerate(rule) if ch == " " and 0 < i and rule[i - 1] == "-"]
    assert gaps, rule
    for line in table_lines:
        cols = _columns(line)
        for gap in gaps:
            # each column ends at the same display column on every line: the gap is blank
            assert cols.get(gap, " ") == " ", (gap, line)


def test_plan_show_aligns_chinese_columns(sample, run):
    result = run("plan", "show", "--year", "2025", "-C", sample)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("月份"))
    end = next(i for i, line in enumerate(lines) if i > start and not line.strip())
    table = lines[start:end]
    assert len(table) > 30 and any("学习贯彻中央经济工作会议精神" in line for line in table)
    assert_aligned(table)
    assert "共 29 项：学习 12 项，活动 17 项。" in result.stdout
    assert "2025-07-活动-2" in result.stdout and "2025-01-31 周五" in result.stdout


def test_plan_show_without_a_plan_names_the_file_and_the_fix(sample, run):
    result = run("plan", "show", "--year", "2030", "-C", sample)
    assert result.exit_code == 2
    assert "没有 2030 年的年度计划（plans/2030.yaml）" in result.stderr
    assert "zhibu plan new --year 2030" in result.stderr and "2025 年" in result.stderr


def test_plan_show_of_a_broken_plan_says_why(git_branch, run):
    root = git_branch({"plans/2026.yaml": "year: 2026\nitems:\n  - {month: 13, kind: 学习, topic: x}\n  year: [\n"})
    result = run("plan", "show", "--year", "2026", "-C", root)
    assert result.exit_code == 2 and "plans/2026.yaml 无法读取" in result.stderr


# --- check ---------------------------------------------------------------------------------------


def item_rows(out: str) -> dict[str, str]:
    """Plan id -> its row in `plan check`'s table."""
    return {
        line.split()[1]: line
        for line in out.splitlines()
        if line.startswith(("已完成", "未完成", "待办")) and line.split()[1][:4].isdigit()
    }


def test_plan_check_on_the_sample(sample, run):
    result = run("plan", "check", "--year", "2025", "--as-of", "2025-12-31", "-C", sample)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    rows = item_rows(out)
    assert len(rows) == 29
    assert rows["2025-07-活动-2"].startswith("未完成")
    assert all(line.startswith("已完成") for key, line in rows.items() if key != "2025-07-活动-2")
    assert "2025-01-10-集中学习" in rows["2025-01-学习-1"]
    assert "计划 29 项：已完成 28 项，未完成 1 项，待办 0 项；计划外记录 0 条。" in out
    assert_aligned(out.split("\n\n")[1].splitlines())


def test_plan_check_pending_months_and_unplanned_records(sample, run):
    extra = (
        "type: 集中学习\ndate: 2025-08-05\nplace: 学院党员活动室\nhost: 王建国\nrecorder: 陈志强\n"
        "attendees: [王建国]\ntopics: [临时增加的学习]\n"
    )
    (sample / "records/2025/2025-08-05-集中学习.yaml").write_text(extra, encoding="utf-8")
    wrong = (sample / "records/2025/2025-08-26-集中学习.yaml").read_text(encoding="utf-8")
    assert "plan: 2025-08-学习-1" in wrong
    result = run("plan", "check", "--year", "2025", "--as-of", "2025-07-20", "-C", sample)
    assert result.exit_code == 0, result.stderr
    rows = item_rows(result.stdout)
    assert rows["2025-07-活动-2"].startswith("待办")  # July has not ended on 07-20
    assert rows["2025-07-学习-1"].startswith("已完成")
    assert rows["2025-06-活动-1"].startswith("已完成")
    # 2025-08-26 names its item, so the extra 08-05 study carries none
    assert rows["2025-08-学习-1"].startswith("已完成") and "2025-08-26-集中学习" in rows["2025-08-学习-1"]
    assert "计作学习、活动但不在计划中的记录" in result.stdout
    assert "records/2025/2025-08-05-集中学习.yaml" in result.stdout


def test_plan_status_library(sample):
    branch = load_branch(sample).branch
    status = plan_status(branch, branch.plan_for(2025), D(2025, 12, 31))
    by_id = {s.item.id: s for s in status.items}
    assert by_id["2025-07-活动-2"].state == "missing" and by_id["2025-07-活动-2"].record is None
    assert by_id["2025-03-活动-2"].record.source.path == "records/2025/2025-03-05-实践活动.yaml"
    assert status.count("done") == 28


def test_plan_check_agrees_with_zhibu_check(sample):
    """The same items are undone for `plan check` and for the rule plan.item-not-done."""
    from zhibu.check import check_branch

    result = check_branch(sample, as_of=D(2025, 12, 31), year=2025)
    undone = {f.subject for f in result.findings if f.code == "plan.item-not-done"}
    branch = load_branch(sample).branch
    status = plan_status(branch, branch.plan_for(2025), D(2025, 12, 31))
    assert undone == {s.item.id for s in status.items if s.state == "missing"} == {"2025-07-活动-2"}


# --- export ----------------------------------------------------------------------------------------


def test_plan_export_writes_a_workbook(sample, run, tmp_path):
    target = tmp_path / "导出" / "2025年度计划.xlsx"
    result = run("plan", "export", "--year", "2025", "--xlsx", target, "-C", sample)
    assert result.exit_code == 0, result.stderr
    assert target.is_file() and "已导出" in result.stdout
    from openpyxl import load_workbook

    ws = load_workbook(target)["年度计划"]
    assert ws.max_row == 30


def test_plan_help_imports_no_heavy_library():
    from test_startup import heavy_in, imported_modules

    assert heavy_in(imported_modules("plan", "--help")) == []
    assert heavy_in(imported_modules("plan", "new", "--help")) == []


# --- holidays in zhibu check ------------------------------------------------------------------


def test_zhibu_check_uses_holidays_yaml_and_reports_a_broken_one(git_branch):
    from zhibu.check import check_branch

    record = (
        "type: 主题党日\ndate: 2026-03-09\nplace: 活动室\nhost: 王建国\nrecorder: 李晓梅\n"
        "attendees: [王建国, 李晓梅, 陈志强, 刘芳, 赵磊, 孙悦]\ntheme: 学雷锋\ntopics: [学雷锋志愿服务]\n"
    )
    files = {"zhibu.yaml": config("每月第1个周五（遇节假日顺延）"), "records/2026/2026-03-09-主题党日.yaml": record}
    # without holidays.yaml the 主题党日 of March 2026 is 03-06: the record on 03-09 is off the rule
    plain = check_branch(git_branch(files), as_of=D(2026, 4, 1), year=2026, strict=True)
    assert [f.period for f in plain.findings if f.code == "meeting.theme-day-fixed"] == ["2026-03"]
    # with 03-06 a day off in holidays.yaml, 03-09 is the rule's day
    root = git_branch({**files, "holidays.yaml": "holidays: [2026-03-06]\n"})
    result = check_branch(root, as_of=D(2026, 4, 1), year=2026, strict=True)
    assert not [f for f in result.findings if f.code == "meeting.theme-day-fixed"]
    broken = git_branch({**files, "holidays.yaml": "holidays: [2026-03-06, 明天]\n"})
    found = [f for f in check_branch(broken, as_of=D(2026, 4, 1), year=2026, strict=True).findings if f.path == "holidays.yaml"]
    assert len(found) == 1 and found[0].code == "format.bad-value" and found[0].line == 1 and "明天" in found[0].message


def test_a_pack_with_bad_holiday_dates_is_a_bad_pack_not_an_unknown_key(make_branch):
    from zhibu.standard.layers import build_standard

    zhibu = config("每月1日", "standard: [standards/T-示例区教育工委.yaml]\n")
    good = make_branch({"zhibu.yaml": zhibu, "standards/T-示例区教育工委.yaml": PACK})
    assert build_standard(load_branch(good).branch).findings == []
    bad = make_branch({"zhibu.yaml": zhibu, "standards/T-示例区教育工委.yaml": PACK.replace("2027-05-03]", "五一]")})
    findings = build_standard(load_branch(bad).branch).findings
    assert [f.code for f in findings] == ["standard.bad-pack"] and "五一" in findings[0].message
