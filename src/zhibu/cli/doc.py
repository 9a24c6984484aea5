"""zhibu doc: Word documents to print, optionally as PDF; one subcommand per document of
:data:`zhibu.render.documents.DOCUMENTS` (``tests/test_docx.py`` checks that none is missing)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..render.documents import DOCUMENTS, commands
from ..render.documents import file_name as document_file_name
from .base import DATE, branch_root, directory_option, group, load

DOC_HELP = f"""生成打印用的 Word 文书（GB/T 9704-2012 版式）：{"、".join(d.short for d in commands())}。

文书的内容全部取自记录：应到人数按当日名册计算，统计表与 zhibu check 的计数一致。
支部的 templates/reference.docx（如有）作为基础文档，沿用其中的样式和页眉红头。

\b
示例：
    zhibu doc plan --year 2025
    zhibu doc signin 2025-03-06
    zhibu doc minutes 2025-03-20 -o 三月党员大会.docx --pdf
    zhibu doc ledger --year 2025 --xlsx
"""


@group("doc", DOC_HELP)
def doc():
    pass


def document_command(name: str):
    """Register the subcommand of document ``name`` of the table under its name."""
    kind = DOCUMENTS[name]
    assert kind.command, f"{name} is not a zhibu doc command"
    return doc.command(kind.name)


def _build(name: str, **inputs):
    from ..render.documents import build

    return build(name, **inputs)


def output_option(func):
    return click.option(
        "-o",
        "--output",
        metavar="文件",
        default=None,
        help="输出的 .docx 文件（默认放在支部目录的 文书/ 中，按文书命名；该文件夹不提交到 git）。",
    )(func)


def pdf_option(func):
    return click.option("--pdf", is_flag=True, help="另外用 LibreOffice 转换出同名的 PDF（需已安装 soffice）。")(func)


def year_option(func):
    return click.option("--year", type=int, default=None, metavar="年份", help="年份（默认今年）。")(func)


def _output_path(output: str | None, default_name: str, directory: str | None) -> Path:
    """``-o``, or the branch's documents folder (文书/, ignored by git) when none is given."""
    from ..errors import ZhibuError
    from ..store.files import DOCUMENTS_DIR

    if output:
        path = Path(output)
    else:
        folder = branch_root(directory) / DOCUMENTS_DIR
        _warn_if_not_ignored(folder)
        folder.mkdir(exist_ok=True)
        path = folder / default_name
    if path.suffix.lower() != ".docx":
        raise ZhibuError(f"输出文件 {path} 不是 .docx 文件。", f"用 -o 指定以 .docx 结尾的文件名，如 -o {path.stem}.docx。")
    if path.is_dir():
        raise ZhibuError(f"{path} 是一个文件夹。", "用 -o 指定要写入的文件名。")
    if not path.parent.is_dir():
        raise ZhibuError(f"文件夹 {path.parent} 不存在，无法写入 {path.name}。", "先创建该文件夹，或用 -o 指定其他位置。")
    return path


def _warn_if_not_ignored(folder: Path) -> None:
    """Say how to keep printed documents out of git in a branch that ``zhibu init`` did not set up."""
    gitignore = folder.parent / ".gitignore"
    try:
        lines = {line.strip() for line in gitignore.read_text(encoding="utf-8").splitlines()}
    except (OSError, UnicodeDecodeError):
        lines = set()
    if not lines & {f"/{folder.name}/", f"{folder.name}/", f"/{folder.name}", folder.name}:
        click.echo(
            f"提示：生成的文书放在 {folder.name}/ 中；在 .gitignore 中加一行 /{folder.name}/，它们就不会被误提交。", err=True
        )


def _load(directory: str | None):
    root = branch_root(directory)
    loaded = load(root)
    problems = [f for f in loaded.findings if f.code.startswith("format.")]
    if problems:
        click.echo(
            f"注意：支部文件中有 {len(problems)} 处格式问题（运行 zhibu check 查看），有问题的内容不会出现在文书中。",
            err=True,
        )
    return root, loaded.branch


