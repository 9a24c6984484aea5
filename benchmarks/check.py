"""Benchmark: `zhibu check` against merely reading and parsing the same files.

Builds a synthetic branch with ten years of records (about 1,500 files), then
measures in the same run, best of N:

  parse   read every .yaml file of the branch and parse it with zhibu's YAML
          reader (the C-accelerated event parser in zhibu.store.yamlio)
  check   the whole `zhibu check` pipeline in-process: load and validate the
          branch, merge the standard, run every rule over ten years, waivers

and prints check / parse. Target: at most 1.5 (rules are cheap next to parsing).

    python benchmarks/check.py [--years 10] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

from zhibu.check import check_branch
from zhibu.store.yamlio import is_c_accelerated, parse

MEMBERS = ["王建国", "李晓梅", "张伟", "陈志强", "刘芳", "周敏", "吴涛", "赵磊", "黄丽", "郑凯", "林静", "孙悦"]
GROUPS = {"第一党小组": MEMBERS[0:6], "第二党小组": MEMBERS[6:12]}
COMMITTEE = MEMBERS[:5]


def _record(kind: str, day: dt.date, people: list[str], extra: str = "") -> str:
    absent = people[-1]
    present = ", ".join(people[:-1])
    return (
        f'type: {kind}\ndate: {day.isoformat()}\ntime: "14:30-16:00"\nplace: 学院党员活动室\n'
        f"host: {people[0]}\nrecorder: 张伟\nattendees: [{present}]\n"
        f"absent:\n  - {{name: {absent}, reason: 出差}}\n{extra}"
        f"topics:\n  - 学习贯彻上级党组织的部署\n  - 研究本月支部工作\n"
        f"content: |\n  传达学习有关文件精神，结合本单位实际进行讨论。\n  大家一致表示要把学习成果转化为推动工作的实际成效。\n"
    )


def build(root: Path, first_year: int, years: int) -> int:
    files: dict[str, str] = {}
    files["zhibu.yaml"] = (
        "format: 1\nname: 中共示例大学计算机学院教工第一支部委员会\nparent: 中共示例大学计算机学院委员会\n"
        f"category: 高校\nfounded: {first_year}-01-01\ngroups: [第一党小组, 第二党小组]\ntheme_day: 每月最后一个周五\n"
    )
    member_lines = ["members:"]
    for name in MEMBERS:
        group = next(g for g, names in GROUPS.items() if name in names)
        member_lines.append(
            f"  - {{name: {name}, status: 正式党员, admitted: 2001-06-01, full_since: 2002-06-01, joined: 2010-09-01, group: {group}}}"
        )
    files["members.yaml"] = "\n".join(member_lines) + "\n"
    roles = ["书记", "副书记", "组织委员", "宣传委员", "纪检委员"]
    seats = "\n".join(f"      - {{name: {n}, role: {r}, approved: {first_year}-01-20}}" for n, r in zip(COMMITTEE, roles))
    files["committee.yaml"] = f"terms:\n  - elected: {first_year}-01-05\n    term_years: {years + 1}\n    members:\n{seats}\n"
    for year in range(first_year, first_year + years):
        plan = [f"year: {year}", "items:"]
        talks = ["talks:"]
        for month in range(1, 13):
            base = dt.date(year, month, 1)
            last_friday = max(
                base + dt.timedelta(days=d)
                for d in range(31)
                if (base + dt.timedelta(days=d)).month == month and (base + dt.timedelta(days=d)).isoweekday() == 5
            )
            entries = [
                ("支部委员会", base + dt.timedelta(days=4), COMMITTEE, ""),
                ("党小组会", base + dt.timedelta(days=9), GROUPS["第一党小组"], "group: 第一党小组\n"),
                ("党小组会", base + dt.timedelta(days=10), GROUPS["第二党小组"], "group: 第二党小组\n"),
                ("集中学习", base + dt.timedelta(days=14), MEMBERS, ""),
                ("主题党日", last_friday, MEMBERS, "theme: 重温入党誓词\n"),
                ("实践活动", base + dt.timedelta(days=19), MEMBERS, ""),
                ("支部委员会", base + dt.timedelta(days=20), COMMITTEE, ""),
                ("党小组会", base + dt.timedelta(days=23), GROUPS["第一党小组"], "group: 第一党小组\n"),
                ("党小组会", base + dt.timedelta(days=24), GROUPS["第二党小组"], "group: 第二党小组\n"),
                ("其他", base + dt.timedelta(days=1), COMMITTEE, ""),
                ("其他", base + dt.timedelta(days=2), MEMBERS, ""),
            ]
            if month % 3 == 0:
                entries.append(("支部党员大会", base + dt.timedelta(days=16), MEMBERS, ""))
                entries.append(("党课", base + dt.timedelta(days=17), MEMBERS, "lecturer: 王建国\n"))
            if month == 12:
                entries.append(("组织生活会", base + dt.timedelta(days=21), MEMBERS, ""))
                entries.append(("民主评议党员", base + dt.timedelta(days=22), MEMBERS, ""))
            for kind, day, people, extra in entries:
                files[f"records/{year}/{day.isoformat()}-{kind}{'-' + extra[7:12] if kind == '党小组会' else ''}.yaml"] = _record(
                    kind, day, people, extra
                )
            plan.append(f"  - {{id: {year}-{month:02d}-学习-1, month: {month}, kind: 学习, topic: 集中学习, type: 集中学习}}")
            plan.append(f"  - {{id: {year}-{month:02d}-活动-1, month: {month}, kind: 活动, topic: 主题党日, type: 主题党日}}")
        for a in MEMBERS:
            talks.append(
                f"  - {{date: {year}-06-10, between: [王建国, {a}]}}"
                if a != "王建国"
                else f"  - {{date: {year}-06-11, between: [王建国, 李晓梅]}}"
            )
        for i, a in enumerate(COMMITTEE):
            for b in COMMITTEE[i + 1 :]:
                talks.append(f"  - {{date: {year}-07-01, between: [{a}, {b}]}}")
        files[f"plans/{year}.yaml"] = "\n".join(plan) + "\n"
        files[f"talks/{year}.yaml"] = "\n".join(talks) + "\n"
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return len(files)


def time_parse(root: Path) -> float:
    start = time.perf_counter()
    for path in sorted(root.rglob("*.yaml")):
        parse(path.read_bytes().decode("utf-8"))
    return time.perf_counter() - start


def time_check(root: Path, as_of: dt.date) -> tuple[float, int]:
    start = time.perf_counter()
    result = check_branch(root, as_of=as_of, year=as_of.year)
    return time.perf_counter() - start, len(result.findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    if not is_c_accelerated():
        print("warning: ruamel.yaml.clib is not installed; parsing runs in pure Python", file=sys.stderr)
    first_year = 2016
    as_of = dt.date(first_year + args.years - 1, 12, 31)
    with tempfile.TemporaryDirectory(prefix="zhibu-bench-") as tmp:
        root = Path(tmp) / "branch"
        count = build(root, first_year, args.years)
        check_branch(root, as_of=as_of)  # warm the OS cache and imports
        # Interleaved, so a change in background load affects both sides alike.
        parse_times, check_times = [], []
        for _ in range(args.repeat):
            parse_times.append(time_parse(root))
            elapsed, findings = time_check(root, as_of)
            check_times.append(elapsed)
        parse_best = min(parse_times)
        check_best = min(check_times)
    print(f"files: {count} ({args.years} years of records)")
    print(f"parse only : {parse_best * 1000:8.1f} ms  (best of {args.repeat})")
    print(f"zhibu check: {check_best * 1000:8.1f} ms  (best of {args.repeat}; {findings} findings)")
    print(f"ratio check/parse: {check_best / parse_best:.2f}  (target <= 1.5)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
