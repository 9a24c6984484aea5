"""`zhibu meeting add` in a real terminal asks for what is missing, showing who is expected."""

from __future__ import annotations

import os
import select
import sys
import time

import pytest

from conftest import zhibu_command

pty = pytest.importorskip("pty")


def converse(argv: list[str], cwd, answers: list[tuple[str, str]], timeout: float = 30) -> str:
    """Run ``argv`` on a pseudo-terminal, answering each prompt that contains a key, in order."""
    pid, fd = pty.fork()
    if pid == 0:  # child
        os.chdir(cwd)
        os.execvpe(argv[0], argv, os.environ)
    screen = b""
    pending = list(answers)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
        last = screen.decode("utf-8", "ignore").rstrip().splitlines()[-1] if screen.strip() else ""
        if pending and pending[0][0] in last and last.endswith(":"):
            os.write(fd, (pending.pop(0)[1] + "\r").encode("utf-8"))
    os.waitpid(pid, 0)
    return screen.decode("utf-8", "ignore")


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_meeting_add_asks_for_missing_fields_and_commits(git_branch, repo):
    root = git_branch()
    before = repo(root).count()
    screen = converse(
        [*zhibu_command(), "meeting", "add", "--type", "党小组会", "--date", "2026-03-10"],
        root,
        [
            ("党小组", "第一党小组"),
            ("地点", "学院党员活动室"),
            ("主持人", ""),  # accept the default: the group leader
            ("记录人", "王建国"),
            ("议题1", "学习全国两会精神"),
            ("议题2", ""),
            ("缺席人员", "孙悦:出差"),
        ],
    )
    assert "应到 3 人：王建国、陈志强、孙悦" in screen
    assert repo(root).count() == before + 1, screen
    text = (root / "records/2026/2026-03-10-党小组会.yaml").read_text(encoding="utf-8")
    assert "host: 陈志强\n" in text
    assert "attendees: [王建国, 陈志强]\n" in text
    assert "  - {name: 孙悦, reason: 出差}\n" in text


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_init_asks_for_the_short_name_every_title_uses(tmp_path, git_identity):
    from zhibu.load import load_branch

    target = tmp_path / "新支部"
    screen = converse(
        [*zhibu_command(), "init", str(target), "--name", "中共示例大学计算机学院教工第一支部委员会",
         "--parent", "中共示例大学计算机学院委员会", "--category", "高校"],
        tmp_path,
        [("简称", "计算机学院教工第一党支部")],
    )
    assert "新建支部" in screen, screen
    assert load_branch(target).branch.config.short_name == "计算机学院教工第一党支部"
