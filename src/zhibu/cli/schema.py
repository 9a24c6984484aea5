"""zhibu schema: JSON Schemas of the format, for editors that complete keys and flag mistakes."""

from __future__ import annotations

from pathlib import Path

import click

from .base import ZhibuCommand, branch_root, directory_option, report_outcome, write_options


@click.command("schema", cls=ZhibuCommand)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    metavar="目录",
    help="写到该目录，不写入支部仓库、不提交（供手工配置编辑器）。",
)
@click.option(
    "--vscode", is_flag=True, help="同时在 .vscode/settings.json 中配置 yaml.schemas，使没有首行说明的已有文件也能校验。"
)
@directory_option
@write_options
def schema_command(out_dir, vscode, directory, dry_run, no_commit):
    """写出各类文件的 JSON Schema，供 VS Code 等编辑器补全字段、标出错误。

    默认写入支部仓库的 .zhibu/schema/（zhibu init 新建支部时已写入）并提交；
    升级 zhibu 后再运行一次即可更新。zhibu 新写的文件首行带有
    “# yaml-language-server: $schema=…”，编辑器据此找到对应的 Schema；
    已有文件不会被加上这一行（以免改动已关账的记录），可用 --vscode
    让 VS Code 按文件位置套用 Schema。详见 docs/editors.md。

    \b
    示例：
        zhibu schema
        zhibu schema --vscode
        zhibu schema --out ~/zhibu-schema
    """
    if out_dir:
        from ..format.json_schema import write_schema_folder

        written = write_schema_folder(Path(out_dir))
        for path in written:
            click.echo(str(path))
        click.echo(f"已写出 {len(written)} 个 JSON Schema。")
        return
    from ..format.json_schema import SCHEMA_DIR
    from ..write.schemas import update_branch_schemas

    outcome = update_branch_schemas(branch_root(directory), vscode=vscode, commit=not no_commit, dry_run=dry_run)
    if outcome is None:
        click.echo(f"{SCHEMA_DIR}/ 中的 JSON Schema 已是最新，没有改动。")
        return
    report_outcome(outcome, dry_run=dry_run)
    if not dry_run:
        click.echo("在 VS Code 中安装 YAML 扩展（Red Hat 出品）后，打开支部目录即可使用；见 docs/editors.md。")
