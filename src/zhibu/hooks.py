"""The git pre-commit hook: refuse a commit that adds an error to the records.

``zhibu hooks install`` writes a small shell script into the repository's
hooks folder (``core.hooksPath`` when set) that runs ``<python> -m zhibu hooks
run`` with the interpreter that installed it. ``hooks run`` reads the
branch as the commit will record it (the index, straight from git's object
store; the work tree is not looked at), and compares it with HEAD.

What a single commit is judged by: the ``format.*`` and ``record.*``
findings (and ``standard.*`` for a rule pack) of error severity that the
commit *adds*, in the files it changes; when it changes members.yaml,
committee.yaml, zhibu.yaml or a rule pack, in every file, since a renamed
member breaks the records that name them. The rules about periods (a month
without a 支委会, a member inactive for six months) judge the branch as a
whole over time, not one commit, and are left to ``zhibu check``. Errors
that were already committed do not block an unrelated commit.
"""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import ZhibuError
from .model.findings import Finding, Severity

MARKER = "# zhibu-hook: pre-commit v1"
HOOK = "pre-commit"
BYPASS = "git commit --no-verify"
_WIDE_FILES = ("zhibu.yaml", "members.yaml", "committee.yaml")
_RECORD_FOLDERS = ("records/", "talks/", "plans/", "dues/")
SHOWN = 20  # findings listed in the refusal; a renamed member can break hundreds of records


# --- installing ----------------------------------------------------------------------------------


def hook_script(python: str) -> str:
    """The hook: run this interpreter's zhibu, or say clearly why it cannot."""
    quoted = shlex.quote(python)
    return f"""#!/bin/sh
# zhibu 的 pre-commit 钩子：每次提交前检查暂存的记录，有新错误时拒绝提交。
# 由 zhibu hooks install 安装，zhibu hooks uninstall 删除；本次跳过检查：{BYPASS}
{MARKER}
ZHIBU_PYTHON={quoted}
if [ ! -x "$ZHIBU_PYTHON" ]; then
    echo "zhibu 的 pre-commit 钩子找不到 Python：$ZHIBU_PYTHON（zhibu 可能已卸载或移动）。" >&2
    echo "重新安装钩子：zhibu hooks install；删除钩子：zhibu hooks uninstall；本次跳过检查：{BYPASS}" >&2
    exit 1
fi
exec "$ZHIBU_PYTHON" -m zhibu hooks run
"""


def is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def hook_path(root: Path) -> Path:
    from .store import gitrepo

    if not gitrepo.is_repo(root):
        raise ZhibuError(f"{root} 不在 git 仓库中，无法安装钩子。", "先运行 git init（zhibu init 会自动初始化）。")
    return gitrepo.hooks_dir(root) / HOOK


def install(root: Path, python: str | None = None) -> tuple[Path, bool]:
    """Install (or update) the hook; returns (path, whether one of ours was replaced).

    Raises:
        ZhibuError: a pre-commit hook that is not zhibu's is already there (it is left alone).
    """
    python = Path(python or sys.executable).as_posix()
    path = hook_path(root)
    replaced = False
    if path.exists() or path.is_symlink():
        if not is_ours(path):
            line = f"{shlex.quote(python)} -m zhibu hooks run || exit 1"
            raise ZhibuError(
                f"{path} 已有一个不是 zhibu 安装的 pre-commit 钩子，没有改动它。",
                f"如需同时使用，在该钩子中加入一行：{line}\n或者移走原钩子后重新运行 zhibu hooks install。",
            )
        replaced = True
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{HOOK}.zhibu-tmp")
    temp.write_text(hook_script(python), encoding="utf-8", newline="\n")
    temp.chmod(0o755)
    os.replace(temp, path)
    return path, replaced


def uninstall(root: Path) -> Path | None:
    """Remove zhibu's hook; None when there is none. A foreign hook is never removed."""
    path = hook_path(root)
    if not (path.exists() or path.is_symlink()):
        return None
    if not is_ours(path):
        raise ZhibuError(f"{path} 不是 zhibu 安装的钩子，没有删除。", "它属于别的工具；需要时请手工处理。")
    path.unlink()
    return path


# --- checking what is staged ----------------------------------------------------------------------


@dataclass(frozen=True)
class Refusal:
    prefix: str  # the branch folder inside the repository ("" at the top)
    findings: tuple[Finding, ...]


def absolute_git_env() -> None:
    """git runs hooks at the top of the work tree with GIT_INDEX_FILE (and sometimes GIT_DIR)
    relative to it; zhibu runs git inside the branch folder, so make them absolute first."""
    for var in ("GIT_INDEX_FILE", "GIT_DIR", "GIT_WORK_TREE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"):
        value = os.environ.get(var)
        if value and not os.path.isabs(value):
            os.environ[var] = os.path.abspath(value)


