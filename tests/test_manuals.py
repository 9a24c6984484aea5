"""The manual runs as written: every command of the README's quick start, docs/getting-started.md
and docs/daily-use.md, pasted line by line into a shell, in a fresh HOME and folder.

The commands are read from the ```sh blocks of those pages (continuation lines joined, comments
dropped), so a command changed in the manual is the command tested. Each line runs in its own
``bash -c`` in the folder the earlier lines ``cd``'d into; ``zhibu`` is a shim on PATH that runs
the zhibu under test. The few lines that cannot run in a test are listed in ``SUBSTITUTED`` with
the reason; lines that need something prepared first (the roster spreadsheet the manual tells the
secretary to export, the edit before a ``git commit``) are listed in ``PREPARED``. What the
manual says a command shows is asserted in ``EXPECTED``; every other line must exit 0 without a
traceback.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
GETTING_STARTED = ROOT / "docs" / "getting-started.md"
DAILY_USE = ROOT / "docs" / "daily-use.md"

SH_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.S | re.M)
COMMENT = re.compile(r"(^|\s+)#\s.*$")


def commands(page: Path) -> list[list[str]]:
    """The commands of each ```sh block of a page: lines ending in a backslash joined, comments dropped."""
    blocks = []
    for match in SH_BLOCK.finditer(page.read_text(encoding="utf-8")):
        joined = re.sub(r"\\\n\s*", "", match[1])
        lines = [COMMENT.sub("", line).strip() for line in joined.splitlines()]
        blocks.append([line for line in lines if line])
    return blocks


def quick_start() -> list[str]:
    """The README's lines after its first two (install) commands."""
    return [line for block in commands(README)[1:] for line in block]


# Lines that cannot run in a test, each with what runs instead (None: nothing) and why.
SUBSTITUTED: dict[str, tuple[str | None, str]] = {
    ". .venv/bin/activate": (
        None,
        "the test puts a `zhibu` running the checkout under test on PATH, which is what activating the venv does",
    ),
    "python3 -m venv ~/zhibu-env": (None, "installing is tested by tests/test_install.py, not on every run"),
    "~/zhibu-env/bin/pip install zhibu源码目录": (
        None,
        "installing is tested by tests/test_install.py; `zhibu源码目录` is a placeholder for the source folder",
    ),
    "~/zhibu-env/bin/zhibu --version": ("zhibu --version", "the zhibu under test instead of the installed one"),
}

# The README's first command installs and checks the sample branch; the test runs its check part,
# at a 2026 date because the README states the result "2026 年运行时".
README_FIRST_CHECK = "zhibu check sample-branch --year 2025 --as-of 2026-12-31"

# The roster the secretary exports from the member system (docs/getting-started.md section 4), in
# the columns docs/editors.md lists. It holds the people the later lines name; 王建国 is left out
# because the next block adds him with `zhibu member add`, the manual's other way of doing it.
ROSTER_HEADER = ["序号", "姓名", "性别", "人员类别", "入党时间", "转正时间", "所在党小组", "转入时间", "公民身份号码"]
ROSTER = [
    [1, "李晓梅", "女", "正式党员", "2005-05-10", "2006-05-10", "第一党小组", "2012-09-01", "110101198001011234"],
    [2, "陈志强", "男", "正式党员", "2008-11-20", "2009-11-20", "第一党小组", "2015-03-01", "110101198202022345"],
    [3, "刘芳", "女", "正式党员", "2010-06-01", "2011-06-01", "第二党小组", "2016-09-01", "110101198503033456"],
    [4, "孙悦", "女", "正式党员", "2014-12-01", "2015-12-01", "第一党小组", "2018-07-01", "110101199004044567"],
    [5, "赵磊", "男", "正式党员", "2012-06-18", "2013-06-18", "第二党小组", "2019-09-01", "110101198805055678"],
]


def write_roster(folder: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["计算机学院教工第一支部党员信息"])
    sheet.append(ROSTER_HEADER)
    for row in ROSTER:
        sheet.append(row)
    book.save(folder / "党员信息.xlsx")


def edit_record(folder: Path) -> None:
    """What the secretary does before `git add`: write the reason of an absence into the record."""
    record = folder / "records" / "2026" / "2026-03-11-党小组会.yaml"
    text = record.read_text(encoding="utf-8")
    assert "出差" in text, text
    record.write_text(text.replace("出差", "出差（赴北京参加学术会议）", 1), encoding="utf-8")


# Lines that need something done first, before they run as written: (page, line) -> (action, why).
PREPARED = {
    (GETTING_STARTED.name, "zhibu member import 党员信息.xlsx --dry-run"): (
        write_roster,
        "the spreadsheet the secretary exports from the member system",
    ),
    (DAILY_USE.name, "git add records/2026/2026-03-11-党小组会.yaml"): (
        edit_record,
        "the manual's point is committing an edit made in an editor: make one",
    ),
    (DAILY_USE.name, "zhibu close 2026-03"): (
        (
            "zhibu meeting add --type 主题党日 --date 2026-03-27 --place 学院党员活动室 --recorder 李晓梅"
            " --theme 学雷锋志愿服务 --topic 到社区开展学雷锋志愿服务 --plan 2026-03-活动-1"
        ),
        "the manual closes March once its check is clean (检查无误后关账); March also had its 主题党日",
    ),
}


@dataclass
class Expect:
    status: int | tuple[int, ...] = 0
    contains: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    check: object = None  # a function of the output, for what a substring cannot say


def check_summary(out: str):
    assert re.search(r"^(未通过|通过)：\d+ 个错误", out, re.M), out


# A new branch has no records for the months of this year already past: `zhibu check` lists them
# (exit 1) until they are registered, as getting-started.md says; which months depends on today.
CHECK_ON_NEW_BRANCH = Expect(status=(0, 1), check=check_summary)


def line_count(count: int):
    def check(out: str):
        assert len(out.splitlines()) == count, out

    return check


def written_docx(out: str):
    assert re.search(r"^已生成 .*\.docx$", out, re.M), out
    assert Path(out.split("已生成 ", 1)[1].splitlines()[0]).is_file(), out


ROSTER_NAMES = [row[1] for row in ROSTER]

# The demo's committee was elected 2024-07-05 for three years: until its term ends, the demo's 2025
# passes the check; after that, `check` also reports org.term-expired (an error) as of today.
DEMO_CHECK = Expect(status=0 if dt.date.today() <= dt.date(2027, 7, 4) else (0, 1), check=check_summary)

EXPECTED: dict[tuple[str, str], Expect] = {
    # README: what each line of the quick start says it shows.
    (README.name, "zhibu demo 示例支部"): Expect(contains=["已在 示例支部 创建示例支部"]),
    (README.name, "zhibu meeting list --year 2025"): Expect(contains=["应到", "实到", "records/2025/"]),
    (README.name, "zhibu member list --on 2025-07-01"): Expect(contains=["2025-07-01 在册 11 人"]),
    (README.name, "zhibu committee show"): Expect(contains=["任期 3 年", "书记      王建国", "党小组组长", "第一党小组  陈志强"]),
    (README.name, "zhibu check --year 2025"): DEMO_CHECK,
    (README.name, "git log --oneline | head"): Expect(check=line_count(10)),
    # getting-started.md
    (GETTING_STARTED.name, "zhibu --version"): Expect(contains=["zhibu "]),
    (GETTING_STARTED.name, "zhibu demo 示例支部"): Expect(contains=["已在 示例支部 创建示例支部"]),
    (GETTING_STARTED.name, "zhibu check --year 2025"): DEMO_CHECK,
    # the demo's year seen from 2025-03-10: the month's meetings and plan items are due
    (GETTING_STARTED.name, "zhibu due --as-of 2025-03-10"): Expect(contains=["2025-03-10 起 31 天内", "依据："]),
    (GETTING_STARTED.name, "git log --oneline | head"): Expect(check=line_count(10)),
    (GETTING_STARTED.name, "zhibu member import 党员信息.xlsx --dry-run"): Expect(
        contains=[*ROSTER_NAMES, "新增 5 人", "未写入", "已忽略的个人信息列"], absent=["110101"]
    ),
    (GETTING_STARTED.name, "zhibu member import 党员信息.xlsx"): Expect(contains=["已导入：新增 5 人", "已提交"]),
    (GETTING_STARTED.name, "zhibu committee show"): Expect(contains=["书记      王建国", "纪检委员  刘芳"]),
    (GETTING_STARTED.name, "zhibu plan new --year 2026"): Expect(contains=["plans/2026.yaml", "已提交"]),
    (GETTING_STARTED.name, "zhibu check"): CHECK_ON_NEW_BRANCH,
    (GETTING_STARTED.name, "zhibu hooks install"): Expect(contains=["已安装 pre-commit 钩子"]),
    # daily-use.md
    (DAILY_USE.name, "zhibu due"): Expect(contains=["起 31 天内"]),
    (DAILY_USE.name, "zhibu due --days 90"): Expect(contains=["起 90 天内"]),
    (DAILY_USE.name, "zhibu talk add 王建国 孙悦 --date 2026-02-14 --form 面谈"): Expect(contains=["已提交"]),
    (DAILY_USE.name, "zhibu check"): CHECK_ON_NEW_BRANCH,
    (DAILY_USE.name, "zhibu plan check"): Expect(contains=["已完成  2026-03-学习-1  3月", "2026-03-11-党小组会"]),
    (DAILY_USE.name, "zhibu close 2026-03"): Expect(contains=["已关账：标签 zhibu/close/2026-03", "0 个错误"]),
    (DAILY_USE.name, "zhibu doc signin --type 党小组会 --group 第一党小组 --date 2026-03-11"): Expect(check=written_docx),
    (DAILY_USE.name, "zhibu doc minutes 2026-03-11"): Expect(check=written_docx),
    (DAILY_USE.name, 'git commit -m "补记党小组会缺席原因"'): Expect(contains=["补记党小组会缺席原因", "1 file changed"]),
    (DAILY_USE.name, "zhibu doc ledger --year 2026"): Expect(check=written_docx),
}


@dataclass
class Shell:
    """A secretary's terminal: one HOME, the folder the last `cd` went to, `zhibu` on PATH."""

    home: Path
    cwd: Path
    env: dict
    log: list = field(default_factory=list)

    @classmethod
    def fresh(cls, tmp_path: Path) -> Shell:
        home = tmp_path / "home"
        work = tmp_path / "work"
        bin_dir = tmp_path / "bin"
        for folder in (home, work, bin_dir):
            folder.mkdir()
        shim = bin_dir / "zhibu"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m zhibu "$@"\n', encoding="utf-8")
        shim.chmod(0o755)
        env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "ZHIBU_"))}
        env.update(
            HOME=str(home),
            PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
            PYTHONPATH=str(ROOT / "src"),
            GIT_CONFIG_NOSYSTEM="1",
            LANG="C.UTF-8",
            LC_ALL="C.UTF-8",
        )
        for key in ("EDITOR", "VISUAL", "PAGER", "GIT_PAGER", "XDG_CONFIG_HOME"):
            env.pop(key, None)
        return cls(home=home, cwd=work, env=env)

    def run(self, line: str) -> subprocess.CompletedProcess:
        # `cd X && …` or a bare `cd X`: run it, then ask the shell where it ended up.
        script = f'{line}\nstatus=$?\npwd > "$ZHIBU_MANUAL_PWD"\nexit $status'
        pwd_file = self.home.parent / "pwd.txt"
        result = subprocess.run(
            ["bash", "-c", script],
            cwd=self.cwd,
            env={**self.env, "ZHIBU_MANUAL_PWD": str(pwd_file)},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
            text=True,
            timeout=120,
        )
        self.cwd = Path(pwd_file.read_text(encoding="utf-8").strip())
        self.log.append((line, result))
        return result


def default_expect(line: str) -> Expect:
    """Every write the manual shows is validated, written and committed (README: 先校验，再写文件，再作一次 git 提交)."""
    if line.startswith("zhibu meeting add"):
        return Expect(contains=["已写入 records/2026/", "已提交"])
    if line.startswith(("zhibu member add", "zhibu committee elect", "zhibu committee group-leader", "zhibu init")):
        return Expect(contains=["已提交"])
    return Expect()


def run_page(shell: Shell, page: Path, lines: list[str]) -> None:
    for line in lines:
        prepare = PREPARED.get((page.name, line))
        if prepare and isinstance(prepare[0], str):
            done = shell.run(prepare[0])
            assert done.returncode == 0 and "Traceback" not in done.stderr, done.stdout + done.stderr
        elif prepare:
            prepare[0](shell.cwd)
        if line in SUBSTITUTED:
            replacement = SUBSTITUTED[line][0]
            if replacement is None:
                continue
            line = replacement
        expect = EXPECTED.get((page.name, line)) or default_expect(line)
        result = shell.run(line)
        out = result.stdout + result.stderr
        where = f"{page.name}: `{line}` (in {shell.cwd})\n{out}"
        assert "Traceback" not in out, where
        allowed = expect.status if isinstance(expect.status, tuple) else (expect.status,)
        assert result.returncode in allowed, f"exit {result.returncode}, the manual says {expect.status}: {where}"
        for text in expect.contains:
            assert text in out, f"{text!r} missing: {where}"
        for text in expect.absent:
            assert text not in out, f"{text!r} shown: {where}"
        if expect.check:
            expect.check(out)


def test_every_substituted_line_is_in_the_manual():
    """The table of exceptions does not outlive the lines it excuses."""
    every = set(quick_start()) | {line for page in (GETTING_STARTED, DAILY_USE) for b in commands(page) for line in b}
    assert set(SUBSTITUTED) <= every, set(SUBSTITUTED) - every
    assert {line for _, line in PREPARED} <= every
    assert {line for _, line in EXPECTED} <= every | {r for r, _ in SUBSTITUTED.values() if r}


def test_readme_first_command_reports_what_it_says(tmp_path):
    shell = Shell.fresh(tmp_path)
    shutil.copytree(ROOT / "sample-branch", shell.cwd / "sample-branch")
    result = shell.run(README_FIRST_CHECK)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "通过：0 个错误，2 个警告，1 个提示，1 个已豁免。" in result.stdout, result.stdout


def test_readme_quick_start(tmp_path):
    shell = Shell.fresh(tmp_path)
    (shell.home / ".gitconfig").write_text("[user]\n\tname = 王建国\n\temail = wangjianguo@example.edu.cn\n")
    run_page(shell, README, quick_start())


def test_getting_started_then_daily_use(tmp_path):
    """A new secretary follows getting-started.md, then the month of daily-use.md on the branch it built."""
    shell = Shell.fresh(tmp_path)
    run_page(shell, GETTING_STARTED, [line for block in commands(GETTING_STARTED) for line in block])
    assert shell.cwd.name == "教工第一支部"
    run_page(shell, DAILY_USE, [line for block in commands(DAILY_USE) for line in block])


# daily-use.md's table 党员的变动: each row's commands, with the placeholders filled in for the demo
# branch (whose records end in 2025, so people joining in 2026 meet no earlier record). A row whose
# text changes in the manual fails here until this table follows it.
CHANGES_ROW = re.compile(r"^\| (\S[^|]*?) \| (.*`zhibu .*) \|$", re.M)
VOTING_DRAFT = """\
type: 支部党员大会
date: {date}
place: 学院党员活动室
recorder: 张伟
topics: [{topic}]
resolutions:
  - text: {text}
    kind: {kind}
    person: {person}
    votes: {{for: 10, against: 0, abstain: 0}}
"""


