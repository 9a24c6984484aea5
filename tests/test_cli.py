"""Every command through CliRunner, in real git repositories: files, commits, refusals, messages."""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from pathlib import Path

import pytest
from conftest import DEFAULT_MEMBERS, GIT_EMAIL, GIT_USER, git, init_repo, record_text

from zhibu.format.load import load_branch
from zhibu.store.yamlio import parse

REC = "records/2026/2026-03-05-支部委员会.yaml"
TOPIC = "研究三月份主题党日活动方案"


@pytest.fixture
def branch(git_branch):
    return git_branch({})


@pytest.fixture
def with_record(git_branch):
    return git_branch(
        {REC: record_text(attendees="[王建国, 李晓梅]", place="学院党员活动室") + "absent:\n  - {name: 陈志强, reason: 出差}\n"}
    )


def assert_refused(result, root, head, *needles):
    """Exit 2, a Chinese message naming the problem, no traceback, the repository untouched."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.startswith("错误：") or "\n错误：" in result.stderr, result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert git(root, "rev-parse", "HEAD") == head


def data(root: Path, rel: str):
    return parse((root / rel).read_text(encoding="utf-8")).data


# --- init -----------------------------------------------------------------------------------------


NAME = "中共测试大学数学学院教工党支部委员会"
INIT = ["--name", NAME, "--parent", "中共测试大学数学学院委员会", "--category", "高校", "--group", "第一党小组"]


def test_init_creates_a_repository_with_one_commit(run, tmp_path, git_identity, repo):
    target = tmp_path / "新支部"
    result = run("init", target, *INIT)
    assert result.exit_code == 0, result.stderr
    assert (target / ".git").is_dir()
    for rel in ("zhibu.yaml", "members.yaml", "committee.yaml"):
        assert (target / rel).is_file()
    r = repo(target)
    assert r.count() == 1
    assert r.message() == f"新建支部 {NAME}"
    assert r.author() == (GIT_USER, GIT_EMAIL)
    # The records, and the JSON Schemas editors read (tests/test_json_schema.py).
    # and the .gitignore that keeps printed documents (文书/) out of git.
    assert sorted(p for p in r.changed() if not p.startswith(".zhibu/schema/")) == [
        ".gitignore",
        "committee.yaml",
        "members.yaml",
        "zhibu.yaml",
    ]
    assert (target / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "/文书/"
    assert ".zhibu/schema/record.json" in r.changed()
    assert r.status() == ""
    loaded = load_branch(target)
    assert loaded.findings == [] and loaded.config_ok
    assert loaded.branch.config.name == NAME
    assert loaded.branch.config.groups == ("第一党小组",)
    assert f"新建支部 {NAME}" in result.stdout


def test_init_with_c_before_the_command(run, tmp_path, git_identity, repo):
    (tmp_path / "outer").mkdir()
    result = run("-C", tmp_path / "outer", "init", "支部", *INIT, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "outer" / "支部" / "zhibu.yaml").is_file()
    assert not (tmp_path / "支部").exists()


def test_init_no_commit_makes_no_repository(run, tmp_path):
    target = tmp_path / "b"
    result = run("init", target, *INIT, "--no-commit")
    assert result.exit_code == 0, result.stderr
    assert (target / "zhibu.yaml").is_file()
    assert not (target / ".git").exists()


def test_init_refuses_an_existing_branch(run, branch, git_identity, repo):
    head = repo(branch).head()
    result = run("init", branch, *INIT)
    assert_refused(result, branch, head, "zhibu.yaml")


def test_init_rejects_an_unknown_category(run, tmp_path):
    result = run("init", tmp_path / "b", "--name", "x", "--parent", "y", "--category", "大学")
    assert result.exit_code == 2
    assert "大学" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "b" / "zhibu.yaml").exists()


def test_init_without_git_identity_leaves_nothing_behind(run, tmp_path, monkeypatch, git_identity):
    strict = tmp_path / "strict-gitconfig"
    strict.write_text("[user]\n\tuseConfigOnly = true\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(strict))
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var)
    target = tmp_path / "b"
    result = run("init", target, *INIT)
    assert result.exit_code == 2
    assert "提交人" in result.stderr and "git config" in result.stderr
    assert not (target / "zhibu.yaml").exists() and not (target / ".git").exists()
    # once git knows who commits, the same command works
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "none"))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", GIT_USER)
        monkeypatch.setenv(f"GIT_{role}_EMAIL", GIT_EMAIL)
    assert run("init", target, *INIT).exit_code == 0


def test_branch_inside_a_bigger_repository(run, tmp_path, repo):
    """Higher committees may keep several branches in one repository."""
    top = tmp_path / "院系"
    top.mkdir()
    init_repo(top)
    (top / "README").write_text("x")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "top")
    result = run("init", top / "教工支部", *INIT)
    assert result.exit_code == 0, result.stderr
    assert not (top / "教工支部" / ".git").exists()
    result = run(
        "-C",
        top / "教工支部",
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
    )
    assert result.exit_code == 0, result.stderr
    r = repo(top)
    assert r.count() == 3
    assert r.changed() == ["教工支部/members.yaml"]
    assert r.status() == ""  # no lock file or anything else left in the branch folder


# --- one commit per write, --no-commit, --dry-run -------------------------------------------------


MEETING_ADD = [
    "meeting",
    "add",
    "--type",
    "支部委员会",
    "--date",
    "2026-03-05",
    "--place",
    "学院党员活动室",
    "--recorder",
    "李晓梅",
    "--absent",
    "陈志强:出差",
    "--topic",
    TOPIC,
]

WRITES = {
    "member-add": (
        [
            "member",
            "add",
            "林静",
            "--status",
            "正式党员",
            "--admitted",
            "2014-06-20",
            "--full-since",
            "2015-06-20",
            "--joined",
            "2026-03-01",
            "--group",
            "第二党小组",
            "--gender",
            "女",
        ],
        "名册 新增 林静（正式党员）",
        ["members.yaml"],
    ),
    "member-edit": (
        ["member", "edit", "孙悦", "--status", "正式党员", "--full-since", "2026-10-12"],
        "名册 修改 孙悦：党员身份、转正日期",
        ["members.yaml"],
    ),
    "member-leave": (
        ["member", "leave", "刘芳", "--date", "2026-04-01", "--reason", "组织关系转出"],
        "名册 转出 刘芳 2026-04-01：组织关系转出",
        ["members.yaml"],
    ),
    "committee-elect": (
        [
            "committee",
            "elect",
            "--date",
            "2026-06-20",
            "--seat",
            "王建国=书记",
            "--seat",
            "李晓梅=副书记",
            "--seat",
            "赵磊=纪检委员",
            "--approved",
            "2026-07-01",
        ],
        "支委会 选举 2026-06-20：王建国（书记）、李晓梅（副书记）、赵磊（纪检委员）",
        ["committee.yaml"],
    ),
    "committee-change": (
        ["committee", "change", "赵磊", "--date", "2026-03-01", "--role", "纪检委员", "--action", "补选"],
        "支委会 补选 赵磊 纪检委员 2026-03-01",
        ["committee.yaml"],
    ),
    "committee-group-leader": (
        ["committee", "group-leader", "第一党小组", "王建国", "--since", "2026-03-01"],
        "党小组组长 第一党小组 王建国 自 2026-03-01（接替 陈志强）",
        ["committee.yaml"],
    ),
    "meeting-add": (MEETING_ADD, f"记录 支部委员会 2026-03-05：{TOPIC}", [REC]),
    "talk-add": (
        ["talk", "add", "王建国", "孙悦", "--date", "2026-02-14", "--form", "面谈"],
        "谈心谈话 2026-02-14 王建国—孙悦",
        ["talks/2026.yaml"],
    ),
}


@pytest.mark.parametrize("name", WRITES)
def test_write_makes_exactly_one_commit(run, branch, repo, name):
    args, message, changed = WRITES[name]
    r = repo(branch)
    before = r.count()
    result = run("-C", branch, *args)
    assert result.exit_code == 0, result.stderr
    assert r.count() == before + 1
    assert r.message() == message
    assert r.author() == (GIT_USER, GIT_EMAIL)
    assert git(branch, "log", "-1", "--format=%cn") == GIT_USER
    assert r.changed() == changed
    assert r.status() == ""
    assert message in result.stdout
    assert load_branch(branch).findings == []


@pytest.mark.parametrize("name", WRITES)
def test_no_commit_writes_but_does_not_commit(run, branch, repo, name):
    args, _message, changed = WRITES[name]
    r = repo(branch)
    head = r.head()
    before = {rel: (branch / rel).read_bytes() if (branch / rel).exists() else None for rel in changed}
    result = run("-C", branch, *args, "--no-commit")
    assert result.exit_code == 0, result.stderr
    assert r.head() == head
    status = git(branch, "-c", "core.quotepath=off", "status", "--porcelain", "--untracked-files=all")
    assert sorted(line[3:] for line in status.splitlines()) == sorted(changed)
    for rel in changed:
        assert (branch / rel).read_bytes() != before[rel]
    assert "未提交" in result.stdout
    assert load_branch(branch).findings == []


@pytest.mark.parametrize("name", WRITES)
def test_dry_run_writes_nothing(run, branch, repo, name):
    args, _message, changed = WRITES[name]
    r = repo(branch)
    head = r.head()
    result = run("-C", branch, *args, "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert r.head() == head
    assert r.status() == ""
    assert "试运行" in result.stdout
    for rel in changed:
        assert f"--- {rel}" in result.stdout


@pytest.mark.parametrize("name", WRITES)
def test_failed_commit_leaves_files_exactly_as_before(run, branch, repo, name):
    args, _message, changed = WRITES[name]
    hook = branch / ".git" / "hooks" / "pre-commit"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    snapshot = {p.relative_to(branch): p.read_bytes() for p in branch.rglob("*") if p.is_file() and ".git" not in p.parts}
    r = repo(branch)
    result = run("-C", branch, *args)
    assert_refused(result, branch, r.head(), "钩子")
    after = {p.relative_to(branch): p.read_bytes() for p in branch.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == snapshot


def test_hook_message_is_shown(run, branch, repo):
    hook = branch / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 请先填写会议纪要 >&2\nexit 1\n")
    hook.chmod(0o755)
    result = run("-C", branch, *MEETING_ADD)
    assert_refused(result, branch, repo(branch).head(), "请先填写会议纪要")
    assert not (branch / REC).exists()


def test_write_outside_git_only_writes(run, make_branch):
    root = make_branch({})
    result = run("-C", root, *MEETING_ADD)
    assert result.exit_code == 0, result.stderr
    assert (root / REC).is_file()
    assert "未提交" in result.stdout


def test_commit_takes_only_its_own_files(run, branch, repo):
    """Whatever else the user has staged stays staged and out of zhibu's commit."""
    (branch / "notes.txt").write_text("草稿")
    git(branch, "add", "notes.txt")
    result = run("-C", branch, *MEETING_ADD)
    assert result.exit_code == 0, result.stderr
    assert repo(branch).changed() == [REC]
    assert git(branch, "status", "--porcelain") == "A  notes.txt"


