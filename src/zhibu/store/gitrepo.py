"""git access: the only module that imports GitPython.

Commits go through the ``git`` program itself (``git commit``), so the
user's configuration, identity and hooks apply exactly as on the command line.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..errors import ZhibuError


def _git():
    try:
        import git
    except ImportError as exc:  # GitPython present but no git program
        raise ZhibuError("找不到 git 程序。", "请先安装 git（例如 apt-get install git）。") from exc
    return git


@contextlib.contextmanager
def open_repo(root: Path):
    """A GitPython Repo for ``root``, always closed (each open Repo keeps git child processes)."""
    git = _git()
    try:
        # A branch may sit inside a bigger repository (is_repo says so too).
        repo = git.Repo(root, search_parent_directories=True)
    except git.InvalidGitRepositoryError:
        raise ZhibuError(f"{root} 不是 git 仓库。", "运行 git init，或用 --no-commit 只写文件不提交。") from None
    except git.NoSuchPathError:
        raise ZhibuError(f"目录 {root} 不存在。") from None
    try:
        yield repo
    finally:
        repo.close()


def is_repo(root: Path) -> bool:
    """True when ``root`` is the top of a git work tree (a branch inside a bigger repository counts too)."""
    current = root.resolve()
    for folder in (current, *current.parents):
        if (folder / ".git").exists():
            return True
    return False


def init(root: Path) -> None:
    git = _git()
    try:
        git.Repo.init(root, initial_branch="main")
    except git.GitCommandError as exc:
        raise _translate(exc) from None


def commit(root: Path, paths: list[str], message: str, *, removed: list[str] = ()) -> str:
    """Stage exactly ``paths`` (and the removal of ``removed``) and commit them; returns the new sha.

    Only these paths are committed: whatever else the user has staged stays staged.
    """
    git = _git()
    with open_repo(root) as repo:
        run = git.Git(str(root))  # paths are relative to the branch root, which may be below the top
        try:
            if paths:
                run.add("--", *paths)
            if removed:
                run.rm("--cached", "--ignore-unmatch", "-q", "--", *removed)
            run.commit("-q", "-m", message, "--", *paths, *removed)
            return repo.head.commit.hexsha
        except git.GitCommandError as exc:
            with contextlib.suppress(git.GitCommandError):
                if repo.head.is_valid():
                    run.reset("-q", "--", *paths, *removed)
                else:
                    run.rm("--cached", "-q", "-r", "--ignore-unmatch", "--", *paths)
            raise _translate(exc) from None


def author_of_head(root: Path) -> tuple[str, str, str]:
    """(author name, email, message) of HEAD; for tests and messages."""
    with open_repo(root) as repo:
        head = repo.head.commit
        return head.author.name, head.author.email, head.message


def _translate(exc) -> ZhibuError:
    text = f"{exc.stderr or ''}\n{exc.stdout or ''}"
    if "Please tell me who you are" in text or "empty ident" in text or "unable to auto-detect email" in text:
        return ZhibuError(
            "git 不知道提交人是谁，无法提交。",
            '先设置：git config --global user.name "你的姓名" 和 git config --global user.email "邮箱"；或用 --no-commit 只写文件。',
        )
    if "dubious ownership" in text:
        return ZhibuError(
            "git 拒绝操作这个仓库：仓库属于另一个系统用户（dubious ownership）。",
            "确认仓库可信后运行 git config --global --add safe.directory <仓库路径>。",
        )
    if "index.lock" in text:
        return ZhibuError("git 仓库正被另一个 git 程序使用（存在 index.lock）。", "等它结束后重试；若没有 git 在运行，删除 .git/index.lock。")
    if "hook" in text.lower():
        return ZhibuError("git 钩子拒绝了这次提交：" + _last_line(text), "按钩子的提示改正后重试。")
    if not text.strip():  # a pre-commit hook that fails without a word
        return ZhibuError(
            f"git 提交失败（退出状态 {exc.status}，没有输出原因），常见原因是 pre-commit 等钩子拒绝了提交。",
            "改动已撤回，仓库保持原样；检查 .git/hooks 中的钩子后重试。",
        )
    return ZhibuError("git 提交失败：" + _last_line(text), "改动已撤回，仓库保持原样。")


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "未知错误"



def commit_as(root: Path, paths: list[str], message: str, *, author: str, email: str, when) -> str:
    """Commit ``paths`` with a chosen author and date (for ``zhibu demo`` and tests that replay history)."""
    git = _git()
    stamp = when.isoformat()
    env = {
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_COMMITTER_DATE": stamp,
    }
    with open_repo(root) as repo:
        run = git.Git(str(root))
        try:
            run.add("--", *paths)
            run.commit("-q", "--no-verify", "-m", message, "--", *paths, env=env)
            return repo.head.commit.hexsha
        except git.GitCommandError as exc:
            raise _translate(exc) from None


def clone_shallow(url: str, target: Path) -> None:
    """A depth-1 clone for reading files; nothing from the clone is ever executed."""
    git = _git()
    env = {"GIT_TERMINAL_PROMPT": "0"}  # fail instead of asking for a password
    try:
        git.Repo.clone_from(url, target, depth=1, env=env, no_checkout=False).close()
    except git.GitCommandError as exc:
        raise ZhibuError(f"无法获取 {url}：{_last_line(exc.stderr or '')}", "核对地址和网络；私有仓库请先配置好 git 凭据。") from None
