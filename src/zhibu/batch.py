"""Checking many branch repositories at once, for higher committees.

Branches are found under the given paths (work trees, and bare mirrors read
straight from git objects), checked in parallel worker processes, and each
reported exactly as ``zhibu check --format json`` would report it. A branch
that cannot be read, is not a branch, or makes its worker crash becomes an
``unreadable`` entry with the reason; the run goes on.

Results stream back as branches finish, with a bounded number in flight, so
memory stays flat however many branches there are.
"""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import ZhibuError


@dataclass(frozen=True)
class Target:
    """One repository found under the paths: a work tree, a bare mirror, or something unreadable."""

    path: Path
    label: str  # relative to the path it was found under, "/"-separated
    kind: str  # "worktree" | "bare" | "not-branch"


def _is_bare(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir() and (path / "refs").is_dir()


def discover(paths: Iterable[Path]) -> list[Target]:
    """Every branch repository at or under ``paths``, sorted by label.

    A folder with zhibu.yaml is a branch (its subfolders are not searched); a
    bare git repository is a mirror (judged by whether its HEAD has zhibu.yaml);
    a git work tree without zhibu.yaml is reported as not a branch. Other
    folders are searched; hidden folders are skipped.
    """
    found: dict[Path, Target] = {}
    for given in paths:
        given = Path(given)
        if not given.exists():
            raise ZhibuError(f"路径 {given} 不存在。")
        base = given if given.is_dir() else given.parent
        for folder in _walk(given):
            label = folder.relative_to(base).as_posix() if folder != base else folder.name
            if (folder / "zhibu.yaml").is_file():
                found[folder.resolve()] = Target(folder, label, "worktree")
            elif _is_bare(folder):
                found[folder.resolve()] = Target(folder, label, "bare")
            elif (folder / ".git").exists():
                found[folder.resolve()] = Target(folder, label, "not-branch")
    return sorted(found.values(), key=lambda t: t.label)


def _walk(top: Path) -> Iterator[Path]:
    stack = [top]
    while stack:
        folder = stack.pop()
        yield folder
        if (folder / "zhibu.yaml").is_file() or _is_bare(folder) or (folder / ".git").exists():
            continue  # a repository: do not search inside it
        try:
            children = sorted((c for c in folder.iterdir() if c.is_dir() and not c.name.startswith(".") and not c.is_symlink()), reverse=True)
        except OSError:
            continue
        stack.extend(children)


def unreadable(target: Target, reason: str) -> dict:
    return {
        "root": target.label,
        "name": None,
        "status": "unreadable",
        "reason": reason,
        "summary": {"error": 0, "warning": 0, "info": 0, "waived": 0},
        "findings": [],
    }


def check_target(target: Target, as_of: dt.date, year: int | None, rate: bool = False) -> dict:
    """The batch entry for one repository: what ``zhibu check --format json`` says, plus a status.

    Runs in a worker process; never raises for the branch's own problems.
    """
    from .check import check_branch
    from .report import to_json_data

    if target.kind == "not-branch":
        return unreadable(target, "不是支部仓库：没有 zhibu.yaml")
    try:
        if target.kind == "bare":
            from .store import files, gitrepo

            repo = gitrepo.state(target.path)
            if repo is None or repo.head is None:
                return unreadable(target, "裸仓库还没有任何提交")
            tree = gitrepo.read_tree(target.path, repo.head, prefix="", wanted=files.is_branch_file)
            if "zhibu.yaml" not in tree:
                return unreadable(target, "不是支部仓库：HEAD 中没有 zhibu.yaml")
            result = check_branch(target.path, as_of=as_of, year=year, at=repo.head, tree=files.Snapshot(target.path, tree))
        else:
            result = check_branch(target.path, as_of=as_of, year=year)
    except ZhibuError as exc:
        return unreadable(target, exc.message)
    if not result.loaded.config_ok:
        problems = "；".join(f.message for f in result.findings if f.path == "zhibu.yaml")[:200]
        return unreadable(target, f"zhibu.yaml 无法使用：{problems}")
    data = to_json_data(result, target.label)
    entry = {
        "root": target.label,
        "name": data["branch"]["name"],
        "status": "findings" if data["findings"] else "ok",
        "summary": data["summary"],
        "findings": data["findings"],
        "waived": data["waived"],
        "notes": data["notes"],
        "standard": data["standard"],
    }
    if rate:
        entry.update(rating_of(result, data["findings"]))
    return entry


def rating_of(result, findings: list[dict]) -> dict:
    """The 评星定级 and 软弱涣散 indicators of a checked branch (the scheme of its T pack, or the built-in one)."""
    from .rating import indicators, rate

    branch = result.loaded.branch
    facts = {"venue": bool(branch.config.venue), "dues": branch.dues_for(result.start.year) is not None}
    rating = rate(findings, facts, result.standard.rating)
    return {
        "rating": {**rating.to_json(), "set_by": result.standard.rating_pack or "内置"},
        "indicators": [i.to_json() for i in indicators(findings)],
    }


def _work(target: Target, as_of: dt.date, year: int | None, **options) -> dict:
    """The worker's entry point (a separate function so tests can replace the check)."""
    return check_target(target, as_of, year, **options)


def run_batch(
    targets: list[Target],
    *,
    as_of: dt.date,
    year: int | None,
    jobs: int,
    on_result: Callable[[dict], None],
    worker: Callable[..., dict] | None = None,
    options: dict | None = None,
) -> None:
    """Check ``targets`` in ``jobs`` processes; call ``on_result`` with each entry as it finishes.

    At most ``2 × jobs`` branches are in flight. If a worker process dies, the
    branches it may have held are re-run one at a time to find the one that
    kills it, which is reported unreadable; the others are checked normally.
    """
    worker = worker or _work
    options = options or {}
    if jobs <= 1:
        for target in targets:
            try:
                on_result(worker(target, as_of, year, **options))
            except Exception as exc:  # a bug in the check itself: report it, carry on
                on_result(unreadable(target, f"检查出错：{type(exc).__name__}: {exc}"))
        return
    pending = list(reversed(targets))
    suspects: list[Target] = []
    while pending:
        executor = ProcessPoolExecutor(max_workers=jobs)
        in_flight = {}
        try:
            while pending or in_flight:
                while pending and len(in_flight) < 2 * jobs:
                    target = pending.pop()
                    in_flight[executor.submit(worker, target, as_of, year, **options)] = target
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in done:
                    target = in_flight.pop(future)
                    try:
                        on_result(future.result())
                    except BrokenProcessPool:
                        suspects.append(target)
                        raise
                    except Exception as exc:
                        on_result(unreadable(target, f"检查出错：{type(exc).__name__}: {exc}"))
        except BrokenProcessPool:
            suspects.extend(in_flight.values())
            for future in list(in_flight):
                future.cancel()
        finally:
            executor.shutdown(wait=True, cancel_futures=True)
        for target in suspects:  # one at a time, each in its own process
            on_result(_isolated(worker, target, as_of, year, options))
        suspects.clear()


def _isolated(worker, target: Target, as_of: dt.date, year: int | None, options: dict) -> dict:
    with ProcessPoolExecutor(max_workers=1) as single:
        try:
            return single.submit(worker, target, as_of, year, **options).result()
        except BrokenProcessPool:
            return unreadable(target, "检查进程异常退出（可能是文件触发了解析器崩溃或内存耗尽）")
        except Exception as exc:
            return unreadable(target, f"检查出错：{type(exc).__name__}: {exc}")


def summarise(entries: Iterable[dict]) -> dict:
    summary = empty_summary()
    for entry in entries:
        tally(summary, entry)
    return summary


def empty_summary() -> dict:
    return {"branches": 0, "with_errors": 0, "unreadable": 0, "error": 0, "warning": 0, "info": 0}


def tally(summary: dict, entry: dict) -> None:
    """Count one branch's entry into a run's summary (a jsonl run keeps nothing else of it)."""
    summary["branches"] += 1
    if entry["status"] == "unreadable":
        summary["unreadable"] += 1
    if entry["summary"]["error"]:
        summary["with_errors"] += 1
    for key in ("error", "warning", "info"):
        summary[key] += entry["summary"][key]


def default_jobs() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


# --- the committee's registry of branches -------------------------------------------------


@dataclass(frozen=True)
class Registered:
    name: str
    url: str | None
    path: str  # where its repository sits under the checked folder ("/"-separated)
    category: str | None
    pack: str | None  # the T pack it must use
    problem: str | None = None  # why the entry cannot be synced (a bad path or URL), in Chinese


def read_manifest(path: Path) -> tuple[str, list[Registered]]:
    """The committee's manifest: (committee name, registered branches)."""
    from .store.yamlio import YamlProblem, parse

    try:
        data = parse(path.read_text(encoding="utf-8-sig")).data
    except (OSError, UnicodeDecodeError) as exc:
        raise ZhibuError(f"无法读取登记表 {path}：{exc}", "登记表应为 UTF-8 编码的 YAML 文件。") from None
    except YamlProblem as problem:
        raise ZhibuError(f"登记表 {path} 第 {problem.line} 行：{problem.message}") from None
    if not isinstance(data, dict) or not isinstance(data.get("branches"), list):
        raise ZhibuError(f"登记表 {path} 应有 branches: 列表。", "每项写 {name: 支部名称, url: git 地址, category: 高校, pack: T-…}。")
    default_pack = data.get("pack")
    out, seen = [], set()
    for index, item in enumerate(data["branches"], 1):
        if not isinstance(item, dict) or not item.get("name"):
            raise ZhibuError(f"登记表 {path} 第 {index} 个支部缺少 name。")
        name = str(item["name"]).strip()
        given = str(item.get("path") or mirror_name(name))
        where = given.strip("/")
        if where in seen:
            raise ZhibuError(f"登记表 {path} 中有两个支部对应同一个位置 {where}。")
        seen.add(where)
        url = item.get("url")
        url = str(url) if url else None
        problem = path_problem(given)
        if problem is None and url is not None:
            from .store.gitrepo import url_problem

            problem = url_problem(url)
            problem = f"登记表中的 url 不能使用：{problem}" if problem else None
        elif problem is not None:
            problem = f"登记表中的 path 不能使用：{problem}"
        out.append(Registered(name, url, where, item.get("category"), item.get("pack", default_pack), problem))
    return str(data.get("committee", "")), out


def path_problem(path: str) -> str | None:
    """Why a manifest's ``path`` would not stay a folder of its own inside ``--dest`` (None if it does)."""
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return f"{path} 是绝对路径，应写相对于 --dest 的路径"
    if "\\" in path or any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
        return f"{path} 含有反斜杠或控制字符"
    parts = path.strip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return f"{path} 含有空的一级、. 或 ..，可能指到 --dest 之外"
    if any(part.startswith(".") for part in parts):
        return f"{path} 中有以 . 开头的目录，batch check 不会查看这样的目录"
    return None


def mirror_name(name: str) -> str:
    """The folder of a branch's mirror: its name with characters unsafe in paths replaced, plus .git."""
    safe = "".join("_" if ch in '/\\:*?"<>|' or ch.isspace() else ch for ch in name)
    return f"{safe}.git"


def compare_registry(registered: list[Registered], entries: list[dict]) -> dict:
    """Registered branches missing, repositories not registered, and branches not using their pack."""
    by_root = {e["root"]: e for e in entries}
    known = {r.path for r in registered}
    missing = [{"name": r.name, "path": r.path} for r in registered if r.path not in by_root]
    unregistered = [{"root": root} for root in sorted(by_root) if root not in known]
    wrong_pack = []
    for r in registered:
        entry = by_root.get(r.path)
        if entry is None or not r.pack or entry["status"] == "unreadable":
            continue
        packs = [p["pack"] for p in entry.get("standard", [])]
        if r.pack not in packs:
            wrong_pack.append({"name": r.name, "root": r.path, "required": r.pack, "uses": packs})
    return {"missing": missing, "unregistered": unregistered, "wrong_pack": wrong_pack}


def _sync_one(branch: Registered, dest: Path) -> tuple[str | None, str | None]:
    """(problem, why the mirror there was replaced) for one registered branch."""
    import shutil
    import tempfile

    from .store import gitrepo

    target = dest / branch.path
    parent, folder = target.parent, dest
    for part in Path(branch.path).parts[:-1]:  # a symlinked folder on the way could lead outside
        folder = folder / part
        if folder.is_symlink():
            return f"路径 {branch.path} 经过符号链接 {part}，可能指到 --dest 之外", None
    parent.mkdir(parents=True, exist_ok=True)
    top = dest.resolve()
    if parent.resolve() != top and top not in parent.resolve().parents:
        return f"路径 {branch.path} 指到了 --dest 之外", None
    if not os.path.lexists(target):
        gitrepo.mirror_clone(branch.url, target)
        return None, None
    tampered = gitrepo.mirror_config_problem(target, branch.url)
    if tampered is None:
        gitrepo.mirror_fetch(target, branch.url)
        return None, None
    if not target.is_symlink() and target.is_dir() and (target / ".git").exists():
        return f"{target} 是一个工作目录，不是 zhibu 的镜像（{tampered}）：请移走后重新同步", None
    if not target.is_symlink() and not (target / "HEAD").exists() and target.is_dir() and any(target.iterdir()):
        return f"{target} 已有别的内容，不是镜像：请移走后重新同步", None
    # Cloned afresh beside it (a hidden name: batch check never looks there), then swapped in.
    fresh = Path(tempfile.mkdtemp(prefix=f".{target.name}.新-", dir=parent))
    try:
        gitrepo.mirror_clone(branch.url, fresh / "mirror")
        if target.is_symlink() or not target.is_dir():
            target.unlink()
        else:
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.旧-", dir=parent))
            target.rename(old / "mirror")
            shutil.rmtree(old)
        (fresh / "mirror").rename(target)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    return None, tampered


def sync(registered: list[Registered], dest: Path, jobs: int, on_result: Callable[[Registered, str | None, str | None], None]) -> None:
    """Clone or fetch every registered branch as a bare mirror under ``dest``, in parallel threads.

    ``on_result(branch, problem, replaced)`` is called for each (``problem`` None on success;
    ``replaced`` says why a mirror found there was replaced, if it was). Nothing
    from a fetched repository is ever run (mirrors are bare; clones and fetches switch off
    every setting that names a program, see store/gitrepo.py). A mirror is fetched into only
    while it is as zhibu made it; one whose config, hooks or owner differ is cloned afresh
    and replaces it.
    """
    from concurrent.futures import ThreadPoolExecutor

    dest.mkdir(parents=True, exist_ok=True)

    def one(branch: Registered) -> tuple[str | None, str | None]:
        if branch.problem:
            return branch.problem, None
        if not branch.url:
            return "登记表中没有 url", None
        try:
            return _sync_one(branch, dest)
        except ZhibuError as exc:
            return exc.message + (f"（{exc.hint}）" if exc.hint else ""), None
        except OSError as exc:
            return f"无法写入 {dest / branch.path}：{exc.strerror or exc}", None

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for branch, (problem, replaced) in zip(registered, pool.map(one, registered)):
            on_result(branch, problem, replaced)