# --- refusals -------------------------------------------------------------------------------------


REFUSED = {
    "unknown-member": (["member", "edit", "王小明", "--status", "正式党员"], ["王小明", "名册中没有"]),
    "misspelt-member": (["member", "leave", "陈志刚", "--date", "2026-04-01"], ["陈志刚", "陈志强"]),
    "duplicate-member": (
        [
            "member",
            "add",
            "王建国",
            "--status",
            "正式党员",
            "--admitted",
            "2001-01-01",
            "--full-since",
            "2002-01-01",
            "--joined",
            "2026-01-01",
            "--group",
            "第一党小组",
        ],
        ["王建国", "已有"],
    ),
    "full-member-without-conversion-date": (
        [
            "member",
            "add",
            "林静",
            "--status",
            "正式党员",
            "--admitted",
            "2014-06-20",
            "--joined",
            "2026-01-01",
            "--group",
            "第二党小组",
        ],
        ["full_since"],
    ),
    "unknown-group": (
        [
            "member",
            "add",
            "林静",
            "--status",
            "预备党员",
            "--admitted",
            "2026-01-01",
            "--joined",
            "2026-01-01",
            "--group",
            "第三党小组",
        ],
        ["第三党小组"],
    ),
    "leave-before-joining": (["member", "leave", "孙悦", "--date", "2025-01-01"], ["早于"]),
    "bad-type": (
        ["meeting", "add", "--type", "支委", "--date", "2026-03-05", "--place", "p", "--recorder", "李晓梅", "--topic", "t"],
        ["会议类型", "支委", "支部委员会"],
    ),
    "absent-not-on-roster": (
        [
            "meeting",
            "add",
            "--type",
            "支部党员大会",
            "--date",
            "2026-03-05",
            "--place",
            "p",
            "--recorder",
            "李晓梅",
            "--absent",
            "王小明:出差",
            "--topic",
            "t",
        ],
        ["王小明", "不在党员名册中"],
    ),
    "not-yet-joined-on-that-date": (
        [
            "meeting",
            "add",
            "--type",
            "支部党员大会",
            "--date",
            "2025-10-01",
            "--place",
            "p",
            "--recorder",
            "李晓梅",
            "--absent",
            "孙悦:出差",
            "--topic",
            "t",
        ],
        ["孙悦", "尚未转入"],
    ),
    "committee-absent-not-on-committee": (
        [
            "meeting",
            "add",
            "--type",
            "支部委员会",
            "--date",
            "2026-03-05",
            "--place",
            "p",
            "--recorder",
            "李晓梅",
            "--absent",
            "刘芳:出差",
            "--topic",
            "t",
        ],
        ["刘芳", "不是支委会委员"],
    ),
    "missing-required": (
        ["meeting", "add", "--type", "支部委员会", "--date", "2026-03-05", "--recorder", "李晓梅", "--topic", "t"],
        ["缺少必填内容", "place"],
    ),
    "lecture-without-lecturer": (
        ["meeting", "add", "--type", "党课", "--date", "2026-03-05", "--place", "p", "--recorder", "李晓梅", "--topic", "t"],
        ["lecturer"],
    ),
    "elect-unknown-person": (
        ["committee", "elect", "--date", "2026-06-20", "--seat", "王小明=书记"],
        ["王小明"],
    ),
    "elect-two-secretaries": (
        ["committee", "elect", "--date", "2026-06-20", "--seat", "王建国=书记", "--seat", "李晓梅=书记"],
        ["书记"],
    ),
    "elect-before-sitting-term": (
        ["committee", "elect", "--date", "2023-01-01", "--seat", "王建国=书记"],
        ["不晚于"],
    ),
    "change-non-member-leaves": (
        ["committee", "change", "刘芳", "--date", "2026-03-01", "--role", "纪检委员", "--action", "离任"],
        ["刘芳", "不是支委会委员"],
    ),
    "change-before-any-term": (
        ["committee", "change", "赵磊", "--date", "2020-03-01", "--role", "纪检委员", "--action", "补选"],
        ["没有现任委员会"],
    ),
    "talk-unknown": (["talk", "add", "王建国", "王小明", "--date", "2026-02-14"], ["王小明"]),
    "talk-with-oneself": (["talk", "add", "王建国", "王建国", "--date", "2026-02-14"], ["同一个人"]),
    "edit-nothing": (["member", "edit", "孙悦"], ["没有指定"]),
}


