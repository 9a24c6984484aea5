"""The fields of every file kind in format version 1, as data.

One table drives the loader's ``format.*`` findings, the generated format
reference (docs/format.md) and, later, the JSON Schemas for editors. Checks
that depend on other values (``full_since`` only for a 正式党员, ``group`` only
for a 党小组会) live in :mod:`zhibu.format.load`, next to the model they build.
"""

from __future__ import annotations

import datetime as dt
import difflib
import itertools
import re
from dataclasses import dataclass
from typing import Any, Callable

from ..model.findings import Source
from ..model.vocabulary import (
    CATEGORIES,
    CHANGE_ACTIONS,
    DISCIPLINE_KINDS,
    GENDERS,
    PLAN_KINDS,
    RECORD_TYPES,
    RESOLUTION_KINDS,
    ROLES,
    STATUSES,
    TALK_FORMS,
    TYPE_ALIASES,
    canonical_type,
)


@dataclass(frozen=True)
class Field:
    """One key of a mapping. ``kind`` is one of the checkers in ``_CHECKERS``."""

    name: str
    kind: str
    doc: str
    required: bool = False
    choices: tuple = ()
    fields: tuple["Field", ...] = ()  # for kind "map" and "maps"
    shorthand: str | None = None  # for "maps": a bare string stands for {shorthand: string}
    short: str | None = None  # the Chinese name, when the first words of ``doc`` are not it

    @property
    def label(self) -> str:
        """The field's Chinese name for messages and commit messages (the key means nothing to users)."""
        return self.short or re.split(r"[，（；。：:(]", self.doc, maxsplit=1)[0]


@dataclass(frozen=True)
class FileKind:
    """One kind of file in a branch: where it lives, what it holds, who reads it.

    ``pattern`` is the one matcher every part of zhibu uses (:func:`kind_for_path`): a file
    name (``zhibu.yaml``), a folder pattern (``records/<YYYY>/*.yaml``: ``<YYYY>`` is a
    four-digit year, ``*`` any name not starting with a dot) or a free-form folder
    (``attachments/``: anything below it, never read).
    """

    key: str  # also the JSON Schema's name, <key>.json (kinds with fields only)
    pattern: str
    title: str  # the Chinese name, in messages, the audit log and docs/format.md
    fields: tuple[Field, ...] = ()  # the field table; () for files checked elsewhere (packs, holidays)
    list_key: str | None = None  # the key holding the file's main list, if any
    builder: str | None = None  # the loader's method (format/load.py, ``_Builder``) that builds the model
    model: str | None = None  # the Branch attribute (model/branch.py) the builder's values go to
    required: bool = False  # a branch without it is reported (format.missing-field)
    hook: str = "branch"  # pre-commit hook: "alone" judges a changed file on its own, "branch" the whole branch
    audited: bool = True  # audit.uncommitted reports it when changed and not committed
    overview: bool = False  # ``zhibu log`` without --record/--member shows its changes
    doc: str = ""  # the line of docs/format.md's table of files, when it says more than ``title``

    @property
    def schema(self) -> str | None:
        """The JSON Schema's file name (``record.json``), for kinds with a field table."""
        return f"{self.key}.json" if self.fields else None

    @property
    def free(self) -> bool:
        """A folder of any files, never read or checked (``attachments/``)."""
        return self.pattern.endswith("/")

    @property
    def folder(self) -> str | None:
        """The top folder of a folder kind (``records``), None for a file in the branch root."""
        return self.pattern.split("/", 1)[0] if "/" in self.pattern else None

    @property
    def summary(self) -> str:
        return self.doc or self.title

    @property
    def editor_glob(self) -> str:
        """The files of this kind as a VS Code glob (``records/**/*.yaml``, ``talks/*.yaml``)."""
        parts = self.pattern.split("/")
        if len(parts) > 2:
            parts = [parts[0], "**", parts[-1]]
        return "/".join(parts).replace("<YYYY>", "*")


def F(name, kind, doc, required=False, choices=(), fields=(), shorthand=None, short=None) -> Field:
    return Field(name, kind, doc, required, tuple(choices), tuple(fields), shorthand, short)


def label_of(kind: FileKind, key: str) -> str:
    """The Chinese name of a top-level key of ``kind`` (or of its list's entries); the key itself if unknown."""
    fields = {f.name: f for f in kind.fields}
    if kind.list_key and kind.list_key in fields:
        fields = {**{f.name: f for f in fields[kind.list_key].fields}, **fields}
    field = fields.get(key)
    return field.label if field else key


TYPE_CHOICES = RECORD_TYPES + tuple(TYPE_ALIASES)

