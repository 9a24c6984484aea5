"""zhibu member import: member-system exports (.xlsx, GBK CSV) into members.yaml, personal data never copied."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from conftest import git

from zhibu.format.load import load_branch
from zhibu.write.roster_import import normalise_header, normalise_name, parse_date

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
        [
            "序号",
            "姓名",
            "性别",
            "公民身份号码",
            "人员类别",
            "入党时间",
            "转正时间",
            "所在党小组",
            "联系电话",
            "家庭住址",
            "学历",
            "转入时间",
        ],
        [
            1,
            "王建国",
            "男",
            ID_A,
            "正式党员",
            dt.datetime(1998, 6, 20),
            dt.datetime(1999, 6, 20),
            "第一党小组",
            PHONE_A,
            "朝阳区幸福路1号",
            "博士",
            dt.datetime(2012, 9, 1),
        ],
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
    assert (new.status, new.admitted, new.joined, new.group) == (
        "预备党员",
        dt.date(2026, 5, 20),
        dt.date(2026, 5, 20),
        "第二党小组",
    )
    # full_since went where format.md puts it, after admitted.
    sun = text[text.index("name: 孙悦") :]
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
    assert (zhou.admitted, zhou.full_since, zhou.joined, zhou.gender) == (
        dt.date(2011, 6, 1),
        dt.date(2012, 6, 1),
        dt.date(2016, 9, 1),
        "女",
    )
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
    source.write_text(
        f"姓名,人员类别,入党时间,转正时间,党小组,转入时间\n{ID_A},正式党员,1998-06-20,1999-06-20,第一党小组,2012-09-01\n",
        encoding="utf-8",
    )
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
    source.write_text(
        "姓名,人员类别,入党时间,党小组,转入时间\n何欣,入党积极分子,2026-05-20,第二党小组,2026-05-20\n", encoding="utf-8"
    )
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
    source.write_text(
        "姓名,人员类别,入党时间,转正时间,党小组,转入时间\n王建国,正式党员,1998-06-20,1999-06-20,第一党小组,2012-09-01\n",
        encoding="utf-8",
    )
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
    source.write_text(
        "姓名,人员类别,入党时间,党小组,转入时间\n何欣,预备党员,2026-05-20,第三党小组,2026-05-20\n", encoding="utf-8"
    )
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


def date_shapes(day: dt.date, index: int):
    """The same date as exports write it: a date cell, text with slashes, 年月日, an Excel serial."""
    shapes = (
        dt.datetime(day.year, day.month, day.day),
        f"{day.year}/{day.month}/{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        (day - dt.date(1899, 12, 30)).days,
        day.isoformat(),
    )
    return shapes[index % len(shapes)]


def national_xlsx(path, members, new_rows):
    """Like the national member system's export: a merged title, 序号, ID and phone columns,
    政治面貌, a two-row header (入党情况 over 入党日期 / 转正日期), no 党小组, a 合计 row."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "党员基本信息"
    sheet.append(["中共示例大学计算机学院教工第一支部委员会 党员信息一览表"])
    sheet.merge_cells("A1:I1")
    sheet.append(["序号", "姓 名", "性别", "公民身份号码", "政治面貌", "入党情况", None, "联系电话", "加入本支部日期"])
    sheet.append([None, None, None, None, None, "入党日期(2019/10/24)", "转正日期（2019/10/24）", None, None])
    for column in "ABCDEHI":
        sheet.merge_cells(f"{column}2:{column}3")
    sheet.merge_cells("F2:G2")
    rows = []
    for i, m in enumerate(members):
        politics = "中共预备党员" if m.status == "预备党员" else "中共党员"
        rows.append(
            [
                m.name,
                m.gender,
                ID_A if i % 2 else ID_B,
                politics,
                date_shapes(m.admitted, i),
                date_shapes(m.full_since, i + 1) if m.full_since else None,
                PHONE_A,
                date_shapes(m.joined, i + 2),
            ]
        )
    rows += new_rows
    for number, row in enumerate(rows, 1):
        sheet.append([number, *row])
    sheet.append(["合计", f"{len(rows)}人"])
    book.save(path)
    return path


def current_members(root):
    return [m for m in load_branch(root).branch.members_on(dt.date.today())]


