"""zhibu meeting: records of meetings and activities (一册)."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shlex
import subprocess
import tempfile
from pathlib import Path

import click

from ..model.vocabulary import RECORD_TYPES
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
@click.option(
    "--attendee", "attendees", multiple=True, metavar="姓名", help="到会人员，可重复；不写时为当日应到人员减去缺席人员。"
)
@click.option("--guest", "guests", multiple=True, metavar="姓名", help="列席人员（不核对名册），可重复。")
@click.option("--group", "group_name", help="党小组（党小组会必填）。")
@click.option("--lecturer", help="党课主讲人（党课必填）。")
@click.option("--theme", help="主题党日的主题（主题党日必填）。")
@click.option("--topic", "topics", multiple=True, metavar="议题", help="议题，可重复。")
@click.option("--content", help="会议内容、发言要点。")
@click.option(
    "--resolution", "resolutions", multiple=True, metavar="决议", help="决议内容，可重复（表决票数请用 --from 文件填写）。"
)
@click.option("--counts-as", "counts_as", multiple=True, type=click.Choice(["学习", "活动"]), help="在一表中另计为学习或活动。")
@click.option("--plan", "plan_id", metavar="条目编号", help="本记录落实的计划条目，如 2026-03-学习-1。")
@click.option("--delegated", help="书记委托他人主持的说明，如 书记出差，委托副书记李晓梅主持。")
@click.option(
    "--for-year",
    "for_year",
    type=int,
    metavar="年",
    help="所属年度：次年1至3月召开的上一年度组织生活会、民主评议党员写上一年，如 2025。",
)
@click.option("--dues-published", "dues_published", is_flag=True, default=None, help="本次会议向党员公布了党费收缴、使用情况。")
@click.option(
    "--from",
    "from_file",
    type=click.Path(exists=True, dir_okay=False),
    help="从 YAML 文件读取记录内容（格式同记录文件），命令行选项优先。",
)
@directory_option
@write_options
def add(
    types,
    date,
    time_,
    place,
    host,
    recorder,
    absent,
    attendees,
    guests,
    group_name,
    lecturer,
    theme,
    topics,
    content,
    resolutions,
    counts_as,
    plan_id,
    delegated,
    for_year,
    dues_published,
    from_file,
    directory,
    dry_run,
    no_commit,
):
    """新增一条会议或活动记录。

    应到人员按当日名册自动填写：只需写明缺席人员及原因。在终端中运行时，
    缺少必填内容的，逐项询问选项中没有给出的内容（会议类型、日期、起止时间、地点、
    主持人、记录人、缺席人员及原因、列席人员、议题、会议内容等），可选的直接回车跳过；
    每个姓名输入时即按当日名册核对，写错的当场提示并重新询问。最后显示摘要，确认后写入。
    有表决的决议请用 --from 文件登记。中途取消的，不写入任何内容。

    \b
    示例：
        zhibu meeting add --type 支部委员会 --date 2026-03-05 --place 学院党员活动室 \\
            --recorder 李晓梅 --absent 刘芳:出差 --topic 研究三月份主题党日活动方案
        zhibu meeting add --type 组织生活会 --date 2026-01-15 --for-year 2025 --place 学院会议室 \\
            --recorder 李晓梅 --topic 开展批评和自我批评
        zhibu meeting add --from 记录草稿.yaml
    """
    from ..write.edit import WriteOptions, add_record, missing_record_fields

    root = branch_root(directory)
    fields: dict = _read_from(from_file) if from_file else {}
    flags = {
        "type": list(types) or None,
        "date": date,
        "time": time_,
        "place": place,
        "host": host,
        "recorder": recorder,
        "absent": [_absence(a) for a in absent] or None,
        "attendees": list(attendees) or None,
        "guests": list(guests) or None,
        "group": group_name,
        "lecturer": lecturer,
        "theme": theme,
        "topics": list(topics) or None,
        "content": content,
        "resolutions": [{"text": r} for r in resolutions] or None,
        "counts_as": list(counts_as) or None,
        "plan": plan_id,
        "delegated": delegated,
        "for_year": for_year,
        "dues_published": dues_published,
    }
    fields.update({k: v for k, v in flags.items() if v is not None})
    if missing_record_fields(fields) and interactive():
        fields = _ask(root, fields)
        if not _confirm_summary(root, fields, dry_run=dry_run, commit=not no_commit):
            raise click.Abort()
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
    from ..format import kinds
    from ..model.findings import Source

    problems: list[str] = []
    top = Source(path, doc.lines.get((), 1), (), doc.lines)

    def collect(code, where, message, hint=None):
        if not (code == "format.missing-field" and where is top):  # a top-level key left to the options
            problems.append(f"第 {where.line} 行 {message}" if where.line else message)

    kinds.check_mapping({k: v for k, v in data.items() if v is not None}, kinds.RECORD.fields, top, collect, "")
    if problems:
        raise ZhibuError(
            f"{path} 不符合记录格式：" + "；".join(problems[:3]) + ("等。" if len(problems) > 3 else "。"),
            "参照 docs/format.md 中记录文件的示例改正后重试。",
        )
    if isinstance(data.get("absent"), list):
        data["absent"] = [a if isinstance(a, dict) else {"name": str(a)} for a in data["absent"]]
    return data


def _default_host(root: Path, fields: dict) -> str | None:
    """The 书记 on the day for 党员大会 / 支委会 and most meetings; the group leader for 党小组会."""
    from ..write.edit import normalise_types

    branch = load(root).branch
    types = normalise_types(fields["type"]) if fields.get("type") else ()
    if "党小组会" in types and fields.get("group"):
        return branch.committee.leader_on(fields["group"], fields["date"])
    return branch.secretary_on(fields["date"])


# --- the terminal session ------------------------------------------------------------
#
# Every answer is checked as it is typed and the question asked again when it is wrong, so
# one typo never costs the session. Ctrl-C or Ctrl-D makes click raise Abort, which the
# command group reports as 已取消 before anything is written.


def _ask_until(text: str, check, **prompt) -> object:
    """``click.prompt`` until ``check(answer)`` returns None (the answer is fine) rather than a
    Chinese message, which is shown before the question is asked again."""
    while True:
        answer = click.prompt(text, **prompt)
        problem = check(answer)
        if problem is None:
            return answer
        click.echo(problem)


def _ask_optional(text: str) -> str:
    return click.prompt(f"{text}（直接回车跳过）", default="", show_default=False).strip()


def _ask_lines(text: str, check=None, *, note: str = "", at_least_one: bool = False) -> list[str]:
    """One answer per line until an empty line; ``check`` refuses a line (it is asked again)."""
    lines: list[str] = []
    while True:
        end = "空行结束" if lines or not at_least_one else "至少一项"
        line = click.prompt(f"{text}{len(lines) + 1}（{note}{end}）", default="", show_default=False).strip()
        if not line:
            if lines or not at_least_one:
                return lines
            click.echo(f"{text}至少要有一项。")
            continue
        problem = check(line, lines) if check else None
        if problem is None:
            lines.append(line)
        else:
            click.echo(problem)


def _parse_types(answer: str) -> list[str]:
    """Numbers from the list or names (aliases too), ``+`` or ``、`` between combined types."""
    from ..write.edit import normalise_types

    parts = [p for p in re.split(r"[+＋、,，\s]+", answer.strip()) if p]
    named = [RECORD_TYPES[int(p) - 1] if p.isdigit() and 1 <= int(p) <= len(RECORD_TYPES) else p for p in parts]
    return list(normalise_types(named))


def _type_problem(answer: str) -> str | None:
    from ..errors import ZhibuError

    if not answer.strip():
        return "请输入会议类型的序号或名称。"
    try:
        _parse_types(answer)
    except ZhibuError as exc:
        return exc.message + (exc.hint or "")
    return None


def _on_roll(branch, types, day) -> set[str]:
    """Who may be named as host, recorder or attendee that day, as record.unknown-person counts."""
    committee = {seat.name for seat in branch.committee_on(day)}
    if set(types) == {"支部委员会"}:
        return committee
    return {m.name for m in branch.members_on(day)} | committee


def _name_problem(name: str, allowed, day) -> str | None:
    from ..write.edit import _names_suggestion

    if name in allowed:
        return None
    return f"{name} 在 {day} 不在当日名册中。{_names_suggestion(name, allowed)}"


def _ask_name(text: str, allowed, day, *, default: str | None = None) -> str:
    return _ask_until(
        text, lambda name: _name_problem(name.strip(), allowed, day), default=default or None, value_proc=lambda v: str(v).strip()
    ).strip()


def _ask(root: Path, fields: dict) -> dict:
    """Ask in the terminal for every field of a record that was not given, in the order of the
    minutes, checking each answer against the roster on the meeting's date as it is typed."""
    from ..model.branch import Record
    from ..model.vocabulary import CARRY_OVER_LAST_MONTH, YEAR_END_TYPES
    from ..write.edit import complete_record, expected_in_roster_order, normalise_types

    fields = dict(fields)
    branch = load(root).branch
    if not fields.get("type"):
        click.echo("会议类型：" + "  ".join(f"{i}.{name}" for i, name in enumerate(RECORD_TYPES, 1)))
        answer = _ask_until("会议类型（序号或名称，合并召开用 + 连接）", _type_problem)
        fields["type"] = _parse_types(answer)
    types = normalise_types(fields["type"])
    if not fields.get("date"):
        fields["date"] = click.prompt("日期（如 2026-03-05）", type=DATE, default=dt.date.today().isoformat())
    day = fields["date"]
    if "党小组会" in types and not fields.get("group"):
        groups = list(branch.config.groups)
        click.echo("党小组：" + "  ".join(groups))
        fields["group"] = _ask_until(
            "党小组",
            lambda g: None if g.strip() in groups else (f"没有“{g.strip()}”这个党小组。" + _choice_hint(g.strip(), groups)),
        ).strip()
    if not fields.get("time"):
        fields["time"] = (
            _ask_until("起止时间（如 14:30-16:00，直接回车跳过）", _time_problem, default="", show_default=False).strip() or None
        )
    if not fields.get("place"):
        fields["place"] = _ask_until("地点", lambda p: None if p.strip() else "地点不能为空。").strip()
    allowed = _on_roll(branch, types, day)
    for key in ("host", "recorder"):  # a typo in an option is asked again here, not found after the session
        if fields.get(key) and (problem := _name_problem(fields[key], allowed, day)):
            click.echo(problem)
            fields[key] = None
    default_host = _default_host(root, {**fields, "type": list(types)})
    if not fields.get("host"):
        fields["host"] = _ask_name("主持人", allowed, day, default=default_host)
    # The rules (meeting.host, meeting.group-host) ask for a 委托 note when someone else hosts.
    hosted_by_rule = set(types) & {"支部党员大会", "支部委员会", "党小组会"}
    if hosted_by_rule and default_host and fields["host"] != default_host and not fields.get("delegated"):
        role = "组长" if "党小组会" in types else "书记"
        fields["delegated"] = (
            _ask_optional(f"主持人不是当日{role}{default_host}，委托说明（如 {role}出差，委托{fields['host']}主持）") or None
        )
    if not fields.get("recorder"):
        fields["recorder"] = _ask_name("记录人", allowed, day)
    if "党课" in types and not fields.get("lecturer"):
        fields["lecturer"] = _ask_lecturer(branch, day)
    if "主题党日" in types and not fields.get("theme"):
        fields["theme"] = _ask_until("主题党日的主题", lambda t: None if t.strip() else "主题不能为空。").strip()
    expected = expected_in_roster_order(branch, Record(types=types, date=day, group=fields.get("group")))
    if expected and not fields.get("absent") and not fields.get("attendees"):
        click.echo(f"应到 {len(expected)} 人：{'、'.join(expected)}")
        fields["absent"] = _ask_absent(expected, _on_roll(branch, (), day), day)
    elif not expected and not fields.get("attendees"):
        click.echo(f"{'、'.join(types)}不按名册确定应到人员：请逐一写明到会的本支部党员。")
        fields["attendees"] = _ask_lines(
            "到会人员", lambda n, seen: "已经写过。" if n in seen else _name_problem(n, allowed, day), at_least_one=True
        )
    if not fields.get("guests"):
        fields["guests"] = _ask_lines("列席人员", note="不核对名册，") or None
    if not fields.get("topics"):
        fields["topics"] = _ask_lines("议题", at_least_one=True)
    if not fields.get("content"):
        click.echo("会议内容、发言要点：逐行输入，空行结束（以后可用 zhibu meeting edit 修改）。")
        content = _ask_lines("内容第", lambda line, seen: None)
        fields["content"] = "\n".join(content) + "\n" if len(content) > 1 else (content[0] if content else None)
    if not fields.get("plan"):
        fields["plan"] = _ask_optional("落实的计划条目编号（见 zhibu plan show）") or None
    if set(types) & YEAR_END_TYPES and day.month <= CARRY_OVER_LAST_MONTH and not fields.get("for_year"):
        fields["for_year"] = click.prompt(
            "所属年度（上一年度的写上一年）", type=click.IntRange(2000, day.year), default=day.year - 1
        )
    click.echo("决议的表决票数请用 --from 文件登记（见 zhibu meeting add --help）。")
    return complete_record(branch, {k: v for k, v in fields.items() if v is not None})