def _write(description, root: Path, path: Path, pdf: bool) -> Path:
    from ..render.docx import write_docx

    write_docx(description, path, root)
    click.echo(f"已生成 {path}")
    if pdf:
        from ..render.pdf import convert_to_pdf

        for made in convert_to_pdf([path], path.parent):
            click.echo(f"已生成 {made}")
    return path


def _year(year: int | None) -> int:
    return year if year is not None else dt.date.today().year


@document_command("plan")
@year_option
@output_option
@pdf_option
@directory_option
def plan_doc(year, output, pdf, directory):
    """一表：年度学习活动计划表。

    按月列出学习和活动：内容、形式（会议类型）、计划日期、责任人。同一月份有多项时
    月份单元格合并，表头在每页重复。纵向 A4。

    \b
    示例：
        zhibu doc plan --year 2025
        zhibu doc plan --year 2025 -o 计划表.docx --pdf
    """
    year = _year(year)
    path = _output_path(output, document_file_name("plan", year=year), directory)
    root, branch = _load(directory)
    _write(_build("plan", branch=branch, year=year), root, path, pdf)


def _record(branch, ref: str):
    from ..write.edit import find_record

    return find_record(branch, ref)


@document_command("signin")
@click.argument("record", metavar="[记录]", required=False, help="已登记的会议：文件路径、文件名或日期。")
@click.option(
    "--plan", "plan_id", metavar="条目编号", help="按一表中的计划条目打印（会议尚未召开、不必先登记记录），如 2026-03-学习-1。"
)
@click.option(
    "--type", "types", multiple=True, metavar="类型", help="按会议类型和 --date 打印尚未召开的会议的签到表；合并召开时可重复。"
)
@click.option("--date", type=DATE, help="会议日期（与 --type 同用，或补上计划条目没有写的日期）。")
@click.option("--group", metavar="党小组", help="党小组会的党小组。")
@click.option("--place", metavar="地点", help="地点。")
@click.option("--time", metavar="起止", help="起止时间，如 14:30-16:00。")
@click.option("--host", metavar="姓名", help="主持人。")
@output_option
@pdf_option
@directory_option
def signin_doc(record, plan_id, types, date, group, place, time, host, output, pdf, directory):
    """签到表：列出当日全部应到人员，附签名栏，会前打印。

    另有列席人员栏（已登记的列席人员之外留 3 行空白）。实践活动等不核对应到人员的
    活动，表中留空白行供参加人员填写姓名。

    已登记的会议写记录（文件路径、文件名或日期，当天只有一条记录时）。尚未召开的会议
    不必先登记记录（登记未来日期的记录会被检查报告）：用 --plan 写一表中的计划条目，
    或用 --type 和 --date 写会议类型和日期；应到人员按那一天的名册计算。

    \b
    示例：
        zhibu doc signin 2025-03-06
        zhibu doc signin records/2025/2025-01-14-党小组会.yaml
        zhibu doc signin --plan 2026-03-学习-1 --place 学院党员活动室
        zhibu doc signin --type 党小组会 --group 第一党小组 --date 2026-03-11
    """
    from ..errors import ZhibuError

    planned = plan_id or types
    if bool(record) == bool(planned):
        raise ZhibuError(
            "写一条已登记的记录，或用 --plan / --type 写尚未召开的会议，二者选一。",
            "如 zhibu doc signin 2026-03-05，或 zhibu doc signin --type 支部委员会 --date 2026-03-05。",
        )
    root, branch = _load(directory)
    if planned:
        r = _planned(branch, plan_id, types, date, group=group, place=place, time=time, host=host)
    else:
        r = _record(branch, record)
    _write(
        _build("signin", branch=branch, record=r),
        root,
        _output_path(output, document_file_name("signin", record=r), directory),
        pdf,
    )


