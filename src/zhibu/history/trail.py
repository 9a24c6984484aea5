"""留痕: what git history says about the records — who recorded what and when, what changed
after a period was closed, and whether history was rewritten.

Everything is read with a handful of git commands for the whole repository
(one ``git log`` for the history, one ``git cat-file --batch`` for old file
contents), never one git call per record. Commit dates are set by whoever
commits: they are evidence, not proof, and every message that relies on them says so.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ZhibuError
from ..format import kinds
from ..model.periods import Period
from ..store import gitrepo, yamlio
from ..store.gitrepo import CommitInfo, FileChange

CLOSE_TAG_PREFIX = "zhibu/close/"
REASON = re.compile(r"^\s*补正原因[：:]\s*(.+?)\s*$", re.MULTILINE)
EVIDENCE_NOTE = "提交时间由提交者的电脑设定，只是旁证，不是证明。"


@dataclass(frozen=True)
class Close:
    period: Period
    tag: str
    commit: str
    tagged: dt.datetime | None
    message: str


@dataclass
class Trail:
    """The history of one branch as the audit rules need it."""

    commits: list[CommitInfo]
    first_added: dict[str, CommitInfo]  # current path -> the commit that first added it (renames followed)
    lineage: dict[str, list[tuple[CommitInfo, FileChange]]]  # current path -> every change to it, oldest first
    closes: list[Close]
    after: dict[str, set[str]]  # close tag -> shas of the commits made after it (on the checked line)
    uncommitted: list[tuple[str, str]] = field(default_factory=list)
    shallow: bool = False
    head: str = ""
    notes: list[str] = field(default_factory=list)

    def reason_of(self, commit: CommitInfo) -> str | None:
        match = REASON.search(commit.message)
        return match.group(1) if match else None


def read_trail(root: Path, rev: str = "HEAD", *, work_tree: bool = True, repo: gitrepo.RepoState | None = None) -> Trail:
    """Read the audit trail of the branch at ``root`` up to ``rev``.

    Args:
        repo: what :func:`zhibu.store.gitrepo.state` says of the repository, when known.

    Raises:
        ZhibuError: git refused (not a repository, dubious ownership, unknown revision).
    """
    repo = repo or gitrepo.state(root)
    if repo is None or repo.head is None:
        raise ZhibuError("不是 git 仓库，或还没有任何提交。")
    head = repo.head if rev in ("HEAD", repo.head) else gitrepo.resolve(root, rev)
    # git status runs while git log does: on two cores the status costs no waiting.
    status = gitrepo.start_uncommitted(root, repo.prefix) if work_tree and not repo.bare else None
    try:
        commits = gitrepo.history(root, head)
    except BaseException:
        if status is not None:
            with contextlib.suppress(ZhibuError):
                status()  # reap it; the log's failure is the one to report
        raise
    uncommitted = status() if status is not None else []
    first_added: dict[str, CommitInfo] = {}
    lineage: dict[str, list[tuple[CommitInfo, FileChange]]] = {}
    for commit in commits:
        for change in commit.changes:
            if change.status == "R" and change.old_path:
                first_added[change.path] = first_added.pop(change.old_path, commit)
                lineage[change.path] = lineage.pop(change.old_path, []) + [(commit, change)]
            elif change.status == "D":
                first_added.pop(change.path, None)
                lineage.setdefault(change.path, []).append((commit, change))
            else:
                if change.status in ("A", "C"):
                    first_added[change.path] = commit  # a new file, or one added again after deletion
                else:
                    first_added.setdefault(change.path, commit)  # its addition is beyond a shallow history
                lineage.setdefault(change.path, []).append((commit, change))
    closes, after = [], {}
    order = {c.sha: i for i, c in enumerate(commits)}
    for name, sha, tagged, message in gitrepo.tags(root, CLOSE_TAG_PREFIX + "*"):
        period = Period.parse(name[len(CLOSE_TAG_PREFIX) :])
        if period is None:
            continue
        closes.append(Close(period, name, sha, tagged, message))
        if sha in order:
            after[name] = {c.sha for c in commits[order[sha] + 1 :]}
    trail = Trail(commits, first_added, lineage, sorted(closes, key=lambda c: (c.period.start, c.tag)), after, head=head)
    trail.shallow = repo.shallow
    trail.notes.extend(f"提交 {c.sha[:12]} 的{c.problem}。" for c in commits if c.problem)
    if repo.detached and rev == "HEAD":
        trail.notes.append(f"处于分离头指针状态（detached HEAD，提交 {head[:12]}）：按这个提交及其之前的历史检查留痕。")
    if trail.shallow:
        trail.notes.append(
            "这是浅克隆（shallow clone），历史不完整，留痕检查只看得到部分提交。运行 git fetch --unshallow 取得完整历史。"
        )
    trail.uncommitted = uncommitted
    return trail


def commit_date(commit: CommitInfo) -> dt.date:
    """The day a commit entered history, in the committer's own time zone."""
    return commit.committed.date()


