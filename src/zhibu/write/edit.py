"""Operations that change a branch: each builds a :class:`~zhibu.write.change.Change` for
:func:`zhibu.write.change.apply` to validate, write and commit.

Edits of existing files go through ruamel's round-trip loader, so a
secretary's comments, quoting and key order survive; new files are written
in the canonical layout of format.md.
"""

from __future__ import annotations

import datetime as dt
import difflib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .. import faults
from ..errors import InvalidChange, ZhibuError
from ..format import kinds
from ..format.json_schema import SCHEMA_DIR, branch_schema_files, with_modeline
from ..format.load import Loaded
from ..model.branch import Branch, Record
from ..model.findings import Finding
from ..model.vocabulary import (
    CATEGORIES,
    CHANGE_ACTIONS,
    RECORD_TYPES,
    REQUIRED_BY_TYPE,
    ROLES,
    STATUSES,
    canonical_type,
)
from ..rules.records import record_findings
from ..store import files, gitrepo, yamlio
from .change import Change, Outcome, apply

RECORD_KEY_ORDER = tuple(f.name for f in kinds.RECORD.fields)  # the canonical order of format.md
_FLOW_LISTS = {"attendees", "guests", "counts_as", "attachments", "tags", "groups", "between"}


@dataclass
class WriteOptions:
    commit: bool = True
    dry_run: bool = False


def _read_text(loaded: Loaded, rel: str) -> str | None:
    path = loaded.root / rel
    if not path.is_file():
        return None
    try:
        return files.WorkTree(loaded.root).read(rel).decode("utf-8-sig")
    except files.Refused as exc:
        raise ZhibuError(f"{rel}：{exc}") from None
    except UnicodeDecodeError:
        raise ZhibuError(
            f"{rel} 不是 UTF-8 编码，无法修改。",
            f"用编辑器“另存为”UTF-8 编码，或运行：iconv -f GB18030 -t UTF-8 {rel} -o {rel}.new && mv {rel}.new {rel}",
        ) from None


_UNREADABLE = ("format.yaml-syntax", "format.encoding", "format.unsafe-file")


def _require_readable(loaded: Loaded, *rels: str) -> None:
    """Refuse to build a change on a file the loader could not read: its entries would look
    missing ("名册中没有 …") and the real problem would go unmentioned."""
    for finding in loaded.findings:
        if finding.path in rels and finding.code in _UNREADABLE:
            where = f"{finding.path} 第 {finding.line} 行" if finding.line else finding.path
            _reject(f"{where}：{finding.message}", finding.hint or "先修正这个文件，再运行命令。")


def _edit_file(loaded: Loaded, rel: str, empty: Callable[[], Any], mutate: Callable[[Any], None]) -> str:
    """Round-trip ``rel``: load (or start from ``empty()``), apply ``mutate``, dump."""
    text = _read_text(loaded, rel)
    if text is None or not text.strip():
        doc = empty()
    else:
        try:
            doc = yamlio.load_roundtrip(text)
        except yamlio.YamlProblem as problem:
            raise ZhibuError(f"{rel} 第 {problem.line} 行：{problem.message}", "先修正这个文件，再运行命令。") from None
    mutate(doc)
    return yamlio.dump_roundtrip(doc)


def _yaml_value(key: str, value: Any) -> Any:
    """Python values as the canonical layout writes them."""
    if isinstance(value, (list, tuple)):
        items = [_yaml_value(key, v) for v in value]
        return yamlio.new_seq(items, flow=key in _FLOW_LISTS)
    if isinstance(value, dict):
        return yamlio.new_map({k: _yaml_value(k, v) for k, v in value.items()}, flow=True)
    if key == "time" and isinstance(value, str):
        return yamlio.quoted(value)
    if key == "content" and isinstance(value, str) and "\n" in value.strip():
        return yamlio.literal(value)
    return value