def write_draft(name: str, **fields):
    def prepare(folder: Path) -> None:
        (folder / name).write_text(VOTING_DRAFT.format(**fields), encoding="utf-8")

    return prepare


def write_export(folder: Path) -> None:
    """The member system's export a year later: 林静's row unchanged, so nothing is written."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "性别", "人员类别", "入党时间"])
    sheet.append(["林静", "女", "正式党员", "2014-06-20"])
    book.save(folder / "导出表.xlsx")


# situation -> [(the command as the manual writes it, as run, preparation or None)]
CHANGES = {
    "转入本支部": [
        (
            "zhibu member add 姓名 --status 正式党员 --admitted 入党日期 --full-since 转正日期 --joined 转入日期 --group 党小组",
            "zhibu member add 钱明 --status 正式党员 --admitted 2016-05-04 --full-since 2017-05-04 --joined 2026-04-01 --group 第二党小组",
            None,
        )
    ],
    "接收预备党员": [
        (
            "支部党员大会的记录（含表决票数）",
            "zhibu meeting add --from 接收.yaml",
            write_draft(
                "接收.yaml",
                date="2026-04-10",
                topic="讨论接收吴新为预备党员",
                text="同意接收吴新为中共预备党员",
                kind="接收预备党员",
                person="吴新",
            ),
        ),
        (
            "zhibu member add 姓名 --status 预备党员 --admitted 大会日期 --joined 大会日期 --group 党小组",
            "zhibu member add 吴新 --status 预备党员 --admitted 2026-04-10 --joined 2026-04-10 --group 第二党小组",
            None,
        ),
    ],
    "预备党员转正": [
        (
            "支部党员大会的记录",
            "zhibu meeting add --from 转正.yaml",
            write_draft(
                "转正.yaml",
                date="2026-10-13",
                topic="讨论孙悦的转正申请",
                text="同意孙悦按期转为中共正式党员",
                kind="预备党员转正",
                person="孙悦",
            ),
        ),
        (
            "zhibu member edit 姓名 --status 正式党员 --full-since 转正日期",
            "zhibu member edit 孙悦 --status 正式党员 --full-since 2026-10-12",
            None,
        ),
    ],
    "组织关系转出": [
        (
            "zhibu member leave 姓名 --date 转出日期 --reason 转出至某某党委",
            "zhibu member leave 林静 --date 2026-11-30 --reason 转出至某某党委",
            None,
        )
    ],
    "支委届中变动": [
        (
            "zhibu committee change 姓名 --date 日期 --role 纪检委员 --action 补选",
            "zhibu committee change 周敏 --date 2026-11-25 --role 纪检委员 --action 补选",
            None,
        )
    ],
    "党小组换组长": [
        (
            "zhibu committee group-leader 第一党小组 姓名 --since 日期",
            "zhibu committee group-leader 第一党小组 周敏 --since 2026-11-01",
            None,
        )
    ],
    "上级系统中的名册有更新": [("zhibu member import 导出表.xlsx", "zhibu member import 导出表.xlsx", write_export)],
}


def test_daily_use_member_changes(tmp_path):
    """Every row of the table 党员的变动 runs, and the meetings that decided them stay clean."""
    rows = {m[1]: m[2] for m in CHANGES_ROW.finditer(DAILY_USE.read_text(encoding="utf-8"))}
    assert set(rows) == set(CHANGES), set(rows) ^ set(CHANGES)
    shell = Shell.fresh(tmp_path)
    (shell.home / ".gitconfig").write_text("[user]\n\tname = 王建国\n\temail = wangjianguo@example.edu.cn\n")
    assert shell.run("zhibu demo 示例支部 && cd 示例支部").returncode == 0
    for situation, steps in CHANGES.items():
        for as_written, as_run, prepare in steps:
            assert as_written in rows[situation], f"daily-use.md, {situation}: {as_written!r} is no longer there"
            if prepare:
                prepare(shell.cwd)
            result = shell.run(as_run)
            out = result.stdout + result.stderr
            assert result.returncode == 0 and "Traceback" not in out, f"{situation}: `{as_run}`\n{out}"
            assert "已提交" in out or "没有需要写入的改动" in out, out
    result = shell.run("zhibu check --year 2026")
    out = result.stdout + result.stderr
    # the meetings that admitted 吴新 and made 孙悦 a full member: no attendance or voting problem
    for code in (
        "record.attendance",
        "meeting.quorum",
        "meeting.vote-count",
        "meeting.vote-failed",
        "meeting.decision-body",
        "member.probation-overdue",
        "member.probation-outcome",
        "format.",
    ):
        assert code not in out, out
