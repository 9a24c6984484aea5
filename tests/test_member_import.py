"""zhibu member import: member-system exports (.xlsx, GBK CSV) into members.yaml, personal data never copied."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import git
from zhibu.load import load_branch
from zhibu.roster_import import normalise_name, parse_date

ID_A = "110101196501011234"
ID_B = "11010119990101123X"
PHONE_A = "13812345678"
PHONE_B = "13912345678"
SECRETS = (ID_A, ID_B, PHONE_A, PHONE_B, "朝阳区幸福路1号")


def make_xlsx(path, rows):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "党员信息"
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def export_rows():
    """A typical member-system export: a title row, Chinese headers, personal data, date cells."""
    return [
        ["计算机学院教工第一党支部党员信息（导出）"],
        ["序号", "姓名", "性别", "公民身份号码", "人员类别", "入党时间", "转正时间", "所在党小组", "联系电话", "家庭住址", "学历", "转入时间"],
        [1, "王建国", "男", ID_A, "正式党员", dt.datetime(1998, 6, 20), dt.datetime(1999, 6, 20), "第一党小组", PHONE_A, "朝阳区幸福路1号", "博士", dt.datetime(2012, 9, 1)],
        [2, "孙　悦", "女", ID_B, "正式党员", "2025/10/12", "2026年10月12日", "第一党小组", PHONE_B, None, "硕士", "2025.10.12"],
        [3, "何欣", "女", None, "预备党员", "2026-05-20", None, "第二党小组", None, None, "本科", 46162],
    ]


def everything_written(root, result) -> str:
    """Every place a value could leak to: the roster, the output, the commit and its message."""
    return "\n".join(
        [
            (root / "members.yaml").read_text(encoding="utf-8"),
            result.stdout,
            result.stderr,
            git(root, "log", "-p", "--format=%B", "-1"),
        ]
    )


def test_xlsx_with_chinese_headers_adds_updates_and_never_copies_personal_data(git_branch, run, repo, tmp_path):
    root = git_branch()
    commits = repo(root).count()
    source = make_xlsx(tmp_path / "党员信息导出.xlsx", export_rows())
    result = run("member", "import", source, "-C", root)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "公民身份号码、联系电话、家庭住址" in out and "未读取其内容" in out
    assert "序号、学历" in out
    assert "新增" in out and "何欣" in out and "修改" in out and "转正时间（full_since）" in out
    assert "名册中有、表中没有（未删除）：李晓梅、陈志强、刘芳、赵磊" in out
    # One commit, members.yaml only, comments kept, nobody deleted.
    assert repo(root).count() == commits + 1
    assert repo(root).changed() == ["members.yaml"]
    assert repo(root).message() == "名册 导入 党员信息导出.xlsx：新增 1 人，修改 2 人"
    text = (root / "members.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 党员名册（测试用）\n")
    loaded = load_branch(root)
    assert [f for f in loaded.findings if f.path == "members.yaml"] == []
    members = {m.name: m for m in loaded.branch.members}
    assert set(members) == {"王建国", "李晓梅", "陈志强", "刘芳", "赵磊", "孙悦", "何欣"}
    assert members["孙悦"].status == "正式党员" and members["孙悦"].full_since == dt.date(2026, 10, 12)
    assert members["王建国"].gender == "男"
    new = members["何欣"]
    assert (new.status, new.admitted, new.joined, new.group) == ("预备党员", dt.date(2026, 5, 20), dt.date(2026, 5, 20), "第二党小组")
    # full_since went where format.md puts it, after admitted.
    sun = text[text.index("name: 孙悦"):]
    assert sun.index("admitted:") < sun.index("full_since:") < sun.index("joined:")
    for secret in SECRETS:
        assert secret not in everything_written(root, result)


GBK_CSV = (
    "姓名,性别,党员状态,入党日期,转正日期,党小组,转入日期,手机号码,身份证号\r\n"
    "王建国,男,正式党员,1998-06-20,1999-06-20,第一党小组,2012-09-01,13812345678,110101196501011234\r\n"
    "周敏,女,正式党员,2011年6月1日,2012年6月1日,第二党小组,2016/9/1,13912345678,11010119990101123X\r\n"
)


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_and_utf8_is_detected(git_branch, run, tmp_path, encoding):
    root = git_branch()
    source = tmp_path / "名册.csv"
    source.write_bytes(GBK_CSV.encode(encoding))
    result = run("member", "import", source, "-C", root)
    assert result.exit_code == 0, result.stderr
    expected = {"gbk": "GBK/GB18030", "gb18030": "GBK/GB18030", "utf-8-sig": "UTF-8（带 BOM）", "utf-8": "UTF-8"}[encoding]
    assert f"{expected} 编码的 CSV" in result.stdout
    zhou = load_branch(root).branch.member("周敏")
    assert (zhou.admitted, zhou.full_since, zhou.joined, zhou.gender) == (dt.date(2011, 6, 1), dt.date(2012, 6, 1), dt.date(2016, 9, 1), "女")
    for secret in SECRETS:
        assert secret not in everything_written(root, result)


def test_tab_separated_utf16_from_excel(git_branch, run, tmp_path):
    root = git_branch()
    source = tmp_path / "名册.txt"
    source.write_bytes(GBK_CSV.replace(",", "\t").encode("utf-16"))
    result = run("member", "import", source, "-C", root)
    assert result.exit_code == 0, result.stderr
    assert load_branch(root).branch.member("周敏") is not None


def test_mapping_file_overrides_the_headers(git_branch, run, repo, tmp_path):
    root = git_branch()
    source = tmp_path / "名册.csv"
    source.write_text(
        "党员名,类别,加入党组织时间,转为正式党员时间,小组,入本支部时间,备注\n"
        "周敏,正式,2011-06-01,2012-06-01,第二党小组,2016-09-01,调入\n",
        encoding="utf-8",
    )
    without = run("member", "import", source, "-C", root)
    assert without.exit_code == 2 and "“姓名”列" in without.stderr
    mapping = tmp_path / "对照表.yaml"
    mapping.write_text(
        "# 本院导出表的列名\n党员名: name\n类别: status\n加入党组织时间: admitted\n转为正式党员时间: full_since\n"
        "小组: group\n入本支部时间: joined\n备注: ignore\n",
        encoding="utf-8",
    )
    result = run("member", "import", source, "--mapping", mapping, "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "类别→党员身份" in result.stdout
    assert load_branch(root).branch.member("周敏").status == "正式党员"
    assert "已忽略的其他列（名册格式中没有对应字段）：备注" in result.stdout


def test_mapping_cannot_import_a_personal_data_column(git_branch, run, tmp_path):
    root = git_branch()
    source = tmp_path / "名册.csv"
    source.write_text(GBK_CSV, encoding="utf-8")
    mapping = tmp_path / "对照表.yaml"
    mapping.write_text("身份证号: name\n", encoding="utf-8")
    result = run("member", "import", source, "--mapping", mapping, "-C", root)
    assert result.exit_code == 2
    assert "个人信息" in result.stderr and "对照表.yaml 第 1 行" in result.stderr
    bad_field = tmp_path / "错.yaml"
    bad_field.write_text("类别: 身份\n", encoding="utf-8")
    result = run("member", "import", source, "--mapping", bad_field, "-C", root)
    assert result.exit_code == 2 and "字段“身份”无效" in result.stderr


def test_an_id_number_in_a_mapped_column_is_refused_without_showing_it(git_branch, run, repo, tmp_path):
    root = git_branch()
    commits = repo(root).count()
    source = tmp_path / "名册.csv"
    source.write_text(f"姓名,人员类别,入党时间,转正时间,党小组,转入时间\n{ID_A},正式党员,1998-06-20,1999-06-20,第一党小组,2012-09-01\n", encoding="utf-8")
    result = run("member", "import", source, "-C", root)
    assert result.exit_code == 2
    assert "像身份证号或手机号" in result.stderr and "第 2 行" in result.stderr
    assert ID_A not in result.stdout + result.stderr
    assert repo(root).count() == commits


def test_unknown_status_is_a_clear_error_and_nothing_changes(git_branch, run, repo, tmp_path):
    root = git_branch()
    before = (root / "members.yaml").read_bytes()
    commits = repo(root).count()
    source = tmp_path / "名册.csv"
    source.write_text("姓名,人员类别,入党时间,党小组,转入时间\n何欣,入党积极分子,2026-05-20,第二党小组,2026-05-20\n", encoding="utf-8")
    result = run("member", "import", source, "-C", root)
    assert result.exit_code == 2
    assert "名册.csv 有 1 处无法导入" in result.stderr
    assert "第 2 行 何欣 的人员类别“入党积极分子”不是党员身份（正式党员 或 预备党员）" in result.stderr
    assert "development.yaml" in result.stderr
    assert "Traceback" not in result.stderr
    assert (root / "members.yaml").read_bytes() == before and repo(root).count() == commits


def test_dry_run_shows_the_changes_and_writes_nothing(git_branch, run, repo, tmp_path):
    root = git_branch()
    before = (root / "members.yaml").read_bytes()
    commits = repo(root).count()
    source = make_xlsx(tmp_path / "导出.xlsx", export_rows())
    result = run("member", "import", source, "--dry-run", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "操作" in result.stdout and "新增" in result.stdout and "（试运行，未写入任何文件）" in result.stdout
    assert (root / "members.yaml").read_bytes() == before and repo(root).count() == commits


def test_a_table_that_matches_the_roster_changes_nothing(git_branch, run, repo, tmp_path):
    root = git_branch()
    commits = repo(root).count()
    source = tmp_path / "名册.csv"
    source.write_text("姓名,人员类别,入党时间,转正时间,党小组,转入时间\n王建国,正式党员,1998-06-20,1999-06-20,第一党小组,2012-09-01\n", encoding="utf-8")
    result = run("member", "import", source, "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "没有需要写入的改动" in result.stdout
    assert repo(root).count() == commits


def test_new_member_without_joined_needs_the_option(git_branch, run, tmp_path):
    root = git_branch()
    source = tmp_path / "名册.csv"
    source.write_text("姓名,人员类别,入党时间,党小组\n何欣,预备党员,2026-05-20,第二党小组\n", encoding="utf-8")
    result = run("member", "import", source, "-C", root)
    assert result.exit_code == 2
    assert "何欣 是新党员，缺少转入本支部时间" in result.stderr and "--joined" in result.stderr
    result = run("member", "import", source, "--joined", "2026-06-01", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert load_branch(root).branch.member("何欣").joined == dt.date(2026, 6, 1)


def test_unknown_group_and_old_excel_are_clear_errors(git_branch, run, tmp_path):
    root = git_branch()
    source = tmp_path / "名册.csv"
    source.write_text("姓名,人员类别,入党时间,党小组,转入时间\n何欣,预备党员,2026-05-20,第三党小组,2026-05-20\n", encoding="utf-8")
    result = run("member", "import", source, "-C", root)
    assert result.exit_code == 2 and "党小组“第三党小组”不在 zhibu.yaml 的 groups 中" in result.stderr
    old = tmp_path / "名册.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    result = run("member", "import", old, "-C", root)
    assert result.exit_code == 2 and ".xlsx" in result.stderr
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"not a zip")
    result = run("member", "import", broken, "-C", root)
    assert result.exit_code == 2 and "坏.xlsx" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2001-06-18", dt.date(2001, 6, 18)),
        ("2001/6/18", dt.date(2001, 6, 18)),
        ("2001.06.18", dt.date(2001, 6, 18)),
        ("2001年6月18日", dt.date(2001, 6, 18)),
        (" 2001 年 6 月 18 日 ", dt.date(2001, 6, 18)),
        ("20010618", dt.date(2001, 6, 18)),
        ("2001-06-18 00:00:00", dt.date(2001, 6, 18)),
        (dt.datetime(2001, 6, 18, 0, 0), dt.date(2001, 6, 18)),
        (37060, dt.date(2001, 6, 18)),  # an Excel serial number
        ("2001-06", None),
        ("2001-02-30", None),
        ("不详", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


def test_normalise_name():
    assert normalise_name("孙　悦") == "孙悦"
    assert normalise_name(" 王 建 国 ") == "王建国"
    assert normalise_name("买买提 · 艾力") == "买买提·艾力"
    assert normalise_name("Anna  Lee") == "Anna Lee"


def test_the_member_table_may_be_on_another_sheet(git_branch, run, tmp_path):
    import openpyxl

    root = git_branch()
    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active.append(["本表由党员信息系统导出"])
    sheet = book.create_sheet("党员")
    for row in export_rows()[1:]:
        sheet.append(row)
    path = tmp_path / "两个工作表.xlsx"
    book.save(path)
    result = run("member", "import", path, "--dry-run", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "工作表“党员”" in result.stdout and "何欣" in result.stdout


# --- the demo branch: imports never touch what the file does not carry ----------------------------


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory):
    """`zhibu demo` built once; each test imports into its own copy."""
    from click.testing import CliRunner

    from zhibu.cli import cli

    target = tmp_path_factory.mktemp("demo") / "示例支部"
    result = CliRunner().invoke(cli, ["demo", str(target)])
    assert result.exit_code == 0, result.stderr
    return target


@pytest.fixture
def demo_branch(demo_template, tmp_path):
    import shutil

    root = tmp_path / "示例支部"
    shutil.copytree(demo_template, root, symlinks=True)
    git(root, "config", "user.name", "测试书记")
    git(root, "config", "user.email", "shuji@example.org")
    return root


def member_blocks(text: str) -> dict[str, list[str]]:
    """members.yaml split into each member's lines (name -> lines), as written."""
    blocks: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if line.startswith("  - "):
            current = re.search(r"name:\s*([^,}#]+)", line)[1].strip()
            blocks[current] = []
        if current is not None:
            blocks[current].append(line)
    return blocks