BRANCH = FileKind(
    "branch",
    "zhibu.yaml",
    "支部基本信息与设置",
    (
        F("format", "format", "格式版本，目前为 1", required=True),
        F("name", "text", "党组织全称", required=True),
        F("short_name", "text", "简称，用于文件页眉"),
        F("code", "code", "党组织编码（字符串，请加引号）"),
        F("parent", "text", "上级党组织全称", required=True),
        F("category", "enum", "单位类别", required=True, choices=CATEGORIES),
        F("founded", "date", "成立日期"),
        F("groups", "groups", "党小组名称列表；年中新设的党小组可写成 {name: 第三党小组, since: 2026-07-01}"),
        F("theme_day", "theme_day", "固定主题党日，如 每月最后一个周五、每月20日；可加“遇节假日顺延”"),
        F("standard", "texts", "按顺序适用的规则包（T、X），基本标准 B 总是最先适用"),
        F("venue", "text", "党员活动阵地（活动室名称和地点），评星定级“有阵地”据此判断"),
    ),
    builder="config",  # format/load.py _build_config, first: the other builders need its groups
    model="config",
    overview=True,
)

MEMBER_FIELDS = (
    F("name", "text", "姓名，名册内唯一；重名时按习惯区分，如 王芳（大）", required=True),
    F("gender", "enum", "性别", choices=GENDERS),
    F("status", "enum", "党员身份", required=True, choices=STATUSES),
    F("admitted", "date", "入党时间（接收为预备党员的日期）", required=True),
    F("full_since", "date", "转正日期（正式党员必填）"),
    F("joined", "date", "转入本支部（入册）日期", required=True),
    F(
        "left",
        "map",
        "离开本支部：{date: 日期, reason: 原因}",
        fields=(F("date", "date", "离开日期", required=True), F("reason", "text", "原因")),
    ),
    F("group", "text", "所在党小组（须为 zhibu.yaml 中的 groups 之一）"),
    F("tags", "texts", "标签，如 领导干部 流动党员 退休 出国境 困难党员"),
    F(
        "discipline",
        "map",
        "党纪处分：{kind: 留党察看, from: 日期, until: 日期}",
        fields=(
            F("kind", "enum", "处分种类", required=True, choices=DISCIPLINE_KINDS),
            F("from", "date", "起始日期", required=True),
            F("until", "date", "截止日期"),
        ),
    ),
    F(
        "dues_paid_to",
        "yearmonth",
        "转入时组织关系介绍信注明的“党费已交到”的月份，如 2025-02；不写时从转入的次月起在本支部交纳",
        short="党费已交到",
    ),
)

MEMBERS = FileKind(
    "members",
    "members.yaml",
    "党员名册",
    (F("members", "maps", "党员列表", required=True, fields=MEMBER_FIELDS),),
    list_key="members",
    builder="members",
    model="members",
    required=True,
    overview=True,
)

SEAT_FIELDS = (
    F("name", "text", "姓名", required=True),
    F("role", "enum", "职务", required=True, choices=ROLES),
    F("approved", "date", "上级批准日期（书记、副书记）"),
)

CHANGE_FIELDS = (
    F("date", "date", "日期", required=True),
    F("name", "text", "姓名", required=True),
    F("role", "enum", "职务", required=True, choices=ROLES),
    F("action", "enum", "变动：离任 补选 调整", required=True, choices=CHANGE_ACTIONS),
    F("reason", "text", "原因"),
    F("approved", "date", "上级批准日期（书记、副书记）"),
)

TERM_FIELDS = (
    F("elected", "date", "选举日期（选举产生本届委员会的支部党员大会）", required=True),
    F("term_years", "int", "任期年数；不写时按标准默认"),
    F("extended_to", "date", "经上级批准延期至"),
    F("members", "maps", "委员及分工", required=True, fields=SEAT_FIELDS),
    F("changes", "maps", "届中变动，按时间先后", fields=CHANGE_FIELDS),
)

COMMITTEE = FileKind(
    "committee",
    "committee.yaml",
    "支部委员会",
    (
        F("terms", "maps", "历届委员会，最早的在前，最后一届为现任", required=True, fields=TERM_FIELDS),
        F("group_leaders", "leaders", "党小组组长：{党小组: 姓名}；换过组长的写历任 [{name: 姓名, since: 日期}, …]"),
    ),
    list_key="terms",
    builder="committee",
    model="committee",
    required=True,
    overview=True,
)