@pytest.mark.parametrize("name", REFUSED)
def test_refused_command_changes_nothing(run, branch, repo, name):
    args, needles = REFUSED[name]
    head = repo(branch).head()
    result = run("-C", branch, *args)
    assert_refused(result, branch, head, *needles)


def test_refusal_lists_each_finding_with_file_and_line(run, branch, repo):
    args = [
        "meeting",
        "add",
        "--type",
        "支部委员会",
        "--date",
        "2026-03-05",
        "--place",
        "p",
        "--recorder",
        "李晓梅",
        "--attendee",
        "王建国",
        "--attendee",
        "李小梅",
        "--topic",
        "t",
    ]
    result = run("-C", branch, *args)
    assert_refused(result, branch, repo(branch).head(), "没有写入任何文件")
    assert f"{REC}:6: record.unknown-person" in result.stderr
    assert "是否应为“李晓梅”" in result.stderr
    assert "record.attendance" in result.stderr  # 陈志强 neither present nor absent


# --- usage errors ------------------------------------------------------------------------------


def test_not_a_branch(run, tmp_path):
    result = run("meeting", "list", cwd=tmp_path)
    assert result.exit_code == 2
    assert "zhibu.yaml" in result.stderr and "不是支部仓库" in result.stderr
    assert "Traceback" not in result.stderr


def test_not_a_branch_with_c(run, tmp_path):
    result = run("-C", tmp_path, "member", "add", "x", "--status", "预备党员", "--admitted", "2026-01-01")
    assert result.exit_code == 2
    assert "zhibu.yaml" in result.stderr


@pytest.mark.parametrize(
    "args",
    [["--bogus"], ["member", "--bogus"], ["meeting", "list", "--bogus"], ["member", "add", "x", "--statu", "正式党员"]],
)
def test_unknown_option_is_explained_in_chinese(run, branch, args):
    result = run(*args, cwd=branch)
    assert result.exit_code == 2
    assert "没有选项 --" in result.stderr
    assert "No such option" not in result.stderr
    assert "用法：" in result.stderr


def test_unknown_command(run, branch):
    result = run("meetings", cwd=branch)
    assert result.exit_code == 2
    assert "没有命令“meetings”" in result.stderr


def test_missing_choice_option_is_explained_in_chinese(run, branch):
    result = run("member", "add", "林静", "--admitted", "2026-01-01", cwd=branch)
    assert result.exit_code == 2
    assert "缺少选项 --status" in result.stderr and "预备党员" in result.stderr
    assert "Choose from" not in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["member", "list", "--on", "2026-02-30"], "2026-02-30"),
        (["committee", "elect", "--date", "2026-01-01", "--seat", "王建国"], "姓名=职务"),
        (["meeting", "list", "--year", "abc"], "abc"),
        (["member", "add", "x", "--status", "党员", "--admitted", "2026-01-01"], "党员"),
    ],
)
def test_bad_values_are_usage_errors(run, branch, args, needle):
    result = run(*args, cwd=branch)
    assert result.exit_code == 2
    assert needle in result.stderr and "错误：" in result.stderr
    assert "Invalid value" not in result.stderr


def test_unusable_zhibu_yaml_is_an_error_for_reading_commands(run, git_branch):
    root = git_branch({"zhibu.yaml": "format: 1\nname: x\n"})
    result = run("-C", root, "member", "list")
    assert result.exit_code == 2
    assert "zhibu.yaml" in result.stderr and "parent" in result.stderr


def test_version_and_help(run):
    assert run("--version").stdout.startswith("zhibu ")
    result = run("--help")
    assert result.exit_code == 0
    assert "命令" in result.stdout and "meeting" in result.stdout
    sub = run("meeting", "add", "--help")
    assert sub.exit_code == 0 and "用法：" in sub.stdout and "--absent" in sub.stdout


