"""Vendoring a T pack published by a higher committee into a branch (``zhibu standard update``).

A pack arrives as a file or in a git repository. It is parsed and checked
before anything is written; the branch gets a copy under ``standards/``
named after the pack id, zhibu.yaml lists it (T packs before X packs), and one
commit records the change with a summary of what the new version changes.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ZhibuError
from ..format.load import Loaded
from ..model.branch import PackFile
from ..model.findings import Severity, Source
from ..standard.layers import Standard, build_standard
from ..store import gitrepo, yamlio
from .change import Change, Outcome, apply


@dataclass(frozen=True)
class RuleChange:
    code: str
    what: str  # 新增 | 删除 | 修改
    detail: str = ""


def read_source(source: str, member: str | None = None) -> tuple[str, str]:
    """(text, where) of a pack given as a file path or a git URL (``member``: the file inside)."""
    path = Path(source)
    if path.is_file():
        return _decode(path.read_bytes(), source), source
    is_git = (
        "://" in source or source.endswith(".git") or (path.is_dir() and ((path / ".git").exists() or (path / "HEAD").is_file()))
    )
    if is_git:
        with tempfile.TemporaryDirectory(prefix="zhibu-pack-") as tmp:
            clone = Path(tmp) / "pack"
            gitrepo.clone_shallow(source, clone)
            candidates = [clone / member] if member else _pack_files(clone)
            if not candidates or not candidates[0].is_file():
                raise ZhibuError(
                    f"{source} 中找不到规则包文件{f' {member}' if member else ''}。", "用 --file 指明仓库中的规则包文件。"
                )
            if len(candidates) > 1:
                names = "、".join(str(c.relative_to(clone)) for c in candidates)
                raise ZhibuError(f"{source} 中有多个规则包：{names}。", "用 --file 指明要使用哪一个。")
            return _decode(candidates[0].read_bytes(), source), f"{source}:{candidates[0].relative_to(clone)}"
    raise ZhibuError(f"找不到规则包 {source}。", "写规则包文件的路径，或上级党组织发布规则包的 git 仓库地址。")


def _pack_files(folder: Path) -> list[Path]:
    out = []
    for candidate in sorted([*folder.glob("*.yaml"), *folder.glob("standards/*.yaml")]):
        try:
            data = yamlio.parse(candidate.read_text(encoding="utf-8")).data
        except (yamlio.YamlProblem, UnicodeDecodeError):
            continue
        if isinstance(data, dict) and "pack" in data and "rules" in data:
            out.append(candidate)
    return out


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ZhibuError(f"规则包 {where} 不是 UTF-8 编码。", "请上级党组织以 UTF-8 编码发布。") from None


def _parse_pack(text: str, where: str) -> tuple[dict, dict]:
    try:
        parsed = yamlio.parse(text)
    except yamlio.YamlProblem as problem:
        raise ZhibuError(f"规则包 {where} 第 {problem.line} 行：{problem.message}") from None
    data = parsed.data
    if not isinstance(data, dict) or not isinstance(data.get("pack"), str):
        raise ZhibuError(f"{where} 不是规则包（缺少 pack）。")
    if data.get("layer") != "T":
        raise ZhibuError(
            f"{where} 的层级是 {data.get('layer')}，zhibu standard update 只接收上级发布的 T 规则包。",
            "本支部的 X 规则包直接放在 standards/ 下编辑。",
        )
    return data, parsed.lines


def _rules_of(data) -> dict[str, dict]:
    rules = data.get("rules") if isinstance(data, dict) else None
    return {r["code"]: r for r in rules or [] if isinstance(r, dict) and isinstance(r.get("code"), str)}


def compare(old: dict | None, new: dict) -> list[RuleChange]:
    """What a new version of a pack changes, rule by rule (and in its monthly topics)."""
    before, after = _rules_of(old), _rules_of(new)
    changes = []
    for code in sorted(set(before) | set(after)):
        if code not in before:
            changes.append(RuleChange(code, "新增", after[code].get("title", "")))
        elif code not in after:
            changes.append(RuleChange(code, "删除", before[code].get("title", "")))
        elif before[code] != after[code]:
            keys = sorted(set(before[code]) | set(after[code]), key=str)
            diffs = [
                f"{k}: {before[code].get(k)} → {after[code].get(k)}" for k in keys if before[code].get(k) != after[code].get(k)
            ]
            changes.append(RuleChange(code, "修改", "；".join(diffs)))
    old_topics = (old or {}).get("monthly_topics") or {}
    new_topics = new.get("monthly_topics") or {}
    for month in sorted(set(old_topics) | set(new_topics), key=str):
        if old_topics.get(month) != new_topics.get(month):
            changes.append(
                RuleChange(
                    f"monthly_topics {month}",
                    "修改" if month in old_topics else "新增",
                    "、".join(map(str, new_topics.get(month) or [])),
                )
            )
    return changes


def update_pack(
    root: Path, source: str, *, member: str | None = None, commit: bool = True, dry_run: bool = False
) -> tuple[Outcome, list[RuleChange], dict]:
    """Vendor the T pack at ``source`` into the branch at ``root``."""
    text, where = read_source(source, member)
    data, lines = _parse_pack(text, where)
    pack_id = data["pack"].strip()
    rel = f"standards/{pack_id}.yaml"
    _refuse_bad_pack(data, lines, rel)
    changes: list[RuleChange] = []

    def build(loaded: Loaded) -> Change:
        old_file = loaded.root / rel
        old = yamlio.parse(old_file.read_text(encoding="utf-8")).data if old_file.is_file() else None
        if old is not None and old_file.read_text(encoding="utf-8") == text:
            raise ZhibuError(f"规则包 {pack_id} 已是最新（版本 {data.get('version', '')}），没有改动。")
        changes.extend(compare(old, data))
        change = Change(
            f"标准 更新 {pack_id} {data.get('version', '')}".rstrip() + f"（{_count(changes)}）",
            summary=f"已更新 {rel}（{_count(changes)}）。",
        )
        change.put(rel, text)
        config_text = (loaded.root / "zhibu.yaml").read_text(encoding="utf-8")
        if rel not in loaded.branch.config.standard:
            change.put("zhibu.yaml", _list_pack(config_text, rel, loaded.branch.config.standard))
        return change

    outcome = apply(root, build, commit=commit, dry_run=dry_run)
    return outcome, changes, data


def _count(changes: list[RuleChange]) -> str:
    counts = {what: sum(1 for c in changes if c.what == what) for what in ("新增", "修改", "删除")}
    parts = [f"{what} {n} 项" for what, n in counts.items() if n]
    return "、".join(parts) or "规则无变化"


def _list_pack(config_text: str, rel: str, current: tuple[str, ...]) -> str:
    """zhibu.yaml with ``rel`` added to ``standard:`` after the other T packs, before any X pack."""
    doc = yamlio.load_roundtrip(config_text)
    packs = doc.get("standard")
    if packs is None:
        doc["standard"] = yamlio.new_seq([rel])
        return yamlio.dump_roundtrip(doc)
    position = len(packs)
    for index, existing in enumerate(packs):
        if Path(str(existing)).name.startswith("X"):
            position = index
            break
    packs.insert(position, rel)
    return yamlio.dump_roundtrip(doc)


def _refuse_bad_pack(data: dict, lines: dict, rel: str) -> None:
    """Layer the pack over B alone; a pack with errors of its own is not vendored."""
    from ..model.branch import Branch, BranchConfig

    branch = Branch(BranchConfig(name="", parent="", category="其他"), packs=(PackFile(rel, data, Source(rel, 1, (), lines)),))
    standard: Standard = build_standard(branch)
    problems = [f for f in standard.findings if f.severity >= Severity.ERROR]
    if problems:
        detail = "；".join(f"第 {f.line} 行 {f.message}" if f.line else f.message for f in problems[:5])
        raise ZhibuError(f"规则包有 {len(problems)} 处错误，未写入：{detail}", "请上级党组织更正规则包后重新发布。")
