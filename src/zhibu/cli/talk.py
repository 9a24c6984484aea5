"""zhibu talk: the 谈心谈话 ledger (who and when, never the content)."""

from __future__ import annotations

import datetime as dt

import click

from .base import DATE, branch_root, directory_option, group, load, print_table, report_outcome, write_options


@group("talk", "谈心谈话登记（只记谁与谁、何时，不记内容）。")
def talk():
    pass


@talk.command("add")
@click.argument("first", metavar="甲", help="谈话的一方（名册中的姓名）。")
@click.argument("second", metavar="乙", help="谈话的另一方。")
@click.option("--date", "date", type=DATE, required=True, help="谈话日期。")
@click.option("--form", type=click.Choice(["面谈", "电话", "视频", "书面", "其他"]), help="形式。")
@directory_option
@write_options
def add(first, second, date, form, directory, dry_run, no_commit):
    """登记一次谈心谈话。

    \b
    示例：
        zhibu talk add 王建国 孙悦 --date 2026-02-14 --form 面谈
    """
    from ..write.edit import WriteOptions, add_talk

    outcome = add_talk(branch_root(directory), date, (first, second), form, WriteOptions(commit=not no_commit, dry_run=dry_run))
    report_outcome(outcome, dry_run=dry_run)


@talk.command("list")
@click.option("--year", type=int, help="年份，默认今年。")
@click.option("--member", "person", help="只列出与此人有关的谈话。")
@directory_option
def list_talks(year, person, directory):
    """列出某年的谈心谈话。"""
    branch = load(branch_root(directory)).branch
    year = year or dt.date.today().year
    talks = [t for t in branch.talks_in(year) if person is None or person in t.between]
    print_table([[t.date, t.between[0], t.between[1], t.form or ""] for t in talks], ["日期", "甲", "乙", "形式"])
    click.echo(f"\n{year} 年共 {len(talks)} 次。")
