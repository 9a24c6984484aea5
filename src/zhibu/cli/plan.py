"""zhibu plan: the year's plan (一表): draft, show, plan against actual, export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..report.table import table_text, wrap_cjk
from .base import DATE, branch_root, directory_option, group, load, report_outcome, write_options

TOPIC_WIDTH = 30
"""Display columns of the topic column in the terminal; longer topics wrap."""


@group("plan", "一表：生成年度计划草稿、查看、对照实际、导出。")
def plan():
    pass


@plan.command("new")
@click.option("--year", type=int, required=True, metavar="年份", help="计划年度，如 2027。")
@click.option("--force", is_flag=True, help="计划已存在时覆盖（原文件的改动会被覆盖，git 历史中仍可找回）。")
@directory_option
@write_options
def new(year, force, directory, dry_run, no_commit):
    """生成某年的年度计划（一表）草稿 plans/<年>.yaml。

    每月至少一项学习、一项活动：主题取自上级规则包（T）的 monthly_topics，
    没有的月份用通用主题；每季度末月的学习安排为党课。主题党日按 zhibu.yaml
    的 theme_day 排定日期，规则写明“遇节假日顺延”的，按国家法定节假日和调休
    顺延到下一个工作日。责任人：党课为书记，学习为宣传委员，活动为组织委员
    （空缺时为书记）。生成后请支委会研究修改。

    \b
    示例：
        zhibu plan new --year 2027
        zhibu plan new --year 2027 --dry-run      只显示草稿，不写文件
    """
    from ..write.plans import new_plan

    outcome, draft = new_plan(branch_root(directory), year, force=force, commit=not no_commit, dry_run=dry_run)
    for warning in draft.warnings:
        click.echo(f"注意：{warning}", err=True)
    report_outcome(outcome, dry_run=dry_run)


def _default_year(year: int | None) -> int:
    return year or dt.date.today().year


def _date_text(day: dt.date | None) -> str:
    from ..store.holidays import weekday_name

    return f"{day.isoformat()} {weekday_name(day)}" if day else ""


@plan.command("show")
@click.option("--year", type=int, metavar="年份", help="计划年度，默认今年。")
@directory_option
def show(year, directory):
    """在终端中显示年度计划（一表）。

    \b
    示例：
        zhibu plan show --year 2025
    """
    from ..write.plans import require_plan, sorted_items

    loaded = load(branch_root(directory))
    the_plan = require_plan(loaded, _default_year(year))
    rows, last_month = [], None
    for item in sorted_items(the_plan):
        month = f"{item.month}月" if item.month != last_month else ""
        last_month = item.month
        rows.append(
            [
                month,
                item.kind,
                item.id or "",
                wrap_cjk(item.topic, TOPIC_WIDTH),
                item.type or "",
                _date_text(item.date),
                item.owner or "",
            ]
        )
    name = loaded.branch.config.display_name
    click.echo(f"{name} {the_plan.year} 年度计划（一表）\n")
    click.echo(table_text(rows, ["月份", "类别", "编号", "内容", "形式", "日期", "责任人"], pad=True))
    kinds = {k: sum(1 for i in the_plan.items if i.kind == k) for k in ("学习", "活动")}
    click.echo(f"\n共 {len(the_plan.items)} 项：学习 {kinds['学习']} 项，活动 {kinds['活动']} 项。")


@plan.command("check", short_help="计划对照实际：已完成、未完成、待办，以及计划外的记录。")
@click.option("--year", type=int, metavar="年份", help="计划年度，默认今年。")
@click.option("--as-of", "as_of", type=DATE, help="按该日期判断哪些月份已结束（默认今天）。")
@directory_option
def check(year, as_of, directory):
    """对照实际：每个计划条目已完成（列出落实的记录）、未完成（该月已结束仍无记录）
    或待办（该月尚未结束）；并列出计作学习、活动但不在计划中的记录。

    判断“完成”的口径与 zhibu check 相同：记录的 plan: 写明条目编号，或同月记录
    的类型与条目一致且计作同一类别。

    \b
    示例：
        zhibu plan check --year 2025 --as-of 2025-12-31
    """
    from ..write.plans import DONE, MISSING, PENDING, STATE_WORDS, plan_status, require_plan

    loaded = load(branch_root(directory))
    as_of = as_of or dt.date.today()
    the_plan = require_plan(loaded, year or as_of.year)
    status = plan_status(loaded.branch, the_plan, as_of)
    click.echo(f"{loaded.branch.config.display_name} {the_plan.year} 年度计划执行情况（截至 {as_of}）\n")
    rows = []
    for state in status.items:
        item, record = state.item, state.record
        carried = Path(record.source.path).stem if record else ""
        rows.append(
            [STATE_WORDS[state.state], item.id or "", f"{item.month}月", item.kind, wrap_cjk(item.topic, TOPIC_WIDTH), carried]
        )
    click.echo(table_text(rows, ["状态", "编号", "月份", "类别", "内容", "落实的记录"], pad=True))
    click.echo("")
    if status.unplanned:
        click.echo("计作学习、活动但不在计划中的记录：\n")
        urows = []
        for entry in status.unplanned:
            r = entry.record
            urows.append(
                [
                    r.date.isoformat(),
                    r.type_label,
                    "、".join(k for k in ("学习", "活动") if k in r.plan_kinds),
                    r.source.path,
                    entry.note,
                ]
            )
        click.echo(table_text(urows, ["日期", "类型", "计作", "文件", "说明"], pad=True))
        click.echo("")
    click.echo(
        f"计划 {len(status.items)} 项：已完成 {status.count(DONE)} 项，未完成 {status.count(MISSING)} 项，"
        f"待办 {status.count(PENDING)} 项；计划外记录 {len(status.unplanned)} 条。"
    )
    if status.count(MISSING):
        click.echo("未完成的条目：补开并记录（记录中写 plan: 条目编号），或经支委会研究调整计划并说明原因。")


@plan.command("export")
@click.option("--year", type=int, required=True, metavar="年份", help="计划年度。")
@click.option(
    "--xlsx",
    "xlsx",
    type=click.Path(dir_okay=False, writable=True),
    required=True,
    metavar="文件",
    help="导出为 Excel 工作簿（.xlsx）。",
)
@directory_option
def export(year, xlsx, directory):
    """导出年度计划（一表），供上级党组织汇总。

    \b
    示例：
        zhibu plan export --year 2025 --xlsx 2025年度计划.xlsx
    """
    from ..render.xlsx import write_plan_xlsx
    from ..write.plans import require_plan

    loaded = load(branch_root(directory))
    the_plan = require_plan(loaded, year)
    path = Path(xlsx)
    write_plan_xlsx(the_plan, loaded.branch, path)
    click.echo(f"已导出 {path}（{len(the_plan.items)} 项）。")
