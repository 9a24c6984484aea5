"""zhibu member: the roster (党员名册)."""

from __future__ import annotations

import datetime as dt

import click

from .base import DATE, branch_root, directory_option, group, load, print_table, report_outcome, write_options

STATUS = click.Choice(["正式党员", "预备党员"])
GENDER = click.Choice(["男", "女"])


@group("member", "党员名册：登记、查看、修改、转出。")
def member():
    pass


@member.command("add")
@click.argument("name", metavar="姓名", help="新党员的姓名（名册内唯一）。")
@click.option("--status", type=STATUS, required=True, help="党员身份。")
@click.option("--admitted", type=DATE, required=True, help="入党时间（接收为预备党员的日期）。")
@click.option("--full-since", type=DATE, help="转正日期（正式党员必填）。")
@click.option("--joined", type=DATE, help="转入本支部日期，默认今天。")
@click.option("--gender", type=GENDER, help="性别。")
@click.option("--group", "group_name", help="所在党小组。")
@click.option("--tag", "tags", multiple=True, help="标签，可重复：领导干部 流动党员 退休 出国境 困难党员。")
@click.option(
    "--dues-paid-to",
    "dues_paid_to",
    metavar="年-月",
    help="转入时介绍信注明的“党费已交到”的月份，如 2025-02；不写时从转入的次月起交。",
)
@directory_option
@write_options
def add(name, status, admitted, full_since, joined, gender, group_name, tags, dues_paid_to, directory, dry_run, no_commit):
    """登记一名党员。

    \b
    示例：
        zhibu member add 孙悦 --status 预备党员 --admitted 2025-10-12 --joined 2025-10-12 --group 第二党小组
        zhibu member add 林静 --status 正式党员 --admitted 2014-06-20 --full-since 2015-06-20 \\
            --joined 2025-03-10 --dues-paid-to 2025-02 --group 第二党小组
    """
    from ..write.edit import WriteOptions, add_member

    entry = {
        "name": name,
        "gender": gender,
        "status": status,
        "admitted": admitted,
        "full_since": full_since,
        "joined": joined or dt.date.today(),
        "group": group_name,
        "tags": list(tags),
        "dues_paid_to": dues_paid_to,
    }
    outcome = add_member(branch_root(directory), entry, WriteOptions(commit=not no_commit, dry_run=dry_run))
    report_outcome(outcome, dry_run=dry_run)


@member.command("list")
@click.option("--on", "on_date", type=DATE, help="列出该日在册的党员（默认今天）。")
@click.option("--all", "show_all", is_flag=True, help="包括已离开本支部的党员。")
@directory_option
def list_members(on_date, show_all, directory):
    """列出党员名册。"""
    loaded = load(branch_root(directory))
    branch = loaded.branch
    day = on_date or dt.date.today()
    members = branch.members if show_all else branch.members_on(day)
    rows = []
    for m in members:
        state = m.status
        if m.left and m.left.date <= day:
            state += f"（{m.left.date} 离开）"
        elif m.joined > day:
            state += f"（{m.joined} 转入）"
        if m.discipline and m.discipline.active_on(day):
            state += f"（{m.discipline.kind}）"
        rows.append([m.name, m.gender or "", state, m.group or "", m.admitted or "", m.joined, "、".join(m.tags)])
    print_table(rows, ["姓名", "性别", "身份", "党小组", "入党时间", "入册", "标签"])
    click.echo(f"\n{day} 在册 {len(branch.members_on(day))} 人，其中有表决权 {len(branch.voters_on(day))} 人。")


@member.command("edit")
@click.argument("name", metavar="姓名", help="名册中的姓名。")
@click.option("--status", type=STATUS, help="党员身份（转正时改为 正式党员，并写 --full-since）。")
@click.option("--full-since", type=DATE, help="转正日期。")
@click.option("--admitted", type=DATE, help="入党时间。")
@click.option("--joined", type=DATE, help="转入本支部日期。")
@click.option("--gender", type=GENDER, help="性别。")
@click.option("--group", "group_name", help="所在党小组。")
@click.option("--rename", help="更正姓名写法。")
@directory_option
@write_options
def edit(name, status, full_since, admitted, joined, gender, group_name, rename, directory, dry_run, no_commit):
    """修改一名党员的信息（只改给出的字段，保留文件中的注释和格式）。

    \b
    示例（预备党员转正）：
        zhibu member edit 孙悦 --status 正式党员 --full-since 2026-10-12
    """
    from ..write.edit import WriteOptions, edit_member

    updates = {
        key: value
        for key, value in (
            ("name", rename),
            ("status", status),
            ("full_since", full_since),
            ("admitted", admitted),
            ("joined", joined),
            ("gender", gender),
            ("group", group_name),
        )
        if value is not None
    }
    outcome = edit_member(branch_root(directory), name, updates, WriteOptions(commit=not no_commit, dry_run=dry_run))
    report_outcome(outcome, dry_run=dry_run)