def _names_suggestion(name: str, names) -> str:
    close = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.5)
    return f"是否应为“{close[0]}”？" if close else "先用 zhibu member add 登记。"


def _reject(message: str, hint: str | None = None):
    raise ZhibuError(message, hint)


# --- init ------------------------------------------------------------------------


def init_branch(
    target: Path,
    *,
    name: str,
    parent: str,
    category: str,
    short_name: str | None = None,
    groups: tuple[str, ...] = (),
    founded: dt.date | None = None,
    commit: bool = True,
) -> str | None:
    """Create a new branch repository at ``target``: zhibu.yaml, an empty roster and committee, a first commit."""
    if category not in CATEGORIES:
        _reject(f"单位类别“{category}”不在规定范围内。", f"可选：{' '.join(CATEGORIES)}。")
    target.mkdir(parents=True, exist_ok=True)
    config = {"format": 1, "name": name}
    if short_name:
        config["short_name"] = short_name
    config["parent"] = parent
    config["category"] = category
    if founded:
        config["founded"] = founded
    config["groups"] = list(groups)
    contents = {
        "zhibu.yaml": _dump_new(config, "支部基本信息（zhibu 格式第1版，见 docs/format.md）"),
        "members.yaml": "# 党员名册：用 zhibu member add 登记，也可直接编辑\nmembers: []\n",
        "committee.yaml": "# 支部委员会：用 zhibu committee elect 登记选举结果\nterms: []\n",
    }
    # Editors complete keys and flag mistakes from the JSON Schemas the modelines point at.
    data = {rel: with_modeline(rel, text).encode("utf-8") for rel, text in contents.items()}
    data.update(branch_schema_files())
    gitignore = files.GITIGNORE.encode("utf-8")
    # A .gitignore of the branch's own stays as it is; one left by an init killed before its commit
    # is part of that init, finished now.
    if not (target / ".gitignore").exists() or (
        (target / files.MARKER).exists() and (target / ".gitignore").read_bytes() == gitignore
    ):
        data[".gitignore"] = gitignore
    if (target / files.MARKER).exists() and not _unfinished_init(target, data):
        _reject(f"{target} 已经是支部仓库（已有 zhibu.yaml）。")
    for rel, raw in data.items():
        files.write_atomic(target, rel, raw)
    faults.pause("written")
    if not commit:
        return None
    created_repo = not gitrepo.is_repo(target)
    try:
        if created_repo:
            gitrepo.init(target)
        return gitrepo.commit(target, sorted(data), f"新建支部 {name}")
    except BaseException:
        # Leave the folder as it was, so that init can simply be run again once git is fixed.
        for rel in data:
            files.remove_file(target, rel)
        _remove_empty_dirs(target, SCHEMA_DIR)
        if created_repo:
            shutil.rmtree(target / ".git", ignore_errors=True)
        raise


def _unfinished_init(target: Path, data: dict[str, bytes]) -> bool:
    """Whether ``target`` holds exactly what this same ``init`` writes, not yet committed:
    the files of a run that was killed before its commit, which a retry may simply finish."""
    for rel, raw in data.items():
        path = target / rel
        if not path.is_file() or path.is_symlink() or path.read_bytes() != raw:
            return False
    if not gitrepo.is_repo(target):
        return True
    return gitrepo.committed_contents(target, [files.MARKER])[files.MARKER] is None


def _remove_empty_dirs(root: Path, rel: str) -> None:
    """Remove ``rel`` and its parents below ``root`` while they are empty."""
    path = root / rel
    while path != root and path.is_dir() and not any(path.iterdir()):
        path.rmdir()
        path = path.parent


def _dump_new(data: dict, comment: str | None = None) -> str:
    doc = yamlio.new_map({k: _yaml_value(k, v) for k, v in data.items()})
    text = yamlio.dump_roundtrip(doc)
    return (f"# {comment}\n" if comment else "") + text


# --- members -----------------------------------------------------------------------


