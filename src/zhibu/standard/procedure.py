"""发展党员: the procedure of 《中国共产党发展党员工作细则》 as data, and a person's timeline on it.

``data/procedure.yaml`` lists every step in order, grouped in five stages, with who acts, the
evidence it leaves, the steps it depends on, its conditions (time limits, people) and the
source text. :func:`parse_procedure` validates that data into frozen values (refusing bad data
with every problem at once); :func:`procedure` is the built-in one, read once.

:func:`timeline` lays a person's known dates over the steps: which are done (with their date),
which are implied by a later recorded step (done, but nothing records when), which can be done
next and by when, and which are still waiting. Intervals are calendar months and years
(``model.periods.add_months``): one month after 31 January is 28/29 February, one year after
29 February is 28 February. :func:`applicant_dates` reads the six dates development.yaml records
today; :func:`branch_dates` adds what the branch's meeting records and roster say.

Pure: no I/O beyond reading the shipped data file through ``store.yamlio``.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import Any

from ..errors import ZhibuError
from ..model.periods import PERIOD_KINDS, Period, add_months
from ..model.vocabulary import RECORD_TYPES, RESOLUTION_KINDS, STATUSES

ACTORS: tuple[str, ...] = ("本人", "培养联系人", "入党介绍人", "支部", "支委会", "支部大会", "上级党委")
SEVERITIES: tuple[str, ...] = ("error", "warning")
# What the source text says, and the severity that follows from it (docs/development-procedure.md).
SAYS: dict[str, str] = {
    "必须": "error",
    "应当": "error",
    "不得": "error",
    "不能": "error",
    "规定": "error",  # the article states the duty without a modal word
    "一般": "warning",
    "可延长": "warning",  # 应当, with an exception the text itself allows
    "地方规定": "warning",  # no central provision found; local rules and handbooks require it
    "本标准": "warning",  # the text has a word without a number (及时); the number is zhibu's reading
}
SOURCE_STATUSES: tuple[str, ...] = ("quoted", "number-unverified", "restated", "local")
EVIDENCE_KINDS: tuple[str, ...] = ("meeting", "attachment", "date", "people")
LEGACY_FIELDS: tuple[str, ...] = ("applied", "talked", "activist", "candidate", "admitted", "full")
LEGACY_MEANS: tuple[str, ...] = ("step", "outcome")

# Each kind of condition: its parameters and the direction a pack may move each one
# ("down": only smaller, "up": only larger, "shorter": a shorter period; "fixed": not a number).
CONDITION_KINDS: dict[str, dict[str, str]] = {
    "within": {"years": "down", "months": "down", "days": "down"},  # done within this long after `from`
    "not-before": {"years": "up", "months": "up", "days": "up"},  # not earlier than this long after `from`
    "every": {"period": "shorter"},  # at least once in every calendar period while the step runs
    "duration": {"min_days": "up", "min_hours": "up"},  # lasts at least this long (either figure)
    "people": {"min": "up", "max": "down"},  # this many people in `role`, each of `status`
    "not-leaving": {"months": "up"},  # the person is not leaving within this long
}
_INTERVAL_KINDS = frozenset({"within", "not-before", "not-leaving"})
_ANCHORED_KINDS = frozenset({"within", "not-before"})
_KEY = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_PERIOD_ORDER = {kind: i for i, kind in enumerate(PERIOD_KINDS)}  # month < quarter < half < year

# Step statuses in a timeline, and their Chinese names for people.
DONE, IMPLIED, AVAILABLE, WAITING, ONGOING, CLOSED = "done", "implied", "available", "waiting", "ongoing", "closed"
STATUS_NAMES: dict[str, str] = {
    DONE: "已完成",
    IMPLIED: "应已完成（后续步骤已记录，本步骤无记录）",
    AVAILABLE: "可办理",
    WAITING: "未到",
    ONGOING: "进行中",
    CLOSED: "已结束",
}


class ProcedureError(ZhibuError):
    """The procedure data is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[str]):
        self.problems = tuple(problems)
        super().__init__("发展党员程序数据有误：" + "；".join(self.problems), "核对 data/procedure.yaml 或规则包中的程序参数。")