def _confirm_summary(root: Path, fields: dict, *, dry_run: bool, commit: bool) -> bool:
    """Show what will be written, with the 应到/实到 counts, and ask before writing it."""
    from ..model.branch import Record
    from ..write.edit import expected_in_roster_order, next_record_path

    branch = load(root).branch
    types = tuple(fields["type"])
    expected = expected_in_roster_order(branch, Record(types=types, date=fields["date"], group=fields.get("group")))
    attendees = fields.get("attendees") or []
    click.echo("")
    click.echo(
        f"{'、'.join(types)}  {fields['date']}" + (f" {fields['time']}" if fields.get("time") else "") + f"  {fields['place']}"
    )
    click.echo(f"主持人 {fields['host']}，记录人 {fields['recorder']}")
    absent = "、".join(f"{a['name']}（{a.get('reason', '未写原因')}）" for a in fields.get("absent") or [])
    counts = f"应到 {len(expected)} 人，实到 {len(attendees)} 人" if expected else f"到会 {len(attendees)} 人"
    click.echo(counts + (f"，缺席：{absent}" if absent else ""))
    click.echo("议题：" + "；".join(fields["topics"]))
    where = next_record_path(root, branch, fields)
    verb = "试运行，显示" if dry_run else ("写入并提交" if commit else "写入")
    return click.confirm(f"将{verb} {where}，确认？", default=True)


