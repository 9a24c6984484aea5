"""Rendering a check result: readable text for a terminal, JSON for scripts (interfaces.md)."""

from __future__ import annotations

import os
from pathlib import Path

from ..check import CheckResult
from ..model.findings import Finding, Severity, location
from ..model.redact import dumps_clean


def to_json_data(result: CheckResult, root_label: str) -> dict:
    """The documented JSON shape of ``zhibu check --format json``."""
    config = result.loaded.branch.config
    return {
        "zhibu": result.version,
        "branch": {"name": config.name, "root": root_label},
        "as_of": result.as_of.isoformat(),
        "range": {"from": result.start.isoformat(), "to": result.end.isoformat()},
        "standard": [{"pack": p.pack, "layer": p.layer, "version": p.version} for p in result.standard.packs],
        "summary": result.summary,
        "findings": [f.to_json() for f in result.findings],
        "waived": [
            {
                **f.to_json(),
                "waiver": {
                    "period": w.period,
                    "reason": w.reason,
                    "approved_by": w.approved_by,
                    "approved": w.approved.isoformat() if w.approved else None,
                },
            }
            for f, w in result.waived
        ],
        "notes": list(result.notes),  # added to interfaces.md's shape: lines that are not findings
    }


def to_json(result: CheckResult, root_label: str) -> str:
    return dumps_clean(to_json_data(result, root_label), indent=2) + "\n"


def root_label(root: Path) -> str:
    """The branch root as the user would type it from here: "." or a relative path."""
    try:
        label = os.path.relpath(root, Path.cwd())
    except ValueError:  # another drive on Windows
        return root.as_posix()
    return Path(label).as_posix()


def _location(f: Finding) -> str:
    """The line of a finding listed under its file's path (the path is the group's heading)."""
    return f"{f.line}" if f.line else "—"


def _lines_for(f: Finding, *, sources: bool, indent: str) -> list[str]:
    head = f"{indent}{f.severity.chinese}  {f.code}"
    if f.period and f.path:
        head += f"  [{f.period}]"
    out = [f"{head}  {f.message}"]
    pad = " " * (len(indent) + 4)
    if f.hint:
        out.append(f"{pad}提示：{f.hint}")
    if sources and f.source:
        layer = f"{f.layer}" if f.pack == f.layer else f"{f.layer}:{f.pack}"
        out.append(f"{pad}依据（{layer}）：{f.source}")
    return out


def to_text(result: CheckResult, *, sources: bool = False) -> str:
    """A grouped report: findings by file (with line), then by period for the branch as a whole."""
    config = result.loaded.branch.config
    packs = " → ".join(f"{p.pack} {p.version}".strip() for p in result.standard.packs)
    lines = [
        f"{config.name}",
        f"检查范围 {result.start} 至 {result.end}，截至 {result.as_of}；标准 {packs}",
    ]
    by_path: dict[str, list[Finding]] = {}
    general: list[Finding] = []
    for f in result.findings:
        if f.path:
            by_path.setdefault(f.path, []).append(f)
        else:
            general.append(f)
    for path, findings in by_path.items():
        lines.append("")
        lines.append(path)
        for f in findings:
            lines.extend(_lines_for(f, sources=sources, indent=f"  {_location(f):>4}: "))
    if general:
        lines.append("")
        lines.append("全支部")
        for f in sorted(general, key=lambda f: (f.period or "", f.code, f.subject or "")):
            lines.extend(_lines_for(f, sources=sources, indent=f"  {f.period or '—':>8}  "))
    if result.waived:
        lines.append("")
        lines.append(f"已豁免（{len(result.waived)}）")
        for f, w in result.waived:
            where = location(f.path, f.line, f.period)
            lines.append(f"  {where}  {f.code}  {f.message}")
            lines.append(
                f"      例外：{w.reason}"
                + (f"（{w.approved_by} {w.approved or ''} 批准）".replace(" ）", "）") if w.approved_by else "")
            )
    if result.notes:
        lines.append("")
        lines.append("说明")
        lines.extend(f"  {note}" for note in result.notes)
    summary = result.summary
    lines.append("")
    verdict = "未通过" if summary["error"] else "通过"
    lines.append(
        f"{verdict}：{summary['error']} 个错误，{summary['warning']} 个警告，{summary['info']} 个提示"
        + (f"，{summary['waived']} 个已豁免" if summary["waived"] else "")
        + "。"
    )
    return "\n".join(lines) + "\n"


SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.INFO)