def _wanted(rel: str) -> bool:
    """Files the loader may read: YAML outside hidden folders (records, rule packs …), not attachments."""
    return rel.endswith((".yaml", ".yml")) and not any(part.startswith(".") for part in rel.split("/"))


def branch_prefixes(paths: list[str]) -> list[str]:
    """Folders (relative to the top) holding a zhibu.yaml, deepest first."""
    found = {posixpath.dirname(p) for p in paths if posixpath.basename(p) == "zhibu.yaml"}
    return sorted(found, key=lambda p: (-len(p), p))


def _owner(path: str, prefixes: list[str]) -> str | None:
    for prefix in prefixes:
        if not prefix or path.startswith(prefix + "/"):
            return prefix
    return None


def check_staged(top: Path, today: dt.date | None = None) -> list[Refusal]:
    """The errors the staged changes would add, per branch they touch."""
    from .store import gitrepo

    today = today or dt.date.today()
    changes = gitrepo.staged_changes(top)
    if not changes:
        return []
    prefixes = branch_prefixes(gitrepo.index_paths(top))
    touched: dict[str, set[str]] = {}
    for change in changes:
        for path in (change.path, change.old_path):
            if path is None:
                continue
            prefix = _owner(path, prefixes)
            if prefix is not None:
                touched.setdefault(prefix, set()).add(path[len(prefix) + 1 :] if prefix else path)
    refusals = []
    head = gitrepo.has_commits(top)
    for prefix, rels in sorted(touched.items()):
        root = top / prefix if prefix else top
        added = new_errors(root, rels, today, with_head=head)
        if added:
            refusals.append(Refusal(prefix, tuple(added)))
    return refusals


def new_errors(root: Path, rels: set[str], today: dt.date, *, with_head: bool = True) -> list[Finding]:
    """Errors in the index that HEAD does not have, in scope for a commit changing ``rels``."""
    from .store import files, gitrepo

    # The roster, the committee, the settings and the rule packs change what other files mean:
    # then every file is judged. Otherwise a changed record (talk ledger, plan, dues ledger) is
    # judged on its own against the roster, so the other records need not even be read.
    wide = any(r in _WIDE_FILES or not r.startswith(_RECORD_FOLDERS) for r in rels)

    def wanted(rel: str) -> bool:
        return _wanted(rel) and (wide or rel in rels or not rel.startswith(_RECORD_FOLDERS))

    staged = _errors(root, files.Snapshot(root, gitrepo.index_files(root, wanted)), today)
    before = set()
    if with_head:
        before = {_identity(f) for f in _errors(root, files.Snapshot(root, gitrepo.read_tree(root, "HEAD", wanted=wanted)), today)}
    return [f for f in staged if _identity(f) not in before and (wide or f.path in rels)]


def _identity(finding: Finding) -> tuple:
    # Not the line: adding a line above a broken one must not make the old error look new.
    return (finding.code, finding.path, finding.message)


def _errors(root: Path, tree, today: dt.date) -> list[Finding]:
    from .check import _restamp
    from .load import load_branch
    from .model.branch import FAR_PAST
    from .rules.registry import KINDS, Context
    from .standard import build_standard

    loaded = load_branch(root, tree)
    standard = build_standard(loaded.branch)
    findings = [_restamp(f, standard.rules) for f in (*loaded.findings, *standard.findings)]
    ctx = Context(loaded.branch, today, FAR_PAST, today, standard.rules)
    for rule in standard.rules.values():
        if rule.kind == "record":
            findings.extend(KINDS[rule.kind].evaluate(ctx, rule))
    return [f for f in findings if f.severity >= Severity.ERROR]


def describe(refusals: list[Refusal]) -> str:
    """The message that refuses the commit, paths as ``git status`` shows them."""
    count = sum(len(r.findings) for r in refusals)
    lines = [f"zhibu：本次提交会给支部记录带来 {count} 个错误，已拒绝提交。"]
    shown = 0
    for refusal in refusals:
        for f in sorted(refusal.findings, key=lambda f: f.sort_key):
            shown += 1
            if shown > SHOWN:
                break
            path = f"{refusal.prefix}/{f.path}" if refusal.prefix and f.path else (f.path or refusal.prefix or "")
            where = f"{path}:{f.line}" if f.line else path
            lines.append(f"  {where}: {f.code}: {f.message}")
            if f.hint:
                lines.append(f"    提示：{f.hint}")
    if count > SHOWN:
        lines.append(f"  ……另有 {count - SHOWN} 个，未列出。")
    lines.append("改正后重新 git add 并提交；zhibu check 可查看全部问题。")
    lines.append(f"确需照原样提交时（例如先保存草稿），可以跳过检查：{BYPASS}")
    return "\n".join(lines)