def assert_untouched(before: str, after: str, *, changed: dict[str, set[str]] | None = None):
    """Every member of ``before`` has the same lines in ``after``, except lines of the fields
    ``changed`` names (and lines those fields gained)."""
    changed = changed or {}
    old, new = member_blocks(before), member_blocks(after)
    assert list(new)[: len(old)] == list(old)  # same order; new members only after them
    preamble = before[: before.index("  - ")]
    assert after.startswith(preamble)
    for name, lines in old.items():
        keys = changed.get(name, set())
        kept = [line for line in new[name] if line.split(":", 1)[0].strip() not in keys]
        assert kept == [line for line in lines if line.split(":", 1)[0].strip() not in keys], name


def test_national_system_xlsx_into_the_demo(demo_branch, run, repo):
    root = demo_branch
    before = (root / "members.yaml").read_text(encoding="utf-8")
    listed_before = run("member", "list", "--on", "2025-07-01", "-C", root).stdout
    checked_before = run("check", "--as-of", "2025-12-31", "-C", root).stdout
    commits = repo(root).count()
    new_rows = [
        ["何　欣", "女", ID_A, "中共预备党员", "2026年5月20日", None, PHONE_B, None],
        ["钱明", "男", ID_B, "中共党员", dt.datetime(2001, 7, 1), 37438, PHONE_A, None],
    ]
    source = national_xlsx(root.parent / "党员信息导出.xlsx", current_members(root), new_rows)

    result = run("member", "import", source, "--joined", "2026-07-01", "--group", "第二党小组", "-y", "-C", root)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "入党日期→入党时间、转正日期→转正时间" in out and "政治面貌→党员身份" in out
    assert "加入本支部日期→转入本支部时间" not in out  # not a header zhibu knows: listed as ignored instead
    assert "公民身份号码、联系电话" in out and "未读取其内容" in out
    assert "跳过的行：第 17 行（合计行）" in out
    assert "新增 2 人，修改 0 人" in out
    assert "转入本支部时间 2026-07-01（--joined）" in out and "党小组 第二党小组（--group）" in out
    after = (root / "members.yaml").read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # the new members are appended; nothing above moves
    assert_untouched(before, after)
    members = {m.name: m for m in load_branch(root).branch.members}
    he, qian = members["何欣"], members["钱明"]
    assert (he.status, he.admitted, he.full_since, he.joined, he.group) == (
        "预备党员",
        dt.date(2026, 5, 20),
        None,
        dt.date(2026, 7, 1),
        "第二党小组",
    )
    assert (qian.status, qian.admitted, qian.full_since) == ("正式党员", dt.date(2001, 7, 1), dt.date(2002, 7, 1))
    assert repo(root).count() == commits + 1 and repo(root).changed() == ["members.yaml"]
    assert run("member", "list", "--on", "2025-07-01", "-C", root).stdout == listed_before
    assert run("check", "--as-of", "2025-12-31", "-C", root).stdout == checked_before
    for secret in SECRETS:
        assert secret not in everything_written(root, result)

    # The same file again: nothing to do, and --joined does not reach the members it added last time.
    again = run("member", "import", source, "--joined", "2027-01-01", "--group", "第一党小组", "-y", "-C", root)
    assert again.exit_code == 0, again.stderr
    assert "没有需要写入的改动" in again.stdout
    assert (root / "members.yaml").read_text(encoding="utf-8") == after