# --- values ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stage:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class SourceText:
    document: str
    article: str | None  # e.g. 第七条; None when the number is not confirmed
    text: str  # verbatim, as read at ``url``
    url: str
    status: str  # one of SOURCE_STATUSES
    note: str | None = None

    @property
    def citation(self) -> str:
        where = f"《{self.document}》{self.article or ''}"
        return f"{where}：“{self.text}”"


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str  # one of EVIDENCE_KINDS
    type: str | None = None  # meeting: a record type (model/vocabulary.RECORD_TYPES)
    resolution: str | None = None  # meeting: the resolution kind that decides the step
    what: str | None = None  # attachment: the document's name
    role: str | None = None  # people: 培养联系人, 入党介绍人


@dataclass(frozen=True, slots=True)
class Condition:
    step: str
    key: str
    kind: str  # one of CONDITION_KINDS
    params: tuple[tuple[str, Any], ...]  # the tightenable parameters, in a fixed order
    severity: str
    says: str
    anchor: str | None = None  # within / not-before: the step the interval runs from
    role: str | None = None  # people
    status: str | None = None  # people: every one of them is a 正式党员
    extendable: bool = False  # the years are the probation: a recorded extension (延长预备期) replaces them

    @property
    def id(self) -> str:
        """``step.key``: how a pack addresses this condition's parameters."""
        return f"{self.step}.{self.key}"

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)

    def shift(self, day: dt.date, extended_to: dt.date | None = None) -> dt.date:
        """``day`` moved by this condition's interval (calendar years and months, then days).

        For an extendable condition the years are the probation: with ``extended_to`` the
        interval runs from the extension's end instead (its months and days still apply)."""
        months, days = self.param("months", 0), self.param("days", 0)
        if self.extendable and extended_to is not None:
            return shift(extended_to, months=months, days=days)
        return shift(day, years=self.param("years", 0), months=months, days=days)


@dataclass(frozen=True, slots=True)
class Step:
    key: str
    name: str
    stage: str
    actor: str
    after: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    conditions: tuple[Condition, ...]
    severity: str  # leaving the step out
    says: str
    sources: tuple[SourceText, ...]
    fallback_actor: str | None = None  # when the branch has no 支部委员会
    during: tuple[str, str] | None = None  # (from, until): a step that runs between two others
    enters: str | None = None  # the stage the person is in once this step is done
    legacy_field: str | None = None  # the development.yaml (format 1) field recording it
    legacy_means: str | None = None  # "step": that date is this step's; "outcome": its result

    @property
    def recurring(self) -> bool:
        return self.during is not None

    def condition(self, key: str) -> Condition | None:
        return next((c for c in self.conditions if c.key == key), None)


@dataclass(frozen=True, slots=True)
class Procedure:
    title: str
    document: str
    stages: tuple[Stage, ...]
    steps: tuple[Step, ...]
    _index: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._index.update({s.key: s for s in self.steps})

    def step(self, key: str) -> Step:
        return self._index[key]

    def stage(self, key: str) -> Stage:
        return next(s for s in self.stages if s.key == key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.steps)

    def dependents(self, key: str) -> tuple[str, ...]:
        """Steps that list ``key`` in their ``after``, in procedure order."""
        return tuple(s.key for s in self.steps if key in s.after)

    def ancestors(self, key: str) -> frozenset[str]:
        """Every step that must come before ``key`` (its ``after``, and theirs)."""
        out: set[str] = set()
        todo = list(self.step(key).after)
        while todo:
            k = todo.pop()
            if k not in out:
                out.add(k)
                todo.extend(self.step(k).after)
        return frozenset(out)

    def conditions(self) -> tuple[Condition, ...]:
        return tuple(c for s in self.steps for c in s.conditions)

    def condition(self, cid: str) -> Condition:
        step, _, key = cid.partition(".")
        found = self._index[step].condition(key) if step in self._index else None
        if found is None:
            raise KeyError(cid)
        return found

    def by_legacy(self) -> dict[str, Step]:
        return {s.legacy_field: s for s in self.steps if s.legacy_field}

    def tightened(self, overrides: Mapping[str, Mapping[str, Any]]) -> "Procedure":
        """The procedure with some conditions' parameters replaced, each only tightened.

        ``overrides`` maps a condition id (``talk-after-application.within``) to new
        parameter values. An unknown id or parameter, a value of the wrong type, or a looser
        value is refused (ProcedureError, every problem at once)."""
        problems = []
        replaced: dict[str, Condition] = {}
        for cid, values in overrides.items():
            try:
                cond = self.condition(cid)
            except KeyError:
                problems.append(f"没有条件 {cid}")
                continue
            params = dict(cond.params)
            for name, value in values.items():
                if cond.extendable and name == "years":
                    problems.append(f"{cid}.years：预备期为一年（党章第七条），不是规则包的参数")
                    continue
                if name not in params:
                    problems.append(f"{cid} 没有参数 {name}（可用：{'、'.join(params) or '无'}）")
                    continue
                problem = _tightening_problem(cond.kind, name, params[name], value)
                if problem:
                    problems.append(f"{cid}.{name}：{problem}")
                else:
                    params[name] = value
            replaced[cid] = replace(cond, params=tuple((k, params[k]) for k, _ in cond.params))
        if problems:
            raise ProcedureError(problems)
        steps = tuple(replace(s, conditions=tuple(replaced.get(c.id, c) for c in s.conditions)) for s in self.steps)
        return Procedure(self.title, self.document, self.stages, steps)


