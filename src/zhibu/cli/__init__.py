"""The ``zhibu`` command line: a thin layer over the library.

Start-up matters (every TAB in a shell runs the program), so this module
imports click and nothing else: subcommands live in their own modules and
are imported only when invoked, and the root help is drawn from the static
table below instead of importing every command to read its help.
"""

from __future__ import annotations

import importlib
import re
import sys

import click

from .base import ZhibuGroup

# name -> (module:attribute, short help shown by `zhibu --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("zhibu.cli.init:init_command", "新建支部仓库（git init、zhibu.yaml、空名册和委员会）"),
    "demo": ("zhibu.cli.init:demo_command", "创建一个带真实感提交历史的示例支部，供上手试用"),
    "member": ("zhibu.cli.member:member", "党员名册：登记、查看、修改、转出"),
    "committee": ("zhibu.cli.committee:committee", "支部委员会：选举、届中变动、党小组组长、查看"),
    "meeting": ("zhibu.cli.meeting:meeting", "会议与活动记录（一册）：新增、列表、查看、修改"),
    "talk": ("zhibu.cli.talk:talk", "谈心谈话登记"),
    "plan": ("zhibu.cli.plan:plan", "一表：生成年度计划草稿、查看、对照实际、导出"),
    "doc": ("zhibu.cli.doc:doc", "生成打印用的 Word 文书：计划表、签到表、会议记录、记录本、体检报告"),
    "check": ("zhibu.cli.check:check_command", "对照标准（B+T+X）检查支部记录"),
    "standard": ("zhibu.cli.standard:standard", "查看合并后的标准、解释规则码、更新上级规则包"),
    "log": ("zhibu.cli.log:log_command", "用中文列出记录、名册或某人的改动历史（git 留痕）"),
    "close": ("zhibu.cli.audit:close_command", "关账：检查一个已结束的期间并打上 git 标签"),
    "audit": ("zhibu.cli.audit:audit", "留痕：见证、核对历史是否被改写、提交签名"),
    "batch": ("zhibu.cli.batch:batch", "批量检查多个支部仓库、同步镜像（供上级党组织使用）"),
    "schema": ("zhibu.cli.schema:schema_command", "写出各类文件的 JSON Schema，供编辑器补全和标错"),
    "due": ("zhibu.cli.due:due_command", "近期按标准要做的事：本月支委会、党小组会、主题党日、党课、换届、转正"),
    "calendar": ("zhibu.cli.due:calendar_command", "把计划和到期事项导出为手机、电脑日历可导入的 .ics 文件"),
    "hooks": ("zhibu.cli.hooks:hooks", "git 钩子：提交前自动检查暂存的记录，有新错误时拒绝提交"),
}


class RootGroup(ZhibuGroup):
    """Lazy subcommands, and the one place where failures become Chinese messages and exit codes."""

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name][0].split(":")
        return getattr(importlib.import_module(module), attr)

    def format_commands(self, ctx, formatter):
        with formatter.section("命令"):
            formatter.write_dl([(name, help_text) for name, (_, help_text) in COMMANDS.items()])

    def shell_complete(self, ctx, incomplete):
        from click.shell_completion import CompletionItem

        return [CompletionItem(name, help=help_text) for name, (_, help_text) in COMMANDS.items() if name.startswith(incomplete)]

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        from ..report.streams import cleaned_standard_streams

        with cleaned_standard_streams():  # the output boundary: no ID or phone number, no raw control byte
            self._run(args, prog_name, complete_var, **extra)

    def _run(self, args, prog_name, complete_var, **extra):
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv
        try:
            result = super().main(argv, prog_name or "zhibu", complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            _usage_error(exc)
            code = 2
        except click.ClickException as exc:
            click.echo(f"错误：{_translate(exc.format_message())}", err=True)
            code = exc.exit_code
        except click.Abort:
            click.echo("已取消。", err=True)
            code = 1
        except Exception as exc:
            from ..errors import InvalidChange, ZhibuError

            if debug:
                raise
            if isinstance(exc, InvalidChange):
                _report_invalid(exc)
            elif isinstance(exc, ZhibuError):
                click.echo(f"错误：{exc.message}", err=True)
                if exc.hint:
                    click.echo(f"提示：{exc.hint}", err=True)
            elif isinstance(exc, OSError):
                from ..errors import os_problem

                problem = os_problem(exc)
                click.echo(f"错误：{problem.message}", err=True)
                click.echo(f"提示：{problem.hint}", err=True)
            else:
                click.echo(f"内部错误：{type(exc).__name__}: {exc}", err=True)
                click.echo("提示：这是 zhibu 的缺陷，请加 --debug 重新运行，把输出报告给开发者。", err=True)
            code = 2
        else:
            code = result if isinstance(result, int) else 0
        sys.exit(code)


def _report_invalid(exc) -> None:
    from ..model.findings import location

    click.echo(f"错误：{exc.message}", err=True)
    for finding in exc.findings:
        where = location(finding.path, finding.line)
        click.echo(f"  {where}: {finding.code}: {finding.message}", err=True)
        if finding.hint:
            click.echo(f"    提示：{finding.hint}", err=True)
    if exc.hint:
        click.echo(f"提示：{exc.hint}", err=True)


_MESSAGES = [
    (r"Missing option '([^']+)'\.?", r"缺少选项 \1。"),
    (r"Missing argument '([^']+)'\.?", r"缺少参数 \1。"),
    (r"No such command '([^']+)'\.?", r"没有命令“\1”。"),
    (r"No such option: (\S+)", r"没有选项 \1。"),
    (r"Invalid value for '([^']+)': (.*)", r"选项 \1 的值无效：\2"),
    (r"Option '([^']+)' requires an argument\.", r"选项 \1 需要一个值。"),
    (r"Got unexpected extra arguments? \((.*)\)", r"多余的参数：\1"),
    (r"'(.*)' is not one of (.*)\.", r"“\1”不是可选值之一：\2。"),
    (r"'(.*)' is not a valid integer\.", r"“\1”不是整数。"),
    (r"Path '(.*)' does not exist\.", r"路径 \1 不存在。"),
]


def _translate(message: str) -> str:
    for pattern, replacement in _MESSAGES:
        message = re.sub(pattern, replacement, message)
    return message


def _usage_error(exc: click.UsageError) -> None:
    if exc.ctx is not None:
        click.echo(exc.ctx.get_usage().replace("Usage:", "用法："), err=True)
        click.echo(f"运行 {exc.ctx.command_path} --help 查看帮助。", err=True)
    click.echo(f"错误：{_translate(exc.format_message())}", err=True)


@click.group(cls=RootGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-C", "directory", metavar="目录", help="在该目录（或其上级目录中的支部仓库）中运行，如同 git -C。")
@click.option("--debug", is_flag=True, help="出错时显示 Python 调用栈（供开发者排查）。")
@click.version_option(None, "--version", package_name="zhibu", message="zhibu %(version)s", help="显示版本并退出。")
@click.pass_context
def cli(ctx: click.Context, directory: str | None, debug: bool) -> None:
    """zhibu（支部）：以 YAML 文件和 git 仓库保存党支部的工作记录，对照“B+T+X”标准检查，并生成需要上交的文书。

    \b
    上手：
        zhibu demo 示例支部          创建示例支部
        cd 示例支部 && zhibu meeting list
    """
    ctx.obj = {"directory": directory, "debug": debug}


def main() -> None:
    cli.main(prog_name="zhibu")
