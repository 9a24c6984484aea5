"""zhibu close and zhibu audit: closing a period, witnesses for higher committees, signatures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .base import DATE, ZhibuCommand, branch_root, directory_option, group, print_table


@click.command("close", cls=ZhibuCommand)
@click.argument("period", metavar="期间", help="要关账的期间：月 2026-03、季度 2026Q1、半年 2026H1 或年 2026。")
@click.option("--as-of", "as_of", type=DATE, help="检查日期（默认今天）。")
@click.option("--force", is_flag=True, help="该期间仍有错误时也关账（标签中会写明错误数）。")
@click.option("-C", "directory", metavar="目录", help="支部仓库所在目录。")
def close_command(period, as_of, force, directory):
    """关账：对一个已结束的期间（月 2026-03、季度 2026Q1、半年 2026H1 或年 2026）检查后，
    打上 git 标签 zhibu/close/<期间>，写明检查结果。此后再修改该期间的记录，
    zhibu check 会报告 audit.edited-after-close，注明何人何时修改；提交说明中写“补正原因：…”的只列出说明。

    \b
    示例：
        zhibu close 2026-03
    """
    from ..write.closing import close_period

    tag, summary = close_period(branch_root(directory), period, as_of=as_of or dt.date.today(), force=force)
    click.echo(f"已关账：标签 {tag}。{summary}")


@group("audit", "留痕：给上级的见证、核对历史是否被改写、提交签名。")
def audit():
    pass


@audit.command("witness")
@click.option("--append", "append_to", type=click.Path(dir_okay=False), help="追加到见证文件（上级保存），而不是只打印。")
@directory_option
def witness(append_to, directory):
    """打印本支部当前的 HEAD 提交和日期，供上级保存为见证。"""
    from ..model.redact import clean
    from ..write.closing import witness_line

    line = clean(witness_line(branch_root(directory)))  # the folder's name is the branch's; the hash is kept
    if append_to:
        with open(append_to, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
        click.echo(f"已追加到 {append_to}：{line}")
    else:
        click.echo(line)


@audit.command("verify")
@click.argument(
    "witness_file",
    type=click.Path(exists=True, dir_okay=False),
    metavar="见证文件",
    help="以前用 zhibu audit witness 记下的见证（每行一条）。",
)
@directory_option
def verify(witness_file, directory):
    """核对见证文件中的每个提交是否仍是当前历史的祖先；不是则历史被改写（退出状态 1）。"""
    from ..write.closing import verify_witness

    results = verify_witness(branch_root(directory), Path(witness_file).read_text(encoding="utf-8").splitlines())
    rows = [[sha[:12], when, "完好" if ok else "已不在历史中：历史被改写"] for sha, when, ok in results]
    print_table(rows, ["提交", "见证时间", "结果"])
    broken = [r for r in results if not r[2]]
    if broken:
        click.echo(f"\naudit.history-rewritten：{len(broken)} 个见证过的提交已不在当前历史中。", err=True)
        raise SystemExit(1)
    click.echo(f"\n{len(results)} 个见证过的提交都在当前历史中。")


@audit.command("signatures")
@click.option("--since", type=DATE, help="只看该日及以后的提交。")
@directory_option
def signatures(since, directory):
    """列出没有签名或签名无法验证的提交。规则包可用 signed-commits 规则要求签名。

    签名只用本机为 zhibu 配置的程序和公钥验证（环境变量 ZHIBU_GPG_PROGRAM、ZHIBU_GNUPGHOME、
    ZHIBU_SSH_ALLOWED_SIGNERS），从不用支部仓库自己的 gpg 设置；没有配置时只看出哪些提交
    没有签名，带签名的提交列为“未验证”。
    """
    from ..rules.audit import NO_VERIFIER, SIGNATURE_WORDS, UNVERIFIED
    from ..store import gitrepo

    rows, unverified = [], 0
    for sha, verdict, author, when, subject in gitrepo.signatures(branch_root(directory)):
        if since and when.date() < since:
            continue
        if verdict not in ("G", "U"):
            rows.append([when.date(), author, sha[:12], SIGNATURE_WORDS.get(verdict, "签名无法验证"), subject])
            unverified += verdict == UNVERIFIED
    print_table(rows, ["日期", "提交人", "提交", "问题", "说明"])
    click.echo(f"\n共 {len(rows) - unverified} 个提交没有有效签名。")
    if unverified:
        click.echo(f"另有 {unverified} 个提交带有签名，但{NO_VERIFIER}")
