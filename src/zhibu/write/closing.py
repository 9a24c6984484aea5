"""Closing a period (an annotated git tag) and witnesses a higher committee keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import ZhibuError
from ..history.trail import CLOSE_TAG_PREFIX
from ..model.findings import Severity
from ..model.periods import Period
from ..store import gitrepo


def close_period(root: Path, label: str, *, as_of: dt.date, force: bool = False) -> tuple[str, str]:
    """Check a period that has ended and tag HEAD as its close; returns (tag, summary)."""
    from ..check import check_branch

    period = Period.parse(label)
    if period is None:
        raise ZhibuError(f"“{label}”不是期间。", "写 2026-03（月）、2026Q1（季度）、2026H1（半年）或 2026（年）。")
    if period.end >= as_of:
        raise ZhibuError(f"{period.chinese}到 {period.end} 才结束，还不能关账。")
    if not gitrepo.is_repo(root) or not gitrepo.has_commits(root):
        raise ZhibuError("关账需要 git 仓库和至少一次提交。")
    tag = CLOSE_TAG_PREFIX + period.label
    if any(name == tag for name, *_ in gitrepo.tags(root, tag)):
        raise ZhibuError(f"{period.chinese}已经关账（标签 {tag}）。", "关账后的改动会被记录；不要删除或移动关账标签。")
    result = check_branch(root, as_of=as_of, year=period.year)
    dirty = [path for _status, path in gitrepo.uncommitted(root) if path.startswith("records/")]
    if dirty:
        raise ZhibuError(f"有未提交的记录改动：{'、'.join(dirty[:5])}。", "先提交（git commit）或撤销这些改动，再关账。")
    inside = [f for f in result.findings if _in_period(f, period)]
    errors = sum(1 for f in inside if f.severity == Severity.ERROR)
    warnings = sum(1 for f in inside if f.severity == Severity.WARNING)
    summary = f"检查（截至 {as_of}）：{errors} 个错误，{warnings} 个警告。"
    if errors and not force:
        raise ZhibuError(
            f"{period.chinese}还有 {errors} 个错误，没有关账。", "先改正（zhibu check 查看），或确需关账时加 --force。"
        )
    gitrepo.create_tag(root, tag, f"关账 {period.chinese}\n\n{summary}")
    return tag, summary


def _in_period(finding, period: Period) -> bool:
    if finding.period is None:
        return False
    inner = Period.parse(finding.period)
    return inner is not None and (period.covers(inner) or inner.covers(period))


def witness_line(root: Path) -> str:
    """``<sha> <commit date> <branch folder>``: what a higher committee writes down."""
    sha = gitrepo.head(root)
    return f"{sha} {gitrepo.committed_at(root, sha).isoformat()} {root.name}"


def verify_witness(root: Path, lines: list[str]) -> list[tuple[str, str, bool]]:
    """(sha, witnessed when, still an ancestor of HEAD?) for every line of a witness file."""
    out = []
    for line in lines:
        parts = line.split()
        if not parts or line.lstrip().startswith("#"):
            continue
        out.append((parts[0], parts[1] if len(parts) > 1 else "", bool(gitrepo.is_ancestor(root, parts[0]))))
    return out
