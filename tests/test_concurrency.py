"""Two zhibu processes writing the same branch at the same moment: both land, nothing collides."""

from __future__ import annotations

import subprocess
import time

from conftest import git, zhibu_command

TOPIC = "研究三月份主题党日活动方案"


def start_together(root, commands: list[list[str]]) -> list[subprocess.CompletedProcess]:
    """Start every command as close to the same instant as possible and wait for all."""
    procs = [
        subprocess.Popen([*zhibu_command(), "-C", str(root), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in commands
    ]
    out = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=120)
        out.append(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))
    return out


def meeting(date: str = "2026-03-05") -> list[str]:
    return [
        "meeting",
        "add",
        "--type",
        "支部委员会",
        "--date",
        date,
        "--place",
        "学院党员活动室",
        "--recorder",
        "李晓梅",
        "--absent",
        "陈志强:出差",
        "--topic",
        TOPIC,
    ]


def assert_clean(root):
    assert not (root / ".git" / "index.lock").exists()
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""


def test_two_meetings_same_day_same_type(git_branch):
    root = git_branch({})
    before = int(git(root, "rev-list", "--count", "HEAD"))
    results = start_together(root, [meeting(), meeting()])
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr
    assert int(git(root, "rev-list", "--count", "HEAD")) == before + 2
    records = sorted(p.name for p in (root / "records" / "2026").iterdir())
    assert records == ["2026-03-05-支部委员会-2.yaml", "2026-03-05-支部委员会.yaml"]
    # each commit holds exactly one of the two files
    changed = [
        git(root, "-c", "core.quotepath=off", "show", "--name-only", "--format=", rev).splitlines() for rev in ("HEAD", "HEAD~1")
    ]
    assert sorted(c[0] for c in changed) == [f"records/2026/{name}" for name in records]
    assert all(len(c) == 1 for c in changed)
    assert (root / "records/2026" / records[0]).read_text(encoding="utf-8") == (root / "records/2026" / records[1]).read_text(
        encoding="utf-8"
    )
    assert_clean(root)


def test_different_writers_at_once(git_branch):
    root = git_branch({})
    before = int(git(root, "rev-list", "--count", "HEAD"))
    commands = [
        meeting(),
        ["talk", "add", "王建国", "孙悦", "--date", "2026-02-14"],
        [
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
        ],
        ["member", "edit", "孙悦", "--gender", "女"],
    ]
    start = time.monotonic()
    results = start_together(root, commands)
    assert time.monotonic() - start < 60
    for result in results:
        assert result.returncode == 0, result.stderr
    assert int(git(root, "rev-list", "--count", "HEAD")) == before + 4
    members = (root / "members.yaml").read_text(encoding="utf-8")
    assert "林静" in members and "gender: 女" in members  # neither roster edit lost the other
    assert_clean(root)
