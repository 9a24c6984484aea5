"""Changing a branch: validate, write atomically, commit once; or leave everything as it was.

Every command that writes goes through :func:`apply`. It takes the branch
lock, lets the command build its change from the branch as it is *now*
(so two writers never pick the same file name), validates the result by
loading the branch with the change laid over it, refuses to commit files
holding someone's uncommitted edits, records the change (``store/journal.py``),
writes each file through a temporary file, and makes one git commit. If
anything fails after the first write, the files are put back as they were.

A writer killed half-way (``kill -9``, a power cut) leaves its record behind;
the next writer, under the lock, finishes that change before doing its own,
and recognises a retry of the same command, so nothing is lost or recorded
twice (:func:`_recover`).
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .. import faults
from ..errors import InvalidChange, ZhibuError, os_problem
from ..format.json_schema import add_modelines
from ..format.load import Loaded, load_branch
from ..model.findings import Finding, Severity
from ..store import files, gitrepo, journal

_INCLUDE_EDITS = contextvars.ContextVar("include_edits", default=False)


@contextlib.contextmanager
def including_edits():
    """Let every :func:`apply` inside commit files that hold uncommitted edits (``--include-edits``)."""
    token = _INCLUDE_EDITS.set(True)
    try:
        yield
    finally:
        _INCLUDE_EDITS.reset(token)


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
    notes: list[str] = field(default_factory=list)  # what happened to an interrupted earlier change


Validator = Callable[[Loaded, Change], list[Finding]]


def apply(
    root: Path,
    build: Callable[[Loaded], Change],
    *,
    commit: bool = True,
    dry_run: bool = False,
    validators: tuple[Validator, ...] = (),
    include_edits: bool | None = None,
) -> Outcome:
    """Build, validate, write and commit a change to the branch at ``root``.

    ``include_edits`` (default: the ambient :func:`including_edits`) lets the commit take
    files that already differ from HEAD; otherwise such a file is refused.

    Raises:
        InvalidChange: the change would add an error to the files it touches.
        ZhibuError: the change could not be written or committed; the
            repository is as it was (or, when even putting it back failed, the
            change is recorded and the next writer finishes it).
    """
    if include_edits is None:
        include_edits = _INCLUDE_EDITS.get()
    try:
        with files.branch_lock(root):
            return _apply_locked(root, build, commit=commit, dry_run=dry_run, validators=validators, include_edits=include_edits)
    except OSError as exc:  # the lock, a read, the record of the change: nothing was written yet
        raise os_problem(exc) from None


def _apply_locked(root, build, *, commit, dry_run, validators, include_edits) -> Outcome:
    committing = commit and gitrepo.is_repo(root)

    def prepare() -> Outcome:
        before = load_branch(root)
        if not before.config_ok:
            problems = [f for f in before.findings if f.path == "zhibu.yaml"]
            detail = "；".join(f"第 {f.line} 行 {f.message}" if f.line else f.message for f in problems[:3])
            raise ZhibuError(f"zhibu.yaml 无法使用：{detail}", "修正 zhibu.yaml 后重试。")
        change = build(before)
        # New format files point editors at the branch's JSON Schemas (format/json_schema.py).
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
        return Outcome(change, warnings=[f for f in new if f.severity < Severity.ERROR])

    notes: list[str] = []
    outcome = None
    if dry_run:
        if journal.path(root).exists():
            notes.append("上次有一条写入命令被中断，尚未收尾；试运行不处理它，下一条写入命令会先补完它。")
    else:
        pending = journal.load(root)
        if pending is not None:
            outcome, landed = _recover(root, pending, prepare, notes)
            if landed:  # this command is the retry of one that had already done its work
                outcome.notes[:0] = notes
                return outcome
    if outcome is None:
        outcome = prepare()
    outcome.notes[:0] = notes
    if committing and not include_edits:
        _refuse_edited(root, outcome.change)
    if dry_run:
        return outcome
    _write_all(root, outcome.change, commit=committing, outcome=outcome)
    return outcome


def _identity(finding: Finding) -> tuple:
    return (finding.code, finding.path, finding.message)


def _refuse_edited(root: Path, change: Change) -> None:
    """A commit of these paths would take along edits this command did not make: refuse."""
    edited = gitrepo.edited(root, sorted(change.writes))
    if edited:
        raise ZhibuError(
            f"{'、'.join(edited)} 有尚未提交的改动（不是这条命令做的），zhibu 不会把它们记在“{change.message}”名下；没有写入任何文件。",
            f"先用 git diff 查看，再提交（git commit）或暂存（git stash push -- {' '.join(edited)}）这些改动后重试；"
            "确认要把它们和这次改动一起提交，加 --include-edits。",
        )


def _write_all(root: Path, change: Change, *, commit: bool, outcome: Outcome) -> None:
    originals: dict[str, bytes | None] = {}
    for rel in change.writes:
        path = files.safe_target(root, rel)
        originals[rel] = path.read_bytes() if path.is_file() else None
    # Recorded before the first write: whoever finds it knows what was being done.
    journal.save(root, journal.Pending(change.message, commit, originals, dict(change.writes)))
    faults.pause("journal")
    try:
        for n, (rel, data) in enumerate(change.writes.items(), 1):
            if data is None:
                files.remove_file(root, rel)
            else:
                files.write_atomic(root, rel, data)
            if n == 1 and len(change.writes) > 1:
                faults.pause("written-1")
        outcome.written = True
        faults.pause("written")
        if commit:
            written = [rel for rel, data in change.writes.items() if data is not None]
            removed = [rel for rel, data in change.writes.items() if data is None and originals[rel] is not None]
            outcome.committed = gitrepo.commit(root, written, change.message, removed=removed)
    except BaseException as exc:
        try:
            _put(root, originals)
        except BaseException:
            # The record stays: the next writer finishes this change.
            problem = os_problem(exc) if isinstance(exc, OSError) else exc
            if isinstance(problem, ZhibuError):
                raise ZhibuError(
                    problem.message,
                    "部分文件已写入，无法撤回；zhibu 记下了这次改动，排除问题后重试本命令（或运行任意写入命令）即可补完。",
                ) from None
            raise
        journal.remove(root)
        outcome.written = False
        if isinstance(exc, OSError):
            raise os_problem(exc, done="改动已撤回，仓库保持原样。") from None
        raise
    faults.pause("committed")
    journal.remove(root)


def _put(root: Path, contents: dict[str, bytes | None]) -> None:
    """Make each file hold ``contents`` (None: absent), writing only those that differ."""
    for rel, data in contents.items():
        path = files.safe_target(root, rel)
        current = path.read_bytes() if path.is_file() else None
        if current == data:
            continue
        if data is None:
            files.remove_file(root, rel)
        else:
            files.write_atomic(root, rel, data)


# --- finishing a change whose writer was killed ------------------------------------------


def _recover(
    root: Path, pending: journal.Pending, prepare: Callable[[], Outcome], notes: list[str]
) -> tuple[Outcome | None, bool]:
    """Deal with the change a killed writer left recorded, before this command's own.

    - Nothing of it was written: it is dropped (as if the command had never run).
    - Partly or wholly written, or even committed: it is *finished* (the rest written, the
      commit made with its own message), because it was validated and the user asked for it.
      But first this command is built on the branch as it was before that change: when it
      comes out identical, this command is the retry of the killed one, and it is done
      once.
    - A file of it changed since (neither as before nor as after): refused, naming it.

    Returns (the retry's Outcome to write, or None to build afresh; whether that retry is
    already done because the killed writer had got as far as its commit).
    """
    paths = pending.paths
    current = {rel: _read(root, rel) for rel in paths}
    committing = pending.commit and gitrepo.is_repo(root)
    if committing:
        landed = gitrepo.committed_contents(root, paths) == pending.new
    else:
        landed = current == pending.new
    changed = [rel for rel in paths if current[rel] not in (pending.old[rel], pending.new[rel])]
    if changed:
        if landed:  # the change is in git; what happened to the files since is the user's
            journal.remove(root)
            return None, False
        raise ZhibuError(
            f"上次被中断的改动“{pending.message}”没有完成，而这些文件之后又被改过：{'、'.join(changed)}；zhibu 无法判断该保留哪个版本，没有写入任何文件。",
            f"把这些文件恢复原样（git diff 查看）或自行提交后重试；要放弃那次被中断的改动，删除 {journal.path(root)}。",
        )
    if not landed and current == pending.old:
        if committing:
            gitrepo.unstage(root, paths)
        journal.remove(root)
        notes.append(f"上次被中断的改动“{pending.message}”还没有写入任何文件，已放弃。")
        return None, False
    # Back to the branch as it was before, to see whether this command is that one again.
    _put(root, pending.old)
    if committing and not landed:
        gitrepo.unstage(root, paths)
    try:
        retry = prepare()
    except Exception:  # whatever stops this command on that state, it is not the same change
        retry = None
    same = retry is not None and retry.change.message == pending.message and retry.change.writes == pending.new
    if same and not landed:
        notes.append(f"上次被中断的改动“{pending.message}”就是这一条，这次完整写入（没有重复记录）。")
        return retry, False
    _put(root, pending.new)
    if landed:
        journal.remove(root)
        if same:
            retry.written = True
            retry.committed = gitrepo.head(root) if committing else None
            notes.append("这条命令上次其实已经完成，只是被中断在收尾之前；这次没有重复写入。")
            return retry, True
        return None, False
    sha = None
    if committing:
        written = [rel for rel in paths if pending.new[rel] is not None]
        removed = [rel for rel in paths if pending.new[rel] is None and pending.old[rel] is not None]
        try:
            sha = gitrepo.commit(root, written, pending.message, removed=removed)
        except ZhibuError as exc:
            # What the killed command would have done had its commit failed: put the files back.
            _put(root, pending.old)
            journal.remove(root)
            raise ZhibuError(
                f"上次被中断的改动“{pending.message}”无法补完提交：{exc.message}",
                "那次改动已撤回，仓库回到它之前的样子，本命令没有执行。"
                + (exc.hint or "").replace("改动已撤回，仓库保持原样。", ""),
            ) from None
    journal.remove(root)
    notes.append(f"已补完上次被中断的改动“{pending.message}”" + (f"（提交 {sha[:8]}）" if sha else "") + "，然后执行本命令。")
    return None, False


def _read(root: Path, rel: str) -> bytes | None:
    path = files.safe_target(root, rel)
    return path.read_bytes() if path.is_file() else None
