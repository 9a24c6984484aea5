"""评星定级 (star rating over the 五有) and 软弱涣散 risk indicators, computed from check findings.

Both are transparent: the scheme is data (data/rating.yaml, or a T pack's
``rating:``), and every point deducted names the finding behind it, so a
score can be traced back to records. Indicators are signals for the higher
committee's judgement, never a verdict.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources

from ..errors import ZhibuError
from ..model.findings import where_of
from ..model.periods import Period


@dataclass(frozen=True)
class Deduction:
    item: str
    note: str
    points: float
    code: str
    where: str  # path:line, period or subject: what a reader looks up
    message: str


@dataclass(frozen=True)
class ItemScore:
    key: str
    title: str
    full: float
    earned: float | None  # None when the item cannot be judged from the records
    unknown: str = ""
    deductions: tuple[Deduction, ...] = ()
    capped: tuple[str, ...] = ()  # notes whose deductions reached their cap


@dataclass(frozen=True)
class Rating:
    scheme: str
    version: str
    score: float  # 0-100, over the items that could be judged
    stars: int
    items: tuple[ItemScore, ...] = field(default_factory=tuple)

    @classmethod
    def from_json(cls, data: dict) -> "Rating":
        items = tuple(
            ItemScore(
                key=i["key"],
                title=i["title"],
                full=i["full"],
                earned=i["earned"],
                unknown=i.get("unknown") or "",
                deductions=tuple(
                    Deduction(i["key"], d["note"], d["points"], d["code"], d["where"], d["message"]) for d in i["deductions"]
                ),
                capped=tuple(i.get("capped", ())),
            )
            for i in data["items"]
        )
        return cls(data["scheme"], data["version"], data["score"], data["stars"], items)

    def to_json(self) -> dict:
        return {
            "scheme": self.scheme,
            "version": self.version,
            "score": self.score,
            "stars": self.stars,
            "items": [
                {
                    "key": i.key,
                    "title": i.title,
                    "full": i.full,
                    "earned": i.earned,
                    "unknown": i.unknown or None,
                    "capped": list(i.capped),
                    "deductions": [
                        {"note": d.note, "points": d.points, "code": d.code, "where": d.where, "message": d.message}
                        for d in i.deductions
                    ],
                }
                for i in self.items
            ],
        }


@functools.cache
def default_scheme() -> dict:
    from ..store.yamlio import parse

    data = parse(resources.files("zhibu").joinpath("data/rating.yaml").read_text(encoding="utf-8")).data
    check_scheme(data, "内置评分方案")
    return data


def check_scheme(data, where: str) -> None:
    """Raise ZhibuError naming what is wrong with a scoring scheme."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list) or not isinstance(data.get("stars"), list):
        raise ZhibuError(f"{where} 应有 items 和 stars 两个列表。")
    seen_codes: dict[str, str] = {}
    for item in data["items"]:
        if not isinstance(item, dict) or not item.get("key") or not isinstance(item.get("points"), (int, float)):
            raise ZhibuError(f"{where} 的每个项目应有 key 和 points。")
        for rule in item.get("deductions") or []:
            if (
                not isinstance(rule, dict)
                or not isinstance(rule.get("codes"), list)
                or not isinstance(rule.get("points"), (int, float))
            ):
                raise ZhibuError(f"{where} 中“{item['key']}”的扣分项应有 codes 列表和 points。")
            for code in rule["codes"]:
                if code in seen_codes:
                    raise ZhibuError(f"{where} 中规则码 {code} 在“{seen_codes[code]}”和“{item['key']}”中重复扣分。")
                seen_codes[code] = item["key"]


