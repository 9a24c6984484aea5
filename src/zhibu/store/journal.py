"""The record of a change being written: what lets the next writer finish a killed one.

Before zhibu writes the first file of a change it stores, next to the writer lock
(inside ``.git``, or ``.zhibu-pending.json`` in the branch root without git), every
path with its content before and after the change and the commit message. The file
is removed once the change is committed (or put back after a failure). A file found
there means a writer died (``kill -9``, power cut) somewhere between the first write
and the end; ``change.apply`` decides from it what to do (see ``change._recover``).

The old and new contents are kept whole, not as hashes: finishing a change needs the
new bytes, recognising a retry of the same command needs the old ones.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import ZhibuError
from . import files

VERSION = 1
NAME = "zhibu-pending.json"


@dataclass(frozen=True)
class Pending:
    """A change that was being written: message, whether it was to be committed, and per
    path the bytes before and after (None: the file did not exist / is deleted)."""

    message: str
    commit: bool
    old: dict  # rel -> bytes | None
    new: dict  # rel -> bytes | None

    @property
    def paths(self) -> list[str]:
        return sorted(self.new)


def path(root: Path) -> Path:
    """Where the record lives: beside the writer lock, so it is never an untracked file."""
    lock = files._lock_path(root)
    return lock.with_name(NAME if lock.name == "zhibu.lock" else "." + NAME)


def save(root: Path, pending: Pending) -> None:
    """Store the record durably (temporary file, fsync, rename) before any branch file is touched."""

    def encode(data):
        return None if data is None else base64.b64encode(data).decode("ascii")

    body = {
        "version": VERSION,
        "message": pending.message,
        "commit": pending.commit,
        "files": {rel: {"old": encode(pending.old.get(rel)), "new": encode(pending.new[rel])} for rel in pending.paths},
    }
    target = path(root)
    files.write_file_atomic(target, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))


def load(root: Path) -> Pending | None:
    """The record of an unfinished change, or None when the last writer finished."""
    target = path(root)
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return None
    try:
        body = json.loads(raw.decode("utf-8"))
        if body.get("version") != VERSION:
            raise ValueError("version")
        old, new = {}, {}
        for rel, entry in body["files"].items():
            # A tampered record must not write outside the branch, nor into git's own folder.
            if ".git" in rel.split("/"):
                raise ValueError(rel)
            files.safe_target(root, rel)
            old[rel] = None if entry["old"] is None else base64.b64decode(entry["old"], validate=True)
            new[rel] = None if entry["new"] is None else base64.b64decode(entry["new"], validate=True)
        return Pending(str(body["message"]), bool(body["commit"]), old, new)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise ZhibuError(
            f"{target} 记录了一次被中断的写入，但内容无法识别（可能来自其他版本的 zhibu）。",
            f"用 git status 查看支部文件的状态，确认无误后删除 {target} 再重试。",
        ) from None


def remove(root: Path) -> None:
    try:
        os.unlink(path(root))
    except FileNotFoundError:
        pass