def _choice_hint(answer: str, choices) -> str:
    close = difflib.get_close_matches(answer, choices, n=1, cutoff=0.3)
    return (f"是否应为“{close[0]}”？" if close else "") + f"可选：{' '.join(choices)}。"


def _time_problem(answer: str) -> str | None:
    text = answer.strip()
    if not text or re.fullmatch(r"([01]?\d|2[0-3])[:：][0-5]\d(\s*[-–—~～至]\s*([01]?\d|2[0-3])[:：][0-5]\d)?", text):
        return None
    return f"“{text}”不是起止时间，请写成 14:30-16:00 的样子。"


def _ask_lecturer(branch, day) -> str:
    """The lecturer may be from outside the branch (a 上级党委 member): an unknown name is
    refused with the suggestion, and kept only when the secretary confirms it."""
    allowed = {m.name for m in branch.members_on(day)} | {s.name for s in branch.committee_on(day)}
    default = branch.secretary_on(day)
    while True:
        name = click.prompt("党课主讲人", default=default or None).strip()
        if name in allowed:
            return name
        close = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.5)
        click.echo(f"{name} 在 {day} 不在当日名册中。" + (f"是否应为“{close[0]}”？" if close else ""))
        if click.confirm(f"{name} 是本支部以外的主讲人，仍按“{name}”记录？", default=False):
            return name


