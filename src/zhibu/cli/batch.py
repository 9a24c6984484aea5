"""zhibu batch: checks over many branch repositories, for higher committees."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..committee.batch import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT
from ..committee.formats import FORMATS
from ..model.vocabulary import UNCHECKED
from .base import DATE, group, print_table

FILE_ONLY = "、".join(f.name for f in FORMATS.values() if f.file_only)


def _budget_options(command):
    """--timeout and --memory: what one branch may cost its worker process."""
    command = click.option(
        "--memory",
        "memory_mb",
        type=click.IntRange(0, 1024 * 1024),
        default=DEFAULT_MEMORY_MB,
        show_default=True,
        metavar="MB",
        help="检查一个支部可用的内存（检查进程的地址空间，MB）；超出的支部记为“超出内存”（memory），其余照常检查。0 为不限。",
    )(command)
    return click.option(
        "--timeout",
        type=click.IntRange(0, 86400),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        metavar="秒",
        help="检查一个支部最多用时（秒）；超时的支部记为“超时”（timeout），其余照常检查。0 为不限。",
    )(command)


@group("batch", "批量检查多个支部仓库（供上级党组织使用）。")
def batch():
    pass


CHECK_HELP = """查找目录下的全部支部仓库（工作目录和裸镜像），并行检查，逐个报告与 zhibu check 相同的结果。

无法读取、不是支部、检查进程崩溃的仓库记为 unreadable 并写明原因，超过 --timeout 的记为 timeout（超时），
超过 --memory 的记为 memory（超出内存），其余照常检查。每个支部最多列出每个规则码 1000 条、共 10000 条发现。
jsonl 格式在每个支部检查完时输出一行，只保留计数，内存占用几乎不随支部数增长。
退出状态：任一支部有未豁免的错误时为 1。

\b
示例：
    zhibu batch check 各支部/ --as-of 2026-03-31
    zhibu batch check 镜像/ --format jsonl > 结果.jsonl
    zhibu batch check 镜像/ --format xlsx -o 检查结果.xlsx --manifest 登记表.yaml

\b
输出格式（--format）：
""" + "\n".join(f"    {f.name:<7}{f.title}" for f in FORMATS.values())


@batch.command("check", help=CHECK_HELP)
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False),
    metavar="目录...",
    help="在这些目录下查找支部仓库（工作目录和裸镜像），可写多个。",
)
@click.option("--jobs", "-j", type=click.IntRange(1, 256), help="并行进程数（默认为 CPU 核数）。")
@click.option("--as-of", "as_of", type=DATE, help="检查日期（默认今天）；同一日期结果可复现。")
@click.option("--year", type=click.IntRange(1921, 2200), help="检查的年度（默认为 --as-of 所在年）。")
@click.option(
    "--format", "output", type=click.Choice(list(FORMATS)), default="text", show_default=True, help="输出格式（见上）。"
)
@click.option("-o", "--output-file", "output_file", type=click.Path(dir_okay=False), help=f"写入文件（{FILE_ONLY} 必须指定）。")
@click.option(
    "--manifest",
    type=click.Path(exists=True, dir_okay=False),
    help="支部登记表：报告未找到的、未登记的、未使用规定规则包的支部。",
)
@click.option("--worst", type=click.IntRange(0, 10000), default=20, show_default=True, help="文本输出中列出问题最多的支部个数。")
@_budget_options
def check(paths, jobs, as_of, year, output, output_file, manifest, worst, timeout, memory_mb):
    from ..committee.batch import compare_registry, default_jobs, discover, empty_summary, read_manifest, run_batch, tally
    from ..committee.formats import Output, Results
    from ..errors import ZhibuError
    from ..report.streams import open_clean

    as_of = as_of or dt.date.today()
    chosen = FORMATS[output]
    if chosen.file_only and not output_file:
        raise click.UsageError(f"{chosen.name} 格式需要用 -o 指定输出文件。")
    targets = discover(Path(p) for p in paths)
    if not targets:
        raise ZhibuError(
            f"在 {'、'.join(paths)} 下没有找到支部仓库。", "支部仓库是含有 zhibu.yaml 的目录，或 zhibu batch sync 得到的裸镜像。"
        )
    jobs = jobs or default_jobs()
    progress = _Progress(len(targets))
    # A file gets the same cleaning as standard output (personal numbers masked, odd bytes escaped).
    sink = open_clean(output_file, newline="") if output_file and not chosen.file_only else sys.stdout
    out = Output(stream=sink, path=Path(output_file) if chosen.file_only else None, errors=sys.stderr, echo=_echo)
    entries: list[dict] = []
    summary = empty_summary()

    def on_result(entry: dict) -> None:
        progress.step()
        tally(summary, entry)
        if not chosen.streams:
            entries.append(entry)
            return
        chosen.stream_entry(entry, out)
        if manifest:  # the registry comparison needs each branch's root and packs; nothing else is kept
            entries.append({"root": entry["root"], "status": entry["status"], "standard": entry.get("standard", [])})

    try:
        run_batch(
            targets, as_of=as_of, year=year, jobs=jobs, on_result=on_result, timeout=timeout or None, memory_mb=memory_mb or None
        )
    finally:
        progress.done()
    entries.sort(key=lambda e: e["root"])
    registry = compare_registry(read_manifest(Path(manifest))[1], entries) if manifest else None
    try:
        chosen.write(Results(entries, summary, registry, as_of, worst), out)
        if chosen.file_only:
            click.echo(f"已写入 {output_file}。")
    finally:
        if sink is not sys.stdout:
            sink.close()
    raise SystemExit(1 if summary["with_errors"] else 0)


def _echo(text: str, stream) -> None:
    """A line of a format's output, printed as every other line of the command line is."""
    click.echo(text, file=stream)


