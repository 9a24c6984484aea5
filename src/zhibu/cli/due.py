"""zhibu due and zhibu calendar: what the standard requires soon, in the terminal and as .ics."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .base import DATE, ZhibuCommand, branch_root, directory_option, load

_LATE_KINDS = ("term", "probation")


@click.command("due", cls=ZhibuCommand)
@click.option("--days", type=click.IntRange(0, 366), default=31, show_default=True, help="列出从检查日起多少天内到期的事项。")
@click.option("--as-of", "as_of", type=DATE, help="按该日期计算（默认今天）。")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@directory_option
def due_command(days, as_of, output, directory):
    """列出近期按标准要做的事：本月还没开的支委会、党小组会，本季度的党课，
    本月主题党日的固定日，一表中本月尚未落实的计划，支委会任期届满，预备党员预备期满。

    按 zhibu check 的同一套规则（含上级 T 包、本支部 X 包收紧后的要求）和现有记录计算：
    已经达到要求的不再列出；登记了例外的不列出。已过期限仍未办的换届、转正也列出。

    \b
    示例：
        zhibu due
        zhibu due --days 90
        zhibu due --as-of 2026-03-10 --format json
    """
    from ..schedule.due import branch_calendar, due_items
    from ..standard.layers import build_standard

    root = branch_root(directory)
    branch = load(root).branch
    as_of = as_of or dt.date.today()
    last = as_of + dt.timedelta(days=days)
    calendar, note = branch_calendar(root, branch)
    horizon = as_of + dt.timedelta(days=366)
    everything = [
        i for i in due_items(branch, build_standard(branch), as_of, horizon, calendar=calendar, as_of=as_of) if not i.done
    ]
    shown = [i for i in everything if i.date <= last]
    later = [i for i in everything if i.date > last]
    if note:
        click.echo(f"注意：{note}", err=True)
    if output == "json":
        _print_json(as_of, last, shown, later)
        return
    click.echo(f"{as_of} 起 {days} 天内（至 {last}）需要办理的事项：")
    if not shown:
        click.echo("\n（没有）")
    for item in shown:
        click.echo("")
        click.echo(f"{_when(item, as_of)}  {item.title}")
        click.echo(f"    {item.detail}")
        if item.code:
            click.echo(f"    依据：{item.code}（{item.pack}）" if item.pack else f"    依据：{item.code}")
    click.echo("")
    summary = f"共 {len(shown)} 项。"
    if later:
        until = max(i.date for i in later)
        summary += f"另有 {len(later)} 项在 {last} 之后、{until} 之前到期，用 --days {min(366, (until - as_of).days)} 查看。"
    click.echo(summary)


def _when(item, as_of: dt.date) -> str:
    from ..store.holidays import weekday_name

    text = f"{item.date} {weekday_name(item.date)}"
    if item.date < as_of:
        text += "（已逾期）" if item.kind in _LATE_KINDS or item.deadline < as_of else f"（已过，{item.deadline} 前仍可办理）"
    return text


def _print_json(as_of, last, shown, later) -> None:
    from ..model.redact import dumps_clean

    def entry(item):
        return {
            "date": item.date.isoformat(),
            "deadline": item.deadline.isoformat(),
            "kind": item.kind,
            "title": item.title,
            "detail": item.detail,
            "code": item.code,
            "pack": item.pack,
            "key": item.key,
            "people": list(item.people),
        }

    data = {"as_of": as_of.isoformat(), "until": last.isoformat(), "items": [entry(i) for i in shown], "later": len(later)}
    click.echo(dumps_clean(data, indent=2))


@click.command("calendar", cls=ZhibuCommand)
@click.option("-o", "--output", "out", metavar="文件", help="写入的 .ics 文件（默认 工作日历-<年>.ics；写 - 输出到屏幕）。")
@click.option("--year", type=click.IntRange(1921, 2200), help="年度（默认今年）。")
@click.option(
    "--time", "at", metavar="时:分", help="把事项设为当天该时刻开始（北京时间，如 09:00），而不是全天事件；手机日历会按时提醒。"
)
@directory_option
def calendar_command(out, year, at, directory):
    """把一表中的计划和按标准的到期事项导出为 iCalendar（.ics）文件，供手机、电脑日历导入或订阅。

    包括：一年中的每项计划（已落实的标“✓”）；每月主题党日的固定日；支委会、党小组会、
    党课等尚未达到要求的期限（在期末一天）；换届准备、任期届满和预备期满。

    每个事项的编号（UID）由支部名称和事项本身决定，重新导出、重新导入时日历会更新原有事项，
    不会重复。同一份记录导出的文件逐字节相同。详见 docs/editors.md。

    \b
    示例：
        zhibu calendar
        zhibu calendar --year 2026 -o 支部日历.ics --time 09:00
    """
    from ..errors import ZhibuError
    from ..schedule.due import branch_calendar
    from ..schedule.ical import branch_ics, parse_time

    root = branch_root(directory)
    branch = load(root).branch
    year = year or dt.date.today().year
    start = None
    if at:
        start = parse_time(at)
        if start is None:
            raise ZhibuError(f"时刻“{at}”无效。", "写成 时:分，如 --time 09:00。")
    calendar, note = branch_calendar(root, branch)
    if note:
        click.echo(f"注意：{note}", err=True)
    data, count = branch_ics(root, branch, year, calendar=calendar, start=start)
    if out == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)  # bytes: CRLF must reach the file unchanged
        sys.stdout.buffer.flush()
        return
    path = Path(out) if out else Path(f"工作日历-{year}.ics")
    if path.is_dir():
        raise ZhibuError(f"{path} 是目录。", "用 -o 写出文件名，如 -o 支部日历.ics。")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ZhibuError(f"无法写入 {path}：{exc.strerror}。") from None
    click.echo(f"已写出 {path}：{year} 年 {count} 个事项。")
    click.echo("在手机或电脑日历中导入该文件；以后重新导出、导入会更新原有事项，不会重复。")