RESOLUTION_FIELDS = (
    F("text", "text", "决议内容", required=True),
    F("kind", "enum", "决议种类", choices=RESOLUTION_KINDS),
    F(
        "votes",
        "map",
        "表决：{for: 赞成, against: 反对, abstain: 弃权}",
        fields=(
            F("for", "count", "赞成票", required=True),
            F("against", "count", "反对票"),
            F("abstain", "count", "弃权票"),
            F(
                "written",
                "count",
                "其中书面意见：因故不能到会的有表决权党员会前正式提交的（接收预备党员、预备党员转正时计入票数）",
            ),
        ),
    ),
    F("adopted", "bool", "是否通过，默认 true"),
    F(
        "person",
        "text",
        "决议涉及的人（接收、转正、延长预备期、取消预备党员资格、处分、表彰的对象）；不写时从决议内容中的姓名判断",
    ),
    F(
        "ballots",
        "map",
        "选举（含补选）的选票：{issued: 发出, returned: 收回}",
        fields=(F("issued", "count", "发出选票数", required=True), F("returned", "count", "收回选票数", required=True)),
    ),
    F(
        "candidates",
        "maps",
        "选举（含补选）的候选人及得票：{name: 姓名, votes: 赞成票, elected: 是否当选（默认 true，未当选的写 false）}",
        fields=(
            F("name", "text", "候选人姓名", required=True),
            F("votes", "count", "所得赞成票", required=True),
            F("elected", "bool", "是否记为当选，默认 true"),
        ),
    ),
)

RECORD = FileKind(
    "record",
    "records/<YYYY>/*.yaml",
    "会议与活动记录（一册）",
    (
        F("type", "types", "会议类型，或合并召开时的类型列表", required=True, choices=TYPE_CHOICES),
        F("date", "date", "日期", required=True),
        F("time", "text", '起止时间，如 "14:30-16:00"（请加引号）'),
        F("place", "text", "地点", required=True),
        F("host", "text", "主持人", required=True),
        F("recorder", "text", "记录人", required=True),
        F("attendees", "texts", "到会人员", required=True),
        F(
            "absent",
            "maps",
            "缺席人员及原因：{name: 姓名, reason: 原因}",
            fields=(F("name", "text", "姓名", required=True), F("reason", "text", "缺席原因")),
            shorthand="name",
        ),
        F("guests", "texts", "列席人员（不核对名册）"),
        F("group", "text", "党小组（党小组会必填）"),
        F("lecturer", "text", "党课主讲人（党课必填）"),
        F("theme", "text", "主题党日的主题（主题党日必填）"),
        F("topics", "texts", "议题，至少一项", required=True),
        F("content", "text", "会议内容、发言要点"),
        F("resolutions", "maps", "决议", fields=RESOLUTION_FIELDS),
        F("counts_as", "enums", "在一表中另计为 学习 和/或 活动", choices=PLAN_KINDS, short="另计为"),
        F("plan", "text", "本记录落实的计划条目编号，如 2026-03-学习-1", short="计划条目"),
        F("delegated", "text", "书记委托他人主持的说明", short="委托主持"),
        F("attachments", "texts", "附件路径"),
        F("for_year", "year", "所属年度：次年1至3月召开的上一年度组织生活会、民主评议党员写上一年，如 2025"),
        F("dues_published", "bool", "本次会议或公示向党员公布了党费收缴、使用情况时写 true", short="公布党费收缴情况"),
    ),
    builder="record",
    model="records",
    hook="alone",
)

TALK_FIELDS = (
    F("date", "date", "日期", required=True),
    F("between", "pair", "谈话双方 [甲, 乙]", required=True, short="谈话双方"),
    F("form", "enum", "形式", choices=TALK_FORMS),
)

TALKS = FileKind(
    "talks",
    "talks/<YYYY>.yaml",
    "谈心谈话登记",
    (F("talks", "maps", "谈话列表（只记谁与谁、何时，不记内容）", required=True, fields=TALK_FIELDS),),
    list_key="talks",
    builder="talks",
    model="talks",
    hook="alone",
)

PLAN_ITEM_FIELDS = (
    F("id", "text", "条目编号，如 2026-01-学习-1"),
    F("month", "month", "月份 1-12", required=True, short="月份"),
    F("kind", "enum", "学习 或 活动", required=True, choices=PLAN_KINDS, short="类别"),
    F("topic", "text", "内容", required=True),
    F("type", "type", "预计的记录类型", choices=TYPE_CHOICES),
    F("date", "date", "计划日期"),
    F("owner", "text", "责任人"),
)

PLAN = FileKind(
    "plan",
    "plans/<YYYY>.yaml",
    "年度计划（一表）",
    (
        F("year", "year", "年份", required=True),
        F("items", "maps", "计划条目", required=True, fields=PLAN_ITEM_FIELDS),
    ),
    list_key="items",
    builder="plan",
    model="plans",
    hook="alone",
)