def test_gbk_csv_with_hinted_headers_changes_only_what_it_carries(demo_branch, run):
    """A GBK CSV with 预/正, hints in the headers and a 总计 row: 孙悦's 转正 is the only change,
    and it touches her status and full_since lines alone."""
    root = demo_branch
    before = (root / "members.yaml").read_text(encoding="utf-8")
    lines = ["序号,姓名,公民身份号码,预/正,入党时间(2019/10/24),加入党组织日期（2019/10/24）,转正时间(2019/10/24),手机号码"]
    for i, m in enumerate(current_members(root)):
        full = "2026年10月12日" if m.name == "孙悦" else (f"{m.full_since:%Y/%m/%d}" if m.full_since else "")
        status = "正" if m.status == "正式党员" or m.name == "孙悦" else "预"
        admitted = (
            str((m.admitted - dt.date(1899, 12, 30)).days)
            if i % 2
            else f"{m.admitted.year}年{m.admitted.month}月{m.admitted.day}日"
        )
        lines.append(f"{i + 1},{m.name},{ID_A},{status},{admitted},,{full},{PHONE_A}")
    lines.append("总计,11人,,,,,,")
    source = root.parent / "党员名单.csv"
    source.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))

    result = run("member", "import", source, "-y", "-C", root)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "GBK/GB18030 编码的 CSV" in out
    assert "预/正→党员身份、入党时间→入党时间" in out and "转正时间→转正时间" in out
    assert "“加入党组织日期”与“入党时间”对应同一字段，读取“入党时间”" in out
    assert "第 13 行（合计行）" in out
    assert "新增 0 人，修改 1 人" in out
    after = (root / "members.yaml").read_text(encoding="utf-8")
    assert_untouched(before, after, changed={"孙悦": {"status", "full_since"}})
    sun_before, sun_after = member_blocks(before)["孙悦"], member_blocks(after)["孙悦"]
    assert sun_after == [
        *sun_before[:2],
        "    status: 正式党员",
        sun_before[3],
        "    full_since: 2026-10-12",
        *sun_before[4:],
    ]
    for secret in SECRETS:
        assert secret not in everything_written(root, result)


def test_every_problem_of_the_file_is_listed_at_once(demo_branch, run, repo):
    root = demo_branch
    before = (root / "members.yaml").read_bytes()
    commits = repo(root).count()
    source = root.parent / "名册.csv"
    source.write_text(
        "姓名,性别,人员类别,入党时间,转正时间,党小组\n"
        "王建国,男性,正式党员,1998-06-20,1999-06-20,第一党小组\n"
        "何欣,未知,积极分子,2026-05,,第三党小组\n"
        "钱明,男,正式党员,2001-07-01,2002-07-01,\n"
        ",男,正式党员,2001-07-01,2002-07-01,第一党小组\n"
        "林静,女,预备党员,2014-06-20,2015-06-20,第二党小组\n",
        encoding="utf-8",
    )
    result = run("member", "import", source, "-C", root)
    assert result.exit_code == 2
    err = result.stderr
    expected = [
        "第 3 行 何欣 的性别“未知”不是男 或 女",
        "第 3 行 何欣 的人员类别“积极分子”不是党员身份（正式党员 或 预备党员）",
        "第 3 行 何欣 的入党时间“2026-05”不是完整日期",
        "第 3 行 何欣 的党小组“第三党小组”不在 zhibu.yaml 的 groups 中：第一党小组、第二党小组",
        "第 3 行 何欣 是新党员，缺少转入本支部时间（表中没有时用 --joined 指定）",
        "第 4 行 钱明 是新党员，缺少转入本支部时间（表中没有时用 --joined 指定）、党小组（表中没有时用 --group 指定）",
        "第 5 行没有姓名",
        "第 6 行 林静 是预备党员，却有转正时间 2015-06-20",
    ]
    positions = [err.index(line) for line in expected]
    assert positions == sorted(positions)
    assert "名册.csv 有 8 处无法导入，没有写入任何内容" in err
    assert "--joined 日期、--group 党小组" in err and "development.yaml" in err
    assert (root / "members.yaml").read_bytes() == before and repo(root).count() == commits


