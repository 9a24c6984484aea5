"""One minimal example per finding code: the sample branch, made clean, plus a small change.

The same examples are the golden tests (tests/golden/<code>.txt holds each
one's expected report), the examples in docs/rules.md, and what
``zhibu standard explain CODE`` shows. Each is data in data/examples.yaml:

    - code: meeting.quorum
      as_of: 2025-12-31          # optional; default CLEAN_AS_OF
      year: 2025                 # optional; default 2025
      what: 到会人数未过半数的支部党员大会作出决议      # one line, Chinese
      edits:                     # replace text in a file of the clean branch
        - {path: records/…yaml, old: "…", new: "…"}
      files: {path: text}        # add or replace whole files; {path: {text: …, encoding: gbk}}
                                 # writes that file in another encoding (for format.encoding)
      remove: [path, …]          # delete files
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .demo import sample_files
from .errors import ZhibuError

CLEAN_AS_OF = dt.date(2025, 12, 31)
CLEAN_YEAR = 2025


@dataclass(frozen=True)
class Example:
    code: str
    what: str
    as_of: dt.date = CLEAN_AS_OF
    year: int = CLEAN_YEAR
    edits: tuple = ()  # (path, old, new)
    files: dict = field(default_factory=dict)
    remove: tuple = ()
    encodings: dict = field(default_factory=dict)  # path -> encoding, for files not written as UTF-8


@functools.cache
def _data() -> dict:
    from .store.yamlio import parse

    text = resources.files("zhibu").joinpath("data/examples.yaml").read_text(encoding="utf-8")
    return parse(text).data


def _example(entry: dict) -> Example:
    files, encodings = {}, {}
    for path, value in (entry.get("files") or {}).items():
        if isinstance(value, dict):
            files[path] = value["text"]
            if value.get("encoding"):
                encodings[path] = value["encoding"]
        else:
            files[path] = value
    return Example(
        code=entry["code"],
        what=entry.get("what", ""),
        as_of=entry.get("as_of", CLEAN_AS_OF),
        year=entry.get("year", CLEAN_YEAR),
        edits=tuple((e["path"], e["old"], e["new"]) for e in entry.get("edits") or ()),
        files=files,
        remove=tuple(entry.get("remove") or ()),
        encodings=encodings,
    )


@functools.cache
def clean_patch() -> Example:
    """The changes that make the sample branch clean (it ships with three realistic imperfections)."""
    return _example({"code": "", **_data()["clean"]})


@functools.cache
def examples() -> dict[str, Example]:
    return {entry["code"]: _example(entry) for entry in _data()["examples"]}


def _apply(files: dict[str, str], example: Example) -> dict[str, str]:
    files = dict(files)
    for path, old, new in example.edits:
        if path not in files or old not in files[path]:
            raise ZhibuError(f"示例 {example.code or '（基础）'}：{path} 中找不到要替换的文本“{old[:30]}”。")
        files[path] = files[path].replace(old, new, 1)
    for path in example.remove:
        if files.pop(path, None) is None:
            raise ZhibuError(f"示例 {example.code}：要删除的 {path} 不存在。")
    files.update(example.files)
    return files


def clean_files() -> dict[str, str]:
    return _apply(sample_files(), clean_patch())


def example_files(code: str) -> dict[str, str]:
    return _apply(clean_files(), examples()[code])


def write_branch(target: Path, files: dict[str, str], encodings: dict[str, str] | None = None) -> Path:
    """Write ``files`` under ``target``, as UTF-8 unless ``encodings`` names another for a path."""
    for rel, text in sorted(files.items()):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode((encodings or {}).get(rel, "utf-8")))
    return target


def materialise(code: str, target: Path) -> Path:
    """Write the example branch for ``code`` into ``target``."""
    if code not in examples():
        raise ZhibuError(f"规则码 {code} 没有示例。")
    return write_branch(target, example_files(code), examples()[code].encodings)