@member.command("leave")
@click.argument("name", metavar="姓名", help="离开本支部的党员。")
@click.option("--date", "date", type=DATE, required=True, help="离开本支部的日期（当日起不再计入）。")
@click.option("--reason", help="原因，如 组织关系转出至某某党委。")
@directory_option
@write_options
def leave(name, date, reason, directory, dry_run, no_commit):
    """登记党员离开本支部（组织关系转出等）。名册保留其历史。"""
    from ..write.edit import WriteOptions, member_leave

    outcome = member_leave(branch_root(directory), name, date, reason, WriteOptions(commit=not no_commit, dry_run=dry_run))
    report_outcome(outcome, dry_run=dry_run)


@member.command("import")
@click.argument(
    "file", type=click.Path(dir_okay=False), metavar="文件", help="党员信息系统导出的 .xlsx 或 .csv（GBK 或 UTF-8）。"
)
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False),
    metavar="对照表",
    help="列名与字段、表中写法与名册取值的对照表（YAML），补充或覆盖内置的对照。",
)
@click.option("--joined", type=DATE, help="表中没有转入本支部时间时，新增党员的转入日期（已有党员不受影响）。")
@click.option("--group", "group_name", metavar="党小组", help="表中没有党小组时，新增党员所在的党小组（已有党员不受影响）。")
@click.option("-y", "--yes", is_flag=True, help="不询问，直接写入并提交。")
@directory_option
@write_options
def import_members(file, mapping, joined, group_name, yes, directory, dry_run, no_commit):
    """从党员信息系统导出的表格（.xlsx 或 .csv）导入党员名册。

    按姓名对应：表中新出现的党员加入名册，已有党员只更新表中有、且有变化的字段，
    表中没有的字段一律不动；名册中有而表中没有的党员不会删除（离开本支部的请用
    zhibu member leave 登记）。先列出将要新增、修改的内容，确认后写入 members.yaml
    （保留注释）并提交一次。表中的问题一次全部列出，有问题时什么也不写入。

    内置识别的列：姓名、性别、人员类别（党员身份、政治面貌、党籍状态、预/正）、
    入党时间（入党日期、加入党组织日期）、转正时间、所在党小组、转入时间（入册时间）等；
    列名中括号里的提示（如“入党时间(2019/10/24)”）、空格不影响识别；两行的表头
    （“入党情况”下分“入党日期”“转正日期”）、表格上方的标题行、序号列、末尾的
    合计行都能处理。日期可以是 2001-06-18、2001/6/18、2001年6月18日 或 Excel 的日期，CSV 文件
    可以是 UTF-8 或 GBK 编码。身份证号、手机号、联系电话、家庭住址等个人信息列
    一律忽略，不读取、不保存、不显示。

    表中没有转入本支部时间、党小组的，用 --joined、--group 给新增的党员统一指定。
    列名或写法不同时，用 --mapping 指定对照表（YAML）：columns 下每行“列名: 字段”，
    字段为 name gender status admitted full_since joined group 或 ignore（不导入该列），values 下
    按字段写“表中的写法: 名册中的值”（或 ignore 当作空白、skip 跳过该行）。
    空白的导入模板用 zhibu member template 生成。详见 docs/editors.md。

    \b
    示例：
        zhibu member import 党员信息.xlsx --dry-run
        zhibu member import 党员信息.xlsx --joined 2026-07-01 --group 第一党小组
        zhibu member import 党员名册.csv --mapping 对照表.yaml
    """
    from pathlib import Path

    from ..write.roster_import import LABELS, Defaults, apply_import, preview_rows, read_mapping, read_members
    from .base import interactive

    path = Path(file)
    root = branch_root(directory)
    imported = read_members(path, read_mapping(Path(mapping)) if mapping else None)
    defaults = Defaults(joined=joined, group=group_name)
    columns = imported.columns
    click.echo(f"读取 {path.name}（{imported.described}）：{len(imported.members)} 名党员。")
    used = "、".join(f"{columns.headers[i]}→{LABELS[f]}" for i, f in sorted(columns.fields.items()))
    click.echo(f"对应的列：{used}")
    if columns.personal:
        click.echo(f"已忽略的个人信息列（名册不保存，未读取其内容）：{'、'.join(columns.personal)}")
    if columns.other:
        click.echo(f"已忽略的其他列（名册格式中没有对应字段）：{'、'.join(columns.other)}")
    for loser, winner in columns.duplicates:
        click.echo(f"“{loser}”与“{winner}”对应同一字段，读取“{winner}”，未读取“{loser}”（可用 --mapping 改）。")
    if imported.skipped:
        click.echo("跳过的行：" + "、".join(f"第 {number} 行（{why}）" for number, why in imported.skipped))
    today = dt.date.today()
    # A dry run first: it validates the result against the format before anything is shown as final.
    outcome, plan = apply_import(root, imported, path.name, today=today, commit=False, dry_run=True, defaults=defaults)
    if plan.missing:
        click.echo(f"名册中有、表中没有（未删除）：{'、'.join(plan.missing)}")
    if outcome is None:
        click.echo(f"名册与表格一致（{plan.unchanged} 人），没有需要写入的改动。")
        return
    click.echo("")
    print_table(preview_rows(plan), ["操作", "姓名", "字段", "原值", "新值"])
    click.echo(f"\n新增 {len(plan.added)} 人，修改 {len(plan.changed)} 人，未变 {plan.unchanged} 人。")
    for finding in outcome.warnings:
        click.echo(f"注意：{finding.path}:{finding.line or ''} {finding.message}", err=True)
    if dry_run:
        click.echo("（试运行，未写入任何文件）")
        return
    if not yes and interactive() and not click.confirm("写入 members.yaml 并提交？", default=True):
        click.echo("已取消，没有写入。")
        return
    outcome, _plan = apply_import(root, imported, path.name, today=today, commit=not no_commit, dry_run=False, defaults=defaults)
    if outcome is None:
        click.echo("名册已与表格一致，没有写入。")
        return
    for note in outcome.notes:
        click.echo(f"注意：{note}", err=True)
    click.echo(outcome.change.summary)
    if outcome.committed:
        click.echo(f"已提交 {outcome.committed[:8]}：{outcome.change.message}")
    elif outcome.written:
        click.echo("未提交到 git（--no-commit 或不在 git 仓库中）。")


