"""`zhibu demo DIR`: the sample branch as a git repository with a believable history."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import SAMPLE, git

from zhibu.format.load import load_branch
from zhibu.store.yamlio import parse


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """One demo repository for the module (it takes a second or two to build)."""
    from click.testing import CliRunner

    from zhibu.cli import cli

    target = tmp_path_factory.mktemp("demo") / "示例支部"
    result = CliRunner().invoke(cli, ["demo", str(target)])
    assert result.exit_code == 0, result.stderr
    assert "示例支部" in result.stdout and "次提交" in result.stdout
    return target


def files_of(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts and "__pycache__" not in p.parts
    }


def test_work_tree_equals_the_sample_exactly(demo):
    # Exactly the sample, set up for editors as zhibu init sets a branch up: a modeline on top of
    # every format file, the JSON Schemas it points at, and the .gitignore for printed documents.
    from zhibu.format.json_schema import branch_schema_files, with_modeline
    from zhibu.store.files import GITIGNORE

    sample = {rel: with_modeline(rel, raw.decode("utf-8")).encode("utf-8") for rel, raw in files_of(SAMPLE).items()}
    expected = {**sample, **branch_schema_files(), ".gitignore": GITIGNORE.encode("utf-8")}
    assert files_of(demo) == expected
    assert files_of(demo)["members.yaml"].startswith(b"# yaml-language-server: $schema=.zhibu/schema/members.json\n")


def test_the_first_commit_says_once_what_it_does(demo):
    assert git(demo, "log", "--reverse", "--format=%s").splitlines()[0] == "建立支部工作台账"


def test_history_is_long_and_clean(demo):
    assert int(git(demo, "rev-list", "--count", "HEAD")) > 50
    assert git(demo, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(demo, "rev-parse", "--abbrev-ref", "HEAD") == "main"
    assert git(demo, "fsck", "--no-progress") == ""


def first_commits(root) -> dict[str, dt.datetime]:
    """Path -> author date of the commit that added it."""
    out = git(root, "-c", "core.quotepath=off", "log", "--reverse", "--diff-filter=A", "--name-only", "--format=@%aI")
    added: dict[str, dt.datetime] = {}
    when = None
    for line in out.splitlines():
        if line.startswith("@"):
            when = dt.datetime.fromisoformat(line[1:])
        elif line.strip():
            added.setdefault(line.strip(), when)
    return added


def test_each_record_is_committed_after_its_meeting(demo):
    added = first_commits(demo)
    records = sorted(p.relative_to(demo).as_posix() for p in (demo / "records").rglob("*.yaml"))
    assert len(records) > 60
    late = []
    for rel in records:
        meeting = parse((demo / rel).read_text(encoding="utf-8")).data["date"]
        committed = added[rel]
        assert committed.date() > meeting, rel
        if (committed.date() - meeting).days > 30:
            late.append(rel)
    assert late == ["records/2025/2025-08-29-主题党日.yaml"]  # the one recorded late on purpose


def test_history_replays_the_roster(demo):
    """The roster as first committed does not yet hold the members who joined during 2025."""
    first = git(demo, "rev-list", "--max-parents=0", "HEAD")
    roster = parse(git(demo, "show", f"{first}:members.yaml")).data
    names = {m["name"] for m in roster["members"]}
    assert "王建国" in names and "林静" not in names and "孙悦" not in names
    messages = git(demo, "log", "--format=%s").splitlines()
    assert any(m.startswith("记录 支部委员会 2025-03-06：") for m in messages)
    authors = set(git(demo, "log", "--format=%an").splitlines())
    assert len(authors) > 1


def test_demo_loads_clean_and_lists(demo):
    assert load_branch(demo).findings == []
    from click.testing import CliRunner

    from zhibu.cli import cli

    result = CliRunner().invoke(cli, ["-C", str(demo), "meeting", "list"])
    assert result.exit_code == 0
    assert f"共 {len(list((SAMPLE / 'records').rglob('*.yaml')))} 条记录" in result.stdout


def test_demo_refuses_a_non_empty_folder(run, tmp_path):
    target = tmp_path / "x"
    target.mkdir()
    (target / "笔记.txt").write_text("keep")
    result = run("demo", target)
    assert result.exit_code == 2
    assert "不是空目录" in result.stderr and "Traceback" not in result.stderr
    assert [p.name for p in target.iterdir()] == ["笔记.txt"]


def test_demo_into_an_existing_empty_folder(run, tmp_path):
    target = tmp_path / "empty"
    target.mkdir()
    result = run("demo", target)
    assert result.exit_code == 0, result.stderr
    assert (target / "zhibu.yaml").is_file()


def zhibu_log(demo, *args) -> list[str]:
    from click.testing import CliRunner

    from zhibu.cli import cli

    result = CliRunner().invoke(cli, ["-C", str(demo), "log", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize(
    "path, words",
    [
        ("committee.yaml", ["支委会 选举", "党小组组长 第一党小组：陈志强", "支委会 补选 赵磊 纪检委员"]),
        ("zhibu.yaml", ["新建 支部基本信息与设置（zhibu.yaml）"]),
        ("plans/2025.yaml", ["新建 年度计划（一表）（plans/2025.yaml）"]),
        ("talks/2025.yaml", ["谈心谈话登记 增加：日期 2025-01-16，谈话双方 王建国、刘芳"]),
        ("dues/2025.yaml", ["党费 增加：姓名 刘芳，所交月份 4、5、6"]),
        ("development.yaml", ["发展党员"]),
    ],
)
def test_log_covers_every_kind_of_file(demo, path, words):
    lines = zhibu_log(demo, path)
    text = "\n".join(lines)
    for word in words:
        assert word in text, (word, text[:2000])
    assert not any(line.count("支委会 选举") > 1 for line in lines)
    # an election is one line, not one per seat
    assert len([line for line in lines if "支委会 选举" in line]) == len(set(line for line in lines if "支委会 选举" in line))


def test_log_for_a_member_covers_the_committee_and_every_file(demo):
    text = "\n".join(zhibu_log(demo, "--member", "刘芳"))
    for word in ("支委会 选举", "支委会 离任 刘芳 纪检委员", "名册 新增 刘芳", "谈话双方 王建国、刘芳", "党费 增加：姓名 刘芳"):
        assert word in text, word
    leader = "\n".join(zhibu_log(demo, "--member", "陈志强"))
    assert "党小组组长 第一党小组：陈志强" in leader