def shift(day: dt.date, *, years: int = 0, months: int = 0, days: int = 0) -> dt.date:
    """Calendar arithmetic, one unit after the other: ``years``, then ``months`` (each clamped to
    the month's end), then ``days``. A month after the year from 29 February 2024 is 28 March
    2025: the year ends on 28 February, the month counts from there."""
    return add_months(add_months(day, 12 * years), months) + dt.timedelta(days=days)


def _tightening_problem(kind: str, name: str, old: Any, new: Any) -> str | None:
    direction = CONDITION_KINDS[kind][name]
    if direction == "shorter":
        if new not in _PERIOD_ORDER:
            return f"应为 {'、'.join(PERIOD_KINDS)} 之一"
        return None if _PERIOD_ORDER[new] <= _PERIOD_ORDER[old] else f"只能收紧（{old} 或更短的期间），不能改为 {new}"
    if isinstance(new, bool) or not isinstance(new, int) or new < 0:
        return "应为非负整数"
    if direction == "down" and new > old:
        return f"只能收紧（不大于 {old}），不能改为 {new}"
    if direction == "up" and new < old:
        return f"只能收紧（不小于 {old}），不能改为 {new}"
    return None


# --- parsing and validation -----------------------------------------------------


def parse_procedure(data: Any) -> Procedure:
    """Validate parsed YAML into a Procedure; every problem is reported at once."""
    problems: list[str] = []
    if not isinstance(data, dict):
        raise ProcedureError(["顶层应为映射"])
    if data.get("version") != 1:
        problems.append(f"version 应为 1，而不是 {data.get('version')!r}")
    title, document = data.get("title"), data.get("document")
    for name, value in (("title", title), ("document", document)):
        if not isinstance(value, str) or not value.strip():
            problems.append(f"缺少 {name}")
    stages = _stages(data.get("stages"), problems)
    stage_keys = [s.key for s in stages]
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        problems.append("steps 应为非空列表")
        raw_steps = []
    all_keys = [item.get("key") for item in raw_steps if isinstance(item, dict)]
    steps: list[Step] = []
    seen: set[str] = set()
    for index, item in enumerate(raw_steps, 1):
        step = _step(item, index, stage_keys, seen, set(all_keys), problems)
        if step is not None:
            steps.append(step)
            seen.add(step.key)
    _check_whole(steps, stage_keys, problems)
    if problems:
        raise ProcedureError(problems)
    return Procedure(title.strip(), document.strip(), stages, tuple(steps))