@member.command("template")
@click.option(
    "-o", "--output", metavar="文件", default=None, help="输出的 .xlsx 或 .csv 文件（默认在当前目录写 名册导入模板.xlsx）。"
)
@click.option("--csv", "as_csv", is_flag=True, help="写 CSV（UTF-8 带 BOM，Excel 可直接打开），只有表头和示例行。")
@directory_option
def template(output, as_csv, directory):
    """生成空白的名册导入模板，填好后用 zhibu member import 导入。

    模板的列就是 zhibu member import 读取的列：姓名、性别、党员身份、入党时间、
    转正时间、转入本支部时间、党小组；第 2 行是示例（姓名以“（示例）”开头，导入时
    跳过）。Excel 模板中性别、党员身份、党小组有下拉列表，另有“填写说明”工作表
    逐列说明填写要求。在支部目录中运行（或用 -C 指定）时，党小组的下拉列表取自
    zhibu.yaml；CSV 模板（--csv，或 -o 的文件名以 .csv 结尾）只有表头和示例行。

    \b
    示例：
        zhibu member template -o 名册导入模板.xlsx
        zhibu member template --csv
        zhibu member import 名册导入模板.xlsx --dry-run
    """
    from pathlib import Path

    from ..errors import ZhibuError
    from ..render.xlsx import write_import_template_csv, write_import_template_xlsx
    from ..write.roster_import import TEMPLATE_NOTES, template_columns

    path = Path(output) if output else Path.cwd() / ("名册导入模板.csv" if as_csv else "名册导入模板.xlsx")
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ZhibuError(
            f"输出文件 {path} 不是 .xlsx 或 .csv 文件。", f"用 -o 指定以 .xlsx 或 .csv 结尾的文件名，如 -o {path.stem}.xlsx。"
        )
    if as_csv and suffix != ".csv":
        raise ZhibuError(f"--csv 写 CSV 文件，但 {path.name} 不以 .csv 结尾。", f"去掉 --csv，或用 -o {path.stem}.csv。")
    if path.is_dir():
        raise ZhibuError(f"{path} 是一个文件夹。", "用 -o 指定要写入的文件名。")
    groups: tuple[str, ...] = ()
    try:
        root = branch_root(directory)
    except ZhibuError:
        if directory:
            raise
        root = None  # outside a branch: a template without the branch's groups
    if root is not None:
        groups = tuple(load(root).branch.config.groups)
    columns = template_columns(groups)
    if suffix == ".csv":
        write_import_template_csv(columns, path)
    else:
        write_import_template_xlsx(columns, TEMPLATE_NOTES, path)
    click.echo(f"已写入 {path}。")
    if groups:
        click.echo(f"党小组的下拉列表：{'、'.join(groups)}（取自 {root / 'zhibu.yaml'}）。")
    click.echo(f"填好后导入：zhibu member import {path.name} --dry-run")
