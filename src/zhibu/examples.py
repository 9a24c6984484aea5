"""One minimal example per finding code: the sample branch, made clean, plus a small change.

The same examples are the golden tests (tests/golden/<code>.txt holds each
one's expected report), the examples in docs/rules.md, and what
``zhibu standard explain CODE`` shows (:func:`explain_text`: a rule in words,
with its golden example run live). Each is data in data/examples.yaml:

    - code: meeting.quorum
      as_of: 2025-12-31          # optional; default CLEAN_AS_OF
      year: 2025                 # optional; default 2025
      what: 到会人数未过半数的支部党员大会作出决议      # one line, Chinese
      edits:                     # replace text in a file of the clean branch
        - {path: records/…yaml, old: "…", new: "…"}
      files: {path: text}        # add or replace whole files; {path: {text: …, encoding: gbk}}
                                 # writes that file in another encoding (for format.encoding)
      remove: [path, …]          # delete files
      crash: meeting.quorum      # simulate a defect: this rule raises (internal.rule-crashed)
      max_per_code: 2            # list at most this many findings of a code (internal.findings-capped)
      also: [code, …]            # other codes the example shows besides its own
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .errors import ZhibuError
from .model.findings import location
from .rules.registry import KINDS, Rule
from .write.demo import sample_files

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
    git: tuple = ()  # history steps for the audit codes (see replay); empty: a plain folder
    crash: str | None = None  # a rule whose evaluation is made to fail, to show internal.rule-crashed
    max_per_code: int | None = None  # a smaller cap than the default, to show internal.findings-capped
    also: tuple = ()  # codes the report shows besides ``code`` (the findings a cap keeps)

    @property
    def uses_git(self) -> bool:
        return bool(self.git)


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
        git=tuple(entry.get("git") or ()),
        crash=entry.get("crash"),
        max_per_code=entry.get("max_per_code"),
        also=tuple(entry.get("also") or ()),
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


def write_clean_variant(target: Path, *, edits=(), files=None, remove=()) -> Path:
    """The clean sample year at ``target`` with text replacements (path, old, new), files added
    or replaced, and files removed: how a test states one situation, as an example does."""
    variant = Example("", "", edits=tuple(edits), files=dict(files or {}), remove=tuple(remove))
    return write_branch(target, _apply(clean_files(), variant))


def example_files(code: str) -> dict[str, str]:
    return _apply(clean_files(), examples()[code])


def write_branch(target: Path, files: dict[str, str], encodings: dict[str, str] | None = None) -> Path:
    """Write ``files`` under ``target``, as UTF-8 unless ``encodings`` names another for a path."""
    for rel, text in sorted(files.items()):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode((encodings or {}).get(rel, "utf-8")))
    return target


@dataclass(frozen=True)
class Built:
    root: Path
    witness: tuple[str, ...] = ()  # witness lines recorded while replaying the history


def build(code: str, target: Path) -> Built:
    """Write the example branch for ``code`` into ``target``; replay its git history if it has one."""
    if code not in examples():
        raise ZhibuError(f"规则码 {code} 没有示例。")
    example = examples()[code]
    files = example_files(code)
    if not example.uses_git:
        return Built(write_branch(target, files, example.encodings))
    return replay(target, files, example.git)


def run_example(code: str, target: Path):
    """Build the example for ``code`` in ``target`` and check it as its golden test does."""
    return check_example(code, build(code, target))


def check_example(code: str, built: Built, *, strict: bool = False):
    """Check a built example as zhibu check would (``strict``: a crashing rule raises,
    except the one the example makes fail on purpose)."""
    from .check import check_branch
    from .model.findings import DEFAULT_CAPS, Caps

    example = examples()[code]
    caps = Caps(per_code=example.max_per_code) if example.max_per_code is not None else DEFAULT_CAPS
    with _failing(example.crash):
        return check_branch(
            built.root,
            as_of=example.as_of,
            year=example.year,
            witness=list(built.witness),
            history=example.uses_git,
            strict=strict and example.crash is None,
            caps=caps,
        )


@contextlib.contextmanager
def _failing(code: str | None):
    """While inside, the rule ``code`` raises when evaluated (how a defect in zhibu looks)."""
    if code is None:
        yield
        return
    from .standard.layers import baseline_rules

    name = baseline_rules()[1][code].kind
    kind = KINDS[name]

    def _simulated_defect(ctx, rule):
        if rule.code == code:
            raise RuntimeError("示例中模拟的缺陷")
        return kind.evaluate(ctx, rule)

    KINDS[name] = dataclasses.replace(kind, evaluate=_simulated_defect)
    try:
        yield
    finally:
        KINDS[name] = kind


def materialise(code: str, target: Path) -> Path:
    """Write the example branch for ``code`` into ``target`` (see :func:`build`)."""
    return build(code, target).root


BASE_COMMIT = dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def replay(target: Path, files: dict[str, str], steps: tuple) -> Built:
    """Make ``target`` a git repository whose history follows ``steps``.

    The first commit (2025-01-01, 王建国) holds every file except those a step
    ``hold``s back. Then each step, in order, may: ``add`` held files, apply
    ``edits`` ({path, old, new}), ``rename`` {from, to} — and commits them at its
    ``date`` by its ``author`` with its ``message``; or make an annotated ``tag``
    {name, message, date}; ``witness`` (record HEAD, as a committee would);
    ``reset`` N commits away (rewriting history); or leave ``work`` edits uncommitted.
    """
    from .store import gitrepo
    from .write.demo import author_email

    held = {path for step in steps for path in step.get("hold") or ()}
    current = {rel: text for rel, text in files.items() if rel not in held}
    write_branch(target, current)
    gitrepo.init(target)
    gitrepo.commit_as(
        target, sorted(current), "建立支部工作台账", author="王建国", email=author_email("王建国"), when=BASE_COMMIT
    )
    witness: list[str] = []
    for step in steps:
        touched: list[str] = []
        removed: list[str] = []
        for path in step.get("add") or ():
            current[path] = files[path]
            touched.append(path)
        for edit in step.get("edits") or ():
            current[edit["path"]] = _replace(current[edit["path"]], edit["old"], edit["new"], edit["path"])
            touched.append(edit["path"])
        if step.get("rename"):
            old, new = step["rename"]["from"], step["rename"]["to"]
            current[new] = current.pop(old)
            (target / old).unlink()
            removed.append(old)
            touched.append(new)
        if touched:
            write_branch(target, {path: current[path] for path in touched})
            when = _when(step["date"])
            author = step.get("author", "张伟")
            paths = sorted(set(touched) | set(removed))
            gitrepo.commit_as(
                target, paths, step.get("message", "更新记录"), author=author, email=author_email(author), when=when
            )
        if step.get("tag"):
            tag = step["tag"]
            gitrepo.create_tag(
                target, tag["name"], tag["message"], when=_when(tag["date"]), tagger="王建国", email=author_email("王建国")
            )
        if step.get("witness"):
            witness.append(f"{gitrepo.head(target)} {step.get('date', '')}".strip())
        if step.get("reset"):
            gitrepo.reset_hard(target, f"HEAD~{step['reset']}")
            current = {rel: (target / rel).read_text(encoding="utf-8") for rel in current if (target / rel).exists()}
        for edit in step.get("work") or ():
            path = target / edit["path"]
            path.write_text(_replace(path.read_text(encoding="utf-8"), edit["old"], edit["new"], edit["path"]), encoding="utf-8")
    return Built(target, tuple(witness))


def _replace(text: str, old: str, new: str, path: str) -> str:
    if old not in text:
        raise ZhibuError(f"示例历史：{path} 中找不到要替换的文本“{old[:30]}”。")
    return text.replace(old, new, 1)


def _when(value) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    return dt.datetime.fromisoformat(str(value))


def explain_text(code: str, rules: dict[str, Rule]) -> str:
    import difflib

    rule = rules.get(code)
    if rule is None:
        close = difflib.get_close_matches(code, list(rules), n=3, cutoff=0.5)
        raise ZhibuError(
            f"没有规则码 {code}。", f"是否为：{'、'.join(close)}？" if close else "用 zhibu standard show 查看全部规则码。"
        )
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
            where = location(f.path, f.line, f.period)
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
    example = examples().get(code)
    if example is None:
        return None
    with tempfile.TemporaryDirectory(prefix="zhibu-example-") as tmp:
        result = run_example(code, Path(tmp) / "branch")
    return example.what, [f for f in result.findings if f.code == code]
