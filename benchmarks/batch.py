"""Benchmark: `zhibu batch check` over many branches against merely reading and parsing them.

Generates N synthetic branches (each a year of about a hundred records in the
real format), half as git work trees and half as bare mirrors (history written
with `git fast-import`), then measures in the same run:

  floor        reading every .yaml file of every branch (from disk for work
               trees, from the object store with `git ls-tree` + one
               `git cat-file --batch` for bare mirrors) and parsing it, on ONE
               core, timed twice: with ruamel.yaml's C-accelerated safe loader
               (`YAML(typ="safe")`, the plain way to read YAML) and with
               zhibu's own line-recording event parser (zhibu.store.yamlio.parse,
               about four times faster, and what the check itself uses)
  batch        `zhibu batch check --jobs <cores> --format jsonl` as a subprocess

and prints the throughputs (files per second) and the speed-up over each floor, each
figure the best of two rounds run in turn.
Target (issue 6): batch throughput >= 0.8 x cores x the single-core parse rate,
judged against the safe-loader floor; the zhibu-parser figure is printed beside it.

With --memory, also runs `--format jsonl` over N and 5 x N branches and prints
the peak resident memory of each run (it should stay flat).

    python benchmarks/batch.py [-n 1000] [--memory]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check as synthetic  # noqa: E402

from ruamel.yaml import YAML  # noqa: E402

from zhibu.store.gitrepo import read_tree  # noqa: E402
from zhibu.store.yamlio import parse  # noqa: E402


def template(tmp: Path) -> dict[str, bytes]:
    """One synthetic branch-year (records, plan, talks, roster, committee) as path -> bytes."""
    root = tmp / "template"
    synthetic.build(root, 2025, 1)
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def fast_import_stream(files: dict[str, bytes], name: str) -> bytes:
    stamp = b"1735718400 +0800"
    parts = [b"commit refs/heads/main\n", b"author zw <zw@example.org> " + stamp + b"\n", b"committer zw <zw@example.org> " + stamp + b"\n"]
    message = f"建立 {name}".encode()
    parts.append(b"data " + str(len(message)).encode() + b"\n" + message + b"\n")
    for path, data in files.items():
        parts.append(b"M 100644 inline " + path.encode() + b"\ndata " + str(len(data)).encode() + b"\n" + data + b"\n")
    parts.append(b"\n")
    return b"".join(parts)


def generate(top: Path, count: int, files: dict[str, bytes]) -> int:
    """``count`` branches under ``top``: even ones as work trees, odd ones as bare mirrors."""
    total = 0
    for i in range(count):
        name = f"支部{i:05d}"
        varied = dict(files)
        varied["zhibu.yaml"] = files["zhibu.yaml"].replace("教工第一支部委员会".encode(), f"第{i}支部委员会".encode())
        stream = fast_import_stream(varied, name)
        if i % 2 == 0:
            root = top / f"{name}"
            for path, data in varied.items():
                target = root / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
            subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
            subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=stream, check=True)
            subprocess.run(["git", "reset", "-q", "main"], cwd=root, check=True)  # index matches the files
        else:
            root = top / f"{name}.git"
            subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(root)], check=True)
            subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=stream, check=True)
        total += sum(1 for p in varied if p.endswith(".yaml"))
    return total


def branch_texts(root: Path) -> list[str]:
    """Every YAML file of a generated branch, read the way any reader must: from disk for a
    work tree, from git's object store for a bare mirror."""
    if root.name.endswith(".git"):
        return [data.decode("utf-8") for path, data in read_tree(root, "HEAD", prefix="").items() if path.endswith((".yaml", ".yml"))]
    texts = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.endswith((".yaml", ".yml")):
                with open(os.path.join(folder, name), "rb") as handle:
                    texts.append(handle.read().decode("utf-8"))
    return texts


def parse_floor(top: Path, load) -> tuple[float, int]:
    """Seconds to read and parse every branch's files under ``top`` with ``load``, on one core."""
    roots = sorted(top.iterdir())
    files = 0
    start = time.perf_counter()
    for root in roots:
        for text in branch_texts(root):
            load(text)
            files += 1
    return time.perf_counter() - start, files


# Runs the batch check and prints its peak RSS. A separate small process because a child's
# ru_maxrss starts from its parent's resident size at the moment of the fork: measured from
# here, it would count this benchmark's own memory (its parse floors) as the batch's.
_MEASURE = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "_pid, status, usage = os.wait4(child.pid, 0)\n"
    "print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))\n"
)


def run_batch(top: Path, jobs: int) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB, the largest of the run's processes) of a jsonl batch check."""
    command = [sys.executable, "-m", "zhibu", "batch", "check", str(top), "--jobs", str(jobs), "--format", "jsonl", "--as-of", "2025-12-31", "--year", "2025"]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    words = done.stdout.split()
    if done.returncode != 0 or len(words) != 2 or int(words[1]) not in (0, 1):
        raise SystemExit(f"batch check failed:\n{done.stderr}")
    return elapsed, int(words[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="number of branches")
    parser.add_argument("--memory", action="store_true", help="also compare peak memory for N and 5 x N branches")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    safe = YAML(typ="safe")
    if safe.Parser.__name__ != "CParser":
        raise SystemExit("ruamel.yaml.clib is not installed: the safe loader would be pure Python")
    with tempfile.TemporaryDirectory(prefix="zhibu-batch-bench-") as tmp:
        tmp = Path(tmp)
        files = template(tmp)
        top = tmp / "branches"
        start = time.perf_counter()
        count = generate(top, args.n, files)
        print(f"branches: {args.n} ({len(files)} files each, {count} in all; half work trees, half bare mirrors), generated in {time.perf_counter() - start:.0f} s")
        # Best of two, interleaved: the machine's speed drifts over minutes, and each of the
        # three measurements should see the same drift.
        loaders = {"ruamel safe loader": safe.load, "zhibu parser": parse}
        elapsed, peak, floors = float("inf"), 0, {name: (float("inf"), 0) for name in loaders}
        for _round in range(2):
            seconds, rss = run_batch(top, cores)
            elapsed, peak = min(elapsed, seconds), max(peak, rss)
            for name, load in loaders.items():
                floors[name] = min(floors[name], parse_floor(top, load))
        batch_rate = count / elapsed
        print(f"batch check (-j {cores}):                  {elapsed:7.2f} s  {batch_rate:8.0f} files/s  peak RSS {peak / 1024:.0f} MiB")
        for name, (seconds, parsed) in floors.items():
            assert parsed == count, (parsed, count)
            print(f"read + parse, 1 core, {name + ':':20s} {seconds:7.2f} s  {count / seconds:8.0f} files/s  batch speed-up {seconds / elapsed:.2f}x")
        target = 0.8 * cores
        achieved = floors["ruamel safe loader"][0] / elapsed
        print(f"target: speed-up >= {target:.1f}x (0.8 x {cores} cores) over the safe-loader floor: {'met' if achieved >= target else 'NOT met'} ({achieved:.2f}x)")
        if args.memory:
            more = tmp / "more"
            generate(more, 5 * args.n, files)
            _elapsed, peak_more = run_batch(more, cores)
            print(f"peak RSS, jsonl: {args.n} branches {peak / 1024:.0f} MiB; {5 * args.n} branches {peak_more / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