def add_member(root: Path, member: dict, opts: WriteOptions) -> Outcome:
    """Append a member to members.yaml. ``member`` holds format keys (name, status, …)."""
    name = member["name"]
    if member.get("status") not in STATUSES:
        _reject(f"党员身份“{member.get('status')}”无效。", "可选：正式党员 预备党员。")

    def build(loaded: Loaded) -> Change:
        _require_readable(loaded, "members.yaml")
        if loaded.branch.member(name):
            _reject(f"名册中已有 {name}。", "同名党员请加以区分，如 王芳（大）；修改信息用 zhibu member edit。")
        groups = loaded.branch.config.groups
        if groups and not member.get("group"):
            # Said here in the words of the command line: the file's finding names the YAML key.
            _reject(
                f"缺少必填内容：{name} 所在的党小组（--group）。", f"从 {'、'.join(groups)} 中选一个，如 --group {groups[0]}。"
            )
        keys = ("name", "gender", "status", "admitted", "full_since", "joined", "group", "tags", "dues_paid_to")
        ordered = {k: member[k] for k in keys if member.get(k) not in (None, (), [])}

        def mutate(doc):
            doc.setdefault("members", yamlio.new_seq())
            if doc["members"] is None:
                doc["members"] = yamlio.new_seq()
            doc["members"].append(yamlio.new_map({k: _yaml_value(k, v) for k, v in ordered.items()}, flow=True))

        text = _edit_file(loaded, "members.yaml", lambda: yamlio.new_map({"members": yamlio.new_seq()}), mutate)
        change = Change(f"名册 新增 {name}（{member['status']}）", summary=f"已在名册中登记 {name}。")
        change.put("members.yaml", text)
        return change

    return apply(root, build, commit=opts.commit, dry_run=opts.dry_run)


def _member_entry(doc, name: str):
    for entry in doc.get("members") or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            return entry
    return None


def edit_member(root: Path, name: str, updates: dict, opts: WriteOptions) -> Outcome:
    """Change fields of one member; ``None`` in ``updates`` removes a field."""
    if not updates:
        _reject("没有指定要修改的内容。", "例如：zhibu member edit 孙悦 --status 正式党员 --full-since 2026-10-12")

    def build(loaded: Loaded) -> Change:
        _require_readable(loaded, "members.yaml")
        names = {m.name for m in loaded.branch.members}
        if name not in names:
            _reject(f"名册中没有 {name}。", _names_suggestion(name, names))
        new_name = updates.get("name")
        if new_name and new_name != name and new_name in names:
            _reject(f"名册中已有 {new_name}。")

        def mutate(doc):
            entry = _member_entry(doc, name)
            if entry is None:
                _reject(f"members.yaml 中找不到 {name} 的条目。")
            for key, value in updates.items():
                if value is None:
                    entry.pop(key, None)
                else:
                    entry[key] = _yaml_value(key, value)

        text = _edit_file(loaded, "members.yaml", dict, mutate)
        named = "、".join(kinds.label_of(kinds.MEMBERS, key) for key in updates)
        change = Change(f"名册 修改 {name}：{named}", summary=f"已修改 {name} 的 {named}。")
        change.put("members.yaml", text)
        return change

    return apply(root, build, commit=opts.commit, dry_run=opts.dry_run)