def _planned(branch, plan_id, types, date, **given):
    """The planned meeting the options name, with the checks a recorded one would have had."""
    from ..errors import ZhibuError
    from ..model.vocabulary import EXPECTS_GROUP
    from ..render import layout
    from ..write.edit import normalise_types

    item = None
    if plan_id:
        item = next((i for p in branch.plans for i in p.items if i.id == plan_id), None)
        if item is None:
            raise ZhibuError(f"一表中没有计划条目“{plan_id}”。", "用 zhibu plan show 查看条目编号。")
        if not (types or item.type):
            raise ZhibuError(f"计划条目 {plan_id} 没有写会议类型。", "用 --type 写明，如 --type 集中学习。")
    day = date or (item.date if item else None)
    if day is None:
        raise ZhibuError("没有会议日期。", "用 --date 写明，如 --date 2026-03-05。")
    chosen = normalise_types(types or (item.type,))
    if EXPECTS_GROUP & set(chosen) and not given.get("group"):
        raise ZhibuError("党小组会要写明是哪个党小组。", f"用 --group 写明，可选：{' '.join(branch.config.groups)}。")
    return layout.planned_meeting(branch, item, types=chosen, date=day, **given)


@document_command("minutes")
@click.argument("record", metavar="记录", help="会议记录：文件路径、文件名或日期。")
@output_option
@pdf_option
@directory_option
def minutes_doc(record, output, pdf, directory):
    """会议记录：应到、实到按名册计算，附决议表决结果和签字栏。

    包括会议类型、时间、地点、主持人、记录人，应到、实到人数，到会、缺席（附原因）和
    列席人员，议题、会议内容、决议及表决结果（赞成、反对、弃权），主持人和记录人签字栏。

    \b
    示例：
        zhibu doc minutes 2025-03-20
        zhibu doc minutes 2025-10-12-支部党员大会 --pdf
    """
    root, branch = _load(directory)
    r = _record(branch, record)
    _write(
        _build("minutes", branch=branch, record=r),
        root,
        _output_path(output, document_file_name("minutes", record=r), directory),
        pdf,
    )


@document_command("ledger")
@year_option
@output_option
@pdf_option
@click.option("--xlsx", is_flag=True, help="另外导出同名的 Excel 表（统计表和逐条记录）。")
@directory_option
def ledger_doc(year, output, pdf, xlsx, directory):
    """一册：全年的党支部工作记录本。

    依次为封面、目录、组织生活统计表（各类会议每月召开次数，对照标准），然后按日期
    收录每条记录（格式同会议记录）。统计表与 zhibu check 使用同一计数方法，两处的
    数字一致。--xlsx 另外导出统计表和逐条记录的 Excel 表。

    \b
    示例：
        zhibu doc ledger --year 2025
        zhibu doc ledger --year 2025 --xlsx --pdf
    """
    from ..standard.layers import build_standard

    year = _year(year)
    path = _output_path(output, document_file_name("ledger", year=year), directory)
    root, branch = _load(directory)
    if not any(r.date.year == year for r in branch.records):
        click.echo(f"注意：{year} 年没有任何记录，记录本中只有封面、目录和全为 0 的统计表。", err=True)
    rules = build_standard(branch).rules
    _write(_build("ledger", branch=branch, rules=rules, year=year), root, path, pdf)
    if xlsx:
        from ..render.xlsx import write_ledger_xlsx

        sheet = path.with_suffix(".xlsx")
        write_ledger_xlsx(branch, rules, year, sheet)
        click.echo(f"已生成 {sheet}")


@document_command("checkup")
@year_option
@click.option("--as-of", "as_of", type=DATE, help="检查日期（默认今天）。")
@output_option
@pdf_option
@directory_option
def checkup_doc(year, as_of, output, pdf, directory):
    """体检报告：评星定级（五有）、风险提示、按五有分组的问题清单和待填写的整改清单。

    与 zhibu batch report 为每个支部生成的报告相同。

    \b
    示例：
        zhibu doc checkup --year 2025 --as-of 2025-12-31
    """
    from ..committee.batch import Target, check_target
    from ..errors import ZhibuError

    as_of = as_of or dt.date.today()
    year = year if year is not None else as_of.year
    root = branch_root(directory)
    path = _output_path(output, document_file_name("checkup", year=year), directory)
    entry = check_target(Target(root, root.name, "worktree"), as_of, year, rate=True)
    if entry["status"] == "unreadable":
        raise ZhibuError(f"无法检查：{entry['reason']}")
    _write(_build("checkup", entry=entry, as_of=as_of, year=year), root, path, pdf)