def _version() -> str:
    from .. import __version__

    return __version__


class _Progress:
    """ "已检查 n/N" on a terminal's standard error; nothing when piped."""

    def __init__(self, total: int):
        self.total = total
        self.count = 0
        from ..report.streams import unwrapped

        self.stream = unwrapped(sys.stderr)  # the "\r" that redraws the line is zhibu's own
        self.live = self.stream.isatty()

    def step(self) -> None:
        self.count += 1
        if self.live:
            self.stream.write(f"\r已检查 {self.count}/{self.total}")
            self.stream.flush()

    def done(self) -> None:
        if self.live:
            self.stream.write("\n")


@batch.command("sync")
@click.argument(
    "manifest",
    type=click.Path(exists=True, dir_okay=False),
    metavar="登记表",
    help="支部登记表（YAML）：每个支部的名称、仓库地址和镜像位置。",
)
@click.option("--dest", type=click.Path(file_okay=False), default="镜像", show_default=True, help="存放裸镜像的目录。")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=4, show_default=True, help="同时获取的仓库数。")
def sync_command(manifest, dest, jobs):
    """按登记表把各支部仓库克隆或更新为裸镜像（不检出、不运行其中任何内容）。

    地址只接受 https://、http://、ssh://、git@主机:路径 和 file:///本机路径；path 必须是
    --dest 下的相对路径。某一项不合要求只记一行失败，其余照常。已有的镜像若被改动过
    （config、钩子、所有者与 zhibu 所建的不同），删除后重新克隆，不在其中获取。

    \b
    登记表示例（YAML）：
        committee: 中共示例区教育工委
        pack: T-示例区教育工委
        branches:
          - {name: 计算机学院教工第一党支部, url: https://git.example.org/jsj-1.git, category: 高校}
    """
    from ..committee.batch import read_manifest, sync

    _committee, registered = read_manifest(Path(manifest))
    failures = []

    def report(branch, problem, replaced):
        if problem:
            failures.append((branch, problem))
            click.echo(f"失败  {branch.name}：{problem}", err=True)
        elif replaced:
            click.echo(
                f"完成  {branch.name} → {Path(dest) / branch.path}（原有的镜像{replaced}，不是 zhibu 所建，已删除并重新克隆）"
            )
        else:
            click.echo(f"完成  {branch.name} → {Path(dest) / branch.path}")

    sync(registered, Path(dest), jobs, report)
    click.echo(f"\n{len(registered) - len(failures)} 个成功，{len(failures)} 个失败。")
    raise SystemExit(1 if failures else 0)