def _stages(raw, problems) -> tuple[Stage, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append("stages 应为非空列表")
        return ()
    out = []
    for i, item in enumerate(raw, 1):
        key = item.get("key") if isinstance(item, dict) else None
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(key, str) or not _KEY.fullmatch(key) or not isinstance(name, str) or not name:
            problems.append(f"第 {i} 个阶段应有英文 key 和中文 name")
            continue
        if key in (s.key for s in out):
            problems.append(f"阶段 {key} 重复")
            continue
        out.append(Stage(key, name))
    return tuple(out)


def _step(item, index, stage_keys, earlier: set[str], all_keys: set[str], problems) -> Step | None:
    if not isinstance(item, dict):
        problems.append(f"第 {index} 步应为映射")
        return None
    key = item.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        problems.append(f"第 {index} 步的 key {key!r} 应为小写英文、数字和连字符")
        return None
    where = f"步骤 {key}"
    if key in earlier:
        problems.append(f"{where} 重复")
        return None
    start = len(problems)
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where} 缺少中文名称 name")
    stage = item.get("stage")
    if stage not in stage_keys:
        problems.append(f"{where} 的阶段 {stage!r} 不是 {'、'.join(stage_keys)} 之一")
    actor, fallback = item.get("actor"), item.get("fallback_actor")
    if actor not in ACTORS:
        problems.append(f"{where} 的办理人 {actor!r} 不是 {'、'.join(ACTORS)} 之一")
    if fallback is not None and fallback not in ACTORS:
        problems.append(f"{where} 的 fallback_actor {fallback!r} 不是 {'、'.join(ACTORS)} 之一")
    says, severity = item.get("says"), item.get("severity")
    _check_severity(where, says, severity, problems)

    during = item.get("during")
    after = item.get("after", [] if during is not None else None)
    if during is not None:
        if "after" in item:
            problems.append(f"{where} 是持续进行的步骤（during），不写 after")
        if not isinstance(during, dict) or set(during) != {"from", "until"}:
            problems.append(f"{where} 的 during 应为 {{from: 步骤, until: 步骤}}")
            during = None
        else:
            if during["from"] not in earlier:
                problems.append(f"{where} 的 during.from {during['from']!r} 应为排在它前面的步骤")
            if during["until"] not in all_keys or during["until"] == key:
                problems.append(f"{where} 的 during.until {during['until']!r} 不是已知的其他步骤")
            during = (during["from"], during["until"])
    if not isinstance(after, list) or not all(isinstance(a, str) for a in after):
        problems.append(f"{where} 的 after 应为步骤列表")
        after = []
    for dep in after:
        if dep == key:
            problems.append(f"{where} 不能依赖自己")
        elif dep not in earlier:
            known = "排在后面" if dep in all_keys else "未知"
            problems.append(f"{where} 依赖的步骤 {dep} {known}：after 只能引用排在前面的步骤")
    if len(set(after)) != len(after):
        problems.append(f"{where} 的 after 有重复")

    enters = item.get("enters")
    if enters is not None and enters not in stage_keys:
        problems.append(f"{where} 的 enters {enters!r} 不是已知阶段")
    evidence = _evidence(item.get("evidence"), where, problems)
    conditions = _conditions(item.get("conditions", []), key, where, earlier, problems)
    sources = _sources(item.get("sources"), where, problems)

    legacy = item.get("legacy")
    legacy_field = legacy_means = None
    if legacy is not None:
        if not isinstance(legacy, dict) or legacy.get("field") not in LEGACY_FIELDS or legacy.get("means") not in LEGACY_MEANS:
            problems.append(f"{where} 的 legacy 应为 {{field: {'|'.join(LEGACY_FIELDS)}, means: step|outcome}}")
        else:
            legacy_field, legacy_means = legacy["field"], legacy["means"]
    if len(problems) > start:
        return None
    return Step(
        key=key,
        name=name.strip(),
        stage=stage,
        actor=actor,
        after=tuple(after),
        evidence=evidence,
        conditions=conditions,
        severity=severity,
        says=says,
        sources=sources,
        fallback_actor=fallback,
        during=during,
        enters=enters,
        legacy_field=legacy_field,
        legacy_means=legacy_means,
    )


