"""Checking many branch repositories at once, for higher committees.

Branches are found under the given paths (work trees, and bare mirrors read
straight from git objects), checked in parallel worker processes, and each
reported exactly as ``zhibu check --format json`` would report it. A branch
that cannot be read, is not a branch, or makes its worker crash becomes an
``unreadable`` entry with the reason; the run goes on.

Results stream back as branches finish, one branch per worker at a time, so
memory stays flat however many branches there are; a branch over its time or
memory budget gets the status ``timeout`` or ``memory`` and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import ZhibuError
from ..model.vocabulary import UNCHECKED


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
            children = sorted(
                (c for c in folder.iterdir() if c.is_dir() and not c.name.startswith(".") and not c.is_symlink()), reverse=True
            )
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
    from ..check import check_branch
    from ..report.printer import to_json_data

    if target.kind == "not-branch":
        return unreadable(target, "不是支部仓库：没有 zhibu.yaml")
    try:
        if target.kind == "bare":
            from ..store import files, gitrepo

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
    from ..standard.rating import indicators, rate

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


DEFAULT_TIMEOUT = 300
"""Seconds one branch may take in its worker (21 years, 2,982 records, 1,492 commits: 2.4 s, docs/security.md)."""
DEFAULT_MEMORY_MB = 2048
"""Address space of a worker process in MB (the same branch: a 58 MB peak; git inherits the limit)."""


def over_budget(target: Target, status: str, reason: str) -> dict:
    """The entry of a branch whose worker was stopped: ``timeout`` or ``memory``."""
    return {**unreadable(target, reason), "status": status}


def run_batch(
    targets: list[Target],
    *,
    as_of: dt.date,
    year: int | None,
    jobs: int,
    on_result: Callable[[dict], None],
    worker: Callable[..., dict] | None = None,
    options: dict | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    memory_mb: int | None = DEFAULT_MEMORY_MB,
) -> None:
    """Check ``targets`` in ``jobs`` worker processes; call ``on_result`` with each entry as it finishes.

    Each worker holds one branch at a time, so whatever happens to a worker happens to one
    branch: a worker past ``timeout`` seconds is killed and replaced (status ``timeout``);
    one that runs out of its ``memory_mb`` address space (``RLIMIT_AS``) reports status
    ``memory`` and is replaced; one that dies makes its branch ``unreadable``. The run goes
    on, and the parent holds only the entries in flight. With both budgets off (None) and one
    job, the branches are checked in this process.
    """
    worker = worker or _work
    options = options or {}
    if jobs <= 1 and timeout is None and memory_mb is None:
        for target in targets:
            try:
                on_result(worker(target, as_of, year, **options))
            except Exception as exc:  # a bug in the check itself: report it, carry on
                on_result(unreadable(target, f"检查出错：{type(exc).__name__}: {exc}"))
        return
    pool = _Pool(max(1, jobs), worker, memory_mb)
    try:
        pending = list(reversed(targets))
        while pending or pool.busy():
            while pending and pool.has_room():
                pool.assign(pending.pop(), (as_of, year, options), timeout)
            finished, returned = pool.collect()
            pending.extend(reversed(returned))  # queued behind a stopped worker: checked by another
            while pending and pool.has_room():  # the workers go on while the results are written
                pool.assign(pending.pop(), (as_of, year, options), timeout)
            for entry in finished:
                on_result(entry)
    finally:
        pool.close()


# Branches a worker holds: the one it checks and the next, already sent, so that it starts the
# next the moment it answers instead of idling until the parent has read the answer and sent
# more, as ProcessPoolExecutor's prefetching did before workers had budgets. A branch's time
# budget starts when the worker begins it, that is when the answer before it arrives.
_QUEUED = 2


class _Slot:
    """One worker process and the branches it holds, the one being checked first."""

    def __init__(self, context, worker, memory_mb):
        parent, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, worker, memory_mb), daemon=True)
        self.process.start()
        child.close()
        self.conn = parent
        self.queue: list[tuple[Target, float | None]] = []  # (branch, its time budget)
        self.deadline: float | None = None  # of queue[0]

    @property
    def target(self) -> Target | None:
        return self.queue[0][0] if self.queue else None

    @property
    def timeout(self) -> float | None:
        return self.queue[0][1] if self.queue else None

    def start_next(self) -> None:
        import time

        timeout = self.timeout
        self.deadline = time.monotonic() + timeout if self.queue and timeout else None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


class _Pool:
    def __init__(self, jobs: int, worker, memory_mb: int | None):
        import multiprocessing

        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.jobs, self.worker, self.memory_mb = jobs, worker, memory_mb
        self.slots: list[_Slot] = []

    def busy(self) -> bool:
        return any(slot.queue for slot in self.slots)

    def has_room(self) -> bool:
        return len(self.slots) < self.jobs or any(len(slot.queue) < _QUEUED for slot in self.slots)

    def assign(self, target: Target, task: tuple, timeout: float | None) -> None:
        if len(self.slots) < self.jobs and all(slot.queue for slot in self.slots):
            slot = _Slot(self.context, self.worker, self.memory_mb)  # an idle core first
            self.slots.append(slot)
        else:
            slot = min((s for s in self.slots if len(s.queue) < _QUEUED), key=lambda s: len(s.queue))
        slot.queue.append((target, timeout))
        if len(slot.queue) == 1:
            slot.start_next()
        slot.conn.send((target, *task))

    def collect(self) -> tuple[list[dict], list[Target]]:
        """Wait until a worker answers, dies or overruns. Returns the entries of the branches
        that ended, and the branches that were queued behind a worker that had to be stopped."""
        import time
        from multiprocessing.connection import wait

        busy = [s for s in self.slots if s.queue]
        deadlines = [s.deadline for s in busy if s.deadline is not None]
        wait_for = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
        ready = set(wait([x for s in busy for x in (s.conn, s.process.sentinel)], wait_for))
        out: list[dict] = []
        returned: list[Target] = []
        for slot in busy:
            if slot.conn in ready or slot.process.sentinel in ready:
                while slot.queue:
                    target = slot.target
                    try:
                        answer = slot.conn.recv() if slot.conn.poll() else None
                    except (EOFError, OSError):
                        answer = None
                    if answer is None:
                        if slot.process.is_alive():
                            break  # nothing more to read yet: the worker is on its next branch
                        out.append(unreadable(target, "检查进程异常退出（可能是文件触发了解析器崩溃或内存耗尽）"))
                        returned += self._replace(slot)
                        break
                    kind, value = answer
                    if kind == "memory":
                        out.append(
                            over_budget(target, "memory", f"超出内存：检查这个支部所需内存超过上限 {self.memory_mb} MB，已停止")
                        )
                        returned += self._replace(slot)
                        break
                    out.append(value if kind == "ok" else unreadable(target, f"检查出错：{value}"))
                    slot.queue.pop(0)
                    slot.start_next()
            elif slot.deadline is not None and time.monotonic() >= slot.deadline:
                out.append(over_budget(slot.target, "timeout", f"超时：检查这个支部超过 {slot.timeout:g} 秒，已停止"))
                returned += self._replace(slot)
        return out, returned

    def _replace(self, slot: _Slot) -> list[Target]:
        """Stop a worker; the branches queued behind the one it failed on, to give to another."""
        slot.stop()
        self.slots.remove(slot)  # a fresh worker takes the next branch
        return [target for target, _ in slot.queue[1:]]

    def close(self) -> None:
        for slot in self.slots:
            if not slot.queue:
                try:
                    slot.conn.send(None)
                except OSError:
                    pass
        for slot in self.slots:
            if not slot.queue:
                slot.process.join(timeout=5)
            slot.stop()
        self.slots.clear()


def _serve(conn, worker, memory_mb: int | None) -> None:
    """A worker process: check the branches sent until told to stop (None)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the workers
    if memory_mb:
        import resource

        # On top of what the worker inherited from the parent at fork (shared, mostly untouched):
        # the budget is what checking a branch may add, however much the parent holds.
        limit = _address_space() + memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        target, as_of, year, options = task
        try:
            answer = ("ok", worker(target, as_of, year, **options))
        except MemoryError:
            answer = ("memory", None)
        except Exception as exc:  # noqa: BLE001 -- a bug in the check itself: reported, the worker carries on
            answer = ("error", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(answer)
        except MemoryError:
            answer = ("memory", None)
            conn.send(answer)
        if answer[0] == "memory":
            return  # what is left of this process is not to be trusted with the next branch


def _address_space() -> int:
    """This process's virtual memory size in bytes (VmSize), 0 where /proc does not say."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def summarise(entries: Iterable[dict]) -> dict:
    summary = empty_summary()
    for entry in entries:
        tally(summary, entry)
    return summary


def empty_summary() -> dict:
    # unreadable counts every branch without a result; timeout and memory say how many of them were over budget
    return {"branches": 0, "with_errors": 0, "unreadable": 0, "timeout": 0, "memory": 0, "error": 0, "warning": 0, "info": 0}


def tally(summary: dict, entry: dict) -> None:
    """Count one branch's entry into a run's summary (a jsonl run keeps nothing else of it)."""
    summary["branches"] += 1
    if entry["status"] in UNCHECKED:
        summary["unreadable"] += 1
    if entry["status"] in ("timeout", "memory"):
        summary[entry["status"]] += 1
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
    from ..store.yamlio import YamlProblem, parse

    try:
        data = parse(path.read_text(encoding="utf-8-sig")).data
    except (OSError, UnicodeDecodeError) as exc:
        raise ZhibuError(f"无法读取登记表 {path}：{exc}", "登记表应为 UTF-8 编码的 YAML 文件。") from None
    except YamlProblem as problem:
        raise ZhibuError(f"登记表 {path} 第 {problem.line} 行：{problem.message}") from None
    if not isinstance(data, dict) or not isinstance(data.get("branches"), list):
        raise ZhibuError(
            f"登记表 {path} 应有 branches: 列表。", "每项写 {name: 支部名称, url: git 地址, category: 高校, pack: T-…}。"
        )
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
            from ..store.gitrepo import url_problem

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
        if entry is None or not r.pack or entry["status"] in UNCHECKED:
            continue
        packs = [p["pack"] for p in entry.get("standard", [])]
        if r.pack not in packs:
            wrong_pack.append({"name": r.name, "root": r.path, "required": r.pack, "uses": packs})
    return {"missing": missing, "unregistered": unregistered, "wrong_pack": wrong_pack}


def _sync_one(branch: Registered, dest: Path) -> tuple[str | None, str | None]:
    """(problem, why the mirror there was replaced) for one registered branch."""
    import shutil
    import tempfile

    from ..store import gitrepo

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


def sync(
    registered: list[Registered], dest: Path, jobs: int, on_result: Callable[[Registered, str | None, str | None], None]
) -> None:
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
