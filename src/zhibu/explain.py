"""``zhibu standard explain CODE``: a rule in words, with its golden example run live."""

from __future__ import annotations

import tempfile
from pathlib import Path

from .errors import ZhibuError
from .rules.registry import KINDS, Rule


def explain_text(code: str, rules: dict[str, Rule]) -> str:
    import difflib

    rule = rules.get(code)
    if rule is None:
        close = difflib.get_close_matches(code, list(rules), n=3, cutoff=0.5)
        raise ZhibuError(f"没有规则码 {code}。", f"是否为：{'、'.join(close)}？" if close else "用 zhibu standard show 查看全部规则码。")
    kind = KINDS[rule.kind]
    lines = [
        f"{rule.code}  {rule.title}",
        "",
        f"级别：{rule.severity.chinese}（{rule.severity.label}）；由 {rule.pack}（{rule.layer} 层）设定。",
        f"检查内容：{kind.doc}",
    ]
    if rule.params:
        lines.append("参数：")
        for key, value in rule.params.items():
            param = kind.params.get(key)
            shown = "、".join(value) if isinstance(value, tuple) else value
            direction = {"up": "只能调高", "down": "只能调低", "shorter": "只能缩短", "superset": "只能增加", "fixed": "不可更改"}
            if param and param.bounds:
                direction["within"] = f"：T 包可在 {param.bounds[0]} 至 {param.bounds[1]} 之间设定，X 包只能调低"
            note = f"（{param.doc}；下级规则包{direction[param.stricter]}）" if param else ""
            lines.append(f"  {key}: {shown}{note}  ← {rule.origin.get(key, rule.pack)}")
    lines += ["", "依据：", f"  {rule.source}"]
    example = _example_findings(code)
    if example:
        what, findings = example
        lines += ["", f"示例（{what}）："]
        for f in findings:
            where = f"{f.path}:{f.line}" if f.path and f.line else (f.path or f.period or "")
            lines.append(f"  {where}  {f.severity.chinese}  {f.message}")
    lines += ["", "如何处理："]
    if rule.hint:
        lines.append(f"  改正：{rule.hint}")
    lines.append(
        f"  确有正当理由的，经上级党组织批准后在 waivers.yaml 中登记例外："
        f"{{code: {rule.code}, period: 2026-03, reason: …, approved_by: …, approved: 日期}}；"
        "被豁免的发现仍会单独列出，但不影响检查结果。"
    )
    return "\n".join(lines) + "\n"


def _example_findings(code: str):
    from .examples import examples, run_example

    example = examples().get(code)
    if example is None:
        return None
    with tempfile.TemporaryDirectory(prefix="zhibu-example-") as tmp:
        result = run_example(code, Path(tmp) / "branch")
    return example.what, [f for f in result.findings if f.code == code]