def _check_severity(where, says, severity, problems) -> None:
    if says not in SAYS:
        problems.append(f"{where} 的 says {says!r} 不是 {'、'.join(SAYS)} 之一")
    elif severity != SAYS[says]:
        problems.append(f"{where} 原文为“{says}”，severity 应为 {SAYS[says]}，而不是 {severity!r}")


def _evidence(raw, where, problems) -> tuple[Evidence, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where} 应列出留下的凭据 evidence")
        return ()
    out = []
    for item in raw:
        kind = item.get("kind") if isinstance(item, dict) else None
        if kind not in EVIDENCE_KINDS:
            problems.append(f"{where} 的凭据种类 {kind!r} 不是 {'、'.join(EVIDENCE_KINDS)} 之一")
            continue
        ev = Evidence(kind, item.get("type"), item.get("resolution"), item.get("what"), item.get("role"))
        if kind == "meeting":
            if ev.type not in RECORD_TYPES:
                problems.append(f"{where} 的会议类型 {ev.type!r} 不是记录类型")
            if ev.resolution is not None and ev.resolution not in RESOLUTION_KINDS:
                problems.append(f"{where} 的决议种类 {ev.resolution!r} 不是已知种类")
        elif kind == "attachment" and not (isinstance(ev.what, str) and ev.what.strip()):
            problems.append(f"{where} 的附件凭据应写明材料名称 what")
        elif kind == "people" and not (isinstance(ev.role, str) and ev.role.strip()):
            problems.append(f"{where} 的人员凭据应写明 role")
        out.append(ev)
    return tuple(out)


def _conditions(raw, step_key, where, earlier, problems) -> tuple[Condition, ...]:
    if not isinstance(raw, list):
        problems.append(f"{where} 的 conditions 应为列表")
        return ()
    out: list[Condition] = []
    for item in raw:
        key = item.get("key") if isinstance(item, dict) else None
        kind = item.get("kind") if isinstance(item, dict) else None
        if not isinstance(key, str) or not _KEY.fullmatch(key) or kind not in CONDITION_KINDS:
            problems.append(f"{where} 的条件应有英文 key 和 kind（{'、'.join(CONDITION_KINDS)}）")
            continue
        cwhere = f"条件 {step_key}.{key}"
        if any(c.key == key for c in out):
            problems.append(f"{cwhere} 重复")
            continue
        _check_severity(cwhere, item.get("says"), item.get("severity"), problems)
        allowed = CONDITION_KINDS[kind]
        params = tuple((name, item[name]) for name in allowed if name in item)
        extra = set(item) - set(allowed) - {"key", "kind", "says", "severity", "from", "role", "status", "extendable"}
        if extra:
            problems.append(f"{cwhere} 有未知字段 {'、'.join(sorted(extra))}")
        for name, value in params:
            if kind == "every":
                if value not in PERIOD_KINDS:
                    problems.append(f"{cwhere} 的 period 应为 {'、'.join(PERIOD_KINDS)} 之一")
            elif isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{cwhere} 的 {name} 应为非负整数")
        anchor = item.get("from")
        if kind in _INTERVAL_KINDS and not any(isinstance(v, int) and v > 0 for _, v in params):
            problems.append(f"{cwhere} 应给出时长（{'、'.join(allowed)}）")
        if kind == "every" and not params:
            problems.append(f"{cwhere} 应给出 period")
        if kind == "duration" and not params:
            problems.append(f"{cwhere} 应给出 min_days 或 min_hours")
        if kind in _ANCHORED_KINDS:
            if anchor not in earlier:
                problems.append(f"{cwhere} 的 from {anchor!r} 应为排在前面的步骤")
        elif anchor is not None:
            problems.append(f"{cwhere} 不用 from")
        role, status = item.get("role"), item.get("status")
        if kind == "people":
            if not isinstance(role, str) or not role:
                problems.append(f"{cwhere} 应写明 role")
            if status not in STATUSES:
                problems.append(f"{cwhere} 的 status 应为 {'、'.join(STATUSES)} 之一")
            low, high = item.get("min"), item.get("max")
            if isinstance(low, int) and isinstance(high, int) and low > high:
                problems.append(f"{cwhere} 的 min 大于 max")
        extendable = item.get("extendable", False)
        if not isinstance(extendable, bool) or (extendable and (kind not in _ANCHORED_KINDS or "years" not in dict(params))):
            problems.append(f"{cwhere} 的 extendable 只用于写明 years 的 within、not-before，且为 true 或 false")
        out.append(
            Condition(
                step=step_key,
                key=key,
                kind=kind,
                params=params,
                severity=item.get("severity"),
                says=item.get("says"),
                anchor=anchor,
                role=role,
                status=status,
                extendable=extendable is True,
            )
        )
    return tuple(out)