def rate(findings: list[dict], facts: dict, scheme: dict | None = None) -> Rating:
    """Score a branch from its (unwaived) findings and a few facts ({"venue": bool, "dues": bool})."""
    scheme = scheme or default_scheme()
    items = []
    for spec in scheme["items"]:
        full = float(spec["points"])
        requires = spec.get("requires")
        if requires and not facts.get(requires):
            items.append(ItemScore(spec["key"], spec.get("title", ""), full, None, spec.get("unknown", "无法从记录判断。")))
            continue
        deductions, capped, lost = [], [], 0.0
        for rule in spec.get("deductions") or []:
            codes = set(rule["codes"])
            cap = float(rule.get("cap", full))
            taken = 0.0
            for finding in findings:
                if finding["code"] not in codes:
                    continue
                points = min(float(rule["points"]), cap - taken)
                if points <= 0:
                    if rule.get("note") not in capped:
                        capped.append(rule.get("note", ""))
                    continue
                taken += points
                deductions.append(
                    Deduction(spec["key"], rule.get("note", ""), points, finding["code"], where_of(finding), finding["message"])
                )
            lost += taken
        earned = max(0.0, full - lost)
        items.append(ItemScore(spec["key"], spec.get("title", ""), full, earned, "", tuple(deductions), tuple(capped)))
    judged = [i for i in items if i.earned is not None]
    possible = sum(i.full for i in judged)
    score = round(100 * sum(i.earned for i in judged) / possible, 1) if possible else 0.0
    stars = next((int(s["stars"]) for s in sorted(scheme["stars"], key=lambda s: -s["min"]) if score >= s["min"]), 1)
    return Rating(str(scheme.get("scheme", "")), str(scheme.get("version", "")), score, stars, tuple(items))


def explain(rating: Rating) -> list[str]:
    """Every point of a rating, in Chinese; the deductions add up to the score."""
    lines = [
        f"{rating.scheme}（{rating.version}）：{rating.score} 分，{'★' * rating.stars}{'☆' * (5 - rating.stars)}（{rating.stars} 星）"
    ]
    for item in rating.items:
        if item.earned is None:
            lines.append(f"{item.key}（满分 {item.full:g}）：不计分。{item.unknown}")
            continue
        lines.append(f"{item.key}（满分 {item.full:g}）：得 {item.earned:g} 分")
        for d in item.deductions:
            lines.append(f"  -{d.points:g}  {d.note}：{d.code} {d.where}  {d.message}")
        for note in item.capped:
            lines.append(f"  （“{note}”已扣到上限，其余同类问题不再扣分）")
    judged = [i for i in rating.items if i.earned is not None]
    earned, possible = sum(i.earned for i in judged), sum(i.full for i in judged)
    lines.append(f"合计：{earned:g} / {possible:g}，折合百分制 {rating.score} 分。")
    return lines


# --- 软弱涣散 indicators ----------------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    key: str
    detail: str
    evidence: tuple[str, ...]  # codes and places behind it

    def to_json(self) -> dict:
        return {"key": self.key, "detail": self.detail, "evidence": list(self.evidence)}


def _months(findings: list[dict], code: str) -> list[Period]:
    periods = [Period.parse(f["period"]) for f in findings if f["code"] == code and f.get("period")]
    return sorted(p for p in periods if p is not None and p.kind == "month")


def _longest_run(months: list[Period]) -> list[Period]:
    best, run = [], []
    for month in months:
        if run and run[-1].next() == month:
            run.append(month)
        else:
            run = [month]
        if len(run) > len(best):
            best = list(run)
    return best


def indicators(findings: list[dict], *, consecutive: int = 3) -> list[Indicator]:
    """Risk indicators the records can show (regulations.md §9): for the committee to look into."""
    out = []
    vacant = [f for f in findings if f["code"] == "org.secretary-vacant" and f["severity"] == "error"]
    if vacant:
        out.append(Indicator("书记长期缺职", vacant[0]["message"], tuple(f"{f['code']} {where_of(f)}" for f in vacant)))
    expired = [f for f in findings if f["code"] == "org.term-expired"]
    if expired:
        out.append(Indicator("未按期换届", expired[0]["message"], tuple(f"{f['code']} {where_of(f)}" for f in expired)))
    missing = sorted(set(_months(findings, "meeting.committee-monthly")) | set(_months(findings, "meeting.theme-day-monthly")))
    run = _longest_run(missing)
    if len(run) >= consecutive:
        out.append(
            Indicator(
                "组织生活连续缺失",
                f"{run[0].chinese}至{run[-1].chinese}连续 {len(run)} 个月缺少支委会或主题党日。",
                tuple(m.label for m in run),
            )
        )
    inactive = [f for f in findings if f["code"] == "member.inactive-6-months"]
    if inactive:
        names = sorted({f.get("subject") or "" for f in inactive} - {""})
        out.append(Indicator("党员长期不参加组织生活", f"{len(names)} 名党员连续6个月以上未参加组织生活。", tuple(names)))
    no_org_life = [f for f in findings if f["code"] == "meeting.org-life-yearly"]
    if no_org_life:
        out.append(Indicator("全年未开组织生活会", no_org_life[0]["message"], tuple(f.get("period") or "" for f in no_org_life)))
    return out