def member_leave(root: Path, name: str, date: dt.date, reason: str | None, opts: WriteOptions) -> Outcome:
    """Record that a member left the branch (组织关系转出, 去世, …) on ``date``."""

    def build(loaded: Loaded) -> Change:
        _require_readable(loaded, "members.yaml")
        member = loaded.branch.member(name)
        if member is None:
            _reject(f"名册中没有 {name}。", _names_suggestion(name, [m.name for m in loaded.branch.members]))
        if member.left is not None:
            _reject(f"{name} 已于 {member.left.date} 离开本支部。")
        if date < member.joined:
            _reject(f"离开日期 {date} 早于 {name} 的入册日期 {member.joined}。")

        def mutate(doc):
            entry = _member_entry(doc, name)
            left = {"date": date}
            if reason:
                left["reason"] = reason
            entry["left"] = yamlio.new_map(left, flow=True)

        text = _edit_file(loaded, "members.yaml", dict, mutate)
        change = Change(
            f"名册 转出 {name} {date}" + (f"：{reason}" if reason else ""), summary=f"已登记 {name} 于 {date} 离开本支部。"
        )
        change.put("members.yaml", text)
        return change

    return apply(root, build, commit=opts.commit, dry_run=opts.dry_run)


# --- committee ---------------------------------------------------------------------


def committee_elect(
    root: Path,
    elected: dt.date,
    seats: list[tuple[str, str]],
    opts: WriteOptions,
    *,
    term_years: int | None = None,
    approved: dt.date | None = None,
) -> Outcome:
    """Add a new committee term (the last term is the sitting one)."""
    if not seats:
        _reject("至少要有一名委员（书记）。", "例如：--seat 王建国=书记 --seat 李晓梅=组织委员")
    for person, role in seats:
        if role not in ROLES:
            _reject(f"职务“{role}”无效。", f"可选：{' '.join(ROLES)}。")
    if [role for _, role in seats].count("书记") != 1:
        _reject("新一届委员会应有且只有一名书记。")

    def build(loaded: Loaded) -> Change:
        _require_readable(loaded, "members.yaml", "committee.yaml")
        counted = {m.name for m in loaded.branch.members_on(elected)}
        for person, _role in seats:
            if person not in counted:
                _reject(f"{person} 在 {elected} 不在党员名册中。", _names_suggestion(person, counted))
        terms = loaded.branch.committee.terms
        if terms and terms[-1].elected >= elected:
            _reject(f"选举日期 {elected} 不晚于现任委员会的选举日期 {terms[-1].elected}。")

        def mutate(doc):
            if doc.get("terms") is None:
                doc["terms"] = yamlio.new_seq()
            term = {"elected": elected}
            if term_years:
                term["term_years"] = term_years
            members = []
            for person, role in seats:
                seat = {"name": person, "role": role}
                if approved and role in ("书记", "副书记"):
                    seat["approved"] = approved
                members.append(yamlio.new_map(seat, flow=True))
            term["members"] = yamlio.new_seq(members)
            doc["terms"].append(yamlio.new_map(term))

        text = _edit_file(loaded, "committee.yaml", lambda: yamlio.new_map({"terms": yamlio.new_seq()}), mutate)
        change = Change(
            f"支委会 选举 {elected}：{'、'.join(f'{p}（{r}）' for p, r in seats)}", summary=f"已登记 {elected} 选举产生的委员会。"
        )
        change.put("committee.yaml", text)
        return change

    return apply(root, build, commit=opts.commit, dry_run=opts.dry_run)