def _rated_entries(paths, jobs, as_of, year, timeout, memory_mb) -> list[dict]:
    from ..committee.batch import default_jobs, discover, run_batch
    from ..errors import ZhibuError

    targets = discover(Path(p) for p in paths)
    if not targets:
        raise ZhibuError(f"在 {'、'.join(paths)} 下没有找到支部仓库。")
    entries: list[dict] = []
    progress = _Progress(len(targets))

    def on_result(entry: dict) -> None:
        progress.step()
        entries.append(entry)

    try:
        run_batch(
            targets,
            as_of=as_of,
            year=year,
            jobs=jobs or default_jobs(),
            on_result=on_result,
            options={"rate": True},
            timeout=timeout or None,
            memory_mb=memory_mb or None,
        )
    finally:
        progress.done()
    return sorted(entries, key=lambda e: e["root"])


def _ranked(entries: list[dict]) -> list[dict]:
    return sorted((e for e in entries if e.get("rating")), key=lambda e: (-e["rating"]["score"], e["root"]))


@batch.command("rate")
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False),
    metavar="目录...",
    help="在这些目录下查找支部仓库（工作目录和裸镜像），可写多个。",
)
@click.option("--jobs", "-j", type=click.IntRange(1, 256), help="并行进程数（默认为 CPU 核数）。")
@click.option("--as-of", "as_of", type=DATE, help="检查日期（默认今天）。")
@click.option("--year", type=click.IntRange(1921, 2200), help="评定的年度（默认为 --as-of 所在年）。")
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@click.option("--explain", "explain_root", metavar="支部目录", help="逐项列出该支部的得分和扣分依据。")
@_budget_options
def rate_command(paths, jobs, as_of, year, output, explain_root, timeout, memory_mb):
    """评星定级：按“五有”（有队伍、有活动、有阵地、有制度、有保障）为每个支部计分、定星，并列出风险提示。

    计分方案是数据（内置方案见 docs/rating.md，T 规则包可用 rating: 替换），每一分的增减都对应检查中的
    某条发现。无法从记录判断的项目（如没有登记活动阵地）不计分，按其余项目折算。

    \b
    示例：
        zhibu batch rate 镜像/ --as-of 2025-12-31
        zhibu batch rate 镜像/ --explain 计算机学院教工第一党支部.git
    """
    from ..errors import ZhibuError
    from ..standard.rating import Rating, explain

    as_of = as_of or dt.date.today()
    entries = _rated_entries(paths, jobs, as_of, year, timeout, memory_mb)
    if explain_root:
        entry = next((e for e in entries if e["root"] == explain_root.strip("/")), None)
        if entry is None or not entry.get("rating"):
            roots = "、".join(e["root"] for e in entries[:5])
            raise ZhibuError(f"没有找到可评定的支部 {explain_root}。", f"写 zhibu batch rate 列出的支部目录，如 {roots}。")
        for line in explain(Rating.from_json(entry["rating"])):
            click.echo(line)
        for indicator in entry.get("indicators", []):
            click.echo(f"风险提示：{indicator['key']}：{indicator['detail']}")
        return
    ranked = _ranked(entries)
    if output == "json":
        data = {
            "zhibu": _version(),
            "as_of": as_of.isoformat(),
            "branches": [
                {
                    "rank": n,
                    "root": e["root"],
                    "name": e["name"],
                    "rating": e["rating"],
                    "indicators": e["indicators"],
                    "summary": e["summary"],
                }
                for n, e in enumerate(ranked, 1)
            ],
            "unreadable": [
                {"root": e["root"], "status": e["status"], "reason": e.get("reason", "")}
                for e in entries
                if e["status"] in UNCHECKED
            ],
        }
        from ..model.redact import dumps_clean

        click.echo(dumps_clean(data, indent=2))
        return
    keys = [item["key"] for item in ranked[0]["rating"]["items"]] if ranked else []
    rows = []
    for n, e in enumerate(ranked, 1):
        scores = [("—" if i["earned"] is None else f"{i['earned']:g}") for i in e["rating"]["items"]]
        rows.append(
            [
                n,
                e["root"],
                e["rating"]["score"],
                "★" * e["rating"]["stars"],
                *scores,
                "、".join(i["key"] for i in e["indicators"]),
            ]
        )
    print_table(rows, ["排名", "支部目录", "得分", "星级", *keys, "风险提示"])
    unreadable = [e for e in entries if e["status"] in UNCHECKED]
    if unreadable:
        click.echo(f"\n{len(unreadable)} 个仓库无法读取或未检查完，未评定：" + "、".join(e["root"] for e in unreadable))


