"""Click classes with Chinese help headings, and the options every command shares."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

import click


_CJK = "\u3000-\u9fff\uff00-\uffef"
_SOFT_BREAK = re.compile(f"(?<=[{_CJK}])\\n[ \\t]*(?=[{_CJK}])")


def _join_chinese_lines(text: str | None) -> str | None:
    """Click joins a paragraph's lines with a space; between Chinese characters that is a stray gap."""
    return _SOFT_BREAK.sub("", text) if text else text


class _ChineseHelp:
    def parse_args(self, ctx, args):
        # click >= 8.2 words these as "No such option '--x'." and "Missing option … Choose from: …",
        # which the translation table in cli/__init__.py does not match; say them in Chinese here.
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            close = f"是否应为 {' 或 '.join(exc.possibilities)}？" if exc.possibilities else ""
            raise click.UsageError(f"没有选项 {exc.option_name}。{close}", ctx) from None
        except click.MissingParameter as exc:
            param = exc.param
            if param is None or not isinstance(param.type, click.Choice):
                raise
            name = param.opts[0] if getattr(param, "opts", None) else param.name
            what = "选项" if isinstance(param, click.Option) else "参数"
            choices = " ".join(str(c) for c in param.type.choices)
            raise click.UsageError(f"缺少{what} {name}，可选：{choices}。", ctx) from None

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)), prefix="用法：")

    def format_options(self, ctx, formatter):
        rows = [rv for p in self.get_params(ctx) if (rv := p.get_help_record(ctx)) is not None]
        if rows:
            with formatter.section("选项"):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)


class ZhibuCommand(_ChineseHelp, click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("context_settings", {}).setdefault("help_option_names", ["-h", "--help"])
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs["help"] = _join_chinese_lines(kwargs.get("help"))
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示帮助并退出。"
        return option


class ZhibuGroup(_ChineseHelp, click.Group):
    command_class = ZhibuCommand

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("context_settings", {}).setdefault("help_option_names", ["-h", "--help"])
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        kwargs["help"] = _join_chinese_lines(kwargs.get("help"))
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示帮助并退出。"
        return option

    def format_commands(self, ctx, formatter):
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=60)))
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)


ZhibuGroup.group_class = ZhibuGroup


def group(name: str, help_text: str):
    return click.group(name, cls=ZhibuGroup, help=help_text)


# --- shared options -------------------------------------------------------------------


def directory_option(func):
    return click.option(
        "-C", "directory", metavar="目录", default=None, help="支部仓库所在目录（默认从当前目录向上查找）。"
    )(func)


def write_options(func):
    func = click.option("--no-commit", is_flag=True, help="只写文件，不提交到 git。")(func)
    func = click.option("--dry-run", is_flag=True, help="只校验并显示将要写入的内容，不写任何文件。")(func)
    return func


def branch_root(directory: str | None) -> Path:
    """The branch root from -C (after the subcommand, then before it) or the current folder."""
    from ..store.files import find_root

    ctx = click.get_current_context()
    root_obj = ctx.find_root().obj or {}
    chosen = directory or root_obj.get("directory")
    return find_root(Path(chosen) if chosen else Path.cwd())


class DateType(click.ParamType):
    name = "日期"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if text in ("今天", "today"):
            return dt.date.today()
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"“{value}”不是有效日期，请写成 YYYY-MM-DD，如 2026-03-05", param, ctx)


DATE = DateType()


def report_outcome(outcome, *, dry_run: bool, preview: dict | None = None) -> None:
    """Tell the user what a write did (stdout) and any warnings about it (stderr)."""
    change = outcome.change
    for finding in outcome.warnings:
        where = f"{finding.path}:{finding.line}" if finding.line else (finding.path or "")
        click.echo(f"注意：{where}: {finding.message}", err=True)
    if dry_run:
        click.echo("（试运行，未写入任何文件）")
        for rel, data in sorted(change.writes.items()):
            click.echo(f"--- {rel}")
            click.echo(data.decode("utf-8") if data is not None else "（删除）", nl=False)
        return
    click.echo(change.summary)
    if outcome.committed:
        click.echo(f"已提交 {outcome.committed[:8]}：{change.message}")
    elif outcome.written:
        click.echo("未提交到 git（--no-commit 或不在 git 仓库中）。")


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def print_table(rows: list[list], headers: list[str], file=None) -> None:
    """A plain table with Chinese columns aligned (tabulate with wcwidth); cells cleaned first,
    so that the columns stay aligned after masking and escaping."""
    from tabulate import tabulate

    from ..model.redact import clean

    if not rows:
        click.echo("（无）", file=file)
        return
    rows = [[clean(c) if isinstance(c, str) else c for c in row] for row in rows]
    click.echo(tabulate(rows, headers=headers, tablefmt="simple", disable_numparse=True), file=file)


def load(root: Path):
    """Load a branch for reading commands; a branch whose zhibu.yaml cannot be used is an error."""
    from ..errors import ZhibuError
    from ..load import load_branch

    loaded = load_branch(root)
    if not loaded.config_ok:
        problems = [f for f in loaded.findings if f.path == "zhibu.yaml"]
        detail = "；".join(f"第 {f.line} 行 {f.message}" if f.line else f.message for f in problems[:3])
        raise ZhibuError(f"zhibu.yaml 无法使用：{detail}", "修正 zhibu.yaml 后重试。")
    return loaded