APPLICANT_FIELDS = (
    F("name", "text", "姓名", required=True),
    F("applied", "date", "递交入党申请书"),
    F("talked", "date", "党组织派人谈话"),
    F("activist", "date", "确定为入党积极分子"),
    F("candidate", "date", "确定为发展对象"),
    F("admitted", "date", "支部党员大会接收为预备党员", short="接收为预备党员"),
    F("full", "full", "转正日期，或 {extended_to: 日期} 表示延长预备期"),
)

DEVELOPMENT = FileKind(
    "development",
    "development.yaml",
    "发展党员",
    (F("people", "maps", "入党申请人、积极分子、发展对象", required=True, fields=APPLICANT_FIELDS),),
    list_key="people",
    builder="applicants",
    model="applicants",
)

DUES = FileKind(
    "dues",
    "dues/<YYYY>.yaml",
    "党费",
    (
        F("year", "year", "年份", required=True),
        F("monthly", "number_map", "年初核定的月交纳额（元）：{姓名: 金额}"),
        F(
            "paid",
            "maps",
            "交纳记录",
            fields=(
                F("name", "text", "姓名", required=True),
                F("months", "months", "所交月份列表", required=True, short="所交月份"),
                F("amount", "number", "金额（元）"),
                F("date", "date", "交纳日期"),
            ),
        ),
    ),
    list_key="paid",
    builder="dues",
    model="dues",
    hook="alone",
)

WAIVERS = FileKind(
    "waivers",
    "waivers.yaml",
    "经批准的例外",
    (
        F(
            "waivers",
            "maps",
            "例外列表",
            required=True,
            fields=(
                F("code", "text", "规则码", required=True),
                F("period", "period", "期间：月 2026-02、季度 2026Q1、半年 2026H1 或年 2026", required=True),
                F("reason", "text", "原因", required=True),
                F("approved_by", "text", "批准的党组织"),
                F("approved", "date", "批准日期"),
                F("expires", "date", "失效日期"),
                F(
                    "subject",
                    "text",
                    "只豁免关于这名党员（或党小组）的发现，如免交党费的党员；不写时豁免该期间的全部同类发现",
                    short="豁免对象",
                ),
            ),
        ),
    ),
    list_key="waivers",
    builder="waivers",
    model="waivers",
)

FILE_KINDS: tuple[FileKind, ...] = (BRANCH, MEMBERS, COMMITTEE, RECORD, TALKS, PLAN, DEVELOPMENT, DUES, WAIVERS)
"""The kinds with a field table: the loader builds each into the model, each has a JSON Schema."""

# Files of the branch that other parts check: a rule pack by the standard (standard/layers.py,
# read when zhibu.yaml lists it; a pack listed from elsewhere in the branch is a pack too), the
# working-day calendar by store/holidays.py. Attachments are the branch's own business.
PACK = FileKind("pack", "standards/*.yaml", "规则包", doc="本支部适用的 T、X 规则包（见 [standard.md](standard.md)）")
HOLIDAYS = FileKind(
    "holidays", "holidays.yaml", "节假日与调休", doc="本支部补充的放假和调休上班日期（可选，见 [plan.md](plan.md)）"
)
ATTACHMENTS = FileKind("attachments", "attachments/", "附件", audited=False, doc="附件：扫描件、照片、签到表（任意文件，可选）")

ALL_KINDS: tuple[FileKind, ...] = (*FILE_KINDS, PACK, HOLIDAYS, ATTACHMENTS)
"""Every kind of file a branch holds. A YAML file outside all of them is ``format.unknown-file``."""

FREE_FOLDERS: tuple[str, ...] = tuple(k.folder for k in ALL_KINDS if k.free)


def _matcher(pattern: str) -> re.Pattern:
    if pattern.endswith("/"):
        return re.compile(re.escape(pattern) + ".*", re.S)
    pieces = {"<YYYY>": "[0-9]{4}", "*": "[^/.][^/]*"}  # a name, never a hidden one
    return re.compile("".join(pieces.get(p, re.escape(p)) for p in re.split(r"(<YYYY>|\*)", pattern)), re.S)


_MATCHERS = {k.key: _matcher(k.pattern) for k in ALL_KINDS}
_BY_NAME = {k.pattern: k for k in ALL_KINDS if k.folder is None}
_BY_FOLDER = {k.folder: k for k in ALL_KINDS if k.folder is not None}
assert len(_BY_NAME) + len(_BY_FOLDER) == len(ALL_KINDS), "one kind per file name and per folder"


def kind_for_path(rel: str) -> FileKind | None:
    """The kind of a branch-relative POSIX path, or None for a path outside every kind."""
    head, slash, _ = rel.partition("/")
    kind = _BY_FOLDER.get(head) if slash else _BY_NAME.get(rel)
    if kind is not None and (not slash or _MATCHERS[kind.key].fullmatch(rel)):
        return kind
    return None


