"""zhibu member: the roster (党员名册)."""

from __future__ import annotations

import datetime as dt

import click

from .base import DATE, branch_root, directory_option, group, load, print_table, report_outcome, write_options

STATUS = click.Choice(["正式党员", "预备党员"])
GENDER = click.Choice(["男", "女"])


@group("member", "党员名册：登记、查看、修改、转出。")
def member():
    pass


@member.command("add")
@click.argument("name")
@click.option("--status", type=STATUS, required=True, help="党员身份。")
@click.option("--admitted", type=DATE, required=True, help="入党时间（接收为预备党员的日期）。")
@click.option("--full-since", type=DATE, help="转正日期（正式党员必填）。")
@click.option("--joined", type=DATE, help="转入本支部日期，默认今天。")
@click.option("--gender", type=GENDER, help="性别。")
@click.option("--group", "group_name", help="所在党小组。")
@click.option("--tag", "tags", multiple=True, help="标签，可重复：领导干部 流动党员 退休 出国境 困难党员。")
@directory_option
@write_options
def add(name, status, admitted, full_since, joined, gender, group_name, tags, directory, dry_run, no_commit):
    """登记一名党员。

    \b
    示例：
        zhibu member add 孙悦 --status 预备党员 --admitted 2025-10-12 --joined 2025-10-12 --group 第二党小组
    """
    from ..edit import WriteOptions, add_member

    entry = {
        "name": name, "gender": gender, "status": status, "admitted": admitted, "full_since": full_since,
        "joined": joined or dt.date.today(), "group": group_name, "tags": list(tags),
    }
    outcome = add_member(branch_root(directory), entry, WriteOptions(commit=not no_commit, dry_run=dry_run))
    report_outcome(outcome, dry_run=dry_run)


@member.command("list")
@click.option("--on", "on_date", type=DATE, help="列出该日在册的党员（默认今天）。")
@click.option("--all", "show_all", is_flag=True, help="包括已离开本支部的党员。")
@directory_option
def list_members(on_date, show_all, directory):
    """列出党员名册。"""
    loaded = load(branch_root(directory))
    branch = loaded.branch
    day = on_date or dt.date.today()
    members = branch.members if show_all else branch.members_on(day)
    rows = []
    for m in members:
        state = m.status
        if m.left and m.left.date <= day:
            state += f"（{m.left.date} 离开）"
        elif m.joined > day:
            state += f"（{m.joined} 转入）"
        if m.discipline and m.discipline.active_on(day):
            state += f"（{m.discipline.kind}）"
        rows.append([m.name, m.gender or "", state, m.group or "", m.admitted or "", m.joined, "、".join(m.tags)])
    print_table(rows, ["姓名", "性别", "身份", "党小组", "入党时间", "入册", "标签"])
    click.echo(f"\n{day} 在册 {len(branch.members_on(day))} 人，其中有表决权 {len(branch.voters_on(day))} 人。")


@member.command("edit")
@click.argument("name")
@click.option("--status", type=STATUS, help="党员身份（转正时改为 正式党员，并写 --full-since）。")
@click.option("--full-since", type=DATE, help="转正日期。")
@click.option("--admitted", type=DATE, help="入党时间。")
@click.option("--joined", type=DATE, help="转入本支部日期。")
@click.option("--gender", type=GENDER, help="性别。")
@click.option("--group", "group_name", help="所在党小组。")
@click.option("--rename", help="更正姓名写法。")
@directory_option
@write_options
def edit(name, status, full_since, admitted, joined, gender, group_name, rename, directory, dry_run, no_commit):
    """修改一名党员的信息（只改给出的字段，保留文件中的注释和格式）。

    \b
    示例（预备党员转正）：
        zhibu member edit 孙悦 --status 正式党员 --full-since 2026-10-12
    """
    from ..edit import WriteOptions, edit_member

    updates = {
        key: value
        for key, value in (
            ("name", rename), ("status", status), ("full_since", full_since), ("admitted", admitted),
            ("joined", joined), ("gender", gender), ("group", group_name),
        )
        if value is not None
    }
    outcome = edit_member(branch_root(directory), name, updates, WriteOptions(commit=not no_commit, dry_run=dry_run))
    report_outcome(outcome, dry_run=dry_run)


@member.command("leave")
@click.argument("name")
@click.option("--date", "date", type=DATE, required=True, help="离开本支部的日期（当日起不再计入）。")
@click.option("--reason", help="原因，如 组织关系转出至某某党委。")
@directory_option
@write_options
def leave(name, date, reason, directory, dry_run, no_commit):
    """登记党员离开本支部（组织关系转出等）。名册保留其历史。"""
    from ..edit import WriteOptions, member_leave

    outcome = member_leave(branch_root(directory), name, date, reason, WriteOptions(commit=not no_commit, dry_run=dry_run))
    report_outcome(outcome, dry_run=dry_run)
