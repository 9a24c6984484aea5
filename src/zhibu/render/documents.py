"""The printed documents: one table, name → Chinese title, what it is built from, builder, file name.

``zhibu doc`` takes its subcommands' names and its list of documents from :data:`DOCUMENTS`,
``zhibu batch report`` the names of the files it writes, the tests their lists of documents
(goldens in tests/test_docx.py, page counts in tests/test_pdf.py) and docs/documents.md is
checked against it. Each builder is a function of :mod:`zhibu.render.layout` or
:mod:`zhibu.render.checkup` returning a :class:`zhibu.render.layout.Document`; it is named here
as ``module:function`` and imported only when a document is built, so that ``zhibu doc --help``
stays light.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

# What a builder may be given, by the name of its parameter.
INPUTS = {
    "branch": "支部（已读取的记录和名册）",
    "year": "年度",
    "record": "一条会议记录，或尚未召开、按计划条目或类型和日期写出的会议",
    "rules": "合并后的标准（B+T+X）",
    "entry": "一个支部的检查结果，含评星定级（zhibu batch 的一条结果）",
    "entries": "全部支部的检查结果",
    "as_of": "检查日期",
    "committee": "上级党组织名称",
}


@dataclass(frozen=True)
class DocumentKind:
    """One printed document. ``name`` is the subcommand of ``zhibu doc`` (and the goldens'
    prefix); ``short`` names it in lists; ``title`` is what docs/documents.md calls it; ``needs``
    are the builder's inputs (keys of :data:`INPUTS`), ``builder`` the function as
    ``module:function`` under ``zhibu.render``; ``file_name`` the default file name, with
    ``{year}`` and ``{stem}`` (the record's file name, see :func:`record_stem`); ``command`` is
    false for a document only ``zhibu batch report`` writes."""

    name: str
    short: str
    title: str
    needs: tuple[str, ...]
    builder: str
    file_name: str
    command: bool = True

    def function(self):
        module, function = self.builder.split(":")
        return getattr(importlib.import_module(f"{__package__}.{module}"), function)


DOCUMENTS: dict[str, DocumentKind] = {
    d.name: d
    for d in (
        DocumentKind(
            "plan", "计划表", "一表：年度学习活动计划表", ("branch", "year"), "layout:plan_table", "{year}年计划表.docx"
        ),
        DocumentKind("signin", "签到表", "签到表", ("branch", "record"), "layout:signin_sheet", "{stem}-签到表.docx"),
        DocumentKind("minutes", "会议记录", "会议记录", ("branch", "record"), "layout:minutes", "{stem}-会议记录.docx"),
        DocumentKind(
            "ledger",
            "工作记录本",
            "一册：党支部工作记录本",
            ("branch", "rules", "year"),
            "layout:ledger",
            "{year}年党支部工作记录.docx",
        ),
        DocumentKind("checkup", "体检报告", "体检报告", ("entry", "as_of", "year"), "checkup:checkup", "{year}年度体检报告.docx"),
        DocumentKind(
            "overview",
            "体检总览",
            "体检总览（上级党组织）",
            ("entries", "as_of", "year", "committee"),
            "checkup:overview",
            "{year}年度体检总览.docx",
            command=False,
        ),
    )
}


def commands() -> list[DocumentKind]:
    """The documents ``zhibu doc`` prints, in the table's order."""
    return [d for d in DOCUMENTS.values() if d.command]


def build(name: str, **inputs):
    """The description of document ``name`` from exactly the inputs it needs."""
    kind = DOCUMENTS[name]
    wrong = sorted(set(inputs) ^ set(kind.needs))
    if wrong:
        raise TypeError(f"{name} is built from {', '.join(kind.needs)}, not {', '.join(sorted(inputs))}")
    return kind.function()(**inputs)


def record_stem(record) -> str:
    """A record's file name without ``.yaml``; for a meeting not recorded yet, its date and types."""
    if record.source.path:
        return Path(record.source.path).stem
    return f"{record.date.isoformat()}-{'、'.join(record.types)}"


def file_name(name: str, *, year: int | None = None, record=None) -> str:
    """The default file name of document ``name`` (in the branch's 文书/ folder)."""
    return DOCUMENTS[name].file_name.format(year=year, stem=record_stem(record) if record is not None else None)
