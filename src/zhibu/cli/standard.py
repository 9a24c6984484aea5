"""zhibu standard: the merged standard of a branch, what a code means, vendoring T packs."""

from __future__ import annotations

import click

from .base import branch_root, directory_option, group, load, print_table, report_outcome, write_options


@group("standard", "查看本支部合并后的标准（B+T+X）、解释规则码、更新上级规则包。")
def standard():
    pass


def _params(rule) -> str:
    parts = []
    for key, value in rule.params.items():
        shown = "、".join(value) if isinstance(value, tuple) else value
        origin = rule.origin.get(key, rule.pack)
        parts.append(f"{key}={shown}" + (f"（{origin}）" if origin != "B" else ""))
    return "，".join(parts)


@standard.command("show")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@directory_option
def show(output, directory):
    """列出本支部适用的全部规则：级别、由哪个规则包设定、参数。"""
    from ..standard.layers import build_standard

    branch = load(branch_root(directory)).branch
    merged = build_standard(branch)
    if output == "json":
        data = {
            "standard": [{"pack": p.pack, "layer": p.layer, "version": p.version, "path": p.path} for p in merged.packs],
            "rules": [
                {
                    "code": r.code,
                    "kind": r.kind,
                    "severity": r.severity.label,
                    "layer": r.layer,
                    "pack": r.pack,
                    "title": r.title,
                    "params": {k: list(v) if isinstance(v, tuple) else v for k, v in r.params.items()},
                    "set_by": dict(r.origin),
                }
                for r in merged.rules.values()
            ],
        }
        from ..model.redact import dumps_clean

        click.echo(dumps_clean(data, indent=2, default=str))
        return
    click.echo("适用的规则包：" + " → ".join(f"{p.pack}（{p.layer}，{p.version}）" for p in merged.packs))
    rows = []
    for r in merged.rules.values():
        severity = r.severity.chinese + ("" if r.origin.get("severity", "B") == "B" else f"（{r.origin['severity']}）")
        rows.append([r.code, severity, r.pack, r.title, _params(r)])
    print_table(rows, ["规则码", "级别", "规则包", "要求", "参数"])
    for finding in merged.findings:
        click.echo(f"注意：{finding.path}:{finding.line or ''} {finding.code}：{finding.message}", err=True)


@standard.command("explain")
@click.argument("code", metavar="规则码", help="如 meeting.committee-monthly（全部见 zhibu standard show）。")
@directory_option
def explain(code, directory):
    """解释一个规则码：检查什么、参数、依据原文、示例发现，以及如何改正或登记例外。

    在支部仓库之外运行时，解释基本标准 B 中的规则。
    """
    from ..errors import ZhibuError
    from ..examples import explain_text
    from ..standard.layers import baseline_rules, build_standard

    try:
        rules = build_standard(load(branch_root(directory)).branch).rules
    except ZhibuError:
        rules = baseline_rules()[1]
    click.echo(explain_text(code, rules), nl=False)


@standard.command("update")
@click.argument("source", metavar="来源", help="规则包文件、网址或 git 仓库地址。")
@click.option("--file", "member", metavar="文件", help="来源为 git 仓库时，规则包在仓库中的路径。")
@directory_option
@write_options
def update(source, member, directory, dry_run, no_commit):
    """从上级党组织获取 T 规则包（文件路径或 git 仓库地址），放入 standards/，列出规则变化并提交。

    \b
    示例：
        zhibu standard update ~/下载/T-示例区教育工委.yaml
        zhibu standard update https://git.example.org/jiaogongwei/standard.git
    """
    from ..write.packs import update_pack

    outcome, changes, data = update_pack(branch_root(directory), source, member=member, commit=not no_commit, dry_run=dry_run)
    click.echo(f"规则包 {data['pack']}（{data.get('title', '')}）版本 {data.get('version', '')}：")
    if changes:
        print_table([[c.what, c.code, c.detail] for c in changes], ["变化", "规则", "内容"])
    else:
        click.echo("规则没有变化。")
    report_outcome(outcome, dry_run=dry_run)
