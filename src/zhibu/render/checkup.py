"""体检 documents: a branch's annual check-up report and the committee's overview, as descriptions.

They are built from batch entries (:func:`zhibu.committee.batch.check_target` with
``rate=True``), so the report, the spreadsheet and ``zhibu batch rate`` show
the same findings, points and indicators.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from ..model.redact import clean
from ..model.vocabulary import UNCHECKED
from ..standard.rating import default_scheme
from .layout import Cell, Document, Table, heading, label, para, title
from .wording import chinese_date, layer_name, place, plain, problem, reason

SEVERITY = {"error": "错误", "warning": "警告", "info": "提示"}

TYPE_AREA_MM = 156.0  # GB/T 9704: the type area's width, which every table here spans
TITLE_PT, SMALLEST_TITLE_PT = 22.0, 16.0


def _width(text: str) -> float:
    """Width in ems: a Chinese character or full-width mark is one, anything else about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def one_line_title(text: str, **kw):
    """A title line that does not break inside a name: at 二号 (22 pt) when it fits the type area,
    else at the largest size down to 三号 (16 pt) that fits; longer still, at 二号 over two lines."""
    area_pt = TYPE_AREA_MM / 25.4 * 72
    size = TITLE_PT
    while _width(text) * size > area_pt and size > SMALLEST_TITLE_PT:
        size -= 0.5
    if _width(text) * size > area_pt:
        size = TITLE_PT
    return title(text, size=None if size == TITLE_PT else size, **kw)


def _standard(entry: dict) -> str:
    """The layers the branch is checked against, in words: 全市基本标准、本支部特色要求."""
    names = [layer_name(p["layer"]) for p in entry.get("standard", [])] or [layer_name("B")]
    return "、".join(dict.fromkeys(names))


def _scheme(rating: dict) -> str:
    """党支部评星定级（默认方案，2026.1版）: the scheme's name and version, and who set it when not built in."""
    name = plain(str(rating["scheme"]))
    aside = f"{rating['version']}版" + ("" if rating.get("set_by", "内置") == "内置" else "，上级党组织规定")
    return f"{name[:-1]}，{aside}）" if name.endswith("）") else f"{name}（{aside}）"


def _item_of(code: str, scheme: dict) -> str:
    for item in scheme["items"]:
        for rule in item.get("deductions") or ():
            if code in rule["codes"]:
                return item["key"]
    return "其他"


def checkup(entry: dict, as_of: dt.date, year: int, scheme: dict | None = None) -> Document:
    """The 体检报告 of one branch: rating, risk indicators, findings by 五有, a rectification list to fill in."""
    scheme = scheme or default_scheme()
    name = entry.get("name") or entry["root"]
    rating = entry["rating"]
    blocks = [
        one_line_title(f"{name}"),
        title(f"{year}年度党支部建设体检报告", size=18),
        para(
            f"检查范围：{year}年1月1日至{chinese_date(min(as_of, dt.date(year, 12, 31)))}，"
            f"检查日期：{chinese_date(as_of)}。依据：{_standard(entry)}。评分方案：{_scheme(rating)}。"
        ),
        heading("一、评星定级"),
    ]
    rows = [tuple(Cell(t, header=True) for t in ("项目", "满分", "得分", "说明"))]
    for item in rating["items"]:
        earned = "—" if item["earned"] is None else f"{item['earned']:g}"
        note = plain(item["unknown"] or ("；".join(sorted({d["note"] for d in item["deductions"]})) or "无扣分"))
        rows.append((Cell(item["key"]), Cell(f"{item['full']:g}"), Cell(earned), Cell(note, align="left")))
    blocks.append(Table((30, 20, 20, 86), tuple(rows)))
    blocks.append(
        para(f"总分（百分制）：{rating['score']} 分，评定为 {rating['stars']} 星。不能从记录判断的项目不计分，按其余项目折算。")
    )
    blocks.append(heading("二、风险提示"))
    if entry.get("indicators"):
        blocks.append(para("以下情形由记录推算，供上级党组织研判，不是对支部的认定。"))
        for i, indicator in enumerate(entry["indicators"], 1):
            blocks.append(para(f"{i}. {indicator['key']}：{plain(indicator['detail'])}"))
    else:
        blocks.append(para("记录中未发现软弱涣散的风险提示。"))
    blocks.append(heading("三、问题清单"))
    findings = [f for f in entry.get("findings", []) if f["severity"] in ("error", "warning")]
    if not findings:
        blocks.append(para("没有错误或警告。"))
    groups: dict[str, list[dict]] = {}
    for f in findings:
        groups.setdefault(_item_of(f["code"], scheme), []).append(f)
    order = [item["key"] for item in scheme["items"]] + ["其他"]
    for key in order:
        if key not in groups:
            continue
        blocks.append(label(key, f"{len(groups[key])} 个问题"))
        rows = [tuple(Cell(t, header=True) for t in ("序号", "级别", "问题", "位置"))]
        for n, f in enumerate(groups[key], 1):
            rows.append(
                (Cell(str(n)), Cell(SEVERITY[f["severity"]]), Cell(problem(f), align="left"), Cell(place(f), align="left"))
            )
        blocks.append(Table((12, 14, 90, 40), tuple(rows), size=10.5))
    blocks.append(heading("四、整改清单"))
    blocks.append(para("请支部逐项填写整改措施、责任人和完成时限，报上级党组织。"))
    rows = [tuple(Cell(t, header=True) for t in ("序号", "问题", "整改措施", "责任人", "时限"))]
    for n, f in enumerate(findings, 1):
        rows.append((Cell(str(n)), Cell(problem(f), align="left"), Cell(""), Cell(""), Cell("")))
    if len(rows) == 1:
        rows.append((Cell("1"), Cell("（无）", align="left"), Cell(""), Cell(""), Cell("")))
    blocks.append(Table((12, 70, 40, 18, 16), tuple(rows), size=10.5, row_height=10))
    return Document(
        kind="体检报告",
        title=f"{name}{year}年度党支部建设体检报告",
        author=name,
        date=min(as_of, dt.date(year, 12, 31)),
        blocks=tuple(blocks),
        comments=f"由 zhibu 按 {as_of} 的检查结果生成",
    )


