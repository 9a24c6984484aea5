"""Click classes with Chinese help headings, and the options every command shares."""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from pathlib import Path

import click
import click.core
import click.decorators
import click.exceptions
import click.formatting
import click.termui
import click.types

# --- click in Chinese ---------------------------------------------------------------------
#
# click marks its user-facing strings with gettext (``_`` and ``ngettext`` bound in each of its
# modules at import). zhibu has no message catalogue to install, so ``speak_chinese`` rebinds
# those names in click's modules to a lookup in MESSAGES; a string not in the table stays as
# click wrote it, and tests/test_chinese.py fails on any English that reaches a user. It runs
# when this module is imported, before any command's options are made: a ``click.Path`` names
# itself (文件, 文件夹, 路径) when it is created.

# click's msgid -> the Chinese said instead (placeholders kept by name).
MESSAGES: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（运行时确定）",
    "deprecated": "已停用",
    "Error: {message}": "错误：{message}",
    "Aborted!": "已取消。",
    "Try '{command} {option}' for help.": "运行 {command} {option} 查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing command.": "缺少命令。",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "argument": "参数",
    "option": "选项",
    "parameter": "参数",
    "No such command {name!r}.": "没有命令“{name}”。",
    "No such option {name!r}.": "没有选项 {name}。",
    "Option {name!r} does not take a value.": "选项 {name} 不带值。",
    "Option {name!r} requires an argument.": "选项 {name} 需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 需要 {nargs} 个值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Invalid value for {param_hint}: {message}": "选项 {param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "{value!r} is not {choice}.": "“{value}”不是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”不是可选值之一：{choices}。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在 {range} 的范围内。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是是或否，可写：{states}",
    "{name} {filename!r} does not exist.": "{name} {filename} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename} 是文件，不是文件夹。",
    "{name} {filename!r} is a directory.": "{name} {filename} 是文件夹，不是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename} 不可执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename}：{message}",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Error: invalid input": "错误：输入无效",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Repeat for confirmation": "再输入一次以确认",
    "Do you want to continue?": "是否继续？",
    "Press any key to continue...": "按任意键继续……",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "unknown error": "未知错误",
    "Value must be an iterable.": "值必须是一组值。",
    # ngettext's singular and plural forms
    "Got unexpected extra argument ({args})": "多余的参数：{args}",
    "Got unexpected extra arguments ({args})": "多余的参数：{args}",
    "Did you mean {possibility}?": "是否应为 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "是否应为 {possibilities} 之一？",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
}

# click words a type by its ``name``, both in messages ("not a valid integer") and as the
# placeholder of an option without a metavar ("INTEGER RANGE"); Chinese names serve both.
_TYPE_NAMES = {
    click.types.StringParamType: "文字",
    click.types.IntParamType: "整数",
    click.types.IntRange: "整数",
    click.types.FloatParamType: "数",
    click.types.FloatRange: "数",
    click.types.BoolParamType: "是或否",
    click.types.DateTime: "时间",
    click.types.File: "文件",
}


def _chinese(message: str) -> str:
    # The quotes click puts round names ({name!r}) are dropped by the Chinese forms above, which
    # write the names bare or in Chinese quotes: format placeholders cannot carry "!r" through.
    return MESSAGES.get(message, message).replace("!r}", "}")


def _gettext(message: str) -> str:
    return _chinese(message)


def _ngettext(singular: str, plural: str, count: int) -> str:
    return _chinese(singular if count == 1 else plural)


def _names(names) -> str:
    """Option names and choices as Chinese text shows them: bare, joined by 、 (click quotes them)."""
    return "、".join(str(name) for name in names)


def _join_param_hints(param_hint) -> str | None:
    if param_hint is not None and not isinstance(param_hint, str):
        return " / ".join(param_hint)
    return param_hint


def _format_possibilities(possibilities) -> str:
    shown = _names(sorted(possibilities))
    return _ngettext("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)", len(possibilities)).format(
        possibility=shown, possibilities=shown
    )


def _invalid_choice(self, value, ctx) -> str:
    return f"“{value}”不是可选值之一：{_names(self.choices)}。"


def _error_hint(self, ctx) -> str:
    if isinstance(self, click.Argument):
        return self.make_metavar(ctx) if ctx is not None else self.human_readable_name
    return " / ".join(self.opts or [self.human_readable_name])


