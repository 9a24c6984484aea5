"""The words of documents for the higher committee (体检报告, 体检总览, the ledger's 统计表).

``zhibu check`` speaks to whoever keeps the records: rule codes, file paths with
line numbers, field keys, ISO dates, pack ids. A committee's 组织员 reads none of
these, so the documents translate at their boundary, and only there: the check's
text and JSON stay as they are (a branch still gets the technical detail from the
check).

- a layer is named in Chinese (:data:`LAYER_WORDS`);
- a finding is said by :func:`problem` (its message in plain words, or else the
  standard's Chinese title with the person or group it concerns) and
  :func:`place` (the record or register it is in, or its period);
- any other text from the check (a rating note, a risk indicator, a reason) goes
  through :func:`plain`: dates as 2025年12月31日, file names as the register's
  name, field keys as their Chinese labels.
"""

from __future__ import annotations

import datetime as dt
import re

from ..format.catalogue import codes
from ..format.kinds import FILE_KINDS, FileKind, label_of
from ..model.periods import Period
from ..model.vocabulary import PLAN_KINDS

# B+T+X as a 组织员 calls them (docs/documents.md, "给上级党组织的文书").
LAYER_WORDS = {"B": "全市基本标准", "T": "上级要求", "X": "本支部特色要求"}

# Registers by file kind (schema.FileKind.key): its title, or a name that reads as a place.
_PLACE_NAMES = {
    "branch": "支部基本信息",
    "committee": "支部委员会名单",
    "development": "发展党员台账",
    "waivers": "经批准的例外",
}
_YEARLY_NAMES = {"talks": "谈心谈话登记", "plan": "年度计划（一表）", "dues": "党费台账"}
_KINDS = {kind.key: kind for kind in FILE_KINDS}

_CJK = "\u2018-\u201d\u2026\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"  # with Chinese quotes and …
_ASCII_WORD = re.compile(r"[A-Za-z]")
_ISO_DAY = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
_ISO_MONTH = re.compile(r"(?<![\d-])(\d{4})-(\d{2})(?![\d-])")
_PERIOD = re.compile(r"(?<![\w-])(\d{4})([QH])([1-4])(?![\w-])")
_COMMIT = re.compile(r"（[0-9a-f]{7,40}）")
_PLAN_ITEM = re.compile(rf"(?<![\d-])\d{{4}}-\d{{2}}-(?:{'|'.join(PLAN_KINDS)})-\d+ *")  # 计划条目 2025-07-活动-2 “…”
# A file of the branch: folders in Latin letters, the name (a record's) may be Chinese; dues/<年>.yaml too.
_FILE = re.compile(r"(?:[A-Za-z0-9_<>-]+/)+[\w<>+.-]+\.ya?ml|[A-Za-z0-9_-]+\.ya?ml")
_FILE_ASIDE = re.compile(rf"（(?:{_FILE.pattern})）")
_ASCII_ASIDE = re.compile(r"（[\x21-\x7e ]*[A-Za-z][\x21-\x7e ]*）")
_KEY = re.compile(r"(?<![A-Za-z0-9_.:/-])[a-z][a-z_]*(?![A-Za-z0-9_.:/-])")
# The check spaces names and dates off from Chinese words (缺席人员 郑凯 没有…); a document writes them
# together: 缺席人员郑凯没有…, 于2025年11月20日才由张伟…; counts keep their spaces (连续 6 个月), as the documents do.
_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) +(?=[{_CJK}]|\d{{4}}年)")


def layer_name(layer: str, title: str = "") -> str:
    """B, T, X in words; a pack's own title when the document knows it."""
    return title or LAYER_WORDS.get(layer, layer)


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _day(match: re.Match) -> str:
    year, month, day = match.group(1, 2, 3)
    return f"{int(year)}年{int(month)}月{int(day)}日"


def _month(match: re.Match) -> str:
    year, month = match.group(1, 2)
    return f"{int(year)}年{int(month)}月" if 1 <= int(month) <= 12 else match.group(0)


def chinese_dates(text: str) -> str:
    """2025-12-31 → 2025年12月31日, 2025-09 → 2025年9月, 2025Q1 → 2025年第一季度, 2025H2 → 2025年下半年."""
    text = _ISO_DAY.sub(_day, text)
    text = _ISO_MONTH.sub(_month, text)
    return _PERIOD.sub(lambda m: period_words(m.group(0)), text)


