"""zhibu meeting: records of meetings and activities (一册)."""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

import click

from ..model.vocabulary import RECORD_TYPES, TYPE_ALIASES
from .base import DATE, branch_root, directory_option, group, interactive, load, print_table, report_outcome, write_options


@group("meeting", "会议与活动记录（一册）：新增、列表、查看、修改。")
def meeting():
    pass


def _absence(value: str) -> dict:
    name, _sep, reason = (re.split(r"([:：])", value, maxsplit=1) + ["", ""])[:3]
    entry = {"name": name.strip()}
    if reason.strip():
        entry["reason"] = reason.strip()
    return entry


@meeting.command("add")
@click.option("--type", "types", multiple=True, metavar="类型", help=f"会议类型，合并召开时可重复：{' '.join(RECORD_TYPES)}。")
@click.option("--date", "date", type=DATE, help="日期。")
@click.option("--time", "time_", metavar="起止", help="起止时间，如 14:30-16:00。")
@click.option("--place", help="地点。")
@click.option("--host", help="主持人（默认当日书记）。")
@click.option("--recorder", help="记录人。")
@click.option("--absent", "absent", multiple=True, metavar="姓名:原因", help="缺席人员及原因，可重复，如 --absent 刘芳:出差。")
@click.option("--attendee", "attendees", multiple=True, metavar="姓名", help="到会人员，可重复；不写时为当日应到人员减去缺席人员。")
@click.option("--guest", "guests", multiple=True, metavar="姓名", help="列席人员（不核对名册），可重复。")
@click.option("--group", "group_name", help="党小组（党小组会必填）。")
@click.option("--lecturer", help="党课主讲人（党课必填）。")
@click.option("--theme", help="主题党日的主题（主题党日必填）。")
@click.option("--topic", "topics", multiple=True, metavar="议题", help="议题，可重复。")
@click.option("--content", help="会议内容、发言要点。")
@click.option("--resolution", "resolutions", multiple=True, metavar="决议", help="决议内容，可重复（表决票数请用 --from 文件填写）。")
@click.option("--counts-as", "counts_as", multiple=True, type=click.Choice(["学习", "活动"]), help="在一表中另计为学习或活动。")
@click.option("--plan", "plan_id", metavar="条目编号", help="本记录落实的计划条目，如 2026-03-学习-1。")
@click.option("--delegated", help="书记委托他人主持的说明，如 书记出差，委托副书记李晓梅主持。")
@click.option("--for-year", "for_year", type=int, metavar="年", help="所属年度：次年1至3月召开的上一年度组织生活会、民主评议党员写上一年，如 2025。")
@click.option("--dues-published", "dues_published", is_flag=True, default=None, help="本次会议向党员公布了党费收缴、使用情况。")
@click.option("--from", "from_file", type=click.Path(exists=True, dir_okay=False), help="从 YAML 文件读取记录内容（格式同记录文件），命令行选项优先。")
@directory_option
@write_options
def add(types, date, time_, place, host, recorder, absent, attendees, guests, group_name, lecturer, theme, topics,
        content, resolutions, counts_as, plan_id, delegated, for_year, dues_published, from_file, directory, dry_run, no_commit):
    """新增一条会议或活动记录。

    应到人员按当日名册自动填写：只需写明缺席人员及原因。在终端中运行时，
    缺少的必填内容会逐项询问。

    \b
    示例：
        zhibu meeting add --type 支部委员会 --date 2026-03-05 --place 学院党员活动室 \\
            --recorder 李晓梅 --absent 刘芳:出差 --topic 研究三月份主题党日活动方案
        zhibu meeting add --type 组织生活会 --date 2026-01-15 --for-year 2025 --place 学院会议室 \\
            --recorder 李晓梅 --topic 开展批评和自我批评
        zhibu meeting add --from 记录草稿.yaml
    """
    from ..edit import WriteOptions, add_record, missing_record_fields

    root = branch_root(directory)
    fields: dict = _read_from(from_file) if from_file else {}
    flags = {
        "type": list(types) or None, "date": date, "time": time_, "place": place, "host": host,
        "recorder": recorder, "absent": [_absence(a) for a in absent] or None, "attendees": list(attendees) or None,
        "guests": list(guests) or None, "group": group_name, "lecturer": lecturer, "theme": theme,
        "topics": list(topics) or None, "content": content,
        "resolutions": [{"text": r} for r in resolutions] or None, "counts_as": list(counts_as) or None,
        "plan": plan_id, "delegated": delegated, "for_year": for_year, "dues_published": dues_published,
    }
    fields.update({k: v for k, v in flags.items() if v is not None})
    if missing_record_fields(fields) and interactive():
        fields = _ask(root, fields)
    elif fields.get("date") and fields.get("type") and not fields.get("host"):
        fields["host"] = _default_host(root, fields)
    outcome = add_record(root, fields, WriteOptions(commit=not no_commit, dry_run=dry_run))
    report_outcome(outcome, dry_run=dry_run)