@batch.command("report")
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    type=click.Path(exists=True, file_okay=False),
    metavar="目录...",
    help="在这些目录下查找支部仓库（工作目录和裸镜像），可写多个。",
)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), required=True, help="写入报告的目录。")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), help="并行进程数（默认为 CPU 核数）。")
@click.option("--as-of", "as_of", type=DATE, help="检查日期（默认今天）。")
@click.option("--year", type=click.IntRange(1921, 2200), help="年度（默认为 --as-of 所在年）。")
@click.option("--committee", default="", help="上级党组织名称，写在总览的标题中。")
@_budget_options
def report_command(paths, out_dir, jobs, as_of, year, committee, timeout, memory_mb):
    """体检报告：为每个支部写一份 Word 体检报告（评星定级、风险提示、问题清单、整改清单），
    再写一份总览 Word 文档和一份总览 Excel 表（排名、风险提示、全部问题）。

    \b
    示例：
        zhibu batch report 镜像/ --out 体检报告/ --as-of 2025-12-31 --committee 中共示例区教育工委
    """
    from ..errors import ZhibuError
    from ..render.checkup import report_file_names
    from ..render.documents import build, file_name
    from ..render.docx import write_docx
    from ..render.xlsx import write_batch_xlsx

    as_of = as_of or dt.date.today()
    year = year or as_of.year
    entries = _rated_entries(paths, jobs, as_of, year, timeout, memory_mb)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # The overview first: whatever happens to one branch's report, the committee gets it.
    overview = out / file_name("overview", year=year)
    write_docx(build("overview", entries=entries, as_of=as_of, year=year, committee=committee), overview)
    write_batch_xlsx(entries, _summary_of(entries), None, as_of, overview.with_suffix(".xlsx"))
    readable = [e for e in entries if e["status"] not in UNCHECKED]
    names = report_file_names([e["root"] for e in readable], "-" + file_name("checkup", year=year))
    written, failed = 0, []
    for entry in readable:
        try:
            write_docx(build("checkup", entry=entry, as_of=as_of, year=year), out / names[entry["root"]])
            written += 1
        except (OSError, ValueError, KeyError, TypeError, ZhibuError) as exc:  # one branch never stops the rest
            failed.append(entry["root"])
            reason = (
                exc.message if isinstance(exc, ZhibuError) else (getattr(exc, "strerror", None) or f"{type(exc).__name__}: {exc}")
            )
            click.echo(f"未能写出 {entry['root']} 的体检报告：{reason}", err=True)
    click.echo(f"已在 {out} 写入 {written} 份体检报告、总览 Word 文档和 Excel 表。")
    if failed:
        raise ZhibuError(
            f"{len(failed)} 个支部的体检报告未能写出：{'、'.join(failed[:5])}{'等' if len(failed) > 5 else ''}。",
            "总览和其余支部的报告已写出；按上面的原因处理后重新运行。",
        )


def _summary_of(entries: list[dict]) -> dict:
    from ..committee.batch import summarise

    return summarise(entries)