def yml_meant(rel: str) -> str | None:
    """For ``records/2026/a.yml``, the ``.yaml`` path of a known kind it stands for (None otherwise)."""
    if not rel.endswith(".yml"):
        return None
    meant = rel[:-4] + ".yaml"
    kind = kind_for_path(meant)
    return meant if kind is not None and not kind.free else None


def is_audited(rel: str) -> bool:
    """Whether a path holds branch data whose changes belong in the audit trail: a file of a
    kind the trail looks at, or one of them misnamed ``.yml`` (attachments are not)."""
    kind = kind_for_path(yml_meant(rel) or rel)
    return kind is not None and kind.audited


_YEAR = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?![0-9])")
_DAY = re.compile(r"((?:19|20)[0-9]{2})-[0-9]{1,2}-[0-9]{1,2}(?![0-9])")


def is_draft(rel: str) -> bool:
    """Whether a YAML file outside every kind is taken for the secretary's draft and left alone:
    one in the branch root named like no kind and not like a record (a date first). The manuals
    have drafts written there for ``zhibu meeting add --from 草稿.yaml``, and they stay behind
    after it; a file in a folder, or named like a kind's file, is never a draft."""
    return "/" not in rel and meant_for(rel) is None


def meant_for(rel: str) -> tuple[FileKind, str] | None:
    """The kind a YAML file outside every kind was probably meant to be, and the path it would
    have there: its top folder (or, in the branch root, its name) against the kinds' folders and
    file names by difflib; the year and file name it has are kept."""
    parts = rel.split("/")
    name = parts[-1][:-4] + ".yaml" if parts[-1].endswith(".yml") else parts[-1]
    if len(parts) == 1 and (day := _DAY.match(name)):  # 2026-03-05-支部委员会.yaml: a record
        return RECORD, f"records/{day.group(1)}/{name}"
    if len(parts) == 1:
        word = name.removesuffix(".yaml").lower()
        targets = {(k.folder or k.pattern.removesuffix(".yaml")): k for k in ALL_KINDS if not k.free}
    else:
        word = parts[0].lower()
        targets = {k.folder: k for k in ALL_KINDS if k.folder is not None}
    best, score = None, 0.6  # difflib.get_close_matches' cutoff
    for target, kind in targets.items():
        ratio = difflib.SequenceMatcher(None, word, target).ratio()
        if ratio > score:
            best, score = kind, ratio
    if best is None:
        return None
    if best.free:
        return best, best.pattern + "/".join(parts[1:] or [name])
    year = _YEAR.search(rel)
    filled = [
        name if piece == "*.yaml" else piece.replace("<YYYY>", year.group() if year else "<YYYY>")
        for piece in best.pattern.split("/")
    ]
    return best, "/".join(filled)


def unknown_file_hint(rel: str) -> str:
    """The hint of ``format.unknown-file``: where the file probably belongs, and where other files go."""
    free = "、".join(f"{k.pattern}" for k in ALL_KINDS if k.free)
    guess = meant_for(rel)
    if guess is None:
        known = "、".join(k.pattern for k in ALL_KINDS if not k.free)
        return f"支部仓库中的 YAML 文件只能是：{known}（见 docs/format.md）；其他文件请放进 {free}（不作检查）。"
    kind, path = guess
    if kind.free:
        return f"是否应放在 {path}？{free} 中的文件不作检查。"
    return f"是否应为 {path}？{kind.title}的文件是 {kind.pattern}；不属于任何一类的文件请放进 {free}（不作检查）。"


# --- validation -----------------------------------------------------------------

Emit = Callable[[str, Source, str, str], None]  # (code, source, message, hint)

_INVALID = object()


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "布尔值"
    if isinstance(value, (int, float)):
        return "数字"
    if isinstance(value, dt.date):
        return "日期"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "映射"
    if value is None:
        return "空值"
    return "文本"


def _text(value, field, src, emit):
    if isinstance(value, str):
        if not value.strip():
            emit("format.bad-value", src, f"字段 {field.name} 为空", f"填写{field.doc}。")
            return _INVALID
        return value.strip()
    if isinstance(value, (int, float, dt.date)) and not isinstance(value, bool):
        return str(value)
    emit("format.bad-value", src, f"字段 {field.name} 应为文本，实为{_type_name(value)}", f"填写{field.doc}。")
    return _INVALID


def _code(value, field, src, emit):
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        emit(
            "format.bad-value",
            src,
            f"字段 {field.name} 写成了数字 {value}，开头的 0 会丢失",
            f'给编码加上引号，如 {field.name}: "{value:012d}"。',
        )
        return _INVALID
    return _text(value, field, src, emit)