def committee_change(
    root: Path,
    date: dt.date,
    name: str,
    role: str,
    action: str,
    opts: WriteOptions,
    *,
    reason: str | None = None,
    approved: dt.date | None = None,
) -> Outcome:
    """Record a mid-term change of the sitting committee (离任, 补选, 调整)."""
    if action not in CHANGE_ACTIONS:
        _reject(f"变动类型“{action}”无效。", "可选：离任 补选 调整。")
    if role not in ROLES:
        _reject(f"职务“{role}”无效。", f"可选：{' '.join(ROLES)}。")

    def build(loaded: Loaded) -> Change:
        _require_readable(loaded, "members.yaml", "committee.yaml")
        committee = loaded.branch.committee
        term = committee.term_on(date)
        if term is None or term is not committee.terms[-1]:
            _reject(f"{date} 没有现任委员会可以变动。", "先用 zhibu committee elect 登记选举结果。")
        sitting = {(s.name, s.role) for s in term.seats_on(date)}
        if action in ("离任", "调整") and not any(n == name for n, _ in sitting):
            verb = "离任" if action == "离任" else "调整分工"
            hint = "新增委员用 --action 补选。" if action == "调整" else None
            _reject(f"{date} {name} 不是支委会委员，无法{verb}。", hint)
        if action in ("补选", "调整") and name not in {m.name for m in loaded.branch.members_on(date)}:
            _reject(f"{name} 在 {date} 不在党员名册中。", _names_suggestion(name, [m.name for m in loaded.branch.members]))
        if action == "补选" and (name, role) in sitting:
            _reject(f"{name} 已是{role}。")

        def mutate(doc):
            entry = doc["terms"][-1]
            if entry.get("changes") is None:
                entry["changes"] = yamlio.new_seq()
            item = {"date": date, "name": name, "role": role, "action": action}
            if reason:
                item["reason"] = reason
            if approved:
                item["approved"] = approved
            entry["changes"].append(yamlio.new_map(item, flow=True))

        text = _edit_file(loaded, "committee.yaml", dict, mutate)
        change = Change(
            f"支委会 {action} {name} {role} {date}" + (f"：{reason}" if reason else ""),
            summary=f"已登记 {date} {name} {action}（{role}）。",
        )
        change.put("committee.yaml", text)
        return change

    return apply(root, build, commit=opts.commit, dry_run=opts.dry_run)


def set_group_leader(root: Path, group: str, name: str, since: dt.date, opts: WriteOptions) -> Outcome:
    """Make ``name`` the 党小组组长 of ``group`` from ``since``, keeping the leaders before."""

    def build(loaded: Loaded) -> Change:
        _require_readable(loaded, "zhibu.yaml", "members.yaml", "committee.yaml")
        branch = loaded.branch
        if group not in branch.config.groups:
            _reject(f"“{group}”不是本支部的党小组。", f"zhibu.yaml 的 groups 有：{'、'.join(branch.config.groups) or '（无）'}。")
        member = branch.member(name)
        if member is None or not member.counted_on(since):
            _reject(f"{name} 在 {since} 不在党员名册中。", _names_suggestion(name, [m.name for m in branch.members_on(since)]))
        if member.group != group:
            where = f"属于{member.group}" if member.group else "没有编入党小组"
            _reject(
                f"{name} {where}，不是{group}的党员。",
                f"先在 members.yaml 中把 {name} 的 group 改为 {group}（zhibu member edit {name} --group {group}）。",
            )
        turns = dict(branch.committee.leader_history).get(group, ())
        if turns and turns[-1][0] == name:
            _reject(f"{name} 已是{group}组长。")
        last = max((start for _, start in turns if start), default=None)
        if last is not None and since <= last:
            _reject(
                f"任职日期 {since} 不晚于现任组长 {turns[-1][0]} 的任职日期 {last}。",
                "组长的历任按时间先后登记，不改写以前的记录。",
            )

        def mutate(doc):
            leaders = doc.get("group_leaders")
            if leaders is None:
                leaders = doc["group_leaders"] = yamlio.new_map({})
            entry = yamlio.new_map({"name": name, "since": since}, flow=True)
            old = leaders.get(group)
            if old is None:
                leaders[group] = entry
            elif isinstance(old, list):
                old.append(entry)
            else:  # one leader so far (a name or one map): keep it as the first in turn
                first = yamlio.new_map({"name": old}, flow=True) if isinstance(old, str) else old
                leaders[group] = yamlio.new_seq([first, entry])

        text = _edit_file(loaded, "committee.yaml", lambda: yamlio.new_map({"terms": yamlio.new_seq()}), mutate)
        before = f"（接替 {turns[-1][0]}）" if turns else ""
        change = Change(
            f"党小组组长 {group} {name} 自 {since}{before}", summary=f"已登记 {name} 自 {since} 任{group}组长{before}。"
        )
        change.put("committee.yaml", text)
        return change

    return apply(root, build, commit=opts.commit, dry_run=opts.dry_run)