# --- zhibu log: history in words ---------------------------------------------------------

LABELS = {
    "type": "类型",
    "date": "日期",
    "time": "时间",
    "place": "地点",
    "host": "主持人",
    "recorder": "记录人",
    "attendees": "到会人员",
    "absent": "缺席人员",
    "guests": "列席人员",
    "group": "党小组",
    "lecturer": "主讲人",
    "theme": "主题",
    "topics": "议题",
    "content": "会议内容",
    "resolutions": "决议",
    "counts_as": "另计为",
    "plan": "计划条目",
    "delegated": "委托主持",
    "attachments": "附件",
}
MEMBER_LABELS = {
    "name": "姓名",
    "gender": "性别",
    "status": "身份",
    "admitted": "入党时间",
    "full_since": "转正日期",
    "joined": "入册日期",
    "left": "离开",
    "group": "党小组",
    "tags": "标签",
    "discipline": "处分",
}


_OVERVIEW_FILES = frozenset(k.pattern for k in kinds.ALL_KINDS if k.overview)  # the roster, the committee, the settings


@dataclass(frozen=True)
class LogEntry:
    when: dt.date
    author: str
    text: str
    sha: str
    names: frozenset = frozenset()  # people the entry is about (for --member)

    def line(self) -> str:
        return f"{self.when} {self.author} {self.text}（{self.sha[:7]}）"


def _parse(blob):
    if not isinstance(blob, bytes):  # absent, or withheld for its size (files.Withheld)
        return None
    try:
        return yamlio.parse(blob.decode("utf-8-sig")).data
    except (yamlio.YamlProblem, UnicodeDecodeError):
        return None