def _sources(raw, where, problems) -> tuple[SourceText, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where} 应列出依据原文 sources")
        return ()
    out = []
    for item in raw:
        if not isinstance(item, dict):
            problems.append(f"{where} 的依据应为映射")
            continue
        text, url, status, document = item.get("text"), item.get("url"), item.get("status"), item.get("document")
        article, note = item.get("article"), item.get("note")
        if not isinstance(document, str) or not document.strip():
            problems.append(f"{where} 的依据缺少文件名 document")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where} 的依据缺少原文 text")
        if not isinstance(url, str) or not re.match(r"https?://\S+$", url):
            problems.append(f"{where} 的依据缺少读到原文的网址 url")
        if status not in SOURCE_STATUSES:
            problems.append(f"{where} 的依据 status {status!r} 不是 {'、'.join(SOURCE_STATUSES)} 之一")
        if article is not None and not (isinstance(article, str) and re.fullmatch(r"第[一二三四五六七八九十百]+条", article)):
            problems.append(f"{where} 的条号 {article!r} 应写成“第七条”")
        if status == "quoted" and article is None:
            problems.append(f"{where} 的依据标为 quoted，应写明条号")
        if status != "quoted" and not note and status != "local":
            problems.append(f"{where} 的依据未经逐字核实（{status}），应在 note 中说明")
        if note is not None and not isinstance(note, str):
            problems.append(f"{where} 的 note 应为文字")
        if all(isinstance(v, str) for v in (document, text, url)):
            out.append(SourceText(document.strip(), article, text.strip(), url, status, note))
    return tuple(out)


