"""Shared fixtures: small branches on disk, the same as git repositories, and the CLI runner.

Nothing here depends on the developer's git configuration: every test runs with
``GIT_CONFIG_GLOBAL`` pointing at an empty file and without system config, and
repositories made by :func:`git_branch` carry their own ``user.name``/``user.email``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = REPO_ROOT / "sample-branch"

GIT_USER = "测试书记"
GIT_EMAIL = "shuji@example.org"

DEFAULT_ZHIBU = """\
format: 1
name: 中共测试大学计算机学院教工第一支部委员会
parent: 中共测试大学计算机学院委员会
category: 高校
groups: [第一党小组, 第二党小组]
"""

# Six members in two groups: 王建国 书记, 李晓梅 组织委员, 陈志强 宣传委员 sit on the committee.
DEFAULT_MEMBERS = """\
# 党员名册（测试用）
members:
  - name: 王建国
    status: 正式党员
    admitted: 1998-06-20
    full_since: 1999-06-20
    joined: 2012-09-01
    group: 第一党小组
  - name: 李晓梅
    status: 正式党员
    admitted: 2003-06-28
    full_since: 2004-06-28
    joined: 2012-09-01
    group: 第二党小组
  - name: 陈志强
    status: 正式党员
    admitted: 2006-05-12
    full_since: 2007-05-12
    joined: 2013-07-01
    group: 第一党小组
  - name: 刘芳
    status: 正式党员
    admitted: 2009-11-20
    full_since: 2010-11-20
    joined: 2014-09-01
    group: 第二党小组
  - name: 赵磊
    status: 正式党员
    admitted: 2012-06-15
    full_since: 2013-06-15
    joined: 2017-09-01
    group: 第二党小组
  - name: 孙悦
    status: 预备党员
    admitted: 2025-10-12
    joined: 2025-10-12
    group: 第一党小组
"""

DEFAULT_COMMITTEE = """\
terms:
  - elected: 2023-06-20
    members:
      - {name: 王建国, role: 书记, approved: 2023-07-05}
      - {name: 李晓梅, role: 组织委员}
      - {name: 陈志强, role: 宣传委员}
group_leaders:
  第一党小组: 陈志强
  第二党小组: 李晓梅
"""

DEFAULTS = {
    "zhibu.yaml": DEFAULT_ZHIBU,
    "members.yaml": DEFAULT_MEMBERS,
    "committee.yaml": DEFAULT_COMMITTEE,
}


def record_text(**overrides) -> str:
    """A valid 支部委员会 record of the default branch on 2026-03-05, with fields replaced.

    A value of None removes the key.
    """
    fields = {
        "type": "支部委员会",
        "date": "2026-03-05",
        "place": "学院党员活动室",
        "host": "王建国",
        "recorder": "李晓梅",
        "attendees": "[王建国, 李晓梅, 陈志强]",
        "topics": "[研究三月份主题党日活动方案]",
    }
    fields.update(overrides)
    return "".join(f"{key}: {value}\n" for key, value in fields.items() if value is not None)


def _write(root: Path, files: dict) -> None:
    for rel, content in files.items():
        if content is None:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory, monkeypatch):
    """No test sees the developer's global or system git config, identity or editor."""
    empty = tmp_path_factory.getbasetemp() / "empty-gitconfig"
    empty.touch()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_AUTHOR_DATE",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "GIT_COMMITTER_DATE",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "EMAIL",
        "EDITOR",
        "VISUAL",
    ):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def git_identity(monkeypatch):
    """Author/committer in the environment, for commands that make a repository themselves (init)."""
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", GIT_USER)
        monkeypatch.setenv(f"GIT_{role}_EMAIL", GIT_EMAIL)


@pytest.fixture
def make_branch(tmp_path):
    """``make_branch(files) -> Path``: a branch folder from dedented YAML texts.

    zhibu.yaml, members.yaml and committee.yaml get defaults unless given; a value
    of None leaves that file out; bytes are written as they are.
    """
    counter = {"n": 0}

    def make(files: dict | None = None, *, defaults: bool = True) -> Path:
        counter["n"] += 1
        root = tmp_path / f"branch{counter['n']}"
        root.mkdir()
        merged = dict(DEFAULTS) if defaults else {}
        merged.update(files or {})
        _write(root, merged)
        return root

    return make


def git(root: Path, *args: str, check: bool = True) -> str:
    """Run git in ``root`` and return its stdout (trailing whitespace removed)."""
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout.rstrip()


def init_repo(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", GIT_USER)
    git(root, "config", "user.email", GIT_EMAIL)
    git(root, "config", "commit.gpgsign", "false")


@pytest.fixture
def git_branch(make_branch):
    """Like make_branch, but a git repository with a repo-local identity and one initial commit."""

    def make(files: dict | None = None, *, defaults: bool = True) -> Path:
        root = make_branch(files, defaults=defaults)
        init_repo(root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "初始")
        return root

    return make


class Repo:
    """Small helpers for asserting on git state."""

    def __init__(self, root: Path):
        self.root = root

    def head(self) -> str:
        return git(self.root, "rev-parse", "HEAD")

    def count(self) -> int:
        return int(git(self.root, "rev-list", "--count", "HEAD"))

    def status(self) -> str:
        return git(self.root, "status", "--porcelain", "--untracked-files=all")

    def message(self, rev: str = "HEAD") -> str:
        return git(self.root, "log", "-1", "--format=%B", rev)

    def author(self, rev: str = "HEAD") -> tuple[str, str]:
        name, email = git(self.root, "log", "-1", "--format=%an%n%ae", rev).splitlines()
        return name, email

    def changed(self, rev: str = "HEAD") -> list[str]:
        out = git(self.root, "-c", "core.quotepath=off", "show", "--name-only", "--format=", rev)
        return [line for line in out.splitlines() if line]


@pytest.fixture
def repo():
    return Repo


@pytest.fixture
def run(monkeypatch):
    """``run(*args, cwd=None, input=None, env=None)``: invoke ``zhibu`` in-process.

    Returns click's Result with ``exit_code``, ``stdout`` and ``stderr`` kept apart.
    """
    from zhibu.cli import cli

    def invoke(*args, cwd: Path | None = None, input: str | None = None, env: dict | None = None):
        runner = CliRunner()
        with monkeypatch.context() as patch:
            if cwd is not None:
                patch.chdir(cwd)
            return runner.invoke(cli, [str(a) for a in args], input=input, env=env, prog_name="zhibu")

    return invoke


def zhibu_command() -> list[str]:
    """How to start the installed zhibu in a subprocess."""
    exe = Path(sys.executable).with_name("zhibu")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "zhibu"]


def subprocess_env(**extra) -> dict:
    env = dict(os.environ)
    env.update(extra)
    return env