# --- -C and finding the root ------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["before", "after"])
def test_c_before_or_after_the_subcommand(run, with_record, tmp_path, where):
    args = ["-C", with_record, "meeting", "list"] if where == "before" else ["meeting", "list", "-C", with_record]
    result = run(*args, cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert REC in result.stdout
    assert "共 1 条记录" in result.stdout


def test_c_after_wins_over_c_before(run, with_record, branch):
    result = run("-C", branch, "meeting", "list", "-C", with_record)
    assert "共 1 条记录" in result.stdout


def test_root_is_found_upward_from_a_subfolder(run, with_record, repo):
    deep = with_record / "attachments" / "2026"
    deep.mkdir(parents=True)
    assert run("meeting", "list", cwd=deep).stdout.count(REC) == 1
    result = run(*MEETING_ADD[:5], "2026-03-06", *MEETING_ADD[6:], cwd=deep)
    assert result.exit_code == 0, result.stderr
    assert (with_record / "records/2026/2026-03-06-支部委员会.yaml").is_file()
    assert not (deep / "records").exists()


def test_c_pointing_into_a_subfolder(run, with_record):
    (with_record / "records" / "2026").mkdir(exist_ok=True)
    result = run("-C", with_record / "records" / "2026", "meeting", "list")
    assert result.exit_code == 0 and REC in result.stdout


# --- member ------------------------------------------------------------------------------------------


def test_member_add_appends_an_entry(run, branch):
    args = WRITES["member-add"][0]
    assert run("-C", branch, *args).exit_code == 0
    text = (branch / "members.yaml").read_text(encoding="utf-8")
    assert text.startswith("# 党员名册（测试用）\n")
    entry = data(branch, "members.yaml")["members"][-1]
    assert entry == {
        "name": "林静",
        "gender": "女",
        "status": "正式党员",
        "admitted": dt.date(2014, 6, 20),
        "full_since": dt.date(2015, 6, 20),
        "joined": dt.date(2026, 3, 1),
        "group": "第二党小组",
    }
    # written in the flow style the CLI uses for new entries
    assert text.rstrip().splitlines()[-1].startswith("  - {name: 林静, gender: 女, status: 正式党员")


def test_member_add_to_an_empty_roster(run, git_branch):
    root = git_branch({"members.yaml": "members: []\n", "committee.yaml": "terms: []\n"})
    result = run(
        "-C",
        root,
        "member",
        "add",
        "王建国",
        "--status",
        "预备党员",
        "--admitted",
        "2026-01-10",
        "--joined",
        "2026-01-10",
        "--group",
        "第一党小组",
    )
    assert result.exit_code == 0, result.stderr
    assert [m["name"] for m in data(root, "members.yaml")["members"]] == ["王建国"]


def test_member_add_joined_defaults_to_today(run, branch):
    result = run(
        "-C", branch, "member", "add", "林静", "--status", "预备党员", "--admitted", "2026-01-10", "--group", "第二党小组"
    )
    assert result.exit_code == 0, result.stderr
    assert data(branch, "members.yaml")["members"][-1]["joined"] == dt.date.today()


@pytest.mark.parametrize("typed", ["2026-03-05", "2026-3-5", "2026/03/05", "2026/3/5", "2026年3月5日", " 2026年03月05日 "])
def test_date_options_accept_the_ways_people_write_a_date(run, branch, typed):
    result = run("-C", branch, "member", "list", "--on", typed)
    assert result.exit_code == 0, result.stderr
    assert "2026-03-05 在册 6 人" in result.stdout


def test_an_impossible_date_is_named_as_such(run, branch):
    result = run("-C", branch, "member", "list", "--on", "2026-02-30")
    assert result.exit_code == 2
    assert "2026-02-30 不是有效日期" in result.stderr and "Traceback" not in result.stderr
    result = run("-C", branch, "member", "list", "--on", "3月5日")
    assert result.exit_code == 2 and "不是日期" in result.stderr and "2026年3月5日" in result.stderr


def test_member_list_on_a_date(run, branch):
    result = run("-C", branch, "member", "list", "--on", "2026-03-05")
    assert result.exit_code == 0, result.stderr
    for name in ("王建国", "李晓梅", "陈志强", "刘芳", "赵磊", "孙悦"):
        assert name in result.stdout
    assert "2026-03-05 在册 6 人，其中有表决权 5 人" in result.stdout
    early = run("-C", branch, "member", "list", "--on", "2025-10-11")
    assert "孙悦" not in early.stdout
    assert "在册 5 人" in early.stdout


def test_member_list_after_leaving(run, branch):
    assert run("-C", branch, *WRITES["member-leave"][0]).exit_code == 0
    assert "刘芳" in run("-C", branch, "member", "list", "--on", "2026-03-31").stdout
    after = run("-C", branch, "member", "list", "--on", "2026-04-01")
    assert "刘芳" not in after.stdout and "在册 5 人" in after.stdout
    everyone = run("-C", branch, "member", "list", "--on", "2026-04-01", "--all")
    assert "刘芳" in everyone.stdout and "2026-04-01 离开" in everyone.stdout


COMMENTED_MEMBERS = """\
# 党员名册。转出的党员保留条目并填写 left，不要删除。
members:
  - name: 王建国    # 书记
    status: 正式党员
    admitted: 1998-06-20
    full_since: 1999-06-20
    joined: 2012-09-01
    group: 第一党小组
  # 以下为第二党小组
  - {name: 李晓梅, status: 正式党员, admitted: 2003-06-28, full_since: 2004-06-28, joined: 2012-09-01, group: 第二党小组}
  - name: 陈志强
    status: 正式党员
    admitted: 2006-05-12
    full_since: 2007-05-12
    joined: 2013-07-01
    group: 第一党小组
  - name: 孙悦    # 2025-10-12支部党员大会接收，预备期一年
    status: 预备党员
    admitted: 2025-10-12
    joined: 2025-10-12
    group: 第一党小组
"""


def test_member_edit_keeps_comments_and_changes_only_the_entry(run, git_branch, repo):
    root = git_branch({"members.yaml": COMMENTED_MEMBERS})
    result = run("-C", root, "member", "edit", "孙悦", "--status", "正式党员", "--full-since", "2026-10-12")
    assert result.exit_code == 0, result.stderr
    text = (root / "members.yaml").read_text(encoding="utf-8")
    assert (
        text
        == COMMENTED_MEMBERS.replace(
            "    status: 预备党员\n    admitted: 2025-10-12\n    joined: 2025-10-12\n",
            "    status: 正式党员\n    admitted: 2025-10-12\n    joined: 2025-10-12\n",
        ).rstrip("\n")
        + "\n    full_since: 2026-10-12\n"
    )
    m = load_branch(root).branch.member("孙悦")
    assert m.status == "正式党员" and str(m.full_since) == "2026-10-12"
    assert repo(root).message() == "名册 修改 孙悦：党员身份、转正日期"


def test_member_edit_flow_entry_and_rename(run, git_branch):
    committee = "terms:\n  - elected: 2023-06-20\n    members:\n      - {name: 王建国, role: 书记}\n"
    root = git_branch({"members.yaml": COMMENTED_MEMBERS, "committee.yaml": committee})
    result = run("-C", root, "member", "edit", "李晓梅", "--gender", "女", "--rename", "李小梅")
    assert result.exit_code == 0, result.stderr
    text = (root / "members.yaml").read_text(encoding="utf-8")
    assert "  # 以下为第二党小组\n  - {name: 李小梅, status: 正式党员" in text
    assert "gender: 女}" in text
    assert "  - name: 王建国    # 书记\n" in text


def test_member_edit_to_a_taken_name_is_refused(run, branch, repo):
    head = repo(branch).head()
    assert_refused(run("-C", branch, "member", "edit", "李晓梅", "--rename", "王建国"), branch, head, "已有 王建国")


def test_member_leave_twice_is_refused(run, branch, repo):
    assert run("-C", branch, *WRITES["member-leave"][0]).exit_code == 0
    head = repo(branch).head()
    result = run("-C", branch, "member", "leave", "刘芳", "--date", "2026-05-01")
    assert_refused(result, branch, head, "已于 2026-04-01 离开")


def test_member_leave_writes_left(run, branch):
    assert run("-C", branch, *WRITES["member-leave"][0]).exit_code == 0
    entry = next(m for m in data(branch, "members.yaml")["members"] if m["name"] == "刘芳")
    assert entry["left"] == {"date": dt.date(2026, 4, 1), "reason": "组织关系转出"}


# --- committee ---------------------------------------------------------------------------------------


def test_committee_show(run, branch):
    result = run("-C", branch, "committee", "show", "--on", "2026-03-05")
    assert result.exit_code == 0, result.stderr
    assert "2023-06-20 选举产生，任期 3 年，至 2026-06-19" in result.stdout  # 高校: 3 years (issue 12)
    lines = result.stdout.splitlines()
    assert any(line.split()[:2] == ["书记", "王建国"] for line in lines)
    assert any(line.split()[:2] == ["宣传委员", "陈志强"] for line in lines)
    assert "第一党小组" in result.stdout and "党小组组长" in result.stdout


def test_committee_show_before_any_term(run, branch):
    result = run("-C", branch, "committee", "show", "--on", "2020-01-01")
    assert result.exit_code == 0
    assert "没有在任的支部委员会" in result.stdout


def test_committee_elect_then_show(run, branch):
    assert run("-C", branch, *WRITES["committee-elect"][0]).exit_code == 0
    terms = data(branch, "committee.yaml")["terms"]
    assert len(terms) == 2
    assert terms[-1]["members"] == [
        {"name": "王建国", "role": "书记", "approved": dt.date(2026, 7, 1)},
        {"name": "李晓梅", "role": "副书记", "approved": dt.date(2026, 7, 1)},
        {"name": "赵磊", "role": "纪检委员"},
    ]
    new = run("-C", branch, "committee", "show", "--on", "2026-06-20").stdout
    old = run("-C", branch, "committee", "show", "--on", "2026-06-19").stdout
    assert "赵磊" in new and "陈志强" not in new.split("党小组组长")[0]
    assert "陈志强" in old and "赵磊" not in old


def test_committee_change_leave_and_by_election(run, branch):
    r1 = run(
        "-C",
        branch,
        "committee",
        "change",
        "陈志强",
        "--date",
        "2026-03-01",
        "--role",
        "宣传委员",
        "--action",
        "离任",
        "--reason",
        "工作调动",
    )
    assert r1.exit_code == 0, r1.stderr
    r2 = run("-C", branch, "committee", "change", "赵磊", "--date", "2026-03-20", "--role", "宣传委员", "--action", "补选")
    assert r2.exit_code == 0, r2.stderr
    changes = data(branch, "committee.yaml")["terms"][-1]["changes"]
    assert [(c["name"], c["action"]) for c in changes] == [("陈志强", "离任"), ("赵磊", "补选")]
    mid = run("-C", branch, "committee", "show", "--on", "2026-03-10").stdout
    table = mid.split("届中变动")[0]
    assert "陈志强" not in table and "赵磊" not in table
    assert "届中变动" in mid and "工作调动" in mid
    after = run("-C", branch, "committee", "show", "--on", "2026-03-20").stdout.split("届中变动")[0]
    assert "赵磊" in after
    # a committee meeting between the two dates expects only the two who sit
    result = run(
        "-C",
        branch,
        "meeting",
        "add",
        "--type",
        "支部委员会",
        "--date",
        "2026-03-10",
        "--place",
        "p",
        "--recorder",
        "李晓梅",
        "--topic",
        "t",
    )
    assert result.exit_code == 0, result.stderr
    assert data(branch, "records/2026/2026-03-10-支部委员会.yaml")["attendees"] == ["王建国", "李晓梅"]


# --- meeting ----------------------------------------------------------------------------------------


def test_meeting_add_fills_attendees_from_the_roster(run, branch):
    result = run("-C", branch, *MEETING_ADD)
    assert result.exit_code == 0, result.stderr
    text = (branch / REC).read_text(encoding="utf-8")
    assert text == (
        "type: 支部委员会\n"
        "date: 2026-03-05\n"
        "place: 学院党员活动室\n"
        "host: 王建国\n"
        "recorder: 李晓梅\n"
        "attendees: [王建国, 李晓梅]\n"
        "absent:\n"
        "  - {name: 陈志强, reason: 出差}\n"
        "topics:\n"
        f"  - {TOPIC}\n"
    )
    assert f"已写入 {REC}" in result.stdout


def test_general_meeting_expects_everyone_counted_that_day(run, branch):
    args = [
        "meeting",
        "add",
        "--type",
        "党员大会",
        "--date",
        "2026-03-05",
        "--place",
        "学院会议室",
        "--recorder",
        "李晓梅",
        "--absent",
        "刘芳：外出培训",
        "--topic",
        "讨论发展党员工作",
        "--time",
        "14:30-16:00",
    ]
    result = run("-C", branch, *args)
    assert result.exit_code == 0, result.stderr
    rel = "records/2026/2026-03-05-支部党员大会.yaml"
    record = data(branch, rel)
    assert record["type"] == "支部党员大会"  # the alias is written as the canonical name
    assert record["attendees"] == ["王建国", "李晓梅", "陈志强", "赵磊", "孙悦"]
    assert record["absent"] == [{"name": "刘芳", "reason": "外出培训"}]
    assert 'time: "14:30-16:00"' in (branch / rel).read_text(encoding="utf-8")
    # before 孙悦 joined she is not expected
    result = run("-C", branch, *args[:5], "2025-10-01", *args[6:])
    assert result.exit_code == 0, result.stderr
    assert "孙悦" not in data(branch, "records/2025/2025-10-01-支部党员大会.yaml")["attendees"]


def test_group_meeting_defaults_host_to_the_group_leader(run, branch):
    result = run(
        "-C",
        branch,
        "meeting",
        "add",
        "--type",
        "党小组会",
        "--group",
        "第二党小组",
        "--date",
        "2026-03-05",
        "--place",
        "p",
        "--recorder",
        "赵磊",
        "--topic",
        "t",
    )
    assert result.exit_code == 0, result.stderr
    record = data(branch, "records/2026/2026-03-05-党小组会.yaml")
    assert record["host"] == "李晓梅"
    assert record["attendees"] == ["李晓梅", "刘芳", "赵磊"]


def test_combined_event(run, branch, repo):
    result = run(
        "-C",
        branch,
        "meeting",
        "add",
        "--type",
        "支部党员大会",
        "--type",
        "党课",
        "--lecturer",
        "王建国",
        "--date",
        "2026-03-05",
        "--place",
        "p",
        "--recorder",
        "李晓梅",
        "--topic",
        "学习党章",
    )
    assert result.exit_code == 0, result.stderr
    rel = "records/2026/2026-03-05-支部党员大会+党课.yaml"
    record = data(branch, rel)
    assert record["type"] == ["支部党员大会", "党课"]
    assert len(record["attendees"]) == 6
    assert repo(branch).message() == "记录 支部党员大会、党课 2026-03-05：学习党章"


def test_second_meeting_same_day_gets_a_numbered_file(run, branch, repo):
    assert run("-C", branch, *MEETING_ADD).exit_code == 0
    result = run("-C", branch, *MEETING_ADD)
    assert result.exit_code == 0, result.stderr
    assert repo(branch).changed() == ["records/2026/2026-03-05-支部委员会-2.yaml"]
    assert run("-C", branch, *MEETING_ADD).exit_code == 0
    assert (branch / "records/2026/2026-03-05-支部委员会-3.yaml").is_file()


def test_meeting_add_from_a_file(run, branch, tmp_path):
    draft = tmp_path / "草稿.yaml"
    draft.write_text(
        "type: 支委会\ndate: 2026-03-05\nplace: 学院党员活动室\nrecorder: 李晓梅\nabsent: [{name: 陈志强, reason: 出差}]\n"
        "topics: [研究发展党员工作]\nresolutions:\n  - text: 同意确定孙悦为发展对象\n    votes: {for: 2, against: 0, abstain: 0}\n",
        encoding="utf-8",
    )
    result = run("-C", branch, "meeting", "add", "--from", draft, "--place", "学院会议室")
    assert result.exit_code == 0, result.stderr
    record = data(branch, REC)
    assert record["place"] == "学院会议室"  # options win over the file
    assert record["host"] == "王建国"
    assert record["attendees"] == ["王建国", "李晓梅"]
    assert record["resolutions"] == [{"text": "同意确定孙悦为发展对象", "votes": {"for": 2, "against": 0, "abstain": 0}}]


def test_meeting_list_and_show(run, with_record):
    listing = run("-C", with_record, "meeting", "list")
    assert listing.exit_code == 0
    row = next(line for line in listing.stdout.splitlines() if REC in line)
    assert row.split()[:2] == ["2026-03-05", "支部委员会"]
    assert row.split()[4:6] == ["3", "2"]  # 应到 3, 实到 2
    assert "共 0 条记录" in run("-C", with_record, "meeting", "list", "--year", "2025").stdout
    assert "共 1 条记录" in run("-C", with_record, "meeting", "list", "--type", "支委会").stdout
    shown = run("-C", with_record, "meeting", "show", "2026-03-05")
    assert shown.exit_code == 0
    assert "缺席：陈志强（出差）" in shown.stdout
    assert "实到：2 人：王建国、李晓梅" in shown.stdout
    assert "应到：3 人" in shown.stdout
    by_name = run("-C", with_record, "meeting", "show", "2026-03-05-支部委员会")
    assert by_name.stdout == shown.stdout


def test_meeting_show_unknown(run, with_record):
    result = run("-C", with_record, "meeting", "show", "2026-03-06")
    assert result.exit_code == 2 and "找不到记录" in result.stderr


def editor(script: str) -> str:
    """An EDITOR that runs a Python snippet on the file (sys.argv[1])."""
    return f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}"