def period_words(label: str | None) -> str:
    """A period label of the check (2025-08, 2025Q1, 2025H1, 2025) in Chinese."""
    if not label:
        return ""
    period = Period.parse(str(label))
    return period.chinese if period is not None else str(label)


def _kind_of(path: str) -> FileKind | None:
    if path == "zhibu.yaml":
        return _KINDS["branch"]
    top, _, rest = path.partition("/")
    by_folder = {"records": "record", "talks": "talks", "plans": "plan", "dues": "dues"}
    if rest and top in by_folder:
        return _KINDS[by_folder[top]]
    return next((k for k in FILE_KINDS if k.pattern == path), None)


def file_words(path: str) -> str:
    """What a committee calls a file of the branch: 2025年8月29日主题党日记录, 党员名册, 2025年党费台账."""
    kind = _kind_of(path)
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if kind is None:
        return "支部执行的规则包" if path.startswith("standards/") else "支部的其他文件"
    if kind.key == "record":
        match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})-(.+?)(?:-\d+)?", stem)
        if match:
            return f"{_day(match)}{match[4].replace('+', '暨')}记录"
        return f"会议记录“{stem}”"
    if kind.key in _YEARLY_NAMES:
        name = _YEARLY_NAMES[kind.key]
        if re.fullmatch(r"\d{4}", stem):
            return f"{stem}{name}" if name.startswith("年度") else f"{stem}年{name}"
        return f"本年度{name.removeprefix('年度')}"
    return _PLACE_NAMES.get(kind.key, kind.title)


def _file_in_text(path: str) -> str:
    """A file named in a sentence: its register's name; a rule pack by its name (规则包“X-本支部”)."""
    if path.startswith("standards/"):
        return f"“{path.rsplit('/', 1)[-1].rsplit('.', 1)[0]}”"
    return file_words(path)


def _labels(text: str, kind: FileKind | None) -> str:
    """Field keys (``attendees``) as their Chinese labels (到会人员), for the file's kind or, when a key
    means the same in every kind that has it, for any."""

    def label(match: re.Match) -> str:
        key = match.group(0)
        if kind is not None:
            name = label_of(kind, key)
            return name if name != key else key
        names = {label_of(k, key) for k in FILE_KINDS} - {key}
        return names.pop() if len(names) == 1 else key

    return _KEY.sub(label, text)


def plain(text: str, path: str | None = None) -> str:
    """Text from the check in a committee's words: Chinese dates, registers named, field keys as labels,
    no tool name; whatever has no Chinese name stays (callers test for it with :func:`technical`)."""
    text = _COMMIT.sub("", text)
    text = _FILE_ASIDE.sub("", text)  # 党费台账（dues/<年>.yaml）: the file beside its name
    text = _ASCII_ASIDE.sub("", text)  # 党员活动阵地（venue）: the key beside its name
    text = _FILE.sub(lambda m: _file_in_text(m.group(0)), text)
    text = _PLAN_ITEM.sub("", text)
    text = re.sub(r"zhibu\s*", "", text)
    text = chinese_dates(text)
    text = _labels(text, _kind_of(path) if path else None)
    return _BETWEEN_CJK.sub("", text)


def technical(text: str) -> bool:
    """Whether ``text`` still holds a word of the software (any Latin letter)."""
    return bool(_ASCII_WORD.search(text))


def title_of(code: str) -> str:
    """The standard's Chinese title of a finding code (data/baseline.yaml), or "" for a pack's own rule."""
    info = codes().get(code)
    return info.title if info else ""


def problem(finding: dict) -> str:
    """A finding as a committee reads it: the message in plain words when it has none of the software's,
    else the standard's title and whom it concerns. Never a code, path or line."""
    title = title_of(finding["code"])
    subject = finding.get("subject") or ""
    if not finding["code"].startswith(("format.", "internal.")) or not title:
        text = plain(finding["message"], finding.get("path"))
        if not technical(text) or not title:
            return text
    if subject and subject not in title and not technical(subject):  # a person or group, not a commit
        return f"{title}（{subject}）"
    return title


def place(finding: dict) -> str:
    """Where a committee looks a finding up: the record or register, else its period."""
    if finding.get("path"):
        return file_words(finding["path"])
    return period_words(finding.get("period")) or "—"


def reason(text: str) -> str:
    """Why a branch could not be checked, in plain words; only its first clause when the rest is technical."""
    text = plain(text)
    if technical(text) and "：" in text:
        return text.split("：", 1)[0]
    return text