# --- records -----------------------------------------------------------------------


def normalise_types(value) -> tuple[str, ...]:
    items = value if isinstance(value, (list, tuple)) else [value]
    out = []
    for item in items:
        canonical = canonical_type(str(item).strip())
        if canonical is None:
            close = difflib.get_close_matches(str(item), RECORD_TYPES, n=1, cutoff=0.3)
            _reject(f"会议类型“{item}”无效。", (f"是否应为“{close[0]}”？" if close else "") + f"可选：{' '.join(RECORD_TYPES)}。")
        if canonical not in out:
            out.append(canonical)
    return tuple(out)


def record_path(branch: Branch, types: tuple[str, ...], date: dt.date, taken) -> str:
    """``records/<YYYY>/<date>-<type>[-n].yaml``, the first name not in ``taken``."""
    stem = f"records/{date.year}/{date.isoformat()}-{'+'.join(types)}"
    candidate = f"{stem}.yaml"
    n = 2
    while candidate in taken:
        candidate = f"{stem}-{n}.yaml"
        n += 1
    return candidate


def next_record_path(root: Path, branch: Branch, fields: dict) -> str:
    """The file ``add_record`` would write for ``fields`` now (shown before asking to confirm)."""
    taken = set(files.WorkTree(root).list_files())
    return record_path(branch, normalise_types(fields["type"]), fields["date"], taken)


def complete_record(branch: Branch, fields: dict) -> dict:
    """Fill what the roster knows: canonical types and, when not given, the attendees
    (everyone expected on that date who is not listed as absent)."""
    fields = dict(fields)
    fields["type"] = normalise_types(fields["type"])
    absent_names = {a["name"] for a in fields.get("absent") or []}
    if not fields.get("attendees"):
        probe = Record(types=fields["type"], date=fields["date"], group=fields.get("group"))
        fields["attendees"] = [n for n in expected_in_roster_order(branch, probe) if n not in absent_names]
    return fields


def expected_in_roster_order(branch: Branch, record: Record) -> list[str]:
    """Expected names in the roster's order (committee: in role order), as people list them."""
    expected = set(branch.expected_at(record))
    order = [s.name for s in branch.committee_on(record.date)] + [m.name for m in branch.members]
    seen, out = set(), []
    for name in order:
        if name in expected and name not in seen:
            seen.add(name)
            out.append(name)
    return out


def render_record(fields: dict) -> str:
    """A record file in the canonical key order of format.md."""
    data = {}
    for key in RECORD_KEY_ORDER:
        value = fields.get(key)
        if value in (None, "", (), []) or value is False:
            continue
        if key == "type":
            value = value[0] if len(value) == 1 else list(value)
        if key == "absent":
            value = [{k: v for k, v in a.items() if v} for a in value]
        data[key] = value
    extra = [k for k in fields if k not in RECORD_KEY_ORDER]
    if extra:
        _reject(f"记录中有格式未定义的键：{'、'.join(extra)}。")
    doc = yamlio.new_map()
    for key, value in data.items():
        if key == "absent":
            doc[key] = yamlio.new_seq([yamlio.new_map(a, flow=True) for a in value])
        elif key == "resolutions":
            doc[key] = yamlio.new_seq([_resolution(r) for r in value])
        elif key == "type" and isinstance(value, list):
            doc[key] = yamlio.new_seq(value, flow=True)
        else:
            doc[key] = _yaml_value(key, value)
    return yamlio.dump_roundtrip(doc)


RESOLUTION_KEY_ORDER = tuple(f.name for f in kinds.RESOLUTION_FIELDS)