def _missing_message(self) -> str:
    """ "缺少选项 --type。" / "缺少参数 姓名。", with what the type adds (a Choice's values)."""
    if self.param_hint is not None:
        hint = _join_param_hints(self.param_hint)
    elif self.param is not None:
        hint = self.param.get_error_hint(self.ctx)
    else:
        hint = None
    kind = self.param_type or (self.param.param_type_name if self.param is not None else "parameter")
    what = {"argument": "参数", "option": "选项"}.get(kind, "参数")
    extra = self.param.type.get_missing_message(param=self.param, ctx=self.ctx) if self.param is not None else None
    detail = "。".join(part.rstrip("。.") for part in (self.message, _chinese(extra) if extra else None) if part)
    return f"缺少{what}{' ' + hint if hint else ''}。" + (f"{detail}。" if detail else "")


def _write_heading(self, heading: str) -> None:
    self.write(f"{'':>{self.current_indent}}{heading}：\n")


def _describe_range(self) -> str:
    """Ranges as a Chinese reader says them: "1 至 256", "不小于 0"."""
    low = None if self.min is None else f"{'大于' if self.min_open else '不小于'} {self.min}"
    high = None if self.max is None else f"{'小于' if self.max_open else '不大于'} {self.max}"
    if low and high and not self.min_open and not self.max_open:
        return f"{self.min} 至 {self.max}"
    return "，".join(part for part in (low, high) if part)


_installed = False


def speak_chinese() -> None:
    """Make click speak Chinese in this process (idempotent)."""
    global _installed
    if _installed:
        return
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.termui, click.types):
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
    click.types._NumberRangeBase._describe_range = _describe_range
    click.exceptions._join_param_hints = _join_param_hints
    click.exceptions._format_possibilities = _format_possibilities
    click.types.Choice.get_invalid_choice_message = _invalid_choice
    click.formatting.HelpFormatter.write_heading = _write_heading
    click.core.Parameter.get_error_hint = _error_hint
    click.core.Option.get_error_hint = _error_hint
    click.core.Argument.get_error_hint = _error_hint
    click.exceptions.MissingParameter.format_message = _missing_message
    for kind, word in _TYPE_NAMES.items():
        kind.name = word
    _installed = True


speak_chinese()


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
    return click.option("-C", "directory", metavar="目录", default=None, help="支部仓库所在目录（默认从当前目录向上查找）。")(
        func
    )


def write_options(func):
    """--dry-run and --no-commit (passed to the command), and --include-edits, which the
    wrapper turns into change.including_edits() around the command, so that every write
    the command makes honours it without each library function taking another argument."""

    @functools.wraps(func)
    def command(*args, include_edits: bool = False, **kwargs):
        if not include_edits:
            return func(*args, **kwargs)
        from ..write.change import including_edits

        with including_edits():
            return func(*args, **kwargs)

    command = click.option(
        "--include-edits",
        is_flag=True,
        help="要改的文件中有尚未提交的手工改动时，连同它们一起提交（默认拒绝）。",
    )(command)
    command = click.option("--no-commit", is_flag=True, help="只写文件，不提交到 git。")(command)
    command = click.option("--dry-run", is_flag=True, help="只校验并显示将要写入的内容，不写任何文件。")(command)
    return command


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
        from ..model.dates import NotADate, read_date

        try:
            return read_date(text)
        except NotADate as exc:
            self.fail(exc.message, param, ctx)


DATE = DateType()


def report_outcome(outcome, *, dry_run: bool, preview: dict | None = None) -> None:
    """Tell the user what a write did (stdout) and any warnings about it (stderr)."""
    from ..model.findings import location

    change = outcome.change
    for note in outcome.notes:  # an interrupted earlier command, finished or dropped
        click.echo(f"注意：{note}", err=True)
    for finding in outcome.warnings:
        where = location(finding.path, finding.line)
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
    """A plain table with Chinese columns aligned (:mod:`zhibu.report.table`); cells cleaned first,
    so that the columns stay aligned after masking and escaping."""
    from ..model.redact import clean
    from ..report.table import table_text

    if not rows:
        click.echo("（无）", file=file)
        return
    rows = [[clean(c) if isinstance(c, str) else c for c in row] for row in rows]
    click.echo(table_text(rows, headers), file=file)


def load(root: Path):
    """Load a branch for reading commands; a branch whose zhibu.yaml cannot be used is an error."""
    from ..errors import ZhibuError
    from ..format.load import load_branch

    loaded = load_branch(root)
    if not loaded.config_ok:
        problems = [f for f in loaded.findings if f.path == "zhibu.yaml"]
        detail = "；".join(f"第 {f.line} 行 {f.message}" if f.line else f.message for f in problems[:3])
        raise ZhibuError(f"zhibu.yaml 无法使用：{detail}", "修正 zhibu.yaml 后重试。")
    return loaded
