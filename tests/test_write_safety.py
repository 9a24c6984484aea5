"""Write commands never commit someone else's edits, and failures of the disk come out in Chinese.

The operating-system failures are simulated in-process by making ``os.replace`` (the rename
of an atomic write) or ``tempfile.mkstemp`` raise the error: the tests run as root, for whom
``chmod`` does not make anything read-only, and no file system can be mounted here.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from types import SimpleNamespace

import pytest
from conftest import git

from zhibu.store import gitrepo

TOPIC = "研究三月份主题党日活动方案"
MEETING = [
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
MEMBER = [
    "member",
    "add",
    "林静",
    "--status",
    "预备党员",
    "--admitted",
    "2026-01-10",
    "--joined",
    "2026-01-10",
    "--group",
    "第二党小组",
]
HAND_EDIT = "# 手工补记：2026年1月组织关系转入一人，待登记\n"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def branch(git_branch):
    return git_branch({})


def assert_untouched(root, head: str) -> None:
    assert git(root, "rev-parse", "HEAD") == head
    assert not (root / ".git" / "zhibu-pending.json").exists()


# --- unrelated edits --------------------------------------------------------------------


def test_hand_edit_of_the_same_file_is_refused_then_included_knowingly(run, branch, repo):
    members = branch / "members.yaml"
    members.write_text(members.read_text(encoding="utf-8") + HAND_EDIT, encoding="utf-8")
    edited = members.read_bytes()
    head = repo(branch).head()

    refused = run("-C", branch, *MEMBER)
    assert refused.exit_code == 2, refused.output
    assert "members.yaml 有尚未提交的改动" in refused.stderr
    assert "git stash" in refused.stderr and "--include-edits" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert members.read_bytes() == edited  # the hand edit is still there, nothing added
    assert_untouched(branch, head)

    accepted = run("-C", branch, *MEMBER, "--include-edits")
    assert accepted.exit_code == 0, accepted.stderr
    assert repo(branch).count() == 2
    assert repo(branch).status() == ""
    committed = git(branch, "show", "HEAD:members.yaml")
    assert HAND_EDIT.strip() in committed and "林静" in committed


def test_staged_edit_and_untracked_file_are_refused_too(run, branch, repo):
    members = branch / "members.yaml"
    members.write_text(members.read_text(encoding="utf-8") + HAND_EDIT, encoding="utf-8")
    git(branch, "add", "members.yaml")
    git(branch, "checkout", "--", "members.yaml")  # only the index holds the edit now
    head = repo(branch).head()
    refused = run("-C", branch, *MEMBER)
    assert refused.exit_code == 2 and "members.yaml" in refused.stderr, refused.output
    assert_untouched(branch, head)

    talks = branch / "talks" / "2026.yaml"
    talks.parent.mkdir()
    talks.write_text("talks:\n  - {date: 2026-01-08, between: [王建国, 李晓梅]}\n", encoding="utf-8")
    refused = run("-C", branch, "talk", "add", "王建国", "孙悦", "--date", "2026-02-14")
    assert refused.exit_code == 2 and "talks/2026.yaml" in refused.stderr, refused.output
    assert_untouched(branch, head)


def test_edits_of_other_files_stay_uncommitted(run, branch, repo):
    committee = branch / "committee.yaml"
    committee.write_text(committee.read_text(encoding="utf-8") + "# 待换届\n", encoding="utf-8")
    result = run("-C", branch, *MEETING)
    assert result.exit_code == 0, result.stderr
    assert repo(branch).changed() == ["records/2026/2026-03-05-支部委员会.yaml"]
    assert repo(branch).status() == " M committee.yaml"


def test_dry_run_says_the_same(run, branch, repo):
    members = branch / "members.yaml"
    members.write_text(members.read_text(encoding="utf-8") + HAND_EDIT, encoding="utf-8")
    result = run("-C", branch, *MEMBER, "--dry-run")
    assert result.exit_code == 2 and "--include-edits" in result.stderr
    assert run("-C", branch, *MEMBER, "--dry-run", "--include-edits").exit_code == 0
    assert run("-C", branch, *MEMBER, "--no-commit").exit_code == 0  # nothing committed: nothing taken along


def test_every_write_command_offers_the_option(run):
    commands = [
        ["member", "add"],
        ["member", "edit"],
        ["member", "leave"],
        ["member", "import"],
        ["committee", "elect"],
        ["committee", "change"],
        ["meeting", "add"],
        ["meeting", "edit"],
        ["talk", "add"],
        ["plan", "new"],
        ["standard", "update"],
        ["schema"],
    ]
    for command in commands:
        shown = run(*command, "--help")
        assert "--include-edits" in shown.stdout, command


# --- operating-system failures ----------------------------------------------------------


def _failing_replace(number: int):
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith(".yaml"):
            raise OSError(number, os.strerror(number), str(dst))
        return real(src, dst, *args, **kwargs)

    return replace


@pytest.mark.parametrize(
    ("number", "cause"),
    [
        (errno.ENOSPC, "磁盘空间已满"),
        (errno.EROFS, "只读"),
        (errno.EACCES, "没有写入权限"),
        (errno.EDQUOT, "磁盘配额"),
        (errno.ENAMETOOLONG, "过长"),
    ],
)
def test_disk_failures_are_chinese_and_leave_the_repository_as_it_was(run, branch, repo, monkeypatch, number, cause):
    head = repo(branch).head()
    monkeypatch.setattr(os, "replace", _failing_replace(number))
    result = run("-C", branch, *MEETING)
    assert result.exit_code == 2, result.output
    assert cause in result.stderr
    assert "仓库保持原样" in result.stderr
    assert os.strerror(number) not in result.stderr  # no English OS text
    assert "Traceback" not in result.stderr and "index.lock" not in result.stderr
    assert not (branch / "records").exists() or not any((branch / "records").rglob("*.yaml"))
    assert repo(branch).status() == ""
    assert_untouched(branch, head)


def test_failure_before_any_write_is_chinese(run, branch, repo, monkeypatch):
    """The temporary file cannot even be created (a read-only folder)."""
    head = repo(branch).head()

    def mkstemp(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), kwargs.get("dir"))

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    result = run("-C", branch, *MEETING)
    assert result.exit_code == 2
    assert "只读" in result.stderr and os.strerror(errno.EROFS) not in result.stderr
    assert_untouched(branch, head)


def test_when_even_putting_back_fails_the_next_command_finishes(run, branch, repo, monkeypatch):
    """Disk full while editing members.yaml and again while restoring it: the record of the
    change stays, the message says so, and once there is room a retry lands it once."""
    members = branch / "members.yaml"
    real = os.replace
    calls = {"n": 0}

    def replace(src, dst, *args, **kwargs):
        if str(dst).endswith("members.yaml"):
            calls["n"] += 1
            if calls["n"] == 1:  # the change itself lands on disk ...
                return real(src, dst, *args, **kwargs)
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))  # ... its restore does not
        return real(src, dst, *args, **kwargs)

    def commit(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(branch / ".git" / "objects"))

    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", replace)
        patch.setattr(gitrepo, "commit", commit)
        failed = run("-C", branch, *MEMBER)
    assert failed.exit_code == 2
    assert "磁盘空间已满" in failed.stderr and "记下了这次改动" in failed.stderr
    assert (branch / ".git" / "zhibu-pending.json").exists()
    assert "林静" in members.read_text(encoding="utf-8")

    retry = run("-C", branch, *MEMBER)
    assert retry.exit_code == 0, retry.stderr
    assert repo(branch).count() == 2
    assert members.read_text(encoding="utf-8").count("林静") == 1
    assert repo(branch).status() == ""


def test_git_failure_names_index_lock_only_when_there_is_one(tmp_path):
    lock = tmp_path / ".git" / "index.lock"
    full = SimpleNamespace(stderr=f"fatal: Unable to create '{lock}': No space left on device", stdout="", status=128)
    problem = gitrepo._translate(full)
    assert "磁盘空间已满" in problem.message and "index.lock" not in str(problem)

    readonly = SimpleNamespace(stderr=f"fatal: Unable to create '{lock}': Read-only file system", stdout="", status=128)
    assert "只读" in gitrepo._translate(readonly).message

    lock.parent.mkdir()
    lock.write_text("")
    held = SimpleNamespace(
        stderr=f"fatal: Unable to create '{lock}': File exists.\n\nAnother git process seems to be running", stdout="", status=128
    )
    assert "删除 .git/index.lock" in str(gitrepo._translate(held))
    lock.unlink()
    gone = SimpleNamespace(stderr=held.stderr, stdout="", status=128)
    assert "删除" not in str(gitrepo._translate(gone))


def test_real_index_lock_is_reported(run, branch, repo):
    head = repo(branch).head()
    (branch / ".git" / "index.lock").write_text("")
    result = run("-C", branch, *MEETING)
    assert result.exit_code == 2
    assert "index.lock" in result.stderr and CJK.search(result.stderr)
    assert repo(branch).head() == head
    assert not (branch / "records").exists() or not any((branch / "records").rglob("*.yaml"))
