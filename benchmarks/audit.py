"""Benchmark: `zhibu check` with the audit (留痕) rules against the same check without them.

Builds a git repository with about 3,000 records over 1,500 commits (history
written with `git fast-import`, each record committed a day or two after its
meeting, a few weeks late now and then), then measures in the same run,
interleaved, best of N:

  without  zhibu check with history=False (the work tree only)
  with     zhibu check reading git history for the audit rules

Target: the audit rules add at most 30 % (one history pass, not per-file git calls).

    python benchmarks/audit.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import check as synthetic  # noqa: E402  (the ten-year branch generator)

from zhibu.check import check_branch  # noqa: E402


def build_repository(root: Path, years: int) -> tuple[int, int]:
    """Write the synthetic branch, then replay it into git: one commit per two records."""
    synthetic.build(root, 2026 - years, years)
    paths = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yaml"))
    records = [p for p in paths if p.startswith("records/")]
    others = [p for p in paths if not p.startswith("records/")]
    stream: list[bytes] = []

    def blob(path: str) -> bytes:
        data = (root / path).read_bytes()
        return b"M 100644 inline " + path.encode() + b"\ndata " + str(len(data)).encode() + b"\n" + data + b"\n"

    def commit(when: dt.datetime, message: str, files: list[str]) -> None:
        stamp = f"{int(when.timestamp())} +0800".encode()
        text = message.encode()
        stream.append(b"commit refs/heads/main\n")
        stream.append(b"author \xe5\xbc\xa0\xe4\xbc\x9f <zw@example.org> " + stamp + b"\n")
        stream.append(b"committer \xe5\xbc\xa0\xe4\xbc\x9f <zw@example.org> " + stamp + b"\n")
        stream.append(b"data " + str(len(text)).encode() + b"\n" + text + b"\n")
        stream.extend(blob(path) for path in files)
        stream.append(b"\n")

    tz = dt.timezone(dt.timedelta(hours=8))
    commit(dt.datetime(2026 - years, 1, 1, 9, tzinfo=tz), "建立台账", others)
    commits = 1
    for i in range(0, len(records), 2):
        pair = records[i : i + 2]
        meeting = dt.date.fromisoformat(pair[-1].split("/")[-1][:10])
        lag = 40 if i % 97 == 0 else 1 + i % 3  # now and then recorded weeks late
        when = dt.datetime.combine(meeting + dt.timedelta(days=lag), dt.time(20), tz)
        commit(when, f"记录 {pair[-1]}", pair)
        commits += 1
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(stream), check=True)
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=root, check=True)
    return len(records), commits


def timed(root: Path, as_of: dt.date, history: bool) -> tuple[float, int]:
    start = time.perf_counter()
    result = check_branch(root, as_of=as_of, year=as_of.year, history=history)
    return time.perf_counter() - start, sum(1 for f in result.findings if f.code.startswith("audit."))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=21, help="years of records (21 gives about 3,000)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    as_of = dt.date(2025, 12, 31)
    with tempfile.TemporaryDirectory(prefix="zhibu-audit-bench-") as tmp:
        root = Path(tmp) / "branch"
        start = time.perf_counter()
        records, commits = build_repository(root, args.years)
        built = time.perf_counter() - start
        timed(root, as_of, True)  # warm caches
        without, with_audit, audit_findings = [], [], 0
        for _ in range(args.repeat):
            without.append(timed(root, as_of, False)[0])
            elapsed, audit_findings = timed(root, as_of, True)
            with_audit.append(elapsed)
    base, full = min(without), min(with_audit)
    print(f"records: {records}, commits: {commits} (built in {built:.1f} s)")
    print(f"check without audit: {base * 1000:8.1f} ms  (best of {args.repeat})")
    print(f"check with audit   : {full * 1000:8.1f} ms  (best of {args.repeat}; {audit_findings} audit findings)")
    print(f"audit adds {100 * (full - base) / base:.0f} %  (target <= 30 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
