"""The output formats of ``zhibu batch check``: one table, name → description, file suffix, writer.

The command line takes its ``--format`` choices and their help from :data:`FORMATS`, and
docs/cli.md (generated) and docs/batch.md list them from there. Each writer gets the whole run
(:class:`Results`) and an :class:`Output`; a streaming format (``jsonl``) also writes each
branch's line as it is checked and keeps nothing else. What a branch controls is cleaned at the
writer: text through the stream it is given (``report.streams``), JSON through
``model.redact.dumps_clean``, CSV cells through ``clean`` and ``neutralise_formula``, the
workbook through ``render/xlsx.py``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

from ..model.vocabulary import UNCHECKED


@dataclass(frozen=True)
class Results:
    """One run of ``batch check``: the entries sorted by root (for a streaming format, only what
    the registry comparison needs), the running summary, the registry comparison (``None``
    without ``--manifest``), the checking date and how many branches the text lists."""

    entries: list[dict]
    summary: dict
    registry: dict | None
    as_of: dt.date
    worst: int = 20


@dataclass(frozen=True)
class Output:
    """Where a writer writes: ``stream`` (standard output or the ``-o`` file, cleaned line by
    line), or ``path`` for a format that writes a file itself; ``errors`` for what must stay out
    of the stream (the registry of a jsonl run). ``echo`` writes one line to a text stream the way
    the rest of the command line does (click's ``echo``); plain ``write`` when none is given."""

    stream: TextIO | None = None
    path: Path | None = None
    errors: TextIO | None = None
    echo: Callable[[str, TextIO], None] | None = None

    def line(self, text: str, stream: TextIO | None = None) -> None:
        stream = self.stream if stream is None else stream
        if self.echo is not None:
            self.echo(text, stream)
        else:
            stream.write(text + "\n")
            stream.flush()


@dataclass(frozen=True)
class Format:
    """One output format: ``name`` as typed after ``--format``, ``title`` the Chinese description
    shown in the help and the docs, ``suffix`` of a file in this format, ``write`` the writer of
    the whole run. ``stream_entry`` (a streaming format) writes one branch as soon as it is
    checked; ``file_only`` formats write ``Output.path`` themselves and need ``-o``."""

    name: str
    title: str
    suffix: str
    write: Callable[[Results, Output], None]
    stream_entry: Callable[[dict, Output], None] | None = None
    file_only: bool = False

    @property
    def streams(self) -> bool:
        return self.stream_entry is not None


# --- the writers --------------------------------------------------------------------------------


def _version() -> str:
    from .. import __version__

    return __version__


def write_json(results: Results, out: Output) -> None:
    """The contract of docs/json.md: the summary and every branch, at once."""
    from ..model.redact import dumps_clean

    data = {"zhibu": _version(), "as_of": results.as_of.isoformat(), "summary": results.summary, "branches": results.entries}
    if results.registry is not None:
        data["registry"] = results.registry
    out.stream.write(dumps_clean(data, indent=2) + "\n")


def write_jsonl_entry(entry: dict, out: Output) -> None:
    """One line per branch, as soon as it is checked."""
    from ..model.redact import dumps_clean

    out.stream.write(dumps_clean(entry) + "\n")
    out.stream.flush()


def write_jsonl(results: Results, out: Output) -> None:
    """The lines are written already; the registry goes to standard error, the stream stays uniform."""
    from ..model.redact import dumps_clean

    if results.registry is not None:
        out.line(dumps_clean({"registry": results.registry}), out.errors)


CSV_COLUMNS = [
    "支部目录",
    "支部名称",
    "状态",
    "规则码",
    "级别",
    "层级",
    "规则包",
    "期间",
    "文件",
    "行",
    "对象",
    "问题",
    "提示",
    "依据",
]


def _csv_row(cells: list) -> list:
    """Cells as CSV text: cleaned, and no cell a spreadsheet would run as a formula."""
    from ..model.redact import clean, neutralise_formula

    return [neutralise_formula(clean(c)) if isinstance(c, str) else c for c in cells]


def write_csv(sink: TextIO, entries: list[dict]) -> None:
    """One row per finding, branch first; an unreadable branch is one row with its reason.
    Written with a UTF-8 BOM so that Excel opens the Chinese correctly."""
    import csv

    sink.write("\ufeff")
    writer = csv.writer(sink, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        if entry["status"] in UNCHECKED:
            writer.writerow(
                _csv_row([entry["root"], "", entry["status"], "", "", "", "", "", "", "", "", entry.get("reason", ""), "", ""])
            )
            continue
        for f in entry["findings"]:
            writer.writerow(
                _csv_row(
                    [
                        entry["root"],
                        entry["name"],
                        entry["status"],
                        f["code"],
                        f["severity"],
                        f["layer"],
                        f["pack"],
                        f["period"] or "",
                        f["path"] or "",
                        f["line"] or "",
                        f["subject"] or "",
                        f["message"],
                        f["hint"],
                        f["source"],
                    ]
                )
            )


def _table(out: Output, rows: list[list], headers: list[str]) -> None:
    """A plain table with Chinese columns aligned; cells cleaned first, so that the columns stay
    aligned after masking and escaping."""
    from ..model.redact import clean
    from ..report.table import table_text

    if not rows:
        out.line("（无）")
        return
    rows = [[clean(c) if isinstance(c, str) else c for c in row] for row in rows]
    out.line(table_text(rows, headers))


def write_text(results: Results, out: Output) -> None:
    """The summary for people, on standard output or into the -o file."""
    summary, entries, registry = results.summary, results.entries, results.registry
    out.line(
        f"共 {summary['branches']} 个支部：{summary['with_errors']} 个有错误，{summary['unreadable']} 个无法读取；"
        f"合计 {summary['error']} 个错误，{summary['warning']} 个警告，{summary['info']} 个提示。"
    )
    unreadable = [e for e in entries if e["status"] in UNCHECKED]
    if unreadable:
        out.line("\n无法读取或未检查完：")
        _table(out, [[e["root"], e.get("reason", "")] for e in unreadable], ["支部目录", "原因"])
    ranked = sorted(
        (e for e in entries if e["status"] not in UNCHECKED),
        key=lambda e: (-e["summary"]["error"], -e["summary"]["warning"], e["root"]),
    )[: results.worst]
    if ranked:
        out.line(f"\n问题最多的 {len(ranked)} 个支部：")
        rows = [[e["root"], e["name"], e["summary"]["error"], e["summary"]["warning"], e["summary"]["info"]] for e in ranked]
        _table(out, rows, ["支部目录", "名称", "错误", "警告", "提示"])
    if registry:
        for key, title in (("missing", "已登记但未找到"), ("unregistered", "找到但未登记"), ("wrong_pack", "未使用规定的规则包")):
            if registry[key]:
                out.line(f"\n{title}：")
                for item in registry[key]:
                    out.line("  " + "，".join(f"{k}: {v}" for k, v in item.items()))


def write_xlsx(results: Results, out: Output) -> None:
    """The workbook of ``render/xlsx.py``: a sheet of branches, one of findings, the registry."""
    from ..render.xlsx import write_batch_xlsx

    write_batch_xlsx(results.entries, results.summary, results.registry, results.as_of, out.path)


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("text", "给人看的汇总：各级别问题合计、无法读取的支部、问题最多的支部", ".txt", write_text),
        Format("json", "全部支部的结果一次写出，格式见 docs/json.md", ".json", write_json),
        Format(
            "jsonl",
            "每检查完一个支部写一行，只保留计数，内存不随支部数增长",
            ".jsonl",
            write_jsonl,
            stream_entry=write_jsonl_entry,
        ),
        Format(
            "csv",
            "一行一条问题，支部在前几列，带 UTF-8 BOM，Excel 直接打开",
            ".csv",
            lambda results, out: write_csv(out.stream, results.entries),
        ),
        Format("xlsx", "Excel 表：各支部汇总和全部问题，必须用 -o 指定文件", ".xlsx", write_xlsx, file_only=True),
    )
}