def test_meeting_edit_with_editor(run, with_record, repo):
    result = run("-C", with_record, "meeting", "edit", "2026-03-05", env={"EDITOR": "sed -i s/学院党员活动室/学院会议室/"})
    assert result.exit_code == 0, result.stderr
    assert data(with_record, REC)["place"] == "学院会议室"
    r = repo(with_record)
    assert r.message() == "修改 支部委员会 2026-03-05（地点）"
    assert r.changed() == [REC]
    assert r.author() == (GIT_USER, GIT_EMAIL)
    assert r.status() == ""


def test_meeting_edit_with_a_python_editor(run, with_record, repo):
    script = (
        "import sys; p = sys.argv[1]; t = open(p, encoding='utf-8').read();"
        "t = t.replace('attendees: [王建国, 李晓梅]', 'attendees: [王建国, 李晓梅, 陈志强]');"
        "t = t.replace('absent:\\n  - {name: 陈志强, reason: 出差}\\n', '');"
        "open(p, 'w', encoding='utf-8').write(t)"
    )
    result = run("-C", with_record, "meeting", "edit", REC, env={"VISUAL": editor(script)})
    assert result.exit_code == 0, result.stderr
    record = data(with_record, REC)
    assert record["attendees"] == ["王建国", "李晓梅", "陈志强"] and "absent" not in record
    assert repo(with_record).message() == "修改 支部委员会 2026-03-05（到会人员、缺席人员及原因）"


