"""The layered standard "B+T+X": the built-in baseline, then the branch's packs in order.

A later pack may tighten an earlier rule (raise its severity or minimum,
shorten its period, shrink a deadline) and add rules of its own; it may never
loosen or remove one. An attempt is reported (``standard.weakens-baseline``)
and ignored; a pack that cannot be used is reported (``standard.bad-pack``)
and skipped. Nothing here raises for a bad pack.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from types import MappingProxyType

from ..format.catalogue import baseline_pack, make_finding
from ..model.branch import Branch, PackFile
from ..model.findings import Finding, Severity, Source
from ..model.vocabulary import PLAN_KINDS, RECORD_TYPES, TALK, canonical_type
from ..rules import load_kinds
from ..rules.registry import KINDS, PERIOD_ORDER, Rule

TEXT_KEYS = ("title", "source", "hint")
PACK_KEYS = ("pack", "layer", "title", "version", "rules", "monthly_topics", "holidays", "workdays", "rating")
RESERVED = ("code", "kind", "severity", *TEXT_KEYS)
_SEVERITIES = {"info": Severity.INFO, "warning": Severity.WARNING, "error": Severity.ERROR}


@dataclass(frozen=True)
class PackInfo:
    pack: str
    layer: str
    version: str
    title: str = ""
    path: str | None = None


@dataclass
class Standard:
    """The merged standard of one branch."""

    packs: list[PackInfo]
    rules: dict[str, Rule]  # in order: the baseline's, then each pack's additions
    findings: list[Finding] = field(default_factory=list)
    monthly_topics: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "YYYY-MM" -> topics
    rating: dict | None = None  # a scoring scheme for 评星定级 from a T pack (replaces the built-in one)
    rating_pack: str | None = None


def baseline_rules() -> tuple[PackInfo, dict[str, Rule]]:
    """The built-in B pack as rules."""
    load_kinds()
    data = baseline_pack()
    info = PackInfo("B", "B", str(data["version"]), data.get("title", ""))
    rules = {}
    for entry in data["rules"]:
        kind = KINDS[entry["kind"]]
        params = {}
        for key, value in entry.items():
            if key not in RESERVED:
                params[key] = _check_value(kind.params[key], value)[0] if key in kind.params else value
        origin = {key: "B" for key in entry if key != "code"}
        rules[entry["code"]] = Rule(
            code=entry["code"],
            kind=entry["kind"],
            severity=_SEVERITIES[entry["severity"]],
            title=entry.get("title", ""),
            source=entry.get("source", ""),
            hint=entry.get("hint", ""),
            params=MappingProxyType(params),
            layer="B",
            pack="B",
            origin=MappingProxyType(origin),
        )
    return info, rules


def build_standard(branch: Branch) -> Standard:
    """B, then every pack named in zhibu.yaml, in order."""
    info, rules = baseline_rules()
    standard = Standard([info], dict(rules))
    for pack in branch.packs:
        _apply_pack(standard, pack)
    return standard


def _bad(standard: Standard, where: Source, message: str, hint: str | None = None) -> None:
    standard.findings.append(make_finding("standard.bad-pack", message, where, hint))


def _weakens(standard: Standard, where: Source, message: str) -> None:
    standard.findings.append(
        make_finding(
            "standard.weakens-baseline",
            message,
            where,
            "T、X 只能提高要求：删去这项放宽；确有例外的，经批准后登记在 waivers.yaml。",
        )
    )


def _apply_pack(standard: Standard, pack: PackFile) -> None:
    where = pack.source
    data = pack.data
    if pack.problem == "missing":
        _bad(
            standard,
            where,
            f"找不到规则包 {pack.path}。",
            "核对 zhibu.yaml 的 standard 中的路径，或用 zhibu standard update 获取规则包。",
        )
        return
    if pack.problem == "unreadable":
        _bad(standard, where, f"规则包 {pack.path} 无法读取（原因见同一文件的格式问题）。")
        return
    if not isinstance(data, dict):
        _bad(standard, where, f"规则包 {pack.path} 应为“键: 值”的映射。")
        return
    pack_id, layer = data.get("pack"), data.get("layer")
    if not isinstance(pack_id, str) or not pack_id.strip():
        _bad(standard, where, f"规则包 {pack.path} 缺少 pack（规则包编号）。")
        return
    if layer not in ("T", "X"):
        _bad(standard, where.at("layer"), f"规则包 {pack_id} 的 layer 应为 T 或 X，实为“{layer}”。")
        return
    if any(p.pack == pack_id for p in standard.packs):
        _bad(standard, where.at("pack"), f"规则包 {pack_id} 重复列出。")
        return
    for key in data:
        if key not in PACK_KEYS:
            standard.findings.append(
                make_finding(
                    "format.unknown-field", f"规则包中有未定义的键“{key}”", where.at(key), f"可用的键：{' '.join(PACK_KEYS)}。"
                )
            )
    standard.packs.append(PackInfo(pack_id, layer, str(data.get("version", "")), str(data.get("title", "")), pack.path))
    rules = data.get("rules") or []
    if not isinstance(rules, list):
        _bad(standard, where.at("rules"), f"规则包 {pack_id} 的 rules 应为列表。")
        rules = []
    for index, entry in enumerate(rules):
        entry_where = where.at("rules", index)
        if not isinstance(entry, dict) or not isinstance(entry.get("code"), str):
            _bad(standard, entry_where, f"规则包 {pack_id} 的第 {index + 1} 条规则缺少 code。")
            continue
        if entry["code"] in standard.rules:
            _override(standard, standard.rules[entry["code"]], entry, entry_where, pack_id, layer)
        else:
            _add(standard, entry, entry_where, pack_id, layer)
    _topics(standard, data.get("monthly_topics"), where.at("monthly_topics"), pack_id)
    if "rating" in data:
        _rating(standard, data["rating"], where.at("rating"), pack_id, layer)
    _holiday_dates(standard, data, where, pack_id)


def _holiday_dates(standard: Standard, data: dict, where: Source, pack_id: str) -> None:
    """A pack's ``holidays`` / ``workdays`` (dates for zhibu.store.holidays.Calendar) must be date lists."""
    from ..store.holidays import HOLIDAY_KEYS, HolidayFileError, dates_of

    if not any(key in data for key in HOLIDAY_KEYS):
        return
    try:
        dates_of(where.path or pack_id, data, where.lines)
    except HolidayFileError as exc:
        _bad(standard, Source(where.path, exc.line), f"规则包 {pack_id} 的节假日日期有误：{exc.detail}", exc.hint)