def _check_whole(steps: list[Step], stage_keys: list[str], problems: list[str]) -> None:
    if not steps:
        return
    order = {k: i for i, k in enumerate(stage_keys)}
    previous = steps[0]
    for step in steps[1:]:
        if order.get(step.stage, 0) < order.get(previous.stage, 0):
            problems.append(f"步骤 {step.key} 属于阶段 {step.stage}，不应排在阶段 {previous.stage} 的 {previous.key} 之后")
        previous = step
    recurring = {s.key for s in steps if s.recurring}
    for step in steps:
        for dep in step.after:
            if dep in recurring:
                problems.append(f"步骤 {step.key} 不能依赖持续进行的步骤 {dep}")
    entered: dict[str, str] = {}
    for step in steps:
        if step.enters:
            if step.enters in entered:
                problems.append(f"步骤 {step.key} 和 {entered[step.enters]} 都进入阶段 {step.enters}")
            entered[step.enters] = step.key
    if stage_keys and steps[0].enters != stage_keys[0]:
        problems.append(f"第一步 {steps[0].key} 应进入第一个阶段 {stage_keys[0]}")
    fields: dict[str, str] = {}
    for step in steps:
        if step.legacy_field:
            if step.legacy_field in fields:
                problems.append(f"development.yaml 的 {step.legacy_field} 同时对应 {fields[step.legacy_field]} 和 {step.key}")
            fields[step.legacy_field] = step.key
    if set(fields) != set(LEGACY_FIELDS):
        missing = "、".join(f for f in LEGACY_FIELDS if f not in fields)
        problems.append(f"development.yaml 第1版的字段 {missing} 没有对应的步骤")
    cycle = find_cycle({s.key: s.after for s in steps})
    if cycle:
        problems.append("步骤的依赖成环：" + " → ".join(cycle))


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """A dependency cycle in ``graph`` (key -> keys it depends on) as a path, or None."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                return path[path.index(dep) :] + [dep]
            if dep not in state and dep in graph:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


@functools.cache
def procedure() -> Procedure:
    """The built-in procedure (data/procedure.yaml), read and validated once."""
    from ..store.yamlio import parse

    text = resources.files("zhibu").joinpath("data/procedure.yaml").read_text(encoding="utf-8")
    return parse_procedure(parse(text).data)


# --- a person's timeline --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StepState:
    step: Step
    status: str  # DONE, IMPLIED, AVAILABLE, WAITING, ONGOING, CLOSED
    date: dt.date | None = None  # when it was done (DONE only)
    due: dt.date | None = None  # the latest day by the time limits, its dependents' included
    earliest: dt.date | None = None  # the first day it may be done (not-before conditions)
    period_due: dt.date | None = None  # ONGOING with an `every` condition: the end of the current period

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]


@dataclass(frozen=True, slots=True)
class Timeline:
    name: str
    stage: Stage  # the stage the person is in
    steps: tuple[StepState, ...]  # in procedure order
    probation_end: dt.date | None = None  # 预备期满之日 (the extension's end when extended)
    full_since: dt.date | None = None  # 转正日期 as the ledger records it

    def state(self, key: str) -> StepState:
        return next(s for s in self.steps if s.step.key == key)

    @property
    def available(self) -> tuple[StepState, ...]:
        return tuple(s for s in self.steps if s.status == AVAILABLE)

    @property
    def next(self) -> StepState | None:
        """The first step, in procedure order, that can be done now; None when all are done."""
        return next(iter(self.available), None)

    @property
    def done(self) -> tuple[StepState, ...]:
        return tuple(s for s in self.steps if s.status in (DONE, IMPLIED))


def timeline(
    proc: Procedure,
    dates: Mapping[str, dt.date],
    *,
    name: str = "",
    known: Iterable[str] = (),
    extended_to: dt.date | None = None,
    full_since: dt.date | None = None,
    as_of: dt.date | None = None,
) -> Timeline:
    """Lay ``dates`` (step key -> the day it was done) over the procedure.

    ``known`` are steps known to be done without a date (the roster shows the approval).
    A step is IMPLIED when a step that depends on it (directly or not) is done, or when it
    belongs to a stage the person has left (a 预备党员 was through the 发展对象 stage). The next
    steps are those whose dependencies are all done; each gets ``due``, the earliest of its
    own deadlines (``within``, counted from a dated step) and those of the steps that depend
    on it, and ``earliest`` from its ``not-before`` conditions (the probation's end moves to
    ``extended_to``). ``as_of`` only matters for running steps (the current period's end).
    """
    unknown = (set(dates) | set(known)) - set(proc.keys)
    if unknown:
        raise KeyError(f"unknown steps: {sorted(unknown)}")
    done_keys = set(dates) | set(known)
    implied: set[str] = set()
    for key in done_keys:
        implied |= proc.ancestors(key)
    stage_key = proc.stages[0].key
    for step in proc.steps:
        if step.enters and step.key in done_keys | implied:
            stage_key = step.enters
    # A person past a stage has been through all of it (the filing after the approval included).
    rank = {s.key: i for i, s in enumerate(proc.stages)}
    implied |= {s.key for s in proc.steps if not s.recurring and rank[s.stage] < rank[stage_key]}
    finished = done_keys | implied

    status: dict[str, str] = {}
    for step in proc.steps:
        if step.key in dates:
            status[step.key] = DONE
        elif step.key in finished and not step.recurring:
            status[step.key] = IMPLIED
        elif step.recurring:
            start, until = step.during
            status[step.key] = CLOSED if until in finished else ONGOING if start in finished else WAITING
        else:
            status[step.key] = AVAILABLE if all(d in finished for d in step.after) else WAITING

    probation_end = None
    own_due: dict[str, dt.date] = {}
    earliest: dict[str, dt.date] = {}
    for step in proc.steps:
        for cond in step.conditions:
            if cond.anchor is None or (cond.anchor not in dates and not (cond.extendable and extended_to)):
                continue
            day = cond.shift(dates.get(cond.anchor), extended_to)
            if cond.extendable and cond.kind == "not-before":
                probation_end = day  # a year from the admission, or the recorded extension's end
            if cond.kind == "within":
                own_due[step.key] = min(own_due.get(step.key, day), day)
            elif cond.kind == "not-before":
                earliest[step.key] = max(earliest.get(step.key, day), day)

    # Latest finish: a step must be done by the deadline of any open step that depends on it.
    due: dict[str, dt.date] = {}
    for step in reversed(proc.steps):
        if status[step.key] in (DONE, IMPLIED) or step.recurring:
            continue
        candidates = [own_due[step.key]] if step.key in own_due else []
        candidates += [due[d] for d in proc.dependents(step.key) if d in due]
        if candidates:
            due[step.key] = min(candidates)

    states = []
    for step in proc.steps:
        s = status[step.key]
        period_due = None
        if s == ONGOING and as_of is not None:
            every = next((c for c in step.conditions if c.kind == "every"), None)
            if every is not None:
                period_due = Period.containing(every.param("period"), as_of).end
        states.append(
            StepState(
                step=step,
                status=s,
                date=dates.get(step.key),
                due=due.get(step.key),
                earliest=earliest.get(step.key) if s not in (DONE, IMPLIED) else None,
                period_due=period_due,
            )
        )
    return Timeline(name, proc.stage(stage_key), tuple(states), probation_end, full_since)


def applicant_dates(applicant, proc: Procedure | None = None) -> tuple[dict[str, dt.date], frozenset[str]]:
    """The steps a development.yaml (format 1) entry records: (step -> date, steps known done undated).

    ``applied``, ``talked``, ``activist``, ``candidate`` and ``admitted`` are the days of their
    steps; ``full`` is the 转正日期 (预备期满之日), the outcome of the conversion approval and
    not the day of it, so the approval is known done without a date."""
    proc = proc or procedure()
    dates: dict[str, dt.date] = {}
    known: set[str] = set()
    for fieldname, step in proc.by_legacy().items():
        value = getattr(applicant, fieldname, None)
        if value is None:
            continue
        if step.legacy_means == "step":
            dates[step.key] = value
        else:
            known.add(step.key)
    return dates, frozenset(known)


def branch_dates(branch, name: str, proc: Procedure | None = None) -> tuple[dict[str, dt.date], frozenset[str]]:
    """What the branch's records and roster add for ``name``: (step -> date, steps known done undated).

    A step whose evidence is a meeting with a resolution gets the date of the first adopted
    resolution of that kind about the person in a record of that type. On the roster, a
    member admitted here (``joined`` on the day of ``admitted``) was approved by the higher
    committee; a 正式党员 with ``full_since`` had the conversion approved."""
    proc = proc or procedure()
    dates: dict[str, dt.date] = {}
    for step in proc.steps:
        for ev in step.evidence:
            if ev.kind != "meeting" or ev.resolution is None:
                continue
            days = [record.date for record, _ in branch.decisions_about(ev.resolution).get(name, ()) if record.has_type(ev.type)]
            if days:
                dates.setdefault(step.key, min(days))
    known: set[str] = set()
    member = branch.member(name)
    if member is not None and member.admitted is not None and member.joined == member.admitted:
        known.add(_entering(proc, "probationary"))
        if member.status == "正式党员" and member.full_since is not None:
            known.add(_entering(proc, "full"))
    return dates, frozenset(known)


def _entering(proc: Procedure, stage: str) -> str:
    return next(s.key for s in proc.steps if s.enters == stage)


def person_timeline(applicant, branch=None, *, proc: Procedure | None = None, as_of: dt.date | None = None) -> Timeline:
    """One person's timeline from their development.yaml entry, and the branch's records and
    roster when given. The ledger's dates come first; records fill the steps it leaves out."""
    proc = proc or procedure()
    dates, known = applicant_dates(applicant, proc)
    if branch is not None:
        more, more_known = branch_dates(branch, applicant.name, proc)
        for key, day in more.items():
            dates.setdefault(key, day)
        known = known | more_known
    return timeline(
        proc,
        dates,
        name=applicant.name,
        known=known - set(dates),
        extended_to=getattr(applicant, "extended_to", None),
        full_since=getattr(applicant, "full", None),
        as_of=as_of,
    )
