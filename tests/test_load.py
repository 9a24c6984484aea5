"""load.py and schema.py: the model and the format.* findings; rules/records.py on loaded records."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from conftest import DEFAULT_COMMITTEE, DEFAULT_MEMBERS, DEFAULT_ZHIBU, SAMPLE, record_text

from zhibu.format.load import load_branch
from zhibu.model.findings import Severity
from zhibu.rules.records import record_findings

REC = "records/2026/2026-03-05-支部委员会.yaml"


def load(root):
    return load_branch(root)


def codes(loaded) -> list[str]:
    return [f.code for f in loaded.findings]


def only(loaded, code: str):
    """The single finding of ``code``; fails if there are others of any code."""
    assert [f.code for f in loaded.findings] == [code], [(f.code, f.path, f.line, f.message) for f in loaded.findings]
    return loaded.findings[0]


# --- the sample and the defaults ------------------------------------------------------


def test_sample_branch_loads_without_findings():
    loaded = load_branch(SAMPLE)
    assert loaded.findings == []
    assert loaded.config_ok
    branch = loaded.branch
    assert branch.config.name == "中共示例大学计算机学院教工第一支部委员会"
    assert branch.config.category == "高校"
    assert len(branch.records) == len(list((SAMPLE / "records").rglob("*.yaml")))
    assert len(branch.members) == 12
    assert branch.config.theme_day is not None and branch.config.theme_day.chinese == "每月最后一个周五"
    # records come sorted by date
    dates = [r.date for r in branch.records]
    assert dates == sorted(dates)
    assert branch.plans and branch.talks and branch.dues and branch.applicants and branch.waivers


def test_default_test_branch_is_clean(make_branch):
    loaded = load(make_branch({REC: record_text()}))
    assert loaded.findings == []
    assert [r.source.path for r in loaded.branch.records] == [REC]
    record = loaded.branch.records[0]
    assert record.types == ("支部委员会",)
    assert record.date == dt.date(2026, 3, 5)
    assert record.attendees == ("王建国", "李晓梅", "陈志强")
    assert record_findings(loaded.branch, record) == []


def test_record_source_lines_point_at_fields(make_branch):
    loaded = load(make_branch({REC: record_text()}))
    record = loaded.branch.records[0]
    assert record.source.path == REC
    assert record.source.line_of("host") == 4
    assert record.source.line_of("attendees") == 6


# --- format.yaml-syntax -------------------------------------------------------------------


def test_yaml_syntax_error_with_line(make_branch):
    text = "type: 党课\ndate: 2026-03-05\nplace: 会议室: 二楼\n"
    finding = only(load(make_branch({REC: text})), "format.yaml-syntax")
    assert finding.path == REC
    assert finding.line == 3
    assert finding.severity == Severity.ERROR
    assert "引号" in finding.message


def test_duplicate_key_is_a_syntax_finding(make_branch):
    finding = only(load(make_branch({REC: record_text() + "date: 2026-03-06\n"})), "format.yaml-syntax")
    assert finding.line == 8
    assert "重复" in finding.message


# --- format.encoding ----------------------------------------------------------------------


def test_gbk_file_is_rejected_with_the_fix(make_branch):
    raw = record_text(place="学院党员活动室").encode("gbk")
    finding = only(load(make_branch({REC: raw})), "format.encoding")
    assert finding.path == REC
    assert "GBK" in finding.message and "UTF-8" in finding.message
    assert "iconv" in finding.hint and REC in finding.hint


def test_gbk_encoded_roster_is_reported_once_not_as_mojibake(make_branch):
    loaded = load(make_branch({"members.yaml": DEFAULT_MEMBERS.encode("gbk")}))
    assert [f.code for f in loaded.findings if f.path == "members.yaml"] == ["format.encoding"]
    assert loaded.branch.members == ()


def test_utf8_bom_is_accepted(make_branch):
    loaded = load(make_branch({REC: b"\xef\xbb\xbf" + record_text().encode("utf-8")}))
    assert loaded.findings == []
    assert len(loaded.branch.records) == 1


# --- format.unsafe-file -------------------------------------------------------------------


def test_file_over_one_mib_is_refused_unread(make_branch):
    big = record_text() + "content: |\n" + ("  " + "学" * 100 + "\n") * 4000
    assert len(big.encode()) > 1024 * 1024
    finding = only(load(make_branch({REC: big})), "format.unsafe-file")
    assert finding.path == REC
    assert "KB" in finding.message


def test_alias_bomb_is_unsafe(make_branch):
    lines = ["a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    finding = only(load(make_branch({REC: "\n".join(lines) + "\n"})), "format.unsafe-file")
    assert finding.line is not None
    assert "别名" in finding.message


def test_deep_nesting_is_unsafe(make_branch):
    finding = only(load(make_branch({REC: "[" * 100_000 + "]" * 100_000})), "format.unsafe-file")
    assert "嵌套" in finding.message


def test_symlink_out_of_the_branch_is_refused(make_branch, tmp_path):
    secret = tmp_path / "outside.yaml"
    secret.write_text(record_text(), encoding="utf-8")
    root = make_branch({})
    (root / "records" / "2026").mkdir(parents=True)
    os.symlink(secret, root / REC)
    loaded = load(root)
    finding = only(loaded, "format.unsafe-file")
    assert finding.path == REC
    assert "符号链接" in finding.message
    assert loaded.branch.records == ()


def test_symlink_inside_the_branch_is_read(make_branch):
    root = make_branch({"records/2026/real.yaml": record_text()})
    os.symlink(root / "records/2026/real.yaml", root / "records/2026/alias.yaml")
    loaded = load(root)
    assert loaded.findings == []
    assert len(loaded.branch.records) == 2


# --- format.missing-field -----------------------------------------------------------------


@pytest.mark.parametrize("key", ["place", "host", "recorder", "attendees", "topics", "type", "date"])
def test_missing_required_record_field(make_branch, key):
    loaded = load(make_branch({REC: record_text(**{key: None})}))
    finding = only(loaded, "format.missing-field")
    assert finding.path == REC
    assert key in finding.message


@pytest.mark.parametrize(("record_type", "key"), [("党小组会", "group"), ("党课", "lecturer"), ("主题党日", "theme")])
def test_type_specific_required_field(make_branch, record_type, key):
    loaded = load(make_branch({REC: record_text(type=record_type)}))
    missing = [f for f in loaded.findings if f.code == "format.missing-field"]
    assert len(missing) == 1 and key in missing[0].message and record_type in missing[0].message


def test_member_without_required_fields(make_branch):
    members = "members:\n  - name: 王建国\n    status: 正式党员\n    group: 第一党小组\n"
    loaded = load(make_branch({"members.yaml": members}))
    messages = [f.message for f in loaded.findings if f.code == "format.missing-field" and f.path == "members.yaml"]
    assert any("admitted" in m for m in messages)
    assert any("joined" in m for m in messages)
    assert any("full_since" in m for m in messages)


def test_missing_roster_file(make_branch):
    loaded = load(make_branch({"members.yaml": None}))
    finding = only(loaded, "format.missing-field")
    assert finding.path == "members.yaml"
    assert loaded.config_ok  # the branch itself is still usable


def test_missing_zhibu_yaml_makes_config_unusable(make_branch):
    loaded = load(make_branch({"zhibu.yaml": None}))
    assert not loaded.config_ok
    assert any(f.code == "format.missing-field" and f.path == "zhibu.yaml" for f in loaded.findings)


def test_zhibu_yaml_missing_name(make_branch):
    text = DEFAULT_ZHIBU.replace("name: 中共测试大学计算机学院教工第一支部委员会\n", "")
    loaded = load(make_branch({"zhibu.yaml": text}))
    finding = only(loaded, "format.missing-field")
    assert finding.path == "zhibu.yaml" and "name" in finding.message
    assert not loaded.config_ok


# --- format.bad-value -----------------------------------------------------------------------


def test_impossible_date(make_branch):
    loaded = load(make_branch({REC: record_text(date="2026-02-30")}))
    finding = only(loaded, "format.bad-value")
    assert finding.line == 2
    assert "2026-02-30" in finding.message
    assert "YYYY-MM-DD" in finding.hint
    assert loaded.branch.records == ()  # without a date the record cannot be used


def test_date_written_as_text(make_branch):
    finding = only(load(make_branch({REC: record_text(date="三月五日")})), "format.bad-value")
    assert "三月五日" in finding.message


def test_unknown_record_type_suggests_the_nearest(make_branch):
    finding = only(load(make_branch({REC: record_text(type="支委员会")})), "format.bad-value")
    assert finding.line == 1
    assert "支委员会" in finding.message
    assert "支部委员会" in finding.hint


def test_unknown_status(make_branch):
    loaded = load(make_branch({"members.yaml": DEFAULT_MEMBERS.replace("status: 预备党员", "status: 积极分子")}))
    finding = only(loaded, "format.bad-value")
    assert finding.path == "members.yaml"
    assert "积极分子" in finding.message and "正式党员" in finding.hint


def test_unknown_role(make_branch):
    loaded = load(make_branch({"committee.yaml": DEFAULT_COMMITTEE.replace("role: 宣传委员", "role: 宣传部长")}))
    finding = only(loaded, "format.bad-value")
    assert finding.path == "committee.yaml" and finding.line == 6
    assert "宣传部长" in finding.message
    # the bad seat is left out of the model, the others stay
    assert loaded.branch.committee.names_on(dt.date(2026, 1, 1)) == ("李晓梅", "王建国")


def test_unknown_category_and_bad_format_version(make_branch):
    loaded = load(
        make_branch({"zhibu.yaml": DEFAULT_ZHIBU.replace("category: 高校", "category: 大学").replace("format: 1", "format: 2")})
    )
    assert codes(loaded) == ["format.bad-value", "format.bad-value"]
    assert not loaded.config_ok


def test_code_written_as_number_loses_leading_zero(make_branch):
    loaded = load(make_branch({"zhibu.yaml": DEFAULT_ZHIBU + "code: 011000123456\n"}))
    finding = only(loaded, "format.bad-value")
    assert '"' in finding.hint


def test_member_group_not_in_groups(make_branch):
    loaded = load(make_branch({"members.yaml": DEFAULT_MEMBERS.replace("group: 第二党小组", "group: 第二小组", 1)}))
    finding = only(loaded, "format.bad-value")
    assert "第二小组" in finding.message
    assert "第二党小组" in finding.hint


def test_duplicate_member_name(make_branch):
    extra = "  - {name: 王建国, status: 正式党员, admitted: 2001-01-01, full_since: 2002-01-01, joined: 2020-01-01, group: 第一党小组}\n"
    finding = only(load(make_branch({"members.yaml": DEFAULT_MEMBERS + extra})), "format.bad-value")
    assert "两个" in finding.message and "王建国" in finding.message


def test_committee_member_not_on_roster(make_branch):
    committee = DEFAULT_COMMITTEE.replace("{name: 陈志强, role: 宣传委员}", "{name: 陈志刚, role: 宣传委员}")
    finding = only(load(make_branch({"committee.yaml": committee})), "format.bad-value")
    assert "陈志刚" in finding.message and "陈志强" in finding.hint


def test_wrong_shape_file(make_branch):
    finding = only(load(make_branch({REC: "- 王建国\n- 李晓梅\n"})), "format.bad-value")
    assert "映射" in finding.message


def test_yml_extension_is_pointed_out(make_branch):
    loaded = load(make_branch({"records/2026/a.yml": record_text()}))
    finding = only(loaded, "format.bad-value")
    assert finding.path == "records/2026/a.yml"
    assert "records/2026/a.yaml" in finding.hint


# --- format.unknown-field ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("attendes", "attendees"), ("recoder", "recorder"), ("地点", "place"), ("topic", "topics"), ("absentees", "absent")],
)
def test_unknown_key_suggests_the_nearest(make_branch, typo, meant):
    text = record_text(**{typo: "x"}) if typo not in ("attendes", "topic") else record_text(**{typo: "[王建国]"})
    finding = only(load(make_branch({REC: text})), "format.unknown-field")
    assert finding.line == 8
    assert typo in finding.message
    assert f"“{meant}”" in finding.hint


def test_unknown_key_in_a_member(make_branch):
    loaded = load(
        make_branch(
            {"members.yaml": DEFAULT_MEMBERS.replace("    joined: 2012-09-01\n", "    joined: 2012-09-01\n    phone: 无\n", 1)}
        )
    )
    finding = only(loaded, "format.unknown-field")
    assert finding.path == "members.yaml" and finding.line == 8


# --- format.personal-data ------------------------------------------------------------------


def test_id_number_is_flagged_and_masked(make_branch):
    loaded = load(make_branch({REC: record_text(content="联系人身份证 11010119900307123X")}))
    finding = only(loaded, "format.personal-data")
    assert finding.line == 8
    assert "身份证" in finding.message
    assert "11010119900307123X" not in finding.message  # the finding itself must not carry it upward
    assert finding.severity == Severity.WARNING
    assert len(loaded.branch.records) == 1  # a warning, not a refusal


def test_mobile_number_is_flagged_even_in_a_comment(make_branch):
    text = DEFAULT_MEMBERS.replace("  - name: 刘芳\n", "  - name: 刘芳   # 电话 13912345678\n")
    finding = only(load(make_branch({"members.yaml": text})), "format.personal-data")
    assert finding.path == "members.yaml"
    assert "手机号" in finding.message and "13912345678" not in finding.message


def test_ordinary_numbers_are_not_personal_data(make_branch):
    text = record_text(content="经费 13912345678901 元；党组织编码 011000123456；时间 20260305")
    loaded = load(make_branch({REC: text, "zhibu.yaml": DEFAULT_ZHIBU + 'code: "011000123456"\n'}))
    assert loaded.findings == []


# --- one broken file, the rest still loads -----------------------------------------------------


def test_one_broken_record_costs_one_finding(make_branch):
    loaded = load(
        make_branch(
            {
                "records/2026/a.yaml": record_text(date="2026-03-02"),
                "records/2026/b.yaml": "type: 党课\ndate: [\n",
                "records/2026/c.yaml": record_text(date="2026-04-02"),
                "records/2026/d.yaml": record_text(date="2026-05-02").encode("gbk"),
            }
        )
    )
    assert sorted((f.path, f.code) for f in loaded.findings) == [
        ("records/2026/b.yaml", "format.yaml-syntax"),
        ("records/2026/d.yaml", "format.encoding"),
    ]
    assert [r.source.path for r in loaded.branch.records] == ["records/2026/a.yaml", "records/2026/c.yaml"]


def test_bad_optional_value_drops_only_that_value(make_branch):
    loaded = load(make_branch({REC: record_text(time="[14, 30]")}))
    assert codes(loaded) == ["format.bad-value"]
    record = loaded.branch.records[0]
    assert record.time is None and record.host == "王建国"


def test_broken_roster_does_not_stop_records(make_branch):
    loaded = load(make_branch({"members.yaml": "members: [\n", REC: record_text()}))
    assert [f.code for f in loaded.findings] == ["format.yaml-syntax"]
    assert len(loaded.branch.records) == 1


def test_findings_are_sorted(make_branch):
    loaded = load(
        make_branch({"records/2026/b.yaml": record_text(attendes="[x]"), "records/2026/a.yaml": record_text(date="bad")})
    )
    keys = [f.sort_key for f in loaded.findings]
    assert keys == sorted(keys)
    assert [f.path for f in loaded.findings] == ["records/2026/a.yaml", "records/2026/b.yaml"]


# --- record types ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("支委会", ("支部委员会",)),
        ("支部委员会会议", ("支部委员会",)),
        ("党员大会", ("支部党员大会",)),
        ("理论学习", ("集中学习",)),
        ("志愿服务", ("实践活动",)),
        ("[支部党员大会, 党课]", ("支部党员大会", "党课")),
        ("[支部大会, 党课]", ("支部党员大会", "党课")),
        ("[支委会, 支部委员会]", ("支部委员会",)),
    ],
)
def test_type_aliases_normalise(make_branch, written, canonical):
    extra = {"lecturer": "王建国"} if "党课" in written else {}
    loaded = load(make_branch({REC: record_text(type=written, **extra)}))
    assert [f for f in loaded.findings if f.code.startswith("format.")] == []
    assert loaded.branch.records[0].types == canonical


def test_combined_event_counts_for_each_type(make_branch):
    text = record_text(type="[支部党员大会, 党课]", lecturer="王建国")
    record = load(make_branch({REC: text})).branch.records[0]
    assert record.has_type("党课") and record.has_type("支部党员大会")
    assert record.plan_kinds == frozenset({"学习"})
    assert record.type_label == "支部党员大会、党课"


def test_unknown_type_inside_a_list(make_branch):
    finding = only(load(make_branch({REC: record_text(type="[支部党员大会, 读书会]")})), "format.bad-value")
    assert "读书会" in finding.message


def test_absent_shorthand_and_mapping(make_branch):
    text = record_text(attendees="[王建国, 李晓梅]") + "absent:\n  - {name: 陈志强, reason: 出差}\n"
    record = load(make_branch({REC: text})).branch.records[0]
    assert [(a.name, a.reason) for a in record.absent] == [("陈志强", "出差")]
    assert record.absent[0].source.line == 9


# --- record.* findings through rules.records -----------------------------------------------------


def findings_for(make_branch, text, rel=REC):
    loaded = load(make_branch({rel: text}))
    assert [f for f in loaded.findings if f.severity >= Severity.ERROR] == []
    record = loaded.branch.records[0]
    return record_findings(loaded.branch, record)


def test_record_unknown_person_suggests_the_roster_name(make_branch):
    found = findings_for(make_branch, record_text(attendees="[王建国, 李晓梅, 陈志刚]"))
    unknown = [f for f in found if f.code == "record.unknown-person"]
    assert len(unknown) == 1
    assert unknown[0].subject == "陈志刚"
    assert unknown[0].line == 6
    assert "陈志强" in unknown[0].hint
    assert unknown[0].period == "2026-03"
    # and 陈志强, expected, is then missing from the attendance
    assert [f.subject for f in found if f.code == "record.attendance"] == ["陈志强"]


def test_record_attendance_missing_and_duplicate(make_branch):
    found = findings_for(make_branch, record_text(attendees="[王建国, 王建国]"))
    attendance = sorted((f.subject, f.message) for f in found if f.code == "record.attendance")
    assert [s for s, _ in attendance] == ["李晓梅", "王建国", "陈志强"]
    assert any("重复" in m for s, m in attendance if s == "王建国")


def test_record_attendee_also_absent(make_branch):
    text = record_text() + "absent:\n  - {name: 陈志强, reason: 出差}\n"
    found = findings_for(make_branch, text)
    assert [(f.code, f.subject) for f in found] == [("record.attendance", "陈志强")]
    assert "同时" in found[0].message


def test_record_absent_without_reason(make_branch):
    text = record_text(attendees="[王建国, 李晓梅]") + "absent: [陈志强]\n"
    found = findings_for(make_branch, text)
    assert [(f.code, f.subject) for f in found] == [("record.absent-reason", "陈志强")]


def test_committee_meeting_with_non_committee_member(make_branch):
    text = record_text(attendees="[王建国, 李晓梅, 陈志强, 刘芳]")
    found = findings_for(make_branch, text)
    assert [(f.code, f.subject) for f in found] == [("record.unknown-person", "刘芳")]
    assert "支委会委员" in found[0].message and "guests" in found[0].hint


def test_committee_meeting_with_member_as_guest_is_fine(make_branch):
    text = record_text() + "guests: [刘芳, 张红（学院党委组织员）]\n"
    assert findings_for(make_branch, text) == []


def test_person_not_yet_joined_or_already_left(make_branch):
    members = DEFAULT_MEMBERS + (
        "  - {name: 林静, status: 正式党员, admitted: 2014-06-20, full_since: 2015-06-20, joined: 2026-04-01, group: 第二党小组}\n"
        "  - {name: 吴涛, status: 正式党员, admitted: 2013-05-20, full_since: 2014-05-20, joined: 2018-07-01,"
        " left: {date: 2026-03-05, reason: 转出}, group: 第一党小组}\n"
    )
    text = record_text(type="集中学习", attendees="[王建国, 李晓梅, 陈志强, 刘芳, 赵磊, 孙悦, 林静, 吴涛]")
    loaded = load(make_branch({"members.yaml": members, REC: text}))
    assert loaded.findings == []
    found = record_findings(loaded.branch, loaded.branch.records[0])
    by_subject = {f.subject: f.message for f in found}
    assert set(by_subject) == {"林静", "吴涛"}
    assert "尚未转入" in by_subject["林静"]
    assert "已离开" in by_subject["吴涛"]


def test_practice_activity_expects_nobody(make_branch):
    text = record_text(type="实践活动", attendees="[王建国]")
    assert findings_for(make_branch, text) == []


@pytest.mark.parametrize(
    ("config", "code"),
    [
        (None, "format.missing-field"),
        ("name: [\n", "format.yaml-syntax"),
        ("- 不是映射\n", "format.bad-value"),
        (DEFAULT_ZHIBU.encode("gbk"), "format.encoding"),
    ],
)
def test_broken_zhibu_yaml_costs_one_finding(make_branch, config, code):
    """Its groups are unknown, so members, leaders and records are not each reported against them."""
    loaded = load(make_branch({"zhibu.yaml": config, REC: record_text(type="党小组会", group="第一党小组")}))
    assert [(f.path, f.code) for f in loaded.findings] == [("zhibu.yaml", code)]
    assert not loaded.config_ok
    assert loaded.branch.member("王建国").group == "第一党小组"


def test_branch_without_groups_still_checks_them(make_branch):
    config = DEFAULT_ZHIBU.replace("groups: [第一党小组, 第二党小组]\n", "")
    loaded = load(make_branch({"zhibu.yaml": config}))
    assert {f.code for f in loaded.findings} == {"format.bad-value"}
    assert len(loaded.findings) == 8  # six members and two group leaders name groups that do not exist


def test_misnamed_top_level_file_gets_a_rename_hint(make_branch):
    from conftest import DEFAULT_MEMBERS

    loaded = load(make_branch({"members.yaml": None, "members.yml": DEFAULT_MEMBERS}))
    assert sorted((f.code, f.path) for f in loaded.findings) == [
        ("format.bad-value", "members.yml"),  # not read: .yml
        ("format.missing-field", "members.yaml"),
    ]
    missing = next(f for f in loaded.findings if f.code == "format.missing-field")
    assert "git mv members.yml members.yaml" in missing.hint


def test_member_with_an_invalid_status_counts_but_does_not_vote(make_branch):
    import datetime as dt

    from conftest import DEFAULT_MEMBERS

    members = DEFAULT_MEMBERS.replace(
        "    status: 正式党员\n    admitted: 2012-06-15", "    status: 党员\n    admitted: 2012-06-15"
    )
    branch = load(make_branch({"members.yaml": members})).branch
    day = dt.date(2026, 3, 1)
    assert "赵磊" in {m.name for m in branch.members_on(day)}
    assert "赵磊" not in {m.name for m in branch.voters_on(day)}


def test_a_fifo_named_like_a_record_is_refused_not_waited_on(make_branch):
    import os

    root = make_branch()
    (root / "records/2026").mkdir(parents=True)
    os.mkfifo(root / "records/2026/pipe.yaml")
    finding = only(load(root), "format.unsafe-file")
    assert finding.path == "records/2026/pipe.yaml" and "不是普通文件" in finding.message
