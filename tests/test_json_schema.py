"""JSON Schemas for editors: generated from schema.py, valid, agreeing with the loader; modelines."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import pytest
from conftest import SAMPLE, record_text

from zhibu.format import json_schema, kinds
from zhibu.format.load import load_branch
from zhibu.store.yamlio import parse

Validator = jsonschema.Draft202012Validator


def as_editor_sees(value):
    """Parsed YAML as the YAML language server hands it to the schema: dates are strings."""
    if isinstance(value, dict):
        return {str(k): as_editor_sees(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_editor_sees(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def schema_errors(rel: str, text: str) -> list[str]:
    kind = json_schema.kind_for_path(rel)
    assert kind is not None, rel
    validator = Validator(json_schema.kind_schema(kind), format_checker=Validator.FORMAT_CHECKER)
    data = as_editor_sees(parse(text).data)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("kind", kinds.FILE_KINDS, ids=lambda k: k.key)
def test_every_schema_is_valid_draft_2020_12(kind):
    generated = json_schema.kind_schema(kind)
    assert generated["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Validator.check_schema(generated)


def test_schemas_carry_chinese_descriptions_enums_and_required_fields():
    record = json_schema.kind_schema(kinds.RECORD)
    assert record["required"] == ["type", "date", "place", "host", "recorder", "attendees", "topics"]
    type_enum = record["properties"]["type"]["anyOf"][0]["enum"]
    assert "支部委员会" in type_enum and "支委会" in type_enum  # canonical types and aliases
    assert "会议类型" in record["properties"]["type"]["description"]
    members = json_schema.kind_schema(kinds.MEMBERS)["properties"]["members"]["items"]
    assert members["properties"]["status"]["enum"] == ["正式党员", "预备党员"]
    committee = json_schema.kind_schema(kinds.COMMITTEE)
    roles = committee["properties"]["terms"]["items"]["properties"]["members"]["items"]["properties"]["role"]["enum"]
    assert roles == ["书记", "副书记", "组织委员", "宣传委员", "纪检委员", "青年委员", "统战委员", "委员"]


def sample_files():
    out = []
    for path in sorted(SAMPLE.rglob("*.yaml")):
        rel = path.relative_to(SAMPLE).as_posix()
        if rel.startswith("standards/"):
            continue  # rule packs are checked by the standard, not by a file schema
        out.append(rel)
    return out


def test_every_format_file_of_the_sample_has_a_schema():
    files = sample_files()
    assert len(files) > 70
    found = {json_schema.kind_for_path(rel).key for rel in files}
    assert found == {k.key for k in kinds.FILE_KINDS}


@pytest.mark.parametrize("rel", sample_files())
def test_sample_file_validates_against_its_schema(rel):
    assert schema_errors(rel, (SAMPLE / rel).read_text(encoding="utf-8")) == []


MEMBER = """\
members:
  - name: 王建国
    status: 正式党员
    admitted: 1998-06-20
    full_since: 1999-06-20
    joined: 2012-09-01
    group: 第一党小组