def test_meeting_edit_without_changes(run, with_record, repo):
    head = repo(with_record).head()
    result = run("-C", with_record, "meeting", "edit", "2026-03-05", env={"EDITOR": "true"})
    assert_refused(result, with_record, head, "没有改动")


def test_meeting_edit_that_breaks_the_record_is_refused(run, with_record, repo):
    head = repo(with_record).head()
    before = (with_record / REC).read_bytes()
    result = run("-C", with_record, "meeting", "edit", "2026-03-05", env={"EDITOR": "sed -i s/李晓梅]/李小梅]/"})
    assert_refused(result, with_record, head, "李小梅")
    assert (with_record / REC).read_bytes() == before


def test_meeting_edit_with_a_syntax_error_is_refused(run, with_record, repo):
    head = repo(with_record).head()
    script = "import sys; p = sys.argv[1]; t = open(p, encoding='utf-8').read(); open(p, 'w', encoding='utf-8').write(t.replace('place: ', 'place: \"'))"
    result = run("-C", with_record, "meeting", "edit", "2026-03-05", env={"EDITOR": editor(script)})
    assert_refused(result, with_record, head, f"{REC} 第 3 行", "引号")


def test_meeting_edit_with_a_missing_editor(run, with_record, repo):
    head = repo(with_record).head()
    result = run("-C", with_record, "meeting", "edit", "2026-03-05", env={"EDITOR": "no-such-editor-zhibu"})
    assert_refused(result, with_record, head, "编辑器", "EDITOR")


def test_meeting_edit_refused_by_a_hook_restores_the_file(run, with_record, repo):
    hook = with_record / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\nexit 1\n")
    hook.chmod(0o755)
    before = (with_record / REC).read_bytes()
    result = run("-C", with_record, "meeting", "edit", "2026-03-05", env={"EDITOR": "sed -i s/学院党员活动室/学院会议室/"})
    assert_refused(result, with_record, repo(with_record).head(), "钩子")
    assert (with_record / REC).read_bytes() == before


