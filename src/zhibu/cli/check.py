"""zhibu check: judge one branch against its standard (B+T+X)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .base import DATE, ZhibuCommand, branch_root


@click.command("check", cls=ZhibuCommand)
@click.argument("directory", required=False, metavar="[目录]", help="支部仓库（默认从当前目录向上查找）。")
@click.option("-C", "dash_c", metavar="目录", help="支部仓库所在目录（同位置参数）。")
@click.option("--as-of", "as_of", type=DATE, help="按该日期检查（默认今天）；同一仓库、同一日期，输出逐字节相同。")
@click.option("--year", type=click.IntRange(1921, 2200), help="检查的年度（默认为 --as-of 所在年）。")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@click.option("--sources", is_flag=True, help="在每条发现下列出所依据的规定原文。")
@click.option("--at", "at_rev", metavar="提交", help="按 git 中某个提交（或标签、分支）时的记录检查，不改动工作区。")
@click.option("--as-recorded", "as_recorded", type=DATE, help="按该日结束时 git 中已提交的记录检查（默认同时作为 --as-of）。")
@click.option(
    "--witness",
    "witness_file",
    type=click.Path(exists=True, dir_okay=False),
    help="上级保存的见证文件（zhibu audit witness 的输出），核对历史是否被改写。",
)
def check_command(directory, dash_c, as_of, year, output, sources, at_rev, as_recorded, witness_file):
    """对照标准（基本标准 B 加上 zhibu.yaml 中列出的 T、X 规则包）检查支部记录。

    退出状态：0 没有未豁免的错误；1 有错误；2 无法检查（不是支部仓库、zhibu.yaml 无法使用）。

    \b
    示例：
        zhibu check sample-branch --year 2025
        zhibu check --as-of 2026-03-31 --format json > 检查结果.json
    """
    from ..check import check_branch
    from ..report.printer import root_label, to_json, to_text

    root = branch_root(directory or dash_c)
    if at_rev and as_recorded:
        raise click.UsageError("--at 和 --as-recorded 只能用一个。")
    if as_recorded:
        at_rev = _commit_on(root, as_recorded)
        as_of = as_of or as_recorded
    as_of = as_of or dt.date.today()
    if year and year > as_of.year:
        raise click.BadParameter(f"{year} 年晚于检查日期 {as_of}", param_hint="--year")
    witness = Path(witness_file).read_text(encoding="utf-8").splitlines() if witness_file else None
    result = check_branch(root, as_of=as_of, year=year, at=at_rev, witness=witness)
    if output == "json":
        click.echo(to_json(result, root_label(root)), nl=False)
    else:
        click.echo(to_text(result, sources=sources), nl=False)
    if not result.loaded.config_ok:
        click.echo("错误：zhibu.yaml 无法使用，检查未能完成。", err=True)
    _note_interrupted_write(root)
    raise SystemExit(result.exit_code)


def _note_interrupted_write(root) -> None:
    """A write command was killed half-way: the files checked may hold its uncommitted change."""
    from ..store import journal

    if journal.path(root).exists():
        click.echo(
            "注意：上次有一条写入命令被中断，改动尚未收尾（工作区中可能有未提交的文件）；"
            "重试那条命令或运行任意写入命令时，zhibu 会先补完它。",
            err=True,
        )


def _commit_on(root, day: dt.date) -> str:
    """The last commit made by the end of ``day`` (commit dates are the committers' own)."""
    from ..errors import ZhibuError
    from ..store import gitrepo

    end = dt.datetime.combine(day, dt.time(23, 59, 59)).astimezone()
    sha = gitrepo.commit_before(root, end)
    if sha is None:
        raise ZhibuError(f"{day} 之前没有任何提交。", "核对日期，或用 git log 查看最早的提交。")
    return sha
