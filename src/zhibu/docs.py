"""Generate the reference pages under docs/ from the code, so they cannot drift.

python -m zhibu.docs          write docs/rules.md, docs/format.md, docs/cli.md, docs/rating.md
python -m zhibu.docs --check  exit 1 if any of them is stale (a test runs this)
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from .format import kinds
from .model.vocabulary import RECORD_TYPES, TYPE_ALIASES

GENERATED = "<!-- 本文件由 python -m zhibu.docs 生成，请勿手工修改。 -->\n"

_KIND_WORDS = {
    "text": "文本",
    "code": "文本（加引号）",
    "date": "日期",
    "int": "整数",
    "count": "整数",
    "month": "1-12",
    "year": "年份",
    "number": "数字",
    "bool": "true/false",
    "enum": "规定值",
    "type": "记录类型",
    "types": "记录类型或其列表",
    "texts": "文本列表",
    "enums": "规定值列表",
    "pair": "两人列表",
    "months": "月份列表",
    "period": "期间",
    "yearmonth": "年-月",
    "format": "1",
    "theme_day": "主题党日规则",
    "full": "日期、null 或映射",
    "name_map": "映射",
    "leaders": "映射",
    "number_map": "映射",
    "map": "映射",
    "maps": "映射列表",
    "groups": "列表",
}


def _field_rows(fields, prefix: str = "") -> list[str]:
    rows = []
    for field in fields:
        name = f"{prefix}{field.name}"
        choices = ""
        if field.choices:
            shown = [c for c in field.choices if c not in TYPE_ALIASES]
            choices = "：" + " ".join(shown)
        rows.append(
            f"| `{name}` | {'必填' if field.required else ''} | {_KIND_WORDS.get(field.kind, field.kind)} | {field.doc}{choices} |"
        )
        if field.fields:
            sub = f"{name}[]." if field.kind == "maps" else f"{name}."
            rows.extend(_field_rows(field.fields, sub))
    return rows


def format_markdown() -> str:
    out = [
        "# 文件格式参考（第1版）\n",
        GENERATED,
        "支部仓库中每类文件的字段。本页由 zhibu 的字段表生成，与读取器的检查完全一致；",
        "每类文件的完整示例见 `zhibu demo 目录` 生成的示例支部（源码仓库中的 `sample-branch/` 与之相同）。\n",
        "## 总则\n",
        "- 一个党支部一个 git 仓库；支部根目录是向上最近的、含有 `zhibu.yaml` 的目录（与 git 查找 `.git` 相同）。",
        "- 文件按 YAML 1.2 读取：`no`、`on`、`13:30` 都是文字。键是英文，人读的值（姓名、类型、议题、原因）是中文。",
        '- 日期写成 `2026-03-05`（不加引号）；月份写成 `2026-03`；时间写成 `"14:30-16:00"`（加引号）。',
        "- 文件一律为不带 BOM 的 UTF-8 编码。其他编码（旧版 Windows 编辑器常存为 GBK）的文件不会被当成乱码读入，",
        "  而是报告文件名并说明如何转换。",
        "- 会议记录的文件名由命令取为 `records/<年>/<日期>-<类型>[-<序号>].yaml`；手工新建的记录可以另起文件名，",
        "  日期以文件内容为准。`attachments/` 中可以放任何文件（扫描件、照片），不作检查。\n",
        "| 文件 | 内容 |",
        "|---|---|",
        *[f"| `{kind.pattern}` | {kind.summary} |" for kind in kinds.ALL_KINDS],
        "",
        "其他位置的 YAML 文件（如拼错的目录 `record/2026/…`、`plans/2026-草稿.yaml`）不会被读取：`zhibu check` 报告",
        "`format.unknown-file`（错误），并提示它应在的位置；上表中的文件误用扩展名 `.yml` 时报告 `format.bad-value` 并提示改名。",
        "`zhibu.yaml` 的 `standard` 列出的规则包可以放在支部目录中的任何位置。支部根目录下名称不像上表任何文件、",
        "也不以日期开头的 YAML 文件（如 `zhibu meeting add --from 草稿.yaml` 用过的草稿）不作检查；隐藏目录",
        "（`.git`、`.zhibu`、`.vscode`）和含有自己的 `zhibu.yaml` 的子目录（另一个支部）也不在检查之列。\n",
    ]
    for kind in kinds.FILE_KINDS:
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
    from .model.findings import location
    from .rules.registry import KINDS
    from .standard.layers import baseline_rules

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
                    where = location(f.path, f.line, f.period)
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


def rating_markdown() -> str:
    """docs/rating.md: the built-in scoring scheme as data/rating.yaml states it."""
    from .standard.layers import baseline_rules
    from .standard.rating import default_scheme

    scheme = default_scheme()
    titles = {code: rule.title for code, rule in baseline_rules()[1].items()}
    out = [
        "# 评星定级：内置计分方案\n",
        GENERATED,
        f"`zhibu batch rate`、`zhibu batch report` 和 `zhibu doc checkup` 按这个方案（{scheme['scheme']}，"
        f"版本 {scheme['version']}）给支部打分。方案是数据（zhibu 的 `data/rating.yaml`），本页由它生成。",
        "用法和输出见 [上级党组织](batch.md#评星定级)。\n",
        "## 怎样计分\n",
        "- 按“五有”分五项，每项有满分。检查中每一条未豁免的问题，按下表在它所属的一项中扣分；",
        "  同一扣分项扣到“上限”为止，一项扣到 0 为止。一个规则码只在一项中扣分。",
        "- 某项需要的信息没有登记（如没有登记党员活动阵地）时，该项“无法从记录判断”，不计分；",
        "  总分按已判断各项的满分折算为百分制。",
        "- 经批准的例外（waivers.yaml）不扣分。`--explain` 逐条列出每一分扣在哪里、依据哪条问题。\n",
    ]
    for item in scheme["items"]:
        out.append(f"## {item['key']}（{item['points']} 分）\n")
        out.append(f"{item.get('title', '')}。\n")
        if item.get("requires"):
            out.append(f"不计分的情形：{item.get('unknown', '')}\n")
        if item.get("deductions"):
            out.append("| 扣分事项 | 每条扣分 | 上限 | 依据的规则码 |")
            out.append("|---|---|---|---|")
            for rule in item["deductions"]:
                codes = "<br>".join(
                    f"[`{code}`](rules.md#{code.replace('.', '')}) {titles.get(code, '')}" for code in rule["codes"]
                )
                out.append(f"| {rule.get('note', '')} | {rule['points']} | {rule.get('cap', item['points'])} | {codes} |")
            out.append("")
        else:
            out.append("本项不按检查问题扣分。\n")
    out.append("## 星级\n")
    out.append("| 总分不低于 | 星级 |")
    out.append("|---|---|")
    for step in sorted(scheme["stars"], key=lambda s: -s["min"]):
        out.append(f"| {step['min']} | {'★' * int(step['stars'])}（{step['stars']} 星） |")
    out.append("")
    out.append("## 换用自己的方案\n")
    out.append("上级党组织可以在 T 规则包中用 `rating:` 键给出自己的方案，写法与上面的内置方案相同")
    out.append("（`scheme`、`version`、`items` 的 `key`、`points`、`deductions`，以及 `stars`），整体替换内置方案。")
    out.append("方案中同一规则码在两个项目中重复扣分、缺少必要的键时，报 `standard.bad-pack`，该方案不采用。\n")
    return "\n".join(out)


PAGES = {"rules.md": rules_markdown, "format.md": format_markdown, "cli.md": cli_markdown, "rating.md": rating_markdown}


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