def _read_from(path: str) -> dict:
    from ..errors import ZhibuError
    from ..store.yamlio import YamlProblem, parse

    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ZhibuError(f"{path} 不是 UTF-8 编码。", "另存为 UTF-8 后重试。") from None
    try:
        doc = parse(text)
    except YamlProblem as problem:
        raise ZhibuError(f"{path} 第 {problem.line} 行：{problem.message}") from None
    data = doc.data
    if not isinstance(data, dict):
        raise ZhibuError(f"{path} 应为记录格式的“键: 值”映射。")
    # Check the shape here, against this file's own lines: a draft may leave out what the
    # options fill in, but a wrong value must not reach the record builder.
    from .. import schema
    from ..model.findings import Source

    problems: list[str] = []
    top = Source(path, doc.lines.get((), 1), (), doc.lines)

    def collect(code, where, message, hint=None):
        if not (code == "format.missing-field" and where is top):  # a top-level key left to the options
            problems.append(f"第 {where.line} 行 {message}" if where.line else message)

    schema.check_mapping({k: v for k, v in data.items() if v is not None}, schema.RECORD.fields, top, collect, "")
    if problems:
        raise ZhibuError(f"{path} 不符合记录格式：" + "；".join(problems[:3]) + ("等。" if len(problems) > 3 else "。"), "参照 docs/format.md 中记录文件的示例改正后重试。")
    if isinstance(data.get("absent"), list):
        data["absent"] = [a if isinstance(a, dict) else {"name": str(a)} for a in data["absent"]]
    return data


def _default_host(root: Path, fields: dict) -> str | None:
    """The 书记 on the day for 党员大会 / 支委会 and most meetings; the group leader for 党小组会."""
    from ..edit import normalise_types

    branch = load(root).branch
    types = normalise_types(fields["type"]) if fields.get("type") else ()
    if "党小组会" in types and fields.get("group"):
        return branch.committee.leader_on(fields["group"], fields["date"])
    return branch.secretary_on(fields["date"])


def _ask(root: Path, fields: dict) -> dict:
    """Ask in the terminal for what is still missing, showing who is expected."""
    from ..edit import complete_record, expected_in_roster_order, normalise_types
    from ..model.branch import Record

    fields = dict(fields)
    if not fields.get("type"):
        choices = click.Choice(list(RECORD_TYPES) + list(TYPE_ALIASES))
        fields["type"] = [click.prompt("会议类型", type=choices)]
    types = normalise_types(fields["type"])
    if not fields.get("date"):
        fields["date"] = click.prompt("日期（如 2026-03-05）", type=DATE, default=dt.date.today().isoformat())
    branch = load(root).branch
    if "党小组会" in types and not fields.get("group"):
        fields["group"] = click.prompt("党小组", type=click.Choice(list(branch.config.groups)))
    if "党课" in types and not fields.get("lecturer"):
        fields["lecturer"] = click.prompt("党课主讲人", default=branch.secretary_on(fields["date"]) or None)
    if "主题党日" in types and not fields.get("theme"):
        fields["theme"] = click.prompt("主题")
    if not fields.get("place"):
        fields["place"] = click.prompt("地点")
    if not fields.get("host"):
        fields["host"] = click.prompt("主持人", default=_default_host(root, fields) or None)
    if not fields.get("recorder"):
        fields["recorder"] = click.prompt("记录人")
    if not fields.get("topics"):
        topics = []
        while True:
            topic = click.prompt(f"议题{len(topics) + 1}（直接回车结束）", default="", show_default=False)
            if not topic:
                if topics:
                    break
                continue
            topics.append(topic)
        fields["topics"] = topics
    if not fields.get("absent") and not fields.get("attendees"):
        probe = Record(types=types, date=fields["date"], group=fields.get("group"))
        expected = expected_in_roster_order(branch, probe)
        if expected:
            click.echo(f"应到 {len(expected)} 人：{'、'.join(expected)}")
            answer = click.prompt("缺席人员及原因（如 刘芳:出差，多人用逗号分隔；全部到会直接回车）", default="", show_default=False)
            absences = [_absence(part) for part in re.split(r"[,，、]\s*", answer) if part.strip()]
            for a in absences:
                if "reason" not in a:
                    a["reason"] = click.prompt(f"{a['name']} 的缺席原因")
            fields["absent"] = absences
    return complete_record(branch, fields)


