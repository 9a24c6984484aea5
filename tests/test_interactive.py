"""`zhibu meeting add` in a real terminal asks for what is missing, showing who is expected."""

from __future__ import annotations

import os
import select
import signal
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
    answered = 0  # prompts are looked for only in what came after the last answer
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
        fresh = screen[answered:].decode("utf-8", "ignore").rstrip()
        last = fresh.splitlines()[-1] if fresh else ""
        if pending and pending[0][0] in last and last.endswith(":"):
            answer = pending.pop(0)[1]
            # None is Ctrl-D (end of input) at the start of a line, as a user gives up.
            os.write(fd, b"\x04" if answer is None else (answer + "\r").encode("utf-8"))
            answered = len(screen)
    if os.waitpid(pid, os.WNOHANG) == (0, 0):  # still waiting for an answer nobody gives
        os.kill(pid, signal.SIGKILL)
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
            ("起止时间", ""),
            ("地点", "学院党员活动室"),
            ("主持人", ""),  # accept the default: the group leader
            ("记录人", "王建国"),
            ("缺席人员1", "孙悦:出差"),
            ("缺席人员2", ""),
            ("列席人员1", ""),
            ("议题1", "学习全国两会精神"),
            ("议题2", ""),
            ("内容第1", ""),
            ("计划条目", ""),
            ("确认", ""),
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
    from zhibu.format.load import load_branch

    target = tmp_path / "新支部"
    screen = converse(
        [
            *zhibu_command(),
            "init",
            str(target),
            "--name",
            "中共示例大学计算机学院教工第一支部委员会",
            "--parent",
            "中共示例大学计算机学院委员会",
            "--category",
            "高校",
        ],
        tmp_path,
        [("简称", "计算机学院教工第一党支部")],
    )
    assert "新建支部" in screen, screen
    assert load_branch(target).branch.config.short_name == "计算机学院教工第一党支部"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_meeting_add_asks_every_field_and_a_typo_costs_one_question(git_branch, repo, run):
    from lxml import etree

    from zhibu.model.vocabulary import RECORD_TYPES, TYPE_ALIASES

    root = git_branch()
    before = repo(root).count()
    screen = converse(
        [*zhibu_command(), "meeting", "add"],
        root,
        [
            ("会议类型", "支委"),  # not a type: refused with the suggestion, asked again
            ("会议类型", "党员大会"),  # an alias, accepted as 支部党员大会
            ("日期", "2026-02-30"),
            ("日期", "2026-03-10"),
            ("起止时间", "14:30-16:00"),
            ("地点", "学院党员活动室"),
            ("主持人", ""),  # the 书记 that day
            ("记录人", "李晓没"),
            ("记录人", "李晓梅"),
            ("缺席人员1", "孙悦"),
            ("孙悦 的缺席原因", "出差"),
            ("缺席人员2", "刘方:病假"),
            ("缺席人员2", "刘芳:病假"),
            ("缺席人员3", ""),
            ("列席人员1", "院党委组织员张华"),
            ("列席人员2", ""),
            ("议题1", ""),  # at least one topic: asked again
            ("议题1", "传达学习全国两会精神"),
            ("议题2", ""),
            ("内容第1", "王建国传达了全国两会精神。"),
            ("内容第2", "党员结合本职工作交流了学习体会。"),
            ("内容第3", ""),
            ("计划条目", ""),
            ("确认", ""),
        ],
    )
    # The list names only the canonical types; an alias is still accepted.
    listing = next(line for line in screen.splitlines() if line.startswith("会议类型："))
    listed = [item.split(".", 1)[1] for item in listing.removeprefix("会议类型：").split()]
    assert listed == list(RECORD_TYPES) and not set(listed) & set(TYPE_ALIASES), listing
    assert "会议类型“支委”无效。是否应为“支部委员会”？" in screen
    assert "2026-02-30 不是有效日期" in screen
    assert "李晓没 在 2026-03-10 不在当日名册中。是否应为“李晓梅”？" in screen
    assert "刘方 在 2026-03-10 不在当日名册中。是否应为“刘芳”？" in screen
    assert "应到 6 人，实到 4 人" in screen
    assert "records/2026/2026-03-10-支部党员大会.yaml" in screen
    assert "Error" not in screen and "Aborted" not in screen, screen
    assert repo(root).count() == before + 1, screen

    text = (root / "records/2026/2026-03-10-支部党员大会.yaml").read_text(encoding="utf-8")
    assert 'time: "14:30-16:00"\n' in text
    assert "host: 王建国\nrecorder: 李晓梅\n" in text
    assert "attendees: [王建国, 李晓梅, 陈志强, 赵磊]\n" in text
    assert "  - {name: 孙悦, reason: 出差}\n  - {name: 刘芳, reason: 病假}\n" in text
    assert "guests: [院党委组织员张华]\n" in text
    assert "content: |\n  王建国传达了全国两会精神。\n  党员结合本职工作交流了学习体会。\n" in text

    result = run("doc", "minutes", "2026-03-10", "-o", "记录.docx", cwd=root)
    assert result.exit_code == 0, result.stderr
    import zipfile

    with zipfile.ZipFile(root / "记录.docx") as docx:
        body = etree.fromstring(docx.read("word/document.xml"))
    ns = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
    paragraphs = ["".join(p.itertext()) for p in body.iterfind(".//w:p", ns)]
    heading = next(i for i, p in enumerate(paragraphs) if "会议内容" in p)
    assert paragraphs[heading + 1 : heading + 3] == ["王建国传达了全国两会精神。", "党员结合本职工作交流了学习体会。"]


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_meeting_add_ctrl_d_cancels_and_writes_nothing(git_branch, repo):
    root = git_branch()
    before = repo(root).count()
    screen = converse(
        [*zhibu_command(), "meeting", "add", "--type", "支委会", "--date", "2026-03-10", "--host", "王建过"],
        root,
        [
            ("起止时间", ""),
            ("地点", "学院党员活动室"),
            ("主持人", ""),
            ("记录人", "李晓梅"),
            ("缺席人员1", ""),
            ("列席人员1", ""),
            ("议题1", "研究三月份工作"),
            ("议题2", ""),
            ("内容第1", None),
        ],
    )
    assert "王建过 在 2026-03-10 不在当日名册中。是否应为“王建国”？" in screen  # a typo in an option is asked again
    assert "已取消" in screen, screen
    assert "Error" not in screen and "Aborted" not in screen
    assert not (root / "records").exists()
    assert repo(root).count() == before


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_meeting_add_declined_at_the_summary_writes_nothing(git_branch, repo):
    root = git_branch()
    before = repo(root).count()
    screen = converse(
        [
            *zhibu_command(),
            "meeting",
            "add",
            "--type",
            "支委会",
            "--date",
            "2026-03-10",
            "--place",
            "活动室",
            "--time",
            "14:30-16:00",
            "--guest",
            "赵磊",
            "--content",
            "研究。",
        ],
        root,
        [
            ("主持人", "李晓梅"),
            ("委托说明", "书记出差，委托李晓梅主持"),
            ("记录人", "陈志强"),
            ("缺席人员1", "王建国:出差"),
            ("缺席人员2", ""),
            ("议题1", "研究三月份工作"),
            ("议题2", ""),
            ("计划条目", ""),
            ("确认", "n"),
        ],
    )
    assert "应到 3 人，实到 2 人，缺席：王建国（出差）" in screen, screen
    assert "已取消" in screen
    assert not (root / "records").exists()
    assert repo(root).count() == before


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")
def test_meeting_add_keeps_an_outside_lecturer_only_when_confirmed(git_branch):
    root = git_branch()
    screen = converse(
        [
            *zhibu_command(),
            "meeting",
            "add",
            "--type",
            "党课",
            "--date",
            "2026-03-10",
            "--place",
            "报告厅",
            "--recorder",
            "李晓梅",
            "--topic",
            "党史专题",
            "--content",
            "讲授。",
        ],
        root,
        [
            ("起止时间", ""),
            ("主持人", ""),
            ("党课主讲人", "王建过"),
            ("本支部以外", "n"),
            ("党课主讲人", "院党委书记张华"),
            ("本支部以外", "y"),
            ("缺席人员1", ""),
            ("列席人员1", ""),
            ("计划条目", ""),
            ("确认", ""),
        ],
    )
    assert "王建过 在 2026-03-10 不在当日名册中。是否应为“王建国”？" in screen, screen
    text = (root / "records/2026/2026-03-10-党课.yaml").read_text(encoding="utf-8")
    assert "lecturer: 院党委书记张华\n" in text