def _show(value) -> str:
    if isinstance(value, list):
        return "、".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k}: {_show(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def _items(value) -> list:
    """A list from an old version of a file, or nothing: history holds whatever was committed."""
    return value if isinstance(value, list) else []


def _absent(value) -> dict[str, str]:
    out = {}
    for item in _items(value):
        if isinstance(item, dict) and item.get("name"):
            out[str(item["name"])] = str(item.get("reason") or "")
        elif isinstance(item, str):
            out[item] = ""
    return out


def _record_title(data) -> str:
    if not isinstance(data, dict):
        return "记录"
    kind = data.get("type")
    kind = "、".join(map(str, kind)) if isinstance(kind, list) else str(kind or "记录")
    return f"{kind} {data.get('date', '')}".strip()


def record_diff(old, new) -> tuple[str, set[str]]:
    """Field-level changes of a record, in Chinese, and the names they mention."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return "内容无法解析（可能有格式错误）", set()
    parts, names = [], set()
    keys = [k for k in LABELS if k in old or k in new] + sorted(str(k) for k in set(old) | set(new) if k not in LABELS)
    for key in keys:
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        label = LABELS.get(key, key)
        if key == "absent":
            a, b = _absent(before), _absent(after)
            bits = [f"增加 {n}（{b[n]}）" if b[n] else f"增加 {n}" for n in b if n not in a]
            bits += [f"删除 {n}" for n in a if n not in b]
            bits += [f"{n} 原因 {a[n] or '（无）'} → {b[n] or '（无）'}" for n in b if n in a and a[n] != b[n]]
            names.update(n for n in set(a) ^ set(b))
            names.update(n for n in b if n in a and a[n] != b[n])
            parts.append(f"{label}: {'，'.join(bits)}")
        elif isinstance(before, list) or isinstance(after, list):
            a = [_show(v) for v in before] if isinstance(before, list) else ([_show(before)] if before is not None else [])
            b = [_show(v) for v in after] if isinstance(after, list) else ([_show(after)] if after is not None else [])
            bits = [f"增加 {v}" for v in b if v not in a] + [f"删除 {v}" for v in a if v not in b]
            if not bits:
                bits = ["调整顺序"]
            if key in ("attendees", "guests"):
                names.update(set(a) ^ set(b))
            parts.append(f"{label}: {'，'.join(bits)}")
        elif key in ("content", "resolutions"):
            parts.append(f"{label}: 已修改")
        elif before is None:
            parts.append(f"{label}: 新增 {_show(after)}")
        elif after is None:
            parts.append(f"{label}: 删除（原为 {_show(before)}）")
        else:
            parts.append(f"{label}: {_show(before)} → {_show(after)}")
            if key in ("host", "recorder"):
                names.update({_show(before), _show(after)})
    return "；".join(parts) or "格式调整（内容未变）", names


def _people(data) -> set[str]:
    if not isinstance(data, dict):
        return set()
    names = {str(data.get("host") or ""), str(data.get("recorder") or "")}
    names.update(map(_show, _items(data.get("attendees"))))
    names.update(_absent(data.get("absent")))
    return names - {""}


def _members(data) -> dict[str, dict]:
    items = data.get("members") if isinstance(data, dict) else None
    return {_show(m["name"]): m for m in _items(items) if isinstance(m, dict) and m.get("name")}


def roster_diff(old, new) -> list[tuple[str, str]]:
    """(name, Chinese description) for each member whose entry changed in members.yaml."""
    a, b = _members(old), _members(new)
    out = []
    for name, entry in b.items():
        if name not in a:
            out.append((name, f"名册 新增 {name}（{entry.get('status', '')}）"))
            continue
        before = a[name]
        if before == entry:
            continue
        left = entry.get("left")
        if left and not before.get("left") and isinstance(left, dict):
            reason = f"（{left.get('reason')}）" if left.get("reason") else ""
            out.append((name, f"名册 转出 {name} {left.get('date', '')}{reason}"))
            continue
        bits = []
        for key in MEMBER_LABELS:
            x, y = before.get(key), entry.get(key)
            if x != y:
                bits.append(f"{MEMBER_LABELS[key]} {_show(x) or '（无）'} → {_show(y) or '（无）'}")
        out.append((name, f"名册 修改 {name}: {'；'.join(bits)}"))
    out += [(name, f"名册 删除 {name}") for name in a if name not in b]
    return out


def committee_diff(old, new) -> list[tuple[str, str]]:
    def terms(data):
        items = data.get("terms") if isinstance(data, dict) else None
        return [t for t in _items(items) if isinstance(t, dict)]

    a, b = terms(old), terms(new)
    out = []
    for term in b[len(a) :]:
        members = [s for s in _items(term.get("members")) if isinstance(s, dict)]
        seats = "、".join(f"{s.get('name')}（{s.get('role')}）" for s in members)
        text = f"支委会 选举 {term.get('elected', '')}：{seats}"
        out += [(str(s.get("name", "")), text) for s in members] or [("", text)]
    for before, after in zip(a, b):
        old_changes = _items(before.get("changes"))
        for change in _items(after.get("changes"))[len(old_changes) :]:
            if isinstance(change, dict):
                reason = f"（{change.get('reason')}）" if change.get("reason") else ""
                out.append(
                    (
                        str(change.get("name", "")),
                        f"支委会 {change.get('action', '')} {change.get('name', '')} {change.get('role', '')} {change.get('date', '')}{reason}",
                    )
                )
        if before != after and len(_items(after.get("changes"))) == len(old_changes):
            out.append(("", f"支委会 修改 {after.get('elected', '')} 选举的一届"))
    out += _leader_diff(old, new)
    return out


def _leaders(data) -> dict[str, list[tuple[str, str]]]:
    """党小组 -> [(组长, since)], in the three spellings committee.yaml allows."""
    table = data.get("group_leaders") if isinstance(data, dict) else None
    out = {}
    for group, value in (table or {}).items() if isinstance(table, dict) else ():
        items = value if isinstance(value, list) else [value]
        out[str(group)] = [
            (str(v.get("name", "")), _show(v.get("since"))) if isinstance(v, dict) else (str(v), "") for v in items
        ]
    return out


def _leader_diff(old, new) -> list[tuple[str, str]]:
    a, b = _leaders(old), _leaders(new)
    out = []
    for group in sorted(set(a) | set(b)):
        for name, since in b.get(group, []):
            if (name, since) not in a.get(group, []):
                out.append((name, f"党小组组长 {group}：{name}" + (f"（自 {since}）" if since else "")))
        for name, since in a.get(group, []):
            if name not in {n for n, _ in b.get(group, [])}:
                out.append((name, f"党小组组长 {group}：不再由 {name} 担任"))
    return out


def _entry_text(kind, entry) -> str:
    """One entry of a list file (a talk, a payment, a plan item …) in words, keys by their Chinese names."""
    if not isinstance(entry, dict):
        return _show(entry)
    fields = {f.name: f for f in next((f.fields for f in kind.fields if f.name == kind.list_key), ())}
    return "，".join(f"{fields[k].label if k in fields else k} {_show(v)}" for k, v in entry.items())


def _strings(value) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_strings(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) else set()


def file_diff(kind, old, new) -> list[tuple[str, set[str]]]:
    """What changed in a file that is not a record, the roster or the committee, in words, with
    the names it mentions: entries added to and removed from its list, and other keys before → after."""
    title = kind.title
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [(f"修改 {title}：内容无法解析（可能有格式错误）", set())]
    out = []
    if kind.list_key:
        before, after = old.get(kind.list_key) or [], new.get(kind.list_key) or []
        before, after = (v if isinstance(v, list) else [] for v in (before, after))
        for entry in after:
            if entry not in before:
                out.append((f"{title} 增加：{_entry_text(kind, entry)}", _strings(entry)))
        for entry in before:
            if entry not in after:
                out.append((f"{title} 删除：{_entry_text(kind, entry)}", _strings(entry)))
    for key in [k for k in new if k != kind.list_key] + [k for k in old if k not in new and k != kind.list_key]:
        x, y = old.get(key), new.get(key)
        if x != y:
            label = next((f.label for f in kind.fields if f.name == key), str(key))
            out.append((f"{title} {label}：{_show(x) or '（无）'} → {_show(y) or '（无）'}", _strings(x) ^ _strings(y)))
    return out or [(f"{title} 格式调整（内容未变）", set())]


def history_log(
    root: Path, *, record: str | None = None, member: str | None = None, since: dt.date | None = None
) -> list[LogEntry]:
    """The history of one record, of the roster and committee, or of everything about a member."""
    trail = read_trail(root, work_tree=False)
    pairs: list[tuple[CommitInfo, FileChange]] = []
    if record is not None:
        if record not in trail.lineage:
            raise ZhibuError(f"git 历史中没有 {record}。", "记录提交之后才有历史；用 zhibu meeting list 查看文件名。")
        pairs = trail.lineage[record]
    else:
        for commit in trail.commits:
            for change in commit.changes:
                # Without a record: the roster, the committee and the branch's settings; for a member,
                # every file (talks, dues, plans, the development ledger, waivers name people too).
                if member is not None or change.path in _OVERVIEW_FILES:
                    pairs.append((commit, change))
    wanted = []
    for commit, change in pairs:
        parent = commit.parents[0] if commit.parents else None
        old_path = change.old_path or change.path
        wanted.append((commit, change, parent, old_path))
    blobs = _blobs(root, wanted)
    entries: list[LogEntry] = []
    for commit, change, parent, old_path in wanted:
        if since and commit_date(commit) < since:
            continue
        old = _parse(blobs.get((parent, old_path))) if change.status != "A" else None
        new = _parse(blobs.get((commit.sha, change.path))) if change.status != "D" else None
        try:
            described = _describe(change, old, new)
        except (TypeError, ValueError, AttributeError, KeyError):
            # An old version shaped like nothing the format knows: say that it changed, not how.
            described = [(f"修改 {change.path}（该版本的内容无法逐项比较）", set())]
        for text, names in described:
            if member is not None and member not in names:
                continue
            entries.append(LogEntry(commit_date(commit), commit.author, text, commit.sha, frozenset(names)))
    return entries


def _blobs(root: Path, wanted) -> dict[tuple[str, str], bytes]:
    """Old and new contents of every (commit, path) needed, through one cat-file batch."""
    specs = []
    for commit, change, parent, old_path in wanted:
        if change.status != "D":
            specs.append((commit.sha, change.path))
        if change.status != "A" and parent:
            specs.append((parent, old_path))
    prefix = gitrepo.show_prefix(root)
    found = gitrepo.cat_blobs(root, [f"{sha}:{prefix}{path}" for sha, path in specs])
    return {(sha, path): found[f"{sha}:{prefix}{path}"] for sha, path in specs if f"{sha}:{prefix}{path}" in found}


def _describe(change: FileChange, old, new) -> list[tuple[str, set[str]]]:
    path = change.path
    kind = kinds.kind_for_path(path)
    kind = kind if kind is not None and kind.fields else None  # described by its field table, or by its path
    if kind is kinds.MEMBERS:
        return [(text, {name}) for name, text in roster_diff(old, new)]
    if kind is kinds.COMMITTEE:
        merged: dict[str, set[str]] = {}  # an election names every seat: one line, all its people
        for name, text in committee_diff(old, new):
            merged.setdefault(text, set()).update({name} - {""})
        return list(merged.items())
    if kind is kinds.RECORD:
        if change.status == "A" or (change.status == "C"):
            return [(f"新建 {_record_title(new)}", _people(new))]
        if change.status == "D":
            return [(f"删除 {_record_title(old)}（{path}）", _people(old))]
        out = []
        if change.status == "R":
            out.append((f"改名 {change.old_path} → {path}", _people(new)))
            if old == new:
                return out
        detail, names = record_diff(old, new)
        out.append((f"修改 {_record_title(new)} {detail}", names))
        return out
    if kind is not None and change.status in ("M", "R", "T"):
        return file_diff(kind, old, new)
    verb = {"A": "新建", "D": "删除", "R": "改名"}.get(change.status, "修改")
    if kind is not None:
        return [(f"{verb} {kind.title}（{path}）", _strings(new if change.status != "D" else old))]
    return [(f"{verb} {path}", set())]