def test_meeting_edit_dry_run_and_no_commit(run, with_record, repo):
    r = repo(with_record)
    head = r.head()
    sed = {"EDITOR": "sed -i s/学院党员活动室/学院会议室/"}
    dry = run("-C", with_record, "meeting", "edit", "2026-03-05", "--dry-run", env=sed)
    assert dry.exit_code == 0 and "试运行" in dry.stdout and "学院会议室" in dry.stdout
    assert r.status() == "" and r.head() == head
    result = run("-C", with_record, "meeting", "edit", "2026-03-05", "--no-commit", env=sed)
    assert result.exit_code == 0
    assert r.head() == head
    assert data(with_record, REC)["place"] == "学院会议室"


# --- talk --------------------------------------------------------------------------------------------


def test_talk_add_and_list(run, branch):
    assert run("-C", branch, *WRITES["talk-add"][0]).exit_code == 0
    result = run("-C", branch, "talk", "add", "李晓梅", "陈志强", "--date", "2026-02-20")
    assert result.exit_code == 0, result.stderr
    text = (branch / "talks/2026.yaml").read_text(encoding="utf-8")
    assert text == (
        "talks:\n  - {date: 2026-02-14, between: [王建国, 孙悦], form: 面谈}\n  - {date: 2026-02-20, between: [李晓梅, 陈志强]}\n"
    )
    listing = run("-C", branch, "talk", "list", "--year", "2026")
    assert listing.exit_code == 0
    assert "2026 年共 2 次" in listing.stdout
    mine = run("-C", branch, "talk", "list", "--year", "2026", "--member", "孙悦")
    assert "2026 年共 1 次" in mine.stdout and "陈志强" not in mine.stdout
    assert "2025 年共 0 次" in run("-C", branch, "talk", "list", "--year", "2025").stdout
    assert len(load_branch(branch).branch.talks) == 2


def test_talk_with_someone_who_has_left(run, branch, repo):
    assert run("-C", branch, *WRITES["member-leave"][0]).exit_code == 0
    head = repo(branch).head()
    result = run("-C", branch, "talk", "add", "王建国", "刘芳", "--date", "2026-04-02")
    assert_refused(result, branch, head, "刘芳", "不在党员名册中")


# --- a whole session from nothing -----------------------------------------------------------------------


def test_from_init_to_first_meeting(run, tmp_path, git_identity, repo):
    root = tmp_path / "支部"
    assert run("init", root, *INIT, "--group", "第二党小组").exit_code == 0
    people = [
        ("王建国", "第一党小组"),
        ("李晓梅", "第二党小组"),
        ("陈志强", "第一党小组"),
        ("赵磊", "第二党小组"),
    ]
    for name, group in people:
        result = run(
            "member",
            "add",
            name,
            "--status",
            "正式党员",
            "--admitted",
            "2001-01-01",
            "--full-since",
            "2002-01-01",
            "--joined",
            "2020-01-01",
            "--group",
            group,
            cwd=root,
        )
        assert result.exit_code == 0, result.stderr
    result = run(
        "committee",
        "elect",
        "--date",
        "2024-06-20",
        "--seat",
        "王建国=书记",
        "--seat",
        "李晓梅=组织委员",
        "--seat",
        "陈志强=宣传委员",
        "--approved",
        "2024-07-01",
        cwd=root,
    )
    assert result.exit_code == 0, result.stderr
    result = run(*MEETING_ADD, cwd=root)
    assert result.exit_code == 0, result.stderr
    r = repo(root)
    assert r.count() == 1 + len(people) + 1 + 1
    assert r.status() == ""
    assert load_branch(root).findings == []


# --- writing on top of files that cannot be read ----------------------------------------------------


@pytest.mark.parametrize("name", WRITES)
def test_write_refused_when_the_roster_is_gbk(run, git_branch, repo, name):
    root = git_branch({"members.yaml": DEFAULT_MEMBERS.encode("gbk")})
    args, _message, _changed = WRITES[name]
    result = run("-C", root, *args)
    assert_refused(result, root, repo(root).head(), "members.yaml", "UTF-8", "iconv")
    assert "内部错误" not in result.stderr


@pytest.mark.parametrize("name", ["member-edit", "member-leave", "meeting-add", "committee-change"])
def test_write_refused_when_the_roster_has_a_syntax_error(run, git_branch, repo, name):
    root = git_branch({"members.yaml": DEFAULT_MEMBERS.replace("  - name: 刘芳\n", "  - name: 刘芳: 女\n")})
    args, _message, _changed = WRITES[name]
    result = run("-C", root, *args)
    assert_refused(result, root, repo(root).head(), "members.yaml 第 21 行")
    assert "名册中没有" not in result.stderr


def test_write_refused_when_zhibu_yaml_is_unusable(run, git_branch, repo):
    root = git_branch({"zhibu.yaml": "format: 1\nname: [\n"})
    result = run("-C", root, *WRITES["member-add"][0])
    assert_refused(result, root, repo(root).head(), "zhibu.yaml 无法使用")


def test_talk_refused_when_the_ledger_is_gbk(run, git_branch, repo):
    root = git_branch({"talks/2026.yaml": "# 谈心谈话\ntalks: []\n".encode("gbk")})
    result = run("-C", root, *WRITES["talk-add"][0])
    assert_refused(result, root, repo(root).head(), "talks/2026.yaml", "GBK")


def test_rename_that_breaks_the_committee_is_refused(run, branch, repo):
    head = repo(branch).head()
    result = run("-C", branch, "member", "edit", "陈志强", "--rename", "陈智强")
    assert_refused(result, branch, head, "committee.yaml", "陈志强")


FROM_BASE = "type: 支委会\ndate: 2026-03-05\nplace: p\nrecorder: 李晓梅\ntopics: [t]\n"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("absent: 陈志强\n", "第 6 行"),
        ("absent: [{reason: 出差}]\n", "name"),
        ("2026: x\n", "2026"),
        ("attendes: [王建国]\n", "attendes"),
        ("resolutions: [同意]\n", "resolutions"),
        ("resolutions: [{text: 同意, votes: {against: 1}}]\n", "for"),
    ],
)
def test_malformed_from_file_is_refused_with_its_line(run, branch, repo, tmp_path, extra, needle):
    draft = tmp_path / "草稿.yaml"
    draft.write_text(FROM_BASE + extra, encoding="utf-8")
    result = run("-C", branch, "meeting", "add", "--from", draft)
    assert_refused(result, branch, repo(branch).head(), str(draft), needle)
    assert "内部错误" not in result.stderr


def test_from_file_with_a_quoted_date_is_refused(run, branch, repo, tmp_path):
    draft = tmp_path / "草稿.yaml"
    draft.write_text(FROM_BASE.replace("date: 2026-03-05", 'date: "2026-03-05"'), encoding="utf-8")
    result = run("-C", branch, "meeting", "add", "--from", draft)
    assert_refused(result, branch, repo(branch).head(), "第 2 行", "不是有效日期")


