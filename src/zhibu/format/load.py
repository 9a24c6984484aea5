"""The loader: a branch repository in, the model and its ``format.*`` findings out.

Loading never raises for bad user data. A broken file costs one finding and
the rest of the branch still loads; a value that fails its check is left out
of the model (and reported) so the rules never see it.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..model.branch import (
    FAR_PAST,
    Absence,
    Applicant,
    Ballots,
    Branch,
    BranchConfig,
    Candidate,
    Committee,
    CommitteeChange,
    Discipline,
    DuesLedger,
    Leave,
    Member,
    PackFile,
    Payment,
    Plan,
    PlanItem,
    Record,
    Resolution,
    Seat,
    Talk,
    Term,
    Votes,
)
from ..model.findings import DEFAULT_CAPS, Caps, Finding, LeftOut, Source, sort_findings
from ..model.redact import mask_number
from ..model.vocabulary import CARRY_OVER_LAST_MONTH, REQUIRED_BY_TYPE, YEAR_END_TYPES
from ..store import files
from ..store.yamlio import YamlProblem, parse
from . import kinds
from .catalogue import codes, make_finding

# An 18-digit 身份证号 (17 digits + digit or X) or an 11-digit mobile number, not inside a longer number.
_ID_NUMBER = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
_ELEVEN_DIGITS = re.compile(r"[0-9]{11}")
_MOBILE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")


# The folders of the kinds the loader builds: a linked folder there is read, so that it is reported.
_BUILT_FOLDERS = frozenset(k.folder for k in kinds.FILE_KINDS if k.folder)

# The order of the model's tuples (files come in path order).
_ORDER = {
    "records": lambda r: (r.date, r.source.path or ""),
    "talks": lambda t: (t.date, t.source.path or "", t.source.line or 0),
    "plans": lambda p: p.year,
    "dues": lambda d: d.year,
}


@dataclass
class Loaded:
    """What the loader returns: the model, the findings, and whether the configuration was usable."""

    root: Path
    branch: Branch
    findings: list[Finding] = field(default_factory=list)
    config_ok: bool = True
    texts: dict = field(default_factory=dict)  # rel -> str, only when asked for
    left_out: LeftOut = field(default_factory=LeftOut)  # findings over the caps, counted only


class _Collector:
    """The loader's findings, at most MAX_PER_CODE of a code and MAX_FINDINGS in all: past
    that they are only counted (7 MB of unknown keys would otherwise hold 700,000 findings)."""

    def __init__(self, caps: Caps = DEFAULT_CAPS):
        self.findings: list[Finding] = []
        self.per_code: dict[str, int] = {}
        self.left_out = LeftOut()
        self.caps = caps

    def emit(self, code: str, where: Source, message: str, hint: str | None = None) -> None:
        seen = self.per_code.get(code, 0)
        if seen >= self.caps.per_code or len(self.findings) >= self.caps.total:
            self.left_out.add(code, codes()[code].severity, where.path, where.line)
            return
        self.per_code[code] = seen + 1
        self.findings.append(make_finding(code, message, where, hint or None))


def load_branch(root: Path, tree=None, *, keep_texts: bool = False, caps: Caps = DEFAULT_CAPS) -> Loaded:
    """Load the branch at ``root`` (a folder holding zhibu.yaml).

    Args:
        root: the branch root.
        tree: where to read files from; default the work tree at ``root``.
            An :class:`~zhibu.store.files.Overlay` lets a command validate a
            change before writing it.
        keep_texts: keep each file's decoded text on the result (for editing).
        caps: how many findings to keep; past them findings are only counted
            (``Loaded.left_out``), so memory stays bounded whatever the files hold.
    """
    tree = tree or files.WorkTree(root)
    out = _Collector(caps)
    texts: dict[str, str] = {}
    parsed: dict[str, object] = {}
    names = tree.list_files(kinds.FREE_FOLDERS)

    def read(rel: str):
        """Parsed data of one file, or None after reporting why it cannot be read."""
        where = Source(rel, None)
        try:
            raw = tree.read(rel)
        except files.Refused as exc:
            out.emit("format.unsafe-file", where, str(exc))
            return None
        text = _decode(raw, rel, out)
        if text is None:
            return None
        if keep_texts:
            texts[rel] = text
        _scan_personal_data(text, rel, out)
        try:
            doc = parse(text)
        except YamlProblem as problem:
            code = "format.unsafe-file" if problem.refused else "format.yaml-syntax"
            out.emit(code, Source(rel, problem.line), problem.message)
            return None
        return doc

    # Each listed path is a file of a kind the loader builds (read now), of a kind checked
    # elsewhere (a rule pack, holidays.yaml), or outside every kind: decided once zhibu.yaml
    # has said which packs it lists, since a pack may sit anywhere in the branch.
    in_folders: list[tuple[str, kinds.FileKind]] = []  # (path, kind) of the folder kinds' files, in path order
    outside: list[str] = []
    for rel in names:
        kind = kinds.kind_for_path(rel)
        if kind is None:
            outside.append(rel)
        elif kind.builder is not None:
            if kind.folder is not None:
                in_folders.append((rel, kind))
            parsed[rel] = read(rel)

    config, config_ok = _build_config(parsed.get(kinds.BRANCH.pattern), kinds.BRANCH.pattern in parsed, out)
    listed_packs = {posixpath.normpath(rel) for rel in config.standard}
    for rel in outside:
        if rel in listed_packs:
            continue
        meant = kinds.yml_meant(rel)
        if meant is not None:
            out.emit(
                "format.bad-value",
                Source(rel, None),
                "文件扩展名应为 .yaml，zhibu 不读取 .yml 文件",
                f"用 git mv 改名为 {meant}。",
            )
        elif rel.endswith(files.YAML_SUFFIXES) and not kinds.is_draft(rel):
            out.emit(
                "format.unknown-file",
                Source(rel, None),
                "不是格式规定的文件，zhibu 没有读取它，其中的内容不计入检查",
                kinds.unknown_file_hint(rel),
            )
        elif not rel.endswith(files.YAML_SUFFIXES) and rel.split("/", 1)[0] in _BUILT_FOLDERS:  # a linked folder where records go
            parsed[rel] = read(rel)
    for kind in kinds.FILE_KINDS:
        rel = kind.pattern
        if kind.required and rel not in parsed:
            misnamed = rel[:-5] + ".yml"
            hint = (
                f"把 {misnamed} 改名为 {rel}（git mv {misnamed} {rel}）。"
                if misnamed in names
                else "运行 zhibu init 会创建它；也可以手工新建。"
            )
            out.emit("format.missing-field", Source(rel, None), f"缺少必需的文件 {rel}", hint)

    # When zhibu.yaml cannot be read its groups are unknown, not empty: checking every
    # member's group against nothing would turn one broken file into a finding per member.
    config_doc = parsed.get(kinds.BRANCH.pattern)
    groups_known = (
        config_doc is not None
        and isinstance(config_doc.data, dict)
        and (not config_doc.data.get("groups") or bool(config.groups))
    )
    builder = _Builder(config, out, groups_known)
    # Each kind's builder, in the table's order; the folder kinds' files all at once, in path order.
    built: dict[str, object] = {kinds.BRANCH.model: config}
    for kind in kinds.FILE_KINDS:
        if kind.model in built:
            continue
        if kind.folder is None:  # one file: its builder also says what an absent file means
            built[kind.model] = getattr(builder, kind.builder)(parsed.get(kind.pattern), kind.pattern)
            continue
        built.update((k.model, []) for k in kinds.FILE_KINDS if k.folder is not None)
        for rel, of in in_folders:
            made = getattr(builder, of.builder)(parsed[rel], rel) if parsed[rel] is not None else None
            if isinstance(made, list):
                built[of.model].extend(made)
            elif made is not None:
                built[of.model].append(made)
    packs = []
    for index, rel in enumerate(config.standard):
        where = config.source.at("standard", index)
        if rel.startswith("/") or ".." in Path(rel).parts:
            out.emit("format.bad-value", where, f"规则包路径 {rel} 不在支部目录内", "把规则包放在 standards/ 下，写相对路径。")
            continue
        if not tree.exists(rel):
            packs.append(PackFile(rel, None, where, problem="missing"))  # the standard reports it
            continue
        doc = parsed[rel] if rel in parsed else read(rel)
        if doc is None:
            packs.append(PackFile(rel, None, Source(rel, None), problem="unreadable"))
        else:
            packs.append(PackFile(rel, doc.data, _root_source(doc, rel)))

    for model, order in _ORDER.items():
        built[model] = sorted(built[model], key=order)
    branch = Branch(
        **{model: tuple(value) if isinstance(value, list) else value for model, value in built.items()},
        packs=tuple(packs),
    )
    builder.cross_check(branch)
    return Loaded(
        root=root, branch=branch, findings=sort_findings(out.findings), config_ok=config_ok, texts=texts, left_out=out.left_out
    )


def _decode(raw: bytes, rel: str, out: _Collector) -> str | None:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 BOM from an old Windows editor: harmless, read through it
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        try:
            raw.decode("gb18030")
            guess = "看起来是 GBK/GB18030 编码（旧版 Windows 记事本、WPS 的默认保存方式）"
        except UnicodeDecodeError:
            guess = "不是 UTF-8 编码"
        out.emit(
            "format.encoding",
            Source(rel, line),
            f"{guess}，zhibu 只读取 UTF-8 文件",
            f"用编辑器“另存为”UTF-8 编码，或运行：iconv -f GB18030 -t UTF-8 {rel} -o {rel}.new && mv {rel}.new {rel}",
        )
        return None


def _scan_personal_data(text: str, rel: str, out: _Collector) -> None:
    """Warn about ID-card and mobile numbers anywhere in a file, comments included."""
    if not _ELEVEN_DIGITS.search(text):  # one C-level scan rules out almost every file
        return
    for pattern, what in ((_ID_NUMBER, "身份证号"), (_MOBILE, "手机号")):
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            masked = mask_number(match.group())
            out.emit("format.personal-data", Source(rel, line), f"疑似{what}（{masked}）")


def _build_config(doc, present: bool, out: _Collector) -> tuple[BranchConfig, bool]:
    rel = "zhibu.yaml"
    if not present or doc is None:
        if not present:
            out.emit("format.missing-field", Source(rel, None), "缺少 zhibu.yaml", "运行 zhibu init 新建支部。")
        return BranchConfig(name="（未知支部）", parent="", category="其他", source=Source(rel, None)), False
    where = Source(rel, doc.lines.get((), 1), (), doc.lines)
    values = kinds.check_mapping(doc.data, kinds.BRANCH.fields, where, out.emit, "")
    if values is None:
        return BranchConfig(name="（未知支部）", parent="", category="其他", source=where), False
    ok = all(key in values for key in ("format", "name", "parent", "category"))
    return (
        BranchConfig(
            name=values.get("name", "（未知支部）"),
            parent=values.get("parent", ""),
            category=values.get("category", "其他"),
            short_name=values.get("short_name"),
            code=values.get("code"),
            founded=values.get("founded"),
            groups=tuple(name for name, _since in values.get("groups", ())),
            group_since=tuple((name, since) for name, since in values.get("groups", ()) if since),
            theme_day=values.get("theme_day"),
            standard=tuple(values.get("standard", ())),
            venue=values.get("venue"),
            source=where,
        ),
        ok,
    )


def _root_source(doc, rel: str) -> Source:
    return Source(rel, doc.lines.get((), 1), (), doc.lines)


def _list(values: dict, key: str, where: Source):
    """Items of a "maps" field as (source, values) pairs."""
    return [(where.at(key, index), item) for index, item in values.get(key, [])]


class _Builder:
    """Turns validated values into model objects; reports what needs more than one field."""

    def __init__(self, config: BranchConfig, out: _Collector, groups_known: bool = True):
        self.config = config
        self.groups_known = groups_known
        self.out = out
        self.emit = out.emit

    def _top(self, doc, rel: str, kind: kinds.FileKind):
        if doc is None:
            return None, None
        where = _root_source(doc, rel)
        if doc.data is None:
            if kind.list_key:  # an empty ledger file is an empty list, not an error
                return {kind.list_key: []}, where
        values = kinds.check_mapping(doc.data, kind.fields, where, self.emit, "")
        return values, where

    def members(self, doc, rel: str) -> list[Member]:
        values, where = self._top(doc, rel, kinds.MEMBERS)
        if values is None:
            return []
        out, seen = [], {}
        for src, item in _list(values, "members", where):
            name = item.get("name")
            if name is None:
                continue
            if name in seen:
                self.emit(
                    "format.bad-value",
                    src.at("name"),
                    f"名册中有两个“{name}”（另一个在第 {seen[name]} 行）",
                    "同名党员按习惯加以区分，如 王芳（大）、王芳（小）。",
                )
                continue
            seen[name] = src.line
            # An unknown or missing status is reported; such a member counts but never votes.
            status = item.get("status", "未知")
            if status == "正式党员" and "full_since" not in item and "status" in item:
                self.emit("format.missing-field", src, f"正式党员 {name} 缺少转正日期 full_since", "补上 full_since: 转正日期。")
            if status == "预备党员" and "full_since" in item:
                self.emit(
                    "format.bad-value",
                    src.at("full_since"),
                    f"预备党员 {name} 不应有转正日期 full_since",
                    "转正后把 status 改为 正式党员。",
                )
            group = item.get("group")
            if group is not None and self.groups_known and group not in self.config.groups:
                self.emit(
                    "format.bad-value",
                    src.at("group"),
                    f"{name} 所在党小组“{group}”不在 zhibu.yaml 的 groups 中",
                    _suggest(group, self.config.groups, "groups"),
                )
                group = None
            elif group is None and self.config.groups and "group" not in item:
                self.emit(
                    "format.missing-field",
                    src,
                    f"{name} 没有写所在党小组 group",
                    f"从 {'、'.join(self.config.groups)} 中选一个。",
                )
            left = item.get("left")
            discipline = item.get("discipline")
            joined = item.get("joined", item.get("admitted", FAR_PAST))
            out.append(
                Member(
                    name=name,
                    status=status,
                    admitted=item.get("admitted"),
                    joined=joined,
                    full_since=item.get("full_since"),
                    gender=item.get("gender"),
                    left=Leave(left["date"], left.get("reason")) if left and "date" in left else None,
                    group=group,
                    tags=tuple(item.get("tags", ())),
                    discipline=(
                        Discipline(discipline["kind"], discipline["from"], discipline.get("until"))
                        if discipline and "kind" in discipline and "from" in discipline
                        else None
                    ),
                    dues_paid_to=item.get("dues_paid_to"),
                    source=src,
                )
            )
        return out

    def committee(self, doc, rel: str) -> Committee:
        values, where = self._top(doc, rel, kinds.COMMITTEE)
        if values is None:
            return Committee(source=where or Source(rel, None))
        terms = []
        for src, item in _list(values, "terms", where):
            if "elected" not in item:
                continue
            seats = tuple(
                Seat(s["name"], s["role"], s.get("approved"), seat_src)
                for seat_src, s in _list(item, "members", src)
                if "name" in s and "role" in s
            )
            changes = tuple(
                CommitteeChange(c["date"], c["name"], c["role"], c["action"], c.get("reason"), c.get("approved"), change_src)
                for change_src, c in _list(item, "changes", src)
                if all(k in c for k in ("date", "name", "role", "action"))
            )
            terms.append(Term(item["elected"], seats, changes, item.get("term_years"), item.get("extended_to"), src))
        for earlier, later in zip(terms, terms[1:]):
            if later.elected <= earlier.elected:
                self.emit(
                    "format.bad-value",
                    later.source.at("elected"),
                    "committee.yaml 的各届委员会应按选举日期从早到晚排列",
                    "把最早的一届放在最前面。",
                )
        history = values.get("group_leaders", ())
        leaders = tuple((group, turns[-1][0]) for group, turns in history)
        for group, _leader in leaders:
            if self.groups_known and group not in self.config.groups:
                self.emit(
                    "format.bad-value",
                    where.at("group_leaders", group),
                    f"group_leaders 中的“{group}”不在 zhibu.yaml 的 groups 中",
                    _suggest(group, self.config.groups, "groups"),
                )
        return Committee(tuple(terms), leaders, where, tuple(history))

    def record(self, doc, rel: str) -> Record | None:
        where = _root_source(doc, rel)
        values = kinds.check_mapping(doc.data, kinds.RECORD.fields, where, self.emit, "")
        if values is None or "type" not in values or "date" not in values:
            return None  # reported; without a type and a date the rules cannot use it
        types = values["type"]
        for record_type in types:
            needed = REQUIRED_BY_TYPE.get(record_type)
            if needed and needed not in values and needed not in (doc.data or {}):
                self.emit(
                    "format.missing-field",
                    where,
                    f"{record_type}记录缺少必填字段 {needed}",
                    {
                        "group": "写明是哪个党小组，如 group: 第一党小组。",
                        "lecturer": "写明主讲人，如 lecturer: 王建国。",
                        "theme": "写明主题党日的主题。",
                    }[needed],
                )
        group = values.get("group")
        if group is not None and self.groups_known and group not in self.config.groups:
            self.emit(
                "format.bad-value",
                where.at("group"),
                f"党小组“{group}”不在 zhibu.yaml 的 groups 中",
                _suggest(group, self.config.groups, "groups"),
            )
            group = None
        if "topics" in values and not values["topics"]:
            self.emit("format.missing-field", where.at("topics"), "topics 至少要有一项议题", "写明会议议题。")
        for_year = values.get("for_year")
        if for_year is not None and not _for_year_ok(types, values["date"], for_year):
            self.emit(
                "format.bad-value",
                where.at("for_year"),
                f"for_year {for_year} 与记录日期 {values['date']} 不符",
                f"只有组织生活会、民主评议党员可以写所属年度，且只能是本年，或次年 1 至 {CARRY_OVER_LAST_MONTH} 月召开时写上一年。",
            )
            for_year = None
        return Record(
            types=types,
            date=values["date"],
            place=values.get("place"),
            host=values.get("host"),
            recorder=values.get("recorder"),
            attendees=tuple(values.get("attendees", ())),
            absent=tuple(Absence(a["name"], a.get("reason"), src) for src, a in _list(values, "absent", where) if "name" in a),
            guests=tuple(values.get("guests", ())),
            time=values.get("time"),
            group=group,
            lecturer=values.get("lecturer"),
            theme=values.get("theme"),
            topics=tuple(values.get("topics", ())),
            content=values.get("content"),
            resolutions=tuple(
                Resolution(
                    r["text"],
                    r.get("kind"),
                    Votes(
                        r["votes"]["for"],
                        r["votes"].get("against", 0),
                        r["votes"].get("abstain", 0),
                        r["votes"].get("written", 0),
                    )
                    if r.get("votes") and "for" in r["votes"]
                    else None,
                    r.get("adopted", True),
                    src,
                    person=r.get("person"),
                    ballots=Ballots(r["ballots"]["issued"], r["ballots"]["returned"], src.at("ballots"))
                    if r.get("ballots") and {"issued", "returned"} <= set(r["ballots"])
                    else None,
                    candidates=tuple(
                        Candidate(c["name"], c["votes"], c.get("elected", True), c_src)
                        for c_src, c in _list(r, "candidates", src)
                        if "name" in c and "votes" in c
                    ),
                )
                for src, r in _list(values, "resolutions", where)
                if "text" in r
            ),
            counts_as=tuple(values.get("counts_as", ())),
            plan=values.get("plan"),
            delegated=values.get("delegated"),
            attachments=tuple(values.get("attachments", ())),
            for_year=for_year,
            dues_published=values.get("dues_published", False),
            source=where,
        )

    def talks(self, doc, rel: str) -> list[Talk]:
        values, where = self._top(doc, rel, kinds.TALKS)
        if values is None:
            return []
        return [
            Talk(item["date"], tuple(item["between"]), item.get("form"), src)
            for src, item in _list(values, "talks", where)
            if "date" in item and "between" in item
        ]

    def plan(self, doc, rel: str) -> Plan | None:
        values, where = self._top(doc, rel, kinds.PLAN)
        if values is None or "year" not in values:
            return None
        year = values["year"]
        items = []
        for src, item in _list(values, "items", where):
            if not all(k in item for k in ("month", "kind", "topic")):
                continue
            planned = item.get("date")
            if planned is not None and (planned.year != year or planned.month != item["month"]):
                self.emit(
                    "format.bad-value",
                    src.at("date"),
                    f"计划日期 {planned} 不在 {year} 年 {item['month']} 月",
                    "核对 month 和 date。",
                )
            items.append(
                PlanItem(
                    item["month"], item["kind"], item["topic"], item.get("id"), item.get("type"), planned, item.get("owner"), src
                )
            )
        return Plan(year, tuple(items), where)

    def dues(self, doc, rel: str) -> DuesLedger | None:
        values, where = self._top(doc, rel, kinds.DUES)
        if values is None or "year" not in values:
            return None
        paid = tuple(
            Payment(p["name"], p["months"], p.get("amount"), p.get("date"), src)
            for src, p in _list(values, "paid", where)
            if "name" in p and "months" in p
        )
        return DuesLedger(values["year"], tuple(values.get("monthly", ())), paid, where)

    def applicants(self, doc, rel: str) -> list[Applicant]:
        values, where = self._top(doc, rel, kinds.DEVELOPMENT)
        if values is None:
            return []
        out = []
        for src, item in _list(values, "people", where):
            if "name" not in item:
                continue
            full = item.get("full")
            out.append(
                Applicant(
                    item["name"],
                    item.get("applied"),
                    item.get("talked"),
                    item.get("activist"),
                    item.get("candidate"),
                    item.get("admitted"),
                    full if isinstance(full, dt.date) else None,
                    full["extended_to"] if isinstance(full, dict) else None,
                    src,
                )
            )
        return out

    def waivers(self, doc, rel: str):
        from ..model.branch import Waiver

        values, where = self._top(doc, rel, kinds.WAIVERS)
        if values is None:
            return []
        return [
            Waiver(
                w["code"],
                w["period"],
                w["reason"],
                w.get("approved_by"),
                w.get("approved"),
                w.get("expires"),
                subject=w.get("subject"),
                source=src,
            )
            for src, w in _list(values, "waivers", where)
            if all(k in w for k in ("code", "period", "reason"))
        ]

    def cross_check(self, branch: Branch) -> None:
        """Checks that need the whole model: names in the committee and group leaders."""
        names = {m.name for m in branch.members}
        if not names:
            return
        for term in branch.committee.terms:
            for seat in term.seats:
                if seat.name not in names:
                    self.emit(
                        "format.bad-value",
                        seat.source.at("name"),
                        f"委员 {seat.name} 不在党员名册中",
                        _suggest(seat.name, names, "members.yaml"),
                    )
            for change in term.changes:
                if change.name not in names:
                    self.emit(
                        "format.bad-value",
                        change.source.at("name"),
                        f"委员变动中的 {change.name} 不在党员名册中",
                        _suggest(change.name, names, "members.yaml"),
                    )
        pairs = [(g, name) for g, turns in branch.committee.leader_history for name, _ in turns]
        for group, leader in dict.fromkeys(pairs):  # each once, in file order
            if leader not in names:
                self.emit(
                    "format.bad-value",
                    branch.committee.source.at("group_leaders", group),
                    f"{group}组长 {leader} 不在党员名册中",
                    _suggest(leader, names, "members.yaml"),
                )


def _for_year_ok(types, day: dt.date, for_year: int) -> bool:
    """``for_year`` is allowed on a yearly meeting: its own year, or the previous one up to March."""
    if not YEAR_END_TYPES.intersection(types):
        return False
    return for_year == day.year or (for_year == day.year - 1 and day.month <= CARRY_OVER_LAST_MONTH)


def _suggest(value: str, candidates, where: str) -> str:
    import difflib

    close = difflib.get_close_matches(value, sorted(candidates), n=1, cutoff=0.5)
    if close:
        return f"是否应为“{close[0]}”？"
    return f"核对写法，或先在 {where} 中登记。"
