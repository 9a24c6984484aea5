"""Changing a branch: validate, write atomically, commit once; or leave everything as it was.

Every command that writes goes through :func:`apply`. It takes the branch
lock, lets the command build its change from the branch as it is *now*
(so two writers never pick the same file name), validates the result by
loading the branch with the change laid over it, writes each file through a
temporary file, and makes one git commit. If anything fails after the first
write, the files are put back as they were.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import InvalidChange, ZhibuError
from .json_schema import add_modelines
from .load import Loaded, load_branch
from .model.findings import Finding, Severity
from .store import files, gitrepo


@dataclass
class Change:
    """Files to write (bytes) or delete (None), and the commit message that explains them."""

    message: str
    writes: dict[str, bytes | None] = field(default_factory=dict)
    summary: str = ""  # what to tell the user after it lands
    checks: tuple = ()  # extra validators this change needs (see Validator)

    def put(self, rel: str, text: str) -> None:
        self.writes[rel] = text.encode("utf-8")

    def delete(self, rel: str) -> None:
        self.writes[rel] = None


@dataclass
class Outcome:
    change: Change
    committed: str | None = None  # sha
    written: bool = False
    warnings: list[Finding] = field(default_factory=list)


Validator = Callable[[Loaded, Change], list[Finding]]


def apply(
    root: Path,
    build: Callable[[Loaded], Change],
    *,
    commit: bool = True,
    dry_run: bool = False,
    validators: tuple[Validator, ...] = (),
) -> Outcome:
    """Build, validate, write and commit a change to the branch at ``root``.

    Raises:
        InvalidChange: the change would add an error to the files it touches.
        ZhibuError: the change could not be written or committed; the
            repository is as it was.
    """
    with files.branch_lock(root):
        before = load_branch(root)
        if not before.config_ok:
            problems = [f for f in before.findings if f.path == "zhibu.yaml"]
            detail = "；".join(f"第 {f.line} 行 {f.message}" if f.line else f.message for f in problems[:3])
            raise ZhibuError(f"zhibu.yaml 无法使用：{detail}", "修正 zhibu.yaml 后重试。")
        change = build(before)
        # New format files point editors at the branch's JSON Schemas (json_schema.py).
        change.writes = add_modelines(root, change.writes)
        overlay = files.Overlay(files.WorkTree(root), dict(change.writes))
        after = load_branch(root, overlay)
        old = {_identity(f) for f in before.findings}
        # Any file counts: renaming a member in members.yaml can break committee.yaml.
        new = [f for f in after.findings if _identity(f) not in old]
        for validator in (*validators, *change.checks):
            new.extend(validator(after, change))
        errors = [f for f in new if f.severity >= Severity.ERROR]
        if errors:
            raise InvalidChange("改动未通过校验，没有写入任何文件：", errors)
        outcome = Outcome(change, warnings=[f for f in new if f.severity < Severity.ERROR])
        if dry_run:
            return outcome
        _write_all(root, change, commit=commit and gitrepo.is_repo(root), outcome=outcome)
        return outcome


def _identity(finding: Finding) -> tuple:
    return (finding.code, finding.path, finding.message)


def _write_all(root: Path, change: Change, *, commit: bool, outcome: Outcome) -> None:
    originals: dict[str, bytes | None] = {}
    for rel in change.writes:
        path = files.safe_target(root, rel)
        originals[rel] = path.read_bytes() if path.is_file() else None
    try:
        for rel, data in change.writes.items():
            if data is None:
                files.remove_file(root, rel)
            else:
                files.write_atomic(root, rel, data)
        outcome.written = True
        if commit:
            written = [rel for rel, data in change.writes.items() if data is not None]
            removed = [rel for rel, data in change.writes.items() if data is None and originals[rel] is not None]
            outcome.committed = gitrepo.commit(root, written, change.message, removed=removed)
    except BaseException:
        for rel, data in originals.items():
            if data is None:
                files.remove_file(root, rel)
            else:
                files.write_atomic(root, rel, data)
        outcome.written = False
        raise
