"""Generate the reference pages under docs/ from the code, so they cannot drift.

    python -m zhibu.docs          write docs/rules.md, docs/format.md, docs/cli.md
    python -m zhibu.docs --check  exit 1 if any of them is stale (a test runs this)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from . import schema
from .model.vocabulary import RECORD_TYPES, TYPE_ALIASES

GENERATED = "<!-- 本文件由 python -m zhibu.docs 生成，请勿手工修改。 -->\n"

_KIND_WORDS = {
    "text": "文本", "code": "文本（加引号）", "date": "日期", "int": "整数", "count": "整数", "month": "1-12",
    "year": "年份", "number": "数字", "bool": "true/false", "enum": "规定值", "type": "记录类型", "types": "记录类型或其列表",
    "texts": "文本列表", "enums": "规定值列表", "pair": "两人列表", "months": "月份列表", "period": "期间",
    "format": "1", "theme_day": "主题党日规则", "full": "日期、null 或映射", "name_map": "映射", "number_map": "映射",
    "map": "映射", "maps": "映射列表", "groups": "列表",
}


def _field_rows(fields, prefix: str = "") -> list[str]:
    rows = []
    for field in fields:
        name = f"{prefix}{field.name}"
        choices = ""
        if field.choices:
            shown = [c for c in field.choices if c not in TYPE_ALIASES]
            choices = "：" + " ".join(shown)
        rows.append(f"| `{name}` | {'必填' if field.required else ''} | {_KIND_WORDS.get(field.kind, field.kind)} | {field.doc}{choices} |")
        if field.fields:
            sub = f"{name}[]." if field.kind == "maps" else f"{name}."
            rows.extend(_field_rows(field.fields, sub))
    return rows


def format_markdown() -> str:
    out = [
        "# 文件格式参考（第1版）\n",
        GENERATED,
        "支部仓库中每类文件的字段。完整说明和示例见 ../shared/spec/format.md 的约定；",
        "本页由 zhibu 的字段表生成，与读取器的检查完全一致。\n",
        "日期写成 `2026-03-05`（不加引号）；时间写成 `\"14:30-16:00\"`（加引号）；文件一律为 UTF-8 编码。\n",
    ]
    for kind in schema.FILE_KINDS:
        out.append(f"## {kind.title}：`{kind.pattern}`\n")
        out.append("| 键 | 必填 | 类型 | 说明 |")
        out.append("|---|---|---|---|")
        out.extend(_field_rows(kind.fields))
        out.append("")
    out.append("## 记录类型与别名\n")
    out.append("| 类型 | 可用的别名 |")
    out.append("|---|---|")
    for record_type in RECORD_TYPES:
        aliases = [a for a, canonical in TYPE_ALIASES.items() if canonical == record_type]
        out.append(f"| {record_type} | {' '.join(aliases) or '—'} |")
    out.append("")
    out.append("## 本项目对格式的补充说明\n")
    out.extend(
        [
            "- `theme_day` 除格式中的写法外，还接受 `每月20日（遇节假日顺延）` 和 `{rule: 每月最后一个周五, 顺延: 节假日}`：",
            "  格式原文只说“加上 `顺延: 节假日`”，没有说加在哪里，这里取映射写法。",
            "- `groups` 的一项可以写成 `{name: 第三党小组, since: 2026-07-01}`，表示年中新设的党小组；",
            "  党小组会的频次只对党小组已存在的整月判定。",
            "- `zhibu.yaml` 可写 `venue: 学院党员活动室（主楼302）`，登记党员活动阵地；评星定级的“有阵地”据此判断。",
            "- `每月第5个周X` 在只有四个周X的月份取该月最后一个周X。",
            "- `development.yaml` 的 `full` 除 `null` 和 `{extended_to: 日期}` 外，也接受转正日期。",
            "- 党员的 `status` 缺失或无效时会报告，该党员计入在册人数，但不计入有表决权的党员。",
            (
                "- 选举（含补选）的决议写明选票和候选人得票，如 `{text: 选举赵磊同志为支部纪检委员, kind: 补选,"
                " ballots: {issued: 9, returned: 9}, candidates: [{name: 赵磊, votes: 9}]}`；未当选的候选人写 `elected: false`。"
            ),
            "- 接收预备党员、预备党员转正的 `votes` 可写 `written`：赞成、反对、弃权中有几份是未到会党员会前提交的书面意见。",
            "- 缺席人员可简写为姓名字符串，如 `absent: [刘芳]`，等同于 `{name: 刘芳}`（仍会提示补写原因）。",
            "- 以 UTF-8 BOM 开头的文件照常读取（旧版 Windows 记事本会加 BOM）；zhibu 写出的文件不带 BOM。",
            "- 出于安全，超过 1 MiB 的文件、嵌套超过 64 层或别名展开过多的文件、指向支部目录以外的符号链接不被读取（format.unsafe-file）。",
            "",
        ]
    )
    return "\n".join(out)


def rules_markdown() -> str:
    from .examples import examples, run_example
    from .rules.registry import KINDS
    from .standard import baseline_rules

    info, rules = baseline_rules()
    out = [
        "# 规则码目录\n",
        GENERATED,
        f"基本标准 B（版本 {info.version}）的全部规则码。每条给出级别、检查内容、参数、依据原文，",
        "以及一个最小示例：在清理后的示例支部（sample-branch/）上做一处改动后 `zhibu check` 的输出。",
        "T、X 规则包只能收紧这些规则（提高级别、提高次数、缩短期间、缩短期限），不能放宽或删除。\n",
        "| 规则码 | 级别 | 要求 |",
        "|---|---|---|",
    ]
    for rule in rules.values():
        out.append(f"| [`{rule.code}`](#{rule.code.replace('.', '')}) | {rule.severity.chinese} | {rule.title} |")
    out.append("")
    with tempfile.TemporaryDirectory(prefix="zhibu-docs-") as tmp:
        for rule in rules.values():
            kind = KINDS[rule.kind]
            out.append(f"## {rule.code}\n")
            out.append(f"**{rule.title}**。级别：{rule.severity.chinese}（`{rule.severity.label}`）。\n")
            out.append(f"检查内容：{kind.doc}\n")
            if rule.params:
                shown = "，".join(f"`{k}` = {'、'.join(v) if isinstance(v, tuple) else v}" for k, v in rule.params.items())
                out.append(f"参数：{shown}。\n")
            out.append(f"依据：{rule.source}\n")
            if rule.hint:
                out.append(f"改正：{rule.hint}\n")
            example = examples().get(rule.code)
            if example is not None:
                result = run_example(rule.code, Path(tmp) / rule.code)
                out.append(f"示例（{example.what}；按 {example.as_of} 检查）：\n")
                out.append("```")
                for f in result.findings:
                    where = f"{f.path}:{f.line}" if f.path and f.line else (f.path or f.period or "")
                    out.append(f"{where}  {f.severity.chinese}  {f.code}  {f.message}")
                out.append("```\n")
    return "\n".join(out)


def cli_markdown() -> str:
    from click.testing import CliRunner

    from .cli import cli

    runner = CliRunner()
    out = ["# 命令参考\n", GENERATED, "每个命令的 `--help` 输出。\n"]

    def section(args: list[str], level: int) -> None:
        result = runner.invoke(cli, [*args, "--help"], prog_name="zhibu", terminal_width=100)
        out.append(f"{'#' * level} zhibu {' '.join(args)}\n".replace("zhibu \n", "zhibu\n"))
        out.append("```")
        out.append(result.output.rstrip())
        out.append("```\n")
        command = cli
        ctx = None
        for name in args:
            command = command.get_command(ctx, name)
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                section([*args, name], level + 1)

    section([], 2)
    return "\n".join(out)


PAGES = {"rules.md": rules_markdown, "format.md": format_markdown, "cli.md": cli_markdown}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    docs = Path(argv[argv.index("--dir") + 1]) if "--dir" in argv else Path("docs")
    stale = []
    for name, render in PAGES.items():
        text = render()
        path = docs / name
        if "--check" in argv:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"过期的文档：{'、'.join(stale)}；运行 python -m zhibu.docs 重新生成。", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
