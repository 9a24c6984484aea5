"""China's official working-day calendar (法定节假日 and 调休), behind one small interface.

The data comes from the ``chinesecalendar`` package, which covers 2004 up to
the year its release knows (it raises for later years). A branch (its
``holidays.yaml``) or its T pack may supply dates of its own; they take
precedence. A year nobody knows falls back to plain weekdays and says so.

``holidays.yaml`` in the branch root, and the same two keys at the top of a
rule pack::

    # 2027年放假和调休安排（国务院办公厅通知）
    holidays: [2027-01-01, 2027-02-06, 2027-02-07]   # days off, including weekdays made days off
    workdays: [2027-02-14]                           # 调休: weekend days that are working days

Later sources win: packs in the order zhibu.yaml lists them, then
``holidays.yaml``. A year in which a source lists at least one date counts
as supplied: its other days follow the package, or plain weekdays without a
warning when the package does not know the year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ZhibuError

HOLIDAYS_FILE = "holidays.yaml"
HOLIDAY_KEYS = ("holidays", "workdays")

_WEEKDAY_NAMES = "一二三四五六日"


class HolidayFileError(ZhibuError):
    """holidays.yaml or a pack's holiday dates cannot be used; ``path`` and ``line`` say where."""

    def __init__(self, path: str, line: int | None, detail: str, hint: str | None = None):
        where = f"{path} 第 {line} 行" if line else path
        super().__init__(f"{where}：{detail}", hint)
        self.path = path
        self.line = line
        self.detail = detail