@meeting.command("list")
@click.option("--year", type=int, help="只列出该年的记录。")
@click.option("--type", "record_type", metavar="类型", help="只列出该类型的记录。")
@directory_option
def list_meetings(year, record_type, directory):
    """列出会议与活动记录，附应到、实到人数。"""
    from ..edit import normalise_types

    branch = load(branch_root(directory)).branch
    wanted = normalise_types(record_type)[0] if record_type else None
    rows = []
    for r in branch.records:
        if (year and r.date.year != year) or (wanted and wanted not in r.types):
            continue
        expected = branch.expected_at(r)
        present = sum(1 for n in set(r.attendees) if n in expected) if expected else len(r.attendees)
        rows.append([r.date, r.type_label + (f"（{r.group}）" if r.group else ""), r.place or "", r.host or "",
                     len(expected) if expected else "—", present, r.source.path])
    print_table(rows, ["日期", "类型", "地点", "主持人", "应到", "实到", "文件"])
    click.echo(f"\n共 {len(rows)} 条记录。")


@meeting.command("show")
@click.argument("record", metavar="记录", help="文件路径、文件名或日期（当天只有一条记录时）。")
@directory_option
def show(record, directory):
    """查看一条记录（可写文件路径、文件名或日期）。"""
    from ..edit import find_record

    branch = load(branch_root(directory)).branch
    r = find_record(branch, record)
    expected = branch.expected_at(r)
    lines = [
        ("文件", r.source.path), ("类型", r.type_label), ("日期", f"{r.date}" + (f" {r.time}" if r.time else "")),
        ("地点", r.place), ("主持人", r.host), ("记录人", r.recorder), ("党小组", r.group),
        ("主讲人", r.lecturer), ("主题", r.theme),
        ("应到", f"{len(expected)} 人" if expected else "不核对"), ("实到", f"{len(r.attendees)} 人：{'、'.join(r.attendees)}"),
        ("缺席", "；".join(f"{a.name}（{a.reason or '未写原因'}）" for a in r.absent)),
        ("列席", "、".join(r.guests)), ("委托主持", r.delegated),
    ]
    for label, value in lines:
        if value:
            click.echo(f"{label}：{value}")
    click.echo("议题：")
    for i, topic in enumerate(r.topics, 1):
        click.echo(f"  {i}. {topic}")
    if r.content:
        click.echo("内容：")
        for line in r.content.rstrip().splitlines():
            click.echo(f"  {line}")
    if r.resolutions:
        click.echo("决议：")
        for res in r.resolutions:
            votes = f"（赞成 {res.votes.for_}，反对 {res.votes.against}，弃权 {res.votes.abstain}）" if res.votes else ""
            state = "" if res.adopted else "［未通过］"
            click.echo(f"  - {res.text}{votes}{state}")


@meeting.command("edit")
@click.argument("record", metavar="记录", help="要修改的记录：文件路径、文件名或日期。")
@click.option("--reason", metavar="原因", help="补正原因，写入提交说明（“补正原因：…”）；修改已关账月份的记录时应写明。")
@directory_option
@write_options
def edit(record, reason, directory, dry_run, no_commit):
    """用编辑器（$EDITOR）修改一条记录；保存后校验，通过后提交。

    记录可写文件路径、文件名或日期。修改已关账（zhibu close）月份的记录，要用 --reason
    写明补正原因：它写进提交说明，检查时列为“说明”，不再报告 audit.edited-after-close。

    \b
    示例：
        zhibu meeting edit 2026-03-05
        zhibu meeting edit 2026-03-05 --reason 据签到表，刘芳实际出差未到会
    """
    from ..edit import WriteOptions, find_record, replace_record
    from ..errors import InvalidChange, ZhibuError

    root = branch_root(directory)
    branch = load(root).branch
    rel = find_record(branch, record).source.path
    text = (root / rel).read_text(encoding="utf-8")
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="zhibu-") as tmp:
        draft = Path(tmp) / Path(rel).name
        draft.write_text(text, encoding="utf-8")
        while True:
            try:
                subprocess.run([*shlex.split(editor), str(draft)], check=True)
            except (OSError, subprocess.CalledProcessError) as exc:
                raise ZhibuError(f"无法运行编辑器 {editor}：{exc}", "设置环境变量 EDITOR，如 export EDITOR=nano。") from None
            new_text = draft.read_text(encoding="utf-8")
            try:
                outcome = replace_record(root, rel, new_text, WriteOptions(commit=not no_commit, dry_run=dry_run), reason=reason)
                break
            except InvalidChange as exc:
                if not interactive() or not click.confirm(_describe_invalid(exc) + "\n重新编辑？", default=True):
                    raise
    report_outcome(outcome, dry_run=dry_run)


def _describe_invalid(exc) -> str:
    lines = [exc.message]
    for f in exc.findings:
        lines.append(f"  第 {f.line} 行: {f.message}" if f.line else f"  {f.message}")
    return "\n".join(lines)