def overview(entries: list[dict], as_of: dt.date, year: int, committee: str = "") -> Document:
    """The committee's overview: branches ranked by score, and the risk indicators."""
    rated = sorted((e for e in entries if e.get("rating")), key=lambda e: (-e["rating"]["score"], e["root"]))
    # The committee's name on a line of its own, the subject below, as the check-up report has it:
    # "中共某某委员会党支部建设体检总览" in one paragraph broke inside the name or the subject.
    heads = (
        [one_line_title(committee), title(f"{year}年度党支部建设体检总览", size=18)]
        if committee
        else [title(f"{year}年度党支部建设体检总览")]
    )
    blocks = [
        *heads,
        para(
            f"{year}年度，截至{chinese_date(as_of)}，共 {len(entries)} 个支部，其中 {len(rated)} 个评定，"
            f"{sum(1 for e in entries if e['status'] in UNCHECKED)} 个无法读取。"
        ),
        heading("一、评星定级排名"),
    ]
    rows = [tuple(Cell(t, header=True) for t in ("排名", "支部", "得分", "星级", "错误", "警告"))]
    for n, e in enumerate(rated, 1):
        rows.append(
            (
                Cell(str(n)),
                Cell(e.get("name") or e["root"], align="left"),
                Cell(f"{e['rating']['score']}"),
                Cell(str(e["rating"]["stars"])),
                Cell(str(e["summary"]["error"])),
                Cell(str(e["summary"]["warning"])),
            )
        )
    blocks.append(Table((12, 84, 18, 14, 14, 14), tuple(rows), size=10.5))  # 156 mm, the type area
    blocks.append(heading("二、需要关注的支部（风险提示）"))
    flagged = [e for e in rated if e.get("indicators")]
    if not flagged:
        blocks.append(para("没有支部出现风险提示。"))
    else:
        rows = [tuple(Cell(t, header=True) for t in ("支部", "风险提示", "说明"))]
        for e in flagged:
            for indicator in e["indicators"]:
                rows.append(
                    (
                        Cell(e.get("name") or e["root"], align="left"),
                        Cell(indicator["key"]),
                        Cell(plain(indicator["detail"]), align="left"),
                    )
                )
        blocks.append(Table((50, 36, 70), tuple(rows), size=10.5))
    unreadable = [e for e in entries if e["status"] in UNCHECKED]
    if unreadable:
        blocks.append(heading("三、无法读取的仓库"))
        for e in unreadable:
            blocks.append(para(f"{e['root']}：{reason(e.get('reason', ''))}"))
    return Document(
        kind="体检总览",
        title=f"{year}年度党支部建设体检总览",
        author=committee or "zhibu",
        date=min(as_of, dt.date(year, 12, 31)),
        blocks=tuple(blocks),
        comments=f"由 zhibu 按 {as_of} 的批量检查结果生成",
    )


# A file name's bytes (most file systems allow 255): the branch's part, the suffix and a hash fit.
MAX_NAME_BYTES = 120
_UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def report_file_names(roots: list[str], suffix: str) -> dict[str, str]:
    """A file name for each branch's report, unique and bounded, from its folder (the registry id).

    The name is the folder with "/" as "-" and without ".git", as a committee reads it; personal
    numbers are masked and characters that file systems refuse replaced. When that is not the
    folder itself (shortened, characters replaced) or when two branches would share a name (``x``
    and ``x.git``, ``a/b`` and ``a-b``, ``A`` and ``a`` on a case-insensitive disk), the first eight
    hex digits of the folder's SHA-256 follow, so every branch gets its own file on every machine.
    """
    import hashlib

    def digest(root: str, length: int = 8) -> str:
        return hashlib.sha256(root.encode("utf-8", "surrogateescape")).hexdigest()[:length]

    plain: dict[str, str] = {}
    altered: set[str] = set()
    for root in roots:
        readable = root.replace("/", "-").removesuffix(".git")
        name = _UNSAFE_IN_NAME.sub("_", clean(readable)).strip(" .") or "支部"
        if len(name.encode("utf-8")) > MAX_NAME_BYTES:
            name = name.encode("utf-8")[:MAX_NAME_BYTES].decode("utf-8", "ignore").rstrip(" .")
        if name != readable:
            altered.add(root)
        plain[root] = name
    counts: dict[str, int] = {}
    for name in plain.values():
        counts[name.casefold()] = counts.get(name.casefold(), 0) + 1
    names: dict[str, str] = {}
    taken: set[str] = set()
    for root in sorted(roots):
        name = plain[root]
        length = 8
        if root in altered or counts[name.casefold()] > 1:
            name = f"{plain[root]}-{digest(root)}"
        while name.casefold() in taken:  # only if two hashes' first digits meet, or a folder is named like one
            length += 4
            name = f"{plain[root]}-{digest(root, length)}"
        taken.add(name.casefold())
        names[root] = f"{name}{suffix}"
    return names