def test_a_new_member_without_a_group_column_takes_the_group_option(git_branch, run, tmp_path):
    root = git_branch()
    source = tmp_path / "名册.csv"
    source.write_text("姓名,人员类别,入党时间,转入时间\n何欣,预备党员,2026-05-20,2026-05-20\n", encoding="utf-8")
    result = run("member", "import", source, "-C", root)
    assert result.exit_code == 2
    assert "缺少党小组（表中没有时用 --group 指定）" in result.stderr and "--group 党小组" in result.stderr
    wrong = run("member", "import", source, "--group", "第三党小组", "-C", root)
    assert wrong.exit_code == 2 and "--group 指定的党小组“第三党小组”不在 zhibu.yaml 的 groups 中" in wrong.stderr
    result = run("member", "import", source, "--group", "第二党小组", "-y", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert load_branch(root).branch.member("何欣").group == "第二党小组"
    assert load_branch(root).branch.member("王建国").group == "第一党小组"


def test_value_mappings_in_the_mapping_file(git_branch, run, tmp_path):
    root = git_branch()
    source = tmp_path / "名册.csv"
    source.write_text(
        "姓名,党籍状态,人员类别,入党时间,转正时间,小组,转入时间\n"
        "何欣,正常,在册预备,2026-05-20,,二组,2026-05-20\n"
        "钱明,正常,发展对象,,,一组,\n",
        encoding="utf-8",
    )
    without = run("member", "import", source, "-C", root)
    assert without.exit_code == 2
    assert "“党籍状态”与“人员类别”对应同一字段" in without.stdout
    assert "人员类别“在册预备”不是党员身份" in without.stderr and "values" in without.stderr
    mapping = tmp_path / "对照表.yaml"
    mapping.write_text(
        "columns:\n  党籍状态: ignore\n  小组: group\nvalues:\n  status:\n    在册预备: 预备党员\n    发展对象: skip\n"
        "  group:\n    一组: 第一党小组\n    二组: 第二党小组\n",
        encoding="utf-8",
    )
    result = run("member", "import", source, "--mapping", mapping, "-y", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "第 3 行（人员类别为“发展对象”，按对照表跳过）" in result.stdout
    he = load_branch(root).branch.member("何欣")
    assert (he.status, he.group) == ("预备党员", "第二党小组")
    assert load_branch(root).branch.member("钱明") is None
    bad = tmp_path / "错.yaml"
    bad.write_text("values:\n  status:\n    在册: 党员\n", encoding="utf-8")
    result = run("member", "import", source, "--mapping", bad, "-C", root)
    assert result.exit_code == 2 and "错.yaml 第 3 行" in result.stderr and "不是党员身份的取值" in result.stderr


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("入党时间(2019/10/24)", "入党时间"),
        ("加入党组织日期（2019/10/24）", "加入党组织日期"),
        ("姓 名", "姓名"),
        ("姓名*", "姓名"),
        ("姓名（必填）", "姓名"),
        ("性别\n[男/女]", "性别"),
        ("【必填】党小组", "党小组"),
        ("预/正", "预/正"),
        ("党员身份：", "党员身份"),
    ],
)
def test_normalise_header(raw, expected):
    assert normalise_header(raw) == expected


# --- the import template -------------------------------------------------------------------------