def _date(value, field, src, emit):
    if isinstance(value, dt.date):
        return value
    hint = "日期写成 YYYY-MM-DD，如 2026-03-05（不加引号）。"
    if isinstance(value, str):
        emit("format.bad-value", src, f"字段 {field.name} 的值“{value}”不是有效日期", hint)
    else:
        emit("format.bad-value", src, f"字段 {field.name} 应为日期，实为{_type_name(value)}", hint)
    return _INVALID


def _int_in(low, high, what):
    def check(value, field, src, emit):
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        emit("format.bad-value", src, f"字段 {field.name} 的值“{value}”不是有效的{what}", f"填写 {low} 到 {high} 之间的整数。")
        return _INVALID

    return check


def _number(value, field, src, emit):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 and value == value:
        try:
            amount = float(value)
        except OverflowError:  # an int beyond any float (10**400)
            amount = float("inf")
        if amount != float("inf"):
            return amount
    emit("format.bad-value", src, f"字段 {field.name} 的值“{value}”不是有效金额", "填写不小于 0 的数字，如 85.50。")
    return _INVALID


def _bool(value, field, src, emit):
    if isinstance(value, bool):
        return value
    emit("format.bad-value", src, f"字段 {field.name} 应为 true 或 false，实为“{value}”", "写 true 或 false。")
    return _INVALID


def _enum(value, field, src, emit):
    if isinstance(value, str) and value.strip() in field.choices:
        return value.strip()
    suggestion = _nearest(str(value), field.choices)
    hint = f"可选值：{' '.join(c for c in field.choices if c not in TYPE_ALIASES)}。"
    if suggestion:
        hint = f"是否应为“{suggestion}”？" + hint
    emit("format.bad-value", src, f"字段 {field.name} 的值“{value}”不是规定的{field.doc}", hint)
    return _INVALID


def _record_type(value, field, src, emit):
    canonical = canonical_type(value.strip()) if isinstance(value, str) else None
    if canonical is None:
        _enum(value, field, src, emit)
        return _INVALID
    return canonical


def _types(value, field, src, emit):
    items = value if isinstance(value, list) else [value]
    if not items:
        emit("format.bad-value", src, "字段 type 为空列表", "写一个会议类型，或合并召开时写类型列表。")
        return _INVALID
    out = []
    for i, item in enumerate(items):
        checked = _record_type(item, field, src.at(i) if isinstance(value, list) else src, emit)
        if checked is _INVALID:
            return _INVALID
        if checked not in out:
            out.append(checked)
    return tuple(out)


def _list_of(item_check):
    def check(value, field, src, emit):
        if value is None:
            return ()
        if not isinstance(value, list):
            emit(
                "format.bad-value",
                src,
                f"字段 {field.name} 应为列表，实为{_type_name(value)}",
                f"写成列表，如 {field.name}: [甲, 乙]，或每项一行“- 甲”。",
            )
            return _INVALID
        out = []
        for i, item in enumerate(value):
            if item_check is _text and type(item) is str and (stripped := item.strip()):
                out.append(stripped)  # the common case, without building a location for it
                continue
            # The item's own line goes with any message, so the field itself names it well enough.
            checked = item_check(item, field, src.at(i), emit)
            if checked is not _INVALID:
                out.append(checked)
        return tuple(out)

    return check


_GROUP_FIELDS = (F("name", "text", "党小组名称", required=True), F("since", "date", "设立日期"))


def _groups(value, field, src, emit):
    """Group names, each a string or {name, since} (since: the day the group was set up)."""
    if value is None:
        return ()
    if not isinstance(value, list):
        emit("format.bad-value", src, f"字段 {field.name} 应为列表", "写成 groups: [第一党小组, 第二党小组]。")
        return _INVALID
    out = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            checked = check_mapping(
                item,
                _GROUP_FIELDS,
                src.at(i),
                emit,
                f"groups 第 {i + 1} 项",
            )
            if checked and "name" in checked:
                out.append((checked["name"], checked.get("since")))
            continue
        name = _text(item, Field(f"groups[{i + 1}]", "text", "党小组名称"), src.at(i), emit)
        if name is not _INVALID:
            out.append((name, None))
    return tuple(out)


def _pair(value, field, src, emit):
    names = _list_of(_text)(value, field, src, emit)
    if names is _INVALID:
        return _INVALID
    if len(names) != 2 or names[0] == names[1]:
        emit("format.bad-value", src, f"字段 {field.name} 应恰好写两个不同的人", "写成 between: [甲, 乙]。")
        return _INVALID
    return names


def _months(value, field, src, emit):
    months = _list_of(_int_in(1, 12, "月份"))(value, field, src, emit)
    if months is _INVALID or not months:
        if months == ():
            emit("format.bad-value", src, f"字段 {field.name} 为空", "写所交月份，如 months: [1, 2, 3]。")
        return _INVALID
    return tuple(sorted(set(months)))