def _resolution(r: dict):
    # Every key is kept (a draft's person, ballots and candidates too): one the format does not
    # define is left for validation to report, never dropped silently.
    out = yamlio.new_map()
    keys = [k for k in RESOLUTION_KEY_ORDER if k in r] + [k for k in r if k not in RESOLUTION_KEY_ORDER]
    for key in keys:
        value = r[key]
        if value is None:
            continue
        if key in ("votes", "ballots") and isinstance(value, dict):
            value = yamlio.new_map(dict(value), flow=True)
        elif key == "candidates" and isinstance(value, list):
            value = yamlio.new_seq([yamlio.new_map(dict(c), flow=True) if isinstance(c, dict) else c for c in value])
        out[key] = value
    return out


def record_message(fields: dict, verb: str = "记录") -> str:
    types = fields["type"]
    topics = fields.get("topics") or []
    head = f"{verb} {'、'.join(types)} {fields['date']}"
    return f"{head}：{topics[0]}" if topics else head


def _validate_record_file(rel: str) -> Callable:
    def validator(after: Loaded, change: Change) -> list[Finding]:
        for record in after.branch.records:
            if record.source.path == rel:
                return record_findings(after.branch, record)
        return []

    return validator


# What a missing record field is called for the person at the command line: its Chinese name and
# the option of ``zhibu meeting add`` that gives it (the YAML key means nothing there).
_RECORD_WORDS = {
    "type": "会议类型",
    "date": "日期",
    "place": "地点",
    "host": "主持人",
    "recorder": "记录人",
    "topics": "议题",
    "group": "党小组",
    "lecturer": "党课主讲人",
    "theme": "主题党日的主题",
}
_RECORD_OPTIONS = {"topics": "--topic"}


def missing_record_fields(fields: dict) -> list[str]:
    """Required keys still missing (format.md), including the per-type ones."""
    required = ["type", "date", "place", "host", "recorder", "topics"]
    missing = [k for k in required if not fields.get(k)]
    if fields.get("type"):
        for record_type in normalise_types(fields["type"]):
            extra = REQUIRED_BY_TYPE.get(record_type)
            if extra and not fields.get(extra) and extra not in missing:
                missing.append(extra)
    return missing


def add_record(root: Path, fields: dict, opts: WriteOptions) -> Outcome:
    """Write a new record file; attendance is completed from the roster on its date."""
    missing = missing_record_fields(fields)
    if missing:
        named = "、".join(f"{_RECORD_WORDS.get(key, key)}（{_RECORD_OPTIONS.get(key, '--' + key)}）" for key in missing)
        _reject(f"缺少必填内容：{named}。", "用括号中的选项补上（见 zhibu meeting add --help），或在终端中运行以逐项输入。")

    def build(loaded: Loaded) -> Change:
        _require_readable(loaded, "members.yaml", "committee.yaml")
        complete = complete_record(loaded.branch, fields)
        if not complete.get("attendees"):
            probe = Record(types=complete["type"], date=complete["date"], group=complete.get("group"))
            why = "" if loaded.branch.expected_at(probe) else f"{'、'.join(complete['type'])}不按名册确定应到人员，"
            _reject("缺少必填内容：到会人员（--attendee）。", f"{why}用 --attendee 逐一写明到会人员（可重复）。")
        taken = set(files.WorkTree(loaded.root).list_files())
        rel = record_path(loaded.branch, complete["type"], complete["date"], taken)
        change = Change(record_message(complete), summary=f"已写入 {rel}。")
        change.put(rel, render_record(complete))
        change.checks = (_validate_record_file(rel),)
        return change

    return apply(root, build, commit=opts.commit, dry_run=opts.dry_run)