def test_xlsx_template_has_the_columns_lists_and_explanations(git_branch, run, tmp_path):
    import openpyxl

    root = git_branch()
    path = tmp_path / "名册导入模板.xlsx"
    result = run("member", "template", "-o", path, "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "党小组的下拉列表：第一党小组、第二党小组" in result.stdout
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["党员名册", "选项", "填写说明"]
    assert book.active.title == "党员名册" and book["选项"].sheet_state == "hidden"
    sheet = book["党员名册"]
    headers = [c.value for c in sheet[1]]
    assert headers == ["姓名", "性别", "党员身份", "入党时间", "转正时间", "转入本支部时间", "党小组"]
    example = [c.value for c in sheet[2]]
    assert example[0].startswith("（示例）") and example[2] == "正式党员"
    assert example[3] == dt.datetime(2015, 6, 20) and sheet["D2"].number_format == "yyyy-mm-dd"
    options = book["选项"]

    def listed(rule) -> list[str]:
        sheet_name, cells = rule.formula1.split("!")
        assert sheet_name == "'选项'"
        first, last = cells.replace("$", "").split(":")
        return [c.value for row in options[first:last] for c in row]

    lists = {str(rule.sqref): listed(rule) for rule in sheet.data_validations.dataValidation if rule.type == "list"}
    assert lists == {"B2:B501": ["男", "女"], "C2:C501": ["正式党员", "预备党员"], "G2:G501": ["第一党小组", "第二党小组"]}
    assert all(rule.showErrorMessage for rule in sheet.data_validations.dataValidation if rule.type == "list")
    guide = book["填写说明"]
    explained = {row[0]: row[1:] for row in guide.iter_rows(min_row=2, values_only=True) if row[0] in headers}
    assert set(explained) == set(headers)
    assert explained["转正时间"][0] == "正式党员必填" and "--joined" in explained["转入本支部时间"][1]
    assert explained["党小组"][2] == "第一党小组、第二党小组"
    notes = "\n".join(str(row[0]) for row in guide.iter_rows(values_only=True) if row[0])
    assert "身份证号" in notes and "（示例）" in notes
    # The same branch gives the same bytes.
    again = tmp_path / "again.xlsx"
    assert run("member", "template", "-o", again, "-C", root).exit_code == 0
    assert again.read_bytes() == path.read_bytes()


def test_the_template_imports_back(git_branch, run, tmp_path):
    import openpyxl

    root = git_branch()
    path = tmp_path / "名册导入模板.xlsx"
    assert run("member", "template", "-o", path, "-C", root).exit_code == 0
    untouched = run("member", "import", path, "-C", root)
    assert untouched.exit_code == 0, untouched.stderr
    assert "跳过的行：第 2 行（示例行）" in untouched.stdout and "没有需要写入的改动" in untouched.stdout
    book = openpyxl.load_workbook(path)
    sheet = book["党员名册"]
    sheet.append(["何欣", "女", "预备党员", dt.datetime(2026, 5, 20), None, "2026/5/20", "第二党小组"])
    sheet.append(["钱明", "男", "正式党员", "2001年7月1日", "2002-07-01", dt.datetime(2020, 9, 1), "第一党小组"])
    sheet.append(["王建国", None, None, None, None, None, "第二党小组"])
    book.active = book.sheetnames.index("填写说明")  # saved while reading the explanations
    book.save(path)
    result = run("member", "import", path, "-y", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "工作表“党员名册”" in result.stdout and "新增 2 人，修改 1 人" in result.stdout
    members = {m.name: m for m in load_branch(root).branch.members}
    assert (members["何欣"].status, members["何欣"].joined) == ("预备党员", dt.date(2026, 5, 20))
    assert members["钱明"].admitted == dt.date(2001, 7, 1) and members["王建国"].group == "第二党小组"
    assert members["王建国"].joined == dt.date(2012, 9, 1)
    assert not any(name.startswith("（示例）") for name in members)


def test_csv_template_is_utf8_with_bom_and_imports_back(git_branch, run, tmp_path):
    root = git_branch()
    path = tmp_path / "模板.csv"
    result = run("member", "template", "--csv", "-o", path, "-C", root)
    assert result.exit_code == 0, result.stderr
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].decode("utf-8").split("\r\n")
    assert lines[0] == "姓名,性别,党员身份,入党时间,转正时间,转入本支部时间,党小组"
    assert lines[1] == "（示例）张明,男,正式党员,2015-06-20,2016-06-20,2020-09-01,第一党小组"
    path.write_bytes(raw + "何欣,女,预备党员,2026-05-20,,2026-05-20,第二党小组\r\n".encode())
    result = run("member", "import", path, "-y", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert "UTF-8（带 BOM）" in result.stdout and "新增 1 人，修改 0 人" in result.stdout
    # -o x.csv alone writes CSV too; a wrong suffix is a clear error.
    assert run("member", "template", "-o", tmp_path / "x.csv", "-C", root).exit_code == 0
    assert (tmp_path / "x.csv").read_bytes() == raw
    wrong = run("member", "template", "-o", tmp_path / "x.docx", "-C", root)
    assert wrong.exit_code == 2 and ".xlsx 或 .csv" in wrong.stderr


def test_template_outside_a_branch_has_no_group_list(run, tmp_path):
    import openpyxl

    result = run("member", "template", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(tmp_path / "名册导入模板.xlsx")["党员名册"]
    ranges = {str(rule.sqref) for rule in sheet.data_validations.dataValidation if rule.type == "list"}
    assert ranges == {"B2:B501", "C2:C501"}
    missing = run("member", "template", "-C", tmp_path / "没有这个支部", cwd=tmp_path)
    assert missing.exit_code == 2 and "zhibu.yaml" in missing.stderr


def test_the_mapping_example_in_the_manual_reads(tmp_path):
    from conftest import REPO_ROOT

    from zhibu.write.roster_import import read_mapping

    manual = (REPO_ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    section = manual[manual.index("### 对照表") :]
    example = section[section.index("```yaml\n") + 8 : section.index("```\n", section.index("```yaml\n") + 8)]
    path = tmp_path / "对照表.yaml"
    path.write_text(example, encoding="utf-8")
    mapping = read_mapping(path)
    assert mapping.columns["党员名"] == "name" and mapping.columns["党籍状态"] == "ignore"
    assert mapping.values["status"] == {"在册预备": "预备党员", "发展对象": "skip"}
    assert mapping.values["group"]["一组"] == "第一党小组"


def test_two_row_headers_in_either_shape_and_footer_rows(git_branch, run, tmp_path):
    """Group headings over bare sub-headings (入党情况 → 日期), the name in the second header row,
    and the rows under the table (总计, 制表人) that are no members."""
    import openpyxl

    root = git_branch()
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["党员花名册"])
    sheet.append(["基本情况", None, None, "人员类别", "入党情况", None, "转正情况", "转入情况"])
    sheet.append(["序号", "姓名", "性别", None, "日期", "介绍人", "日期", "时间"])
    sheet.merge_cells("A2:C2")
    sheet.merge_cells("D2:D3")
    sheet.merge_cells("E2:F2")
    sheet.append([1, "王建国", "男", "正式党员", "1998-06-20", "某某", "1999-06-20", "2012-09-01"])
    sheet.append([2, "何欣", "女", "预备党员", "2026-05-20", "某某", None, "2026-05-20"])
    sheet.append(["总计：", "2人"])
    sheet.append([None, "制表人：李晓梅", None, None, "制表日期：2026-06-01"])
    path = tmp_path / "花名册.xlsx"
    book.save(path)
    result = run("member", "import", path, "--group", "第二党小组", "-y", "-C", root)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "人员类别→党员身份、入党日期→入党时间" in out and "转正日期→转正时间、转入时间→转入本支部时间" in out
    assert "介绍人" in out  # listed among the ignored columns
    assert "跳过的行：第 6 行（合计行）、第 7 行（说明行）" in out
    assert "新增 1 人，修改 1 人" in out and "性别（gender）" in out
    he = load_branch(root).branch.member("何欣")
    assert (he.status, he.admitted, he.joined, he.group) == ("预备党员", dt.date(2026, 5, 20), dt.date(2026, 5, 20), "第二党小组")


CHANGES = {
    "gender": ("性别", lambda m: {"男": "女", "女": "男"}[m.gender]),
    "admitted": ("入党日期", lambda m: m.admitted - dt.timedelta(days=1)),
    "full_since": ("转正日期", lambda m: m.full_since + dt.timedelta(days=1) if m.full_since else None),
    "joined": ("转入日期", lambda m: m.joined - dt.timedelta(days=1)),
    "group": ("所在党小组", lambda m: {"第一党小组": "第二党小组", "第二党小组": "第一党小组"}[m.group]),
}


@pytest.mark.parametrize("carried", [("gender",), ("admitted",), ("full_since",), ("joined",), ("group",), ("joined", "group")])
def test_an_import_changes_only_the_columns_it_carries(demo_branch, run, carried):
    """Every second member changed in the carried columns: their lines of those fields change,
    and no other line of any member does."""
    root = demo_branch
    before = (root / "members.yaml").read_text(encoding="utf-8")
    members = current_members(root)
    lines = [",".join(["姓名", *(CHANGES[f][0] for f in carried)])]
    changed = {}
    for i, m in enumerate(members):
        values = [CHANGES[f][1](m) if i % 2 else getattr(m, f) for f in carried]
        lines.append(",".join([m.name, *("" if v is None else str(v) for v in values)]))
        if i % 2 and any(v is not None for v in values):
            changed[m.name] = set(carried)
    source = root.parent / "部分列.csv"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("member", "import", source, "-y", "-C", root)
    assert result.exit_code == 0, result.stderr
    assert f"新增 0 人，修改 {len(changed)} 人" in result.stdout
    after = (root / "members.yaml").read_text(encoding="utf-8")
    assert_untouched(before, after, changed=changed)
    now = {m.name: m for m in load_branch(root).branch.members}
    for i, m in enumerate(members):
        for f in carried:
            expected = CHANGES[f][1](m) if i % 2 else getattr(m, f)
            assert getattr(now[m.name], f) == (expected if expected is not None else getattr(m, f)), (m.name, f)