def _rating(standard: Standard, scheme, where: Source, pack_id: str, layer: str) -> None:
    """A T pack's scoring scheme replaces the built-in one (an X pack cannot rate its own branch)."""
    from ..errors import ZhibuError
    from .rating import check_scheme

    if layer != "T":
        _bad(standard, where, f"规则包 {pack_id} 是 X 层，不能设定评星定级方案（由上级的 T 规则包设定）。")
        return
    try:
        check_scheme(scheme, f"规则包 {pack_id} 的 rating")
    except ZhibuError as exc:
        _bad(standard, where, exc.message)
        return
    standard.rating, standard.rating_pack = scheme, pack_id


def _topics(standard: Standard, topics, where: Source, pack_id: str) -> None:
    if topics is None:
        return
    if not isinstance(topics, dict):
        _bad(standard, where, f"规则包 {pack_id} 的 monthly_topics 应为 {{年-月: [主题, …]}}。")
        return
    from ..model.periods import Period

    for month, items in topics.items():
        period = Period.parse(str(month))
        if period is None or period.kind != "month" or not isinstance(items, list):
            _bad(standard, where.at(month), f"monthly_topics 中“{month}”应写成 2026-03: [主题, …]。")
            continue
        standard.monthly_topics[period.label] = standard.monthly_topics.get(period.label, ()) + tuple(str(i) for i in items)


def _check_value(param, value):
    """The value normalised for ``param``, or a Chinese reason it is invalid."""
    kind = param.type
    if kind == "int":
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value, None
        return None, f"{param.name} 应为不小于 0 的整数"
    if kind == "share":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value <= 1:
            return float(value), None
        return None, f"{param.name} 应为大于 0、不大于 1 的比例，如 0.5"
    if kind == "period":
        return (
            (value, None)
            if isinstance(value, str) and value in PERIOD_ORDER
            else (None, f"{param.name} 应为 month quarter half year 之一")
        )
    if kind == "per":
        return (value, None) if value in ("branch", "group", "member") else (None, "per 应为 branch group member 之一")
    if kind == "when":
        return (value, None) if value == "committee" else (None, "when 只能是 committee")
    if kind == "type":
        canonical = TALK if value == TALK else canonical_type(str(value))
        return (canonical, None) if canonical else (None, f"type“{value}”不是记录类型（{' '.join(RECORD_TYPES)} 或 谈心谈话）")
    if kind == "counts_as":
        return (value, None) if isinstance(value, str) and value in PLAN_KINDS else (None, "counts_as 只能是 学习 或 活动")
    if kind == "date":
        return (value, None) if isinstance(value, dt.date) else (None, f"{param.name} 应为日期，如 2026-01-01")
    if kind == "texts":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value), None
        return None, f"{param.name} 应为文本列表"
    return value, None


def _is_looser(param, old, new, layer: str = "X") -> bool:
    if param.stricter == "within":
        return layer != "T" and new > old  # a T pack chooses inside the bounds; X only lowers
    if param.stricter == "up":
        return new < old
    if param.stricter == "down":
        return new > old
    if param.stricter == "shorter":
        return PERIOD_ORDER[new] > PERIOD_ORDER[old]
    if param.stricter == "superset":
        return not set(old) <= set(new)
    return new != old