"""

# (file, text, the format.* code the loader reports) — each should also fail the schema.
BROKEN = {
    "record missing place": ("records/2026/a.yaml", record_text(place=None), "format.missing-field"),
    "record required field empty": ("records/2026/a.yaml", record_text(host=""), "format.missing-field"),
    "record bad type": ("records/2026/a.yaml", record_text(type="支部会议"), "format.bad-value"),
    "record unknown key": ("records/2026/a.yaml", record_text(参会人数=3), "format.unknown-field"),
    "record misspelt key": ("records/2026/a.yaml", record_text(topic="[议题]"), "format.unknown-field"),
    "record bad date": ("records/2026/a.yaml", record_text(date="2026-02-30"), "format.bad-value"),
    "党小组会 without group": ("records/2026/a.yaml", record_text(type="小组会"), "format.missing-field"),
    "党课 in a list without lecturer": ("records/2026/a.yaml", record_text(type="[支部党员大会, 党课]"), "format.missing-field"),
    "vote count negative": (
        "records/2026/a.yaml",
        record_text(resolutions="[{text: 同意, votes: {for: -1}}]"),
        "format.bad-value",
    ),
    "member bad status": ("members.yaml", MEMBER.replace("status: 正式党员", "status: 党员"), "format.bad-value"),
    "member missing joined": ("members.yaml", MEMBER.replace("    joined: 2012-09-01\n", ""), "format.missing-field"),
    "正式党员 without full_since": ("members.yaml", MEMBER.replace("    full_since: 1999-06-20\n", ""), "format.missing-field"),
    "预备党员 with full_since": ("members.yaml", MEMBER.replace("status: 正式党员", "status: 预备党员"), "format.bad-value"),
    "member unknown key": ("members.yaml", MEMBER + "    id_card: 略\n", "format.unknown-field"),
    "committee bad role": (
        "committee.yaml",
        "terms:\n  - elected: 2023-06-20\n    members:\n      - {name: 王建国, role: 主任}\n",
        "format.bad-value",
    ),
    "committee member without role": (
        "committee.yaml",
        "terms:\n  - elected: 2023-06-20\n    members:\n      - {name: 王建国}\n",
        "format.missing-field",
    ),
    "group leader with an unknown key": (
        "committee.yaml",
        "terms:\n  - elected: 2023-06-20\n    members:\n      - {name: 王建国, role: 书记}\ngroup_leaders:\n  第一党小组: {name: 陈志强, from: 2026-03-01}\n",
        "format.bad-value",
    ),
    "talk with one person": ("talks/2026.yaml", "talks:\n  - {date: 2026-02-14, between: [王建国]}\n", "format.bad-value"),
    "plan month 13": ("plans/2026.yaml", "year: 2026\nitems:\n  - {month: 13, kind: 学习, topic: 学习}\n", "format.bad-value"),
    "plan bad kind": ("plans/2026.yaml", "year: 2026\nitems:\n  - {month: 1, kind: 其他, topic: 学习}\n", "format.bad-value"),
    "dues negative amount": ("dues/2026.yaml", "year: 2026\nmonthly: {王建国: -5}\n", "format.bad-value"),
    "waiver bad period": (
        "waivers.yaml",
        "waivers:\n  - {code: meeting.committee-monthly, period: 2026年2月, reason: 春节}\n",
        "format.bad-value",
    ),
    "zhibu.yaml bad category": (
        "zhibu.yaml",
        "format: 1\nname: 中共测试支部委员会\nparent: 中共测试委员会\ncategory: 学校\ngroups: [第一党小组, 第二党小组]\n",
        "format.bad-value",
    ),
    "zhibu.yaml code as a number": (
        "zhibu.yaml",
        "format: 1\nname: 中共测试支部委员会\nparent: 中共测试委员会\ncategory: 高校\ncode: 11000123456\ngroups: [第一党小组, 第二党小组]\n",
        "format.bad-value",
    ),
    "zhibu.yaml bad theme day": (
        "zhibu.yaml",
        "format: 1\nname: 中共测试支部委员会\nparent: 中共测试委员会\ncategory: 高校\ntheme_day: 每月第九个周五\ngroups: [第一党小组, 第二党小组]\n",
        "format.bad-value",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_schema_error_and_loader_finding_agree(case, make_branch):
    rel, text, code = BROKEN[case]
    root = make_branch({rel: text})
    findings = [f for f in load_branch(root).findings if f.path == rel and f.code.startswith("format.")]
    assert code in {f.code for f in findings}, findings
    assert schema_errors(rel, text), f"the schema accepts what the loader reports as {code}"


VALID = {
    "record with aliases and nulls": ("records/2026/a.yaml", record_text(type="支委会", guests="", content="null")),
    "record absent shorthand": ("records/2026/a.yaml", record_text(attendees="[王建国, 李晓梅]", absent="[陈志强]")),
    "combined record": (
        "records/2026/a.yaml",
        record_text(type="[支部党员大会, 党课]", lecturer="王建国", attendees="[王建国, 李晓梅, 陈志强, 刘芳, 赵磊, 孙悦]"),
    ),
    "member": ("members.yaml", MEMBER),
    "预备党员": (
        "members.yaml",
        MEMBER.replace("status: 正式党员", "status: 预备党员").replace("    full_since: 1999-06-20\n", ""),
    ),
    "empty talks": ("talks/2026.yaml", "# 谈心谈话\n"),
    "theme day rule with shift": (
        "zhibu.yaml",
        "format: 1\nname: 中共测试支部委员会\nparent: 中共测试委员会\ncategory: 高校\n"
        "theme_day: {rule: 每月20日, 顺延: 节假日}\ngroups: [第一党小组, {name: 第二党小组, since: 2020-01-01}]\n",
    ),
    "theme day text with shift": (
        "zhibu.yaml",
        "format: 1\nname: 中共测试支部委员会\nparent: 中共测试委员会\ncategory: 高校\n"
        "theme_day: 每月最后一个周五（遇节假日顺延）\ngroups: [第一党小组, 第二党小组]\n",
    ),
    "waiver periods": (
        "waivers.yaml",
        "waivers:\n  - {code: meeting.committee-monthly, period: 2026Q1, reason: 春节}\n  - {code: meeting.committee-monthly, period: 2025, reason: 合并}\n",
    ),
    "development full extended": (
        "development.yaml",
        "people:\n  - {name: 孙悦, admitted: 2025-10-12, full: {extended_to: 2027-04-12}}\n",
    ),
    "group leaders in turn": (
        "committee.yaml",
        "terms:\n  - elected: 2023-06-20\n    members:\n      - {name: 王建国, role: 书记}\n"
        "group_leaders:\n  第一党小组: [{name: 陈志强}, {name: 王建国, since: 2026-03-01}]\n  第二党小组: {name: 李晓梅, since: 2020-01-01}\n",
    ),
}


@pytest.mark.parametrize("case", sorted(VALID))
def test_what_the_loader_accepts_the_schema_accepts(case, make_branch):
    rel, text = VALID[case]
    root = make_branch({rel: text})
    findings = [f for f in load_branch(root).findings if f.path == rel and f.code.startswith("format.")]
    assert findings == []
    assert schema_errors(rel, text) == []


# --- modelines ---------------------------------------------------------------------------


def test_modeline_points_at_the_schema_relative_to_the_file():
    assert json_schema.modeline("zhibu.yaml") == "# yaml-language-server: $schema=.zhibu/schema/branch.json"
    assert json_schema.modeline("records/2026/2026-03-05-支部委员会.yaml") == (
        "# yaml-language-server: $schema=../../.zhibu/schema/record.json"
    )
    assert json_schema.modeline("talks/2026.yaml") == "# yaml-language-server: $schema=../.zhibu/schema/talks.json"
    assert json_schema.modeline("attachments/x.yaml") is None
    assert json_schema.modeline("standards/T.yaml") is None


def test_the_loader_reads_files_with_and_without_a_modeline(make_branch):
    plain = record_text()
    root = make_branch(
        {
            "records/2026/a.yaml": plain,
            "records/2026/b.yaml": json_schema.with_modeline("records/2026/b.yaml", plain.replace("2026-03-05", "2026-03-06")),
        }
    )
    loaded = load_branch(root)
    assert [f for f in loaded.findings if f.path and f.path.startswith("records/")] == []
    assert [r.date for r in loaded.branch.records] == [dt.date(2026, 3, 5), dt.date(2026, 3, 6)]


@pytest.fixture
def new_branch(tmp_path, run, git_identity):
    root = tmp_path / "支部"
    result = run(
        "init", root, "--name", "中共测试支部委员会", "--parent", "中共测试委员会", "--category", "高校", "--group", "第一党小组"
    )
    assert result.exit_code == 0, result.stderr
    return root


def test_init_writes_schemas_and_modelines(new_branch, repo):
    for kind in kinds.FILE_KINDS:
        path = new_branch / ".zhibu/schema" / f"{kind.key}.json"
        assert path.read_text(encoding="utf-8") == json_schema.schema_texts()[path.name]
        json.loads(path.read_text(encoding="utf-8"))
    for rel in ("zhibu.yaml", "members.yaml", "committee.yaml"):
        first = (new_branch / rel).read_text(encoding="utf-8").splitlines()[0]
        assert first == json_schema.modeline(rel)
    assert repo(new_branch).status() == ""  # schemas committed with the branch
    assert ".zhibu/schema/record.json" in repo(new_branch).changed()


def test_new_files_get_the_modeline_and_edits_keep_it(new_branch, run):
    assert (
        run(
            "member",
            "add",
            "王建国",
            "--status",
            "正式党员",
            "--admitted",
            "1998-06-20",
            "--full-since",
            "1999-06-20",
            "--joined",
            "2012-09-01",
            "--group",
            "第一党小组",
            "-C",
            new_branch,
        ).exit_code
        == 0
    )
    members = (new_branch / "members.yaml").read_text(encoding="utf-8")
    assert members.splitlines()[0] == json_schema.modeline("members.yaml")
    assert members.count("yaml-language-server") == 1
    result = run(
        "meeting",
        "add",
        "--type",
        "其他",
        "--date",
        "2026-03-05",
        "--place",
        "会议室",
        "--host",
        "王建国",
        "--recorder",
        "王建国",
        "--attendee",
        "王建国",
        "--topic",
        "研究工作",
        "-C",
        new_branch,
    )
    assert result.exit_code == 0, result.stderr
    record = (new_branch / "records/2026/2026-03-05-其他.yaml").read_text(encoding="utf-8")
    assert record.splitlines()[0] == "# yaml-language-server: $schema=../../.zhibu/schema/record.json"
    assert schema_errors("records/2026/2026-03-05-其他.yaml", record) == []


def test_no_modeline_without_schemas_in_the_branch(git_branch, run):
    root = git_branch()
    result = run("talk", "add", "--date", "2026-03-01", "王建国", "李晓梅", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "yaml-language-server" not in (root / "talks/2026.yaml").read_text(encoding="utf-8")


def test_existing_files_are_never_given_a_modeline(git_branch, run):
    root = git_branch()
    assert run("schema", "-C", root).exit_code == 0
    before = (root / "members.yaml").read_text(encoding="utf-8")
    assert run("member", "edit", "孙悦", "--gender", "女", "-C", root).exit_code == 0
    after = (root / "members.yaml").read_text(encoding="utf-8")
    assert "yaml-language-server" not in after
    assert after != before and after.startswith("# 党员名册（测试用）\n")


# --- zhibu schema --------------------------------------------------------------------------


def test_schema_command_writes_commits_and_is_idempotent(git_branch, run, repo):
    root = git_branch()
    commits = repo(root).count()
    result = run("schema", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert repo(root).count() == commits + 1
    assert "编辑器支持" in repo(root).message()
    assert sorted(p.name for p in (root / ".zhibu/schema").iterdir()) == sorted(json_schema.schema_texts())
    again = run("schema", "-C", root)
    assert again.exit_code == 0
    assert "已是最新" in again.stdout
    assert repo(root).count() == commits + 1


def test_schema_command_out_folder_needs_no_branch(tmp_path, run):
    result = run("schema", "--out", tmp_path / "s", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == sorted(json_schema.schema_texts())


def test_schema_command_vscode_settings_merge(git_branch, run):
    root = git_branch({".vscode/settings.json": '{"editor.tabSize": 2}\n'})
    result = run("schema", "--vscode", "-C", root)
    assert result.exit_code == 0, result.stderr
    settings = json.loads((root / ".vscode/settings.json").read_text(encoding="utf-8"))
    assert settings["editor.tabSize"] == 2
    assert settings["yaml.schemas"][".zhibu/schema/record.json"] == ["records/**/*.yaml"]


JSONC_SETTINGS = """\
// 我的设置
{
  /* 缩进 */ "editor.tabSize": 2,
  "files.exclude": {"**/.git": true, "a//b": "/* not a comment */"},   // 尾注
  "yaml.schemas": {"old.json": ["x.yaml"]},
  "editor.rulers": [100,],
}
"""


@pytest.mark.parametrize(
    "before",
    [
        JSONC_SETTINGS,
        JSONC_SETTINGS.replace('  "yaml.schemas": {"old.json": ["x.yaml"]},\n', ""),
        "// 只有注释的对象\n{\n  // 以后再加\n}\n",
        '{"editor.tabSize": 4} // 末尾注释\n',
        "",
    ],
    ids=["replace", "insert-after-trailing-comma", "empty-object", "no-trailing-comma", "empty-file"],
)
def test_schema_command_vscode_keeps_a_jsonc_settings_file(git_branch, run, before):
    import json5  # a third-party JSONC reader: VS Code accepts what it accepts

    root = git_branch({".vscode/settings.json": before})
    result = run("schema", "--vscode", "-C", root)
    assert result.exit_code == 0, result.stderr
    after = (root / ".vscode/settings.json").read_text(encoding="utf-8")
    settings = json5.loads(after)
    assert settings["yaml.schemas"][".zhibu/schema/record.json"] == ["records/**/*.yaml"]
    assert "old.json" not in settings["yaml.schemas"]
    for comment in re.findall(r"//[^\n]*|/\*.*?\*/", before):  # every comment is still there, as written
        assert comment in after, (comment, after)
    if before:
        assert {k: v for k, v in settings.items() if k != "yaml.schemas"} == {
            k: v for k, v in json5.loads(before).items() if k != "yaml.schemas"
        }
    # and once more: nothing changes
    assert run("schema", "--vscode", "-C", root).exit_code == 0
    assert (root / ".vscode/settings.json").read_text(encoding="utf-8") == after


def test_schema_command_refuses_a_broken_settings_file(git_branch, run):
    root = git_branch({".vscode/settings.json": '/* 没有结束的注释\n{"editor.tabSize": 2}\n'})
    result = run("schema", "--vscode", "-C", root)
    assert result.exit_code == 2
    assert "settings.json" in result.stderr and "注释没有结束" in result.stderr
    assert (root / ".vscode/settings.json").read_text(encoding="utf-8").startswith("/* 没有结束")
    assert not (root / ".zhibu").exists()


def test_schema_command_outside_a_branch_says_so(tmp_path, run):
    result = run("schema", cwd=tmp_path)
    assert result.exit_code == 2
    assert "zhibu.yaml" in result.stderr


def test_the_date_pattern_admits_exactly_the_days_that_exist():
    # Every day from 1896 to 2104 (four centuries' leap rules: 1900 and 2100 are not leap years,
    # 2000 is) with and without leading zeros, and every impossible day of those years.
    pattern = re.compile(json_schema.DATE_PATTERN)
    for year in (1896, 1900, 1999, 2000, 2023, 2024, 2025, 2026, 2028, 2100, 2104):
        for month in range(1, 13):
            for day in range(1, 33):
                try:
                    dt.date(year, month, day)
                    exists = True
                except ValueError:
                    exists = False
                for text in (f"{year}-{month:02d}-{day:02d}", f"{year}-{month}-{day}"):
                    assert bool(pattern.fullmatch(text)) == exists, text


def test_the_editor_schema_rejects_an_impossible_date():
    import jsonschema

    record = json.loads(json_schema.schema_texts()["record.json"])
    good = {
        "type": "支部委员会",
        "date": "2024-02-29",
        "place": "p",
        "host": "h",
        "recorder": "r",
        "topics": ["t"],
        "attendees": ["h"],
    }
    validator = jsonschema.Draft202012Validator(record)
    assert [e.message for e in validator.iter_errors(good)] == []
    for bad in ("2026-02-30", "2025-02-29", "2100-02-29", "2026-04-31", "2026-13-01"):
        errors = list(validator.iter_errors({**good, "date": bad}))
        assert errors and errors[0].path[-1] == "date", bad
