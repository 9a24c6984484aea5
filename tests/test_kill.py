"""A write command killed with SIGKILL at any point: the next command finishes or drops the
half-done change, a retry of the same command records it exactly once, history is kept.

The kill points are the pause points of ``zhibu/faults.py`` (``ZHIBU_TEST_PAUSE_AT``): the
command runs in its own process, stops there, and is killed with ``kill -9``.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest
from conftest import git, subprocess_env, zhibu_command

TOPIC = "研究三月份主题党日活动方案"
MEETING_MESSAGE = f"记录 支部委员会 2026-03-05：{TOPIC}"


def meeting() -> list[str]:
    return [
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


TALK = ["talk", "add", "王建国", "孙悦", "--date", "2026-02-14"]


def zhibu(root, args, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*zhibu_command(), "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=subprocess_env(**env),
        check=False,
    )


def kill_at(root, args, point: str, **env) -> None:
    """Run a zhibu command until it reaches ``point``, then SIGKILL it."""
    proc = subprocess.Popen(
        [*zhibu_command(), "-C", str(root), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=subprocess_env(ZHIBU_TEST_PAUSE_AT=point, **env),
    )
    try:
        line = proc.stderr.readline()
        assert line.strip() == f"zhibu-paused:{point}", line + proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


def records(root) -> list[str]:
    folder = root / "records" / "2026"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def count(root) -> int:
    return int(git(root, "rev-list", "--count", "HEAD"))


def assert_settled(root, start: str) -> None:
    """Clean work tree and index, no record of a pending change, history only extended."""
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (root / ".git" / "zhibu-pending.json").exists()
    assert not (root / ".git" / "index.lock").exists()
    subprocess.run(["git", "merge-base", "--is-ancestor", start, "HEAD"], cwd=root, check=True)


@pytest.mark.parametrize(
    ("point", "note"),
    [
        ("journal", "还没有写入任何文件，已放弃"),
        ("written", "就是这一条"),
        ("staged", "就是这一条"),
        ("committed", "上次其实已经完成"),
    ],
)
def test_retry_after_kill_records_the_meeting_once(git_branch, point, note):
    root = git_branch({})
    start = git(root, "rev-parse", "HEAD")
    before = count(root)
    kill_at(root, meeting(), point)
    assert (root / ".git" / "zhibu-pending.json").exists()

    retry = zhibu(root, meeting())
    assert retry.returncode == 0, retry.stderr
    assert note in retry.stderr
    assert "Traceback" not in retry.stderr
    assert records(root) == ["2026-03-05-支部委员会.yaml"]
    assert count(root) == before + 1
    assert git(root, "log", "-1", "--format=%s") == MEETING_MESSAGE
    assert_settled(root, start)
    # Another run is a second meeting, as it always was: the recovery is over.
    again = zhibu(root, meeting())
    assert again.returncode == 0, again.stderr
    assert records(root) == ["2026-03-05-支部委员会-2.yaml", "2026-03-05-支部委员会.yaml"]


@pytest.mark.parametrize("point", ["written", "staged"])
def test_other_command_after_kill_finishes_the_meeting_first(git_branch, point):
    root = git_branch({})
    start = git(root, "rev-parse", "HEAD")
    before = count(root)
    kill_at(root, meeting(), point)

    talk = zhibu(root, TALK)
    assert talk.returncode == 0, talk.stderr
    assert "已补完上次被中断的改动" in talk.stderr
    assert count(root) == before + 2
    # Each change under its own message, with its own file only.
    assert git(root, "log", "-1", "--format=%s", "HEAD~1") == MEETING_MESSAGE
    assert (
        git(root, "-c", "core.quotepath=off", "show", "--name-only", "--format=", "HEAD~1")
        == "records/2026/2026-03-05-支部委员会.yaml"
    )
    assert git(root, "show", "--name-only", "--format=", "HEAD") == "talks/2026.yaml"
    assert records(root) == ["2026-03-05-支部委员会.yaml"]
    assert_settled(root, start)


def test_other_command_after_kill_before_any_write_drops_it(git_branch):
    root = git_branch({})
    start = git(root, "rev-parse", "HEAD")
    before = count(root)
    kill_at(root, meeting(), "journal")
    talk = zhibu(root, TALK)
    assert talk.returncode == 0, talk.stderr
    assert "已放弃" in talk.stderr
    assert count(root) == before + 1
    assert records(root) == []
    assert_settled(root, start)


def test_kill_between_two_files_of_one_change(git_branch):
    """``zhibu schema`` writes several files in one change: killed after the first one."""
    root = git_branch({})
    start = git(root, "rev-parse", "HEAD")
    before = count(root)
    kill_at(root, ["schema"], "written-1")
    written = [p for p in (root / ".zhibu" / "schema").iterdir()] if (root / ".zhibu" / "schema").is_dir() else []
    assert len(written) == 1  # half the change is on disk
    retry = zhibu(root, ["schema"])
    assert retry.returncode == 0, retry.stderr
    assert count(root) == before + 1
    assert len(list((root / ".zhibu" / "schema").iterdir())) > 1
    assert_settled(root, start)


def test_file_edited_after_the_kill_is_not_overwritten(git_branch):
    root = git_branch({})
    start = git(root, "rev-parse", "HEAD")
    kill_at(root, meeting(), "written")
    record = root / "records" / "2026" / "2026-03-05-支部委员会.yaml"
    record.write_text(record.read_text(encoding="utf-8") + "content: 手工补充的内容\n", encoding="utf-8")
    edited = record.read_bytes()

    talk = zhibu(root, TALK)
    assert talk.returncode == 2
    assert "records/2026/2026-03-05-支部委员会.yaml" in talk.stderr
    assert "无法判断该保留哪个版本" in talk.stderr
    assert "Traceback" not in talk.stderr
    assert record.read_bytes() == edited
    assert git(root, "rev-parse", "HEAD") == start


def test_check_mentions_an_interrupted_write(git_branch):
    root = git_branch({})
    kill_at(root, meeting(), "written")
    checked = zhibu(root, ["check", "--as-of", "2026-03-31"])
    assert "上次有一条写入命令被中断" in checked.stderr
    assert (root / ".git" / "zhibu-pending.json").exists()  # checking never writes
    trial = zhibu(root, [*meeting(), "--dry-run"])
    assert trial.returncode == 0 and "试运行不处理它" in trial.stderr
    assert (root / ".git" / "zhibu-pending.json").exists()


def test_kill_without_git_then_retry(make_branch):
    """No git: the record lives in the branch root and the retry still writes the file once."""
    root = make_branch({})
    kill_at(root, meeting(), "written")
    assert (root / ".zhibu-pending.json").exists()
    retry = zhibu(root, meeting())
    assert retry.returncode == 0, retry.stderr
    assert records(root) == ["2026-03-05-支部委员会.yaml"]
    assert not (root / ".zhibu-pending.json").exists()


INIT = [
    "init",
    "新支部",
    "--name",
    "中共测试大学数学学院教工第一支部委员会",
    "--parent",
    "中共测试大学数学学院委员会",
    "--category",
    "高校",
]


@pytest.mark.parametrize("point", ["written", "staged"])
def test_init_killed_before_its_commit_can_be_run_again(tmp_path, point):
    identity = {
        f"GIT_{role}_{what}": value
        for role in ("AUTHOR", "COMMITTER")
        for what, value in (("NAME", "测试书记"), ("EMAIL", "shuji@example.org"))
    }
    kill_at(tmp_path, INIT, point, **identity)
    root = tmp_path / "新支部"
    assert (root / "zhibu.yaml").exists()

    retry = zhibu(tmp_path, INIT, **identity)
    assert retry.returncode == 0, retry.stderr
    assert count(root) == 1
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    # A finished branch is still refused, as before.
    again = zhibu(tmp_path, INIT, **identity)
    assert again.returncode == 2 and "已经是支部仓库" in again.stderr


def test_interrupted_change_git_cannot_commit_is_put_back(git_branch):
    """Finishing means committing as the killed command would have: when git refuses the
    commit (here: no identity any more), the files are put back as they would have been
    then, instead of leaving a repository every later command stumbles over."""
    root = git_branch({})
    start = git(root, "rev-parse", "HEAD")
    kill_at(root, meeting(), "written")
    git(root, "config", "--unset", "user.name")
    git(root, "config", "--unset", "user.email")
    git(root, "config", "user.useConfigOnly", "true")
    talk = zhibu(root, TALK)
    assert talk.returncode == 2
    assert "无法补完提交" in talk.stderr and "已撤回" in talk.stderr and "git config" in talk.stderr
    assert records(root) == []
    assert_settled(root, start)
    assert git(root, "rev-parse", "HEAD") == start