def test_joined_applies_only_to_new_members(demo_branch, run):
    """`--joined` is the date new members came in; the roster's other members keep theirs."""
    root = demo_branch
    before = (root / "members.yaml").read_text(encoding="utf-8")
    source = root.parent / "新党员.csv"
    source.write_text(
        "姓名,人员类别,入党时间,转正时间,党小组\n"
        "王建国,正式党员,1998-06-20,1999-06-20,第一党小组\n"
        "刘芳,正式党员,2009-11-20,2010-11-20,第一党小组\n"
        "何欣,预备党员,2026-05-20,,第二党小组\n",
        encoding="utf-8",
    )
    listed_before = run("member", "list", "--on", "2025-07-01", "-C", root).stdout
    result = run("member", "import", source, "--joined", "2026-07-01", "-y", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "新增 1 人，修改 0 人" in result.stdout
    after = (root / "members.yaml").read_text(encoding="utf-8")
    old, new = member_blocks(before), member_blocks(after)
    assert set(new) == set(old) | {"何欣"}
    for name, lines in old.items():
        assert new[name] == lines, name
    assert after.startswith(before.rstrip("\n"))
    assert load_branch(root).branch.member("何欣").joined == dt.date(2026, 7, 1)
    assert run("member", "list", "--on", "2025-07-01", "-C", root).stdout == listed_before
