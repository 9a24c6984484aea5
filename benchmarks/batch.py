"""Benchmark: `zhibu batch check` over many branches against the single-core parse floor.

Generates N synthetic branches (each a year of about a hundred records in the
real format), half as git work trees and half as bare mirrors (history written
with `git fast-import`), then measures in the same run:

  parse floor  reading and parsing every .yaml file of every branch on ONE core
               with zhibu's YAML reader (work trees read from disk)
  batch        `zhibu batch check --jobs <cores> --format jsonl` as a subprocess

and prints both throughputs (files per second) and the speed-up. Target:
batch throughput >= 0.8 x cores x the parse floor's.

With --memory, also runs `--format jsonl` over N and 5 x N branches and prints
the peak resident memory of each run (it should stay flat).

    python benchmarks/batch.py [-n 1000] [--memory]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check as synthetic  # noqa: E402

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


def parse_floor(files: dict[str, bytes], count: int) -> float:
    """Seconds to parse ``count`` copies of the branch's files on one core (reading included)."""
    texts = list(files.values())
    start = time.perf_counter()
    for _ in range(count):
        for data in texts:
            parse(data.decode("utf-8"))
    return time.perf_counter() - start


def run_batch(top: Path, jobs: int) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB, the largest process) of a jsonl batch check."""
    command = [sys.executable, "-m", "zhibu", "batch", "check", str(top), "--jobs", str(jobs), "--format", "jsonl", "--as-of", "2025-12-31", "--year", "2025"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr.decode())
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="number of branches")
    parser.add_argument("--memory", action="store_true", help="also compare peak memory for N and 5 x N branches")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="zhibu-batch-bench-") as tmp:
        tmp = Path(tmp)
        files = template(tmp)
        top = tmp / "branches"
        start = time.perf_counter()
        count = generate(top, args.n, files)
        print(f"branches: {args.n} ({len(files)} files each, {count} in all; half work trees, half bare mirrors), generated in {time.perf_counter() - start:.0f} s")
        floor = min(parse_floor(files, args.n) for _ in range(2))
        elapsed, peak = run_batch(top, cores)
        floor_rate, batch_rate = count / floor, count / elapsed
        print(f"parse floor (1 core): {floor:7.2f} s  {floor_rate:8.0f} files/s")
        print(f"batch check (-j {cores}): {elapsed:7.2f} s  {batch_rate:8.0f} files/s  peak RSS {peak / 1024:.0f} MiB")
        print(f"batch / floor throughput: {batch_rate / floor_rate:.2f}x  (target >= {0.8 * cores:.1f}x = 0.8 x {cores} cores)")
        if args.memory:
            more = tmp / "more"
            generate(more, 5 * args.n, files)
            _elapsed, peak_more = run_batch(more, cores)
            print(f"peak RSS, jsonl: {args.n} branches {peak / 1024:.0f} MiB; {5 * args.n} branches {peak_more / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