def _yearmonth(value, field, src, emit):
    """A month written 2025-02 (YAML reads it as text), as (year, month)."""
    import re

    m = re.fullmatch(r"(\d{4})-(\d{1,2})", value.strip()) if isinstance(value, str) else None
    if m and 1921 <= int(m[1]) <= 2200 and 1 <= int(m[2]) <= 12:
        return int(m[1]), int(m[2])
    emit("format.bad-value", src, f"字段 {field.name} 的值“{value}”不是有效月份", "写成 年-月，如 2025-02。")
    return _INVALID


def _period(value, field, src, emit):
    from ..model.periods import Period

    period = Period.parse(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
    if period is None:
        emit(
            "format.bad-value",
            src,
            f"字段 {field.name} 的值“{value}”不是有效期间",
            "写 2026-02（月）、2026Q1（季度）、2026H1（半年）或 2026（年）。",
        )
        return _INVALID
    return period.label


def _format(value, field, src, emit):
    if value == 1 and not isinstance(value, bool):
        return 1
    emit(
        "format.bad-value",
        src,
        f"不支持的格式版本“{value}”，本版本 zhibu 读取格式 1",
        "写 format: 1；如果仓库来自更新版本的 zhibu，请升级 zhibu。",
    )
    return _INVALID


def _theme_day(value, field, src, emit):
    from ..model.periods import parse_theme_day

    parsed = parse_theme_day(value)
    if parsed is None:
        emit(
            "format.bad-value",
            src,
            f"无法理解的主题党日规则“{value}”",
            "写成 每月20日、每月第1个周五、每月最后一个周五，或 {weekday: 5, nth: -1}；需要顺延时写 {rule: 每月20日, 顺延: 节假日}。",
        )
        return _INVALID
    return parsed


def _full(value, field, src, emit):
    if value is None or isinstance(value, dt.date):
        return value
    if isinstance(value, dict) and set(value) == {"extended_to"} and isinstance(value["extended_to"], dt.date):
        return {"extended_to": value["extended_to"]}
    emit("format.bad-value", src, f"字段 {field.name} 应为转正日期、null 或 {{extended_to: 日期}}", "如 full: 2026-10-12。")
    return _INVALID


def _name_map(value_check, what):
    def check(value, field, src, emit):
        if value is None:
            return ()
        if not isinstance(value, dict):
            emit("format.bad-value", src, f"字段 {field.name} 应为映射 {{名称: {what}}}", f"写成 {field.name}: {{甲: …}}。")
            return _INVALID
        out = []
        for key, item in value.items():
            checked = value_check(item, Field(f"{field.name}.{key}", field.kind, field.doc), src.at(key), emit)
            if checked is not _INVALID:
                out.append((str(key), checked))
        return tuple(out)

    return check


def _leaders(value, field, src, emit):
    """group_leaders: {党小组: 姓名}, {党小组: {name, since}}, or {党小组: [{name, since}, …]}
    (the leaders in turn, oldest first; only the first may omit since)."""
    if value is None:
        return ()
    hint = "写成 第一党小组: 张三，或 第一党小组: [{name: 陈志强}, {name: 张三, since: 2026-03-01}]。"
    if not isinstance(value, dict):
        emit("format.bad-value", src, f"字段 {field.name} 应为映射 {{党小组: 组长}}", hint)
        return _INVALID
    out = []
    for group, item in value.items():
        where = src.at(group)
        items = item if isinstance(item, list) else [item]
        entries = []
        for entry in items:
            if isinstance(entry, str) and entry.strip():
                entries.append((entry.strip(), None))
            elif (
                isinstance(entry, dict)
                and isinstance(entry.get("name"), str)
                and entry["name"].strip()
                and set(entry) <= {"name", "since"}
                and isinstance(entry.get("since", dt.date.min), dt.date)
            ):
                entries.append((entry["name"].strip(), entry.get("since")))
            else:
                emit("format.bad-value", where, f"{group}的组长应为姓名或 {{name: 姓名, since: 日期}}", hint)
                entries = None
                break
        if not entries:
            continue
        dates = [since for _, since in entries]
        if None in dates[1:] or any(b <= a for a, b in itertools.pairwise(dates) if a and b):
            emit("format.bad-value", where, f"{group}的历任组长应按 since 从早到晚排列，除第一位外都要写 since", hint)
            continue
        out.append((str(group), tuple(entries)))
    return tuple(out)


_CHECKERS: dict[str, Callable] = {
    "text": _text,
    "code": _code,
    "date": _date,
    "int": _int_in(1, 20, "年数"),
    "count": _int_in(0, 10_000, "票数"),
    "month": _int_in(1, 12, "月份"),
    "year": _int_in(1921, 2200, "年份"),
    "number": _number,
    "bool": _bool,
    "enum": _enum,
    "type": _record_type,
    "types": _types,
    "texts": _list_of(_text),
    "enums": _list_of(_enum),
    "pair": _pair,
    "groups": _groups,
    "months": _months,
    "period": _period,
    "yearmonth": _yearmonth,
    "format": _format,
    "theme_day": _theme_day,
    "full": _full,
    "name_map": _name_map(_text, "姓名"),
    "leaders": _leaders,
    "number_map": _name_map(_number, "金额"),
}

# Keys people type in Chinese or by habit, mapped to the format's key.
_SYNONYMS = {
    "日期": "date",
    "时间": "time",
    "地点": "place",
    "主持人": "host",
    "主持": "host",
    "记录人": "recorder",
    "记录": "recorder",
    "参会人员": "attendees",
    "出席": "attendees",
    "到会": "attendees",
    "缺席": "absent",
    "列席": "guests",
    "议题": "topics",
    "主题": "theme",
    "内容": "content",
    "决议": "resolutions",
    "类型": "type",
    "姓名": "name",
    "性别": "gender",
    "党小组": "group",
    "主讲人": "lecturer",
    "原因": "reason",
    "status_": "status",
    "topic": "topics",
    "attendee": "attendees",
    "absentees": "absent",
    "absence": "absent",
    "kind_": "kind",
    "guest": "guests",
    "resolution": "resolutions",
    "members_": "members",
}


def _nearest(key: str, candidates) -> str | None:
    if key in _SYNONYMS and _SYNONYMS[key] in candidates:
        return _SYNONYMS[key]
    matches = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


# id(fields) -> (fields, {name: field}); keeping ``fields`` in the entry makes a reused id harmless.
_KNOWN: dict[int, tuple[tuple, dict[str, Field]]] = {}


def check_mapping(data: Any, fields: tuple[Field, ...], src: Source, emit: Emit, what: str) -> dict | None:
    """Validate a mapping against ``fields``; return the valid values (invalid ones dropped).

    Returns None when ``data`` is not a mapping at all (already reported).
    """
    if not isinstance(data, dict):
        emit(
            "format.bad-value", src, f"{what or '文件内容'}应为“键: 值”的映射，实为{_type_name(data)}", "参照格式说明的示例改写。"
        )
        return None
    cached = _KNOWN.get(id(fields))
    if cached is None or cached[0] is not fields:
        cached = _KNOWN[id(fields)] = (fields, {f.name: f for f in fields})
    known = cached[1]
    out: dict[str, Any] = {}
    for key, value in data.items():
        field = known.get(key) if isinstance(key, str) else None
        if field is None:
            suggestion = _nearest(str(key), known)
            hint = f"是否应为“{suggestion}”？" if suggestion else f"可用的键：{' '.join(known)}。"
            emit("format.unknown-field", src.at(key), f"{what + '中' if what else ''}有格式未定义的键“{key}”", hint)
            continue
        if value is None and field.kind not in ("full",):
            if field.required:
                emit("format.missing-field", src.at(key), f"{what}的必填字段 {key} 为空", f"填写{field.doc}。")
            continue
        kind = field.kind
        # Fast paths for the values almost every file is made of; anything else is checked in full.
        if kind == "text" and type(value) is str and (stripped := value.strip()):
            out[key] = stripped
            continue
        if kind == "date" and type(value) is dt.date:
            out[key] = value
            continue
        checked = check_value(value, field, src.lazy(key), emit)
        if checked is not _INVALID:
            out[key] = checked
    for field in fields:
        if field.required and field.name not in data:
            emit("format.missing-field", src, f"{what}缺少必填字段 {field.name}", f"补上 {field.name}（{field.doc}）。")
    return out


def check_value(value: Any, field: Field, src: Source, emit: Emit) -> Any:
    if field.kind == "map":
        checked = check_mapping(value, field.fields, src, emit, f"字段 {field.name} ")
        return _INVALID if checked is None else checked
    if field.kind == "maps":
        if not isinstance(value, list):
            emit("format.bad-value", src, f"字段 {field.name} 应为列表，实为{_type_name(value)}", "每项一行，以“- ”开头。")
            return _INVALID
        out = []
        for i, item in enumerate(value):
            if field.shorthand and isinstance(item, str) and item.strip():
                item = {field.shorthand: item}
            checked = check_mapping(item, field.fields, src.at(i), emit, f"{field.name} 第 {i + 1} 项")
            if checked is not None:
                out.append((i, checked))
        return out
    return _CHECKERS[field.kind](value, field, src, emit)


INVALID = _INVALID