def find_record(branch: Branch, ref: str) -> Record:
    """A record named by its path, its file stem, or its date (when only one record has that date)."""
    ref = ref.strip().rstrip("/")
    candidates = [r for r in branch.records if r.source.path == ref or (r.source.path or "").endswith("/" + ref)]
    if not candidates:
        stem = ref[:-5] if ref.endswith(".yaml") else ref
        candidates = [r for r in branch.records if Path(r.source.path or "").stem == stem]
    if not candidates:
        candidates = [r for r in branch.records if r.date.isoformat() == ref]
    if not candidates:
        _reject(f"找不到记录“{ref}”。", "用 zhibu meeting list 查看记录，可写文件路径、文件名或日期。")
    if len(candidates) > 1:
        listing = "、".join(r.source.path for r in candidates)
        _reject(f"“{ref}”对应多条记录：{listing}。", "写出完整的文件路径。")
    return candidates[0]


def replace_record(root: Path, rel: str, new_text: str, opts: WriteOptions, *, reason: str | None = None) -> Outcome:
    """Replace a record file with edited text (``meeting edit``); validated like a new record.

    ``reason`` goes into the commit message as the line "补正原因：…", which is what the audit
    trail reads (``audit.edited-after-close`` lists such a correction instead of reporting it).
    """

    def build(loaded: Loaded) -> Change:
        old = _read_text(loaded, rel)
        if old == new_text:
            _reject("记录没有改动，未提交。")
        try:
            data = yamlio.parse(new_text).data
        except yamlio.YamlProblem as problem:
            raise InvalidChange(f"{rel} 第 {problem.line} 行：{problem.message}") from None
        types = data.get("type") if isinstance(data, dict) else None
        changed = _changed_keys(old, data)
        fields = {"type": normalise_types(types) if types else ("记录",), "date": data.get("date", "")}
        message = record_message(fields, "修改") + (
            f"（{'、'.join(kinds.label_of(kinds.RECORD, k) for k in changed)}）" if changed else ""
        )
        if reason:
            message += f"\n\n补正原因：{' '.join(reason.split())}"
        change = Change(
            message,
            summary=f"已更新 {rel}。",
        )
        change.put(rel, new_text)
        change.checks = (_validate_record_file(rel),)
        return change

    return apply(root, build, commit=opts.commit, dry_run=opts.dry_run)


def _changed_keys(old_text: str | None, new: Any) -> list[str]:
    if old_text is None or not isinstance(new, dict):
        return []
    try:
        old = yamlio.parse(old_text).data
    except yamlio.YamlProblem:
        return []
    if not isinstance(old, dict):
        return []
    keys = [k for k in RECORD_KEY_ORDER if old.get(k) != new.get(k)]
    keys += sorted(str(k) for k in set(old) ^ set(new) if k not in RECORD_KEY_ORDER)
    return keys


# --- talks -------------------------------------------------------------------------


def add_talk(root: Path, date: dt.date, between: tuple[str, str], form: str | None, opts: WriteOptions) -> Outcome:
    """Append a 谈心谈话 to talks/<YYYY>.yaml (who and when only; never the content)."""
    if between[0] == between[1]:
        _reject("谈话双方不能是同一个人。")
    rel = f"talks/{date.year}.yaml"

    def build(loaded: Loaded) -> Change:
        _require_readable(loaded, "members.yaml", rel)
        counted = {m.name for m in loaded.branch.members_on(date)}
        for person in between:
            if person not in counted:
                _reject(f"{person} 在 {date} 不在党员名册中。", _names_suggestion(person, counted))

        def mutate(doc):
            if doc.get("talks") is None:
                doc["talks"] = yamlio.new_seq()
            item = {"date": date, "between": yamlio.new_seq(list(between), flow=True)}
            if form:
                item["form"] = form
            doc["talks"].append(yamlio.new_map(item, flow=True))

        text = _edit_file(loaded, rel, lambda: yamlio.new_map({"talks": yamlio.new_seq()}), mutate)
        change = Change(
            f"谈心谈话 {date} {between[0]}—{between[1]}", summary=f"已登记 {date} {between[0]} 与 {between[1]} 的谈心谈话。"
        )
        change.put(rel, text)
        return change

    return apply(root, build, commit=opts.commit, dry_run=opts.dry_run)
