"""zhibu log: the history of a record, of the roster, or of everything about a member, in words."""

from __future__ import annotations

import click

from .base import DATE, ZhibuCommand, branch_root, load


@click.command("log", cls=ZhibuCommand)
@click.argument(
    "record", required=False, metavar="[记录或文件]", help="一条记录（文件路径、文件名或日期）或任何一个支部文件的路径。"
)
@click.option("--member", "member", metavar="姓名", help="列出与此人有关的全部改动（所有文件）。")
@click.option("--since", type=DATE, help="只列出该日及以后提交的改动。")
@click.option("-C", "directory", metavar="目录", help="支部仓库所在目录（默认从当前目录向上查找）。")
def log_command(record, member, since, directory):
    """用中文逐字段列出 git 中的改动历史：谁在何时新建、修改了什么。

    不写记录时，列出名册、支委会（含党小组组长）和 zhibu.yaml 的历史。可以写任何一个支部文件的
    路径（committee.yaml、plans/2026.yaml、talks/2026.yaml、dues/2026.yaml …）；记录还可写文件名
    或日期。文件改过名的，历史会跟到改名之前。--member 列出所有文件中与此人有关的改动（名册、
    支委会和组长、记录、谈心谈话、党费、计划、发展党员、例外）。提交日期由提交者的电脑设定，只是旁证。

    \b
    示例：
        zhibu log 2026-03-05
        zhibu log committee.yaml
        zhibu log --member 刘芳 --since 2026-01-01
    """
    from ..history.trail import history_log
    from ..write.edit import find_record

    root = branch_root(directory)
    path = None
    if record:
        # Any file of the branch by its path (committee.yaml, plans/2026.yaml …); a record also by
        # its file name or date.
        given = record.strip().removeprefix("./")
        path = given if (root / given).is_file() else find_record(load(root).branch, record).source.path
    entries = history_log(root, record=path, member=member, since=since)
    for entry in entries:
        click.echo(entry.line())
    if not entries:
        click.echo("（没有改动记录）")
