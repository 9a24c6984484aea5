"""zhibu hooks: a git pre-commit hook that refuses a commit adding an error to the records."""

from __future__ import annotations

import click

from .base import DATE, branch_root, directory_option, group


@group("hooks", "git 钩子：提交前自动检查暂存的记录，有新错误时拒绝提交。")
def hooks():
    pass


@hooks.command("install")
@directory_option
def install(directory):
    """安装 pre-commit 钩子：每次 git commit 前检查这次提交改动的记录文件。

    检查格式（format.*）和单条记录（record.*）中级别为“错误”的问题，只拦下这次提交新带来的错误；
    按月、按季度的频次等要求由 zhibu check 检查，不在提交时判断。钩子使用安装它的这个 zhibu。
    遵从 git 的 core.hooksPath 设置。已有 pre-commit 框架（pre-commit.com）的钩子时，
    装为它会先运行的 pre-commit.legacy，两者都生效；已有别的工具的钩子时不会覆盖它。
    也可以把 zhibu 写进 .pre-commit-config.yaml，见 docs/editors.md。

    \b
    示例：
        zhibu hooks install
        git commit --no-verify      确需跳过检查时
    """
    from ..write.hooks import BYPASS
    from ..write.hooks import install as install_hook

    path, replaced = install_hook(branch_root(directory))
    click.echo(f"{'已更新' if replaced else '已安装'} pre-commit 钩子：{path}")
    if path.name != "pre-commit":
        click.echo(f"这里已有 pre-commit 框架的钩子：zhibu 的钩子装为 {path.name}，由它在自己的检查之前运行。")
    click.echo(f"以后每次 git commit 前会检查暂存的记录；确需跳过时用 {BYPASS}。")


@hooks.command("uninstall")
@directory_option
def uninstall(directory):
    """删除 zhibu 安装的 pre-commit 钩子（别的工具的钩子不会删除）。"""
    from ..write.hooks import uninstall as uninstall_hook

    path = uninstall_hook(branch_root(directory))
    click.echo(f"已删除 pre-commit 钩子：{path}" if path else "没有安装 zhibu 的 pre-commit 钩子。")


@hooks.command("run")
@click.option("--as-of", "as_of", type=DATE, help="按该日期判断（默认今天）。")
@directory_option
def run(as_of, directory):
    """检查暂存区（git add 之后、提交之前）中的记录；由 pre-commit 钩子调用，也可手工运行。

    退出状态：0 可以提交；1 这次提交会带来新的错误。
    """
    from pathlib import Path

    from ..store import gitrepo
    from ..write.hooks import BYPASS, absolute_git_env, check_staged, describe

    absolute_git_env()
    start = Path(directory) if directory else Path.cwd()
    if not gitrepo.is_repo(start):
        from ..errors import ZhibuError

        raise ZhibuError(f"{start} 不在 git 仓库中。", f"在支部仓库中运行；要跳过钩子可用 {BYPASS}。")
    refusals = check_staged(gitrepo.toplevel(start), as_of)
    if refusals:
        click.echo(describe(refusals), err=True)
        raise SystemExit(1)