@dataclass
class Calendar:
    """Working days: explicit ``holidays`` / ``workdays`` win, then chinesecalendar, then weekdays."""

    holidays: frozenset = frozenset()
    workdays: frozenset = frozenset()
    unknown_years: set = field(default_factory=set)  # years that fell back to weekdays unannounced
    supplied_years: frozenset = frozenset()  # years for which holidays.yaml or a pack lists dates

    def is_workday(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        known = _package_is_workday(day)
        if known is None:
            if day.year not in self.supplied_years:
                self.unknown_years.add(day.year)
            return day.isoweekday() <= 5
        return known

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the next working day."""
        for _ in range(60):
            if self.is_workday(day):
                return day
            day += dt.timedelta(days=1)
        return day

    def previous_workday(self, day: dt.date) -> dt.date:
        """``day`` itself when it is a working day, else the working day before it."""
        for _ in range(60):
            if self.is_workday(day):
                return day
            day -= dt.timedelta(days=1)
        return day

    @classmethod
    def for_branch(cls, root: Path | None, branch=None, *, tree=None) -> "Calendar":
        """The calendar of a branch: its packs' dates, then its holidays.yaml, over the package.

        ``tree`` is where to read holidays.yaml (default the work tree at ``root``;
        ``zhibu check --at`` passes the commit's files).

        Raises:
            HolidayFileError: holidays.yaml (or a pack's holiday dates) is not readable
                or not in the format above; the message names the file and the line.
        """
        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        years: set[int] = set()
        sources: list[tuple[str, object, dict]] = []
        for pack in getattr(branch, "packs", ()) if branch is not None else ():
            data = pack.data
            if isinstance(data, dict) and any(key in data for key in HOLIDAY_KEYS):
                lines = pack.source.lines if pack.source and pack.source.lines else {}
                sources.append((pack.path, data, lines))
        if root is not None or tree is not None:
            own = read_holidays_file(Path(root) if root is not None else tree.root, tree=tree)
            if own is not None:
                sources.append(own)
        for name, data, lines in sources:
            off, on = dates_of(name, data, lines)
            for day in off:
                holidays.add(day)
                workdays.discard(day)
            for day in on:
                workdays.add(day)
                holidays.discard(day)
            years.update(day.year for day in (*off, *on))
        return cls(frozenset(holidays), frozenset(workdays), supplied_years=frozenset(years))


@dataclass(frozen=True)
class ThemeDate:
    """The 主题党日 of one month: the date, the date the rule names, and why they differ."""

    date: dt.date
    nominal: dt.date
    note: str | None = None  # Chinese, e.g. "10月2日为节假日，顺延至10月8日"


def theme_day_date(spec, year: int, month: int, calendar: Calendar | None) -> ThemeDate:
    """The 主题党日 of a month under the branch's ``theme_day`` rule.

    With ``shift_to_workday`` a date on a holiday or weekend moves to the next
    working day (调休 Saturdays are working days). A move that would leave the
    month goes back to the last working day before the date instead, so the
    month keeps its 主题党日 (the standard asks for one every month).
    """
    nominal = spec.nominal_date(year, month)
    if not spec.shift_to_workday or calendar is None or calendar.is_workday(nominal):
        return ThemeDate(nominal, nominal)
    later = calendar.next_workday(nominal)
    if later.month == month:
        return ThemeDate(later, nominal, f"{_md(nominal)}为节假日或休息日，顺延至{_md(later)}")
    earlier = calendar.previous_workday(nominal)
    if earlier.month == month:
        return ThemeDate(earlier, nominal, f"{_md(nominal)}为节假日或休息日，顺延将跨入下月，改为提前至{_md(earlier)}")
    return ThemeDate(nominal, nominal, f"{_md(nominal)}为节假日或休息日，本月没有可顺延的工作日")


def weekday_name(day: dt.date) -> str:
    return "周" + _WEEKDAY_NAMES[day.isoweekday() - 1]


def _md(day: dt.date) -> str:
    return f"{day.month}月{day.day}日（{weekday_name(day)}）"


def package_years() -> tuple[int, int] | None:
    """First and last year the installed chinesecalendar knows, or None without the package."""
    try:
        from chinese_calendar import constants
    except ImportError:
        return None
    years = [day.year for day in constants.holidays]
    return (min(years), max(years)) if years else None


def unknown_year_warning(year: int) -> str:
    """The warning for a year without holiday data: what happened, and the two fixes."""
    known = package_years()
    if known is None:
        have = "没有安装 chinesecalendar"
        upgrade = "安装：pip install chinesecalendar"
    else:
        try:
            from importlib.metadata import version

            installed = f" {version('chinesecalendar')}"
        except Exception:  # pragma: no cover - metadata missing in an odd install
            installed = ""
        have = f"已安装的 chinesecalendar{installed} 只有 {known[0]}—{known[1]} 年的数据"
        upgrade = "升级：pip install -U chinesecalendar（每年11月前后发布下一年的数据）"
    return (
        f"{year}年的法定节假日和调休数据未知（{have}），已按周一至周五为工作日推算。"
        f"请{upgrade}；或在支部根目录的 {HOLIDAYS_FILE} 中补充 {year} 年的放假日期（holidays）和调休上班日期（workdays）。"
    )


def read_holidays_file(root: Path, *, tree=None):
    """``(name, data, lines)`` of the branch's holidays.yaml, or None when there is none.

    Raises:
        HolidayFileError: the file cannot be read as UTF-8 YAML.
    """
    from . import files
    from .yamlio import YamlProblem, parse

    tree = tree if tree is not None else files.WorkTree(root)
    if not tree.exists(HOLIDAYS_FILE):
        return None
    try:
        raw = tree.read(HOLIDAYS_FILE)
    except files.Refused as exc:
        raise HolidayFileError(HOLIDAYS_FILE, None, f"{exc}。") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise HolidayFileError(
            HOLIDAYS_FILE,
            None,
            "不是 UTF-8 编码。",
            f"用编辑器“另存为”UTF-8 编码，或运行：iconv -f GB18030 -t UTF-8 {HOLIDAYS_FILE} -o {HOLIDAYS_FILE}.new && mv {HOLIDAYS_FILE}.new {HOLIDAYS_FILE}",
        ) from None
    try:
        doc = parse(text)
    except YamlProblem as problem:
        raise HolidayFileError(HOLIDAYS_FILE, problem.line, problem.message, "改正后重试；格式见 docs/plan.md。") from None
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise HolidayFileError(HOLIDAYS_FILE, 1, "应为“键: 值”的映射。", _FORMAT_HINT)
    return HOLIDAYS_FILE, data, doc.lines


_FORMAT_HINT = (
    "写成 holidays: [2027-01-01, 2027-02-06]（放假日期）和 workdays: [2027-02-14]（调休上班日期），格式见 docs/plan.md。"
)


def dates_of(name: str, data: dict, lines: dict) -> tuple[list[dt.date], list[dt.date]]:
    """The ``holidays`` and ``workdays`` lists of one source, checked."""

    def line(*path) -> int | None:
        return lines.get(path) or lines.get(path[:1])

    if name == HOLIDAYS_FILE:
        for key in data:
            if key not in HOLIDAY_KEYS:
                raise HolidayFileError(name, line(key), f"未定义的键“{key}”。", _FORMAT_HINT)
    out: dict[str, list[dt.date]] = {}
    for key in HOLIDAY_KEYS:
        value = data.get(key)
        if value is None:
            out[key] = []
            continue
        if not isinstance(value, list):
            raise HolidayFileError(name, line(key), f"{key} 应为日期列表。", _FORMAT_HINT)
        days = []
        for index, item in enumerate(value):
            if not isinstance(item, dt.date):
                raise HolidayFileError(
                    name,
                    line(key, index),
                    f"{key} 中的“{item}”不是有效日期。",
                    "日期写成 YYYY-MM-DD，如 2027-02-06（不加引号）。",
                )
            days.append(item)
        out[key] = days
    both = sorted(set(out["holidays"]) & set(out["workdays"]))
    if both:
        raise HolidayFileError(
            name,
            line("workdays"),
            f"{both[0]} 同时列在 holidays 和 workdays 中。",
            "一个日期只能是放假日或调休上班日之一，删去其中一处。",
        )
    return out["holidays"], out["workdays"]


def _package_is_workday(day: dt.date) -> bool | None:
    try:
        import chinese_calendar
    except ImportError:
        return None
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None
