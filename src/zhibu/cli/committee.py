"""zhibu committee: committee terms (支部委员会), mid-term changes, the sitting committee."""

from __future__ import annotations

import datetime as dt

import click

from ..model.vocabulary import ROLES
from .base import DATE, branch_root, directory_option, group, load, print_table, report_outcome, write_options


@group("committee", "支部委员会：选举、届中变动、党小组组长、查看。")
def committee():
    pass


def _seat(value: str) -> tuple[str, str]:
    name, sep, role = value.partition("=")
    if not sep or not name.strip() or role.strip() not in ROLES:
        raise click.BadParameter(f"“{value}”应写成 姓名=职务，职务为 {' '.join(ROLES)} 之一", param_hint="'--seat'")
    return name.strip(), role.strip()


@committee.command("elect")
@click.option("--date", "date", type=DATE, required=True, help="选举日期（支部党员大会召开日）。")
@click.option(
    "--seat", "seats", multiple=True, required=True, metavar="姓名=职务", help="委员及分工，可重复，如 --seat 王建国=书记。"
)
@click.option("--term-years", type=click.IntRange(1, 10), help="任期年数；不写时按标准默认（村、社区5年，其他3年）。")
@click.option("--approved", type=DATE, help="上级党组织批准书记、副书记的日期。")
@directory_option
@write_options
def elect(date, seats, term_years, approved, directory, dry_run, no_commit):
    """登记新一届支部委员会（换届选举结果）。

    \b
    示例：
        zhibu committee elect --date 2026-06-20 --seat 王建国=书记 --seat 李晓梅=组织委员 \\
            --seat 陈志强=宣传委员 --seat 赵磊=纪检委员 --approved 2026-07-05
    """
    from ..write.edit import WriteOptions, committee_elect

    parsed = [_seat(s) for s in seats]
    outcome = committee_elect(
        branch_root(directory),
        date,
        parsed,
        WriteOptions(commit=not no_commit, dry_run=dry_run),
        term_years=term_years,
        approved=approved,
    )
    report_outcome(outcome, dry_run=dry_run)


@committee.command("change")
@click.argument("name", metavar="姓名", help="届中变动的委员。")
@click.option("--date", "date", type=DATE, required=True, help="变动日期。")
@click.option("--role", type=click.Choice(ROLES), required=True, help="涉及的职务（调整时为新职务）。")
@click.option("--action", type=click.Choice(["离任", "补选", "调整"]), required=True, help="变动类型。")
@click.option("--reason", help="原因，如 工作调动。")
@click.option("--approved", type=DATE, help="上级批准日期（书记、副书记）。")
@directory_option
@write_options
def change(name, date, role, action, reason, approved, directory, dry_run, no_commit):
    """登记现任委员会的届中变动：离任、补选、调整分工。

    \b
    示例：
        zhibu committee change 刘芳 --date 2025-03-01 --role 纪检委员 --action 离任 --reason 工作调动
        zhibu committee change 赵磊 --date 2025-03-20 --role 纪检委员 --action 补选
    """
    from ..write.edit import WriteOptions, committee_change

    outcome = committee_change(
        branch_root(directory),
        date,
        name,
        role,
        action,
        WriteOptions(commit=not no_commit, dry_run=dry_run),
        reason=reason,
        approved=approved,
    )
    report_outcome(outcome, dry_run=dry_run)


@committee.command("group-leader")
@click.argument("group_name", metavar="党小组", help="zhibu.yaml 中的党小组名称。")
@click.argument("name", metavar="姓名", help="新任组长（须为该党小组的党员）。")
@click.option("--since", "since", type=DATE, required=True, help="任组长之日（支部指定或党小组推荐产生之日）。")
@directory_option
@write_options
def group_leader(group_name, name, since, directory, dry_run, no_commit):
    """登记党小组组长：自某日起由某人任组长（原组长的任职记录保留）。

    组长须是该党小组在册的党员；任职日期须晚于现任组长的任职日期。

    \b
    示例：
        zhibu committee group-leader 第一党小组 张三 --since 2026-03-01
        zhibu committee group-leader 第二党小组 郑凯 --since 2026-03-01 --dry-run
    """
    from ..write.edit import WriteOptions, set_group_leader

    outcome = set_group_leader(
        branch_root(directory), group_name, name, since, WriteOptions(commit=not no_commit, dry_run=dry_run)
    )
    report_outcome(outcome, dry_run=dry_run)


@committee.command("show")
@click.option("--on", "on_date", type=DATE, help="查看该日的委员会（默认今天）。")
@directory_option
def show(on_date, directory):
    """查看某日在任的支部委员会、任期和党小组组长。"""
    branch = load(branch_root(directory)).branch
    day = on_date or dt.date.today()
    term = branch.committee.term_on(day)
    if term is None:
        click.echo(f"{day} 没有在任的支部委员会。")
        return
    from ..rules.org import term_defaults
    from ..standard.layers import build_standard

    defaults = term_defaults(build_standard(branch).rules.get("org.term-expired"))  # a T pack may set the default
    ends = term.ends(branch.config.category, **defaults)
    years = term.term_years or term.default_years(branch.config.category, **defaults)
    click.echo(
        f"本届委员会 {term.elected} 选举产生，任期 {years} 年，至 {ends}" + ("（经批准延期）" if term.extended_to else "") + "。"
    )
    if ends < day:
        click.echo(f"注意：任期已于 {ends} 届满。")
    seats = term.seats_on(day)
    print_table([[s.role, s.name, s.approved or ""] for s in seats], ["职务", "姓名", "上级批准"])
    changes = [c for c in term.changes if c.date <= day]
    if changes:
        click.echo("\n届中变动：")
        print_table(
            [[c.date, c.action, c.name, c.role, c.reason or ""] for c in changes], ["日期", "变动", "姓名", "职务", "原因"]
        )
    if branch.committee.group_leaders:
        click.echo("\n党小组组长：")
        rows = []
        for group, turns in branch.committee.leader_history:
            since = ""
            for name, start in turns:
                if start is None or start <= day:
                    since = str(start or "")
            rows.append([group, branch.committee.leader_on(group, day) or "（尚未任职）", since])
        print_table(rows, ["党小组", "组长", "任职自"])