def test_from_file_may_leave_fields_to_the_options(run, branch, tmp_path):
    draft = tmp_path / "草稿.yaml"
    draft.write_text("type: 支委会\nplace:\ntopics: [t]\n", encoding="utf-8")
    result = run("-C", branch, "meeting", "add", "--from", draft, "--date", "2026-03-05", "--place", "p", "--recorder", "李晓梅")
    assert result.exit_code == 0, result.stderr
    assert data(branch, REC)["place"] == "p"


def test_activity_without_expected_people_needs_attendees(run, branch, repo):
    args = [
        "meeting",
        "add",
        "--type",
        "实践活动",
        "--date",
        "2026-03-07",
        "--place",
        "社区",
        "--recorder",
        "李晓梅",
        "--topic",
        "学雷锋志愿服务",
    ]
    assert_refused(run("-C", branch, *args), branch, repo(branch).head(), "到会人员", "--attendee")
    result = run("-C", branch, *args, "--attendee", "王建国", "--attendee", "孙悦", "--guest", "社区居民")
    assert result.exit_code == 0, result.stderr
    record = data(branch, "records/2026/2026-03-07-实践活动.yaml")
    assert record["attendees"] == ["王建国", "孙悦"] and record["guests"] == ["社区居民"]


def test_group_leader_keeps_the_leader_before(run, branch):
    result = run("-C", branch, "committee", "group-leader", "第一党小组", "王建国", "--since", "2026-03-01")
    assert result.exit_code == 0, result.stderr
    assert data(branch, "committee.yaml")["group_leaders"] == {
        "第一党小组": [{"name": "陈志强"}, {"name": "王建国", "since": dt.date(2026, 3, 1)}],
        "第二党小组": "李晓梅",
    }
    before = run("-C", branch, "committee", "show", "--on", "2026-02-28").stdout.split("党小组组长")[1]
    after = run("-C", branch, "committee", "show", "--on", "2026-03-01").stdout.split("党小组组长")[1]
    assert "陈志强" in before and "王建国" not in before
    assert "王建国" in after and "2026-03-01" in after
    again = run("-C", branch, "committee", "group-leader", "第一党小组", "孙悦", "--since", "2026-04-01")
    assert again.exit_code == 0, again.stderr
    turns = data(branch, "committee.yaml")["group_leaders"]["第一党小组"]
    assert [t["name"] for t in turns] == ["陈志强", "王建国", "孙悦"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["第三党小组", "王建国", "--since", "2026-03-01"], "“第三党小组”不是本支部的党小组"),
        (["第一党小组", "李晓梅", "--since", "2026-03-01"], "李晓梅 属于第二党小组，不是第一党小组的党员"),
        (["第一党小组", "孙悦", "--since", "2025-10-11"], "孙悦 在 2025-10-11 不在党员名册中"),  # the day before joining
        (["第一党小组", "陈志强", "--since", "2026-03-01"], "陈志强 已是第一党小组组长"),
        (["第一党小组", "张三", "--since", "2026-03-01"], "张三 在 2026-03-01 不在党员名册中"),
    ],
)
def test_group_leader_refuses_and_leaves_the_repository_alone(run, branch, repo, args, message):
    head = repo(branch).head()
    result = run("-C", branch, "committee", "group-leader", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert repo(branch).head() == head and repo(branch).status() == ""


def test_group_leader_never_rewrites_an_earlier_turn(run, branch, repo):
    assert run("-C", branch, "committee", "group-leader", "第一党小组", "王建国", "--since", "2026-03-01").exit_code == 0
    head = repo(branch).head()
    result = run("-C", branch, "committee", "group-leader", "第一党小组", "孙悦", "--since", "2026-03-01")
    assert result.exit_code == 2
    assert "不晚于现任组长 王建国 的任职日期 2026-03-01" in result.stderr
    assert repo(branch).head() == head


def test_committee_show_after_the_term_ends(run, branch):
    result = run("-C", branch, "committee", "show", "--on", "2026-06-20")
    assert result.exit_code == 0
    assert "任期已于 2026-06-19 届满" in result.stdout


def test_committee_change_refuses_to_reassign_someone_not_on_the_committee(run, branch, repo):
    head = repo(branch).head()
    result = run("-C", branch, "committee", "change", "刘芳", "--date", "2026-03-01", "--role", "纪检委员", "--action", "调整")
    assert result.exit_code == 2
    assert "不是支委会委员" in result.stderr and "补选" in result.stderr
    assert repo(branch).head() == head and repo(branch).status() == ""


def test_a_missing_field_is_named_by_its_chinese_name_and_option(run, branch, repo):
    head = repo(branch).head()
    result = run(
        "-C", branch, "meeting", "add", "--type", "党小组会", "--date", "2026-03-05", "--recorder", "李晓梅", "--topic", "t"
    )
    assert result.exit_code == 2
    assert "缺少必填内容：地点（--place）、党小组（--group）" in result.stderr
    assert " place" not in result.stderr and "group、" not in result.stderr
    assert repo(branch).head() == head


def test_a_draft_resolution_keeps_its_person_ballots_and_candidates():
    """`meeting add --from 草稿.yaml` wrote only text/kind/votes/adopted of a resolution and dropped the rest."""
    from zhibu.write.edit import render_record

    text = render_record(
        {
            "type": ["支部党员大会"],
            "date": "2026-04-10",
            "place": "活动室",
            "host": "王建国",
            "recorder": "李晓梅",
            "attendees": ["王建国"],
            "topics": ["接收预备党员"],
            "resolutions": [
                {
                    "text": "同意接收吴新为中共预备党员",
                    "kind": "接收预备党员",
                    "person": "吴新",
                    "votes": {"for": 6, "against": 0, "abstain": 0, "written": 1},
                },
                {
                    "text": "补选刘芳为纪检委员",
                    "kind": "补选",
                    "ballots": {"issued": 6, "returned": 6},
                    "candidates": [{"name": "刘芳", "votes": 6}],
                },
            ],
        }
    )
    assert "    person: 吴新\n" in text
    assert "written: 1" in text
    assert "    ballots: {issued: 6, returned: 6}\n" in text
    assert "      - {name: 刘芳, votes: 6}\n" in text


def test_member_add_without_a_group_names_the_option(git_branch, run, repo):
    branch = git_branch()
    head = repo(branch).head()
    result = run(
        "-C", branch, "member", "add", "吴新", "--status", "预备党员", "--admitted", "2026-04-10", "--joined", "2026-04-10"
    )
    assert_refused(result, branch, head, "缺少必填内容：吴新 所在的党小组（--group）", "第一党小组、第二党小组")
