"""A larger fuzz campaign than the test suite runs (issue 11): N seeded mutants of the sample
branch, each checked in memory; prints how many crashed and the distinct failures.

    PYTHONPATH=src python tests/fuzz_campaign.py 5000          # seeds 0..4999
    PYTHONPATH=src python tests/fuzz_campaign.py 5000 --start 100000

Deterministic: the same seeds give the same mutants, so a count before and after a fix
compares like with like.
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from fuzzing import base_files, judge, mutant


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=5000)
    parser.add_argument("--start", type=int, default=0)
    args = parser.parse_args()
    base = base_files()
    failures: dict[str, list[tuple[int, str]]] = collections.defaultdict(list)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for seed in range(args.start, args.start + args.count):
            rel, _how, files = mutant(seed, base)
            problem = judge(root, files)
            if problem:
                key = problem.strip().splitlines()[-1][:160]
                failures[key].append((seed, rel))
    crashed = sum(len(v) for v in failures.values())
    print(f"{crashed} of {args.count} mutants failed ({time.monotonic() - started:.0f} s)")
    for key, seeds in sorted(failures.items(), key=lambda item: -len(item[1])):
        print(f"{len(seeds):5}  {key}\n       e.g. seed {seeds[0][0]} ({seeds[0][1]})")
    return 1 if crashed else 0


if __name__ == "__main__":
    raise SystemExit(main())