def _override(standard: Standard, rule: Rule, entry: dict, where: Source, pack_id: str, layer: str) -> None:
    kind = KINDS[rule.kind]
    params = dict(rule.params)
    origin = dict(rule.origin)
    severity = rule.severity
    texts = {key: getattr(rule, key) for key in TEXT_KEYS}
    changed = False
    for key, value in entry.items():
        at = where.at(key)
        if key == "code":
            continue
        if key == "kind":
            if value != rule.kind:
                _weakens(standard, at, f"{pack_id} 试图把规则 {rule.code} 的种类改为“{value}”，已忽略。")
            continue
        if key in ("enabled", "disabled", "remove"):
            _weakens(standard, at, f"{pack_id} 试图停用规则 {rule.code}，已忽略：下级标准不能删除上级规则。")
            continue
        if key == "severity":
            new = _SEVERITIES.get(value) if isinstance(value, str) else None
            if new is None:
                if value in ("off", "none", False, None):
                    _weakens(standard, at, f"{pack_id} 试图关闭规则 {rule.code}，已忽略。")
                else:
                    _bad(standard, at, f"规则 {rule.code} 的 severity“{value}”无效。", "写 info、warning 或 error。")
            elif new < severity:
                _weakens(standard, at, f"{pack_id} 把规则 {rule.code} 的级别从 {severity.label} 降为 {value}，已忽略。")
            elif new > severity:
                severity, origin["severity"], changed = new, pack_id, True
            continue
        if key in TEXT_KEYS:
            if isinstance(value, str) and value.strip():
                texts[key], origin[key], changed = value.strip(), pack_id, True
            continue
        param = kind.params.get(key)
        if param is None:
            close = difflib.get_close_matches(str(key), list(kind.params) + list(RESERVED), n=1)
            _bad(standard, at, f"规则 {rule.code}（{rule.kind}）没有参数“{key}”。", f"是否应为“{close[0]}”？" if close else None)
            continue
        new, problem = _check_value(param, value)
        if problem:
            _bad(standard, at, f"规则 {rule.code}：{problem}。")
            continue
        if param.bounds and not (param.bounds[0] <= new <= param.bounds[1]):
            low, high = param.bounds
            _bad(standard, at, f"规则 {rule.code}：{key} 应在 {low} 至 {high} 之间。")
            continue
        old = params.get(key, param.default)
        if param.stricter == "fixed" and old is not None and new != old:
            _weakens(
                standard,
                at,
                f"{pack_id} 试图改变规则 {rule.code} 的 {key}（{old} → {new}），已忽略：只能收紧，不能改变规则的含义。",
            )
            continue
        if old is not None and _is_looser(param, old, new, layer):
            _weakens(standard, at, f"{pack_id} 把规则 {rule.code} 的 {key} 从 {_show(old)} 放宽为 {_show(new)}，已忽略。")
            continue
        if new != old:
            params[key], origin[key], changed = new, pack_id, True
    if changed:
        standard.rules[rule.code] = Rule(
            code=rule.code,
            kind=rule.kind,
            severity=severity,
            title=texts["title"],
            source=texts["source"],
            hint=texts["hint"],
            params=MappingProxyType(params),
            layer=layer,
            pack=pack_id,
            origin=MappingProxyType(origin),
        )


def _show(value) -> str:
    return "、".join(value) if isinstance(value, tuple) else str(value)


def _add(standard: Standard, entry: dict, where: Source, pack_id: str, layer: str) -> None:
    code = entry["code"]
    if not code.startswith(f"{layer}."):
        close = difflib.get_close_matches(code, list(standard.rules), n=1)
        hint = f"是否应为已有规则“{close[0]}”？" if close else f"新增规则的编号以层级开头，如 {layer}.talk-twice-yearly。"
        _bad(standard, where.at("code"), f"未知规则码 {code}。", hint)
        return
    kind = KINDS.get(entry.get("kind")) if isinstance(entry.get("kind"), str) else None
    if kind is None or not kind.instantiable:
        usable = " ".join(sorted(k.name for k in KINDS.values() if k.instantiable))
        _bad(
            standard, where.at("kind"), f"新规则 {code} 的种类“{entry.get('kind')}”不能由规则包创建。", f"可用的种类：{usable}。"
        )
        return
    params, problems = {}, []
    for key, value in entry.items():
        if key in RESERVED:
            continue
        param = kind.params.get(key)
        if param is None:
            problems.append(f"没有参数“{key}”")
            continue
        new, problem = _check_value(param, value)
        if problem:
            problems.append(problem)
        else:
            params[key] = new
    problems += [f"缺少参数 {name}" for name in kind.required if name not in params]
    if kind.name == "frequency":
        from ..rules.frequency import check_frequency_params

        problem = check_frequency_params(params)
        if problem:
            problems.append(problem)
    severity = _SEVERITIES.get(entry.get("severity", "warning")) if isinstance(entry.get("severity", "warning"), str) else None
    if severity is None:
        problems.append(f"severity“{entry.get('severity')}”无效")
    if problems:
        _bad(standard, where, f"新规则 {code}：{'；'.join(problems)}。")
        return
    standard.rules[code] = Rule(
        code=code,
        kind=kind.name,
        severity=severity,
        title=str(entry.get("title", "")),
        source=str(entry.get("source", "")),
        hint=str(entry.get("hint", "")),
        params=MappingProxyType(params),
        layer=layer,
        pack=pack_id,
        origin=MappingProxyType({key: pack_id for key in entry if key != "code"}),
    )
