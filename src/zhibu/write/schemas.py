"""Editor support in a branch: its JSON Schemas and VS Code settings, written as one change."""

from __future__ import annotations

from pathlib import Path

from .. import __version__
from ..format.json_schema import SCHEMA_DIR, VSCODE_SETTINGS, branch_schema_files, vscode_settings
from .change import Change, apply


def update_branch_schemas(root: Path, *, vscode: bool = False, commit: bool = True, dry_run: bool = False):
    """Write the schemas (and, with ``vscode``, the VS Code settings) into the branch in one
    commit; returns the :class:`~zhibu.write.change.Outcome`, or None when everything is current."""
    wanted = branch_schema_files()
    if vscode:
        wanted[VSCODE_SETTINGS] = vscode_settings(root)

    def stale_files() -> dict:
        return {rel: data for rel, data in wanted.items() if not (root / rel).is_file() or (root / rel).read_bytes() != data}

    if not stale_files():
        return None

    class _Current(Exception):
        pass

    def build(_loaded):
        # Again under the lock: another writer (or the finishing of an interrupted run of this
        # very command) may have written some of them since.
        stale = stale_files()
        if not stale:
            raise _Current
        what = [
            w
            for w, here in (
                ("JSON Schema", any(r.startswith(SCHEMA_DIR) for r in stale)),
                ("VS Code 设置", VSCODE_SETTINGS in stale),
            )
            if here
        ]
        change = Change(
            f"编辑器支持：写入{'和'.join(what)}（zhibu {__version__}）", summary=f"已写入 {'、'.join(sorted(stale))}。"
        )
        change.writes.update(stale)
        return change

    try:
        return apply(root, build, commit=commit, dry_run=dry_run)
    except _Current:
        return None