def _ask_absent(expected: list[str], on_roll, day) -> list[dict]:
    """One absent person per line, ``姓名:原因`` or the name alone (the reason is asked next)."""
    absences: list[dict] = []

    def check(line, _seen):
        name = _absence(line)["name"]
        if name in {a["name"] for a in absences}:
            return f"{name} 已经写过。"
        if name not in expected:
            if name in on_roll:
                return f"{name} 不是本次应到人员，不用写缺席。"
            return _name_problem(name, expected, day)
        return None

    while True:
        n = len(absences) + 1
        line = click.prompt(f"缺席人员{n}（姓名:原因，空行结束；全部到会直接回车）", default="", show_default=False).strip()
        if not line:
            return absences
        problem = check(line, absences)
        if problem:
            click.echo(problem)
            continue
        entry = _absence(line)
        if "reason" not in entry:
            entry["reason"] = _ask_until(
                f"{entry['name']} 的缺席原因", lambda r: None if r.strip() else "请写明缺席原因。"
            ).strip()
        absences.append(entry)


@meeting.command("list")
@click.option("--year", type=int, help="只列出该年的记录。")
@click.option("--type", "record_type", metavar="类型", help="只列出该类型的记录。")
@directory_option
def list_meetings(year, record_type, directory):
    """列出会议与活动记录，附应到、实到人数。"""
    from ..write.edit import normalise_types

    branch = load(branch_root(directory)).branch
    wanted = normalise_types(record_type)[0] if record_type else None
    rows = []
    for r in branch.records:
        if (year and r.date.year != year) or (wanted and wanted not in r.types):
            continue
        expected = branch.expected_at(r)
        present = sum(1 for n in set(r.attendees) if n in expected) if expected else len(r.attendees)
        rows.append(
            [
                r.date,
                r.type_label + (f"（{r.group}）" if r.group else ""),
                r.place or "",
                r.host or "",
                len(expected) if expected else "—",
                present,
                r.source.path,
            ]
        )
    print_table(rows, ["日期", "类型", "地点", "主持人", "应到", "实到", "文件"])
    click.echo(f"\n共 {len(rows)} 条记录。")


@meeting.command("show")
@click.argument("record", metavar="记录", help="文件路径、文件名或日期（当天只有一条记录时）。")
@directory_option
def show(record, directory):
    """查看一条记录（可写文件路径、文件名或日期）。"""
    from ..write.edit import find_record

    branch = load(branch_root(directory)).branch
    r = find_record(branch, record)
    expected = branch.expected_at(r)
    lines = [
        ("文件", r.source.path),
        ("类型", r.type_label),
        ("日期", f"{r.date}" + (f" {r.time}" if r.time else "")),
        ("地点", r.place),
        ("主持人", r.host),
        ("记录人", r.recorder),
        ("党小组", r.group),
        ("主讲人", r.lecturer),
        ("主题", r.theme),
        ("应到", f"{len(expected)} 人" if expected else "不核对"),
        ("实到", f"{len(r.attendees)} 人：{'、'.join(r.attendees)}"),
        ("缺席", "；".join(f"{a.name}（{a.reason or '未写原因'}）" for a in r.absent)),
        ("列席", "、".join(r.guests)),
        ("委托主持", r.delegated),
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
    from ..errors import InvalidChange, ZhibuError
    from ..write.edit import WriteOptions, find_record, replace_record

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
