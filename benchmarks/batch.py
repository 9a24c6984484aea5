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

With --outputs, instead times the writers (issue 11): `batch check --format xlsx -o` and
`batch report` over N/2 and N branches, beside `batch check --format json -o` (the same
checking, keeping every entry as the xlsx writer does, with the cheapest writer) as the
baseline of the same run, and prints each command's ratio N / (N/2): about 2 when it is
linear in branches, about 4 when it is quadratic; and the same for the time beyond the baseline.

    python benchmarks/batch.py [-n 1000] [--memory | --outputs]
"""

from __future__ import annotations

import argparse
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
    parts = [
        b"commit refs/heads/main\n",
        b"author zw <zw@example.org> " + stamp + b"\n",
        b"committer zw <zw@example.org> " + stamp + b"\n",
    ]
    message = f"建立 {name}".encode()
    parts.append(b"data " + str(len(message)).encode() + b"\n" + message + b"\n")
    for path, data in files.items():
        parts.append(b"M 100644 inline " + path.encode() + b"\ndata " + str(len(data)).encode() + b"\n" + data + b"\n")
    parts.append(b"\n")
    return b"".join(parts)


def generate(top: Path, count: int, files: dict[str, bytes], first: int = 0) -> int:
    """``count`` branches under ``top``: even ones as work trees, odd ones as bare mirrors."""
    total = 0
    for i in range(first, first + count):
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
        return [
            data.decode("utf-8") for path, data in read_tree(root, "HEAD", prefix="").items() if path.endswith((".yaml", ".yml"))
        ]
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
    command = [
        sys.executable,
        "-m",
        "zhibu",
        "batch",
        "check",
        str(top),
        "--jobs",
        str(jobs),
        "--format",
        "jsonl",
        "--as-of",
        "2025-12-31",
        "--year",
        "2025",
    ]
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    words = done.stdout.split()
    if done.returncode != 0 or len(words) != 2 or int(words[1]) not in (0, 1):
        raise SystemExit(f"batch check failed:\n{done.stderr}")
    return elapsed, int(words[0])


def run_command(args: list[str]) -> float:
    """Wall seconds of one zhibu command (exit status 0 or 1: branches with errors are normal)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "zhibu", *args], capture_output=True, text=True)
    if done.returncode not in (0, 1):
        raise SystemExit(f"zhibu {' '.join(args[:2])} failed:\n{done.stderr}")
    return time.perf_counter() - start


def outputs(tmp: Path, files: dict[str, bytes], n: int, cores: int) -> None:
    """The writers of issue 11 at N/2 and N branches, against the json check of the same run."""
    half = n // 2
    first, second = tmp / "first", tmp / "second"
    start = time.perf_counter()
    count = generate(first, half, files) + generate(second, n - half, files, first=half)
    print(f"branches: {half} and {n} ({count} files in all), generated in {time.perf_counter() - start:.0f} s")
    when = ["--as-of", "2025-12-31", "--year", "2025", "--jobs", str(cores)]
    commands = {
        "batch check --format json": lambda dirs: [
            "batch",
            "check",
            *dirs,
            *when,
            "--format",
            "json",
            "-o",
            str(tmp / "out.json"),
        ],
        "batch check --format xlsx": lambda dirs: [
            "batch",
            "check",
            *dirs,
            *when,
            "--format",
            "xlsx",
            "-o",
            str(tmp / "out.xlsx"),
        ],
        "batch report": lambda dirs: ["batch", "report", *dirs, *when, "--out", str(tmp / f"report-{len(dirs)}")],
    }
    sizes = {half: [str(first)], n: [str(first), str(second)]}
    times = {name: {} for name in commands}
    for name, command in commands.items():  # each command at both sizes back to back: the same drift
        for size, dirs in sizes.items():
            times[name][size] = run_command(command(dirs))
    print(f"{'':28s} {half:>6d} br. {n:>6d} br.  ratio  (linear ≈ {n / half:.1f}, quadratic ≈ {(n / half) ** 2:.1f})")
    for name, by_size in times.items():
        print(f"{name:28s} {by_size[half]:8.1f} s {by_size[n]:8.1f} s  {by_size[n] / by_size[half]:5.2f}")
    base = times["batch check --format json"]
    for name in ("batch check --format xlsx", "batch report"):
        over = [times[name][size] - base[size] for size in sizes]
        print(f"{name}, beyond the json check: {over[0]:.1f} s and {over[1]:.1f} s, ratio {over[1] / max(over[0], 1e-9):.2f}")
    reports = len(list((tmp / "report-2").glob("*体检报告.docx")))
    print(f"batch report over {n} branches wrote {reports} reports; workbook {(tmp / 'out.xlsx').stat().st_size / 1024:.0f} KiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1000, help="number of branches")
    parser.add_argument("--memory", action="store_true", help="also compare peak memory for N and 5 x N branches")
    parser.add_argument("--outputs", action="store_true", help="time the xlsx and report writers at N/2 and N branches instead")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    if args.outputs:
        with tempfile.TemporaryDirectory(prefix="zhibu-outputs-bench-") as tmp:
            outputs(Path(tmp), template(Path(tmp)), args.n, cores)
        return 0
    safe = YAML(typ="safe")
    if safe.Parser.__name__ != "CParser":
        raise SystemExit("ruamel.yaml.clib is not installed: the safe loader would be pure Python")
    with tempfile.TemporaryDirectory(prefix="zhibu-batch-bench-") as tmp:
        tmp = Path(tmp)
        files = template(tmp)
        top = tmp / "branches"
        start = time.perf_counter()
        count = generate(top, args.n, files)
        print(
            f"branches: {args.n} ({len(files)} files each, {count} in all; half work trees, half bare mirrors), generated in {time.perf_counter() - start:.0f} s"
        )
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
        print(
            f"batch check (-j {cores}):                  {elapsed:7.2f} s  {batch_rate:8.0f} files/s  peak RSS {peak / 1024:.0f} MiB"
        )
        for name, (seconds, parsed) in floors.items():
            assert parsed == count, (parsed, count)
            print(
                f"read + parse, 1 core, {name + ':':20s} {seconds:7.2f} s  {count / seconds:8.0f} files/s  batch speed-up {seconds / elapsed:.2f}x"
            )
        target = 0.8 * cores
        achieved = floors["ruamel safe loader"][0] / elapsed
        print(
            f"target: speed-up >= {target:.1f}x (0.8 x {cores} cores) over the safe-loader floor: {'met' if achieved >= target else 'NOT met'} ({achieved:.2f}x)"
        )
        if args.memory:
            more = tmp / "more"
            generate(more, 5 * args.n, files)
            _elapsed, peak_more = run_batch(more, cores)
            print(f"peak RSS, jsonl: {args.n} branches {peak / 1024:.0f} MiB; {5 * args.n} branches {peak_more / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
