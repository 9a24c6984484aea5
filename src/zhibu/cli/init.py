"""zhibu init and zhibu demo: starting a branch repository."""

from __future__ import annotations

from pathlib import Path

import click

from ..model.vocabulary import CATEGORIES
from .base import DATE, ZhibuCommand


@click.command("init", cls=ZhibuCommand)
@click.argument("directory", default=".", metavar="[目录]", help="新建支部仓库的目录（默认当前目录）。")
@click.option("--name", required=True, help="党组织全称，如 中共示例大学计算机学院教工第一支部委员会。")
@click.option("--parent", required=True, help="上级党组织全称。")
@click.option("--category", type=click.Choice(CATEGORIES), required=True, help="单位类别。")
@click.option("--short-name", help="简称，用于每份文书的标题；在终端中不给出时会询问。")
@click.option("--group", "groups", multiple=True, help="党小组名称，可重复。")
@click.option("--founded", type=DATE, help="成立日期。")
@click.option("--no-commit", is_flag=True, help="只写文件，不初始化 git、不提交。")
def init_command(directory, name, parent, category, short_name, groups, founded, no_commit):
    """新建支部仓库：git init，写入 zhibu.yaml、空的党员名册和委员会，并作首次提交。

    \b
    示例：
        zhibu init 教工第一支部 --name 中共示例大学计算机学院教工第一支部委员会 \\
            --parent 中共示例大学计算机学院委员会 --category 高校 --group 第一党小组 --group 第二党小组
    """
    from ..write.edit import init_branch
    from .base import interactive

    target = _under_c(directory)
    if short_name is None and interactive():
        short_name = (
            click.prompt(
                "简称（用于每份文书的标题，如 计算机学院教工第一党支部；直接回车则用全称）", default="", show_default=False
            ).strip()
            or None
        )
    sha = init_branch(
        target,
        name=name,
        parent=parent,
        category=category,
        short_name=short_name,
        groups=tuple(groups),
        founded=founded,
        commit=not no_commit,
    )
    click.echo(f"已在 {target} 新建支部 {name}。")
    if sha:
        click.echo(f"已提交 {sha[:8]}：新建支部 {name}")
    if not short_name:
        click.echo("没有设简称：文书标题将使用全称；要设简称，在 zhibu.yaml 中加一行 short_name: 简称。")
    click.echo("下一步：用 zhibu member add 登记党员，用 zhibu committee elect 登记支委会。")


@click.command("demo", cls=ZhibuCommand)
@click.argument("directory", metavar="目录", help="要创建的示例支部目录（须不存在或为空）。")
def demo_command(directory):
    """创建示例支部：一个虚构的高校教工党支部，含2025年全年记录和逐条提交的 git 历史。

    \b
    示例：
        zhibu demo 示例支部
        cd 示例支部 && zhibu meeting list && git log --oneline | head
    """
    from ..write.demo import create_demo

    count = create_demo(_under_c(directory))
    click.echo(f"已在 {directory} 创建示例支部，共 {count} 次提交。")
    click.echo(f"试试：cd {directory} && zhibu meeting list")


def _under_c(directory: str) -> Path:
    """``directory`` as seen from ``zhibu -C DIR`` (like ``git -C DIR init``), else from here."""
    base = (click.get_current_context().find_root().obj or {}).get("directory")
    return Path(base) / directory if base else Path(directory)
